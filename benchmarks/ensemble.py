"""Benchmark: the exact ensemble mean for 22 and 30 maskable units, and brute force on smaller cases.

Run from the repository root: ``python benchmarks/ensemble.py`` (``--full`` adds brute force
on 16 and 18 units, which takes minutes). ``expect`` (its fast path where no ReLU input can change
sign, else the carried distribution) is timed beside the plain path (the carried distribution
alone) on the same networks; 30 units also end to end, ``symdrop expect`` beside a one-problem
``symdrop solve`` in the same rounds. Every fast-path mean is checked against the plain path, and
every exact mean against visiting every mask one by one (the core's pass,
``symdrop.core.forward.prediction``, in int and Fraction) where that takes seconds; the script
exits non-zero if any check fails.
"""

import itertools
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from fractions import Fraction
from pathlib import Path

from symdrop import parse_spec, to_spec
from symdrop.core.ensemble import expect, maskable_units
from symdrop.core.mean import exact_mean
from symdrop.core.forward import prediction
from symdrop.errors import SymdropError


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


def compare(sizes, positive: bool, convention: str, seed: int) -> tuple[str, bool]:
    """One network: expect() (best of 3) beside the plain path (once: seconds where ReLU never
    zeroes), and whether their means agree."""
    net = network(random.Random(seed), sizes, convention, positive=positive)
    e, fast = timed(lambda: expect(net))
    start = time.perf_counter()
    try:
        (mean, vectors), plain = exact_mean(net), time.perf_counter() - start
        plain_text, agree = f"{plain:10.3f}{vectors:>9}", mean == e.exact_mean
    except SymdropError:  # beyond the limit of vectors carried: only the fast path can
        plain_text, agree = f"{'refused':>10}{'':>9}", None
    path = "one pass" if e.fixed_signs else "carried"
    kind = "positive" if positive else "mixed"
    line = (f"{str(sizes):<22}{kind:<10}{convention:<11}{maskable_units(net):>6}  {path:<10}{fast:>9.4f}"
            f"{plain_text}  {'-' if agree is None else agree}")
    return line, agree is not False


def command_line(rounds: int = 5) -> None:
    """``symdrop expect`` on 30 maskable units of positive weights beside ``symdrop solve`` of the
    same spec (one problem), interleaved, in fresh processes."""
    net = network(random.Random(31), (2, 10, 10, 10, 1), "inverted", positive=True)
    with tempfile.TemporaryDirectory() as folder:
        spec = Path(folder) / "thirty.json"
        spec.write_text(json.dumps(to_spec(net)), encoding="utf-8")
        runs = {"symdrop expect (30 units)": ["expect", str(spec), "--format", "json"],
                "symdrop solve (one problem)": ["solve", str(spec), "--format", "json"]}
        times = {name: [] for name in runs}
        for _ in range(rounds):
            for name, args in runs.items():
                start = time.perf_counter()
                subprocess.run([sys.executable, "-m", "symdrop", *args], check=True, stdout=subprocess.DEVNULL,
                               cwd=Path(__file__).resolve().parent.parent)
                times[name].append(time.perf_counter() - start)
    for name, seen in times.items():
        print(f"  {name:<30} median {statistics.median(seen):.3f} s   best {min(seen):.3f} s")


def main() -> int:
    failures = 0
    print(f"load average {os.getloadavg()[0]:.2f} (1 min) on {os.cpu_count()} cores")
    print("22 and 30 maskable units (q = 1/2 on every hidden layer): expect (best of 3) beside the plain path:")
    print(f"{'sizes':<22}{'weights':<10}{'convention':<11}{'units':>6}  {'path':<10}{'expect s':>9}"
          f"{'plain s':>10}{'vectors':>9}  equal")
    shapes = [(4, 8, 8, 6, 1), (4, 6, 6, 5, 5, 1), (3, 11, 11, 1), (4, 7, 8, 7, 2), (2, 22, 1), (2, 8, 8, 5, 1, 1),
              (2, 10, 10, 10, 1), (4, 8, 8, 8, 6, 1), (2, 6, 6, 6, 6, 6, 1)]
    for sizes in shapes:
        for positive in (False, True):
            for convention in ("plain", "inverted"):
                line, agree = compare(sizes, positive, convention, sum(sizes))
                failures += not agree
                print(line)
    print("\nend to end, interleaved (fresh processes):")
    command_line()

    print("\nchecked against brute force (every mask one by one):")
    print(f"{'sizes':<22}{'weights':<10}{'units':>6}{'masks':>8}  {'path':<10}{'expect s':>9}{'brute s':>10}  equal")
    small = [(3, 4, 4, 1), (3, 5, 5, 2, 1), (3, 4, 4, 4, 1), (4, 6, 5, 4, 1)]
    if "--full" in sys.argv:  # minutes: 2^16 and 2^18 masks one by one
        small += [(4, 8, 8, 1), (3, 6, 6, 6, 1)]
    for sizes in small:
        for positive in (False, True):
            net = network(random.Random(sum(sizes) + positive), sizes, "inverted", positive=positive)
            e, fast = timed(lambda: expect(net))
            expected, slow = timed(lambda: brute_force(net), repeat=1)
            equal = [Fraction(int(v.p), int(v.q)) for v in e.exact_mean] == expected
            failures += not equal
            n = maskable_units(net)
            kind = "positive" if positive else "mixed"
            path = "one pass" if e.fixed_signs else "carried"
            print(f"{str(sizes):<22}{kind:<10}{n:>6}{2 ** n:>8}  {path:<10}{fast:>9.4f}{slow:>10.3f}  {equal}")
    print(f"load average {os.getloadavg()[0]:.2f} at the end")
    print("\nall exact means agree (fast and plain path, brute force)" if not failures else f"\n{failures} DISAGREE")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
