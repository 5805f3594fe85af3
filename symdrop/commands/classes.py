"""The commands of a class: sheet (and its --stats), check one answer, grade a class."""

import json
import random
import sys
from dataclasses import replace
from pathlib import Path

from .. import load_spec
from ..errors import SymdropError, quote
from ..limits import MAX_PROBLEMS, MAX_SHEET_PROBLEMS, MAX_STATS
from ..render import formats
from .common import (batch_of, print_written, read_values_text, render_options, single, step, tagged_pdf, untraced,
                     working)


def sheet(args) -> int:
    """An exercise sheet, or a class set with ``--roster``: documents, key, exports (and PDFs)."""
    from ..exercises.kinds import check_options, parse_kinds
    from ..exercises.options import Options, parse_keep, parse_range, parse_shape
    from ..exercises.roster import read_roster
    from ..exercises.sheet import build_class_set, build_sheet
    from ..io.outputs import sheet_files
    from ..io.progress import Progress

    chosen = _sheet_formats(args)
    tagged_pdf(args)
    kinds = parse_kinds(args.kinds)
    shown = render_options(args)
    options = Options(parse_shape(args.shape), args.values, *parse_range(args.range), keep=parse_keep(args.keep),
                      answers=args.answers, activation=args.activation)
    if options.smooth:  # sigmoid or tanh: answers to --digits places, and so every value its solution shows
        options = replace(options, digits=shown.digits)
        shown = replace(shown, digits=options.places)
    check_options(kinds, options)
    if args.stats is not None:
        return _stats(args, options, kinds, shown)
    students = read_roster(args.roster) if args.roster is not None else ()
    seed = random.SystemRandom().randrange(1_000_000) if args.seed is None else args.seed
    problems = args.problems or (1 if students else 5)
    _per_kind(chosen, args, kinds, problems)
    count = problems * (len(students) or 1)
    if count > MAX_PROBLEMS:
        raise SymdropError(f"--roster {args.roster}: {len(students)} students x {problems} problems = {count} problems; "
                           f"the limit is {MAX_PROBLEMS} problems per run (split the class into several runs)")
    documents = [f for f in chosen if not formats.get(f).export]  # each problem a step in each (the exports none)
    with Progress(count * (1 + len(documents)), "symdrop sheet") as progress:
        if students:
            built = build_class_set(seed, options, students, problems, kinds=kinds, progress=progress)
        else:
            built = build_sheet(seed, options, problems, kinds=kinds, progress=progress)
        files = sheet_files(built, args.out, chosen, shown, pdf=args.pdf, split=args.split,
                            parts=args.parts, rubric=_rubric(args), progress=progress, tagged=args.tagged)
    print_written(files)
    if any(formats.get(f).engine for f in chosen) or args.pdf:
        from ..render.sheets import placeholder_warnings
        for line in placeholder_warnings(built):
            print(line, file=sys.stderr)
    if args.seed is None:
        print(f"symdrop: seed {seed} (pass --seed {seed} to make the same files again)", file=sys.stderr)
    return 0


def _rubric(args):
    """``--rubric FILE`` read (grade's rubric), or None: the exports' own default."""
    if args.rubric is None:
        return None
    from ..grading.grade import read_rubric
    return read_rubric(args.rubric)


def _sheet_formats(args) -> tuple[str, ...]:
    """The formats ``sheet --format`` names, each checked, with the flags that go with them."""
    chosen = tuple(f.strip() for f in args.format.split(",") if f.strip())
    allowed = formats.sheet_choices()
    if not chosen or any(f not in allowed for f in chosen):
        raise SymdropError(f"--format: expected some of {', '.join(allowed)}, comma-separated, got {quote(args.format)}")
    if args.parts and not any(f in formats.cloze() for f in chosen):
        cloze, others = ([formats.get(f).title or f for f in names]
                         for names in (formats.cloze(), [f for f in formats.exports() if f not in formats.cloze()]))
        raise SymdropError(f"--parts: expected --format {' or '.join(formats.cloze())} (cloze questions are "
                           f"{_listed(cloze)}'s; {_listed(others)} ask for the answer)")
    if args.split and not any(f in formats.sheet_formats() for f in chosen):
        raise SymdropError(f"--split: expected a document format in --format ({' or '.join(formats.sheet_formats())}): "
                           "LMS files hold every student already")
    if not args.reveal and "html" not in chosen:
        raise SymdropError("--no-reveal: expected --format html (it leaves the answers off the self-check pages)")
    if args.split and args.roster is None:
        raise SymdropError("--split: expected --roster FILE.csv (it splits a class set by student)")
    if args.problems is not None and not 1 <= args.problems <= MAX_SHEET_PROBLEMS:
        raise SymdropError(f"--problems: expected 1 to {MAX_SHEET_PROBLEMS}, got {args.problems}")
    if args.seed is not None and args.seed < 0:
        raise SymdropError(f"--seed: expected a non-negative integer, got {args.seed}")
    return chosen


