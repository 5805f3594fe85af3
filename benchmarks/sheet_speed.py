"""How fast symdrop makes worked problems and class sets, on the machine it runs on.

    python3 benchmarks/sheet_speed.py [--problems 400] [--students 300] [--workers 2] [--values int]
                                      [--repeat 5] [--no-pdf]

Reports, in one run:
1. complete worked problems per second: generate (fast exact pass + rules 1-5) + derive (SymPy)
   + render the question, key entry and worked solution in LaTeX and Markdown; in one process and
   in ``--workers`` processes;
2. the baseline: the plain per-problem SymPy approach, every candidate's rules checked with
   ImmutableMatrix arithmetic (W (mu * a) + b, Max(0, z)) instead of the fast exact pass, then
   derived and rendered the same way;
3. the time to make a class set of ``--students`` students (.tex, .md) and to compile its
   exercise sheet to one PDF (and all three documents), with the file sizes;
4. end to end, ``symdrop sheet --seed 1 --roster R.csv --pdf --out DIR`` for ``--students``
   students (sheet, key and solutions as .tex, .md and PDF), as a user runs it: wall time (best
   and median of ``--repeat``), its CPU time, and how it splits (build, .tex, .md, SVGs, each
   PDF's pdflatex alone). The load average is shown: the machine is shared.

Every timed run has Python's garbage collector set as a ``symdrop`` command sets it
(``symdrop.cli.fewer_collections``): the rates are those of the command. ``--class-set`` runs 3 and 4 only. Beside 1 and 2, the floor: the same problems generated, then
every number a worked problem shows (each layer's values, every mistake's answer) computed with
int and Fraction and written with str() in two formats, without SymPy or templates. Rates are CPU
time of the process (of 2 processes: wall time).

``--only worked N`` (or ``floor``) warms up, makes N problems and stops: run it under
``valgrind --tool=callgrind`` with N and with 0, and the difference over N is the instructions a
problem takes, which repeat to about 1% however busy the machine is. Set ``SYMDROP_NO_CACHE=1`` in
both runs (else one run may compile its templates where the other loads them: a run of another
checkout prunes the template cache), and run another checkout by its own install (a
``PYTHONPATH`` run reads the installed checkout's templates).
"""

import argparse
from collections import Counter
import csv
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sympy  # noqa: E402
from sympy import ImmutableMatrix  # noqa: E402

from symdrop.cli import fewer_collections  # noqa: E402
from symdrop.core.forward import forward as forward_pass  # noqa: E402
from symdrop.exercises.forward import KIND, draw as draw_candidate  # noqa: E402
from symdrop.exercises.generate import generate, stream  # noqa: E402
from symdrop.exercises.options import Options  # noqa: E402
from symdrop.exercises.roster import Student  # noqa: E402
from symdrop.exercises.sheet import build_class_set, make_exercise  # noqa: E402
from symdrop.io.outputs import sheet_files  # noqa: E402
from symdrop.io.tex import compile_pdf  # noqa: E402
from symdrop.render.diagram import draw  # noqa: E402
from symdrop.render.documents import render_svg  # noqa: E402
from symdrop.render.documents import render_math  # noqa: E402
from symdrop.render.options import RenderOptions  # noqa: E402
from symdrop.render.sheets import render_documents  # noqa: E402
from symdrop.render.parts import render_parts as sheet_parts  # noqa: E402

OPTIONS = Options()  # the defaults: the tutorial's shape, integers in -3..3 (--values changes the kind)


def render_parts(exercise) -> int:
    """The question, key entry and worked solution of one exercise, LaTeX and Markdown, each with
    the picture of its network, as ``symdrop sheet`` renders them (picture and formulas once)."""
    options = RenderOptions(decimals=OPTIONS.decimals)
    picture = draw(exercise.derivation.network)
    math = render_math(exercise.derivation, options)
    return sum(len(text) for fmt in ("latex", "markdown")
               for text in sheet_parts(exercise, fmt, options, picture, math).values())


def worked(numbers) -> int:
    """Complete worked problems for ``numbers`` (each its own stream), as symdrop sheet makes them."""
    with fewer_collections():  # as a command runs (the pool's workers too)
        return _worked(numbers)


def _worked(numbers) -> int:
    size = 0
    for k in numbers:
        problem = generate(stream(2024, "bench", k), OPTIONS, KIND)
        size += render_parts(make_exercise(2024, k, problem, OPTIONS))
    return size


# --- The floor: the same problems, their numbers written plainly --------------------------------


