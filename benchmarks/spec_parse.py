"""How long a large or hostile YAML spec takes to read, with PyYAML's parser and with libyaml.

Usage: python3 benchmarks/spec_parse.py [--runs N]   (default 3 runs each, the best shown)

The specs, made here: ``layers`` 15,000 small layers (some 708 KB, refused at its 257th layer);
``row`` an input of 180,000 numbers (refused at its 257th); ``weights`` 11 layers of 64 x 64
fractions (370 KB, read whole); ``masks`` 60 x 64 x 64 mask entries in lists of 64 (745 KB, read
whole: no list is too long, and the spec's checks refuse it after).
"""

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from symdrop.errors import SpecError  # noqa: E402
from symdrop.model.yamlread import CLoader, PythonLoader, load_yaml  # noqa: E402


def specs() -> dict[str, str]:
    rows = "[" + ", ".join("[" + ", ".join(f"{(i * 37 + j) % 999 - 499}/{j % 97 + 1}" for j in range(64)) + "]"
                           for i in range(64)) + "]"
    ones = "[" + ", ".join(["1"] * 64) + "]"
    block = "[" + ", ".join([ones] * 64) + "]"
    return {
        "layers": "input: [1, 1]\nlayers:\n" + "  - weights: [[1, 2], [-1, 1]]\n    bias: [0, 1]\n" * 15_000,
        "row": "input: [" + ", ".join(str(i % 199 - 99) for i in range(180_000)) + "]\nlayers: []\n",
        "weights": f"input: {ones}\nlayers:\n" + f"  - weights: {rows}\n    bias: {ones}\n" * 11,
        "masks": "input: [1, 1]\nlayers:\n  - {weights: [[1, 1]], bias: [0]}\nmasks: [" + ", ".join([block] * 60) + "]\n",
    }


def best(text: str, loader, runs: int) -> tuple[float, str]:
    times, result = [], ""
    for _ in range(runs):
        start = time.perf_counter()
        try:
            load_yaml(text, "spec", loader)
            result = "read"
        except SpecError as error:
            result = "refused: " + str(error)[:60]
        times.append(time.perf_counter() - start)
    return min(times), result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    loaders = [("PyYAML", PythonLoader)] + ([("libyaml", CLoader)] if CLoader else [])
    print(f"{'spec':<8} {'size':>8}  " + "  ".join(f"{name:>8}" for name, _ in loaders) + "  outcome")
    for name, text in specs().items():
        timed = [best(text, loader, args.runs) for _, loader in loaders]
        print(f"{name:<8} {len(text.encode()) // 1000:>5} KB  " + "  ".join(f"{t * 1000:>6.0f} ms" for t, _ in timed)
              + f"  {timed[-1][1]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
