"""The command line: argument parsing and dispatch; symdrop/commands/ does the work."""

import argparse
import gc
import os
import re
import sys
from contextlib import contextmanager
from functools import lru_cache
from importlib import import_module
from pathlib import Path

# Only what the parser needs, so that --help and argument errors load neither SymPy nor the
# templates (a command's module loads them when it runs).
from .errors import SymdropError, quote
from .names import KINDS, MODES, OPTIONS, SYMBOLIC_MODES
from .render import formats


def main(argv=None) -> int:
    """Run ``symdrop`` with ``argv``; returns the exit status (2 for bad input)."""
    parser = _parser()
    argv = sys.argv[1:] if argv is None else list(argv)
    try:
        _refuse_options_first(parser, argv)
        args, unknown = parser.parse_known_args(_signed_values(argv, _option_strings()))
        if unknown:
            _refuse_unknown(parser, args, unknown)
        module, command = args.run.rsplit(".", 1)
        with fewer_collections():
            return getattr(import_module(f"{__package__}.commands.{module}"), command)(args)
    except SymdropError as error:
        # One line, always: a message that quotes a file name or a key with a line break in it.
        print(f"symdrop: error: {' '.join(str(error).splitlines())}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


def _refuse_options_first(parser: argparse.ArgumentParser, argv: list[str]) -> None:
    """Exit 2 where an option comes before the command (``symdrop --seed 3 sheet``), saying where
    it goes: argparse took the option's value for the command (``invalid choice: '3'``) or
    blamed the command for it. Only -h, --help and --version come first."""
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction)).choices
    at = next((i for i, a in enumerate(argv) if a in commands), None)
    early = [a for a in argv[:at] if a.startswith("-") and a not in ("-h", "--help", "--version", "--")]
    if early and "--" not in argv[:at]:  # (after "--", the command's name is an argument)
        command = argv[at] if at is not None else "COMMAND"
        where = "" if at is not None else f" (a command: {', '.join(commands)})"
        parser.error(f"{early[0]} comes before the command; a command's options go after it: "
                     f"symdrop {command} {' '.join(argv[:at])} ...{where}")


def _refuse_unknown(parser: argparse.ArgumentParser, args, unknown: list[str]) -> None:
    """Exit 2 with the usage of the command the arguments were for, not symdrop's (which lists no
    option), and the option nearest to a mistyped one: ``--fromat (did you mean --format?)``."""
    from difflib import get_close_matches

    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction)).choices.values()
    command = next(p for p in commands if p.get_default("run") == args.run)
    message = f"unrecognized arguments: {' '.join(unknown)}"
    typed = next((u.split("=", 1)[0] for u in unknown if u.startswith("--")), None)
    near = get_close_matches(typed, [s for s in command._option_string_actions if s.startswith("--")], n=1) if typed else []
    command.error(f"{message} (did you mean {near[0]}?)" if near else message)


# A command makes many small objects that live long (SymPy's numbers, a class's key and networks):
# at Python's default, a young collection every 700 new objects, the collector took a quarter of
# grade's time walking them, with no cycle to free. A command runs with a young generation of
# YOUNG objects (cycles are still collected, in larger batches); the thresholds are restored after.
YOUNG = 20_000


@contextmanager
def fewer_collections():
    """Python's collector set as a command runs (benchmarks time the library's functions so)."""
    thresholds = gc.get_threshold()
    gc.set_threshold(max(YOUNG, thresholds[0]), *thresholds[1:])
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)


NEGATIVE_NUMBER = re.compile(r"^-\.?\d")
SIGNED = ("--answer", "--tolerance", "--step", "--range")  # options whose value may start with "-"


def _signed_values(argv: list[str], options: frozenset[str]) -> list[str]:
    """``argv`` with ``--answer -inf`` written ``--answer=-inf``: a value of these options that
    starts with "-" is read as the value (and refused, if it must be, in one line naming the
    option), not as an unknown option after a missing value; unless it is an option itself."""
    out, i = list(argv), 0
    while i < len(out) - 1 and out[i] != "--":
        value = out[i + 1]
        if out[i] in SIGNED and value.startswith("-") and value.split("=", 1)[0] not in options:
            out[i:i + 2] = [f"{out[i]}={value}"]
        i += 1
    return out


