"""How fast symdrop makes worked problems and class sets, on the machine it runs on.

    python3 benchmarks/sheet_speed.py [--problems 400] [--students 300] [--workers 2] [--values int] [--no-pdf]

Reports, in one run:
1. complete worked problems per second: generate (fast exact pass + rules 1-5) + derive (SymPy)
   + render the question, key entry and worked solution in LaTeX and Markdown; in one process and
   in ``--workers`` processes;
2. the baseline: the plain per-problem SymPy approach, checking every candidate's rules with
   symdrop.derive (SymPy) instead of the fast pass, then deriving and rendering the same way;
3. the time to make a class set of ``--students`` students (.tex, .md) and to compile its
   exercise sheet to one PDF (and all three documents), with the file sizes.
"""

import argparse
from collections import Counter
import os
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sympy import ImmutableMatrix  # noqa: E402

from symdrop import derive  # noqa: E402
from symdrop.generate import Options, _draw, _Grids, generate, stream  # noqa: E402
from symdrop.network import Layer  # noqa: E402
from symdrop.diagram import draw  # noqa: E402
from symdrop.render import render_math  # noqa: E402
from symdrop.roster import Student  # noqa: E402
from symdrop.sheet import build_class_set, make_exercise, render_documents, sheet_files  # noqa: E402
from symdrop.sheet import render_parts as sheet_parts  # noqa: E402
from symdrop.tex import compile_pdf  # noqa: E402

OPTIONS = Options()  # the defaults: the tutorial's shape, integers in -3..3 (--values changes the kind)


def render_parts(exercise) -> int:
    """The question, key entry and worked solution of one exercise, LaTeX and Markdown, each with
    the picture of its network, as ``symdrop sheet`` renders them (picture and formulas once)."""
    picture = draw(exercise.derivation.network)
    math = render_math(exercise.derivation, OPTIONS.decimals)
    return sum(len(text) for ext in ("tex", "md")
               for text in sheet_parts(exercise, ext, OPTIONS.decimals, picture, math).values())


def worked(numbers) -> int:
    """Complete worked problems for ``numbers`` (each its own stream), as symdrop sheet makes them."""
    size = 0
    for k in numbers:
        problem = generate(stream(2024, "bench", k), OPTIONS)
        size += render_parts(make_exercise(2024, k, problem))
    return size


# --- The baseline: every candidate checked with SymPy derivations ------------------------------


def sympy_accepts(problem) -> bool:
    """Rules 1-5 with symdrop.derive on the candidate and on each mistake's network (SymPy)."""
    network = problem.network()
    d = derive(network)
    y = d.prediction
    values = [v for s in d.steps for q in (s.masked_input, s.pre_activation, s.activation) for v in q.value]
    allowed = {"int": (1,), "half": (1, 2), "decimal": (1, 2, 4, 5, 10, 20, 25, 50, 100)}[OPTIONS.values]
    if any(abs(v) > 99 or v.q not in allowed for v in values):
        return False
    steps = d.steps
    hidden = range(len(steps) - 1)
    if any(v == 0 for l in hidden for v in steps[l].pre_activation.value):
        return False
    for l in hidden:
        mu, a = steps[l + 1].mask, steps[l].activation.value
        if 0 not in mu or 1 not in mu or any(m == 0 and v <= 0 for m, v in zip(mu, a)):
            return False
    if not any(z < 0 and m == 1 for l in hidden for z, m in zip(steps[l].pre_activation.value, steps[l + 1].mask)):
        return False
    wrong = [d.without_dropout, ImmutableMatrix.zeros(*y.shape), network.layers[-1].b]
    variants = [[layer.activation for layer in network.layers]]
    for l in hidden:
        if any(z < 0 and m == 1 for z, m in zip(steps[l].pre_activation.value, steps[l + 1].mask)):
            variants.append([("identity" if i == l else layer.activation) for i, layer in enumerate(network.layers)])
    variants.append(["identity"] * (len(steps) - 1) + [network.layers[-1].activation])
    variants.append([layer.activation for layer in network.layers[:-1]] + ["relu"])
    for activations in variants[1:]:
        layers = tuple(Layer(W=layer.W, b=layer.b, activation=g) for layer, g in zip(network.layers, activations))
        wrong.append(derive(replace(network, layers=layers)).prediction)
    return all(w != y for w in wrong)


def baseline(count: int) -> int:
    grids, size, failures = _Grids(OPTIONS), 0, Counter()
    for k in range(count):
        rng = stream(2024, "baseline", k)
        while True:
            problem = _draw(rng, OPTIONS, grids, failures)
            if problem is not None and sympy_accepts(problem):
                break
        size += render_parts(make_exercise(2024, k, problem))
    return size


def _use(options: Options) -> None:
    global OPTIONS
    OPTIONS = options


def rate(label: str, count: int, run) -> float:
    start = time.perf_counter()
    run()
    seconds = time.perf_counter() - start
    print(f"{label:<58} {count / seconds:8.1f} problems/s  ({seconds:.2f} s for {count})")
    return count / seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--problems", type=int, default=400)
    parser.add_argument("--students", type=int, default=300)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--values", choices=("int", "half", "decimal"), default="int")
    parser.add_argument("--no-pdf", action="store_true")
    args = parser.parse_args()
    global OPTIONS
    OPTIONS = Options(values=args.values)
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, options: {OPTIONS.describe()}")
    worked(range(5))  # templates compiled, caches warm: what a long run sees

    n = args.problems
    rate("worked problems, 1 process", n, lambda: worked(range(n)))
    chunks = [range(i, n, args.workers * 4) for i in range(args.workers * 4)]
    with ProcessPoolExecutor(args.workers, initializer=_use, initargs=(OPTIONS,)) as pool:
        list(pool.map(worked, [range(5)] * args.workers))  # start the workers
        rate(f"worked problems, {args.workers} processes", n, lambda: sum(pool.map(worked, chunks)))
    m = max(20, n // 10)
    rate("baseline: plain per-problem SymPy (rules via derive), 1 process", m, lambda: baseline(m))

    students = [Student(f"s{i:03d}", f"Student {i}") for i in range(args.students)]
    start = time.perf_counter()
    sheet = build_class_set(7, OPTIONS, students)
    built = time.perf_counter()
    latex = render_documents(sheet, ("latex",))
    rendered = time.perf_counter()
    markdown = render_documents(sheet, ("markdown",))
    done = time.perf_counter()
    print(f"class set of {args.students}: build {built - start:.2f} s, + .tex {rendered - built:.2f} s "
          f"(total {rendered - start:.2f} s), + .md {done - rendered:.2f} s")
    for name, text in {**latex, **markdown}.items():
        print(f"  {name:<15} {len(text.encode()) / 1024:8.0f} KiB")
    if not args.no_pdf:
        start = time.perf_counter()
        pdf = compile_pdf(latex["sheet.tex"])
        print(f"  sheet.pdf (one PDF, {args.students} pages+) compiled in {time.perf_counter() - start:.2f} s, "
              f"{len(pdf) / 1024:.0f} KiB")
        with tempfile.TemporaryDirectory() as tmp:
            start = time.perf_counter()
            files = sheet_files(sheet, Path(tmp), ("latex",), pdf=True)
            pdfs = {p.name: len(c) for p, c in files.items() if p.suffix == ".pdf"}
            print(f"  all three PDFs (rendered + compiled side by side) in {time.perf_counter() - start:.2f} s: "
                  + ", ".join(f"{name} {size / 1024:.0f} KiB" for name, size in pdfs.items()))


if __name__ == "__main__":
    main()
