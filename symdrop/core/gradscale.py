"""The size of the numbers float64 works with going back: what verify's gradient checks are relative to."""

import math

import sympy

from . import losses
from .backward import Gradients
from ..model.network import Network


def gradient_sizes(network: Network, exact: Gradients) -> tuple[list[float], list[list[float]]]:
    """For one example's exact backward pass, the size of the numbers each gradient is computed
    from, as verify takes them going forward (z from terms of size sum |w a~| + |b|): a difference
    counts as the sum of its sides (y - t as |y| + |t|, tanh' = 1 - a^2 as 1 + a^2, sigmoid's
    a (1 - a) as a (1 + a)), carried back through |W| and the masks. A gradient that cancels to
    1e-8 from terms of size 1 (a saturated tanh, 1 - tanh(10)^2) is only as exact as those terms.

    Returns the sizes of dL/dx, and per layer l = 1..L those of dL/dW^(l) (row by row) then
    dL/db^(l), in the order verify compares them."""
    forward, layers = exact.forward, [None] * network.depth
    sizes = _residual_sizes(network, forward[-1])
    for l in range(network.depth, 0, -1):
        values, back, rule = forward[l - 1], exact.layers[l - 1], network.dropout.rule(l, "train")
        folded = l == network.depth and losses.named(network.loss).delta is not None
        delta = sizes if folded else [
            s * abs(_float(d)) + abs(_float(g)) * _slope_size(network.layers[l - 1].activation, a)
            for s, d, g, a in zip(sizes, back.derivative, back.incoming, values.a)]
        below = _masked_sizes(network, forward, l, rule)
        factor = _weight_factor(network, l, rule)
        layers[l - 1] = [d * m * factor(i, j) for i, d in enumerate(delta) for j, m in enumerate(below)] + delta
        W = values.weights
        sizes = [math.fsum(abs(_float(W[i][j])) * d for i, d in enumerate(delta)) * _input_factor(network, l, rule, j)
                 for j in range(len(below))]
    return sizes, layers


def _residual_sizes(network: Network, output) -> list[float]:
    """dL/dy's sizes (dL/dz's where the loss folds g' in: sigmoid(z) - t, softmax(z) - t), the
    loss's own gradient of |y| against -|t|; y carries the error of z, whose size is
    sum |w a~| + |b|."""
    loss = losses.named(network.loss)
    t = [-abs(v) for v in network.target]
    y = [abs(_float(v)) + _z_size(output, i) for i, v in enumerate(output.a)]
    sizes = loss.gradient(y, t) if loss.delta is None else loss.delta(output.z, y, t)
    return [abs(_float(v)) for v in sizes]


def _z_size(values, i: int) -> float:
    """sum_j |w_ij a~_j| + |b_i|: the size of the numbers z_i is summed from."""
    return math.fsum(abs(_float(term)) for term in values.terms[i]) + abs(_float(values.z[i] - sum(values.terms[i])))


def _masked_sizes(network: Network, forward, l: int, rule) -> list[float]:
    """The sizes of a~^(l-1): |a~| plus the error it carries from z^(l-1) (mu / q of it)."""
    masked = forward[l - 1].masked
    if l == 1:
        return [abs(_float(v)) for v in masked]
    below = forward[l - 2]
    return [abs(_float(v)) + _z_size(below, j) * _input_factor(network, l, rule, j) for j, v in enumerate(masked)]


def _slope_size(name: str, a) -> float:
    """The size of the numbers g'(z) is computed from where it cancels (0 where g' is exact)."""
    a = abs(_float(a))
    return 1.0 + a * a if name == "tanh" else a * (1.0 + a) if name == "sigmoid" else 0.0


def _input_factor(network: Network, l: int, rule, j: int) -> float:
    """mu_j / q_j of the mask on layer l's input (1 where the pass does not mask units)."""
    if not rule.masked:
        return 1.0
    scale = rule.input_scale
    scale = 1 if scale is None else scale[j] if isinstance(scale, sympy.MatrixBase) else scale
    return abs(_float(network.masks[l - 1][j] * scale))


def _weight_factor(network: Network, l: int, rule):
    """dW~_ij / dW_ij: DropConnect's M_ij times its scale (1/Q when inverted); 1 otherwise."""
    if not rule.weights_masked:
        return lambda i, j: 1.0
    scale, M = 1 if rule.weight_scale is None else rule.weight_scale, network.masks[l - 1]
    if isinstance(scale, sympy.MatrixBase):
        return lambda i, j: abs(_float(M[i, j] * scale[i, j]))
    return lambda i, j: abs(_float(M[i, j] * scale))


def _float(value) -> float:
    return float(value) if isinstance(value, (int, float)) else float(sympy.N(value, 17))
