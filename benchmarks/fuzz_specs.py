"""Fuzzing the CLI with 10,000+ malformed specs (tests/fuzzing.py), counted by outcome.

Usage: python3 benchmarks/fuzz_specs.py [N] [--timeout S]   (default 10000 cases, 10 s each)
       python3 benchmarks/fuzz_specs.py N --templates      (hostile --templates folders instead,
                                                            tests/fuzzing_templates.py)

Case i is seed i, run in process by a worker (``symdrop solve SPEC --format json``); a case that
takes longer than the timeout is a timeout, and its worker is killed and replaced. Prints the
counts of: clean rejection (exit 2, one line), accepted (exit 0), crash/traceback (anything
else), timeout; then the first few crashes and timeouts with their seeds. With ``--templates``, case
i is a hostile template folder (seed i) for ``symdrop solve TUTORIAL -o FILE.md``, and a case whose
code ran or that read outside its folder counts as escaped.
"""

import argparse
import multiprocessing
import random
import shutil
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.fuzzing import case, run_cli  # noqa: E402
from tests.fuzzing_templates import run_templates, template_case  # noqa: E402

OUTCOMES = {"rejected": "clean rejection", "accepted": "accepted", "crash": "crash/traceback", "timeout": "timeout",
            "escaped": "code ran/read out"}


def _worker(tasks, results, folder: str, templates: bool = False) -> None:
    for seed in iter(tasks.get, None):
        if templates:
            outcome, err = _template_case(seed, Path(folder) / f"case-{seed}")
        else:
            suffix, text = case(random.Random(seed))
            path = Path(folder) / f"spec-{seed}{suffix}"
            path.write_text(text, encoding="utf-8", errors="surrogatepass")
            outcome, err = run_cli(path)
            path.unlink()
        results.put((seed, outcome, err.strip()[:200]))


def _template_case(seed: int, base: Path) -> tuple[str, str]:
    (base / "mine").mkdir(parents=True)
    template_case(random.Random(seed), base / "mine", base / "ran", base / "secret.txt")
    try:
        return run_templates(base / "mine", base / "ran")
    finally:
        shutil.rmtree(base)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("cases", nargs="?", type=int, default=10_000)
    parser.add_argument("--timeout", type=float, default=10.0)
    parser.add_argument("--templates", action="store_true", help="hostile --templates folders instead of specs")
    args = parser.parse_args()
    context = multiprocessing.get_context("fork")
    counts, examples = Counter(), {"crash": [], "timeout": [], "escaped": []}
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="symdrop-fuzz-") as folder:
        seed = 0
        while seed < args.cases:
            tasks, results = context.Queue(), context.Queue()
            worker = context.Process(target=_worker, args=(tasks, results, folder, args.templates), daemon=True)
            worker.start()
            while seed < args.cases:  # one case at a time, so a timeout names its seed
                tasks.put(seed)
                try:
                    _, outcome, err = results.get(timeout=args.timeout)
                except Exception:  # queue.Empty: the case is still running
                    outcome, err = "timeout", f"more than {args.timeout:g} s"
                counts[outcome] += 1
                if outcome in examples and len(examples[outcome]) < 10:
                    examples[outcome].append((seed, err))
                seed += 1
                if outcome == "timeout" or not worker.is_alive():
                    worker.kill()
                    worker.join()
                    break
                if seed % 1000 == 0:
                    print(f"  {seed} cases, {time.perf_counter() - start:.0f} s", file=sys.stderr)
            else:
                tasks.put(None)
                worker.join(5)
    what = "hostile template folders" if args.templates else "malformed specs"
    print(f"{args.cases} {what}, {time.perf_counter() - start:.0f} s:")
    for outcome, label in OUTCOMES.items():
        print(f"  {label:<16} {counts[outcome]:>6}")
    for outcome in ("escaped", "crash", "timeout"):
        for seed, err in examples[outcome]:
            print(f"  {outcome} seed {seed}: {err}")
    return 0 if counts["crash"] == counts["timeout"] == counts["escaped"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
