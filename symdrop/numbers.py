"""Exact numbers: the one gate where user numbers become SymPy rationals."""

import re
from fractions import Fraction
from numbers import Rational as _RationalABC

import sympy

from .errors import SpecError, describe
from .limits import MAX_DIGITS, MAX_EXPONENT

# What a person reads as a number, in ASCII digits only: 2, -3/4 (spaces around / allowed), 0.1,
# .5, 1e-3. No octal, binary or hexadecimal, no 1_000, no 1:30 (YAML 1.1 read those otherwise).
_FRACTION = re.compile(r"([-+]?)([0-9]+)\s*/\s*([0-9]+)", re.ASCII)
_DECIMAL = re.compile(r"([-+]?)([0-9]*)(?:\.([0-9]*))?(?:[eE]([-+]?[0-9]+))?", re.ASCII)
EXAMPLES = 'such as 2, "-3/4" or 0.1'


def exact(value, field: str) -> sympy.Rational:
    """Read ``value`` exactly as written: ``2``, ``"-3/4"``, ``"0.1"`` or ``0.1`` (1/10).

    A float is read through its shortest decimal form (``repr``), so ``0.1`` is 1/10 and never
    the binary double. Only ASCII digits count, and a number has at most
    :data:`~symdrop.limits.MAX_DIGITS` digits and an exponent within
    :data:`~symdrop.limits.MAX_EXPONENT`. Raises :class:`SpecError` naming ``field`` for anything else.
    """
    if type(value) is str:  # fast path: a text read before, as written (a key's entries: some 40,000 numbers)
        number = _READ.get(value)
        if number is not None:
            return number
    elif type(value) is int and -1024 <= value <= 1024:  # fast path: a small int (masks, YAML's integers)
        return _SMALL[value]
    return _exact(value, field)


def exact_list(values, where) -> list:
    """``[exact(v, where(k)) for k, v in enumerate(values)]``: each number looked up as
    :func:`exact` looks it up first, ``where(k)`` (the field) made and :func:`exact` called only
    for a number not read before (a key's 40,000 numbers are a few texts, each field's name made
    for nothing). tests/test_numbers.py checks both give the same."""
    texts, small = _READ, _SMALL
    found = [texts.get(v) if type(v) is str else small.get(v) if type(v) is int else None for v in values]
    for k, number in enumerate(found):
        if number is None:
            found[k] = exact(values[k], where(k))
    return found


def _exact(value, field: str) -> sympy.Rational:
    """:func:`exact` without its fast paths (tests/test_numbers.py checks that both agree)."""
    if isinstance(value, bool):
        raise SpecError(field, f"expected a number, got {describe(value)}")
    if isinstance(value, sympy.Rational):
        return value
    if isinstance(value, _RationalABC):
        _check_size(value.numerator, value.denominator, value, field)
        return sympy.Rational(value.numerator, value.denominator)
    if isinstance(value, float):
        text = repr(value)
    elif isinstance(value, str):
        text = value.strip()
    else:
        raise SpecError(field, f"expected a number, got {describe(value)}")
    number = _READ.get(text)
    if number is None:
        number = _read(text, value, field)
        if len(text) <= 24 and len(_READ) < 4096:
            _READ[text] = number
            _PYTHON[text] = as_python(number)
    return number


# Short texts read before, and their rationals (a class's keys repeat the same few numbers, and a
# SymPy rational is immutable): only a text read without error is kept; and the same numbers as
# Python's (see carry).
_READ: dict[str, sympy.Rational] = {}
_PYTHON: dict[str, int | Fraction] = {}


def carry(matrix, values, read) -> None:
    """Make ``matrix`` (of ``rational_matrix``, a spec's: ``model.fields``) carry its entries as
    Python's int and Fraction, row by row, beside SymPy's (an equal matrix of its memo is the
    same object, which carries them already: the caller asks :data:`CARRIED` first): the
    numbers ``read`` (what :func:`exact_list` read of ``values``), as :func:`as_python` makes
    them, a text read before looked up by its text, an int (JSON's, YAML's) as it is. ``core.passnumbers.network_numbers`` reads them there (see
    :func:`python_entries`), not back from SymPy."""
    texts = _PYTHON
    found = [texts.get(v) if type(v) is str else v if type(v) is int else None for v in values]
    if type(None) in set(map(type, found)):  # (not ``None in found``: a Fraction's == is a Python call)
        found = [as_python(r) if f is None else f for f, r in zip(found, read)]
    setattr(matrix, CARRIED, tuple(found))


