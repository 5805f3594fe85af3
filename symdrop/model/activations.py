"""Activation functions: the name a spec uses, how SymPy applies it, how it is written."""

from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from typing import Callable

import sympy
from sympy.core.evalf import PrecisionExhausted

from ..errors import BeyondExact, SymdropError
from .closedform import Undecided, enclosed_sign, exponential, hyperbolic_tangent


class Written(sympy.Basic):
    """``g(z)`` as written, never evaluated: a node only the printer reads.

    A plain ``Basic`` rather than a SymPy ``Function``: a Function's constructor checks its
    arity through a FiniteSet and asks each argument whether to evaluate, some 50 us for every
    layer of every derivation, and these nodes need none of that.
    """

    arity = 1

    def __new__(cls, *args):
        if len(args) != cls.arity:
            raise TypeError(f"{cls.__name__} takes {cls.arity} argument(s), got {len(args)}")
        return super().__new__(cls, *map(sympy.sympify, args))


class ReLU(Written):
    """ReLU applied to a whole vector, kept unevaluated for display: ``ReLU(z)``."""


class LeakyReLU(Written):
    """Leaky ReLU with its slope for negative inputs, unevaluated for display: ``LeakyReLU(z, a)``."""

    arity = 2


class LeakyReLUName(Written):
    """The name of a leaky ReLU with slope ``a``, as the network table writes ``g``."""


class Sigmoid(Written):
    """The logistic sigmoid, unevaluated for display: ``sigma(z)``."""


class Tanh(Written):
    """tanh applied to a whole vector, unevaluated for display."""


@dataclass(frozen=True)
class Activation:
    """An elementwise activation ``g``; ``apply`` maps one exact entry to its exact value."""

    name: str
    label: object  # how formulas write g: LaTeX math, or a SymPy object the printer writes
    apply: Callable[[sympy.Expr], sympy.Expr]
    # Builds the unevaluated g(z) of formulas; None means g(z) = z.
    display: Callable[[sympy.Basic], sympy.Basic] | None
    clips_negatives: bool = False
    # Piecewise linear g(z) = z for z > 0 and c z for z <= 0: c, else None (sigmoid, tanh).
    # Such a g maps rationals to rationals and commutes with positive scaling, which the
    # ensemble's integer arithmetic relies on.
    negative_slope: sympy.Rational | None = None
    # g of one mpmath number (a decimal of the number's own context, 40 digits in the rules), for
    # the activations that are not piecewise linear; those take ``number`` for decimals too.
    decimal: Callable | None = None

    @property
    def smooth(self) -> bool:
        """Not piecewise linear (sigmoid, tanh): it maps rationals to irrationals."""
        return self.negative_slope is None

    @property
    def number(self) -> Callable:
        """``g`` of one int or Fraction, for the piecewise linear activations (None otherwise)."""
        return None if self.negative_slope is None else piecewise(self.negative_slope)

    def formula(self, z: sympy.Basic) -> sympy.Basic:
        """``g(z)`` unevaluated, as a student writes it; ``z`` itself for the identity."""
        return z if self.display is None else self.display(z)

    def __call__(self, z: sympy.ImmutableMatrix) -> sympy.ImmutableMatrix:
        return z.applyfunc(self.apply)


@lru_cache(maxsize=None)
def piecewise(slope: sympy.Rational) -> Callable:
    """``g(v) = v`` for ``v > 0``, ``slope * v`` otherwise, on int and Fraction (ReLU: slope 0)."""
    if slope == 0:
        return _sloped(lambda v: v if v > 0 else 0, 0)
    if slope == 1:
        return _sloped(lambda v: v, 1)
    c = Fraction(int(slope.p), int(slope.q))
    return lambda v: v if v > 0 else c * v


def _sloped(g: Callable, slope: int) -> Callable:
    """``g`` marked with its negative slope, 0 (ReLU) or 1 (the identity): what a pass in
    integers (``core.wholepass``) asks of a layer's function."""
    g.slope = slope
    return g


def _relu(z: sympy.Expr) -> sympy.Expr:
    # An exact number directly (what Max(0, z) gives, without its slow general argument logic).
    if isinstance(z, sympy.Rational):
        return z if z.p >= 0 else sympy.S.Zero
    if z.free_symbols:
        return sympy.Max(0, z)
    return z if sign(z) > 0 else sympy.S.Zero


