#!/bin/sh
# Full comparison study of issue 4: figures 3.1-3.2, convergence/scalings for n = 1e2..1e5,
# Stein terms, the policy table at n = 1000, the Theorem 3.6 tails at n = 100, 1000, 10000, and (b)
# again with the fast SA-JSQ kernel (4096 replicas, W_1 with noise floors).
# Output: examples/comparison_output/{compare.md, compare.json, *.png}.
exec reflected-ou compare --out examples/comparison_output \
    --ns 100 316 1000 3162 10000 31623 100000 --horizon 100 --burn-in 20 --replicas 8 \
    --stein-ns 100 1000 10000 100000 --policy-n 1000 --tail-ns 100 1000 10000 --policy-horizon 200 \
    --figure-ns 100 1000 10000 --seed 0 --fast-kernel "$@"