CARRIED = "_python"  # the attribute a matrix carries its Python numbers in (see carry)


def python_entries(matrix) -> tuple | None:
    """The entries ``matrix`` carries as Python's numbers (see :func:`carry`), or None."""
    return getattr(matrix, CARRIED, None)


def as_python(value: sympy.Rational) -> int | Fraction:
    """A SymPy rational as Python's number: an int where it is whole, else a Fraction."""
    return int(value.p) if value.q == 1 else Fraction(int(value.p), int(value.q))


def _read(text: str, value, field: str) -> sympy.Rational:
    """The rational of a number's text, its size checked before any arithmetic."""
    fraction = _FRACTION.fullmatch(text)
    if fraction:
        sign, numerator, denominator = fraction.groups()
        _check_digits(len(numerator) + len(denominator), value, field)
        if int(denominator) == 0:
            raise SpecError(field, f"division by zero in {describe(value)}")
        return sympy.Rational(int(sign + numerator), int(denominator))
    decimal = _DECIMAL.fullmatch(text)
    if not decimal or not (decimal[2] or decimal[3]):
        if any(c.isdigit() and not c.isascii() for c in text):
            raise SpecError(field, f"expected a number in the digits 0-9 {EXAMPLES}, got {describe(value)}")
        raise SpecError(field, f"expected a number {EXAMPLES}, got {describe(value)}")
    sign, whole, places, exponent = decimal.groups()
    places = places or ""
    _check_digits(len(whole) + len(places), value, field)
    power = 0
    if exponent is not None:
        digits = exponent.lstrip("+-").lstrip("0")
        power = int(exponent) if len(digits) <= 6 else None
        if power is None or abs(power) > MAX_EXPONENT:
            raise SpecError(field, f"{describe(value)}: its exponent is beyond the limit of exponents "
                                   f"from -{MAX_EXPONENT} to {MAX_EXPONENT}")
    number = Fraction(int(sign + (whole + places or "0")), 10 ** len(places)) * Fraction(10) ** power
    return sympy.Rational(number.numerator, number.denominator)


def _check_digits(count: int, value, field: str) -> None:
    if count > MAX_DIGITS:
        raise SpecError(field, f"{describe(value)} has {count} digits; the limit is {MAX_DIGITS} digits per number")


def _check_size(numerator: int, denominator: int, value, field: str) -> None:
    """An integer or fraction given as such (Python, JSON) obeys the limit on digits too."""
    bits = abs(numerator).bit_length() + denominator.bit_length()
    if bits > 4 * MAX_DIGITS:  # surely too many digits; no str() of an enormous integer
        raise SpecError(field, f"{describe(value)}; the limit is {MAX_DIGITS} digits per number")
    _check_digits(len(str(abs(numerator))) + (len(str(denominator)) if denominator != 1 else 0), value, field)


# The integers every problem writes, made once: looked up, not built through SymPy's cache (its
# constructor and cache wrapper cost some ten times more; a worked problem converts ~140 numbers).
_SMALL = {v: sympy.Integer(v) for v in range(-1024, 1025)}


def to_sympy(value) -> sympy.Expr:
    """An exact number as SymPy keeps it: an int or Fraction becomes a SymPy rational."""
    if type(value) is int and value in _SMALL:
        return _SMALL[value]
    if isinstance(value, int):
        return sympy.Integer(value)
    if isinstance(value, Fraction):
        return sympy.Rational(value.numerator, value.denominator)
    return value


def to_fraction(value) -> Fraction:
    """An exact rational (SymPy, int or Fraction) as a :class:`fractions.Fraction`, faster to add."""
    value = sympy.Rational(value)
    return Fraction(int(value.p), int(value.q))


def number_text(value) -> str:
    """``str(value)``: a SymPy rational written at once, as SymPy's printer writes it (``-3/2``,
    ``4``; tests/test_fast_paths.py checks it against ``str``), anything else by ``str``. A
    variant code reads every drawn problem's spec, and SymPy's printer took most of it."""
    if isinstance(value, sympy.Rational):
        return str(value.p) if value.q == 1 else f"{value.p}/{value.q}"
    return str(value)
