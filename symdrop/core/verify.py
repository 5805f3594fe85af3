"""The exact pass checked against real PyTorch in float64, every layer, every pass."""

import warnings
from dataclasses import dataclass, replace

import mpmath
import sympy
from sympy import ImmutableMatrix

from . import losses
from .backward import backward
from .derive import Step, derive
from .gradscale import gradient_sizes
from ..numbers import to_fraction, to_sympy
from ..errors import SymdropError
from ..model.network import Network

TOLERANCE = 1e-9  # relative
# symdrop is on no package index, so its extra cannot be named; PyTorch's own CPU build is small.
INSTALL = "pip install torch (the CPU build: pip install torch --index-url https://download.pytorch.org/whl/cpu)"
_DIGITS = 30  # the exact values, as compared with float64


@dataclass(frozen=True)
class LayerError:
    """The largest errors of PyTorch's layer ``l`` (masked input, z and a) in one pass.

    The relative error is the largest absolute error over the size of the numbers float64 worked
    with: for the masked input its largest magnitude; for z (and a, whose activations all have
    slope at most 1) the largest sum of |w a~| + |b| before any cancellation. An exact value like
    4 - 4 tanh(28/3) = 6e-8, summed from terms of size 4, is only as exact as those terms; and
    entry by entry an exact 0 computed as 1e-17 would count as infinitely wrong. (1 when all 0.)
    """

    check: str
    l: int
    max_abs: float
    max_rel: float


@dataclass(frozen=True)
class Verification:
    """Every comparison of symdrop's exact values with PyTorch, and the masks nn.Dropout drew."""

    convention: str
    torch_version: str
    rows: tuple[LayerError, ...]
    drawn: tuple[ImmutableMatrix, ...] | None = None
    seed: int = 0
    tolerance: float = TOLERANCE

    @property
    def ok(self) -> bool:
        return all(row.max_rel <= self.tolerance for row in self.rows)

    def table(self, name: str) -> str:
        """The report ``symdrop verify`` prints: one line per pass and layer, then the verdict."""
        lines = [
            f"symdrop verify {name}: convention {self.convention}, PyTorch {self.torch_version}, "
            f"float64, tolerance {self.tolerance:g} relative",
            f"{'pass':<28}{'layer':>5}  {'max abs error':>13}  {'max rel error':>13}",
        ]
        for row in self.rows:
            lines.append(f"{row.check:<28}{row.l:>5}  {row.max_abs:>13.2e}  {row.max_rel:>13.2e}")
        if self.drawn is not None:
            masks = ", ".join(
                f"mu^({l}) = ({', '.join(str(int(v)) for v in mask)})" for l, mask in enumerate(self.drawn)
            )
            lines.append(f"nn.Dropout drew (torch.manual_seed({self.seed})): {masks}")
        bad = [row for row in self.rows if row.max_rel > self.tolerance]
        # what is counted: the rows above, one check of a pass at a layer each
        passes = len(dict.fromkeys(row.check for row in self.rows))
        counted = f"({passes} pass{'es' if passes != 1 else ''}, a check per pass and layer)"
        if bad:
            lines.append(f"FAILED: {len(bad)} of {len(self.rows)} checks beyond {self.tolerance:g} relative {counted}")
        else:
            lines.append(f"ok: all {len(self.rows)} checks within {self.tolerance:g} relative {counted}")
        return "\n".join(lines) + "\n"


def verify(network: Network, *, seed: int = 0, tolerance: float = TOLERANCE) -> Verification:
    """Run ``network`` in PyTorch (float64) and compare every layer with the exact pass.

    Always the training pass with the spec's masks; with weight scaling also the test-time pass
    (q W); with inverted dropout also real ``nn.Dropout`` modules in training mode (the masks they
    draw are read back and the exact pass redone with them) and the same modules after ``eval()``.
    """
    torch = _torch()
    # the exact backward pass first: a network whose exact values pass the limits is refused at once
    gradients = None if network.target is None else backward(network)
    convention = network.dropout.convention
    name = convention.name
    with torch.no_grad():
        rows = _compare("train, spec masks", derive(network).steps, _pass(torch, network, "train")[0])
    drawn = None
    if convention.approximation.scales_weights and network.dropout.keep is not None:
        with torch.no_grad():
            rows += _compare("test, q W", derive(network, mode="test").steps, _pass(torch, network, "test")[0])
    # nn.Dropout has one p for a whole tensor: a keep probability per unit, or DropConnect's per
    # weight, is checked through the spec's masks as tensors only
    modules_apply = not (network.dropout.per_unit or network.dropout.connections)
    if convention.divides and modules_apply:
        modules = _modules(torch, network)
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            with torch.no_grad():
                drawn, layers = _run_modules(torch, modules, network, training=True)
        rows += _compare("nn.Dropout, train()", derive(replace(network, masks=drawn)).steps, layers)
        with torch.no_grad():
            _, layers = _run_modules(torch, modules, network, training=False)
        rows += _compare("nn.Dropout, eval()", derive(network, mode="test").steps, layers)
    if network.target is not None:
        rows += _compare_gradients("autograd, spec masks", network, _autograd(torch, network), gradients)
        if convention.divides and modules_apply:
            with torch.random.fork_rng(devices=[]):
                torch.manual_seed(seed)  # the same masks as the nn.Dropout run above
                masks, grads = _autograd_modules(torch, _modules(torch, network), network)
            rows += _compare_gradients("autograd, nn.Dropout", replace(network, masks=masks), grads)
    return Verification(name, torch.__version__, tuple(rows), drawn, seed, tolerance)


