"""The exact mean over every mask: the distribution of a layer's values carried layer by layer."""

from dataclasses import dataclass
from fractions import Fraction
from math import lcm

import sympy
from sympy import ImmutableMatrix

from ..errors import SymdropError
from ..limits import MAX_CARRIED
from ..model.network import Network
from ..numbers import to_fraction
from .connections import connections_mean


def _quiet(label: str, done: int, total: int) -> None:
    """No one listens to the propagation's progress."""


def exact_mean(network: Network, progress=None) -> tuple[ImmutableMatrix, int]:
    """``E[y]`` over all masks, exact, and the most distinct activation vectors held at a layer.

    Instead of the 2^n masks one by one, the distribution of a layer's activation vector is
    carried forward: a mask only matters for units that are not 0 (ReLU has zeroed the rest),
    equal vectors are merged with their probabilities added, and the output layer, linear in
    its masked input, takes the mean of its input instead of every mask.
    """
    if network.dropout.connections:
        return connections_mean(network)
    keep = network.dropout.keep
    rational = all(q.is_Rational for q in keep) and all(
        layer.g.negative_slope is not None for layer in network.layers[:-1]
    )
    progress = progress or _quiet
    return _mean_integers(network, progress) if rational else _mean_exact(network, progress)


class _Budget:
    """The work of the propagation, bounded: every value it forms (each distinct partial sum of an
    input vector's masks, merged as they grow), counted as it forms them, refused beyond
    MAX_CARRIED in one line, after about as much work as the limit."""

    def __init__(self):
        self.carried = 0

    def spend(self, values: int, label: str) -> None:
        self.carried += values
        if self.carried > MAX_CARRIED:
            raise SymdropError(f"expect: more than {MAX_CARRIED:,} vectors carried over the masks (at {label}); "
                               f"the limit is {MAX_CARRIED:,} (fewer maskable units or layers, or estimate the mean "
                               f"with --samples)")


def _mean_integers(network: Network, progress=_quiet) -> tuple[ImmutableMatrix, int]:
    """Rational networks in integers: a vector a is (A, s) with a = A / s, a probability w / P.

    Piecewise linear activations (ReLU, leaky ReLU, identity) commute with positive scaling, so
    one scale s per layer serves every vector; Python integers are exact and fast. The work is
    bounded by the vectors carried (:class:`_Budget`), not by the number of masks.
    """
    budget = _Budget()
    linear_output = network.layers[-1].activation == "identity"
    x = [to_fraction(v) for v in network.x]
    s = lcm(*(v.denominator for v in x))
    states, P, most = {tuple(int(v * s) for v in x): 1}, 1, 1
    total = None  # sum of w A over the input of a linear output layer: all that layer needs
    for l, layer in enumerate(network.layers, start=1):
        q = to_fraction(network.dropout.keep[l - 1])
        inverted = network.dropout.rule(l, "train").input_scale is not None  # kept values / q
        if l == network.depth and linear_output:
            if total is None:  # a single layer: its input is x
                total = [sum(w * A[j] for A, w in states.items()) for j in range(layer.W.cols)]
            expected = q if q != 1 and not inverted else 1  # E[mu] = q; E[mu / q] = 1
            return _affine(layer, [Fraction(t, P * s) * expected for t in total]), most
        scaled = _IntegerLayer.of(layer, q, inverted, s)
        c = to_fraction(layer.g.negative_slope) if layer.g.negative_slope is not None else None
        label = f"layer {l} of {network.depth}"
        if scaled.maskable:
            P *= scaled.n ** layer.W.cols
        s = scaled.scale
        if l == network.depth - 1 and linear_output:
            # The output is linear, so only each unit's mean matters: one unit at a time.
            total = _unit_sums(states, scaled, c, progress, label, budget)
            s *= c.denominator
            continue
        zs = _distinct_sums(states, scaled, progress, label, budget)
        most = max(most, len(zs))
        if c is None:  # sigmoid or tanh on the output: applied exactly, once per distinct z
            return _weighted_mean(zs, P, s, layer.g.apply), most
        states = _leaky(zs, c)
        s *= c.denominator
    # a piecewise linear output activation other than the identity
    total = [sum(w * A[i] for A, w in states.items()) for i in range(network.layers[-1].units)]
    return ImmutableMatrix([sympy.Rational(t, P * s) for t in total]), most