@lru_cache(maxsize=1)
def _option_strings() -> frozenset[str]:
    """Every option of every command (``--values``, ``-o``, ``-h``, ...)."""
    parser = _parser()
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction)).choices.values()
    return frozenset(s for p in (parser, *commands) for s in p._option_string_actions)
INTEGER = re.compile(r"[-+]?[0-9]{1,12}", re.ASCII)


def _integer(text: str) -> int:
    """An option's integer in the digits 0-9, at most 12 of them (argparse's int takes any)."""
    if not INTEGER.fullmatch(text.strip()):
        raise argparse.ArgumentTypeError(f"expected an integer of at most 12 digits 0-9, got {quote(text)}")
    return int(text)


def _file(text: str) -> Path:
    """``-o``'s file: a name ending in "/" names a folder (Path would drop the slash and write a
    file of the folder's name)."""
    if text.endswith(("/", os.sep)):  # refused as main's errors are (argparse's would print its usage)
        raise SymdropError(f"-o {text}: is a folder; expected a file name (-o FOLDER/FILE)")
    return Path(text)


@lru_cache(maxsize=1)  # built once per process: the CLI runs many times in one test process
def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="symdrop", description="Exact dropout forward passes as worked solutions."
    )
    parser.add_argument("--version", action=_Version, help="show the version and exit")
    commands = parser.add_subparsers(required=True, metavar="COMMAND")
    for add in (_add_example, _add_solve, _add_sheet, _add_backprop, _add_check, _add_grade, _add_expect, _add_moments,
                _add_verify, _add_templates, _add_lint_export):
        add(commands)
    # A value that starts with "-" and a digit is a number, not an option: --answer -3/4,
    # --range -3..3, --answer "-1; 2" (argparse itself knows only -3 and -0.75).
    for command in (parser, *commands.choices.values()):
        command._negative_number_matcher = NEGATIVE_NUMBER
    return parser


def _add_example(commands) -> None:
    ex = commands.add_parser("example", help="the tutorial's toy example as .tex and .md (and .pdf)")
    ex.add_argument("--out", type=Path, default=Path("output"), help="directory (default: output/)")
    ex.add_argument("--pdf", action="store_true", help="also compile the LaTeX to PDF")
    ex.add_argument("--spec", action="store_true",
                    help="write the example's problem spec (YAML) instead, to start a spec of your own")
    ex.add_argument("-o", "--output", type=_file, help="with --spec: write it here instead of standard output")
    _diagram_flags(ex)
    _templates_flag(ex)
    ex.set_defaults(run="documents.example")


def _add_solve(commands) -> None:
    solve = commands.add_parser("solve", help="the worked solution of a problem spec (YAML or JSON)")
    solve.add_argument("spec", type=Path, help="problem spec file")
    _output_flags(solve, "solve")
    solve.add_argument("--symbolic", choices=SYMBOLIC_MODES,
                       help="all: every weight, bias, mask and input a symbol; masks: masks only")
    solve.add_argument("--mode", choices=MODES, default="train",
                       help="train (default): the masks, with the convention's scaling; test: the test-time pass")
    _diagram_flags(solve)
    _digits_flag(solve)
    _templates_flag(solve)
    solve.set_defaults(run="documents.solve")


