"""Rounded values carried through a pass: what a student who rounds every layer to K places gets."""

from fractions import Fraction
from math import ceil, floor

import sympy

from ..model.network import Network
from .forward import forward


def half_up(value: Fraction, places: int) -> Fraction:
    """``value`` rounded half up (away from 0 at a tie) to ``places`` decimals, as a student rounds."""
    scaled = floor(abs(value) * 10**places + Fraction(1, 2))
    return Fraction(scaled if value >= 0 else -scaled, 10**places)


def exact_fraction(value) -> Fraction:
    """An exact number (int, Fraction, SymPy rational or irrational) as a Fraction: a rational
    exactly, an irrational to 40 significant digits (far below any places a document shows)."""
    value = sympy.sympify(value)
    if value.is_Rational:
        return Fraction(int(value.p), int(value.q))
    return Fraction(str(sympy.N(value, 40)))


def carried(network: Network, mode: str, places: int) -> tuple[tuple[Fraction, ...], Fraction]:
    """The prediction of a student who rounds each hidden layer's activations to ``places``
    decimals and computes the next layer from the rounded values, and the tolerance that accepts
    it: half a unit of the last place (rounding the answer itself) and the farthest such a
    prediction lies from the exact one, rounded up to ``places`` decimals."""
    inputs = {}
    for l in range(2, network.depth + 1):  # layer l takes the rounded a^(l-1)
        values = forward(network, mode, inputs=inputs, terms=False)
        inputs[l] = tuple(sympy.Rational(half_up(exact_fraction(v), places)) for v in values[l - 2].a)
    prediction = tuple(exact_fraction(v) for v in forward(network, mode, inputs=inputs, terms=False)[-1].a)
    exact = tuple(exact_fraction(v) for v in forward(network, mode, terms=False)[-1].a)
    off = max(abs(p - e) for p, e in zip(prediction, exact))
    unit = Fraction(1, 10**places)
    return prediction, ceil((unit / 2 + off) / unit) * unit
