"""Exact numbers: the one gate where user numbers become SymPy rationals."""

from fractions import Fraction
from numbers import Rational as _RationalABC

import sympy

from .errors import SpecError, describe


def exact(value, field: str) -> sympy.Rational:
    """Read ``value`` exactly as written: ``2``, ``"-3/4"``, ``"0.1"`` or ``0.1`` (1/10).

    A float is read through its shortest decimal form (``repr``), so ``0.1`` is 1/10 and never
    the binary double. Raises :class:`SpecError` naming ``field`` for anything else.
    """
    if isinstance(value, bool):
        raise SpecError(field, f"expected a number, got {describe(value)}")
    if isinstance(value, sympy.Rational):
        return value
    if isinstance(value, _RationalABC):
        return sympy.Rational(value.numerator, value.denominator)
    if isinstance(value, float):
        text = repr(value)
    elif isinstance(value, str):
        text = value.strip()
    else:
        raise SpecError(field, f"expected a number, got {describe(value)}")
    try:
        fraction = Fraction(text)
    except ZeroDivisionError:
        raise SpecError(field, f"division by zero in {describe(value)}") from None
    except ValueError:
        raise SpecError(
            field, f'expected a number such as 2, "-3/4" or 0.1, got {describe(value)}'
        ) from None
    return sympy.Rational(fraction.numerator, fraction.denominator)


def to_sympy(value) -> sympy.Expr:
    """An exact number as SymPy keeps it: an int or Fraction becomes a SymPy rational."""
    if isinstance(value, int):
        return sympy.Integer(value)
    if isinstance(value, Fraction):
        return sympy.Rational(value.numerator, value.denominator)
    return value


def to_fraction(value) -> Fraction:
    """An exact rational (SymPy, int or Fraction) as a :class:`fractions.Fraction`, faster to add."""
    value = sympy.Rational(value)
    return Fraction(int(value.p), int(value.q))
