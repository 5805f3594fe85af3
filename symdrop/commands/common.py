"""What the commands share: their render options, the format they write, their output and warnings."""

import gc
import sys
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

from ..errors import SymdropError
from ..io.files import write_files
from ..render import formats
from ..model.spec import shown_places
from ..render.options import RenderOptions


def render_options(args) -> RenderOptions:
    """The render options a command's flags ask for (``--templates``, ``--no-diagram``,
    ``--digits``). A
    template folder is checked first (see :func:`~symdrop.render.usertemplates.check_folder`),
    and a warning printed for each of its files that replaces no built-in template."""
    from ..render.env import builtin_templates
    from ..render.usertemplates import check_folder

    builtin = {p.relative_to(builtin_templates()).as_posix() for p in builtin_templates().rglob("*.j2")}
    for folder in args.templates:
        if not folder.is_dir():
            raise SymdropError(f"--templates {folder}: expected a folder of templates")
        for line in check_folder(folder, builtin):
            print(line, file=sys.stderr)
    digits = getattr(args, "digits", None)
    digits = shown_places(digits, "--digits") if digits is not None else None
    return RenderOptions(diagram=getattr(args, "diagram", True), edge_weights=getattr(args, "edge_weights", False),
                         templates=tuple(args.templates), digits=digits, reveal=getattr(args, "reveal", True),
                         tagged=getattr(args, "tagged", False))


def with_spec_digits(options: RenderOptions, network) -> RenderOptions:
    """``options`` with the spec's ``digits`` where ``--digits`` was not given."""
    if options.digits is None and getattr(network, "digits", None) is not None:
        return replace(options, digits=network.digits)
    return options


def chosen_format(args, command: str) -> str:
    """The format ``command`` writes: ``--format``, else the one of ``-o``'s suffix it writes,
    else Markdown; ``-o FILE.pdf`` asks for the PDF of the LaTeX, with ``--pdf`` or without."""
    if args.output is not None and not args.output.name:  # "-o ''" is "-o .": no file's name
        raise SymdropError(f"-o {args.output}: is a folder; expected a file name")
    if args.pdf and args.output is None:
        raise SymdropError("--pdf: expected -o FILE (the PDF is written beside it)")
    if args.output is not None and args.output.suffix.lower() == ".pdf":
        args.pdf = True
    tagged_pdf(args)
    suffix = args.output.suffix.lower().lstrip(".") if args.output is not None else ""
    if suffix == "pdf":
        args.pdf = True
        if args.format and args.format != formats.compiled().name:
            raise SymdropError(f"-o {args.output}: a PDF is compiled from {formats.compiled().name}, not --format "
                               f"{args.format} (for both: -o FILE.{formats.get(args.format).suffix} --pdf)")
        return formats.compiled().name
    if args.format:
        written = formats.get(args.format).suffix
        if suffix and suffix != written and formats.get(args.format).export:  # an LMS's file: imported by its kind
            raise SymdropError(f"-o {args.output}: --format {args.format} writes a .{written} file")
        return args.format
    found = formats.by_suffix(args.output.suffix if args.output else "").name
    return found if found in formats.written_by(command) else formats.DEFAULT


def tagged_pdf(args) -> None:
    """``--tagged`` checked: it asks for a PDF, and LaTeX's tagging code must be installed."""
    if getattr(args, "tagged", False):
        from ..io.tagging import require_tagging

        if not args.pdf:
            raise SymdropError("--tagged: expected --pdf (or -o FILE.pdf): it tags the PDF")
        require_tagging()


def output(args, text: str, files: dict) -> int:
    """``text`` on standard output, or into ``-o FILE`` (unless it names the PDF) with ``files``
    beside it: all of them written, or none, and their paths on standard output, as every command
    that writes files prints them."""
    if args.output is None:
        sys.stdout.write(text)
        return 0
    if args.output.suffix.lower() != ".pdf":
        files = {args.output: text, **files}
    return print_written(files)


def print_written(files: dict) -> int:
    """Write ``files`` (all or none) and print each path written."""
    for path in write_files(files):
        print(path)
    return 0


def warn_title(network, fmt: str, args) -> None:
    """The one line a title gets whose characters no font has, where LaTeX or a PDF shows it."""
    from ..render.escape import placeholder_warning

    line = placeholder_warning("the title", network.title) if formats.get(fmt).engine or args.pdf else None
    if line:
        print(line, file=sys.stderr)


def single(network, what: str, instead: str = "batches work with solve, backprop, expect and verify"):
    """``network``, or a one-line refusal naming ``what`` when the spec is a batch of examples,
    saying what to do ``instead``."""
    from ..model.batch import Batch

    if isinstance(network, Batch):
        raise SymdropError(f"{what}: expected a spec of one example (input a list of numbers), got a batch of "
                           f"{network.size} examples ({instead})")
    return network


def batch_of(model, what: str, kind: str):
    """``model``, or a one-line refusal naming ``what`` when the spec is one example: the problems
    of ``kind`` are batches."""
    from ..model.batch import Batch

    if not isinstance(model, Batch):
        raise SymdropError(f"{what}: the {kind} kind's problems are batches of examples (input a list of rows, "
                           f"one per example), got one example")
    return model


def read_values_text(path: Path) -> str:
    """A values file's text, within the spec size limit."""
    from ..limits import MAX_SPEC_BYTES
    from ..textfiles import read_text

    return read_text(path, MAX_SPEC_BYTES, "a values file")


def working(command: str, steps: int):
    """The bar of a command whose exact work may take seconds (sigmoid and tanh of values through
    sigmoid and tanh, the documents that write them): on a terminal, drawn only once the command
    has run for :data:`~symdrop.io.progress.SLOW` seconds, naming the step under way."""
    from ..io.progress import SLOW, Progress, on_terminal

    return Progress(steps, f"symdrop {command}", enabled=on_terminal(), after=SLOW)


def step(bar, label: str, function):
    """``function`` as one step of ``bar``: the bar names ``label`` while it runs, and counts it."""
    def run(*args, **kwargs):
        bar.stage(label)
        result = function(*args, **kwargs)
        bar.advance()
        return result

    return run


@contextmanager
def untraced():
    """Python's collector leaves the objects alive now out of its walks meanwhile (``gc.freeze``),
    and takes them back after: what a command read first and keeps to the end (grade's key and
    answers, and the modules loaded: some 106,000 objects for a class of 300) is not walked again
    by the collections of what it makes (grade's one middle collection walked them: 29 ms of its
    0.9 s, on a machine that runs benchmarks/grade_speed.py's loop in 70 ms)."""
    if gc.get_freeze_count():  # the caller froze objects itself (a server before it forks, an outer untraced):
        yield  # gc.unfreeze would give back those too, and it cannot give back only ours
        return
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
