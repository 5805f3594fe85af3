"""Rounded values carried through a pass: what a student who rounds every layer to K places gets."""

from fractions import Fraction
from math import ceil, floor

import sympy

from ..model.activations import derivative
from ..model.network import Network
from .forward import DECIMALS, forward, input_scales, layer_values

MARGIN = Fraction(1, 10**30)  # above a bound computed to 40 digits, for the digits it lacks


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
    it and every other student who carries values rounded to ``places`` (see :func:`tolerance`)."""
    inputs = {}
    for l in range(2, network.depth + 1):  # layer l takes the rounded a^(l-1)
        values = forward(network, mode, inputs=inputs, terms=False)
        inputs[l] = tuple(sympy.Rational(half_up(exact_fraction(v), places)) for v in values[l - 2].a)
    prediction = tuple(exact_fraction(v) for v in forward(network, mode, inputs=inputs, terms=False)[-1].a)
    return prediction, tolerance(network, mode, places)


def tolerance(network: Network, mode: str, places: int) -> Fraction:
    """The tolerance that accepts every student who carries values rounded to ``places`` decimals:
    :func:`bound`, rounded up to ``places`` decimals."""
    unit = Fraction(1, 10**places)
    return max(1, ceil(bound(network, mode, places) / unit)) * unit


def bound(network: Network, mode: str, places: int) -> Fraction:
    """How far, at most, the answer of a student who rounds to ``places`` decimals lies from the
    exact prediction of the pass of ``mode``: from the first sigmoid or tanh layer on, the student
    may round every z and every such layer's a to the nearest (half a unit of the last place,
    ``h``, each), and rounds the answer.

    Layer by layer, with e the bound on the error of each a^(l-1)_j: z^(l)_i is off by at most
    sum_j |w_ij s_j| e_j (+ h), where s is the input's scale (mu/q, mu or 1) and w the weights the
    pass multiplies by; a^(l)_i by at most the largest |g'| within that distance of z^(l)_i (for
    sigma and tanh g'(t) at the t nearest 0; a piecewise linear g's slopes are at most 1) times
    that (+ h where g is sigma or tanh). Computed to 40 digits, plus a margin of 10^-30."""
    half = DECIMALS.mpf(1) / (2 * 10**places)
    passes, scales = layer_values(network, mode, True), input_scales(network, mode)
    errors = [DECIMALS.mpf(0)] * network.x.rows
    rounding = False
    for layer, values, scale in zip(network.layers, passes, scales):
        g = layer.g
        rounding = rounding or g.smooth
        z_errors = [sum((abs(w * s) * e for w, s, e in zip(row, scale, errors)), DECIMALS.mpf(0)) + (half if rounding else 0)
                    for row in values.weights]
        errors = [_steepest(g, z, e) * e + (half if g.smooth else 0) for z, e in zip(values.z, z_errors)]
    return _fraction(max(errors)) + MARGIN


def _fraction(value) -> Fraction:
    """A decimal (mpmath, binary inside) as the exact Fraction it is."""
    man, exp = DECIMALS.mpf(value).man_exp
    return Fraction(man) * 2**exp if exp >= 0 else Fraction(man, 2**-exp)


def _steepest(g, z, off):
    """The largest |g'| within ``off`` of ``z``."""
    if not g.smooth:
        return 1
    t = max(abs(z) - off, 0)
    return abs(derivative(g, t, g.decimal(DECIMALS.mpf(t))))
