"""The command line: argument parsing only; the library does the work."""

import argparse
import json
import random
import sys
from pathlib import Path

from . import derive, example, load_spec
from .model.conventions import MODES
from .core.derive import SYMBOLIC_MODES
from .core.ensemble import expect
from .errors import SymdropError
from .io.files import write_files
from .render.documents import render_svg
from .io.tex import compile_pdf

SUFFIXES = {".tex": "latex", ".md": "markdown", ".json": "json"}


def main(argv=None) -> int:
    """Run ``symdrop`` with ``argv``; returns the exit status (2 for bad input)."""
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except SymdropError as error:
        print(f"symdrop: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="symdrop", description="Exact dropout forward passes as worked solutions."
    )
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    ex = commands.add_parser("example", help="the tutorial's toy example as .tex and .md (and .pdf)")
    ex.add_argument("--out", type=Path, default=Path("output"), help="directory (default: output/)")
    ex.add_argument("--pdf", action="store_true", help="also compile the LaTeX to PDF")
    _diagram_flags(ex)
    ex.set_defaults(run=_example)

    solve = commands.add_parser("solve", help="the worked solution of a problem spec (YAML or JSON)")
    solve.add_argument("spec", type=Path, help="problem spec file")
    _output_flags(solve)
    solve.add_argument("--symbolic", choices=SYMBOLIC_MODES,
                       help="all: every weight, bias, mask and input a symbol; masks: masks only")
    solve.add_argument("--mode", choices=MODES, default="train",
                       help="train (default): the masks, with the convention's scaling; test: the test-time pass")
    _diagram_flags(solve)
    solve.set_defaults(run=_solve)

    sheet = commands.add_parser("sheet", help="random exercises with answer key and worked solutions")
    sheet.add_argument("--problems", type=int, metavar="N",
                       help="problems on the sheet (default 5), or per student with --roster (default 1)")
    sheet.add_argument("--seed", type=int, metavar="S", help="the seed (default: a random one, printed)")
    sheet.add_argument("--shape", default="2-3-3-2-1", help="layer sizes, input first (default 2-3-3-2-1)")
    sheet.add_argument("--values", default="int", choices=("int", "half", "decimal"),
                       help="integers, halves or decimals (default int)")
    sheet.add_argument("--range", default="-3..3", metavar="LOW..HIGH",
                       help="bounds of inputs, weights and biases (default -3..3)")
    sheet.add_argument("--format", default="latex,markdown", metavar="FORMATS",
                       help="latex, markdown or both, comma-separated (default latex,markdown)")
    sheet.add_argument("--pdf", action="store_true", help="also compile the LaTeX to PDF")
    sheet.add_argument("--out", type=Path, default=Path("output"), help="directory (default: output/)")
    sheet.add_argument("--roster", type=Path, metavar="FILE.csv",
                       help="a class set: one variant per student of this CSV (columns id,name)")
    sheet.add_argument("--split", action="store_true", help="with --roster: also one sheet per student")
    sheet.add_argument("--no-diagram", dest="diagram", action="store_false",
                       help="no pictures of the networks (default: TikZ in LaTeX, SVGs in figures/ for Markdown)")
    sheet.set_defaults(run=_sheet)

    mean = commands.add_parser("expect", help="the exact mean prediction over all dropout masks")
    mean.add_argument("spec", type=Path, help="problem spec file (needs dropout.keep)")
    _output_flags(mean)
    mean.add_argument("--symbolic-q", action="store_true", help="the mean as an expression in the keep probabilities")
    mean.add_argument("--samples", type=int, metavar="T", help="also a Monte-Carlo estimate from T sampled masks")
    mean.add_argument("--seed", type=int, default=0, metavar="S", help="seed of the sampled masks (default 0)")
    mean.set_defaults(run=_expect)

    check = commands.add_parser("verify", help="compare the exact pass with PyTorch (float64)")
    check.add_argument("spec", type=Path, help="problem spec file")
    check.add_argument("--seed", type=int, default=0, metavar="S",
                       help="torch.manual_seed for the masks nn.Dropout draws (default 0)")
    check.set_defaults(run=_verify)
    return parser


def _output_flags(command) -> None:
    command.add_argument("--format", choices=("latex", "markdown", "json"),
                         help="output format (default: from -o's suffix, else markdown)")
    command.add_argument("-o", "--output", type=Path, help="write here instead of standard output")
    command.add_argument("--pdf", action="store_true", help="also write the compiled PDF beside -o")


def _diagram_flags(command) -> None:
    picture = command.add_mutually_exclusive_group()
    picture.add_argument("--no-diagram", dest="diagram", action="store_false",
                         help="no picture of the network (default: TikZ in LaTeX, an SVG beside -o FILE.md)")
    picture.add_argument("--edge-weights", action="store_true",
                         help="write the weights on the picture's connections (small networks only)")


