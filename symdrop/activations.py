"""Activation functions: the name a spec uses, how SymPy applies it, how it is written."""

from dataclasses import dataclass
from typing import Callable

import sympy


class ReLU(sympy.Function):
    """ReLU applied to a whole vector, kept unevaluated for display: ``ReLU(z)``."""

    nargs = 1


@dataclass(frozen=True)
class Activation:
    """An elementwise activation ``g``; ``apply`` maps one exact entry to its exact value."""

    name: str
    label: str  # how formulas write g, in LaTeX math
    apply: Callable[[sympy.Expr], sympy.Expr]
    # The unevaluated function that stands for g(z) in formulas; None means g(z) = z.
    display: type | None
    clips_negatives: bool = False

    def formula(self, z: sympy.Basic) -> sympy.Basic:
        """``g(z)`` unevaluated, as a student writes it; ``z`` itself for the identity."""
        return z if self.display is None else self.display(z)

    def __call__(self, z: sympy.ImmutableMatrix) -> sympy.ImmutableMatrix:
        return z.applyfunc(self.apply)


def _relu(z: sympy.Expr) -> sympy.Expr:
    # An exact number directly (what Max(0, z) gives, without its slow general argument logic).
    if isinstance(z, sympy.Rational):
        return z if z.p >= 0 else sympy.S.Zero
    return sympy.Max(0, z)


ACTIVATIONS = {
    "relu": Activation("relu", r"\operatorname{ReLU}", _relu, ReLU, clips_negatives=True),
    "identity": Activation("identity", r"\operatorname{id}", lambda z: z, None),
}
