"""The command line: argument parsing only; the library does the work."""

import argparse
import json
import random
import re
import sys
from functools import lru_cache
from importlib import metadata, resources
from pathlib import Path

from . import example, load_spec
from .core.derive import SYMBOLIC_MODES, derive
from .core.ensemble import expect
from .errors import SymdropError, quote
from .io.files import write_files
from .io.tex import compile_pdf
from .limits import MAX_PROBLEMS, MAX_SHEET_PROBLEMS, MAX_STATS
from .model.conventions import MODES
from .render import documents, formats, values
from .render.options import RenderOptions

SOLVE_EXPORTS = ("moodle", "gift")  # the LMS formats symdrop solve writes a spec's problem in


def main(argv=None) -> int:
    """Run ``symdrop`` with ``argv``; returns the exit status (2 for bad input)."""
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except SymdropError as error:
        # One line, always: a message that quotes a file name or a key with a line break in it.
        print(f"symdrop: error: {' '.join(str(error).splitlines())}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


NEGATIVE_NUMBER = re.compile(r"^-\.?\d")
INTEGER = re.compile(r"[-+]?[0-9]{1,12}", re.ASCII)


def _integer(text: str) -> int:
    """An option's integer in the digits 0-9, at most 12 of them (argparse's int takes any)."""
    if not INTEGER.fullmatch(text.strip()):
        raise argparse.ArgumentTypeError(f"expected an integer of at most 12 digits 0-9, got {quote(text)}")
    return int(text)


@lru_cache(maxsize=1)  # built once per process: the CLI runs many times in one test process
def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="symdrop", description="Exact dropout forward passes as worked solutions."
    )
    parser.add_argument("--version", action="version", version=f"symdrop {_version()}")
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    ex = commands.add_parser("example", help="the tutorial's toy example as .tex and .md (and .pdf)")
    ex.add_argument("--out", type=Path, default=Path("output"), help="directory (default: output/)")
    ex.add_argument("--pdf", action="store_true", help="also compile the LaTeX to PDF")
    ex.add_argument("--spec", action="store_true",
                    help="write the example's problem spec (YAML) instead, to start a spec of your own")
    ex.add_argument("-o", "--output", type=Path, help="with --spec: write it here instead of standard output")
    _diagram_flags(ex)
    _templates_flag(ex)
    ex.set_defaults(run=_example)

    solve = commands.add_parser("solve", help="the worked solution of a problem spec (YAML or JSON)")
    solve.add_argument("spec", type=Path, help="problem spec file")
    _output_flags(solve, SOLVE_EXPORTS)
    solve.add_argument("--symbolic", choices=SYMBOLIC_MODES,
                       help="all: every weight, bias, mask and input a symbol; masks: masks only")
    solve.add_argument("--mode", choices=MODES, default="train",
                       help="train (default): the masks, with the convention's scaling; test: the test-time pass")
    _diagram_flags(solve)
    _templates_flag(solve)
    solve.set_defaults(run=_solve)

    _add_sheet(commands)

    back = commands.add_parser("backprop", help="the exact backward pass through dropout (the spec needs a target)")
    back.add_argument("spec", type=Path, help="problem spec file with target: [...] (and loss: squared|bce)")
    _output_flags(back)
    back.add_argument("--step", metavar="LR", help="also one gradient-descent step with this exact learning rate, e.g. 1/10")
    _diagram_flags(back)
    _templates_flag(back)
    back.set_defaults(run=_backprop)

    ch = commands.add_parser("check", help="check a student's answer: right or not, which mistake, where off track")
    ch.add_argument("spec", type=Path, nargs="?", help="problem spec file (or --key and --code)")
    ch.add_argument("--key", type=Path, metavar="key.json", help="the answer key symdrop sheet wrote")
    ch.add_argument("--code", metavar="CODE", help="with --key: the problem's variant code")
    ch.add_argument("--kind", metavar="KIND", help="with SPEC: the problem's kind (default forward, inverted "
                                                   "for an inverted-dropout spec)")
    ch.add_argument("--answer", required=True, metavar="A", help='the answer: 7, "-3/4", -0.75, -0,75 or "3; 0; -2"')
    ch.add_argument("--values", type=Path, metavar="FILE", help="the student's layer values, YAML or JSON: "
                                                                "{z1: [...], a1: [...], ..., y: [...]}")
    ch.add_argument("--tolerance", metavar="T", help="accept numbers within T of the exact ones (rounded decimals)")
    ch.add_argument("--format", choices=("text", "json", "markdown"), default="text", help="default text")
    ch.set_defaults(run=_check)

    gr = commands.add_parser("grade", help="grade a class: answers.csv against key.json, feedback and a report")
    gr.add_argument("--key", type=Path, required=True, metavar="key.json", help="the answer key symdrop sheet wrote")
    gr.add_argument("--answers", type=Path, required=True, metavar="answers.csv",
                    help="columns student, code, y (z1, a1, ... optional), or student, code, part, answer")
    gr.add_argument("--rubric", type=Path, metavar="FILE", help="YAML: points: {y: 4, z: 1, a: 1}, carried_forward: 1, "
                                                                "mistake: 0, penalty: 0 (the defaults)")
    gr.add_argument("--tolerance", metavar="T", help="accept numbers within T of the exact ones (rounded decimals)")
    gr.add_argument("--out", type=Path, required=True, help="the folder for grades, feedback and the report")
    gr.add_argument("--pdf", action="store_true", help="also compile the feedback pages and the report to PDF")
    gr.set_defaults(run=_grade)

    mean = commands.add_parser("expect", help="the exact mean prediction over all dropout masks")
    mean.add_argument("spec", type=Path, help="problem spec file (needs dropout.keep)")
    _output_flags(mean)
    mean.add_argument("--symbolic-q", action="store_true", help="the mean as an expression in the keep probabilities")
    mean.add_argument("--samples", type=_integer, metavar="T", help="also a Monte-Carlo estimate from T sampled masks")
    mean.add_argument("--seed", type=_integer, default=0, metavar="S", help="seed of the sampled masks (default 0)")
    _templates_flag(mean)
    mean.set_defaults(run=_expect)

    check = commands.add_parser("verify", help="compare the exact pass with PyTorch (float64)")
    check.add_argument("spec", type=Path, help="problem spec file")
    check.add_argument("--seed", type=_integer, default=0, metavar="S",
                       help="torch.manual_seed for the masks nn.Dropout draws (default 0)")
    check.set_defaults(run=_verify)

    copy = commands.add_parser("templates", help="write the built-in templates into a folder, to change them")
    copy.add_argument("--out", type=Path, required=True, help="the folder (pass it to --templates afterwards)")
    copy.set_defaults(run=_templates)
    # A value that starts with "-" and a digit is a number, not an option: --answer -3/4,
    # --range -3..3, --answer "-1; 2" (argparse itself knows only -3 and -0.75).
    for command in (parser, *commands.choices.values()):
        command._negative_number_matcher = NEGATIVE_NUMBER
    return parser