@dataclass(frozen=True)
class _IntegerLayer:
    """A layer's ``z = W (mu A) + b`` in integers, for inputs A at one scale s.

    W and b are multiplied by D, the lcm of their denominators, so z comes out at the scale
    ``scale``. A mask unit counts m times kept and n - m times dropped (q = m/n); inverted
    dropout divides kept values by q: A n (``factor``) over the scale s m.
    """

    W: list[list[int]]  # W D
    bias: list[int]  # b D at the scale of the masked input
    factor: int
    m: int
    n: int
    maskable: bool  # q < 1
    scale: int  # the scale of z

    @classmethod
    def of(cls, layer, q: Fraction, inverted: bool, s: int) -> "_IntegerLayer":
        W, b = _fractions(layer)
        D = lcm(*(v.denominator for row in W for v in row), *(v.denominator for v in b))
        m, n = q.numerator, q.denominator
        maskable = q != 1
        factor, s_in = (n, s * m) if maskable and inverted else (1, s)
        return cls([[int(w * D) for w in row] for row in W], [s_in * int(v * D) for v in b],
                   factor, m, n, maskable, s_in * D)


def _fractions(layer) -> tuple[list[list[Fraction]], list[Fraction]]:
    """A layer's W (row by row) and b as Fractions."""
    return [[to_fraction(w) for w in layer.W.row(i)] for i in range(layer.W.rows)], [to_fraction(v) for v in layer.b]


def _masked_inputs(states: dict, layer: _IntegerLayer, progress, label: str):
    """Each input A with its weight, the part of z no mask changes (the biases; all of z where
    no unit can drop) and the units a mask changes (those not 0: ReLU has zeroed the rest, and
    a mask on a 0 changes nothing, so it only multiplies the weight by n)."""
    W, bias, factor, n = layer.W, layer.bias, layer.factor, layer.n
    for done, (A, w) in enumerate(states.items()):
        progress(label, done, len(states))
        units = range(len(A))
        if not layer.maskable:
            yield A, w, [z + sum(row[j] * A[j] * factor for j in units) for z, row in zip(bias, W)], []
            continue
        active = [j for j in units if A[j] != 0]
        yield A, w * n ** (len(A) - len(active)), bias, active


def _distinct_sums(states: dict, layer: _IntegerLayer, progress, label: str,
                   budget: _Budget) -> dict[tuple[int, ...], int]:
    """Every distinct z of the layer over its inputs and their masks, with its total weight."""
    W, factor, m, n = layer.W, layer.factor, layer.m, layer.n
    zs = {}
    for A, weight, base, active in _masked_inputs(states, layer, progress, label):
        values = {tuple(base): weight}
        budget.spend(1, label)
        for j in active:  # the masks of the active units, one unit at a time, equal sums merged
            column = [row[j] * A[j] * factor for row in W]
            grown = {}
            for v, u in values.items():
                grown[v] = grown.get(v, 0) + u * (n - m)
                kept = tuple([z + c_ for z, c_ in zip(v, column)])
                grown[kept] = grown.get(kept, 0) + u * m
            values = grown
            budget.spend(len(values), label)
        for v, u in values.items():
            zs[v] = zs.get(v, 0) + u
    return zs


def _unit_sums(states: dict, layer: _IntegerLayer, c: Fraction, progress, label: str, budget: _Budget) -> list[int]:
    """``sum over inputs and masks of weight * g(z_i)`` for each unit i of the layer (all a
    linear output layer needs of its input), at the scale times c's denominator."""
    W, factor, m, n = layer.W, layer.factor, layer.m, layer.n
    total = [0] * len(W)
    spend = lambda values: budget.spend(values, label)  # noqa: E731
    for A, weight, base, active in _masked_inputs(states, layer, progress, label):
        spend(len(W))  # a sum for each unit
        for i, row in enumerate(W):
            columns = [row[j] * A[j] * factor for j in active]
            total[i] += weight * _unit_sum(base[i], columns, m, n, c, spend)
    return total


def _leaky(zs: dict, c: Fraction) -> dict[tuple[int, ...], int]:
    """The activations of the distinct z (slope 1 above 0, c below: ReLU, leaky ReLU or the
    identity) at the scale times c's denominator, the weights of equal ones added."""
    states = {}
    for Z, w in zs.items():
        A = tuple(z * c.denominator if z > 0 else z * c.numerator for z in Z)
        states[A] = states.get(A, 0) + w
    return states


def _affine(layer, mean: list[Fraction]) -> ImmutableMatrix:
    """``W mean + b``, exact: a linear output layer's mean from the mean of its input."""
    W, b = _fractions(layer)
    y = [sum((w * a for w, a in zip(row, mean)), Fraction(0)) + bias for row, bias in zip(W, b)]
    return ImmutableMatrix([sympy.Rational(v.numerator, v.denominator) for v in y])


