"""The losses a spec may name: each one's value and gradient for one example, and its rules."""

import re
from dataclasses import dataclass
from fractions import Fraction
from typing import Callable

import sympy
from sympy import ImmutableMatrix

from ..errors import SpecError, describe
from ..numbers import exact, to_sympy

DEFAULT = "squared"


@dataclass(frozen=True)
class Loss:
    """A loss of one example's output y (a tuple of exact numbers) against its target t.

    ``value(y, t)`` is L and ``gradient(y, t)`` is dL/dy, one example at a time (a batch averages
    them). ``delta(z, y, t)``, for a loss that folds the output activation's derivative in (bce,
    cross_entropy), is dL/dz of the output layer; None means delta = dL/dy * g'(z). ``tidy`` puts
    each dL/da~ = W^T delta going back in the loss's form (cross_entropy: one fraction). ``rules``
    refuses an output layer or a target the loss cannot take (a :class:`SpecError` naming the
    field); ``class_index``: the target may be written as a class index (then stored one-hot).
    ``torch(torch, y, z, t)`` is the same loss in PyTorch (tensors of shape 1 x n), for verify."""

    name: str
    summary: str
    value: Callable
    gradient: Callable
    torch: Callable
    delta: Callable | None = None
    tidy: Callable = lambda value: value  # how a gradient W^T delta is best kept: as it comes, by default
    rules: Callable[[ImmutableMatrix, int, str], None] = lambda t, units, activation: None
    class_index: bool = False
    # L = c sum_i (y_i - t_i)^2: c for n outputs (the dropout penalty's factor); None for a loss
    # of another form (bce, cross_entropy), whose expected value has no closed form over masks
    squares: Callable[[int], Fraction] | None = None

    def check(self, target: ImmutableMatrix, units: int, activation: str) -> None:
        """Refuse (naming the field) an output layer of ``units`` units with ``activation``, or a
        target, that this loss cannot take."""
        self.rules(target, units, activation)

    def target_of_index(self, value, units: int) -> ImmutableMatrix:
        """The one-hot target of class ``value`` (a single integer, 0-based as PyTorch counts)."""
        text = str(value).strip() if isinstance(value, (str, int)) and not isinstance(value, bool) else None
        if text is None or not re.fullmatch(r"[+-]?[0-9]+", text):
            raise SpecError("target", f"expected a class index 0 .. {units - 1} or a one-hot list of {units} "
                                      f"values, got {describe(value)}")
        c = int(exact(text, "target"))
        if not 0 <= c < units:
            raise SpecError("target", f"expected a class index 0 .. {units - 1}, got {c}")
        return ImmutableMatrix([int(j == c) for j in range(units)])


def _scaled(value, factor: Fraction):
    """``value * factor`` exactly: a Fraction with Python numbers, a SymPy rational with SymPy's."""
    return value * (sympy.Rational(factor.numerator, factor.denominator) if isinstance(value, sympy.Basic) else factor)


def _squares(y, t):
    return sum(((yi - ti) ** 2 for yi, ti in zip(y, t)), 0 * y[0])


def _residual(y, t, factor: Fraction = Fraction(1)):
    return tuple((yi - ti) if factor == 1 else _scaled(yi - ti, factor) for yi, ti in zip(y, t))


def _bce(y, t):
    (yi,), (ti,) = y, t  # one sigmoid output
    return sympy.simplify(-(ti * sympy.log(yi) if ti != 0 else 0) - ((1 - ti) * sympy.log(1 - yi) if ti != 1 else 0))


def _bce_dy(y, t):
    """dL/dy of the binary cross-entropy: (y - t) / (y (1 - y))."""
    return tuple(sympy.simplify((yi - ti) / (yi * (1 - yi))) for yi, ti in zip(y, t))


def _bce_rules(t, units: int, activation: str) -> None:
    if units != 1 or activation != "sigmoid":
        raise SpecError("loss", "bce expects one output unit with activation sigmoid (the last layer)")
    if not 0 <= t[0] <= 1:
        raise SpecError("target[0]", f"expected 0 <= t <= 1 for bce, got {t[0]}")


def cross_entropy_value(z, t):
    """-log softmax(z)_c = log(sum_j e^{z_j}) - z_c, exact (c: the class of the one-hot ``t``)."""
    z = [to_sympy(v) for v in z]
    return sympy.log(sympy.Add(*(sympy.exp(v) for v in z))) - z[class_of(t)]


