"""The exact backward pass through dropout: the gradients of the loss, layer by layer, and one step.

It reads the core's forward pass (:mod:`.forward`) and goes back through it with the same masks:
delta^(l) = dL/da^(l) * g'(z^(l)), dL/dW^(l) = delta^(l) a~^(l-1)T, dL/db^(l) = delta^(l),
dL/da~^(l-1) = W^(l)T delta^(l), and through the mask dL/da^(l-1) = mu^(l-1) * dL/da~^(l-1) / q
(the 1/q of inverted dropout, one q per unit where the spec gives them). With DropConnect the mask
is on the weights: dL/dW^(l) = (delta^(l) a^(l-1)T) * M^(l) / Q^(l) and dL/da^(l-1) = W~^(l)T delta^(l),
W~ the masked (and scaled) weights of the forward pass. dL/dy, and dL/dz where a loss folds g' in,
come from :mod:`.losses`. The keyword arguments are the changes a mistake makes.
"""

import operator
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import NamedTuple

import sympy

from ..errors import SymdropError
from ..model.activations import activation, derivative, number_derivative
from ..model.closedform import closed
from ..model.network import Network
from ..numbers import to_sympy
from . import losses
from .budget import Budget
from .forward import LayerValues, forward, layer_rules, layer_values, times
from .passnumbers import Number, network_numbers, numeric_numbers


class LayerGradients(NamedTuple):
    """Layer l going back: dL/da^(l) coming in (dL/dy for the output), g'(z^(l)), delta^(l) =
    dL/dz^(l), dL/dW^(l) (rows), dL/db^(l), and dL/da~^(l-1) = W^(l)T delta^(l)."""

    incoming: tuple[Number, ...]
    derivative: tuple[Number, ...]
    delta: tuple[Number, ...]
    grad_weights: tuple[tuple[Number, ...], ...]
    grad_bias: tuple[Number, ...]
    upstream: tuple[Number, ...]


@dataclass(frozen=True)
class Gradients:
    """The training pass with the spec's masks, the loss, and every gradient (layers from the
    first hidden layer on, as the forward pass lists them); dL/dx last."""

    network: Network
    forward: tuple[LayerValues, ...]
    loss: Number
    layers: tuple[LayerGradients, ...]
    grad_input: tuple[Number, ...]

    @property
    def prediction(self) -> tuple[Number, ...]:
        return self.forward[-1].a


def backward(network: Network, *, masks=None, mask_backward: bool = True, scale_backward: bool = True,
             unmasked_input: bool = False, unmasked_weights: bool = False, relu_derivative_one: bool = False,
             sign_flipped: bool = False, smooth_slope: str | None = None, numeric: bool = False) -> Gradients:
    """The loss of ``network``'s training pass against its target and every gradient, exact.

    Changes (a student's mistakes): ``masks`` replaces the masks of the forward pass (and so of
    the backward pass); ``mask_backward=False`` leaves mu out going back, ``scale_backward=False``
    the 1/q; ``unmasked_input`` takes a^(l-1) instead of a~^(l-1) in dL/dW^(l);
    ``unmasked_weights`` (DropConnect) takes W instead of the masked W~ in dL/da^(l-1) = W~T delta;
    ``relu_derivative_one`` takes ReLU' = 1 everywhere; ``sign_flipped`` uses t - y for y - t;
    ``smooth_slope`` takes g' of every sigmoid or tanh layer as 1 (``"one"``) or as g itself, a
    (``"value"``). ``numeric`` computes with 40-digit decimals (see :func:`.forward.forward`).
    Every change but ``masks`` goes back through the one forward pass of the spec's masks (the
    core's, memoized); without changes the gradients themselves are memoized (a problem's rules,
    answer and derivation all ask for them).
    """
    if network.target is None:
        raise SymdropError("target: missing (the backward pass needs a target, one value per output)")
    changes = (masks, mask_backward, scale_backward, unmasked_input, unmasked_weights, relu_derivative_one, sign_flipped,
               smooth_slope)
    if changes == (None, True, True, False, False, False, False, None):
        return _unchanged(network, numeric)
    return _backward(network, *changes, numeric)


