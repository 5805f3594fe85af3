"""Fuzzing ``symdrop check`` and ``symdrop grade`` with hostile answers, values files, answer files
and keys, counted by outcome.

Usage: python3 benchmarks/fuzz_grading.py [N] [--timeout S]   (default 3000 cases, 10 s each)

A class set is made once (``sheet --seed 3``, 4 students, 2 problems each of the kinds forward,
inverted, test-time, ensemble, backprop and variance) and case i (seed i) is one of, in turn:

- ``check``: the tutorial or a key entry with a hostile ``--answer`` (and ``--tolerance``,
  ``--values FILE`` of hostile YAML or JSON);
- ``answers``: ``grade`` with a hostile answers file (cells, rows, headers, separators,
  encodings, NUL bytes, a row of more cells);
- ``key``: ``grade`` with the class's key.json broken: a value replaced, dropped, added, nested
  or repeated (tests/fuzzing.py's mutations, in an entry's spec too), a key twice, NaN, cut
  short, 3,001 problems; then its digests left as they are (an edit), written again (a forged
  key: its specs are graded), or taken out (a key from before digests).

Each is run in process by a worker (the CLI's ``main``); the outcome is: done (exit 0 or 1; on
standard error only the rows not graded and warnings), refused (exit 2 with one line
``symdrop: error: ...`` and no output folder), crash (a traceback, another status, more lines,
or files left by a refusal), or timeout (the worker is killed and replaced). Prints the counts
per kind of case, the slowest cases, then the first few crashes and timeouts.
"""

import argparse
import contextlib
import io
import json
import multiprocessing
import random
import shutil
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from symdrop.cli import main as symdrop  # noqa: E402
from symdrop.grading.keys import digest  # noqa: E402
from tests.fuzzing import _mutate  # noqa: E402

TUTORIAL = Path(__file__).resolve().parent.parent / "symdrop" / "data" / "tutorial.yaml"
ANSWERS = [
    "", " ", "x", "7", "-3/4", "0,5", "1/0", "1/" + "9" * 39, "9" * 41, "9" * 5000, "1e5", "-inf", "--53", "nan",
    "1; 2; 3", "(((", "[1 2", "(1, , 2)", ";;", "=cmd|' /C calc'!A0", "\x00", "\x1b[31m1", "١", "１２", "\u22121",
    "+-1", "0x10", "\t7", "7\n8", "1 " * 400, "(" + "1; " * 70 + ")", "0 2; 0 24; 0 0", "3/4; -0,25", "\u2028",
    "\ud800", "1/3" * 30, "-0", "00000000000000000000000000000007", ".5", "5.", "1.2.3",
]
PARTS = ["y", "z1", "a1", "z2", "a2", "z3", "a3", "z4", "a4", "z9", "a99", "w1", "Y", ""]
OUTCOMES = ("done", "refused", "crash", "timeout")
KINDS = ("check", "answers", "key")


def run(args: list[str], out: Path | None = None) -> tuple[str, str]:
    """``symdrop ARGS`` in this process: (outcome, what went wrong)."""
    stdout, stderr = io.StringIO(), io.StringIO()
    try:
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            status = symdrop(args)
    except BaseException as error:  # noqa: BLE001 (what the fuzzing looks for)
        return "crash", f"{type(error).__name__}: {str(error)[:200]}"
    err = stderr.getvalue()
    if status == 2:
        if not (err.startswith("symdrop: error: ") and err.count("\n") == 1):
            return "crash", f"status 2: {err[:300]!r}"
        if out is not None and out.exists():
            return "crash", f"refused but wrote {out}: {err[:200]!r}"
        return "refused", ""
    lines = [line for line in err.splitlines() if not line.startswith(("symdrop grade: not graded", "symdrop: warning"))]
    if status in (0, 1) and not lines:
        return "done", ""
    return "crash", f"status {status}: {err[:300]!r}"


def plausible(rng: random.Random, entry: dict | None) -> str:
    """An answer a student could give: the right one, a mistake's, or small numbers of the right count."""
    if entry is None:
        return str(rng.choice([7, 27, 1, -1, 13, 19, 31, 0, rng.randint(-40, 40)]))
    choices = [entry["answer"]] + [m["answer"] for m in entry["mistakes"]]
    choices.append([f"{rng.randint(-30, 30)}/{rng.choice([1, 2, 3, 4, 5, 8])}" for _ in entry["answer"]])
    return "; ".join(rng.choice(choices))


def values_file(rng: random.Random, folder: Path) -> Path:
    """A values file: layer values of plausible sizes and numbers, some hostile."""
    values = {}
    for _ in range(rng.randint(1, 6)):
        size = rng.choice([1, 2, 3, 3, 4])
        values[rng.choice(PARTS)] = rng.choice([
            [rng.randint(-9, 9) for _ in range(size)], "; ".join(str(rng.randint(-9, 9)) for _ in range(size)),
            rng.choice(ANSWERS), [rng.choice(ANSWERS)] * rng.randint(0, 4), [1, 2, 3], {"a": 1}, None, True, [[1]]])
    suffix = rng.choice([".yaml", ".json"])
    path = folder / f"values{suffix}"
    text = json.dumps(values) if suffix == ".json" or rng.random() < 0.5 else "\n".join(
        f"{k}: {v}" for k, v in values.items())
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    return path