def softmax_minus_target(z, t):
    """dL/dz of softmax with cross-entropy: softmax(z) - t, exact, each entry one fraction over
    sum_j e^{z_j - m} with m = min z (numerator and denominator times e^{-m}: no negative powers)."""
    z = [to_sympy(v) for v in z]
    m = min(z)
    exps = [sympy.exp(v - m) for v in z]
    total = sympy.Add(*exps)
    return tuple(sympy.together(e / total - to_sympy(ti)) for e, ti in zip(exps, t))


def _together(value):
    """A sum of fractions over one denominator as one fraction (dL/da~ = W^T delta of softmax entries)."""
    return sympy.together(value) if isinstance(value, sympy.Basic) else value


def class_of(t) -> int:
    """The class c of a one-hot target (the index of its 1, 0-based)."""
    return next(j for j, v in enumerate(t) if v == 1)


def _cross_entropy_rules(t, units: int, activation: str) -> None:
    if activation != "identity":
        raise SpecError("loss", f"cross_entropy takes the logits: the output layer's activation must be identity "
                                f"(softmax is part of the loss), got {activation}")
    if units < 2:
        raise SpecError("loss", f"cross_entropy expects at least 2 output units (a softmax over the classes), got {units}")
    for j, v in enumerate(t):
        if v not in (0, 1):
            raise SpecError(f"target[{j}]", f"expected a one-hot list (one 1, the rest 0), got {v}")
    ones = [j for j, v in enumerate(t) if v == 1]
    if len(ones) != 1:
        where, what = (f"target[{ones[1]}]", "a second 1") if ones else ("target", "no 1")
        raise SpecError(where, f"expected a one-hot list (one 1, the rest 0), got {what}")


def _torch_cross_entropy(torch, y, z, t):
    return torch.nn.CrossEntropyLoss()(z, t.argmax(dim=1))  # the class index, as PyTorch's examples give it


LOSSES = {loss.name: loss for loss in (
    Loss("squared", "1/2 sum_i (y_i - t_i)^2 (the default)",
         value=lambda y, t: _scaled(_squares(y, t), Fraction(1, 2)), gradient=_residual,
         torch=lambda torch, y, z, t: ((y - t) ** 2).sum() / 2, squares=lambda n: Fraction(1, 2)),
    Loss("sse", "sum_i (y_i - t_i)^2, no 1/2",
         value=_squares, gradient=lambda y, t: _residual(y, t, Fraction(2)),
         torch=lambda torch, y, z, t: torch.nn.MSELoss(reduction="sum")(y, t), squares=lambda n: Fraction(1)),
    Loss("mse", "1/n sum_i (y_i - t_i)^2 over the n outputs (PyTorch's MSELoss)",
         value=lambda y, t: _scaled(_squares(y, t), Fraction(1, len(y))),
         gradient=lambda y, t: _residual(y, t, Fraction(2, len(y))),
         torch=lambda torch, y, z, t: torch.nn.MSELoss()(y, t), squares=lambda n: Fraction(1, n)),
    Loss("bce", "-(t log y + (1 - t) log(1 - y)) of one sigmoid output",
         value=_bce, gradient=_bce_dy, delta=lambda z, y, t: _residual(y, t), rules=_bce_rules,
         # from the logit: PyTorch's binary_cross_entropy clamps y (1 - y) at 1e-12, so its
         # gradient is wrong for a saturated sigmoid
         torch=lambda torch, y, z, t: torch.nn.functional.binary_cross_entropy_with_logits(z, t, reduction="sum")),
    Loss("cross_entropy", "log sum_j e^{z_j} - z_c: softmax over the identity outputs (logits), then -log p_c "
                          "(PyTorch's CrossEntropyLoss)",
         value=cross_entropy_value, gradient=softmax_minus_target, delta=lambda z, y, t: softmax_minus_target(z, t),
         rules=_cross_entropy_rules, torch=_torch_cross_entropy, class_index=True, tidy=_together),
)}


def named(name) -> Loss:
    """The loss a spec names (``loss: sse``); a :class:`SpecError` on ``loss`` for any other value."""
    if not isinstance(name, str) or name not in LOSSES:
        raise SpecError("loss", f"expected one of {', '.join(LOSSES)}, got {describe(name)}")
    return LOSSES[name]
