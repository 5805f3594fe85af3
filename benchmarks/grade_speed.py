"""How long ``symdrop grade`` takes for a class of 300 students, three problems each.

Usage: python3 benchmarks/grade_speed.py [--runs N] [--students N]

The class set is ``sheet --seed 21 --kinds forward,inverted,test-time --problems 3`` for a roster
of 300; its answers (written once, the same every run) are a mix as a class hands them in: right
answers, each mistake's answer (from tests/reference.py), noise, unreadable cells, blanks, and
for a third of the rows the working z1, a1, ... (right, with a slip carried forward, or with a
forgotten ReLU carried forward). Each run is ``symdrop grade``, writing grades.csv,
grades.json, the report and a feedback page per student (no PDF); best and median of the runs,
beside a fixed Python loop timed in every run (how steady the machine was).

The first line times ``symdrop grade`` as a user runs it: each run a new Python process, which
imports what grade uses (SymPy, Jinja2 and symdrop's modules: some 0.3 s of CPU, left out) and
then grades; the CPU time of the grading alone is the figure the goal is for, with the kernel's
share beside it. Making 305 files is most of that share, and on a disk it varies: ext4 passes over
the inodes freed in the last minutes as it looks for a free one, so after many files were
removed (a run of the tests, or the output folder emptied just before) the same grading took up
to 0.2 s more than on a quiet disk (2026-12-05, this machine's ext4). The runs are therefore made twice, interleaved: into a folder on the disk, and into one in
memory (/dev/shm, where there is one), which shows the cost of symdrop's own work. (Emptying
symdrop's memos in this process, as this script did before, leaves every other cache as making
the class set left it, which no user's run finds.) The second line times runs one after another
in this process: a run after the first finds the memos holding the problems of the run before
(equal networks: their passes and mistakes looked up, not computed), which no user's run does
(``--runs`` of each). Interleaved with the new processes, the reference issue 29 names: read
key.json and the answers and compare each final answer with the key's, and a wrong one with each
listed mistake's, as plain fractions (:func:`reference`); grade's goal of 0.5 s was 14 times that
reference (0.035 s) where the goal was set.
"""

import argparse
import contextlib
import csv
import io
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

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from symdrop.cli import main as symdrop  # noqa: E402
from tests.reference import Spec, answer, expected_mistakes, forward_mistakes  # noqa: E402


def quiet(args) -> int:
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        return symdrop(args)


def class_set(folder: Path, students: int) -> Path:
    roster = folder / "roster.csv"
    roster.write_text("id,name\n" + "".join(f"s{i:03d},Student {i}\n" for i in range(students)), encoding="utf-8")
    assert quiet(["sheet", "--seed", "21", "--roster", str(roster), "--kinds", "forward,inverted,test-time",
                  "--problems", "3", "--format", "markdown", "--no-diagram", "--out", str(folder / "sheet")]) == 0
    return folder / "sheet" / "key.json"


def text(values) -> str:
    return "; ".join(str(v) for v in values)


def working(p: Spec, mode: str, how: str) -> dict:
    """z1, a1, ... as a student writes them: right, a slip in z1 carried forward, or the ReLU of
    layer 1 forgotten and carried forward (the reference's pass with the student's values)."""
    layers = p.layers
    if how == "forgot_relu":
        layers = [(W, b, "identity" if l == 0 else g) for l, (W, b, g) in enumerate(p.layers)]
    values = p.run(layers=layers, mode=mode)
    if how == "slip":  # z1's first entry off by one, everything after computed from it
        z1 = [values[0][1][0] + 1] + list(values[0][1][1:])
        values = _from_layer_1(p, layers, mode, z1)
    return {f"{n}{l}": text(v) for l, (_, z, a) in enumerate(values, start=1) for n, v in (("z", z), ("a", a))}