def _add_sheet(commands) -> None:
    from .exercises.kinds import KINDS

    sheet = commands.add_parser("sheet", help="random exercises with answer key and worked solutions")
    sheet.add_argument("--problems", type=_integer, metavar="N",
                       help="problems on the sheet (default 5), or per student with --roster (default 1)")
    sheet.add_argument("--seed", type=_integer, metavar="S", help="the seed (default: a random one, printed)")
    sheet.add_argument("--kinds", default="forward", metavar="KINDS",
                       help=f"exercise kinds the problems cycle through, comma-separated: {', '.join(KINDS)} "
                            "(default forward)")
    sheet.add_argument("--shape", default="2-3-3-2-1", help="layer sizes, input first (default 2-3-3-2-1)")
    sheet.add_argument("--values", default="int", choices=("int", "half", "decimal"),
                       help="integers, halves or decimals (default int)")
    sheet.add_argument("--range", default="-3..3", metavar="LOW..HIGH",
                       help="bounds of inputs, weights and biases (default -3..3)")
    sheet.add_argument("--keep", default="1/2,2/3,3/4,4/5", metavar="Q,Q,...",
                       help="keep probabilities q drawn from (default 1/2,2/3,3/4,4/5; "
                            "kinds that scale avoid 1/2)")
    sheet.add_argument("--answers", default="exact", choices=("exact", "decimal"),
                       help="decimal: every answer and every mistake's answer a terminating decimal "
                            "of at most 4 places, as LMS numerical questions need (default exact)")
    sheet.add_argument("--stats", type=_integer, metavar="N",
                       help="write nothing: draw N problems of each kind and print their statistics "
                            "(answers, masks, rules, mistakes)")
    sheet_formats = ",".join(formats.sheet_formats())
    sheet.add_argument("--format", default=sheet_formats, metavar="FORMATS",
                       help=f"formats of the documents, comma-separated (default {sheet_formats}); "
                            "LMS exports: moodle (moodle.xml), gift (questions.gift), qti (qti.zip, Canvas)")
    sheet.add_argument("--parts", action="store_true",
                       help="with --format moodle: cloze questions with a gap for every value a student "
                            "computes, not only the answer")
    sheet.add_argument("--pdf", action="store_true", help="also compile the LaTeX to PDF")
    sheet.add_argument("--out", type=Path, default=Path("output"), help="directory (default: output/)")
    sheet.add_argument("--roster", type=Path, metavar="FILE.csv",
                       help="a class set: one variant per student of this CSV (columns id,name)")
    sheet.add_argument("--split", action="store_true", help="with --roster: also one sheet per student")
    sheet.add_argument("--no-diagram", dest="diagram", action="store_false",
                       help="no pictures of the networks (default: TikZ in LaTeX, SVGs in figures/ for Markdown)")
    _templates_flag(sheet)
    sheet.set_defaults(run=_sheet)