def _example(args) -> int:
    derivation = derive(example())
    options = {"diagram": args.diagram, "edge_weights": args.edge_weights}
    svg = render_svg(derivation, edge_weights=args.edge_weights) if args.diagram else None
    latex = derivation.to_latex(**options)
    markdown = derivation.to_markdown(svg="tutorial.svg" if svg else None, **options)
    files = {args.out / "tutorial.tex": latex, args.out / "tutorial.md": markdown}
    if svg:
        files[args.out / "tutorial.svg"] = svg
    if args.pdf:
        files[args.out / "tutorial.pdf"] = compile_pdf(latex)
    for path in write_files(files):
        print(path)
    return 0


def _solve(args) -> int:
    fmt = args.format or SUFFIXES.get(args.output.suffix.lower() if args.output else "", "markdown")
    if args.pdf and args.output is None:
        raise SymdropError("--pdf: expected -o FILE (the PDF is written beside it)")
    derivation = derive(load_spec(args.spec), symbolic=args.symbolic, mode=args.mode)
    options = {"diagram": args.diagram, "edge_weights": args.edge_weights}
    # Markdown shows the picture as an SVG file beside -o FILE; on standard output it has none.
    writes_md = fmt == "markdown" and args.output is not None and args.output.suffix.lower() != ".pdf"
    svg = render_svg(derivation, edge_weights=args.edge_weights) if writes_md and args.diagram else None
    if svg and args.output.suffix.lower() == ".svg":
        raise SymdropError(f"-o {args.output}: the picture goes to FILE.svg; name the Markdown FILE.md")
    if fmt == "json":
        text = json.dumps(derivation.to_json(), indent=2) + "\n"
    elif fmt == "latex":
        text = derivation.to_latex(**options)
    else:
        text = derivation.to_markdown(svg=args.output.with_suffix(".svg").name if svg else None, **options)
    files = {}
    if svg:
        files[args.output.with_suffix(".svg")] = svg
    if args.pdf:
        source = text if fmt == "latex" else derivation.to_latex(**options)
        files[args.output.with_suffix(".pdf")] = compile_pdf(source)
    return _output(args, text, files)


def _sheet(args) -> int:
    from .exercises.generate import Options, check_options, parse_range, parse_shape
    from .io.progress import Progress
    from .exercises.roster import read_roster
    from .exercises.sheet import FORMATS, build_class_set, build_sheet, sheet_files

    formats = tuple(f.strip() for f in args.format.split(",") if f.strip())
    if not formats or any(f not in FORMATS for f in formats):
        raise SymdropError(f"--format: expected latex, markdown or latex,markdown, got {args.format!r}")
    if args.split and args.roster is None:
        raise SymdropError("--split: expected --roster FILE.csv (it splits a class set by student)")
    if args.problems is not None and not 1 <= args.problems <= 500:
        raise SymdropError(f"--problems: expected 1 to 500, got {args.problems}")
    if args.seed is not None and args.seed < 0:
        raise SymdropError(f"--seed: expected a non-negative integer, got {args.seed}")
    options = Options(parse_shape(args.shape), args.values, *parse_range(args.range))
    check_options(options)
    students = read_roster(args.roster) if args.roster is not None else ()
    seed = random.SystemRandom().randrange(1_000_000) if args.seed is None else args.seed
    problems = args.problems or (1 if students else 5)
    count = problems * (len(students) or 1)
    with Progress(count * (1 + len(formats)), "symdrop sheet") as progress:
        if students:
            sheet = build_class_set(seed, options, students, problems, progress=progress)
        else:
            sheet = build_sheet(seed, options, problems, progress=progress)
        files = sheet_files(sheet, args.out, formats, pdf=args.pdf, split=args.split, diagram=args.diagram,
                            progress=progress)
    for path in write_files(files):
        print(path)
    if args.seed is None:
        print(f"symdrop: seed {seed} (pass --seed {seed} to make the same files again)", file=sys.stderr)
    return 0


def _expect(args) -> int:
    fmt = args.format or SUFFIXES.get(args.output.suffix.lower() if args.output else "", "markdown")
    if args.pdf and args.output is None:
        raise SymdropError("--pdf: expected -o FILE (the PDF is written beside it)")
    ensemble = expect(load_spec(args.spec), symbolic_q=args.symbolic_q, samples=args.samples, seed=args.seed)
    if fmt == "json":
        text = json.dumps(ensemble.to_json(), indent=2) + "\n"
    else:
        text = ensemble.to_latex() if fmt == "latex" else ensemble.to_markdown()
    files = {}
    if args.pdf:
        files[args.output.with_suffix(".pdf")] = compile_pdf(text if fmt == "latex" else ensemble.to_latex())
    return _output(args, text, files)


def _output(args, text: str, files: dict) -> int:
    """``text`` on standard output, or into ``-o FILE`` (unless it names the PDF) with ``files``
    beside it: all of them written, or none."""
    if args.output is None:
        sys.stdout.write(text)
        return 0
    if args.output.suffix.lower() != ".pdf":
        files = {args.output: text, **files}
    for path in write_files(files):
        print(path, file=sys.stderr)
    return 0


def _verify(args) -> int:
    from .core.verify import verify

    report = verify(load_spec(args.spec), seed=args.seed)
    sys.stdout.write(report.table(str(args.spec)))
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