@lru_cache(maxsize=1024)
def _unchanged(network: Network, numeric: bool = False) -> Gradients:
    return _backward(network, None, True, True, False, False, False, False, None, numeric)


def first_weights(network: Network, *, masks=None, mask_backward: bool = True, scale_backward: bool = True,
                  unmasked_input: bool = False, unmasked_weights: bool = False, relu_derivative_one: bool = False,
                  sign_flipped: bool = False, smooth_slope: str | None = None, numeric: bool = False) -> tuple:
    """dL/dW^(1) of :func:`backward` with the same changes, row by row: what a mistake's answer
    is. The fast path (tests/test_fast_paths.py checks it against :func:`backward`): the same
    pass back, without what dL/dW^(1) does not need (the loss, dL/dW of the later layers, dL/dx)."""
    changes = (masks, mask_backward, scale_backward, unmasked_input, unmasked_weights, relu_derivative_one, sign_flipped,
               smooth_slope)
    if changes == (None, True, True, False, False, False, False, None):
        return _unchanged(network, numeric).layers[0].grad_weights
    if (changes in _READ_OFF and not numeric and not network.dropout.connections and network_numbers(network).python
            and losses.named(network.loss).delta is None):  # a loss's own delta (softmax's) is SymPy's: its own pass
        return _read_off(network, unmasked_input)
    return _backward(network, *changes, numeric, first=True).layers[0].grad_weights


# The two changes whose dL/dW^(1) the unchanged pass gives without a pass of its own: t - y for
# y - t negates every gradient (each is linear in dL/dy), and a for a~ in dL/dW^(1) leaves
# delta^(1) as it is (x for x~ only in its product).
_READ_OFF = ((None, True, True, False, False, False, True, None), (None, True, True, True, False, False, False, None))


def _read_off(network: Network, unmasked_input: bool) -> tuple:
    """dL/dW^(1) of the change ``sign_flipped`` (or, with ``unmasked_input``, of that one) of a
    network of Python numbers without DropConnect whose loss's delta is dL/dy g'(z), read off the
    memoized unchanged pass: the same numbers (and types) as its own pass back
    (tests/test_fast_paths.py). A loss with a delta of its own (cross_entropy's softmax, SymPy's)
    is tidied going back, so -1 times it is the same value written otherwise: it has its own pass."""
    first = _unchanged(network, False).layers[0]
    if unmasked_input:
        x = network_numbers(network).x
        return tuple(tuple(times(d, v) for v in x) for d in first.delta)
    return tuple(tuple(-v for v in row) for row in first.grad_weights)