def _from_layer_1(p: Spec, layers, mode: str, z1) -> list:
    """The pass with z1 replaced: a1 = g(z1), then every later layer from it (the reference's layers)."""
    from tests.reference import forward, g

    a1 = [g(layers[0][2], v) for v in z1]
    first = p.run(layers=layers, mode=mode)[0]
    rest = forward(a1, layers[1:], p.masks[1:], p.convention, p.keep[1:] if p.keep else None, mode)
    return [(first[0], z1, a1)] + rest


def answers(key_path: Path, folder: Path) -> Path:
    key = json.loads(key_path.read_text())
    rng = random.Random(5)
    depth = max(len(e["spec"]["layers"]) for e in key["problems"])
    columns = ["student", "code", "y"] + [f"{n}{l}" for l in range(1, depth) for n in ("z", "a")]
    rows = []
    for entry in key["problems"]:
        p = Spec(entry["spec"])
        kind, mode = entry["kind"], "test" if entry["kind"] == "test-time" else "train"
        right = answer(kind, p)
        how = rng.choice(["correct", "mistake", "noise", "garbage", "blank"])
        mistakes = forward_mistakes(p) if kind == "forward" else expected_mistakes(kind, p)
        listed = [m["id"] for m in entry["mistakes"] if m["id"] in mistakes]
        y = {"correct": lambda: text(right), "mistake": lambda: text(mistakes[rng.choice(listed)]),
             "noise": lambda: text([v + Fraction(rng.randint(1, 9), 7) for v in right]),
             "garbage": lambda: "=cmd|' /C calc'!A0", "blank": lambda: ""}[how]()
        row = {"student": entry["student"], "code": entry["code"], "y": y}
        if rng.random() < 1 / 3:
            shown = rng.choice(["right", "slip", "forgot_relu"])
            values = working(p, mode, shown)
            row.update({k: v for k, v in values.items() if k in columns})
            if shown != "right":
                row["y"] = text(_last(values))
        rows.append([row.get(c, "") for c in columns])
    path = folder / "answers.csv"
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(columns)
        writer.writerows(rows)
    return path


def _last(values: dict) -> list:
    depth = max(int(k[1:]) for k in values)
    return [Fraction(v) for v in values[f"a{depth}"].split("; ")]


def reference(key_path: Path, table: Path) -> int:
    """The issue's reference for grade: read key.json and the answers, and compare each answer
    with its entry's right answer and, where wrong, each listed mistake's, as plain fractions (no
    working checked, no feedback written): how many answers are right."""
    entries = {e["code"]: e for e in json.loads(key_path.read_text(encoding="utf-8"))["problems"]}
    right = 0
    with table.open(encoding="utf-8", newline="") as stream:
        for row in csv.DictReader(stream):
            entry = entries.get(row["code"])
            try:
                given = [Fraction(v) for v in row["y"].split(";")]
            except ValueError:
                continue  # unreadable or blank: no answer
            if entry is None or given != [Fraction(v) for v in entry["answer"]]:
                next((m["id"] for m in (entry or {}).get("mistakes", ())
                      if given == [Fraction(v) for v in m["answer"]]), None)
            else:
                right += 1
    return right


def loop() -> int:
    """A fixed pure-Python loop, timed beside the runs: how steady the machine was meanwhile."""
    total = 0
    for i in range(1_000_000):
        total += i * i
    return total


# A new process: imports symdrop and the modules grade uses, then grades and prints the CPU
# seconds of the grading, in user space and in the kernel (os.times: the kernel's share is
# sampled at the clock's ticks, so one run's split is rough; their sum is not).
NEW_PROCESS = """
import contextlib, io, os, sys
from symdrop.cli import main
import symdrop.commands.classes, symdrop.grading.grade, symdrop.grading.keys, symdrop.io.outputs, symdrop.render.grades
start = os.times()
said = io.StringIO()
with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(said):
    code = main(["grade", "--key", sys.argv[1], "--answers", sys.argv[2], "--out", sys.argv[3]])
end = os.times()
print(f"{end.user - start.user} {end.system - start.system}" if code == 0 else "failed " + said.getvalue())
"""


