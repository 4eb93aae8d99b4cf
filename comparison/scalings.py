"""(c) Theorem 3.3 scalings at stationarity: sqrt(n) E|Y_j1^(n)| bounded for j < M (3.11),
E[Y_j2^(n)] (j >= 2) and E[Y_j3^(n)] vanishing (3.14), with log-log slopes (higher levels are
dominated by level 3: Q_{j,i} <= Q_{j,3} for i >= 3)."""
from __future__ import annotations

import math

from .fit import loglog_slope
from .runs import StudyRun


def scalings_table(runs: list[StudyRun]) -> dict:
    rows = []
    for run in runs:
        root_n = math.sqrt(run.n)
        pools = run.system.pools
        row = {"n": run.n}
        for j in range(1, pools):
            m, e = run.result.scaled_mean(j, 1)  # Y_j1 <= 0, so E|Y_j1| = -E[Y_j1]
            row[f"sqrt_n_E_abs_Y_{j}1"], row[f"se_sqrt_n_E_abs_Y_{j}1"] = -root_n * m, root_n * e
        for j in range(2, pools + 1):
            row[f"E_Y_{j}2"], row[f"se_E_Y_{j}2"] = run.result.scaled_mean(j, 2)
        for j in range(1, pools + 1):  # level 3 from its own observable: exactly 0 if never reached
            row[f"E_Y_{j}3"], row[f"se_E_Y_{j}3"] = run.result.scaled_mean(j, 3)
        rows.append(row)
    ns = [r["n"] for r in rows]
    keys = [k for k in rows[0] if k != "n" and not k.startswith("se_")]
    return {"rows": rows, "slopes": {k: loglog_slope(ns, [r[k] for r in rows]) for k in keys}}
