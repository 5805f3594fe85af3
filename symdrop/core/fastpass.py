"""A fast exact forward pass in plain Python numbers (int or Fraction), to screen generated problems."""

from dataclasses import dataclass
from functools import lru_cache
from fractions import Fraction
from typing import Union

import sympy
from sympy import ImmutableMatrix

from ..model.network import Layer, Network
from ..numbers import rational_matrix

Number = Union[int, Fraction]  # exact only: a float never enters a problem


@dataclass(frozen=True)
class Problem:
    """A candidate problem as plain exact numbers: the generator's data, before it is a model.

    ``layers[l-1] = (W, b, activation)`` with W as a tuple of rows; ``masks[l]`` is mu^(l), the
    mask on the input of layer l+1 (``masks[0]`` masks x).
    """

    x: tuple[Number, ...]
    layers: tuple[tuple[tuple[tuple[Number, ...], ...], tuple[Number, ...], str], ...]
    masks: tuple[tuple[int, ...], ...]

    @property
    def depth(self) -> int:
        return len(self.layers)

    def network(self, title: str = "") -> Network:
        """The model symdrop derives: the same numbers as exact SymPy rationals."""
        return Network(
            x=_vector(self.x),
            layers=tuple(
                Layer(W=rational_matrix(len(W), len(W[0]), [_rational(w) for row in W for w in row]),
                      b=_vector(b), activation=g)
                for W, b, g in self.layers
            ),
            masks=tuple(_vector(m) for m in self.masks),
            title=title,
        )


@dataclass(frozen=True)
class LayerValues:
    """Layer l of a pass: masked input a~^(l-1), the products w_ij a~_j, z^(l) and a^(l)."""

    masked: tuple[Number, ...]
    terms: tuple[tuple[Number, ...], ...]
    z: tuple[Number, ...]
    a: tuple[Number, ...]


def affine(W, b, masked) -> tuple[tuple[tuple[Number, ...], ...], tuple[Number, ...]]:
    """The products ``w_ij a~_j`` of every unit and ``z = W a~ + b``."""
    terms = tuple(tuple(w * v for w, v in zip(row, masked)) for row in W)
    return terms, tuple(sum(t) + bias for t, bias in zip(terms, b))


def activate(activation: str, z) -> tuple[Number, ...]:
    if activation == "relu":
        return tuple(v if v > 0 else 0 for v in z)
    if activation == "identity":
        return tuple(z)
    raise ValueError(f"unknown activation {activation!r}")


def forward(problem: Problem, *, masks=None, activations=None) -> tuple[LayerValues, ...]:
    """Every layer's values; ``masks`` / ``activations`` replace the problem's (a mistake's pass)."""
    masks = problem.masks if masks is None else masks
    a = problem.x
    values = []
    for l, ((W, b, g), mu) in enumerate(zip(problem.layers, masks)):
        masked = tuple(m * v for m, v in zip(mu, a))
        terms, z = affine(W, b, masked)
        a = activate(g if activations is None else activations[l], z)
        values.append(LayerValues(masked, terms, z, a))
    return tuple(values)


def predict(problem: Problem, *, masks=None, activations=None) -> tuple[Number, ...]:
    """The prediction of :func:`forward` alone (a mistake's answer): no products kept."""
    masks = problem.masks if masks is None else masks
    a = problem.x
    for l, ((W, b, g), mu) in enumerate(zip(problem.layers, masks)):
        masked = [m * v for m, v in zip(mu, a)]
        z = [sum(w * v for w, v in zip(row, masked)) + bias for row, bias in zip(W, b)]
        a = activate(g if activations is None else activations[l], z)
    return a


@lru_cache(maxsize=1024)
def values_of(problem: Problem) -> tuple[LayerValues, ...]:
    """``forward(problem)``, memoized: the rules, the mistakes and the key all ask for it."""
    return forward(problem)


def _vector(values) -> ImmutableMatrix:
    return rational_matrix(len(values), 1, [_rational(v) for v in values])



def _rational(value: Number) -> sympy.Rational:
    if isinstance(value, int):
        return sympy.Integer(value)
    return sympy.Rational(value.numerator, value.denominator)