def floor(numbers) -> int:
    """What no worked problem can cost less than: the same problems drawn and checked (symdrop's
    generate, whose candidates and rules are plain int and Fraction arithmetic), then every
    number a worked problem shows, each layer's masked input, products, z and a and every
    mistake's answer, computed with int and Fraction and written with str() twice (a LaTeX-like
    and a Markdown-like line): no derivation, no SymPy, no template."""
    size = 0
    for k in numbers:
        network = generate(stream(2024, "bench", k), OPTIONS, KIND)
        values = forward_pass(network)
        answers = [m.answer for m in KIND.mistakes(network)]
        numbers_ = [v for layer in values for part in (layer.masked, *layer.terms, layer.z, layer.a) for v in part]
        numbers_ += [v for answer in answers for v in answer]
        for fmt in ("$%s$", "`%s`"):
            size += len(" & ".join(fmt % v for v in numbers_))
    return size


# --- The baseline: every candidate checked in plain SymPy matrix arithmetic ---------------------


def sympy_pass(network, activations=None, masks=None):
    """Every layer's (masked input, z, a) with ImmutableMatrix arithmetic, as a plain SymPy
    program would compute them: ``a = g(W (mu * a) + b)``."""
    a, layers = network.x, []
    for l, (layer, mu) in enumerate(zip(network.layers, masks or network.masks)):
        masked = mu.multiply_elementwise(a)
        z = layer.W * masked + layer.b
        g = layer.activation if activations is None else activations[l]
        a = z.applyfunc(lambda v: sympy.Max(0, v)) if g == "relu" else z
        layers.append((masked, z, a))
    return layers


def sympy_accepts(problem) -> bool:
    """Rules 1-5, each candidate's values and every mistake's answer from :func:`sympy_pass`."""
    network = problem
    passes = sympy_pass(network)
    y = passes[-1][2]
    values = [v for layer in passes for m in layer for v in m]
    allowed = {"int": (1,), "half": (1, 2), "decimal": (1, 2, 4, 5, 10, 20, 25, 50, 100)}[OPTIONS.values]
    if any(abs(v) > 99 or v.q not in allowed for v in values):
        return False
    hidden = range(len(passes) - 1)
    if any(v == 0 for l in hidden for v in passes[l][1]):
        return False
    for l in hidden:
        mu, a = network.masks[l + 1], passes[l][2]
        if 0 not in mu or 1 not in mu or any(m == 0 and v <= 0 for m, v in zip(mu, a)):
            return False
    clips = [l for l in hidden if any(z < 0 and m == 1 for z, m in zip(passes[l][1], network.masks[l + 1]))]
    if not clips:
        return False
    ones = [ImmutableMatrix.ones(*m.shape) for m in network.masks]
    names = [layer.activation for layer in network.layers]
    wrong = [sympy_pass(network, masks=ones)[-1][2], ImmutableMatrix.zeros(*y.shape), network.layers[-1].b]
    variants = [[("identity" if i == l else g) for i, g in enumerate(names)] for l in clips]
    variants += [["identity"] * len(hidden) + names[-1:], names[:-1] + ["relu"]]
    wrong += [sympy_pass(network, activations=v)[-1][2] for v in variants]
    return all(w != y for w in wrong)


def baseline(numbers) -> int:
    size, failures = 0, Counter()
    for k in numbers:
        rng = stream(2024, "baseline", k)
        while True:
            problem = draw_candidate(rng, OPTIONS, failures)
            if problem is not None and sympy_accepts(problem):
                break
        size += render_parts(make_exercise(2024, k, problem, OPTIONS))
    return size


def _use(options: Options) -> None:
    global OPTIONS
    OPTIONS = options


def seconds(run, clock=time.process_time) -> float:
    """The time ``run`` takes: CPU time of this process (what other work on a shared machine
    disturbs least), or with ``clock=time.perf_counter`` wall time (the pool's processes). Each
    run with the garbage collector set as a ``symdrop`` command sets it (every measurement alike)."""
    with fewer_collections():
        start = clock()
        run()
        return clock() - start


def loop() -> int:
    """A fixed pure-Python loop, timed beside the rates: how steady the machine was meanwhile."""
    total = 0
    for i in range(1_000_000):
        total += i * i
    return total


def report(label: str, count: int, times: list[float]) -> None:
    """Best and median rate over the runs. On a shared machine the best run is the one least
    disturbed by other work (as timeit's documentation advises); the median shows the spread."""
    rates = sorted(count / t for t in times)
    print(f"{label:<62} best {rates[-1]:6.1f}/s, median {statistics.median(rates):6.1f}/s "
          f"({len(times)} runs of {count} problems)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--problems", type=int, default=400)
    parser.add_argument("--students", type=int, default=300)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--values", choices=("int", "half", "decimal"), default="int")
    parser.add_argument("--repeat", type=int, default=5, help="runs of each rate (best and median shown)")
    parser.add_argument("--no-pdf", action="store_true")
    parser.add_argument("--class-set", action="store_true", help="the class set and the end-to-end run only")
    parser.add_argument("--only", nargs=2, metavar=("WORK", "N"), help="warm up, then N problems of WORK "
                        "(worked or floor) and nothing else: for valgrind --tool=callgrind")
    args = parser.parse_args()
    if args.only:
        work, n = {"worked": worked, "floor": floor}[args.only[0]], int(args.only[1])
        worked(range(5))
        floor(range(5))
        with fewer_collections():
            work(range(1000, 1000 + n))
        return
    global OPTIONS
    OPTIONS = Options(values=args.values)
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, options: {OPTIONS.describe()}, "
          f"load average {os.getloadavg()[0]:.2f}")
    if not args.class_set:
        rates(args)
    class_set(args)
    if not args.no_pdf:
        end_to_end(args)
    print(f"load average at the end {os.getloadavg()[0]:.2f}")


