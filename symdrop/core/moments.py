"""Dropout's statistics over every mask, exact: the mean and variance of every unit of every
layer, the prediction's covariance and distribution, and with a target the loss's and each
gradient's mean and variance.

Each mask entry is kept with its probability q, independently of every other. The layers'
values come from their distribution carried layer by layer (:mod:`.distribution`); a linear
output layer takes its moments from the law of total variance instead (the one fast path); the
loss and the gradients visit every mask through the core's backward pass.
"""

from dataclasses import dataclass, replace
from fractions import Fraction
from itertools import product

import sympy

from ..errors import SymdropError
from ..limits import (MAX_MASKABLE, MAX_MASKABLE_WEIGHTS, MAX_MOMENTS_EVERY_MASK, MAX_MOMENTS_GRADIENT_WORK,
                      MAX_MOMENTS_SMOOTH, MAX_MOMENTS_SMOOTH_TARGET)
from ..model.batch import Batch
from ..model.network import Network
from .backward import backward
from .distribution import carried, linear_moments, output_values
from .everymask import mask_entries, maskable_units, masks_of
from .passnumbers import Number, network_numbers
from .noise import Noise, input_noise
from .penalty import Penalty, applies, penalty

LIST_UP_TO = 16  # the prediction's whole distribution is given when it takes at most this many values


@dataclass(frozen=True)
class Stats:
    """The mean and variance of each entry (a vector, a matrix as rows, or one number)."""

    mean: tuple
    variance: tuple


@dataclass(frozen=True)
class LayerMoments:
    """Layer l: its masked input a~^(l-1) (None with DropConnect, whose masks are on the
    weights), z^(l) and a^(l); ``values``: how many distinct z^(l) it takes (None where the
    fast path took its moments without them)."""

    l: int
    masked: Stats | None
    z: Stats
    a: Stats
    values: int | None


@dataclass(frozen=True)
class Nwgm:
    """One sigmoid output unit y = sigma(S): the arithmetic mean E[sigma(S)] beside the normalised
    weighted geometric mean G / (G + G'), G = prod sigma(S)^P(S), G' = prod (1 - sigma(S))^P(S),
    which is sigma(E[S]) exactly (log((1 - sigma(S)) / sigma(S)) = -S)."""

    mean_s: Number
    arithmetic: sympy.Expr
    geometric: sympy.Expr


@dataclass(frozen=True)
class Moments:
    """The statistics of ``network`` over its ``masks`` = 2^``maskable`` masks."""

    network: Network
    maskable: int
    layers: tuple[LayerMoments, ...]
    covariance: tuple[tuple, ...]  # of the prediction's entries
    distribution: tuple | None  # ((value, probability), ...) sorted, None beyond LIST_UP_TO values
    loss: Stats | None = None  # one number each
    gradients: tuple[tuple[Stats, Stats], ...] | None = None  # (dL/dW^(l), dL/db^(l)) for l = 1..L
    nwgm: Nwgm | None = None
    noise: Noise | None = None
    fast_output: bool = False  # the output layer's moments by the law of total variance
    penalty: Penalty | None = None  # a linear model with a target: E[L] as a penalised loss
    examples: int = 1  # a batch's B (its moments are the penalty identity's)

    @property
    def masks(self) -> int:
        return 2 ** self.maskable

    @property
    def prediction(self) -> Stats:
        return self.layers[-1].a


