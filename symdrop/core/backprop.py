"""The backward pass as data: the forward values it needs, the loss, one BackStep per layer, one step."""

from dataclasses import dataclass
from functools import cached_property

import sympy
from sympy import ImmutableMatrix

from ..model.network import Network
from ..numbers import exact, to_sympy
from .backward import Gradients, backward, step
from ..sympy_internals import all_rational, entries, rational_matrix
from .budget import Budget
from .derive import Derivation, derive, values_matrix
from .forward import forward

# Why a unit's delta^(l)_i is 0, as BackStep.zero_reasons gives it: the next layer's mask dropped
# it ("dropped"), its ReLU clipped it ("clipped"), or both.
ZERO_REASONS = ("dropped", "clipped", "both")


@dataclass(frozen=True)
class ZeroGroup:
    """Units of one layer whose delta is 0 for one reason (:data:`ZERO_REASONS`), from 0."""

    reason: str
    units: tuple[int, ...]


@dataclass(frozen=True)
class BackStep:
    """Layer l going back: dL/da^(l) (dL/dy for the output), g'(z^(l)), delta^(l), dL/dW^(l),
    dL/db^(l), dL/da~^(l-1) = W^(l)T delta^(l) and dL/da^(l-1) through the mask mu^(l-1)."""

    l: int
    output: bool
    incoming: ImmutableMatrix
    derivative: ImmutableMatrix
    delta: ImmutableMatrix
    grad_weights: ImmutableMatrix
    grad_bias: ImmutableMatrix
    upstream: ImmutableMatrix
    through_mask: ImmutableMatrix
    mask: ImmutableMatrix  # mu^(l-1)
    masked_input: ImmutableMatrix  # a~^(l-1)
    W: ImmutableMatrix
    activation: str
    keep: sympy.Expr | None  # q^(l-1) when inverted dropout divides by it (a column: one per unit), else None
    dropped_by_next: tuple[int, ...]  # units i of this layer that mu^(l) dropped (hidden layers)
    # DropConnect: the mask M^(l), the weights W~^(l) the forward pass multiplied by, and the q
    # (or matrix Q) inverted DropConnect divided each kept weight by
    weight_mask: ImmutableMatrix | None = None
    masked_weights: ImmutableMatrix | None = None
    weight_keep: sympy.Expr | ImmutableMatrix | None = None

    @cached_property
    def zero_reasons(self) -> tuple[tuple[int, str], ...]:
        """``(i, reason)`` for every unit whose delta is 0 because of dropout or ReLU."""
        found = []
        for i, (d, z) in enumerate(zip(entries(self.delta), entries(self.derivative))):
            if d != 0:
                continue
            dropped, clipped = i in self.dropped_by_next, self.activation == "relu" and z == 0
            if dropped or clipped:
                found.append((i, "both" if dropped and clipped else "dropped" if dropped else "clipped"))
        return tuple(found)

    @cached_property
    def zero_groups(self) -> tuple["ZeroGroup", ...]:
        """:attr:`zero_reasons` with the units of one reason together, the reasons in the order
        their first unit comes (a document says each reason once)."""
        groups: dict[str, list[int]] = {}
        for i, reason in self.zero_reasons:
            groups.setdefault(reason, []).append(i)
        return tuple(ZeroGroup(reason, tuple(units)) for reason, units in groups.items())

    @cached_property
    def input_row(self) -> ImmutableMatrix:
        """(a~^(l-1))^T, the row dL/dW^(l) multiplies delta^(l) by (see :func:`transposed`)."""
        return transposed(self.masked_input)

    @cached_property
    def W_T(self) -> ImmutableMatrix:
        """(W^(l))^T, and with DropConnect (W~^(l))^T: what delta^(l) goes back through."""
        return transposed(self.W if self.masked_weights is None else self.masked_weights)

    @cached_property
    def grad_weight_rows(self) -> tuple[ImmutableMatrix, ...]:
        """dL/dW^(l) row by row, each a 1-row matrix (as ``grad_weights.row(i)``)."""
        values, n = entries(self.grad_weights), self.grad_weights.cols
        row = (lambda v: rational_matrix(1, n, v)) if all_rational(self.grad_weights) else (lambda v: values_matrix(v, n))
        return tuple(row(values[i * n:(i + 1) * n]) for i in range(self.grad_weights.rows))

    @cached_property
    def dropped_inputs(self) -> tuple[int, ...]:
        """Units j of layer l-1 the mask mu^(l-1) drops: column j of dL/dW^(l) is 0."""
        return tuple(j for j, m in enumerate(entries(self.mask)) if m == 0)

    @cached_property
    def zero_inputs(self) -> tuple[int, ...]:
        """Kept units j of layer l-1 whose value is 0 (a ReLU clipped them): column j of
        dL/dW^(l) is 0 too, though the mask kept them."""
        return tuple(j for j, (m, v) in enumerate(zip(entries(self.mask), entries(self.masked_input))) if m != 0 and v == 0)