def _add_sheet(commands) -> None:
    sheet = commands.add_parser("sheet", help="random exercises with answer key and worked solutions")
    sheet.add_argument("--problems", type=_integer, metavar="N",
                       help="problems on the sheet (default 5), or per student with --roster (default 1)")
    sheet.add_argument("--seed", type=_integer, metavar="S", help="the seed (default: a random one, printed)")
    sheet.add_argument("--kinds", default="forward", metavar="KINDS",
                       help=f"exercise kinds the problems cycle through, comma-separated: {', '.join(KINDS)}; "
                            f"with an option: {', '.join(OPTIONS)} "
                            "(default forward)")
    sheet.add_argument("--shape", default="2-3-3-2-1", help="layer sizes, input first (default 2-3-3-2-1)")
    sheet.add_argument("--values", default="int", choices=("int", "half", "decimal"),
                       help="integers, halves or decimals (default int)")
    sheet.add_argument("--range", default="-3..3", metavar="LOW..HIGH",
                       help="bounds of inputs, weights and biases (default -3..3)")
    sheet.add_argument("--keep", default="1/2,2/3,3/4,4/5", metavar="Q,Q,...",
                       help="keep probabilities q drawn from (default 1/2,2/3,3/4,4/5; "
                            "kinds that scale avoid 1/2)")
    sheet.add_argument("--activation", default="relu", choices=("relu", "sigmoid", "tanh"),
                       help="the hidden layers' activation (default relu); sigmoid and tanh answers are given to "
                            "--digits places (default 4), right within a tolerance (kinds forward, inverted, test-time, backprop)")
    sheet.add_argument("--answers", default="exact", choices=("exact", "decimal"),
                       help="decimal: every answer and every mistake's answer a terminating decimal "
                            "of at most 4 places, as LMS numerical questions need (default exact)")
    sheet.add_argument("--stats", type=_integer, metavar="N",
                       help="write nothing: draw N problems of each kind and print their statistics "
                            "(answers, masks, rules, mistakes)")
    _sheet_output_flags(sheet)
    sheet.set_defaults(run="classes.sheet")


def _sheet_output_flags(sheet) -> None:
    documents_ = ",".join(formats.default_sheet_formats())
    exports = ", ".join(f"{name} ({', '.join(filter(None, (formats.get(name).export, formats.get(name).note)))})"
                        for name in formats.exports())
    sheet.add_argument("--format", default=documents_, metavar="FORMATS",
                       help=f"formats of the documents, comma-separated (default {documents_}; also html: pages and a self-check page); "
                            f"LMS exports: {exports}")
    sheet.add_argument("--parts", action="store_true",
                       help=f"with --format {' or '.join(formats.cloze())}: cloze questions with a gap for every value a student "
                            "computes, not only the answer")
    sheet.add_argument("--rubric", type=Path, metavar="FILE",
                       help="grade's rubric (YAML): the points of Moodle's cloze gaps (--parts) and the share a known "
                            "mistake's number earns in QTI 2.1, Moodle and GIFT (Moodle: the nearest grade it allows not above) "
                            "(default: grade's default rubric)")
    sheet.add_argument("--pdf", action="store_true", help="also compile the LaTeX to PDF")
    sheet.add_argument("--tagged", action="store_true",
                       help="with --pdf: tagged PDFs (LuaLaTeX and LaTeX's tagging code, TeX Live 2022 or later)")
    sheet.add_argument("--out", type=Path, default=Path("output"), help="directory (default: output/)")
    sheet.add_argument("--roster", type=Path, metavar="FILE.csv",
                       help="a class set: one variant per student of this CSV (columns id,name)")
    sheet.add_argument("--split", action="store_true", help="with --roster: also one sheet per student")
    sheet.add_argument("--no-diagram", dest="diagram", action="store_false",
                       help="no pictures of the networks (default: TikZ in LaTeX, SVGs in figures/ for Markdown)")
    sheet.add_argument("--no-reveal", dest="reveal", action="store_false",
                       help="with --format html: self-check pages without \"Show answer\" (the answers are not on "
                            "the page, not even encrypted; hints still show)")
    _digits_flag(sheet)
    _templates_flag(sheet)


