"""The Monte Carlo reference of Y_12 and the fast-kernel convergence rows (tiny runs: relations that
hold exactly, not the study's numbers)."""
import numpy as np
import pytest

from comparison.fast_study import build_reference, run_row, slopes
from comparison.mc_reference import monte_carlo_tail
from reflected_ou import Params

PARAMS = Params.paper_example()


@pytest.fixture(scope="module")
def tiny_reference():
    return build_reference(PARAMS, grid_delta=0.1, mc_dt=0.02, mc_horizon=40.0, mc_paths=64, seed=1)


def test_monte_carlo_tail_is_its_histogram():
    """The curve is the histogram's tail: its integral is the time-average mean up to the bin spreading
    (<= bin_width / 2), its value at 0 is 1, and the error parts are as documented."""
    width = 1e-3
    tail = monte_carlo_tail(PARAMS, dt=0.02, horizon=40.0, paths=64, seed=2, bin_width=width, high=4.0, batches=8)
    assert tail.curve.values[0] == 1.0 and tail.curve.values[-1] == 0.0  # nothing above high in this run
    assert abs(tail.curve.integral() - tail.mean) <= width / 2 + 1e-6 * tail.mean
    errors = tail.errors(draws=20)
    assert errors["binning"] == pytest.approx(width / 2) and errors["truncation"] == 0.0
    assert errors["noise_floor"] > 0 and errors["total"] == pytest.approx(sum(v for k, v in errors.items() if k != "total"))
    with pytest.raises(ValueError, match="whole number of bin widths"):
        monte_carlo_tail(PARAMS, bin_width=0.3, high=1.0)


def test_rows_obey_kantorovich_and_lemma_6_1(tiny_reference):
    reference, report = tiny_reference
    assert set(report["mc"]) == {"0.02", "0.04"} and report["W1_Y_12_mc_dt_vs_2dt"] > 0
    rows = [run_row(PARAMS, n, reference, seed=3, replicas=64, burn_in=5.0, horizon=20.0, batches=8, draws=50)
            for n in (100, 400)]
    for row in rows:
        # |E X - E Y| <= W_1 for the compared laws: the snapshot mean of Y_12^(n) against the curve's mean
        assert abs(row["E_Y_12_snapshots"] - reference.tail_curve("Y_12").integral()) <= row["W1_Y_12"] + 1e-12
        # Lemma 6.1 estimator and the time average estimate the same E[Y_M1^(n)]
        gap = row["E_Y_M1_lemma"] - row["E_Y_M1"]
        assert abs(gap) < 3 * np.hypot(row["se_Y_M1_lemma"], row["se_Y_M1"])
        assert row["W1_Y_12_floor"] > 0 and row["W1_Y_M1_spread"] > 0
    fitted = slopes(rows)
    assert fitted["W1_Y_M1"] == pytest.approx(np.log(rows[1]["W1_Y_M1"] / rows[0]["W1_Y_M1"]) / np.log(4))


def test_compare_cli_fast_kernel_part(tmp_path):
    import json

    from reflected_ou.cli import main

    out = tmp_path / "cmp"
    code = main(["compare", "--out", str(out), "--ns", "100", "400", "--horizon", "10", "--burn-in", "2",
                 "--skip", "figures", "study", "stein", "policies", "--fast-kernel", "--fast-replicas", "32",
                 "--grid-delta", "0.1", "--mc-horizon", "10", "--no-progress"])
    assert code == 0
    fast = json.loads((out / "compare.json").read_text())["convergence_fast"]
    assert [r["n"] for r in fast["rows"]] == [100, 400]
    assert {"W1_Y_12", "W1_Y_12_resolved", "err_Y_M1_lemma_resolved"} <= set(fast["slopes"])
    assert (out / "compare.md").read_text().startswith("## (b) with the fast kernel")
    assert (out / "distribution_convergence.png").stat().st_size > 0


def test_mean_error_against_the_limit_at_beta_n(tiny_reference):
    """At n = 316 the rounded pools give beta_n < beta, so the limit at beta_n has the larger E[Y_12]
    (less spare capacity, more queueing); err_Y_12_beta_n measures against it."""
    reference, _ = tiny_reference
    row = run_row(PARAMS, 316, reference, seed=4, replicas=32, burn_in=2.0, horizon=5.0, batches=8, draws=20)
    assert row["beta_n"] < PARAMS.beta
    assert row["E_Y_12_limit_beta_n"] > reference.mean_Y_12
    assert row["err_Y_12_beta_n"] == pytest.approx(row["E_Y_12"] - row["E_Y_12_limit_beta_n"])
    assert row["se_Y_12_beta_n"] == row["se_Y_12"]
