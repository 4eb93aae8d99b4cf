"""Static routing to non-observable parallel queues: periodic policies and their D/GI/1 limit.

Implements paper 003 (Anselmi, Gaujal, Nesti, "Control of parallel non-observable queues: asymptotic
equivalence and optimality of periodic policies"): R queue types with k replicas each, the policy class
C_p^(k) of Section 3.1, the Lindley simulator of (2.2)-(2.5), the limit W(p) of (2.8) from independent
D/GI/1 queues (Theorems 2, 3, (3.8)-(3.9)), its convex optimisation over p, and the comparison with
Bernoulli (probabilistic) routing.  Modules, one concept each:

    service      service-time laws (exponential, deterministic, Erlang, hyperexponential, lognormal, custom)
    arrivals     dispatcher arrival processes, Cases 1-3 (renewal, Poisson, deterministic)
    words        C_p^(k) type words (3.4), general words A_q(k) (2.1), Bernoulli routing, billiard words
    lindley      vectorised Lindley simulator: simulate_waits -> SimulationResult
    dgi1         single queues: D/M/1 (closed form), D/Gamma/1 (Spitzer), lattice D/GI/1, M/GI/1 (PK)
    limit        E W(p), Var W(p) of (2.8)/(3.9): mean_wait_limit, bernoulli_limit -> LimitResult
    optimise     optimal fractions (continuous, integer p, Bernoulli, square-root rule)
    information  periodic vs Bernoulli (vs SA-JSQ if supplied) over loads
    cli          the ``reflected-ou periodic`` subcommand

Example::

    from periodic_routing import service, balanced_policy, simulate_waits, mean_wait_limit
    svc = [service.exponential(3.0), service.exponential(1.0)]
    mean_wait_limit((3, 2), svc, arrival_rate=2.0).mean            # E W(p) = 0.70114...
    simulate_waits(balanced_policy((3, 2)), svc, 2.0, k=32).mean    # E W^(32) -> E W(p)
"""
from . import arrivals, service, words
from . import dgi1  # the module (its function dgi1.dgi1 is not re-exported under the same name)
from .dgi1 import QueueLimit, dm1, lattice_dgi1, mgi1, spitzer_gamma
from .information import InformationTable, price_of_information
from .limit import LimitResult, bernoulli_limit, limit_cdf, mean_wait_limit
from .lindley import SimulationResult, lindley, simulate_waits, waiting_time_sequences
from .optimise import (IntegerOptimum, OptimumResult, best_integer_p, optimise_bernoulli, optimise_periodic,
                       price_of_randomisation, sqrt_rule)
from .words import (BernoulliPolicy, QueueWord, TypeWordPolicy, balanced_policy, billiard_word, class_policies,
                    class_size, hajek_sequence, necklace, type_words)

__all__ = [
    "arrivals", "service", "words",
    "dgi1", "QueueLimit", "dm1", "lattice_dgi1", "mgi1", "spitzer_gamma",
    "InformationTable", "price_of_information",
    "LimitResult", "bernoulli_limit", "limit_cdf", "mean_wait_limit",
    "SimulationResult", "lindley", "simulate_waits", "waiting_time_sequences",
    "IntegerOptimum", "OptimumResult", "best_integer_p", "optimise_bernoulli", "optimise_periodic",
    "price_of_randomisation", "sqrt_rule",
    "BernoulliPolicy", "QueueWord", "TypeWordPolicy", "balanced_policy", "billiard_word", "class_policies",
    "class_size", "hajek_sequence", "necklace", "type_words",
]