def _dropped(torch, dropout, a):
    """``dropout(a)`` and the mask it drew: the same draw applied to ones first (the generator's
    state put back), so that a unit whose value is 0 still reads as dropped or kept, as it was."""
    state = torch.get_rng_state()
    kept = dropout(torch.ones_like(a)).detach()
    torch.set_rng_state(state)
    return dropout(a), kept


def _loss(torch, network: Network, y, z):
    """The spec's loss in PyTorch (:mod:`.losses` says which torch.nn loss), from the output y and z."""
    return losses.named(network.loss).torch(torch, y, z, _tensor(torch, network.target).reshape(1, -1))


def _autograd(torch, network: Network):
    """dL/dW, dL/db of every layer and dL/dx by torch.autograd, the spec's masks as tensors; and
    the loss PyTorch computed."""
    x = _tensor(torch, network.x).reshape(1, -1).requires_grad_(True)
    layers, linears = _pass(torch, network, "train", x)
    _, z, a = layers[-1]
    loss = _loss(torch, network, a, z)
    loss.backward()
    return [(lin.weight.grad, lin.bias.grad) for lin in linears], x.grad, loss.item()


def _autograd_modules(torch, modules, network: Network):
    """The same with real nn.Dropout modules in training mode; their masks read back."""
    x = _tensor(torch, network.x).reshape(1, -1).requires_grad_(True)
    masks, layers = _run_modules(torch, modules, network, training=True, x=x)
    _, z, a = layers[-1]
    loss = _loss(torch, network, a, z)
    loss.backward()
    return masks, ([(lin.weight.grad, lin.bias.grad) for _, lin, _ in modules], x.grad, loss.item())


def _compare_gradients(check: str, network: Network, computed, exact=None) -> list[LayerError]:
    """The loss, then every layer's dL/dW and dL/db (and dL/dx as layer 0) against the exact
    backward pass (``exact``, when made already); relative to the size of the numbers float64
    took for the layer's gradients (:func:`.gradscale.gradient_sizes`), at least its largest
    exact gradient (1 when all are 0)."""
    exact = backward(network) if exact is None else exact
    layers, grad_x, loss = computed
    with mpmath.workdps(_DIGITS):  # the loss as torch.nn computed it, shown as the output layer's
        truth = _mpf(to_sympy(exact.loss))
        absolute = abs(mpmath.mpf(loss) - truth)
        # relative to a loss of at least 1: cross-entropy's log-sum-exp minus z_c cancels, so a
        # loss of 4e-9 from logits of size 20 is exact to 1e-15 only, as those logits are
        rows = [LayerError(f"{check} (loss)", network.depth, float(absolute), float(absolute / max(abs(truth), 1)))]
    pairs = [(0, [exact.grad_input], [grad_x])]
    pairs += [(l, [tuple(v for row in g.grad_weights for v in row), g.grad_bias], [W, b])
              for l, (g, (W, b)) in enumerate(zip(exact.layers, layers), start=1)]
    sizes = gradient_sizes(network, exact)
    for (l, values, tensors), size in zip(pairs, [sizes[0], *sizes[1]], strict=True):
        with mpmath.workdps(_DIGITS):
            truth = [_mpf(to_sympy(v)) for group in values for v in group]
            got = [mpmath.mpf(c) for t in tensors for c in t.reshape(-1).tolist()]
            absolute = max(abs(c - e) for c, e in zip(got, truth, strict=True))
            scale = max(max(abs(e) for e in truth), max(size)) or 1
            rows.append(LayerError(f"{check} (grad)", l, float(absolute), float(absolute / scale)))
    return rows


def _torch():
    try:
        with warnings.catch_warnings():
            # PyTorch warns when NumPy is absent; verify never hands it NumPy arrays.
            warnings.filterwarnings("ignore", message="Failed to initialize NumPy", category=UserWarning)
            import torch
    except ImportError:
        raise SymdropError(f"verify needs PyTorch, which is not installed: {INSTALL}") from None
    return torch


def _tensor(torch, matrix):
    rows = [[float(to_fraction(matrix[i, j])) for j in range(matrix.cols)] for i in range(matrix.rows)]
    return torch.tensor(rows, dtype=torch.float64)


def _activation(torch, layer):
    nn = torch.nn
    if layer.activation == "leaky_relu":
        return nn.LeakyReLU(float(to_fraction(layer.slope)))
    return {"relu": nn.ReLU, "identity": nn.Identity, "sigmoid": nn.Sigmoid, "tanh": nn.Tanh}[layer.activation]()