def check_case(rng: random.Random, folder: Path, key: dict) -> list[str]:
    entry = None if rng.random() < 0.4 else rng.choice(key["problems"])
    if rng.random() < 0.5:
        answer = plausible(rng, entry)
    else:
        answer = rng.choice(ANSWERS) if rng.random() < 0.8 else "; ".join(rng.choice(ANSWERS) for _ in range(3))
    if entry is None:
        args = ["check", str(TUTORIAL)]
    else:
        code = entry["code"] if rng.random() < 0.85 else rng.choice([entry["code"].lower(), "ZZZZZZ", "", "../x"])
        args = ["check", "--key", str(folder / "key.json"), "--code", code]
    args.append(f"--answer={answer}")
    if rng.random() < 0.3:
        args.append(f"--tolerance={rng.choice(ANSWERS)}")
    if rng.random() < 0.4:
        args += ["--values", str(values_file(rng, folder))]
    if rng.random() < 0.3:
        args.append("--hide-answer")
    args += rng.choice([[], ["--format", "json"], ["--format", "markdown"]])
    return args


def answers_case(rng: random.Random, folder: Path, key: dict) -> list[str]:
    long = rng.random() < 0.25
    header = ["student", "code", "part", "answer"] if long else ["student", "code"] + rng.sample(PARTS[:9], rng.randint(1, 5))
    if rng.random() < 0.1:
        header = rng.choice([header[1:], header + [rng.choice(PARTS + ["name", "colour"])], header[::-1], []])
    rows = []
    for _ in range(rng.randint(0, 40)):
        entry = rng.choice(key["problems"])
        student = rng.choice([entry["student"]] * 6 + ["nobody", "", "=1+1", "s\u2028"])
        code = rng.choice([entry["code"]] * 4 + [entry["code"].lower(), "", "ZZZZZZ"])
        cell = lambda: plausible(rng, entry) if rng.random() < 0.6 else rng.choice(ANSWERS[:20] + ANSWERS[22:35])  # noqa: E731
        cells = [student, code] + [cell() if not long or i else rng.choice(PARTS) for i in range(len(header) - 2)]
        if rng.random() < 0.05:
            cells.append("extra")
        rows.append(cells)
    separator = rng.choice([",", ",", ";", "\t"])
    text = "\n".join(separator.join(_cell(c, separator) for c in row) for row in [header] + rows) + "\n"
    encoding = rng.choice(["utf-8"] * 6 + ["utf-8-sig", "utf-16", "utf-16-le", "latin-1"])
    data = text.encode(encoding, errors="replace" if encoding == "latin-1" else "surrogatepass")
    if rng.random() < 0.05:
        data = data[: rng.randrange(len(data) + 1)]
    (folder / "answers.csv").write_bytes(data)
    return _grade(folder, rng)


def _cell(text: str, separator: str) -> str:
    return '"' + text.replace('"', '""') + '"' if any(c in text for c in (separator, '"', "\n", "\r")) else text


