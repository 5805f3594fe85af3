"""The commands of one problem: example, solve, backprop, expect, verify, and templates."""

import sys
from importlib import resources

from .. import example as tutorial, load_spec
from ..core.ensemble import check_mean
from ..core.derive import derive
from ..core.ensemble import expect as ensemble_mean
from ..errors import SymdropError
from ..io.solutions import solution_files
from ..model.batch import Batch
from ..io.tex import compile_pdf
from ..render import documents, formats, values
from . import batches
from .common import (chosen_format, output, print_written, render_options, single, step, warn_title,
                     with_spec_digits, working)


def example(args) -> int:
    """The tutorial's worked example into ``--out`` (or, with ``--spec``, its spec)."""
    if args.spec:
        return output(args, resources.files("symdrop.data").joinpath("tutorial.yaml").read_text(encoding="utf-8"), {})
    if args.output is not None:
        raise SymdropError("-o: expected --spec (the worked example goes into --out DIR)")
    derivation = derive(tutorial())
    options = render_options(args)
    svg = documents.render_svg(derivation, options) if options.diagram else None
    latex = documents.render_solution(derivation, "latex", options)
    markdown = documents.render_solution(derivation, "markdown", options, svg="tutorial.svg" if svg else None)
    files = {args.out / "tutorial.tex": latex, args.out / "tutorial.md": markdown}
    if svg:
        files[args.out / "tutorial.svg"] = svg
    if args.pdf:
        files[args.out / "tutorial.pdf"] = compile_pdf(latex)
    return print_written(files)


def solve(args) -> int:
    """A spec's worked solution (or, in an LMS format, its problem as a question)."""
    fmt = chosen_format(args, "solve")
    options = render_options(args)
    if formats.get(fmt).export:
        return _solve_export(args, fmt, options)
    network = load_spec(args.spec)
    if isinstance(network, Batch):
        return batches.solve(args, network, fmt, options)
    options = with_spec_digits(options, network)
    with working("solve", 2 + args.pdf) as bar:
        derivation = step(bar, "symdrop solve: the exact pass", derive)(network, args.symbolic, args.mode)
        warn_title(derivation.network, fmt, args)
        text, files = solution_files(
            fmt, args.output,
            step(bar, "symdrop solve: the document", lambda fmt, svg: documents.render_solution(derivation, fmt, options,
                                                                                                svg=svg)),
            step(bar, "symdrop solve: the JSON", lambda: values.solution_json(derivation)),
            picture=(lambda: documents.render_svg(derivation, options)) if options.diagram else None, pdf=args.pdf, tagged=args.tagged)
    return output(args, text, files)


def _solve_export(args, fmt: str, options) -> int:
    """The spec's problem as an LMS question, of the kind its mode and convention make it:
    test-time with --mode test, else inverted or forward."""
    from ..exercises.kinds import of_spec
    from ..exercises.sheet import spec_sheet

    if args.symbolic:
        raise SymdropError(f"--format {fmt}: expected numbers, not --symbolic (an LMS compares decimals)")
    if args.pdf:
        raise SymdropError(f"--format {fmt}: --pdf compiles LaTeX; write the PDF with --format latex")
    network = single(load_spec(args.spec), f"--format {fmt}")
    sheet, left_out = spec_sheet(network, of_spec(network, args.mode))
    if left_out:
        print(f"symdrop: warning: --format {fmt}: the question names no common mistake (a mistake's pass refused: "
              f"{left_out})", file=sys.stderr)
    return output(args, formats.get(fmt).write_sheet(sheet, options, name=network.title or args.spec.stem), {})


