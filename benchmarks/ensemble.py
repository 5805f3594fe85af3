"""Benchmark: the exact ensemble mean for 22 maskable units, and brute force on smaller cases.

Run from the repository root: ``python benchmarks/ensemble.py`` (``--full`` adds brute force
on 16 and 18 units, which takes minutes). Every exact mean is checked
against visiting every mask one by one (the core's pass, ``symdrop.core.forward.prediction``, in int and Fraction) where that takes
seconds, and the script exits non-zero if any check fails.
"""

import itertools
import random
import sys
import time
from fractions import Fraction

from symdrop import parse_spec
from symdrop.core.ensemble import maskable_units
from symdrop.core.mean import exact_mean
from symdrop.core.forward import prediction


def network(rng: random.Random, sizes, convention, *, positive=False):
    """Random weights n/d (n in -9..9, or 1..9 with ``positive``), every hidden mask q = 1/2."""
    def number():
        return f"{rng.randint(1 if positive else -9, 9)}/{rng.choice((1, 2, 4))}"

    layers = [
        {"weights": [[number() for _ in range(sizes[l - 1])] for _ in range(sizes[l])],
         "bias": [number() for _ in range(sizes[l])]}
        for l in range(1, len(sizes))
    ]
    return parse_spec({
        "input": [number() for _ in range(sizes[0])],
        "layers": layers,
        "masks": [[1] * n for n in sizes[1:-1]],
        "dropout": {"convention": convention, "keep": "1/2"},
    })


def brute_force(net):
    """E[y] by visiting all 2^n masks one by one (a Fraction pass, its numbers converted once)."""
    output = lambda masks: prediction(net, masks=masks)  # noqa: E731
    keep = net.dropout.keep
    units = [(l, j) for l, m in enumerate(net.masks) if keep[l] != 1 for j in range(m.rows)]
    mean = None
    for bits in itertools.product((0, 1), repeat=len(units)):
        masks = [[1] * m.rows for m in net.masks]
        p = Fraction(1)
        for (l, j), bit in zip(units, bits):
            masks[l][j] = bit
            p *= Fraction(1, 2)
        y = [Fraction(v) * p for v in output(masks)]
        mean = y if mean is None else [a + b for a, b in zip(mean, y)]
    return mean


def timed(function, repeat=3):
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        result = function()
        best = min(best, time.perf_counter() - start)
    return result, best


def main() -> int:
    failures = 0
    print("22 maskable units (q = 1/2 on every hidden layer), best of 3:")
    print(f"{'sizes':<22}{'weights':<10}{'convention':<16}{'units':>6}{'vectors':>9}{'seconds':>10}")
    shapes = [(4, 8, 8, 6, 1), (4, 6, 6, 5, 5, 1), (3, 11, 11, 1), (4, 7, 8, 7, 2), (2, 22, 1), (2, 8, 8, 5, 1, 1)]
    for sizes in shapes:
        for positive in (False, True):
            for convention in ("plain", "inverted"):
                net = network(random.Random(sum(sizes)), sizes, convention, positive=positive)
                (mean, vectors), seconds = timed(lambda: exact_mean(net))
                kind = "positive" if positive else "mixed"
                print(f"{str(sizes):<22}{kind:<10}{convention:<16}{maskable_units(net):>6}{vectors:>9}{seconds:>10.3f}")

    print("\nchecked against brute force (every mask one by one):")
    print(f"{'sizes':<22}{'weights':<10}{'units':>6}{'masks':>8}{'fast s':>10}{'brute s':>10}  equal")
    small = [(3, 4, 4, 1), (3, 5, 5, 2, 1), (3, 4, 4, 4, 1), (4, 6, 5, 4, 1)]
    if "--full" in sys.argv:  # minutes: 2^16 and 2^18 masks one by one
        small += [(4, 8, 8, 1), (3, 6, 6, 6, 1)]
    for sizes in small:
        for positive in (False, True):
            net = network(random.Random(sum(sizes) + positive), sizes, "inverted", positive=positive)
            (mean, _), fast = timed(lambda: exact_mean(net))
            expected, slow = timed(lambda: brute_force(net), repeat=1)
            equal = [Fraction(int(v.p), int(v.q)) for v in mean] == expected
            failures += not equal
            n = maskable_units(net)
            kind = "positive" if positive else "mixed"
            print(f"{str(sizes):<22}{kind:<10}{n:>6}{2 ** n:>8}{fast:>10.3f}{slow:>10.3f}  {equal}")
    print("\nall exact means agree with brute force" if not failures else f"\n{failures} DISAGREE")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