def _unit_sum(base: int, columns: list[int], m: int, n: int, c: Fraction, spend) -> int:
    """``sum over masks of weight * g(z)`` for one unit, ``z = base + sum_j mu_j columns[j]``.

    Each mu_j weighs m (kept) or n - m (dropped). Where z keeps its sign for every mask, g is
    linear there and the sum is direct: over the k masks, weight u times z adds up to
    n^k base + m n^(k-1) sum_j columns[j], times g's slope. Otherwise :func:`_merged_sum`.
    """
    k, whole = len(columns), sum(columns)
    negative = sum([col for col in columns if col < 0])
    if base + negative >= 0 or base + whole - negative <= 0:
        slope = c.denominator if base + negative >= 0 else c.numerator
        return slope * (n**k * base + m * n ** (k - 1) * whole) if k else slope * base
    return _merged_sum(base, sorted(columns, key=abs, reverse=True), m, n, c, spend)


def _merged_sum(base: int, columns: list[int], m: int, n: int, c: Fraction, spend) -> int:
    """:func:`_unit_sum` where z may change sign: the distinct partial sums are merged as they
    grow, one column at a time (the distribution of a sum of independent terms, each counted by
    ``spend``), not every mask visited; and a partial sum whose sign the r columns still to come
    cannot change is settled at once, as :func:`_unit_sum` settles the whole sum (columns
    largest first, so that partial sums settle soon)."""
    up, down = c.denominator, c.numerator  # g's slopes above and below 0, at the scale
    negative = sum([col for col in columns if col < 0])  # of the columns still to come
    positive, rest, r = sum(columns) - negative, sum(columns), len(columns)
    total, sums = 0, {base: 1}
    for col in columns:
        grown = {}
        for z, u in sums.items():
            grown[z] = grown.get(z, 0) + u * (n - m)
            grown[z + col] = grown.get(z + col, 0) + u * m
        spend(len(grown))
        negative, positive, rest, r = negative - min(0, col), positive - max(0, col), rest - col, r - 1
        if r == 0:
            return total + sum(u * (up * z if z > 0 else down * z) for z, u in grown.items())
        scale, tail = n**r, m * n ** (r - 1) * rest  # over the r masks to come: n^r z + m n^(r-1) rest
        sums = {}
        for z, u in grown.items():
            if z + negative >= 0:
                total += u * up * (scale * z + tail)
            elif z + positive <= 0:
                total += u * down * (scale * z + tail)
            else:
                sums[z] = u
        if not sums:
            return total
    raise AssertionError("unreachable: the last column settles every partial sum")


def _weighted_mean(zs: dict, P: int, s: int, g) -> ImmutableMatrix:
    outputs = len(next(iter(zs)))
    mean = [sympy.Integer(0)] * outputs
    for Z, w in zs.items():
        for i, z in enumerate(Z):
            mean[i] += sympy.Rational(w, P) * g(sympy.Rational(z, s))
    return ImmutableMatrix(mean)


def _mean_exact(network: Network, progress=_quiet) -> tuple[ImmutableMatrix, int]:
    """The same propagation in SymPy: sigmoid and tanh values, or keep probabilities as symbols."""
    dropout = network.dropout
    states, most = {tuple(network.x): sympy.Integer(1)}, 1
    for l, layer in enumerate(network.layers, start=1):
        W, b = layer.W, layer.b
        qs = list(dropout.keep_of(l - 1, (W.cols, 1)))  # one q per unit of the layer's input
        inverted = dropout.rule(l, "train").input_scale is not None  # kept values divided by q
        if l == network.depth and layer.activation == "identity":
            total = [sympy.Add(*(p * A[j] for A, p in states.items())) for j in range(W.cols)]
            mean = ImmutableMatrix([t * (1 if inverted else q) for t, q in zip(total, qs)])
            return (W * mean + b).applyfunc(tidy), most
        new = {}
        for done, (A, p) in enumerate(states.items()):
            progress(f"layer {l} of {network.depth}", done, len(states))
            units = range(len(A))
            active = [j for j in units if A[j] != 0 and qs[j] != 1]
            base = [b[i] + sum(W[i, j] * A[j] for j in units if qs[j] == 1) for i in range(W.rows)]
            values, weights = [tuple(base)], [p]
            for j in active:
                q = qs[j]
                column = [W[i, j] * A[j] / (q if inverted else 1) for i in range(W.rows)]
                values += [tuple(z + c for z, c in zip(v, column)) for v in values]
                weights = [u * (1 - q) for u in weights] + [u * q for u in weights]
            for v, u in zip(values, weights):
                a = tuple(layer.g.apply(sympy.expand(z)) for z in v)
                new[a] = new.get(a, 0) + u
        most = max(most, len(new))
        states = new
    total = [sympy.Add(*(p * A[i] for A, p in states.items())) for i in range(network.layers[-1].units)]
    return ImmutableMatrix(total).applyfunc(tidy), most


def tidy(expr):
    """Polynomials in the keep probabilities expanded; numbers left as SymPy keeps them."""
    return sympy.expand(expr) if expr.free_symbols else expr
