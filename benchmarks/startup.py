"""Benchmark: ``symdrop --help`` (and a command's --help) beside ``python -c pass``, in fresh processes.

Run from the repository root: ``python benchmarks/startup.py [ROUNDS] [--baseline DIR]``. Each
round runs the reference (``python -c pass``), ``symdrop --help`` and ``symdrop sheet --help`` once
each, one after another, so a busy machine slows all alike; the medians and the best are printed,
with the machine's load. ``--baseline DIR`` also times ``--help`` of the checkout in DIR (another
branch) in the same rounds. Then ``python -X importtime`` names the slowest imports of ``--help``. The
script exits non-zero if ``--help`` loads SymPy.
"""

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent  # python -m symdrop imports the checkout it runs in

RUNS = {
    "python -c pass (reference)": [sys.executable, "-c", "pass"],
    "symdrop --help": [sys.executable, "-m", "symdrop", "--help"],
    "symdrop sheet --help": [sys.executable, "-m", "symdrop", "sheet", "--help"],
}


def wall(command: list[str], root: Path) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, cwd=root)
    return time.perf_counter() - start


def slowest_imports(command: list[str], count: int = 5) -> tuple[list[str], str]:
    """The ``count`` top-level imports of ``command`` that took longest (cumulative), by -X importtime."""
    done = subprocess.run([command[0], "-X", "importtime", *command[1:]], capture_output=True, text=True, check=True,
                          cwd=ROOT)
    rows = [line.split("|") for line in done.stderr.splitlines() if line.startswith("import time:")]
    top = [(int(row[1]), row[2].rstrip()) for row in rows[1:] if not row[2].startswith("  ")]
    return [f"{us / 1000:6.1f} ms  {name.strip()}" for us, name in sorted(top, reverse=True)[:count]], done.stderr


def main() -> int:
    args = sys.argv[1:]
    baseline = args.pop(args.index("--baseline") + 1) if "--baseline" in args else None
    rounds = int(args[0]) if args and args[0] != "--baseline" else 15
    runs = {name: (command, ROOT) for name, command in RUNS.items()}
    if baseline:
        runs[f"symdrop --help of {baseline}"] = (RUNS["symdrop --help"], Path(baseline))
    print(f"load average {os.getloadavg()[0]:.2f} (1 min) on {os.cpu_count()} cores; {rounds} rounds, interleaved")
    times = {name: [] for name in runs}
    for _ in range(rounds):
        for name, (command, root) in runs.items():
            times[name].append(wall(command, root))
    for name, seen in times.items():
        print(f"  {name:40} median {statistics.median(seen) * 1000:6.1f} ms   best {min(seen) * 1000:6.1f} ms")
    top, log = slowest_imports(RUNS["symdrop --help"])
    print("slowest imports of symdrop --help (cumulative):")
    print("\n".join(f"  {line}" for line in top))
    loaded = any(line.rstrip().endswith("| sympy") for line in log.splitlines())
    print(f"load average {os.getloadavg()[0]:.2f} at the end")
    if loaded:
        print("FAIL: symdrop --help loaded SymPy")
    return 1 if loaded else 0


if __name__ == "__main__":
    sys.exit(main())