def _per_kind(chosen, args, kinds, problems: int) -> None:
    """An export of a question per kind, whose variants its LMS draws (PrairieLearn), takes each
    kind from the sheet's problems: refused without a problem of every kind, or with a roster."""
    folders = [formats.get(f).title for f in chosen if formats.get(f).folder]
    if folders and args.roster is not None:
        raise SymdropError(f"--roster: {folders[0]} draws each student's variants itself; leave out --roster "
                           f"for --format {chosen[[formats.get(f).folder for f in chosen].index(True)]}")
    if folders and problems < len(set(kinds)):
        raise SymdropError(f"--problems: expected at least {len(set(kinds))} (a problem of each kind of --kinds, whose "
                           f"{folders[0]} question it gives), got {problems}")


def _listed(names: list[str]) -> str:
    """``A``, ``A and B``, ``A, B and C``."""
    return " and ".join(filter(None, (", ".join(names[:-1]), names[-1]))) if names else ""


def _stats(args, options, kinds, shown) -> int:
    from ..exercises.stats import APART, SIZES, stats
    from ..render.env import render_document
    from ..render.sheets import describe

    if not 1 <= args.stats <= MAX_STATS:
        raise SymdropError(f"--stats: expected 1 to {MAX_STATS} problems, got {args.stats}")
    seed = 0 if args.seed is None else args.seed
    found = stats(seed, options, kinds, args.stats)
    described = describe(options, kinds)
    sys.stdout.write(render_document("stats", "markdown", shown, kinds=found, seed=seed,
                                     described=described, problems=args.stats, sizes=SIZES, apart=APART))
    return 0


def _batch_kinds() -> str:
    """What check does with a batch: name its kind, one whose problems are batches (penalty, its
    minimiser: check cannot guess which)."""
    from ..exercises.kinds import KINDS, OPTIONS

    names = [name for name, kind in {**KINDS, **OPTIONS}.items() if kind.batches]
    return f"a problem of the kind {' or '.join(names)} is a batch: name its kind, e.g. --kind {names[0]}"


def check(args) -> int:
    """One student's answer: right or not, which mistake, where off track (exit 1 when wrong)."""
    from ..exercises.kinds import get, of_spec
    from ..grading.answers import parse_number
    from ..grading.check import check as check_answer
    from ..model.spec import parse_spec, shown_places
    from ..render.checks import check_json, check_text

    if (args.spec is None) == (args.key is None):
        raise SymdropError("check: expected a SPEC file, or --key key.json with --code CODE")
    if args.key is not None:
        if not args.code:
            raise SymdropError("--key: expected --code CODE (the variant code on the student's sheet)")
        entry, legacy = _key_entry(args.key, args.code.strip().upper())
        kind, model, what = get(entry["kind"]), parse_spec(entry["spec"]), f"--key {args.key}"
    else:
        model, what, legacy = load_spec(args.spec), "check", None
        kind = get(args.kind) if args.kind else of_spec(single(model, what, _batch_kinds()))
    network = batch_of(model, what, kind.name) if kind.batches else single(model, what)
    tolerance = None if args.tolerance is None else abs(parse_number(args.tolerance, "--tolerance"))
    if args.digits is not None:  # the tolerance of a student who carries K places, as solve --digits K states it
        network = _with_digits(kind, network, shown_places(args.digits, "--digits"), args.tolerance)
    values = None if args.values is None else _values(args.values, network)
    with working("check", 1) as bar:  # the answer read as grade reads it, with the count the problem's answer has
        result = step(bar, "symdrop check: the key and every mistake's answer", check_answer)(
            kind, network, args.answer, values, tolerance, what="--answer")
    if args.format == "json":
        sys.stdout.write(json.dumps(check_json(result, hide=args.hide_answer), indent=2) + "\n")
    else:
        sys.stdout.write(check_text(result, markdown=args.format == "markdown", typed=args.answer,
                                    hide=args.hide_answer))
    if legacy:
        print(legacy, file=sys.stderr)
    return 0 if result.correct else 1


def _with_digits(kind, network, digits: int, tolerance):
    """``network`` with ``digits`` places, whose tolerance the kind then takes (``check --digits``);
    refused in one line where no such tolerance is: beside --tolerance, for a network of no sigmoid
    or tanh layer (its answers are exact), or for a kind that states a tolerance of its own."""
    if tolerance is not None:
        raise SymdropError("--digits: give --digits or --tolerance, not both (--digits K takes the tolerance "
                           "of a student who carries values rounded to K places)")
    if not any(layer.g.smooth for layer in network.layers):
        raise SymdropError("--digits: the network has no sigmoid or tanh layer, so its answers are exact "
                           "(--tolerance T accepts decimals within T)")
    if kind.smooth is None or kind.tolerance is not None:
        raise SymdropError(f"--digits: the kind {kind.name} does not take a tolerance from places"
                           + (f"; it states its own, {kind.tolerance}" if kind.tolerance is not None else "")
                           + " (--tolerance T replaces it)")
    return replace(network, digits=digits)