def _output_flags(command, exports: tuple[str, ...] = ()) -> None:
    choices = formats.DOCUMENT_FORMATS + exports
    command.add_argument("--format", choices=choices,
                         help="output format (default: from -o's suffix, else markdown)"
                              + ("; moodle and gift: the problem as an LMS question with feedback for each known mistake" if exports else ""))
    command.add_argument("-o", "--output", type=Path, help="write here instead of standard output")
    command.add_argument("--pdf", action="store_true", help="also write the compiled PDF beside -o")


def _diagram_flags(command) -> None:
    picture = command.add_mutually_exclusive_group()
    picture.add_argument("--no-diagram", dest="diagram", action="store_false",
                         help="no picture of the network (default: TikZ in LaTeX, an SVG beside -o FILE.md)")
    picture.add_argument("--edge-weights", action="store_true",
                         help="write the weights on the picture's connections (small networks only)")


def _templates_flag(command) -> None:
    command.add_argument("--templates", type=Path, metavar="DIR", action="append", default=[],
                         help="a folder of templates that replace the built-in ones of the same name "
                              "(start from `symdrop templates --out DIR`); may be given more than once")


def _render_options(args) -> RenderOptions:
    for folder in args.templates:
        if not folder.is_dir():
            raise SymdropError(f"--templates {folder}: expected a folder of templates")
    return RenderOptions(diagram=getattr(args, "diagram", True), edge_weights=getattr(args, "edge_weights", False),
                         templates=tuple(args.templates))


def _example(args) -> int:
    if args.spec:
        return _output(args, resources.files("symdrop.data").joinpath("tutorial.yaml").read_text(encoding="utf-8"), {})
    if args.output is not None:
        raise SymdropError("-o: expected --spec (the worked example goes into --out DIR)")
    derivation = derive(example())
    options = _render_options(args)
    svg = documents.render_svg(derivation, options) if options.diagram else None
    latex = documents.render_solution(derivation, "latex", options)
    markdown = documents.render_solution(derivation, "markdown", options, svg="tutorial.svg" if svg else None)
    files = {args.out / "tutorial.tex": latex, args.out / "tutorial.md": markdown}
    if svg:
        files[args.out / "tutorial.svg"] = svg
    if args.pdf:
        files[args.out / "tutorial.pdf"] = compile_pdf(latex)
    for path in write_files(files):
        print(path)
    return 0


def _format(args, exports: tuple[str, ...] = ()) -> str:
    if args.pdf and args.output is None:
        raise SymdropError("--pdf: expected -o FILE (the PDF is written beside it)")
    if args.output is not None and args.output.suffix.lower() == ".pdf":
        args.pdf = True  # -o sol.pdf asks for the PDF, with --pdf or without
        return args.format or "latex"
    if args.format:
        return args.format
    found = formats.by_suffix(args.output.suffix if args.output else "").name
    return found if found in formats.DOCUMENT_FORMATS + exports else "markdown"


