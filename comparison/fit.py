"""Least-squares slope of log |value| against log n (the rate exponent of a convergence table)."""
from __future__ import annotations

import numpy as np


def loglog_slope(ns, values) -> float:
    """Slope p of log|v| = c + p log n over the entries with v != 0 (NaN if fewer than two)."""
    ns = np.asarray(ns, dtype=float)
    values = np.abs(np.asarray(values, dtype=float))
    keep = (values > 0) & np.isfinite(values)
    if keep.sum() < 2:
        return float("nan")
    return float(np.polyfit(np.log(ns[keep]), np.log(values[keep]), 1)[0])