def _add_backprop(commands) -> None:
    back = commands.add_parser("backprop", help="the exact backward pass through dropout (the spec needs a target)")
    back.add_argument("spec", type=Path, help="problem spec file with target: [...] (and loss: squared|sse|mse|bce|cross_entropy)")
    _output_flags(back, "backprop")
    back.add_argument("--step", metavar="LR", help="also one gradient-descent step with this exact learning rate, e.g. 1/10")
    _diagram_flags(back)
    _digits_flag(back)
    _templates_flag(back)
    back.set_defaults(run="documents.backprop")


def _add_check(commands) -> None:
    ch = commands.add_parser("check", help="check a student's answer: right or not, which mistake, where off track")
    ch.add_argument("spec", type=Path, nargs="?", help="problem spec file (or --key and --code)")
    ch.add_argument("--key", type=Path, metavar="key.json", help="the answer key symdrop sheet wrote")
    ch.add_argument("--code", metavar="CODE", help="with --key: the problem's variant code")
    ch.add_argument("--kind", metavar="KIND", help="with SPEC: the problem's kind (default forward, inverted "
                                                   "for an inverted-dropout spec)")
    ch.add_argument("--answer", required=True, metavar="A", help='the answer: 7, "-3/4", -0.75, -0,75 or "3; 0; -2"')
    ch.add_argument("--values", type=Path, metavar="FILE", help="the student's layer values, YAML or JSON: "
                                                                "{z1: [...], a1: [...], ..., y: [...]}")
    ch.add_argument("--tolerance", metavar="T", help="accept numbers within T of the exact ones (rounded decimals); "
                                                      "replaces the tolerance of a kind with irrational answers (nwgm: 1/1000)")
    ch.add_argument("--digits", metavar="K", help="accept answers within the tolerance of a student who carries "
                                                   "values rounded to K places, as solve --digits K states it "
                                                   "(sigmoid, tanh; a spec's digits do the same)")
    ch.add_argument("--format", choices=("text", "json", "markdown"), default="text", help="default text")
    ch.add_argument("--hide-answer", action="store_true", help="name the mistake, but show no right value "
                                                               "(for students checking before a deadline)")
    ch.set_defaults(run="classes.check")


def _add_grade(commands) -> None:
    gr = commands.add_parser("grade", help="grade a class: answers.csv against key.json, feedback and a report")
    gr.add_argument("--key", type=Path, required=True, metavar="key.json", help="the answer key symdrop sheet wrote")
    gr.add_argument("--answers", type=Path, required=True, metavar="answers.csv",
                    help="columns student, code, y (z1, a1, ... optional), or student, code, part, answer")
    gr.add_argument("--rubric", type=Path, metavar="FILE", help="YAML: points: {y: 4, z: 1, a: 1}, carried_forward: 1, "
                                                                "mistake: 0, penalty: 0 (the defaults)")
    gr.add_argument("--tolerance", metavar="T", help="accept numbers within T of the exact ones (rounded decimals); "
                                                      "replaces the tolerance of a kind with irrational answers (nwgm: 1/1000)")
    gr.add_argument("--out", type=Path, required=True, help="the folder for grades, feedback and the report")
    gr.add_argument("--pdf", action="store_true", help="also compile the feedback pages and the report to PDF")
    gr.add_argument("--format", choices=("markdown", "html"), default="markdown",
                    help="the feedback pages' format (default markdown; html: standalone pages)")
    gr.set_defaults(run="classes.grade")


def _add_expect(commands) -> None:
    mean = commands.add_parser("expect", help="the exact mean prediction over all dropout masks")
    mean.add_argument("spec", type=Path, help="problem spec file (needs dropout.keep)")
    _output_flags(mean, "expect")
    mean.add_argument("--symbolic-q", action="store_true", help="the mean as an expression in the keep probabilities")
    mean.add_argument("--samples", type=_integer, metavar="T", help="also a Monte-Carlo estimate from T sampled masks")
    mean.add_argument("--seed", type=_integer, default=0, metavar="S", help="seed of the sampled masks (default 0)")
    _digits_flag(mean)
    _templates_flag(mean)
    mean.set_defaults(run="documents.expect")