def _backward(network: Network, masks, mask_backward, scale_backward, unmasked_input, unmasked_weights,
              relu_derivative_one, sign_flipped, smooth_slope, numeric, first: bool = False) -> Gradients:
    """The pass back (``first``: only as far as dL/dW^(1) needs, the rest left empty)."""
    values = numeric_numbers(network) if numeric else network_numbers(network)
    first = first and values.python  # SymPy's values: each layer's counted against the budget, as backward counts them
    passes = (forward(network, "train", masks=masks, terms=False, numeric=numeric) if masks is not None
              else layer_values(network, "train", True) if numeric
              else layer_values(network, "train"))  # asked as the rules and the derivation ask: one memo entry
    masks = values.masks if masks is None else masks
    rules = layer_rules(network.dropout, network.depth, "train")
    t = values.target
    y = passes[-1].a
    objective = losses.named(network.loss)
    loss = None if first else objective.value(y, t)
    sign = (lambda v: tuple(-e for e in v)) if sign_flipped else (lambda v: v)
    incoming = sign(objective.gradient(y, t))
    layers, kept, budget = [], {}, Budget("the backward pass")
    mul = times if values.python else operator.mul  # Python numbers: a zero factor's product at once
    for l in range(network.depth, 0, -1):
        layer, values_l = network.layers[l - 1], passes[l - 1]
        g = activation("identity") if relu_derivative_one and layer.activation == "relu" else layer.g
        slope = (tuple(map(number_derivative(g.negative_slope), values_l.z)) if values.python
                 else tuple(derivative(g, z, a) for z, a in zip(values_l.z, values_l.a)))
        if smooth_slope is not None and g.smooth:  # g' taken as 1, or as g(z) itself
            slope = tuple(1 for _ in slope) if smooth_slope == "one" else values_l.a
        if l == network.depth and objective.delta is not None:  # g'(z) folded in: bce's y - t, softmax(z) - t
            delta = sign(objective.delta(values_l.z, y, t))
        else:  # (a slope of 1 leaves dL/da as it is: the same number, one product fewer)
            delta = tuple(d if s == 1 else mul(d, s) for d, s in zip(incoming, slope))
        inputs = values_l.masked
        if unmasked_input:
            inputs = values.x if l == 1 else passes[l - 2].a
        W = values.layers[l - 1][0]
        grad_weights = () if first and l > 1 else tuple(tuple(mul(d, v) for v in inputs) for d in delta)
        if rules[l - 1].weights_masked:  # DropConnect: through the weights' mask (and 1/q) instead
            W = W if unmasked_weights else values_l.weights
            factors = _weight_factors(masks[l - 1], rules[l - 1], values.keep, l, mask_backward, scale_backward)
            grad_weights = tuple(tuple(g * f for g, f in zip(row, frow)) for row, frow in zip(grad_weights, factors))
        upstream = () if first and l == 1 else tuple(
            objective.tidy(sum((mul(W[i][j], delta[i]) for i in range(len(delta))), mul(0, delta[0]))) for j in range(len(inputs)))
        if not values.python:  # products of exact values SymPy rewrote with its own exponentials: made cheap again
            slope, delta, upstream = (closed(v, kept) for v in (slope, delta, upstream))
            grad_weights = tuple(closed(row, kept) for row in grad_weights)
            budget.count((*delta, *grad_weights), f"layers[{l - 1}]")
        layers.append(LayerGradients(incoming, slope, delta, grad_weights, delta, upstream))
        if first and l == 1:
            break
        incoming = _through_mask(upstream, masks[l - 1], rules[l - 1], values.keep, l, mask_backward, scale_backward, mul)
    return Gradients(network, passes, loss, tuple(reversed(layers)), incoming)


def _through_mask(upstream, mu, rule, keep, l, mask_backward, scale_backward, mul=operator.mul):
    """dL/da^(l-1) from dL/da~^(l-1): the mask (and inverted dropout's 1/q) as the forward pass had them."""
    out = upstream
    if rule.masked and mask_backward:
        out = tuple(v if m == 1 else mul(m, v) for m, v in zip(mu, out))
    if rule.input_scale is not None and scale_backward:
        q = keep[l - 1]
        out = tuple(v / qj for v, qj in zip(out, q)) if isinstance(q, tuple) else tuple(v / q for v in out)
    return out


def _weight_factors(mask, rule, keep, l, mask_backward, scale_backward):
    """DropConnect: dL/dW^(l)_ij = delta_i a_j times m_ij (times 1/q_ij when inverted), each as
    the forward pass had it; the factors, row by row."""
    factors = mask if mask_backward else tuple(tuple(1 for _ in row) for row in mask)
    if rule.weight_scale is None or not scale_backward:
        return factors
    q = keep[l - 1]
    if not isinstance(q, tuple):
        return tuple(tuple(m / q for m in row) for row in factors)
    return tuple(tuple(m / s for m, s in zip(row, srow)) for row, srow in zip(factors, q))


def step(gradients: Gradients, rate) -> Network:
    """The network after one gradient-descent step of size ``rate``: W - rate dL/dW, b - rate dL/db."""
    network = gradients.network
    grads = [(sympy.ImmutableMatrix([[to_sympy(v) for v in row] for row in g.grad_weights]),
              sympy.ImmutableMatrix([to_sympy(v) for v in g.grad_bias])) for g in gradients.layers]
    return replace(network, layers=stepped(network.layers, grads, rate))


def stepped(layers, grads, rate) -> tuple:
    """``layers`` after one gradient-descent step: each W - rate dW and b - rate db, ``grads``
    the (dW, db) of every layer as matrices (one example's, or a batch's means)."""
    rate = to_sympy(rate)
    return tuple(replace(layer, W=sympy.ImmutableMatrix(layer.W - rate * dW), b=sympy.ImmutableMatrix(layer.b - rate * db))
                 for layer, (dW, db) in zip(layers, grads))