def _linear(torch, layer):
    linear = torch.nn.Linear(layer.W.cols, layer.W.rows, dtype=torch.float64)
    with torch.no_grad():
        linear.weight.copy_(_tensor(torch, layer.W))
        linear.bias.copy_(_tensor(torch, layer.b).reshape(-1))
    return linear


def _pass(torch, network: Network, mode: str, x=None) -> tuple[list, list]:
    """The convention's pass written out with tensors (masks, 1/q, q W as the rules say), from
    ``x`` (default: the spec's input): each layer's (masked input, z, a), and the Linear modules."""
    layers, linears = [], []
    a = _tensor(torch, network.x).reshape(1, -1) if x is None else x
    for l, (layer, mu) in enumerate(zip(network.layers, network.masks), start=1):
        rule = network.dropout.rule(l, mode)
        masked = a * _tensor(torch, mu).reshape(1, -1) if rule.masked else a
        if rule.input_scale is not None:
            masked = masked * _scale(torch, rule.input_scale).reshape(1, -1)
        linears.append(_linear(torch, layer))
        weight = linears[-1].weight
        if rule.weights_masked:  # DropConnect: PyTorch has no module for it, so the mask as a tensor
            weight = weight * _tensor(torch, mu)
        if rule.weight_scale is not None:  # one q, a row of q's (one per input unit), or W's shape
            weight = weight * _scale(torch, rule.weight_scale)
        z = torch.nn.functional.linear(masked, weight, linears[-1].bias)
        a = _activation(torch, layer)(z)
        layers.append((masked, z, a))
    return layers, linears


def _scale(torch, scale):
    """A rule's scale as a tensor: one number, or a matrix of them."""
    if isinstance(scale, sympy.MatrixBase):
        return _tensor(torch, scale)
    return torch.tensor(float(to_fraction(scale)), dtype=torch.float64)


def _modules(torch, network: Network) -> list:
    """Per layer: an ``nn.Dropout(p = 1 - q)`` on its input (when q < 1), its Linear, its g."""
    modules = []
    for l, layer in enumerate(network.layers, start=1):
        q = network.dropout.keep[l - 1]
        dropout = torch.nn.Dropout(p=float(to_fraction(1 - q))) if network.dropout.maskable(l - 1) else None
        modules.append((dropout, _linear(torch, layer), _activation(torch, layer)))
    return modules


def _run_modules(torch, modules, network: Network, *, training: bool, x=None):
    """Run the modules from ``x`` (default: the spec's input); read back the mask each
    nn.Dropout drew (see :func:`_dropped`). Returns the masks and each layer's (masked, z, a)."""
    layers, masks = [], []
    a = _tensor(torch, network.x).reshape(1, -1) if x is None else x
    for dropout, linear, g in modules:
        masked, kept = a, torch.ones_like(a)
        if dropout is not None:
            dropout.train(training)
            masked, kept = _dropped(torch, dropout, a)
        masks.append(ImmutableMatrix([int(v) for v in (kept != 0).reshape(-1).tolist()]))
        z = linear(masked)
        a = g(z)
        layers.append((masked, z, a))
    return tuple(masks), layers


def _compare(check: str, steps: tuple[Step, ...], layers: list) -> list[LayerError]:
    rows = []
    for step, tensors in zip(steps, layers, strict=True):
        exact = (step.masked_input.value, step.pre_activation.value, step.activation.value)
        worst_abs = worst_rel = 0.0
        for values, tensor, scale in zip(exact, tensors, _magnitudes(step)):
            absolute, relative = _errors(values, tensor.reshape(-1).tolist(), scale)
            worst_abs, worst_rel = max(worst_abs, absolute), max(worst_rel, relative)
        rows.append(LayerError(check, step.l, worst_abs, worst_rel))
    return rows


def _errors(exact: ImmutableMatrix, computed: list[float], scale) -> tuple[float, float]:
    with mpmath.workdps(_DIGITS):
        truth = [_mpf(v) for v in exact]
        absolute = max(abs(mpmath.mpf(c) - t) for c, t in zip(computed, truth, strict=True))
        return float(absolute), float(absolute / (scale or 1))


def _magnitudes(step: Step) -> tuple:
    """The size of the numbers float64 handles in layer ``step`` (see :class:`LayerError`)."""
    with mpmath.workdps(_DIGITS):
        masked = [abs(_mpf(v)) for v in step.masked_input.value]
        W, b = step.W, step.layer.b
        z = max(
            mpmath.fsum(abs(_mpf(W[i, j])) * masked[j] for j in range(W.cols)) + abs(_mpf(b[i]))
            for i in range(W.rows)
        )
        return max(masked), z, z


def _mpf(value) -> mpmath.mpf:
    if value.is_Rational:  # most values: exact, without asking SymPy whether it is 0
        return mpmath.mpf(value.p) / value.q
    number = sympy.N(value, _DIGITS)
    return mpmath.mpf(number._mpf_) if number.is_Float else mpmath.mpf(0) if number.is_zero else mpmath.mpf(
        sympy.Float(number, _DIGITS)._mpf_)
