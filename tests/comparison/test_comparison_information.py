"""SA-JSQ beside optimal static routing: closed forms and the ordering a dispatcher with information buys."""
import numpy as np
import pytest

from comparison.information import price_of_information_with_sa_jsq, sa_jsq_objective


def test_one_server_is_mm1():
    """One server of speed mu: SA-JSQ is M/M/1, E W = rho / (mu - lambda), E T = 1 / (mu - lambda)."""
    mu = 2.0
    for rho in (0.3, 0.8):
        lam = rho * mu
        assert sa_jsq_objective([mu], [1])(rho) == pytest.approx(rho / (mu - lam), rel=1e-9)
        assert sa_jsq_objective([mu], [1], objective="response")(rho) == pytest.approx(1 / (mu - lam), rel=1e-9)


def test_information_table_orders_the_dispatchers():
    table = price_of_information_with_sa_jsq([3.0, 1.0], [0.3, 0.6, 0.9], pool_sizes=[1, 1])
    assert np.all(table.sa_jsq < table.bernoulli)
    assert table.price_of_information is not None and np.all(np.isfinite(table.price_of_information))
    assert "SA-JSQ" in table.table()


def test_bad_input():
    with pytest.raises(ValueError, match="objective"):
        sa_jsq_objective([1.0], [1], objective="mean")
    with pytest.raises(ValueError, match="unstable"):
        sa_jsq_objective([1.0], [1])(1.2)


@pytest.mark.parametrize("kwargs, rule", [
    (dict(loss_tol=1.0), r"loss_tol must lie in \(0, 0.001\]"),  # a one-level chain: 6e-17 instead of 2.39
    (dict(loss_tol=float("nan")), "loss_tol must lie in"),
    (dict(start_levels=0), "start_levels must be an integer >= 1"),
    (dict(pool_sizes=[1]), "one entry per pool"),  # IndexError
])
def test_sa_jsq_objective_refuses_bad_input(kwargs, rule):
    arguments = dict(mu=[3.0, 1.0], pool_sizes=[1, 1]) | kwargs
    with pytest.raises(ValueError, match=rule):
        sa_jsq_objective(**arguments)
