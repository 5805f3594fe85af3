"""A batch's exact passes checked against real PyTorch in float64: the whole batch (one row per
example) through nn.Linear layers and nn.Dropout, the mean loss against torch.nn's loss with
reduction='mean', and autograd's gradients."""

from dataclasses import dataclass, replace

import mpmath
from sympy import ImmutableMatrix

from . import losses
from ..model.batch import Batch
from ..numbers import to_sympy
from .backward import backward
from .batch import derive_batch, derive_batch_backprop
from .gradscale import gradient_sizes
from .verify import (_DIGITS, TOLERANCE, LayerError, Verification, _activation, _compare, _dropped, _linear, _modules,
                     _mpf, _scale, _tensor, _torch)


@dataclass(frozen=True)
class BatchVerification(Verification):
    """A batch's comparisons; ``drawn_masks``: the masks nn.Dropout drew, one tuple per example."""

    drawn_masks: tuple = ()

    def table(self, name: str) -> str:
        lines = super().table(name).splitlines()
        drawn = [f"nn.Dropout drew (torch.manual_seed({self.seed})), example {e}: "
                 + ", ".join(f"mu^({l}) = ({', '.join(str(int(v)) for v in mask)})" for l, mask in enumerate(masks))
                 for e, masks in enumerate(self.drawn_masks, start=1)]
        return "\n".join(lines[:-1] + drawn + lines[-1:]) + "\n"


def verify_batch(batch: Batch, *, seed: int = 0, tolerance: float = TOLERANCE) -> Verification:
    """Run ``batch`` in PyTorch (float64) as one tensor of B rows and compare every layer of every
    example with the exact passes: the spec's masks in training; with weight scaling (and plain
    masks with a keep) the test-time
    pass; with inverted dropout real ``nn.Dropout`` modules on the whole batch in train() (the
    masks they draw read back, the exact passes redone with them) and after eval(); with targets
    the mean loss (torch.nn's, reduction='mean') and autograd's gradients."""
    torch = _torch()
    # the exact backward passes first: a batch whose exact values pass the limits is refused at once
    exact = None if batch.target is None else derive_batch_backprop(batch)
    convention = batch.dropout.convention
    with torch.no_grad():
        rows = _compare_batch("train, spec masks", derive_batch(batch), _pass(torch, batch, "train")[0])
        # plain masks are tested as weight scaling tests, with q W (as for one example)
        if convention.approximation.scales_weights and batch.dropout.keep is not None:
            rows += _compare_batch("test, q W", derive_batch(batch, "test"), _pass(torch, batch, "test")[0])
    drawn = None
    # nn.Dropout has one p for a whole tensor: a keep per unit, or DropConnect's per weight, is
    # checked through the spec's masks as tensors only (as for one example)
    modules_apply = not (batch.dropout.per_unit or batch.dropout.connections)
    if convention.divides and modules_apply:
        modules = _modules(torch, batch)
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            with torch.no_grad():
                drawn, layers = _run_modules(torch, modules, batch, training=True)
        rows += _compare_batch("nn.Dropout, train()", derive_batch(_with_masks(batch, drawn)), layers)
        with torch.no_grad():
            _, layers = _run_modules(torch, modules, batch, training=False)
        rows += _compare_batch("nn.Dropout, eval()", derive_batch(batch, "test"), layers)
    if batch.target is not None:
        rows += _compare_gradients("autograd, spec masks", batch, _autograd(torch, batch), exact)
        if convention.divides and modules_apply:
            with torch.random.fork_rng(devices=[]):
                torch.manual_seed(seed)  # the same masks as the nn.Dropout run above
                masks, computed = _autograd(torch, batch, _modules(torch, batch))
            rows += _compare_gradients("autograd, nn.Dropout", _with_masks(batch, masks), computed)
    examples = () if drawn is None else tuple(network.masks for network in _with_masks(batch, drawn).examples)
    return BatchVerification(f"{convention.name}, batch of {batch.size}", torch.__version__, tuple(rows), None, seed,
                             tolerance, examples)


def _with_masks(batch: Batch, drawn) -> Batch:
    """``batch`` with the masks nn.Dropout drew (one B x n matrix per layer, row e example e's)."""
    return Batch(tuple(replace(network, masks=tuple(ImmutableMatrix(m[e, :]).T for m in drawn))
                       for e, network in enumerate(batch.examples)), batch.title)


def _pass(torch, batch: Batch, mode: str, x=None):
    """The convention's pass with tensors over the whole batch (row e: example e), the spec's
    masks as tensors (a keep per unit as a row of 1/q; DropConnect's M^(l) of each example on
    its own copy of W): each layer's (masked input, z, a), and the Linear modules."""
    layers, linears = [], []
    a = _tensor(torch, batch.X.T) if x is None else x
    for l, layer in enumerate(batch.layers, start=1):
        rule = batch.dropout.rule(l, mode)
        masked = a * _tensor(torch, batch.masks[l - 1].T) if rule.masked else a
        if rule.input_scale is not None:
            masked = masked * _scale(torch, rule.input_scale).reshape(1, -1)
        linears.append(_linear(torch, layer))
        weight = linears[-1].weight
        if rule.weight_scale is not None:  # one q, a row of q's (one per input unit), or W's shape
            weight = weight * _scale(torch, rule.weight_scale)
        if rule.weights_masked:  # DropConnect: example e's z_e = (M_e . W~) a~_e + b
            masks = torch.stack([_tensor(torch, network.masks[l - 1]) for network in batch.examples])
            z = torch.einsum("eij,ej->ei", masks * weight, masked) + linears[-1].bias
        else:
            z = torch.nn.functional.linear(masked, weight, linears[-1].bias)
        a = _activation(torch, layer)(z)
        layers.append((masked, z, a))
    return layers, linears


