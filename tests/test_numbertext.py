"""Numbers as text (render.numbertext): exact values, exact decimals, and fixed decimals of irrational ones."""

from fractions import Fraction

import pytest
import sympy
from sympy import ImmutableMatrix, Rational, Symbol

from symdrop.render.numbertext import decimal, decimal_places, exact_decimal, exact_text, needs_decimal, plain


def test_plain_is_exact_text():
    assert plain(Rational(-3, 4)) == "-3/4" and plain(sympy.Integer(7)) == "7"


@pytest.mark.parametrize(
    "expr, expected",
    [
        (1 / (1 + sympy.exp(-3)), "0.952574126822433"),  # 1/(1 + e^-3) = 0.95257412682243321...
        (sympy.tanh(Rational(1, 2)), "0.46211715726001"),  # 0.46211715726000975...
        (Rational(1, 8), "0.125"),
        (Rational(-7), "-7.0"),
    ],
)
def test_decimals_are_fixed_text(expr, expected):
    assert decimal(expr) == expected


@pytest.mark.parametrize(
    "value, decimals, expected",
    [(7, True, "7"), (Rational(-13, 20), False, "-13/20"), (Rational(-13, 20), True, "-0.65"),
     (Rational(1, 3), True, "1/3")],  # 1/3 has no exact decimal: it stays a fraction
)
def test_exact_text(value, decimals, expected):
    assert exact_text(value, decimals=decimals) == expected


@pytest.mark.parametrize("p, q, places, expected", [(5, 1, 0, "5"), (1, 8, 3, "0.125"), (-1, 40, 3, "-0.025")])
def test_exact_decimals_are_written_by_hand(p, q, places, expected):
    assert decimal_places(q) == places and exact_decimal(p, q) == expected


def test_only_irrational_numbers_need_a_decimal():
    assert needs_decimal(ImmutableMatrix([1, sympy.sqrt(2)]))
    assert not needs_decimal(Rational(1, 3)) and not needs_decimal(sympy.sqrt(Symbol("q1")))
    assert decimal_places(3) is None


@pytest.mark.parametrize("value", [0, 1, -1, 7, -13, 10**30 + 1, Rational(1, 2), Rational(-13, 20),
                                   Rational(7, 3), Rational(-1, 10**12), Rational(10**20 + 3, 7)])
def test_rational_text_is_sympys_text_of_a_rational(value):
    """exact_text and plain write a rational themselves (sympy's printer is slow): SymPy's text."""
    value = sympy.Integer(value) if isinstance(value, int) else value
    assert exact_text(value) == plain(value) == str(value) == sympy.sstr(value)


@pytest.mark.parametrize("value", [0, 1, -7, 10**30 + 1, Fraction(1, 2), Fraction(-13, 20), Fraction(7, 3),
                                   Fraction(-1, 10**12), Fraction(10**20 + 3, 7), Fraction(3, 1), Fraction(-1, 8)])
@pytest.mark.parametrize("decimals", [False, True])
def test_exact_text_of_an_int_or_fraction_is_that_of_its_sympy_rational(value, decimals):
    """exact_text writes an int or a Fraction from its numerator and denominator (no SymPy): the
    text of the same SymPy rational."""
    assert exact_text(value, decimals) == exact_text(Rational(value.numerator, value.denominator), decimals)