def new_process(key: Path, table: Path, out: Path) -> tuple[float, float]:
    """CPU seconds (user, kernel) of ``symdrop grade`` in a new Python process, its imports left out."""
    root = str(Path(__file__).resolve().parent.parent)
    result = subprocess.run([sys.executable, "-c", NEW_PROCESS, str(key), str(table), str(out)], cwd=root,
                            capture_output=True, text=True)
    if result.returncode or result.stdout.startswith("failed"):
        sys.exit(f"grade failed in a new process:\n{result.stderr or result.stdout}")
    user, kernel = map(float, result.stdout.split())
    return user, kernel


def ram_disk() -> Path | None:
    """A folder in memory (Linux's /dev/shm, a tmpfs) to write the grades into, or None."""
    shm = Path("/dev/shm")
    return shm if shm.is_dir() and os.access(shm, os.W_OK) else None


def seconds(run) -> tuple[float, float]:
    """Wall-clock and CPU seconds of ``run()`` (CPU time is less disturbed by other work)."""
    start, cpu = time.perf_counter(), time.process_time()
    run()
    return time.perf_counter() - start, time.process_time() - cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--students", type=int, default=300)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="symdrop-grade-") as name:
        folder = Path(name)
        key = class_set(folder, args.students)
        table = answers(key, folder)
        times, cpus, steady = [], [], []
        for run in range(args.runs):
            out = folder / f"grades{run}"
            wall, cpu = seconds(lambda: quiet(["grade", "--key", str(key), "--answers", str(table),
                                               "--out", str(out)]))
            times.append(wall)
            cpus.append(cpu)
            steady.append(seconds(loop)[0] * 1000)
        ram = ram_disk()
        disk, memory, plain = [], [], []
        with tempfile.TemporaryDirectory(prefix="symdrop-grade-", dir=ram) as shm:
            for run in range(args.runs):  # interleaved: the three see the same machine
                disk.append(new_process(key, table, folder / f"new{run}"))
                if ram is not None:
                    memory.append(new_process(key, table, Path(shm) / f"new{run}"))
                plain.append(seconds(lambda: reference(key, table))[1])
        data = json.loads((folder / "grades0" / "grades.json").read_text())
        counted = reference(key, table)
    cpu = cpu_disk = [user + kernel for user, kernel in disk]
    print(f"grade, {args.students} students x 3 problems (forward, inverted, test-time), {len(data['ungraded'])} "
          f"rows listed, as a user runs it (a new process each run, its imports left out): CPU best "
          f"{min(cpu):.2f} s, median {statistics.median(cpu):.2f} s ({args.runs} runs; the kernel's share, "
          f"most of it making the {args.students + 5} files, median {statistics.median(k for _, k in disk):.2f} s)")
    if memory:
        cpu = [user + kernel for user, kernel in memory]
        print(f"the same, its files in memory ({ram}, a tmpfs: no disk's inodes to find): CPU best {min(cpu):.2f} s, "
              f"median {statistics.median(cpu):.2f} s (the kernel's share, median "
              f"{statistics.median(k for _, k in memory):.2f} s)")
    print(f"run again in one process (the memos hold the same class's passes and mistakes): best {min(times):.2f} s, "
          f"median {statistics.median(times):.2f} s; CPU best {min(cpus):.2f} s, median {statistics.median(cpus):.2f} s")
    print(f"reference, in the same runs: read key.json and the answers, compare each answer's fractions with the "
          f"key's and its mistakes' ({counted} right): CPU best {min(plain) * 1000:.1f} ms, "
          f"median {statistics.median(plain) * 1000:.1f} ms; grade (a new process, on the disk) is "
          f"{min(cpu_disk) / min(plain):.0f} times its best")
    print(f"machine: a fixed 1e6-step Python loop, once per run: best {min(steady):.1f} ms, "
          f"median {statistics.median(steady):.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
