"""A batch's passes: each example's core pass side by side (examples as columns), the mean loss and
the mean gradients (PyTorch's default reduction), as data.

Layer l over the batch: A~^(l-1) = M^(l-1) . A^(l-1) (over q when inverted), Z^(l) = W^(l) A~^(l-1)
+ b^(l) 1^T, A^(l) = g(Z^(l)); L = (1/B) sum_e L_e, dL/dW^(l) = (1/B) Delta^(l) A~^(l-1)T with
Delta^(l)'s column e example e's own delta, dL/db^(l) = (1/B) Delta^(l) 1.
"""

from dataclasses import dataclass, replace

import sympy
from sympy import ImmutableMatrix

from ..model.batch import Batch, columns
from ..model.conventions import Rule
from ..model.network import Layer
from ..numbers import exact, to_sympy
from .backward import backward, stepped
from .derive import Derivation, derive, values_matrix
from .ensemble import expect
from ..sympy_internals import entries
from .backprop import after_step
from .budget import Budget


@dataclass(frozen=True)
class BatchLayer:
    """Layer l over the batch, each matrix n x B (column e: example e): the masks M^(l-1), the
    input A^(l-1) before them, A~^(l-1), Z^(l) and A^(l)."""

    l: int
    layer: Layer
    output: bool
    mask: ImmutableMatrix
    previous: ImmutableMatrix
    masked: ImmutableMatrix
    Z: ImmutableMatrix
    A: ImmutableMatrix
    W: ImmutableMatrix  # the weights this pass multiplies by: q W when weight scaling
    rule: Rule
    keep: sympy.Expr | None  # q of the mask M^(l-1), when the spec gives it


@dataclass(frozen=True)
class BatchDerivation:
    """A batch's forward pass: each example's derivation and the layers as matrices over the
    batch; the prediction (n_L x B), and in training what it would be without dropout and at
    test time."""

    batch: Batch
    examples: tuple[Derivation, ...]
    layers: tuple[BatchLayer, ...]
    mode: str = "train"
    without_dropout: ImmutableMatrix | None = None
    at_test_time: ImmutableMatrix | None = None

    @property
    def left_out(self) -> tuple[tuple[str, str], ...]:
        """The passes beside the batch's left out, each with the reason of the first example that
        leaves it out, named (``example 2: layers[5]: ...``; see :attr:`Derivation.left_out`)."""
        reasons = {mode: f"example {e}: {why}" for e, d in reversed(list(enumerate(self.examples, start=1)))
                   for mode, why in d.left_out}
        return tuple((mode, reasons[mode]) for mode in ("off", "test") if mode in reasons)

    @property
    def network(self) -> Batch:
        return self.batch

    @property
    def prediction(self) -> ImmutableMatrix:
        return self.layers[-1].A


def derive_batch(batch: Batch, mode: str = "train") -> BatchDerivation:
    """Every example's exact forward pass in ``mode`` (the core's, one per example), set side by side."""
    examples, budget = [], Budget("the batch's forward pass")
    for e, network in enumerate(batch.examples):  # each example's pass has its limit; the batch's too
        examples.append(derive(network, mode=mode))
        budget.count([v for step in examples[-1].steps for v in entries(step.activation.value)], f"input[{e}]")
    examples = tuple(examples)
    layers = []
    for index, step in enumerate(examples[0].steps):
        steps = [d.steps[index] for d in examples]
        layers.append(BatchLayer(
            l=step.l, layer=step.layer, output=step.output, mask=batch.masks[index],
            previous=columns([s.previous for s in steps]), masked=columns([s.masked_input.value for s in steps]),
            Z=columns([s.pre_activation.value for s in steps]), A=columns([s.activation.value for s in steps]),
            W=step.W, rule=step.rule, keep=step.keep,
        ))
    off = test = None
    if mode == "train":  # beside the batch's pass where every example's is there (see Derivation.left_out)
        if all(d.without_dropout is not None for d in examples):
            off = columns([d.without_dropout for d in examples])
        if all(d.at_test_time is not None for d in examples):
            test = columns([d.at_test_time for d in examples])
    return BatchDerivation(batch, examples, tuple(layers), mode, off, test)


@dataclass(frozen=True)
class BatchBackStep:
    """Layer l going back over the batch: dL_e/da^(l) and g'(z^(l)) of every example (columns),
    Delta^(l) (column e: example e's delta), and the gradients of the mean loss, dL/dW^(l) =
    (1/B) Delta^(l) A~^(l-1)T and dL/db^(l) = (1/B) Delta^(l) 1."""

    l: int
    output: bool
    incoming: ImmutableMatrix
    derivative: ImmutableMatrix
    delta: ImmutableMatrix
    masked: ImmutableMatrix
    grad_weights: ImmutableMatrix
    grad_bias: ImmutableMatrix
    W: ImmutableMatrix
    # each example's own dL_e/dW^(l) (with DropConnect its masks differ, so the mean is not one product)
    example_grad_weights: tuple[ImmutableMatrix, ...] = ()


