"""Symbols in place of a network's numbers: the masks (``--symbolic masks``), or every number and
keep probability below 1 (``--symbolic all``; the ensemble's closed form), and what SymPy cannot
know of a mask symbol."""

from dataclasses import replace

import sympy
from sympy import ImmutableMatrix

from ..model.network import Network


def symbolize(network: Network, which: str) -> tuple[Network, tuple[sympy.Symbol, ...]]:
    """``network`` with masks (and, for "all", weights, biases, inputs and keep probabilities
    below 1) made symbols.

    Also returns the mask symbols, mu^(0) first; they are nonnegative, as masks are 0 or 1.
    """
    mu = [
        ImmutableMatrix(sympy.symbols(f"mu{l}_1:{m.rows + 1}", nonnegative=True))
        for l, m in enumerate(network.masks)
    ]
    symbols = tuple(s for m in mu for s in m)
    if which == "masks":
        return replace(network, masks=tuple(mu)), symbols
    layers = []
    for l, layer in enumerate(network.layers, start=1):
        weight = ApartWeight if max(layer.W.shape) >= 10 else sympy.Symbol
        W = ImmutableMatrix(layer.W.rows, layer.W.cols, lambda i, j: weight(f"w{l}_{i + 1}_{j + 1}"))
        b = ImmutableMatrix(sympy.symbols(f"b{l}_1:{layer.units + 1}"))
        layers.append(replace(layer, W=W, b=b))
    x = ImmutableMatrix(sympy.symbols(f"x_1:{network.x.rows + 1}"))
    dropout = network.dropout
    if dropout.keep is not None:
        dropout = replace(dropout, keep=keep_symbols(dropout))
    return replace(network, x=x, layers=tuple(layers), masks=tuple(mu), dropout=dropout), symbols


class ApartWeight(sympy.Symbol):
    """A weight of a layer with 10 or more rows or columns, whose indices are written apart,
    w_{1,1}, as w_{1,10} must be: w_{11} would read as a unit 11 there (render.printer)."""

    indices_apart = True


def keep_symbols(dropout) -> tuple[sympy.Expr, ...]:
    """The keep probabilities with every q < 1 a positive symbol ``q^(l)``; q = 1 stays 1."""
    return tuple(
        sympy.Symbol(f"q{l}", positive=True) if dropout.maskable(l) else q for l, q in enumerate(dropout.keep)
    )


def binary(mask_symbols):
    """Simplify with what SymPy cannot know: a mask is 0 or 1, so mu**k = mu."""
    masks = set(mask_symbols)

    def simplify(expr):
        return expr.replace(
            lambda e: e.is_Pow and e.base in masks and e.exp.is_Integer and e.exp > 0,
            lambda e: e.base,
        )

    return simplify
