"""The one gate where user numbers become exact SymPy rationals."""

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



def entries(matrix) -> tuple[sympy.Expr, ...]:
    """The entries of an explicit SymPy matrix, row by row, as SymPy holds them.

    An ``ImmutableMatrix`` keeps its entries as its third argument (``rows, cols, Tuple(...)``);
    reading them there avoids converting the matrix's internal DomainMatrix entry by entry, which
    is what indexing and ``tolist()`` do (most of the time of printing a worked solution).
    """
    if isinstance(matrix, sympy.ImmutableDenseMatrix):
        return matrix.args[2].args
    return tuple(matrix)