def sign(z: sympy.Expr) -> int:
    """The sign of an exact number without symbols, also of one as close to 0 as 1 - tanh(228),
    where SymPy's comparisons give up: evaluated to more and more digits until they decide."""
    if z.is_Rational:
        return (z.p > 0) - (z.p < 0)
    try:
        decided = enclosed_sign(z)  # bounds of the exact value, without SymPy's evaluation
    except Undecided:
        text = str(z)
        raise BeyondExact(f"cannot decide the sign of {text[:200] + ' ...' if len(text) > 200 else text}: it is "
                          f"within 2^-4000 of 0 (its leading terms cancel), beyond the precision symdrop decides "
                          f"signs to (4096 bits)") from None
    if decided is not None:
        return decided
    for digits in (15, 60, 400):
        try:
            value = sympy.N(z, digits, strict=True)
        except PrecisionExhausted:
            continue
        if value != 0:
            return 1 if value > 0 else -1
    if z.is_zero:
        return 0
    raise BeyondExact(f"cannot decide the sign of {z} (equal to 0 to 400 digits)")


def _sigmoid(z):
    if isinstance(z, sympy.Rational):
        return 1 / (1 + sympy.exp(-z))  # sigma(0) = 1/2
    # The same expression built without asking SymPy to evaluate e^{-z} and 1/(1 + e^{-z}): for z
    # of sigmoids (a later layer's) it evaluates both to the 40 digits of every term before it
    # leaves them as they are; unevaluated, a pass of three sigmoid layers takes half the time.
    return sympy.Pow(sympy.Add(1, exponential(-z), evaluate=False), -1, evaluate=False)


def _sigmoid_decimal(z):
    return 1 / (1 + z.context.exp(-z))


ACTIVATIONS = {
    "relu": Activation(
        "relu", r"\operatorname{ReLU}", _relu, ReLU,
        clips_negatives=True, negative_slope=sympy.Integer(0),
    ),
    "identity": Activation("identity", r"\operatorname{id}", lambda z: z, None, negative_slope=sympy.Integer(1)),
    "sigmoid": Activation("sigmoid", r"\sigma", _sigmoid, Sigmoid, decimal=_sigmoid_decimal),
    "tanh": Activation("tanh", r"\tanh", hyperbolic_tangent, Tanh, decimal=lambda z: z.context.tanh(z)),
}

# Activations with a parameter: the name, and the default when the spec gives just the name.
PARAMETRIZED = {"leaky_relu": sympy.Rational(1, 100)}  # PyTorch's default negative_slope


def leaky_relu(slope: sympy.Rational) -> Activation:
    """Leaky ReLU, ``max(z, a z)`` for a slope ``0 < a < 1``."""
    return Activation(
        "leaky_relu", LeakyReLUName(slope),
        lambda z: sympy.Max(z, slope * z) if z.free_symbols else (z if sign(z) > 0 else slope * z),
        lambda z: LeakyReLU(z, slope), negative_slope=slope,
    )


def activation(name: str, slope: sympy.Rational | None = None) -> Activation:
    """The activation called ``name`` (with its ``slope`` for leaky ReLU)."""
    if name == "leaky_relu":
        return leaky_relu(PARAMETRIZED[name] if slope is None else slope)
    return ACTIVATIONS[name]


NAMES = tuple(sorted((*ACTIVATIONS, *PARAMETRIZED)))


@lru_cache(maxsize=None)
def number_derivative(negative_slope: sympy.Rational) -> Callable:
    """:func:`derivative` of a piecewise linear g (its ``negative_slope``) as a function of one
    int or Fraction z: the same numbers and types, the slope's comparisons made once, not for
    every unit of every pass back (tests/test_fast_paths.py)."""
    if negative_slope == 1:
        return lambda z: 1
    low = 0 if negative_slope == 0 else Fraction(int(negative_slope.p), int(negative_slope.q))
    return lambda z: 1 if z > 0 else low


def derivative(g: Activation, z, a):
    """g'(z) of one exact number (int, Fraction or SymPy), given a = g(z): for the piecewise
    linear ones 1 for z > 0 and the slope otherwise (ReLU'(0) = 0, as PyTorch's autograd takes
    it); sigma' = a (1 - a); tanh' = 1 - a^2."""
    if g.negative_slope == 1:  # the identity: no sign to decide (z may be 0 in a form SymPy cannot tell)
        return 1
    if g.negative_slope is not None:
        positive = z > 0 if not isinstance(z, sympy.Basic) else sign(z) > 0
        slope = g.negative_slope
        return 1 if positive or slope == 1 else (0 if slope == 0 else (Fraction(int(slope.p), int(slope.q))
                                                                       if not isinstance(z, sympy.Basic) else slope))
    if g.name == "sigmoid":
        return a * (1 - a)
    if g.name == "tanh":
        return 1 - a**2
    raise SymdropError(f"no derivative for the activation {g.name}")
