"""The console subcommands ``reflected-ou fluid`` (Figure 6.1) and ``reflected-ou lemma62``."""
from __future__ import annotations

import json

import matplotlib.image as mpimg
import numpy as np

from reflected_ou.cli import main


def test_fluid_subcommand_writes_figure_6_1(tmp_path, capsys):
    path = tmp_path / "fig61.png"
    assert main(["fluid", "--plot", str(path), "--kappa", "1.2", "--grid", "5"]) == 0
    assert path.exists() and path.stat().st_size > 20_000
    image = mpimg.imread(path)
    assert image.shape[0] > 400 and image.shape[1] > 400
    assert np.std(image[..., :3]) > 0.05  # not a blank canvas
    out = capsys.readouterr().out
    assert "trajectories" in out and "reach the sliding set" in out


def test_fluid_subcommand_in_fluid_scale_and_homogeneous(tmp_path):
    assert main(["fluid", "--plot", str(tmp_path / "a.png"), "--n", "100"]) == 0
    assert main(["fluid", "--plot", str(tmp_path / "b.png"), "--mu", "1.0", "--beta", "1.0"]) == 0


def test_fluid_subcommand_rejects_bad_speeds(tmp_path, capsys):
    assert main(["fluid", "--plot", str(tmp_path / "c.png"), "--mu", "0.5", "2.0"]) == 2
    assert "mu_1 > mu_2" in capsys.readouterr().err


def test_lemma62_passes_on_a_small_sweep_and_writes_json(tmp_path, capsys):
    path = tmp_path / "report.json"
    code = main(["lemma62", "--n", "1", "400", "--points-per-region", "300", "--dfl-points", "5", "--json", str(path)])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "all conditions hold on 6 parameter sets" in out
    data = json.loads(path.read_text())
    assert data["passed"] is True and len(data["reports"]) == 6
    worst_pde = max(next(c["worst"] for c in r["conditions"] if c["name"] == "pde") for r in data["reports"])
    assert worst_pde < 1e-9


def test_lemma62_exit_status_is_nonzero_when_a_condition_fails(capsys):
    for control in ("scale", "drop-log"):
        code = main(["lemma62", "--n", "1", "--points-per-region", "200", "--dfl-points", "0",
                     "--negative-control", control])
        assert code == 1
        assert "SOME CONDITIONS FAIL" in capsys.readouterr().out


def test_lemma62_bad_kappa_is_a_one_line_error(capsys):
    assert main(["lemma62", "--kappa", "0.5"]) == 2
    err = capsys.readouterr().err
    assert "kappa must be > beta/mu_1" in err and err.count("\n") == 1