def rates(args) -> None:
    worked(range(5))  # templates compiled, caches warm: what a long run sees

    n, m, w = args.problems, max(20, args.problems // 10), args.workers
    one, many, plain, steady, least = [], [], [], [], []
    with ProcessPoolExecutor(w, initializer=_use, initargs=(OPTIONS,)) as pool:
        list(pool.map(worked, [range(5)] * w))  # start the workers
        for r in range(args.repeat):  # the three interleaved, so that each run sees the same machine
            first = 1000 + r * n  # new problems every run: no run reuses another's caches
            one.append(seconds(lambda: worked(range(first, first + n))))
            chunks = [range(first + i, first + n, w * 4) for i in range(w * 4)]
            many.append(seconds(lambda: sum(pool.map(worked, chunks)), time.perf_counter))
            plain.append(seconds(lambda: baseline(range(r * m, (r + 1) * m))))
            least.append(seconds(lambda: floor(range(first + 100_000, first + 100_000 + n))))  # not the problems above
            steady.append(seconds(loop) * 1000)
    steady.sort()
    print(f"{'machine: a fixed 1e6-step Python loop, once per run':<62} best {steady[0]:6.1f} ms, "
          f"median {statistics.median(steady):6.1f} ms, worst {steady[-1]:6.1f} ms")
    report("worked problems, 1 process", n, one)
    report(f"worked problems, {w} processes", n, many)
    report("baseline: candidates checked in plain SymPy matrices, 1 process", m, plain)
    report("floor: the same problems, their numbers written plainly, 1 process", n, least)


def class_set(args) -> None:
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


def end_to_end(args) -> None:
    """``symdrop sheet --roster --pdf`` as a user runs it, in a process of its own, then its parts."""
    root = Path(__file__).resolve().parent.parent
    with tempfile.TemporaryDirectory() as tmp:
        roster = Path(tmp, "roster.csv")
        with roster.open("w", newline="", encoding="utf-8") as f:
            writer = csv.writer(f)
            writer.writerow(["id", "name"])
            writer.writerows([f"s{i:03d}", f"Student {i}"] for i in range(args.students))
        command = [sys.executable, "-m", "symdrop", "sheet", "--seed", "1", "--roster", str(roster), "--pdf"]
        walls, cpus = [], []
        for r in range(args.repeat):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            subprocess.run(command + ["--out", str(Path(tmp, f"out{r}"))], cwd=root, check=True,
                           stdout=subprocess.DEVNULL)
            walls.append(time.perf_counter() - start)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpus.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
        walls.sort()
        same = all(Path(tmp, f"out{r}", name).read_bytes() == Path(tmp, "out0", name).read_bytes()
                   for r in range(args.repeat) for name in ("sheet.pdf", "key.pdf", "solutions.pdf"))
        print(f"symdrop sheet --roster ({args.students} students) --pdf, end to end: best {walls[0]:.2f} s, "
              f"median {statistics.median(walls):.2f} s wall ({args.repeat} runs), CPU {min(cpus):.2f} s "
              f"(symdrop and pdflatex); PDFs byte-identical across runs: {same}")
        out = Path(tmp, "out0")
        for name in ("sheet", "key", "solutions"):
            tex = out / f"{name}.tex"
            count = tex.read_text(encoding="utf-8").count(r"\begin{tikzpicture}")
            start = time.perf_counter()
            compile_pdf(tex.read_text(encoding="utf-8"))
            print(f"  pdflatex {name}.tex alone: {time.perf_counter() - start:.2f} s "
                  f"({count} TikZ pictures in the source)")
    students = [Student(f"s{i:03d}", f"Student {i}") for i in range(args.students)]
    start = time.perf_counter()
    sheet = build_class_set(1, Options(), students)
    built = time.perf_counter()
    render_documents(sheet, ("latex",))
    latex = time.perf_counter()
    render_documents(sheet, ("markdown",))
    markdown = time.perf_counter()
    for e in sheet.exercises:
        render_svg(e.derivation)
    svg = time.perf_counter()
    print(f"  in symdrop: build {built - start:.2f} s, .tex {latex - built:.2f} s, .md {markdown - latex:.2f} s, "
          f"SVGs {svg - markdown:.2f} s (in this process, caches warm)")


if __name__ == "__main__":
    main()
