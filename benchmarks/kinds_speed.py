"""Benchmark: drawing 300 problems of each statistics kind and option (issue 25's goal: under 1 s of Python).

Run from the repository root: ``python benchmarks/kinds_speed.py``. For each kind, 300 problems are
generated (drawn and checked against every rule, as ``symdrop sheet`` does) in one process, three
times on new seeds; the best and the median are printed, then the same for building the sheet
(generation plus each problem's derivation and mistakes, no rendering).

``python benchmarks/kinds_speed.py --smooth``: the same for the kinds forward, inverted, test-time
and backprop with sigmoid and with tanh hidden layers (``sheet --activation``), whose sheets build
every problem's exact sigmoid values and mistakes (the rules compare 40-digit decimals).
"""

import statistics
import sys
import time

from symdrop.exercises.generate import generate, stream
from symdrop.exercises.kinds import get
from symdrop.exercises.options import Options
from symdrop.exercises.sheet import build_sheet
from symdrop.exercises.kinds import parse_kinds

NEW = ("variance", "variance:alone", "dropconnect", "dropconnect:forward", "penalty", "penalty:minimiser", "noise", "nwgm")
SMOOTH = tuple((name, activation) for activation in ("sigmoid", "tanh") for name in ("forward", "inverted", "test-time", "backprop"))
PROBLEMS = 300


def timed(work) -> float:
    start = time.process_time()
    work()
    return time.process_time() - start


def main() -> int:
    cases = [(name, Options(activation=a), f"{name} {a}") for name, a in SMOOTH] if "--smooth" in sys.argv[1:] \
        else [(name, Options(), name) for name in NEW]
    for name, options, label in cases:
        kind = get(name)
        draws = [timed(lambda r=r: [generate(stream(r * 1000 + k, name), options, kind) for k in range(PROBLEMS)])
                 for r in range(3)]
        sheets = [timed(lambda r=r, o=options: build_sheet(r + 10, o, PROBLEMS, kinds=parse_kinds(name))) for r in range(3)]
        print(f"{label:19} {PROBLEMS} problems: generated in {min(draws):.2f} s best, {statistics.median(draws):.2f} s median; "
              f"with derivations {min(sheets):.2f} s best, {statistics.median(sheets):.2f} s median (CPU)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