def _run_modules(torch, modules, batch: Batch, *, training: bool, x=None):
    """The whole batch through the modules; each nn.Dropout's mask read back (B x n)."""
    layers, masks = [], []
    a = _tensor(torch, batch.X.T) if x is None else x
    for dropout, linear, g in modules:
        masked, kept = a, torch.ones_like(a)
        if dropout is not None:
            dropout.train(training)
            masked, kept = _dropped(torch, dropout, a)
        masks.append(ImmutableMatrix([[int(v != 0) for v in row] for row in kept.tolist()]))
        z = linear(masked)
        a = g(z)
        layers.append((masked, z, a))
    return tuple(masks), layers


def _compare_batch(check: str, derivation, layers) -> list[LayerError]:
    """Every example's layers against its row of the tensors; per layer the worst example."""
    per_example = [_compare(check, d.steps, [tuple(t[e] for t in tensors) for tensors in layers])
                   for e, d in enumerate(derivation.examples)]
    return [max(rows, key=lambda row: row.max_rel) for rows in zip(*per_example)]


def _loss(torch, batch: Batch, a, z):
    """The mean over the batch of the spec's loss, each example's by its torch.nn loss (see
    :mod:`.losses`; bce and cross-entropy from the logits z), as PyTorch's reduction='mean' over
    examples takes it."""
    t = _tensor(torch, batch.target.T)
    loss = losses.named(batch.loss)
    return sum(loss.torch(torch, a[e:e + 1], z[e:e + 1], t[e:e + 1]) for e in range(t.shape[0])) / t.shape[0]


def _autograd(torch, batch: Batch, modules=None):
    """The mean loss, dL/dW and dL/db of every layer and dL/dX by autograd: the spec's masks as
    tensors, or (``modules``) real nn.Dropout modules in train(), their masks read back."""
    x = _tensor(torch, batch.X.T).requires_grad_(True)
    if modules is None:
        layers, linears = _pass(torch, batch, "train", x)
        masks = None
    else:
        masks, layers = _run_modules(torch, modules, batch, training=True, x=x)
        linears = [linear for _, linear, _ in modules]
    _, z, a = layers[-1]
    loss = _loss(torch, batch, a, z)
    loss.backward()
    computed = (loss.item(), [(lin.weight.grad, lin.bias.grad) for lin in linears], x.grad)
    return computed if modules is None else (masks, computed)


def _compare_gradients(check: str, batch: Batch, computed, exact=None) -> list[LayerError]:
    """The mean loss, every layer's mean dL/dW and dL/db, and dL/dX (as layer 0) against the
    exact ones (``exact``, when made already); relative to the size of the numbers float64 took
    for them (see :func:`_sizes`), at least the largest exact value (1 when all are 0)."""
    exact = derive_batch_backprop(batch) if exact is None else exact
    loss, layers, grad_x = computed
    groups = [("loss", batch.depth, [exact.loss], [loss]), ("grad", 0, list(exact.grad_input.T), grad_x.reshape(-1).tolist())]
    groups += [("grad", s.l, [*s.grad_weights, *s.grad_bias], [*W.reshape(-1).tolist(), *b.reshape(-1).tolist()])
               for s, (W, b) in zip(exact.by_layer, layers)]
    rows = []
    for (what, l, values, got), size in zip(groups, _sizes(batch), strict=True):
        with mpmath.workdps(_DIGITS):
            truth = [_mpf(to_sympy(v)) for v in values]
            absolute = max(abs(mpmath.mpf(c) - e) for c, e in zip(got, truth, strict=True))
            scale = max(max(abs(e) for e in truth), size) or 1
            rows.append(LayerError(f"{check} ({what})", l, float(absolute), float(absolute / scale)))
    return rows


def _sizes(batch: Batch) -> list[float]:
    """The loss's (0: compared relative to the loss itself), dL/dX's and each layer's size of the
    numbers float64 took, per :func:`.gradscale.gradient_sizes` of each example: the mean's is the
    mean of the examples' sizes, dL/dx^(e)'s 1/B of example e's."""
    per_example = [gradient_sizes(network, backward(network)) for network in batch.examples]
    size = len(per_example)
    sizes = [0.0, max(max(x) for x, _ in per_example) / size]
    for l in range(batch.depth):
        sizes.append(max(sum(entries) for entries in zip(*(layers[l] for _, layers in per_example))) / size)
    return sizes