def _add_moments(commands) -> None:
    stats = commands.add_parser("moments", help="the exact mean and variance of every unit, the loss and the "
                                                "gradients over all dropout masks")
    stats.add_argument("spec", type=Path, help="problem spec file (needs dropout.keep; masks are not needed)")
    _output_flags(stats, "moments")
    _digits_flag(stats)
    _templates_flag(stats)
    stats.set_defaults(run="documents.moments")


def _add_verify(commands) -> None:
    check = commands.add_parser("verify", help="compare the exact pass with PyTorch (float64)")
    check.add_argument("spec", type=Path, help="problem spec file")
    check.add_argument("--seed", type=_integer, default=0, metavar="S",
                       help="torch.manual_seed for the masks nn.Dropout draws (default 0)")
    check.set_defaults(run="documents.verify")


def _add_templates(commands) -> None:
    copy = commands.add_parser("templates", help="write the built-in templates into a folder, to change them")
    copy.add_argument("--out", type=Path, required=True, help="the folder (pass it to --templates afterwards)")
    copy.set_defaults(run="documents.templates")


def _add_lint_export(commands) -> None:
    lint = commands.add_parser("lint-export", help="grade every item of the LMS exports in a folder as the LMS would: "
                                                   "the key full marks, each known mistake its feedback")
    lint.add_argument("folder", type=Path, help="the folder symdrop sheet wrote (its key.json and exports)")
    lint.add_argument("--rubric", type=Path, metavar="FILE", help="grade's rubric: the share a mistake's number earns "
                                                                  "(default 0; QTI 1.2 always 0)")
    lint.set_defaults(run="lint.lint_export")


def _output_flags(command, name: str) -> None:
    written = formats.written_by(name)
    exports = [f for f in written if formats.get(f).export]
    command.add_argument("--format", choices=written,
                         help="output format (default: from -o's suffix, else markdown)"
                              + (f"; {' and '.join(exports)}: {formats.LMS_QUESTION}" if exports else ""))
    command.add_argument("-o", "--output", type=_file, help="write here instead of standard output")
    command.add_argument("--pdf", action="store_true", help="also write the compiled PDF beside -o")
    command.add_argument("--tagged", action="store_true",
                         help="with --pdf: a tagged PDF (LuaLaTeX and LaTeX's tagging code, TeX Live 2022 or later)")


def _diagram_flags(command) -> None:
    picture = command.add_mutually_exclusive_group()
    picture.add_argument("--no-diagram", dest="diagram", action="store_false",
                         help="no picture of the network (default: TikZ in LaTeX, an SVG beside -o FILE.md)")
    picture.add_argument("--edge-weights", action="store_true",
                         help="write the weights on the picture's connections (small networks only)")


def _digits_flag(command) -> None:
    command.add_argument("--digits", metavar="K", help="show every irrational value (sigmoid, tanh) rounded to K "
                                                       "decimal places, by name in later sums (spec key digits)")


def _templates_flag(command) -> None:
    command.add_argument("--templates", type=Path, metavar="DIR", action="append", default=[],
                         help="a folder of templates that replace the built-in ones of the same name "
                              "(start from `symdrop templates --out DIR`); may be given more than once")


class _Version(argparse.Action):
    """--version: argparse's own action, but the metadata is read only when asked for (it costs
    as much as the rest of --help)."""

    def __init__(self, option_strings, dest=argparse.SUPPRESS, default=argparse.SUPPRESS, help=None):
        super().__init__(option_strings, dest=dest, default=default, nargs=0, help=help)

    def __call__(self, parser, namespace, values, option_string=None):
        parser._print_message(f"symdrop {_version()}\n", sys.stdout)
        parser.exit()


def _version() -> str:
    """symdrop's version, from the installed package's metadata."""
    from importlib import metadata

    try:
        return metadata.version("symdrop")
    except metadata.PackageNotFoundError:  # run from a source tree that was never installed
        return "unknown (not installed)"


if __name__ == "__main__":
    sys.exit(main())
