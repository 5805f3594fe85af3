"""The command line: argument parsing only; the library does the work."""

import argparse
import json
import sys
from pathlib import Path

from . import derive, example, load_spec
from .conventions import MODES
from .derive import SYMBOLIC_MODES
from .ensemble import expect
from .errors import SymdropError
from .files import write_files
from .tex import compile_pdf

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
    ex.set_defaults(run=_example)

    solve = commands.add_parser("solve", help="the worked solution of a problem spec (YAML or JSON)")
    solve.add_argument("spec", type=Path, help="problem spec file")
    solve.add_argument("--format", choices=("latex", "markdown", "json"),
                       help="output format (default: from -o's suffix, else markdown)")
    solve.add_argument("-o", "--output", type=Path, help="write here instead of standard output")
    solve.add_argument("--pdf", action="store_true", help="also write the compiled PDF beside -o")
    solve.add_argument("--symbolic", choices=SYMBOLIC_MODES,
                       help="all: every weight, bias, mask and input a symbol; masks: masks only")
    solve.add_argument("--mode", choices=MODES, default="train",
                       help="train (default): the masks, with the convention's scaling; test: the test-time pass")
    solve.set_defaults(run=_solve)

    mean = commands.add_parser("expect", help="the exact mean prediction over all dropout masks")
    mean.add_argument("spec", type=Path, help="problem spec file (needs dropout.keep)")
    mean.add_argument("--format", choices=("latex", "markdown", "json"),
                      help="output format (default: from -o's suffix, else markdown)")
    mean.add_argument("-o", "--output", type=Path, help="write here instead of standard output")
    mean.add_argument("--pdf", action="store_true", help="also write the compiled PDF beside -o")
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


def _example(args) -> int:
    derivation = derive(example())
    latex = derivation.to_latex()
    files = {args.out / "tutorial.tex": latex, args.out / "tutorial.md": derivation.to_markdown()}
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
    if fmt == "json":
        text = json.dumps(derivation.to_json(), indent=2) + "\n"
    else:
        text = derivation.to_latex() if fmt == "latex" else derivation.to_markdown()
    files = {}
    if args.output is not None and args.output.suffix.lower() != ".pdf":
        files[args.output] = text
    if args.pdf:
        source = text if fmt == "latex" else derivation.to_latex()
        files[args.output.with_suffix(".pdf")] = compile_pdf(source)
    if args.output is None:
        sys.stdout.write(text)
    else:
        for path in write_files(files):
            print(path, file=sys.stderr)
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
    if args.output is not None and args.output.suffix.lower() != ".pdf":
        files[args.output] = text
    if args.pdf:
        files[args.output.with_suffix(".pdf")] = compile_pdf(text if fmt == "latex" else ensemble.to_latex())
    if args.output is None:
        sys.stdout.write(text)
    else:
        for path in write_files(files):
            print(path, file=sys.stderr)
    return 0


def _verify(args) -> int:
    from .verify import verify

    report = verify(load_spec(args.spec), seed=args.seed)
    sys.stdout.write(report.table(str(args.spec)))
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