def _solve(args) -> int:
    fmt = _format(args, SOLVE_EXPORTS)
    options = _render_options(args)
    if fmt in SOLVE_EXPORTS:
        return _solve_export(args, fmt, options)
    derivation = derive(load_spec(args.spec), symbolic=args.symbolic, mode=args.mode)
    _warn_title(derivation.network, fmt, args)
    # A format that links its picture shows it as an SVG file beside -o FILE; on standard output it has none.
    links = formats.get(fmt).figure == "file" and args.output is not None and args.output.suffix.lower() != ".pdf"
    svg = documents.render_svg(derivation, options) if links and options.diagram else None
    if svg and args.output.suffix.lower() == ".svg":
        raise SymdropError(f"-o {args.output}: the picture goes to FILE.svg; name the Markdown FILE.md")
    if fmt == "json":
        text = json.dumps(values.solution_json(derivation), indent=2) + "\n"
    else:
        text = documents.render_solution(derivation, fmt, options,
                                         svg=args.output.with_suffix(".svg").name if svg else None)
    files = {}
    if svg:
        files[args.output.with_suffix(".svg")] = svg
    if args.pdf:
        source = text if fmt == "latex" else documents.render_solution(derivation, "latex", options)
        files[args.output.with_suffix(".pdf")] = compile_pdf(source)
    return _output(args, text, files)


def _solve_export(args, fmt: str, options: RenderOptions) -> int:
    """The spec's problem as an LMS question (Moodle XML or GIFT), of the kind its mode and
    convention make it: test-time with --mode test, else inverted or forward."""
    from .exercises.kinds import get
    from .exercises.sheet import spec_sheet
    from .render.gift import sheet_gift
    from .render.moodle import sheet_moodle

    if args.symbolic:
        raise SymdropError(f"--format {fmt}: expected numbers, not --symbolic (an LMS compares decimals)")
    if args.pdf:
        raise SymdropError(f"--format {fmt}: --pdf compiles LaTeX; write the PDF with --format latex")
    network = load_spec(args.spec)
    kind = "test-time" if args.mode == "test" else "inverted" if network.dropout.convention == "inverted" else "forward"
    sheet = spec_sheet(network, get(kind))
    name = network.title or args.spec.stem
    text = sheet_moodle(sheet, options, name=name) if fmt == "moodle" else sheet_gift(sheet, options, name=name)
    return _output(args, text, {})


def _backprop(args) -> int:
    from .core.backprop import derive_backprop
    from .numbers import exact

    fmt = _format(args)
    options = _render_options(args)
    rate = None
    if args.step is not None:
        rate = exact(args.step, "--step")
        if rate <= 0:
            raise SymdropError(f"--step: expected a positive learning rate, got {args.step}")
    network = load_spec(args.spec)
    if network.target is None:
        raise SymdropError(f"{args.spec}: target: missing (the backward pass needs one target value per output)")
    backprop = derive_backprop(network, rate)
    _warn_title(network, fmt, args)
    links = formats.get(fmt).figure == "file" and args.output is not None and args.output.suffix.lower() != ".pdf"
    svg = documents.render_svg(backprop.forward, options) if links and options.diagram else None
    if fmt == "json":
        text = json.dumps(values.backprop_json(backprop), indent=2) + "\n"
    else:
        text = documents.render_backprop(backprop, fmt, options, svg=args.output.with_suffix(".svg").name if svg else None)
    files = {args.output.with_suffix(".svg"): svg} if svg else {}
    if args.pdf:
        source = text if fmt == "latex" else documents.render_backprop(backprop, "latex", options)
        files[args.output.with_suffix(".pdf")] = compile_pdf(source)
    return _output(args, text, files)


def _check(args) -> int:
    from .exercises.kinds import get
    from .grading.answers import parse_number, parse_vector
    from .grading.check import check
    from .model.spec import parse_spec, read_document
    from .render.checks import check_json, check_text

    if (args.spec is None) == (args.key is None):
        raise SymdropError("check: expected a SPEC file, or --key key.json with --code CODE")
    if args.key is not None:
        if not args.code:
            raise SymdropError("--key: expected --code CODE (the variant code on the student's sheet)")
        entry = _key_entry(args.key, args.code.strip().upper())
        kind, network = get(entry["kind"]), parse_spec(entry["spec"])
    else:
        network = load_spec(args.spec)
        default = "inverted" if network.dropout.convention == "inverted" else "forward"
        kind = get(args.kind or default)
    tolerance = None if args.tolerance is None else abs(parse_number(args.tolerance, "--tolerance"))
    values = None
    if args.values is not None:
        data = read_document(_read_text(args.values), json_format=args.values.suffix.lower() == ".json",
                             name=str(args.values))
        if not isinstance(data, dict):
            raise SymdropError(f"{args.values}: expected a mapping like {{z1: [...], a1: [...], y: [...]}}")
        values = {str(k): tuple(parse_number(str(x), f"{args.values}: {k}") for x in v) if isinstance(v, list)
                  else parse_vector(str(v), f"{args.values}: {k}") for k, v in data.items()}
    result = check(kind, network, parse_vector(args.answer, "--answer"), values, tolerance)
    if args.format == "json":
        sys.stdout.write(json.dumps(check_json(result), indent=2) + "\n")
    else:
        sys.stdout.write(check_text(result, markdown=args.format == "markdown"))
    return 0 if result.correct else 1