@dataclass(frozen=True)
class Backprop:
    """A whole backward pass: the forward derivation, target, loss, the steps from the output
    back (``steps[0]`` is the output layer), dL/dx, and with a rate the network after one step."""

    network: Network
    forward: Derivation
    target: ImmutableMatrix
    loss: sympy.Expr
    steps: tuple[BackStep, ...]
    grad_input: ImmutableMatrix
    rate: sympy.Expr | None = None
    after_step: Network | None = None
    prediction_after_step: ImmutableMatrix | None = None

    @property
    def prediction(self) -> ImmutableMatrix:
        return self.forward.prediction

    @property
    def by_layer(self) -> tuple[BackStep, ...]:
        """The steps first hidden layer first (as JSON lists them)."""
        return tuple(reversed(self.steps))


def transposed(matrix: ImmutableMatrix) -> ImmutableMatrix:
    """``matrix.T``, made from its entries as :func:`.derive.values_matrix` makes a pass's
    matrices (SymPy's transpose goes through its internal form, most of the time of writing a
    backward pass's rows; tests/test_fast_paths.py checks that both give the same matrix)."""
    values, rows, cols = entries(matrix), matrix.rows, matrix.cols
    flipped = [values[i * cols + j] for j in range(cols) for i in range(rows)]
    # rational entries (SymPy's own: nothing to convert) straight to their matrix
    return rational_matrix(cols, rows, flipped) if all_rational(matrix) else values_matrix(flipped, rows)


def derive_backprop(network: Network, rate=None) -> Backprop:
    """The exact backward pass of ``network`` (which has a target), and one step of size ``rate``."""
    gradients = backward(network)
    return _from(network, gradients, rate)


def _from(network: Network, gradients: Gradients, rate) -> Backprop:
    forward = derive(network)
    steps = []
    masks = network.masks
    L = network.depth
    # dL/da^(l) of each layer and dL/dx, each made once: a layer's dL/da^(l-1) through the mask
    # is the next step's incoming (the same values, so the same matrix)
    incoming = [values_matrix(g.incoming) for g in gradients.layers]
    grad_input = values_matrix(gradients.grad_input)
    for l in range(L, 0, -1):
        g = gradients.layers[l - 1]
        n_in = network.layers[l - 1].W.cols
        rule = network.dropout.rule(l, "train")
        connections = network.dropout.connections
        units_next = l < L and not connections
        dropped_by_next = tuple(i for i, m in enumerate(entries(masks[l])) if m == 0) if units_next else ()
        weights = {}
        if connections:
            weights = dict(weight_mask=masks[l - 1], masked_weights=forward.steps[l - 1].W,
                           weight_keep=network.dropout.keep[l - 1] if rule.weight_scale is not None else None)
        delta = values_matrix(g.delta, like=incoming[l - 1])  # where g' is 1 (the output), dL/da itself
        steps.append(BackStep(
            l=l, output=l == L,
            incoming=incoming[l - 1], derivative=values_matrix(g.derivative), delta=delta,
            grad_weights=values_matrix(g.grad_weights, n_in),
            grad_bias=delta if g.grad_bias is g.delta else values_matrix(g.grad_bias),  # dL/db^(l) = delta^(l)
            upstream=values_matrix(g.upstream), through_mask=incoming[l - 2] if l > 1 else grad_input,
            mask=forward.steps[l - 1].mask if connections else masks[l - 1],
            masked_input=forward.steps[l - 1].masked_input.value, W=network.layers[l - 1].W,
            activation=network.layers[l - 1].activation,
            keep=network.dropout.keep[l - 1] if rule.input_scale is not None else None,
            dropped_by_next=dropped_by_next, **weights,
        ))
    after = after_prediction = None
    if rate is not None:
        rate = exact(rate, "rate")  # "1/10" as the command line gives it, or a number
        after = step(gradients, rate)
        after_prediction = values_matrix(after_step(after)[0])
    return Backprop(network, forward, network.target, to_sympy(gradients.loss), tuple(steps),
                    grad_input, rate, after, after_prediction)


def after_step(*networks) -> list[tuple]:
    """The prediction of each of ``networks`` (one, or a batch's examples, which share their
    layers) after a step, counted against the limit on a step's exact values (:mod:`.budget`)
    with the new weights that make it: the weights first, then every layer of each pass after
    the step (written only in part, the prediction: cheaper a part than a pass written whole,
    hence a limit of its own)."""
    budget = Budget("the step", "MAX_STEP_CLOSED_FORM")
    for layer in networks[0].layers:
        budget.count((*entries(layer.W), *entries(layer.b)), "--step")
    return [forward(network, terms=False, count=budget)[-1].a for network in networks]