def _values(path: Path, network) -> dict:
    """A student's layer values from ``--values FILE`` (YAML or JSON): ``{z1: (...), ..., y: (...)}``,
    each text read as grade reads a z1, a1, ... cell, with the count of numbers its layer of
    ``network`` has (``"(0,5, 1)"`` is two numbers of a two-unit layer)."""
    from ..grading.answers import parse_number, parse_vector
    from ..model.spec import read_document

    sizes = {f"{v}{l}": layer.units for l, layer in enumerate(getattr(network, "layers", ()), start=1) for v in "za"}

    data = read_document(read_values_text(path), json_format=path.suffix.lower() == ".json", name=str(path))
    if not isinstance(data, dict):
        raise SymdropError(f"{path}: expected a mapping like {{z1: [...], a1: [...], y: [...]}}")
    return {str(k): tuple(parse_number(str(x), f"{path}: {k}") for x in v) if isinstance(v, list)
            else parse_vector(str(v), f"{path}: {k}", sizes.get(str(k))) for k, v in data.items()}


def _key_entry(path: Path, code: str) -> tuple[dict, str | None]:
    """The key's entry of variant ``code``, and the warning to print if the key has no digests."""
    from ..grading.keys import legacy_warning, read_key, undigested

    key = read_key(path)
    entries = {e["code"]: e for e in key["problems"]}
    if code not in entries:
        raise SymdropError(f"--code {code}: no such variant in {path}")
    return entries[code], legacy_warning(path) if undigested(key) else None


def grade(args) -> int:
    """A class's answers against its key: grades, a feedback page per student, the class report."""
    from ..grading.answers import parse_number
    from ..grading.grade import Rubric, read_answers, read_rubric
    from ..grading.keys import legacy_warning, read_key, undigested

    key = read_key(args.key)
    rubric = read_rubric(args.rubric) if args.rubric is not None else Rubric()
    tolerance = None if args.tolerance is None else abs(parse_number(args.tolerance, "--tolerance"))
    rows, columns = read_answers(args.answers)
    with untraced():  # the key and the answers live until grade ends: the collector need not walk them
        ungraded = _grade_files(args, key, rows, rubric, tolerance, columns)
    if undigested(key):
        print(legacy_warning(args.key), file=sys.stderr)
    for u in ungraded:
        where = f"row {u.row}" if u.row is not None else "no row"
        print(f"symdrop grade: not graded: {where}, student {quote(u.student)}: {u.reason}", file=sys.stderr)
    return 0


def _grade_files(args, key: dict, rows: list, rubric, tolerance, columns: tuple) -> list:
    """``rows`` graded against ``key``, their grades, feedback pages and report written into
    ``args.out``; returns the rows and students not graded."""
    from ..grading.grade import grade as grade_class
    from ..io.outputs import compile_all
    from ..render.grades import (chart, feedback, feedback_names, grades_csv, grades_json_text, report, report_svg,
                                 scores)

    students, ungraded = grade_class(key, rows, rubric, tolerance, columns)
    out = args.out
    summed = scores(students)  # each student's points and maximum, summed once for every file
    counts = chart(students, summed)  # the report's numbers, made once for its formats and its picture
    files = {out / "grades.csv": grades_csv(students, summed),
             out / "grades.json": grades_json_text(students, ungraded, summed),
             out / "report.md": report(students, ungraded, "markdown", svg="report.svg", counts=counts),
             out / "report.svg": report_svg(students, counts=counts),
             out / "report.tex": report(students, ungraded, "latex", counts=counts)}
    sources = {out / "report.pdf": files[out / "report.tex"]}
    fmt = formats.get(args.format)  # --format html: feedback pages and the report as standalone HTML (issue 27)
    if fmt.suffix != "md":
        files[out / f"report.{fmt.suffix}"] = report(students, ungraded, fmt.name, counts=counts)
    for s, name, score in zip(students, feedback_names([s.student for s in students]), summed, strict=True):
        files[out / "feedback" / f"{name}.{fmt.suffix}"] = feedback(s, fmt.name, score=score)
        if args.pdf:
            sources[out / "feedback" / f"{name}.pdf"] = feedback(s, "latex", score=score)
    if args.pdf:
        files.update(compile_all(sources))
    print_written(files)
    return ungraded