def _grade(args) -> int:
    from .exercises.roster import Student
    from .grading.answers import parse_number
    from .grading.grade import Rubric, grade, read_answers, read_key, read_rubric
    from .io.outputs import compile_all
    from .render.grades import feedback, grades_csv, grades_json, report, report_svg
    from .render.sheets import student_file

    key = read_key(args.key)
    rubric = read_rubric(args.rubric) if args.rubric is not None else Rubric()
    tolerance = None if args.tolerance is None else abs(parse_number(args.tolerance, "--tolerance"))
    rows, columns = read_answers(args.answers)
    students, ungraded = grade(key, rows, rubric, tolerance, columns)
    out = args.out
    files = {out / "grades.csv": grades_csv(students),
             out / "grades.json": json.dumps(grades_json(students, ungraded), indent=2, ensure_ascii=False) + "\n",
             out / "report.md": report(students, ungraded, "markdown", svg="report.svg"),
             out / "report.svg": report_svg(students),
             out / "report.tex": report(students, ungraded, "latex")}
    sources = {out / "report.pdf": files[out / "report.tex"]}
    for s in students:
        name = student_file(Student(s.student, s.name), s.problems[0][0]["code"])
        files[out / "feedback" / f"{name}.md"] = feedback(s, "markdown")
        if args.pdf:
            sources[out / "feedback" / f"{name}.pdf"] = feedback(s, "latex")
    if args.pdf:
        files.update(zip(sources, compile_all(list(sources.values()))))
    for path in write_files(files):
        print(path)
    for u in ungraded:
        where = f"row {u.row}" if u.row is not None else "no row"
        print(f"symdrop grade: not graded: {where}, student {quote(u.student)}: {u.reason}", file=sys.stderr)
    return 0


def _read_text(path: Path) -> str:
    from .limits import MAX_SPEC_BYTES
    from .textfiles import read_text

    return read_text(path, MAX_SPEC_BYTES, "a values file")


def _key_entry(path: Path, code: str) -> dict:
    from .grading.grade import read_key

    entries = {e["code"]: e for e in read_key(path)["problems"]}
    if code not in entries:
        raise SymdropError(f"--code {code}: no such variant in {path}")
    return entries[code]


def _sheet(args) -> int:
    from .exercises.kinds import parse_kinds
    from .exercises.options import Options, parse_keep, parse_range, parse_shape
    from .exercises.roster import read_roster
    from .exercises.sheet import build_class_set, build_sheet
    from .io.outputs import sheet_files
    from .io.progress import Progress

    chosen = tuple(f.strip() for f in args.format.split(",") if f.strip())
    from .render.exports import sheet_choices

    allowed = sheet_choices()
    if not chosen or any(f not in allowed for f in chosen):
        raise SymdropError(f"--format: expected some of {', '.join(allowed)}, comma-separated, got {quote(args.format)}")
    if args.parts and "moodle" not in chosen:
        raise SymdropError("--parts: expected --format moodle (cloze questions are Moodle's; GIFT and QTI ask for the answer)")
    if args.split and not any(f in formats.sheet_formats() for f in chosen):
        raise SymdropError("--split: expected a document format in --format (latex or markdown): LMS files hold every student already")
    if args.split and args.roster is None:
        raise SymdropError("--split: expected --roster FILE.csv (it splits a class set by student)")
    if args.problems is not None and not 1 <= args.problems <= MAX_SHEET_PROBLEMS:
        raise SymdropError(f"--problems: expected 1 to {MAX_SHEET_PROBLEMS}, got {args.problems}")
    if args.seed is not None and args.seed < 0:
        raise SymdropError(f"--seed: expected a non-negative integer, got {args.seed}")
    kinds = parse_kinds(args.kinds)
    options = Options(parse_shape(args.shape), args.values, *parse_range(args.range), keep=parse_keep(args.keep),
                      answers=args.answers)
    for kind in dict.fromkeys(kinds):
        kind.check_options(options)
    if args.stats is not None:
        return _stats(args, options, kinds)
    render_options = _render_options(args)
    students = read_roster(args.roster) if args.roster is not None else ()
    seed = random.SystemRandom().randrange(1_000_000) if args.seed is None else args.seed
    problems = args.problems or (1 if students else 5)
    count = problems * (len(students) or 1)
    if count > MAX_PROBLEMS:
        raise SymdropError(f"--roster {args.roster}: {len(students)} students x {problems} problems = {count} problems; "
                           f"the limit is {MAX_PROBLEMS} problems per run (split the class into several runs)")
    with Progress(count * (1 + len(chosen)), "symdrop sheet") as progress:
        if students:
            sheet = build_class_set(seed, options, students, problems, kinds=kinds, progress=progress)
        else:
            sheet = build_sheet(seed, options, problems, kinds=kinds, progress=progress)
        files = sheet_files(sheet, args.out, chosen, render_options, pdf=args.pdf, split=args.split,
                            parts=args.parts, progress=progress)
    for path in write_files(files):
        print(path)
    if "latex" in chosen or args.pdf:
        from .render.sheets import placeholder_warnings
        for line in placeholder_warnings(sheet):
            print(line, file=sys.stderr)
    if args.seed is None:
        print(f"symdrop: seed {seed} (pass --seed {seed} to make the same files again)", file=sys.stderr)
    return 0


