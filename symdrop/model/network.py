"""The model: layers (W, b, activation), dropout masks and the input; immutable."""

from dataclasses import dataclass, field

import sympy
from sympy import ImmutableMatrix

from ..numbers import to_sympy
from ..sympy_internals import rational_matrix
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
    # The title names a problem; it changes no number, so networks that differ only in it are
    # equal (and one memoized pass serves both).
    title: str = field(default="", compare=False)
    dropout: Dropout = Dropout()
    # For the backward pass: the target t (one value per output) and the loss ("squared", "bce").
    target: ImmutableMatrix | None = None
    loss: str = "squared"
    # The places a worked solution shows irrational values to (spec key digits); like the title
    # it changes no number.
    digits: int | None = field(default=None, compare=False)

    def __hash__(self) -> int:
        # Memoized: networks key the core's memos, asked many times per problem.
        if "_hash" not in self.__dict__:
            object.__setattr__(self, "_hash", hash((self.x, self.layers, self.masks, self.dropout, self.target,
                                                    self.loss)))
        return self.__dict__["_hash"]

    @property
    def sizes(self) -> tuple[int, ...]:
        """Units per layer, input first: (2, 3, 3, 2, 1) for the tutorial."""
        return (self.x.rows,) + tuple(layer.units for layer in self.layers)

    @property
    def depth(self) -> int:
        return len(self.layers)


def build(x, layers, masks, *, title: str = "", dropout: Dropout = Dropout(), target=None,
          loss: str = "squared") -> Network:
    """A network from plain exact numbers (int, Fraction or SymPy rationals): ``layers`` as
    (W rows, b, activation name), ``masks`` mu^(0) .. mu^(L-1) of 0 and 1, ``target`` one value
    per output (or None)."""
    return Network(
        x=_vector(x),
        layers=tuple(
            Layer(W=rational_matrix(len(W), len(W[0]), [to_sympy(w) for row in W for w in row]), b=_vector(b),
                  activation=g)
            for W, b, g in layers
        ),
        masks=tuple(_vector(m) for m in masks),
        title=title,
        dropout=dropout,
        target=None if target is None else _vector(target),
        loss=loss,
    )


def _vector(values) -> ImmutableMatrix:
    return rational_matrix(len(values), 1, [to_sympy(v) for v in values])
