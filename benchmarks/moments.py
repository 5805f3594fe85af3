"""Benchmark: ``symdrop moments`` on 20 maskable units of mixed-sign ReLU networks, in process.

Run from the repository root: ``python benchmarks/moments.py``. For each shape, several random
networks (weights n/d with n in -9..9, every mask q = 1/2, inverted and plain) are timed; the
median and the worst are printed. The carried distribution (the plain path) is checked against
the output layer's fast path (the law of total variance) on every network: the script exits
non-zero if they differ.
"""

import random
import statistics
import sys
import time

from symdrop import parse_spec
from symdrop.errors import SymdropError
from symdrop.core.distribution import carried, linear_moments
from symdrop.core.everymask import maskable_units
from symdrop.core.moments import moments, stats

SHAPES = {  # 20 maskable units each: the input's mask and every hidden layer's
    "5-5-5-5-1": [5, 5, 5, 5, 1],
    "2-6-6-6-1": [2, 6, 6, 6, 1],
    "4-8-8-1": [4, 8, 8, 1],
    "10-10-2": [10, 10, 2],
}


def network(rng: random.Random, sizes, convention):
    def number():
        return f"{rng.randint(-9, 9)}/{rng.choice((1, 2, 4))}"

    return parse_spec({
        "input": [number() for _ in range(sizes[0])],
        "layers": [{"weights": [[number() for _ in range(sizes[l - 1])] for _ in range(sizes[l])],
                    "bias": [number() for _ in range(sizes[l])]} for l in range(1, len(sizes))],
        "dropout": {"convention": convention, "keep": ["1/2"] * (len(sizes) - 1)},
    }, require_masks=False)


def fast_path_agrees(net) -> bool:
    """The output layer's moments by the law of total variance equal those of its whole
    distribution (where that fits the limit of distinct values: else only the fast path can)."""
    try:
        distributions = carried(net)
    except SymdropError:
        return True
    mean, covariance = linear_moments(net, distributions[-2].a if len(distributions) > 1 else {tuple(net.x): 1})
    plain = stats(distributions[-1].z)
    return tuple(mean) == plain.mean and tuple(covariance[i][i] for i in range(len(mean))) == plain.variance


def main() -> int:
    rng = random.Random(2026)
    failures = 0
    for name, sizes in SHAPES.items():
        times = []
        for k in range(6):
            net = network(rng, sizes, ("inverted", "plain")[k % 2])
            assert maskable_units(net) == 20
            start = time.perf_counter()
            moments(net)
            times.append(time.perf_counter() - start)
            if k < 2 and not fast_path_agrees(net):
                print(f"{name}: the fast path differs from the carried distribution", file=sys.stderr)
                failures += 1
        print(f"{name:12} 20 maskable units: median {statistics.median(times) * 1000:7.1f} ms, "
              f"worst {max(times) * 1000:7.1f} ms over {len(times)} networks")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