def _stats(args, options, kinds) -> int:
    from .exercises.stats import SIZES, stats
    from .render.env import render_document
    from .render.sheets import describe

    if not 1 <= args.stats <= MAX_STATS:
        raise SymdropError(f"--stats: expected 1 to {MAX_STATS} problems, got {args.stats}")
    seed = 0 if args.seed is None else args.seed
    found = stats(seed, options, kinds, args.stats)
    described = describe(options, kinds)
    sys.stdout.write(render_document("stats", "markdown", _render_options(args), kinds=found, seed=seed,
                                     described=described, problems=args.stats, sizes=SIZES))
    return 0


def _expect(args) -> int:
    fmt = _format(args)
    options = _render_options(args)
    from .io.progress import Progress, on_terminal

    network = load_spec(args.spec, require_masks=False)
    with Progress(0, "symdrop expect", enabled=on_terminal()) as bar:  # on a terminal, for long layers only
        ensemble = expect(network, symbolic_q=args.symbolic_q, samples=args.samples, seed=args.seed,
                          progress=lambda label, done, total: bar.show(f"symdrop expect: {label}", done, total))
    _warn_title(ensemble.network, fmt, args)
    if fmt == "json":
        text = json.dumps(values.expect_json(ensemble), indent=2) + "\n"
    else:
        text = documents.render_expect(ensemble, fmt, options)
    files = {}
    if args.pdf:
        source = text if fmt == "latex" else documents.render_expect(ensemble, "latex", options)
        files[args.output.with_suffix(".pdf")] = compile_pdf(source)
    return _output(args, text, files)


def _warn_title(network, fmt: str, args) -> None:
    """The one line a title gets whose characters no font has, where LaTeX or a PDF shows it."""
    from .render.escape import placeholder_warning

    line = placeholder_warning("the title", network.title) if fmt == "latex" or args.pdf else None
    if line:
        print(line, file=sys.stderr)


def _output(args, text: str, files: dict) -> int:
    """``text`` on standard output, or into ``-o FILE`` (unless it names the PDF) with ``files``
    beside it: all of them written, or none, and their paths on standard output, as every command
    that writes files prints them."""
    if args.output is None:
        sys.stdout.write(text)
        return 0
    if args.output.suffix.lower() != ".pdf":
        files = {args.output: text, **files}
    for path in write_files(files):
        print(path)
    return 0


def _version() -> str:
    """symdrop's version, from the installed package's metadata."""
    try:
        return metadata.version("symdrop")
    except metadata.PackageNotFoundError:  # run from a source tree that was never installed
        return "unknown (not installed)"


def _verify(args) -> int:
    from .core.verify import verify

    report = verify(load_spec(args.spec), seed=args.seed)
    sys.stdout.write(report.table(str(args.spec)))
    return 0 if report.ok else 1


def _templates(args) -> int:
    from .render.env import builtin_templates

    source = builtin_templates()
    files = {args.out / path.relative_to(source): path.read_text(encoding="utf-8")
             for path in sorted(source.rglob("*.j2"))}
    for path in write_files(files):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
