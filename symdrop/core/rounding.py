"""Rounded values carried through a pass: what a student who rounds every layer to K places gets."""

from fractions import Fraction
from math import ceil, floor

import sympy

from ..model.activations import derivative
from ..model.network import Network
from .backward import backward
from .forward import forward, input_scales, layer_values
from .passnumbers import DECIMALS

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
    ``h``, each), and rounds the answer (see :func:`layer_errors`). Computed to 40 digits, plus a
    margin of 10^-30."""
    return _fraction(max(layer_errors(network, mode, places)[-1][2])) + MARGIN


def layer_errors(network: Network, mode: str, places: int) -> list[tuple[list, list, list]]:
    """For every layer, how far at most each entry of a~^(l-1), z^(l) and a^(l) of a student who
    rounds to ``places`` decimals lies from the exact ones (40-digit decimals), as :func:`bound`
    says.

    Layer by layer, with e the bound on the error of each a^(l-1)_j: a~^(l-1)_j = s_j a^(l-1)_j,
    where s is the input's scale (mu/q, mu or 1), is off by at most |s_j| e_j (+ h where s_j is
    neither 0 nor 1, a new number the student may round); z^(l)_i by at most sum_j |w_ij| times
    that (+ h from the first sigmoid or tanh layer on), w the weights the pass multiplies by;
    a^(l)_i by at most the largest |g'| within that distance of z^(l)_i (for sigma and tanh g'(t)
    at the t nearest 0; a piecewise linear g's slopes are at most 1) times that (+ h where g is
    sigma or tanh)."""
    half = DECIMALS.mpf(1) / (2 * 10**places)
    passes, scales = layer_values(network, mode, True), input_scales(network, mode)
    errors = [DECIMALS.mpf(0)] * network.x.rows
    rounding, found = False, []
    for layer, values, scale in zip(network.layers, passes, scales):
        g = layer.g
        rounding = rounding or g.smooth
        masked = [abs(s) * e + (half if s not in (0, 1) else 0) for s, e in zip(scale, errors)]
        z_errors = [sum((abs(w) * e for w, e in zip(row, masked)), DECIMALS.mpf(0)) + (half if rounding else 0)
                    for row in values.weights]
        errors = [_steepest(g, z, e) * e + (half if g.smooth else 0) for z, e in zip(values.z, z_errors)]
        found.append((masked, z_errors, errors))
    return found


def gradient_tolerance(network: Network, places: int) -> Fraction:
    """The tolerance of dL/dW^(1) (squared loss) that accepts every student who carries values
    rounded to ``places`` decimals: :func:`gradient_bound`, rounded up to ``places`` decimals."""
    unit = Fraction(1, 10**places)
    return max(1, ceil(gradient_bound(network, places) / unit)) * unit


def gradient_bound(network: Network, places: int) -> Fraction:
    """How far, at most, each entry of dL/dW^(1) of a student who rounds to ``places`` decimals
    lies from the exact one: the forward pass as :func:`layer_errors` says, then going back with
    every value the student writes rounded (h each): dL/dy = y - t off as y is; g'(z) of a sigma
    or tanh unit, from the student's a, is a(1 - a) or 1 - a^2, a quadratic in a whose second
    derivative is -2, so off by at most |f'(a)| e + e^2 (e: a's error; a piecewise linear g' is
    exact); each product u v by at most |u| e_v + |v| e_u + e_u e_v; each sum W^T delta and each
    mask (mu/q) as the forward pass's sums. Computed to 40 digits, plus a margin of 10^-30."""
    half = DECIMALS.mpf(1) / (2 * 10**places)
    product = lambda u, v, eu, ev: abs(u) * ev + abs(v) * eu + eu * ev + half  # noqa: E731
    forward_errors = layer_errors(network, "train", places)
    gradients = backward(network, numeric=True)
    passes, scales = gradients.forward, input_scales(network, "train")
    incoming = forward_errors[-1][2]  # dL/dy = y - t: off as y
    for l in range(network.depth, 0, -1):
        g, values, going = network.layers[l - 1].g, passes[l - 1], gradients.layers[l - 1]
        slopes = [_slope_error(g, a, e, half) for a, e in zip(values.a, forward_errors[l - 1][2])]
        deltas = [product(u, d, eu, ed) for u, d, eu, ed in zip(going.incoming, going.derivative, incoming, slopes)]
        if l == 1:  # dL/dW^(1)_ij = delta_i a~^(0)_j
            return _fraction(max(product(d, x, ed, ex) for d, ed in zip(going.delta, deltas)
                                 for x, ex in zip(values.masked, forward_errors[0][0]))) + MARGIN
        upstream = [sum((abs(row[j]) * e for row, e in zip(values.weights, deltas)), DECIMALS.mpf(0)) + half
                    for j in range(len(values.masked))]
        incoming = [abs(s) * e + half for s, e in zip(scales[l - 1], upstream)]
    raise ValueError("a network without layers")


def _slope_error(g, a, error, half):
    """How far g'(z) computed from a student's a lies from the exact one (see :func:`gradient_bound`)."""
    if not g.smooth:
        return 0
    steep = abs(derivative(g, None, a + 1) - derivative(g, None, a - 1)) / 2  # |f'(a)|: exact for a quadratic f
    return steep * error + error**2 + half


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