def key_case(rng: random.Random, folder: Path, key: dict) -> list[str]:
    key = json.loads(json.dumps(key))
    action = rng.random()
    if action < 0.7:
        for _ in range(rng.choice((1, 1, 2))):
            target = rng.choice(key["problems"])
            _mutate(rng, target["spec"] if rng.random() < 0.6 else target)
        how = rng.choice(["edited", "forged", "forged", "old"])
        for e in key["problems"]:
            if not isinstance(e, dict):
                continue
            if how == "forged":
                e["digest"] = digest(e)
            elif how == "old":
                e.pop("digest", None)
        text = json.dumps(key)
    elif action < 0.85:
        text = json.dumps(key)
        text = rng.choice([
            lambda t: t.replace('"kind":', '"kind": "forward", "kind":', 1),
            lambda t: t[: rng.randrange(len(t))],
            lambda t: t.replace('"number": 1', '"number": NaN', 1),
            lambda t: t.replace('"number": 1', '"number": 1e999', 1),
            lambda t: "[" * 5000 + "]" * 5000,
            lambda t: t.replace('"problems": [', '"problems": [' + '{"x": ' * 300 + "1" + "}" * 300 + ", ", 1),
            lambda t: '{"problems": []}',
            lambda t: "\ufeff" + t,
            lambda t: t.encode("utf-16").decode("latin-1"),
        ])(text)
    else:
        entries = key["problems"]
        key["problems"] = (entries * (3001 // len(entries) + 1))[: rng.choice([3001, 200])]
        for i, e in enumerate(key["problems"]):
            key["problems"][i] = {**e, "code": f"C{i}"}
            key["problems"][i]["digest"] = digest(key["problems"][i])
        text = json.dumps(key)
    (folder / "key.json").write_text(text, encoding="utf-8", errors="surrogatepass")
    rows = [[e["student"], e["code"], "; ".join(e["answer"])] for e in json.loads(json.dumps(key))["problems"]
            if isinstance(e, dict) and isinstance(e.get("answer"), list)] if action >= 0.85 else []
    (folder / "answers.csv").write_text("student,code,y\n" + "".join(
        f"{r[0]},{r[1]},\"{r[2]}\"\n" for r in rows[:300]) + "s1,,7\n", encoding="utf-8")
    return _grade(folder, rng)


def _grade(folder: Path, rng: random.Random) -> list[str]:
    args = ["grade", "--key", str(folder / "key.json"), "--answers", str(folder / "answers.csv"),
            "--out", str(folder / "out")]
    if rng.random() < 0.15:
        (folder / "rubric.yaml").write_text(rng.choice([
            "carry_forward_mistakes: true\n", "carry_forward_mistakes: 1\n", "mistake: 2\n", "points: {y: -1}\n",
            "points: {y: 1/0}\n", "penalty: 1/2\nmistake: 1/2\n", "[1, 2]\n", "points: [1]\n", "x: 1\n"]), encoding="utf-8")
        args += ["--rubric", str(folder / "rubric.yaml")]
    return args


def _worker(tasks, results, folder: str, key_text: str) -> None:
    key = json.loads(key_text)
    for seed in iter(tasks.get, None):
        rng = random.Random(seed)
        kind = KINDS[seed % len(KINDS)]
        case = Path(folder) / f"case-{seed}"
        case.mkdir()
        (case / "key.json").write_text(key_text, encoding="utf-8")
        args = {"check": check_case, "answers": answers_case, "key": key_case}[kind](rng, case, key)
        outcome, err = run(args, case / "out" if kind != "check" else None)
        shutil.rmtree(case, ignore_errors=True)
        results.put((seed, kind, outcome, err))


def class_key(folder: Path) -> str:
    roster = folder / "roster.csv"
    roster.write_text("id,name\ns1,Ana\ns2,Bo\ns3,Cy\ns4,Di\n", encoding="utf-8")
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        assert symdrop(["sheet", "--seed", "3", "--roster", str(roster), "--problems", "2", "--kinds",
                        "forward,inverted,test-time,ensemble,backprop,variance", "--format", "markdown",
                        "--no-diagram", "--out", str(folder / "sheet")]) == 0
    return (folder / "sheet" / "key.json").read_text(encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("cases", nargs="?", type=int, default=3000)
    parser.add_argument("--timeout", type=float, default=10.0)
    args = parser.parse_args()
    context = multiprocessing.get_context("fork")
    counts, examples, slowest = Counter(), {"crash": [], "timeout": []}, []
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="symdrop-fuzz-grading-") as folder:
        key_text = class_key(Path(folder))
        seed = 0
        while seed < args.cases:
            tasks, results = context.Queue(), context.Queue()
            worker = context.Process(target=_worker, args=(tasks, results, folder, key_text), daemon=True)
            worker.start()
            while seed < args.cases:  # one case at a time, so a timeout names its seed
                tasks.put(seed)
                began = time.perf_counter()
                kind = KINDS[seed % len(KINDS)]
                try:
                    _, kind, outcome, err = results.get(timeout=args.timeout)
                except Exception:  # queue.Empty: the case is still running
                    outcome, err = "timeout", f"more than {args.timeout:g} s"
                slowest = sorted(slowest + [(time.perf_counter() - began, seed, kind)], reverse=True)[:3]
                counts[kind, outcome] += 1
                if outcome in examples and len(examples[outcome]) < 10:
                    examples[outcome].append((seed, kind, err))
                seed += 1
                if outcome == "timeout" or not worker.is_alive():
                    worker.kill()
                    worker.join()
                    shutil.rmtree(Path(folder) / f"case-{seed - 1}", ignore_errors=True)
                    break
                if seed % 500 == 0:
                    print(f"  {seed} cases, {time.perf_counter() - start:.0f} s", file=sys.stderr)
            else:
                tasks.put(None)
                worker.join(5)
    print(f"{args.cases} hostile cases of check and grade, {time.perf_counter() - start:.0f} s:")
    print(f"  {'case':<10}" + "".join(f"{o:>10}" for o in OUTCOMES))
    for kind in KINDS:
        print(f"  {kind:<10}" + "".join(f"{counts[kind, o]:>10}" for o in OUTCOMES))
    print("  slowest: " + ", ".join(f"{s:.1f} s ({kind}, seed {seed})" for s, seed, kind in slowest))
    for outcome in ("crash", "timeout"):
        for seed, kind, err in examples[outcome]:
            print(f"  {outcome} seed {seed} ({kind}): {err}")
    return 0 if not any(counts[k, o] for k in KINDS for o in ("crash", "timeout")) else 1


if __name__ == "__main__":
    sys.exit(main())
