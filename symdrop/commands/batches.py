"""The commands of one batch spec (input a list of rows): solve, backprop, expect and verify."""

import sys

from ..core.batch import derive_batch, derive_batch_backprop, expect_batch
from ..core.ensemble import check_mean
from ..errors import SymdropError
from ..io.solutions import solution_files
from ..render import batch as documents
from .common import output, step, warn_title, working


def solve(args, batch, fmt: str, options) -> int:
    """A batch's worked forward pass (examples as columns) in ``--mode``."""
    _no_picture_flags(args)
    if args.symbolic:
        raise SymdropError(f"--symbolic {args.symbolic}: expected a spec of one example (input a list of numbers), "
                           f"got a batch of {batch.size}")
    with working("solve", 2 + args.pdf) as bar:
        derivation = step(bar, "symdrop solve: every example's exact pass", derive_batch)(batch, mode=args.mode)
        warn_title(batch, fmt, args)
        text, files = solution_files(
            fmt, args.output, step(bar, "symdrop solve: the document",
                                   lambda fmt, svg: documents.render_batch_solution(derivation, fmt, options)),
            step(bar, "symdrop solve: the JSON", lambda: documents.batch_solution_json(derivation)), pdf=args.pdf, tagged=args.tagged)
    return output(args, text, files)


def backprop(args, batch, fmt: str, options, rate) -> int:
    """A batch's mean loss and its gradients, the mean of every example's (and with a rate one step)."""
    _no_picture_flags(args)
    if batch.target is None:
        raise SymdropError(f"{args.spec}: target: missing (the backward pass needs one target row per example)")
    with working("backprop", 2 + args.pdf) as bar:
        result = step(bar, "symdrop backprop: every example's exact passes", derive_batch_backprop)(batch, rate)
        warn_title(batch, fmt, args)
        text, files = solution_files(
            fmt, args.output, step(bar, "symdrop backprop: the document",
                                   lambda fmt, svg: documents.render_batch_backprop(result, fmt, options)),
            step(bar, "symdrop backprop: the JSON", lambda: documents.batch_backprop_json(result)), pdf=args.pdf, tagged=args.tagged)
    return output(args, text, files)


def expect(args, batch, fmt: str, options) -> int:
    """Each example's exact mean over every mask, as columns."""
    for flag, given in (("--symbolic-q", args.symbolic_q), ("--samples", args.samples is not None)):
        if given:
            raise SymdropError(f"{flag}: expected a spec of one example (input a list of numbers), "
                               f"got a batch of {batch.size}")
    check_mean(*batch.examples)  # sigmoid and tanh through sigmoid and tanh: refused before the means start
    ensemble = expect_batch(batch)
    warn_title(batch, fmt, args)
    text, files = solution_files(fmt, args.output, lambda fmt, svg: documents.render_batch_expect(ensemble, fmt, options),
                                 lambda: documents.batch_expect_json(ensemble), pdf=args.pdf, tagged=args.tagged)
    return output(args, text, files)


def verify(args, batch) -> int:
    """A batch's exact passes, mean loss and gradients against PyTorch's (float64)."""
    from ..core.batchverify import verify_batch

    report = verify_batch(batch, seed=args.seed)
    sys.stdout.write(report.table(str(args.spec)))
    return 0 if report.ok else 1


def _no_picture_flags(args) -> None:
    """A batch's documents draw no picture (each example has masks of its own)."""
    if getattr(args, "edge_weights", False):
        raise SymdropError("--edge-weights: a batch's worked solution has no picture of the network "
                           "(each example has its own masks)")
