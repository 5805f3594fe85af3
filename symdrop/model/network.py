"""The model: layers (W, b, activation), dropout masks and the input; immutable."""

from dataclasses import dataclass

import sympy
from sympy import ImmutableMatrix

from .activations import Activation, activation
from .conventions import Dropout


@dataclass(frozen=True)
class Layer:
    """One fully connected layer: ``z = W a~ + b``, ``a = g(z)``; ``W`` is n_l x n_(l-1)."""

    W: ImmutableMatrix
    b: ImmutableMatrix
    activation: str
    slope: sympy.Rational | None = None  # leaky ReLU's slope for negative inputs

    @property
    def g(self) -> Activation:
        return activation(self.activation, self.slope)

    @property
    def units(self) -> int:
        return self.W.rows


@dataclass(frozen=True)
class Network:
    """A problem: input ``x``, layers 1..L, and masks ``mu[l]`` on the input of layer l+1.

    ``masks[0]`` masks the input; ``masks[L-1]`` the last hidden layer. The output is never
    masked, and biases never are. ``dropout`` holds the convention and keep probabilities.
    """

    x: ImmutableMatrix
    layers: tuple[Layer, ...]
    masks: tuple[ImmutableMatrix, ...]
    title: str = ""
    dropout: Dropout = Dropout()

    @property
    def sizes(self) -> tuple[int, ...]:
        """Units per layer, input first: (2, 3, 3, 2, 1) for the tutorial."""
        return (self.x.rows,) + tuple(layer.units for layer in self.layers)

    @property
    def depth(self) -> int:
        return len(self.layers)
