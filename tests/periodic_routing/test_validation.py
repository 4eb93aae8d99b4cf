"""Bad input raises ValueError naming the parameter and the rule."""
import pytest

from periodic_routing import (BernoulliPolicy, QueueWord, TypeWordPolicy, arrivals, class_policies,
                              simulate_waits)
from periodic_routing import limit as L
from periodic_routing import optimise as O
from periodic_routing import service as sv
from periodic_routing.information import price_of_information

SVC = [sv.exponential(3.0), sv.exponential(1.0)]


def test_unstable_p():
    with pytest.raises(ValueError, match=r"unstable p.*lambda p_r/\|\|p\|\| < mu_r"):
        L.mean_wait_limit((1, 4), SVC, 2.0)  # type 1 gets 1.6 > 1
    with pytest.raises(ValueError, match="unstable"):
        simulate_waits(TypeWordPolicy((0, 1, 1, 1, 1), (1, 4)), SVC, 2.0, 2, progress=False)
    with pytest.raises(ValueError, match="total capacity"):
        O.optimise_periodic(SVC, 4.0)


@pytest.mark.parametrize("p", [(2.5, 2), (3, "a"), (3, 2.0001)])
def test_non_integer_p(p):
    with pytest.raises(ValueError, match=r"p must have positive integers"):
        class_policies(p)


@pytest.mark.parametrize("p", [(), (3, 0), (0,)])
def test_empty_types(p):
    with pytest.raises(ValueError, match="at least one queue type|empty type"):
        class_policies(p)
    with pytest.raises(ValueError, match="at least one queue type|empty type|non-empty|positive sum|> 0 componentwise"):
        BernoulliPolicy(p)
    with pytest.raises(ValueError, match="never appears"):
        QueueWord((0, 1, 0), k=2, n_types=2)  # queues 2, 3 get no jobs


def test_negative_rates():
    for bad in (-1.0, 0.0, float("nan"), float("inf")):
        with pytest.raises(ValueError, match="mu must be finite and > 0"):
            sv.exponential(bad)
        with pytest.raises(ValueError, match="arrival_rate must be finite and > 0"):
            L.mean_wait_limit((3, 2), SVC, bad)
    with pytest.raises(ValueError, match="rates must be finite and > 0"):
        sv.hyperexponential([0.5, 0.5], [1.0, -2.0])
    with pytest.raises(ValueError, match="mu must be finite and > 0"):
        price_of_information([2.0, -1.0], [0.5])
    with pytest.raises(ValueError, match=r"loads must lie in \(0, 1\)"):
        price_of_information([2.0, 1.0], [0.5, 1.2])


def test_word_not_periodic_with_stated_counts():
    with pytest.raises(ValueError, match="not periodic with the stated counts"):
        TypeWordPolicy((0, 0, 1), (1, 2))
    with pytest.raises(ValueError, match="not periodic with the stated counts"):
        QueueWord((0, 1, 2, 3, 0), k=2, n_types=2, counts=(1, 1, 1, 1))
    with pytest.raises(ValueError, match="letters must be"):
        TypeWordPolicy((0, 2, 1), (1, 2))


def test_other_rules():
    with pytest.raises(ValueError, match="k must be an integer >= 1"):
        TypeWordPolicy((0, 1), (1, 1)).queue_word(0)
    with pytest.raises(ValueError, match="objective must be one of"):
        O.optimise_periodic(SVC, 2.0, objective="latency")
    with pytest.raises(ValueError, match="service must be exp, det or erlang:K"):
        sv.from_spec("pareto", 1.0)
    with pytest.raises(ValueError, match="one law per type"):
        L.mean_wait_limit((3, 2, 1), SVC, 1.0)
    with pytest.raises(ValueError, match=r"quantiles must lie in \(0, 1\)"):
        simulate_waits(TypeWordPolicy((0, 1), (1, 1)), SVC, 1.0, 1, quantiles=(1.5,), progress=False)
    with pytest.raises(ValueError, match="ArrivalProcess"):
        simulate_waits(TypeWordPolicy((0, 1), (1, 1)), SVC, 1.0, 1, arrivals="poisson", progress=False)
    with pytest.raises(ValueError, match="shape"):
        arrivals.erlang(0)
