"""Benchmark: 300 backprop problems beside 300 forward problems, drawn, derived and rendered.

Run from the repository root: ``python benchmarks/backprop_speed.py [--rounds 5] [--root DIR]``.
A round makes a sheet of 300 problems of one kind (drawn and checked against every rule, derived,
with every mistake) and renders its documents in LaTeX and Markdown, as ``symdrop sheet`` does,
first of kind forward (the reference), then backprop, each on new seeds; CPU time of this
process, best and median over the rounds, with the machine's load. Every timed round has Python's
garbage collector set as a ``symdrop`` command sets it (``symdrop.cli.fewer_collections``, as
benchmarks/sheet_speed.py times): the times are those of ``symdrop sheet``; ``--default-gc`` keeps
Python's default instead (as this script timed before). ``--root DIR`` measures the
symdrop of another checkout (another branch) instead, for a before and after in one sitting; its
templates are those of the symdrop the Python running this has installed (package data: with an
editable install, those of the checkout installed), so run it with the other checkout's own
install (its venv's python) where the templates differ. ``--profile`` prints cProfile's top
functions of one backprop round instead.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

PROBLEMS = 300


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--root", type=Path, default=Path(__file__).resolve().parent.parent)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--default-gc", action="store_true", help="Python's collector thresholds, not the command's")
    args = parser.parse_args()
    sys.path.insert(0, str(args.root))
    import contextlib

    import symdrop
    from symdrop import cli
    from symdrop.exercises.kinds import parse_kinds
    from symdrop.exercises.options import Options
    from symdrop.exercises.sheet import build_sheet
    from symdrop.render.sheets import render_documents

    # the command's collector (named _fewer_collections in checkouts before it was made public)
    collector = contextlib.nullcontext if args.default_gc else getattr(cli, "fewer_collections", None) or \
        cli._fewer_collections

    def sheet(kind: str, seed: int) -> None:
        with collector():
            render_documents(build_sheet(seed, Options(), PROBLEMS, kinds=parse_kinds(kind)), ("latex", "markdown"))

    sheet("backprop", 10_000)  # templates compiled, caches warm: not timed
    if args.profile:
        import cProfile
        import pstats

        cProfile.runctx("sheet('backprop', 1)", globals(), {"sheet": sheet}, "/tmp/backprop.prof")
        pstats.Stats("/tmp/backprop.prof").sort_stats("cumulative").print_stats(30)
        return 0
    print(f"symdrop from {Path(symdrop.__file__).parent.parent}; "
          f"load average {os.getloadavg()[0]:.2f} (1 min) on {os.cpu_count()} cores; "
          f"collector {'at Python default' if args.default_gc else 'as a command sets it'}")
    times = {"forward": [], "backprop": []}
    for r in range(args.rounds):
        for kind in times:
            start = time.process_time()
            sheet(kind, r + 1)
            times[kind].append(time.process_time() - start)
    for kind, seen in times.items():
        print(f"  {PROBLEMS} {kind:9} problems, LaTeX and Markdown: median {statistics.median(seen):.2f} s, "
              f"best {min(seen):.2f} s (CPU)")
    ratio = statistics.median(times["backprop"]) / statistics.median(times["forward"])
    print(f"  backprop / forward: {ratio:.2f}; load average {os.getloadavg()[0]:.2f} at the end")
    return 0


if __name__ == "__main__":
    sys.exit(main())
