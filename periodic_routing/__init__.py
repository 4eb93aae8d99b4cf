"""Static routing to non-observable parallel queues: periodic policies and their D/GI/1 limit.

Implements paper 003 (Anselmi, Gaujal, Nesti, "Control of parallel non-observable queues:
asymptotic equivalence and optimality of periodic policies"): R queue types with k replicas each,
the policy class C_p^(k) of Section 3.1, the Lindley simulator of (2.2)-(2.5), the limit W(p) of
(2.8) from independent D/GI/1 queues (Theorems 2, 3, (3.8)-(3.9)), its convex optimisation over p,
and the comparison with Bernoulli (probabilistic) routing.
"""
from . import arrivals, service, words
from .lindley import SimulationResult, lindley, simulate_waits, waiting_time_sequences
from .words import (BernoulliPolicy, QueueWord, TypeWordPolicy, balanced_policy, billiard_word,
                    class_policies, class_size, hajek_sequence, type_words)

__all__ = [
    "arrivals", "service", "words", "SimulationResult", "lindley", "simulate_waits", "waiting_time_sequences",
    "BernoulliPolicy", "QueueWord", "TypeWordPolicy", "balanced_policy", "billiard_word", "class_policies",
    "class_size", "hajek_sequence", "type_words",
]
