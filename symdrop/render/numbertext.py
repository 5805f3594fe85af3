"""Exact numbers as text: ``-13/20``, exact decimals ``-0.65``, and 15-digit decimals of irrational values."""

from fractions import Fraction
from functools import lru_cache
from math import floor

import mpmath
import sympy

from ..numbers import to_sympy
from ..sympy_internals import all_rational, entries

DIGITS = 15  # significant digits of the decimals printed beside exact irrational values


def exact_text(value, decimals: bool = False) -> str:
    """An exact number as text: ``7``, ``-13/20``, or with ``decimals`` ``-0.65`` where exact.
    An int or Fraction (a grade's points: some 20,000 for 300 students) is written from its own
    numerator and denominator, the same as SymPy's rational's (tests/test_numbertext.py)."""
    if type(value) is int or type(value) is Fraction:
        p, q = value.numerator, value.denominator
        if decimals and q != 1 and decimal_places(q) is not None:
            return exact_decimal(p, q)
        return str(p) if q == 1 else f"{p}/{q}"
    value = to_sympy(value)
    if decimals and value.q != 1 and decimal_places(value.q) is not None:
        return exact_decimal(value.p, value.q)
    return rational_text(value) if isinstance(value, sympy.Rational) else str(value)


def rational_text(value: sympy.Rational) -> str:
    """SymPy's text of a rational (``7``, ``-13/20``), written here: SymPy's printer takes some
    20 us a number, and a class's grades and feedback write tens of thousands.
    tests/test_numbertext.py checks it against SymPy's ``str``."""
    return str(value.p) if value.q == 1 else f"{value.p}/{value.q}"


def answer_text(value, decimals: bool = False) -> str:
    """An answer as key.json and key.csv write it: :func:`exact_text` where it is rational; an
    irrational one (a sigmoid's mean) exactly as :func:`plain` writes it, or with ``decimals`` as
    its 15-digit :func:`decimal`."""
    value = to_sympy(value)
    if value.is_Rational:
        return exact_text(value, decimals)
    return decimal(value) if decimals else plain(value)


def plain(expr) -> str:
    """An exact value as plain text: ``7``, ``-3/4``, ``Max(0, 3*mu1_1)``."""
    return rational_text(expr) if isinstance(expr, sympy.Rational) else sympy.sstr(expr)


def decimal_places(q: int) -> int | None:
    """How many decimal places 1/q needs (2 for q = 4), or None if its expansion never ends."""
    for places in range(7):
        if 10**places % q == 0:
            return places
    return None


def exact_decimal(p: int, q: int) -> str:
    """The exact decimal p/q as written by hand: ``-0.65``; q must be a divisor of a power of 10."""
    places = decimal_places(q)
    digits = str(abs(p) * 10**places // q).rjust(places + 1, "0")
    text = digits[: len(digits) - places] + ("." + digits[-places:] if places else "")
    return ("-" if p < 0 else "") + text


def needs_decimal(expr) -> bool:
    """Whether ``expr`` (a number or a matrix of them) has an irrational entry without symbols."""
    if all_rational(expr):  # most values, asked at once
        return False
    return any(not e.is_Rational and not e.free_symbols for e in scalars(expr))


def scalars(expr) -> tuple:
    """The entries of a matrix, row by row, or ``expr`` alone: SymPy expressions, one each."""
    if isinstance(expr, sympy.MatrixBase):
        return entries(expr)
    return (expr if isinstance(expr, sympy.Basic) else sympy.sympify(expr),)  # (sympify leaves SymPy's as they are)


@lru_cache(maxsize=8192)  # a sheet's values are written in every format: a sigmoid's evaluated once
def decimal(expr) -> str:
    """An exact number to 15 significant digits, the same text on every machine: ``0.952574126822433``."""
    value = sympy.N(expr, DIGITS)
    if value == 0:  # an exact 0 is 0, not 0.0 (asked of the decimal: SymPy's is_zero evaluates nested sigmoids again)
        return "0"
    if not value.is_Float:
        value = sympy.Float(value, DIGITS)
    return mpmath.nstr(mpmath.mpf(value._mpf_), DIGITS, min_fixed=-6, max_fixed=DIGITS)


ESTIMATE_DIGITS = 3  # significant digits of a statistical estimate's spread (MC's standard error)


def estimate(expr) -> str:
    """A standard error to :data:`ESTIMATE_DIGITS` significant digits (0.00668): an estimate of
    a spread, whose later digits the sample does not determine."""
    value = sympy.N(expr, DIGITS)
    return "0" if value == 0 else mpmath.nstr(mpmath.mpf(sympy.Float(value, DIGITS)._mpf_), ESTIMATE_DIGITS,
                                              min_fixed=-6, max_fixed=DIGITS)


def decimals(expr) -> list[str]:
    """Every entry of a matrix (or one number) as :func:`decimal` text."""
    return [decimal(e) for e in scalars(expr)]


SHOWN_DIGITS = 6  # significant digits of a decimal that stands in a document for an expression too long to show


def rounded(expr, always: bool = False, digits: int | None = None):
    """``expr`` (a number or a matrix) with each irrational entry replaced by its decimal to
    :data:`SHOWN_DIGITS` digits, or to ``digits`` places (a table or a formula too wide for the
    exact expressions, which JSON gives with 15-digit decimals beside them); with ``always`` every
    entry that is not an integer (a fraction too wide to read)."""
    def as_decimal(e):
        if e.is_Integer or (e.is_Rational and not always) or e.free_symbols:  # the common case asked first
            return e
        return sympy.Float(sympy.N(e, 30), SHOWN_DIGITS) if digits is None else to_places(e, digits)

    if isinstance(expr, sympy.MatrixBase):
        return expr.applyfunc(as_decimal)
    return as_decimal(sympy.sympify(expr))


def rounded_each(values, always: bool = False, digits: int | None = None) -> list:
    """:func:`rounded` of each of ``values`` (a key's row of numbers), as ``map("rounded") | list``
    gives it in a template, without a filter call per number (a rational left as it is at once)."""
    return [v if not always and isinstance(v, sympy.Rational) else rounded(v, always, digits) for v in values]


class Rounded(sympy.Symbol):
    """A value rounded to a fixed number of places as it is written, ``0.5770``: shown in place of
    an irrational value with ``--digits``, never computed with."""


@lru_cache(maxsize=8192)  # as decimal: every format of a sheet shows the same values
def to_places(expr, places: int) -> sympy.Expr:
    """An irrational ``expr`` rounded half up to ``places`` decimals (``σ(31/100)`` to 4: 0.5769),
    as a :class:`Rounded`; an integer stays itself."""
    expr = sympy.sympify(expr)
    if expr.is_Integer:
        return expr
    value = Fraction(expr.p, expr.q) if expr.is_Rational else Fraction(str(sympy.N(expr, places + 30)))
    scaled = floor(abs(value) * 10**places + Fraction(1, 2))
    digits = str(scaled).rjust(places + 1, "0")
    text = digits[: len(digits) - places] + ("." + digits[-places:] if places else "")
    return Rounded(("-" if value < 0 and scaled else "") + text)


def shown_decimal(expr, digits: int | None = None) -> sympy.Expr:
    """An irrational value as the decimal a document shows in its place: ``digits`` places, else
    :data:`SHOWN_DIGITS` significant digits, as a :class:`Rounded`."""
    if digits is not None:
        return to_places(expr, digits)
    value = sympy.N(expr, 30)
    return Rounded(mpmath.nstr(mpmath.mpf(value._mpf_), SHOWN_DIGITS, min_fixed=-6, max_fixed=SHOWN_DIGITS))
