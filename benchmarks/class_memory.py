"""Peak memory of a class set without PDFs: ``symdrop sheet --seed 1 --roster R.csv`` for 2,000 students.

Usage: python3 benchmarks/class_memory.py [--students 2000] [--runs 1] [--against CHECKOUT]

Each run is a new process, its peak resident memory (``ru_maxrss`` of that child, from
``os.wait4``) and CPU time measured, beside its reference in the same run: a process that only
imports what ``symdrop sheet`` imports (the floor no class set goes below). ``--against`` runs
the same class set with another checkout of symdrop (``PYTHONPATH``), e.g. main before a change.
Memory does not depend on the machine's load; the load average is shown beside the CPU times.
"""

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
IMPORTS = ("import sympy, symdrop.cli, symdrop.commands.classes, symdrop.exercises.sheet, symdrop.exercises.kinds, "
           "symdrop.io.outputs, symdrop.render.sheets")


def measure(args: list[str], checkout: Path) -> tuple[float, float]:
    """(peak MiB, CPU seconds) of ``python args`` run with ``checkout`` first on the path."""
    env = {**os.environ, "PYTHONPATH": str(checkout)}
    # Run from a folder of no checkout: ``python -m`` puts the working folder first on the path.
    process = subprocess.Popen([sys.executable, *args], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               cwd=tempfile.gettempdir())
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    error = process.stderr.read().decode()
    process.stderr.close()
    if process.returncode != 0:
        raise SystemExit(f"failed ({process.returncode}): {' '.join(args)}\n{error}")
    return usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--against", type=Path, help="another checkout of symdrop, measured in the same run")
    args = parser.parse_args()
    checkouts = [("this checkout", ROOT)] + ([(f"{args.against}", args.against)] if args.against else [])
    with tempfile.TemporaryDirectory(prefix="symdrop-memory-") as name:
        folder = Path(name)
        roster = folder / "roster.csv"
        roster.write_text("id,name\n" + "".join(f"s{i:04d},Student {i}\n" for i in range(args.students)), encoding="utf-8")
        for run in range(args.runs):
            peak, cpu = measure(["-c", IMPORTS], ROOT)
            print(f"run {run + 1}: imports alone: {peak:.0f} MiB, CPU {cpu:.2f} s")
            for label, checkout in checkouts:
                out = folder / f"out-{run}-{len(label)}"
                peak, cpu = measure(["-m", "symdrop", "sheet", "--seed", "1", "--roster", str(roster),
                                     "--out", str(out)], checkout)
                size = sum(f.stat().st_size for f in out.rglob("*") if f.is_file()) / 2**20
                print(f"run {run + 1}: {label}: class set of {args.students} (.tex, .md, SVGs, key; no PDF, "
                      f"{size:.0f} MiB of files): peak {peak:.0f} MiB, CPU {cpu:.2f} s")
    print(f"load average: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