def moments(model: Network | Batch) -> Moments:
    """Every moment of ``model`` over all its masks (refused at once beyond the limits); of a
    batch, the expected loss of a linear model as a penalised loss."""
    if isinstance(model, Batch):
        if not applies(model):
            raise SymdropError(f"moments: a batch's statistics are those of the expected loss of a linear model (one "
                               f"identity layer with a target); got {layer_count(model.depth)}, the last "
                               f"{model.layers[-1].activation}: give input one row for one example's statistics")
        n = check_moments(replace(model.examples[0], target=None))
        found = penalty(model)
        return Moments(model.examples[0], n, (), (), None, Stats(found.expected_loss, found.loss_variance),
                       penalty=found, examples=model.size)
    network = model
    n = check_moments(network)
    numbers = network_numbers(network)
    linear = network.layers[-1].activation == "identity"
    distributions = carried(network, network.depth - 1 if linear else None)
    layers, inputs = [], {numbers.x: 1}
    for l, dist in enumerate(distributions, start=1):
        layers.append(LayerMoments(l, _masked(network, l, inputs), stats(dist.z), stats(dist.a), len(dist.z)))
        inputs = dist.a
    if linear:  # the fast path: E[y] and Cov(y) from the output layer's input
        mean, covariance = linear_moments(network, inputs)
        out = Stats(mean, tuple(covariance[i][i] for i in range(len(mean))))
        layers.append(LayerMoments(network.depth, _masked(network, network.depth, inputs), out, out, None))
        values = output_values(network, inputs, LIST_UP_TO)
    else:
        values = distributions[-1].a
        covariance = _covariance(values, layers[-1].a.mean)
    listed = None if values is None or len(values) > LIST_UP_TO else tuple(sorted(values.items(), key=_order))
    loss = gradients = None
    if network.target is not None:
        loss, gradients = every_mask(network)
    nwgm = _nwgm(network, distributions[-1].z) if _one_sigmoid(network) else None
    return Moments(network, n, tuple(layers), covariance, listed, loss, gradients, nwgm,
                   input_noise(network), fast_output=linear, penalty=penalty(network) if applies(network) else None)


def check_moments(network: Network) -> int:
    """The number of maskable units (or weights), refused beyond the limits before any work."""
    dropout = network.dropout
    dropout.require_keep("for the statistics over masks")
    n = maskable_units(network)
    if n == 0:
        raise SymdropError("moments: no mask can drop anything (every keep probability is 1); the statistics "
                           "over masks need a keep probability below 1 (one keep value sets the hidden layers' "
                           "masks only: to drop inputs write a list, q^(0) first, like keep: [\"4/5\", \"1/2\"])")
    what = "weights (DropConnect, keep q < 1)" if dropout.connections else "units (keep q < 1)"
    smooth = any(layer.g.negative_slope is None for layer in network.layers)
    limit, why = (MAX_MASKABLE_WEIGHTS if dropout.connections else MAX_MASKABLE), ""
    if smooth:
        limit, why = MAX_MOMENTS_SMOOTH, " with sigmoid or tanh (every value an expression)"
    if network.target is not None and MAX_MOMENTS_EVERY_MASK < limit:
        limit, why = MAX_MOMENTS_EVERY_MASK, " with a target (the loss and gradients visit every mask)"
    smooth_hidden = any(layer.g.negative_slope is None for layer in network.layers[:-1])
    if network.target is not None and smooth_hidden:
        raise SymdropError("moments: with a target, the loss's and gradients' moments through sigmoid or tanh hidden "
                           "layers are expressions in expressions too large to write (minutes of work); leave the "
                           "target out for the units' moments, or use ReLU hidden layers (a sigmoid output is fine)")
    if network.target is not None and smooth:
        limit, why = MAX_MOMENTS_SMOOTH_TARGET, " with a sigmoid or tanh output and a target (each mask's gradients are expressions)"
    if n > limit:
        raise SymdropError(f"moments: {n} maskable {what}; the limit{why} is {limit} (2^{limit} masks): keep some "
                           f"masks at q = 1, or leave the target out, or estimate the mean with expect --samples")
    weights = sum(layer.W.rows * layer.W.cols for layer in network.layers)
    if network.target is not None and 2**n * weights > MAX_MOMENTS_GRADIENT_WORK:
        raise SymdropError(f"moments: {2**n:,} masks x {weights:,} weights of gradients to visit; the limit is "
                           f"{MAX_MOMENTS_GRADIENT_WORK:,} (fewer maskable units, or leave the target out for the "
                           f"units' moments)")
    return n


def layer_count(n: int) -> str:
    return f"{n} layer{'s' if n != 1 else ''}"


def stats(values: dict) -> Stats:
    """The mean and variance of each entry of a distribution {vector: probability}."""
    size = len(next(iter(values)))
    mean = tuple(sum((p * v[i] for v, p in values.items()), 0) for i in range(size))
    variance = tuple(sum((p * v[i] ** 2 for v, p in values.items()), 0) - mean[i] ** 2 for i in range(size))
    return Stats(tuple(mean), variance)