def backprop(args) -> int:
    """A spec's backward pass (and with ``--step`` one gradient-descent step)."""
    from ..core.backprop import derive_backprop
    from ..numbers import exact

    fmt = chosen_format(args, "backprop")
    options = render_options(args)
    rate = None
    if args.step is not None:
        rate = exact(args.step, "--step")
        if rate <= 0:
            raise SymdropError(f"--step: expected a positive learning rate, got {args.step}")
    network = load_spec(args.spec)
    if isinstance(network, Batch):
        return batches.backprop(args, network, fmt, options, rate)
    if network.target is None:
        raise SymdropError(f"{args.spec}: target: missing (the backward pass needs one target value per output)")
    options = with_spec_digits(options, network)
    with working("backprop", 2 + args.pdf) as bar:
        result = step(bar, "symdrop backprop: the exact passes", derive_backprop)(network, rate)
        warn_title(network, fmt, args)
        text, files = solution_files(
            fmt, args.output,
            step(bar, "symdrop backprop: the document", lambda fmt, svg: documents.render_backprop(result, fmt, options,
                                                                                                   svg=svg)),
            step(bar, "symdrop backprop: the JSON", lambda: values.backprop_json(result)),
            picture=(lambda: documents.render_svg(result.forward, options)) if options.diagram else None, pdf=args.pdf, tagged=args.tagged)
    return output(args, text, files)


def _with_keep(path, purpose: str):
    """The spec at ``path`` (masks not needed), refused naming its file where it gives no keep
    probabilities, as the other commands' missing fields are."""
    network = load_spec(path, require_masks=False)
    if network.dropout.keep is None:
        raise SymdropError(f"{path}: dropout.keep: missing ({purpose} the keep probabilities)")
    return network


def expect(args) -> int:
    """A spec's exact ensemble mean over every mask (a progress bar on a terminal)."""
    from ..io.progress import Progress, on_terminal

    fmt = chosen_format(args, "expect")
    options = render_options(args)
    network = _with_keep(args.spec, "the ensemble mean needs")
    if isinstance(network, Batch):
        return batches.expect(args, network, fmt, options)
    check_mean(network)  # sigmoid and tanh through sigmoid and tanh: refused before the mean starts
    with Progress(0, "symdrop expect", enabled=on_terminal()) as bar:  # on a terminal, for long layers only
        ensemble = ensemble_mean(network, symbolic_q=args.symbolic_q, samples=args.samples, seed=args.seed,
                                 progress=lambda label, done, total: bar.show(f"symdrop expect: {label}", done, total))
    options = with_spec_digits(options, network)
    warn_title(ensemble.network, fmt, args)
    text, files = solution_files(fmt, args.output, lambda fmt, svg: documents.render_expect(ensemble, fmt, options),
                                 lambda: values.expect_json(ensemble), pdf=args.pdf, tagged=args.tagged)
    return output(args, text, files)


def moments(args) -> int:
    """A spec's statistics over every mask: each unit's mean and variance, the loss's, the gradients'."""
    from ..core.statistics import derive_statistics

    fmt = chosen_format(args, "moments")
    network = _with_keep(args.spec, "the statistics over every mask need")
    options = with_spec_digits(render_options(args), network)
    check_mean(*(network.examples if isinstance(network, Batch) else (network,)))  # before the statistics start
    with working("moments", 2 + args.pdf) as bar:
        statistics = step(bar, "symdrop moments: the statistics over every mask", derive_statistics)(network)
        warn_title(statistics.network, fmt, args)
        text, files = solution_files(
            fmt, args.output, step(bar, "symdrop moments: the document",
                                   lambda fmt, svg: documents.render_moments(statistics, fmt, options)),
            step(bar, "symdrop moments: the JSON", lambda: values.moments_json(statistics)), pdf=args.pdf, tagged=args.tagged)
    return output(args, text, files)


def verify(args) -> int:
    """A spec's exact pass against PyTorch's (float64)."""
    from ..core.verify import verify as against_torch

    network = load_spec(args.spec)
    if isinstance(network, Batch):
        return batches.verify(args, network)
    with working("verify", 1) as bar:
        report = step(bar, "symdrop verify: the exact passes and PyTorch's", against_torch)(network, seed=args.seed)
    sys.stdout.write(report.table(str(args.spec)))
    return 0 if report.ok else 1


def templates(args) -> int:
    """The built-in templates, copied into ``--out`` to change."""
    from ..render.env import builtin_templates

    source = builtin_templates()
    return print_written({args.out / path.relative_to(source): path.read_text(encoding="utf-8")
                          for path in sorted(source.rglob("*.j2"))})
