"""The ``reflected-ou periodic`` subcommand and the price-of-information table."""
import json

import numpy as np
import pytest

from periodic_routing import optimise as O
from periodic_routing import service as sv
from periodic_routing.information import price_of_information
from reflected_ou.cli import main

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def test_cli_json_keys_and_values(tmp_path, capsys):
    path = tmp_path / "out.json"
    code = main(["periodic", "--mu", "3", "1", "--arrival-rate", "2", "--horizon", "8192", "--no-progress",
                 "--json", str(path)])
    assert code == 0
    out = json.loads(path.read_text())
    for key in ("p_opt", "mean_wait_opt", "p_bernoulli_opt", "mean_wait_bernoulli_opt"):
        assert key in out
    services = [sv.exponential(3.0), sv.exponential(1.0)]
    per = O.optimise_periodic(services, 2.0)
    ber = O.optimise_bernoulli(services, 2.0)
    np.testing.assert_allclose(out["p_opt"], per.fractions, atol=1e-12)
    assert out["mean_wait_opt"] == pytest.approx(per.value, rel=1e-12)
    np.testing.assert_allclose(out["p_bernoulli_opt"], ber.fractions, atol=1e-12)
    assert out["mean_wait_bernoulli_opt"] == pytest.approx(ber.value, rel=1e-12)
    assert sum(out["p_opt"]) == pytest.approx(1.0)
    assert out["p_int_opt"] == [4, 1]
    text = capsys.readouterr().out
    assert "E W(p)" in text and "price of randomisation" in text and "simulation check" in text


def test_cli_response_objective_matches_sqrt_rule(tmp_path):
    path = tmp_path / "r.json"
    assert main(["periodic", "--mu", "3", "1", "--arrival-rate", "2", "--objective", "response", "--horizon", "4096",
                 "--no-progress", "--json", str(path)]) == 0
    out = json.loads(path.read_text())
    np.testing.assert_allclose(out["p_bernoulli_opt"], O.sqrt_rule([3.0, 1.0], 2.0) / 2.0, atol=1e-6)


def test_cli_plot_writes_png(tmp_path):
    png = tmp_path / "conv.png"
    assert main(["periodic", "--mu", "3", "1", "--arrival-rate", "2", "--p", "3", "2", "--service", "det",
                 "--horizon", "4096", "--no-progress", "--plot", str(png)]) == 0
    data = png.read_bytes()
    assert data[:8] == PNG_MAGIC and len(data) > 10_000


@pytest.mark.parametrize("argv,msg", [
    (["--mu", "3", "-1", "--arrival-rate", "2"], "mu must be finite and > 0"),
    (["--mu", "1", "1", "--arrival-rate", "3"], "total capacity"),
    (["--mu", "3", "1", "--arrival-rate", "2", "--service", "pareto"], "service must be"),
    (["--mu", "3", "1", "--arrival-rate", "2", "--p", "1", "4"], "unstable p"),
])
def test_cli_bad_input_exit_2(argv, msg, capsys):
    assert main(["periodic", *argv, "--no-progress", "--horizon", "1024"]) == 2
    assert msg in capsys.readouterr().err


def test_price_of_information_table_and_plot(tmp_path):
    mu, z, loads = [4.0, 2.0, 1.0], [1, 2, 4], [0.3, 0.6, 0.9]
    calls = []

    def jsq(load):
        calls.append(load)
        return 0.01 * load

    tab = price_of_information(mu, loads, pool_sizes=z, sa_jsq_mean_wait=jsq)
    assert calls == loads
    services = [sv.exponential(m) for m in mu]
    for i, rho in enumerate(loads):
        lam = rho * 12.0  # capacity sum z_r mu_r = 4 + 4 + 4
        assert tab.arrival_rates[i] == pytest.approx(lam)
        assert tab.periodic[i] == pytest.approx(O.optimise_periodic(services, lam, pool_sizes=z).value, rel=1e-9)
        assert tab.bernoulli[i] == pytest.approx(O.optimise_bernoulli(services, lam, pool_sizes=z).value, rel=1e-9)
    assert np.all(tab.price_of_randomisation > 1)
    assert np.all(np.diff(tab.periodic) > 0) and np.all(np.diff(tab.bernoulli) > 0)
    np.testing.assert_allclose(tab.price_of_information, tab.periodic / (0.01 * np.asarray(loads)))
    assert "SA-JSQ" in tab.table()
    png = tmp_path / "poi.png"
    tab.plot(str(png))
    assert png.read_bytes()[:8] == PNG_MAGIC
    no_jsq = price_of_information(mu, loads[:1], pool_sizes=z)
    assert no_jsq.sa_jsq is None and no_jsq.price_of_information is None and "SA-JSQ" not in no_jsq.table()