@dataclass(frozen=True)
class BatchBackprop:
    """A batch's backward pass: the forward derivation, the target T (n_L x B), each example's
    loss and their mean L, the steps from the output back (``steps[0]`` the output layer), dL/dX
    of the mean loss (n_0 x B), and with a rate the batch after one step."""

    batch: Batch
    forward: BatchDerivation
    target: ImmutableMatrix
    losses: tuple[sympy.Expr, ...]
    loss: sympy.Expr
    steps: tuple[BatchBackStep, ...]
    grad_input: ImmutableMatrix
    rate: sympy.Expr | None = None
    after_step: Batch | None = None
    prediction_after_step: ImmutableMatrix | None = None

    @property
    def network(self) -> Batch:
        return self.batch

    @property
    def prediction(self) -> ImmutableMatrix:
        return self.forward.prediction

    @property
    def by_layer(self) -> tuple[BatchBackStep, ...]:
        """The steps first hidden layer first (as JSON lists them)."""
        return tuple(reversed(self.steps))


def derive_batch_backprop(batch: Batch, rate=None) -> BatchBackprop:
    """The mean loss of ``batch`` (which has targets) and its gradients, the mean of each example's
    (the core's backward pass, one per example); with ``rate`` one gradient-descent step."""
    gradients, budget = [], Budget("the batch's backward pass")
    for e, network in enumerate(batch.examples):
        gradients.append(backward(network))
        budget.count([v for g in gradients[-1].layers for v in (*g.delta, *g.grad_weights)], f"input[{e}]")
    size = sympy.Integer(batch.size)
    forward = derive_batch(batch)
    losses = tuple(to_sympy(g.loss) for g in gradients)
    steps = []
    for l in range(batch.depth, 0, -1):
        per = [g.layers[l - 1] for g in gradients]
        n_in = batch.layers[l - 1].W.cols
        own = [values_matrix(p.grad_weights, n_in) for p in per]
        steps.append(BatchBackStep(
            l=l, output=l == batch.depth,
            incoming=columns([values_matrix(p.incoming) for p in per]),
            derivative=columns([values_matrix(p.derivative) for p in per]),
            delta=columns([values_matrix(p.delta) for p in per]),
            masked=forward.layers[l - 1].masked,
            grad_weights=_mean(own, size),
            grad_bias=_mean([values_matrix(p.grad_bias) for p in per], size),
            W=batch.layers[l - 1].W, example_grad_weights=tuple(own),
        ))
    grad_input = columns([values_matrix(g.grad_input) / size for g in gradients])
    result = BatchBackprop(batch, forward, batch.target, losses, sympy.Add(*losses) / size, tuple(steps),
                           ImmutableMatrix(grad_input))
    return result if rate is None else _step(result, exact(rate, "rate"))


def _mean(matrices, size) -> ImmutableMatrix:
    return ImmutableMatrix(sum(matrices[1:], matrices[0]) / size)


def _step(result: BatchBackprop, rate) -> BatchBackprop:
    """One gradient-descent step with the mean gradients: W - rate dL/dW, b - rate dL/db; the
    prediction after it with the same masks."""
    layers = stepped(result.batch.layers, [(s.grad_weights, s.grad_bias) for s in result.by_layer], rate)
    after = Batch(tuple(replace(network, layers=layers) for network in result.batch.examples), result.batch.title)
    predicted = columns([values_matrix(y) for y in after_step(*after.examples)])
    return replace(result, rate=rate, after_step=after, prediction_after_step=predicted)


@dataclass(frozen=True)
class BatchEnsemble:
    """Each example's exact mean over every mask beside its test-time approximation, as columns."""

    batch: Batch
    examples: tuple  # one core Ensemble per example

    @property
    def network(self) -> Batch:
        return self.batch

    @property
    def exact_mean(self) -> ImmutableMatrix:
        return columns([e.exact_mean for e in self.examples])

    @property
    def approximation(self) -> ImmutableMatrix:
        return columns([e.approximation for e in self.examples])

    @property
    def difference(self) -> ImmutableMatrix:
        return columns([e.difference for e in self.examples])

    @property
    def maskable_units(self) -> int:
        return self.examples[0].maskable_units


def expect_batch(batch: Batch) -> BatchEnsemble:
    """The exact mean prediction of every example over every mask (the core's, one per example)."""
    return BatchEnsemble(batch, tuple(expect(network) for network in batch.examples))
