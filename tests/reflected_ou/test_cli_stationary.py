"""``reflected-ou stationary``: table, JSON keys, figure, checkpoint flag, bad input."""
import json

import pytest

from reflected_ou.cli import main

MOMENTS = {"Y_M1", "Y_12", "Y_M1_sq", "Y_12_sq", "Y_M1_Y_12"}


def test_stationary_both_methods_writes_json_and_png(tmp_path, capsys):
    out, png = tmp_path / "s.json", tmp_path / "s.png"
    code = main(["stationary", "--horizon", "200", "--replicas", "64", "--dt", "0.02", "--delta", "0.1",
                 "--json", str(out), "--plot", str(png), "--no-progress", "--checkpoint", str(tmp_path / "c.npz")])
    assert code == 0
    payload = json.loads(out.read_text())
    assert {"mean", "stderr", "grid", "params"} <= set(payload)
    for key in ("mean", "stderr", "grid"):
        assert set(payload[key]) == MOMENTS and all(isinstance(v, float) for v in payload[key].values())
    assert payload["params"] == {"mu": [2.5, 0.625], "gamma": [0.2, 0.8], "beta": 2.0}
    assert abs(payload["grid"]["Y_M1"] + 3.2) < 1e-6
    assert abs(payload["mean"]["Y_M1"] + 3.2) < 3 * payload["stderr"]["Y_M1"]
    assert png.stat().st_size > 10_000
    table = capsys.readouterr().out
    assert "E[(Y_M1+Y_12)(beta+mu_M Y_M1)] = 1" in table and "Monte Carlo" in table
    assert "statistics every 10 steps" in table  # min(20, floor(1 / (2 mu_1 dt))) at dt = 0.02


def test_stationary_grid_only_for_jsq(tmp_path):
    out = tmp_path / "g.json"
    assert main(["stationary", "--method", "grid", "--beta", "1", "--mu", "1", "--gamma", "1", "--delta", "0.1",
                 "--json", str(out), "--plot", str(tmp_path / "g.png")]) == 0
    payload = json.loads(out.read_text())
    assert payload["mean"] is None and abs(payload["grid"]["Y_M1"] + 1.0) < 1e-4


@pytest.mark.parametrize(
    "argv, rule",
    [
        (["--beta", "0"], "beta must be finite and > 0"),
        (["--mu", "0.625", "2.5", "--gamma", "0.8", "0.2"], "strictly decreasing"),
        (["--gamma", "0.3", "0.8"], "gamma must sum to 1"),
        (["--dt", "-1"], "dt must be finite and > 0"),
        (["--dt", "0.5"], "dt must satisfy mu_1 * dt <= 1"),
        (["--horizon", "0"], "horizon must be finite and > 0"),
        (["--replicas", "0"], "replicas must be an integer >= 1"),
    ],
)
def test_bad_input_is_one_clear_line(argv, rule, capsys, tmp_path):
    code = main(["stationary", "--method", "mc", "--plot", str(tmp_path / "x.png"), "--no-progress"] + argv)
    assert code == 2
    assert rule in capsys.readouterr().err


def test_normalise_flag_rescales(tmp_path, capsys):
    argv = ["stationary", "--method", "grid", "--mu", "3", "1", "--gamma", "0.5", "0.5", "--delta", "0.2",
            "--plot", str(tmp_path / "n.png")]
    assert main(argv) == 2 and "Params.normalised" in capsys.readouterr().err
    assert main(argv + ["--normalise"]) == 0