def _masked(network: Network, l: int, inputs: dict) -> Stats | None:
    """The masked input a~^(l-1) = mu a (/ q): a mask independent of a, so E[a~] = q s E[a] and
    E[a~^2] = q s^2 E[a^2], s = 1/q when inverted, else 1."""
    if network.dropout.connections:
        return None
    q = network_numbers(network).keep[l - 1]
    a = stats(inputs)
    mean, variance = [], []
    for j, (m, v) in enumerate(zip(a.mean, a.variance)):
        qj = q[j] if isinstance(q, tuple) else q
        s = inverse(qj) if network.dropout.convention.divides else 1
        mean.append(qj * s * m)
        variance.append(qj * s * s * (v + m * m) - (qj * s * m) ** 2)
    return Stats(tuple(mean), tuple(variance))


def inverse(q):
    """1/q exact: a Fraction for Python's numbers (1/1 would be the float 1.0), SymPy's otherwise."""
    return 1 / q if isinstance(q, sympy.Basic) else Fraction(1) / q


def _covariance(values: dict, mean: tuple) -> tuple[tuple, ...]:
    n = len(mean)
    return tuple(tuple(sum((p * v[i] * v[k] for v, p in values.items()), 0) - mean[i] * mean[k]
                       for k in range(n)) for i in range(n))


def every_mask(network: Network) -> tuple[Stats, tuple[tuple[Stats, Stats], ...]]:
    """The loss's and every gradient entry's mean and variance, visiting every mask (the plain
    definition E[f] = sum_mu P(mu) f(mu))."""
    entries = mask_entries(network)
    first = second = None
    for bits in product((1, 0), repeat=len(entries)):
        masks, p = masks_of(network, entries, bits)
        g = backward(network, masks=masks)
        flat = [g.loss] + [v for layer in g.layers for row in layer.grad_weights for v in row] + \
               [v for layer in g.layers for v in layer.grad_bias]
        first = [p * v for v in flat] if first is None else [s + p * v for s, v in zip(first, flat)]
        second = [p * v * v for v in flat] if second is None else [s + p * v * v for s, v in zip(second, flat)]
    mean = first
    variance = [s - m * m for s, m in zip(second, mean)]
    return Stats(mean[0], variance[0]), _gradient_stats(network, mean[1:], variance[1:])


def _gradient_stats(network: Network, mean: list, variance: list) -> tuple[tuple[Stats, Stats], ...]:
    """The flat means and variances back in the shapes of dL/dW^(l) and dL/db^(l)."""
    shapes = [(layer.W.rows, layer.W.cols) for layer in network.layers]
    weights, at = [], 0
    for rows, cols in shapes:
        size = rows * cols
        cut = lambda v: tuple(tuple(v[at + i * cols: at + (i + 1) * cols]) for i in range(rows))  # noqa: E731
        weights.append(Stats(cut(mean), cut(variance)))
        at += size
    found = []
    for (rows, _), w in zip(shapes, weights):
        found.append((w, Stats(tuple(mean[at:at + rows]), tuple(variance[at:at + rows]))))
        at += rows
    return tuple(found)


def _order(item):
    """A distribution's values in increasing order (SymPy's compared by their 30-digit values)."""
    return tuple(sympy.N(v, 30) if isinstance(v, sympy.Basic) else v for v in item[0])


def _one_sigmoid(network: Network) -> bool:
    return network.layers[-1].activation == "sigmoid" and network.layers[-1].units == 1


def _nwgm(network: Network, values: dict) -> Nwgm:
    """The arithmetic mean of sigma(S) and the normalised weighted geometric mean, sigma(E[S])."""
    g = network.layers[-1].g.apply
    mean_s = sum((p * z[0] for z, p in values.items()), 0)
    arithmetic = sum((sympy.sympify(p) * g(sympy.sympify(z[0])) for z, p in values.items()), sympy.Integer(0))
    return Nwgm(mean_s, arithmetic, g(sympy.sympify(mean_s)))

