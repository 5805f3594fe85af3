from fractions import Fraction

import pytest
import sympy

from symdrop.errors import SpecError
from hypothesis import given, strategies as st

from symdrop.numbers import entries, exact, rational_matrix


@pytest.mark.parametrize(
    "value, expected",
    [
        (2, Fraction(2)),
        (-7, Fraction(-7)),
        ("-3/4", Fraction(-3, 4)),
        (" 6/8 ", Fraction(3, 4)),
        ("0.1", Fraction(1, 10)),
        (0.1, Fraction(1, 10)),  # a YAML/Python float is read as written, not as the double
        (0.3, Fraction(3, 10)),
        (-2.5, Fraction(-5, 2)),
        ("1e-3", Fraction(1, 1000)),
        (Fraction(5, 3), Fraction(5, 3)),
        ("12345678901234567890.5", Fraction(24691357802469135781, 2)),
    ],
)
def test_exact_reads_numbers_as_written(value, expected):
    result = exact(value, "input[0]")
    assert isinstance(result, sympy.Rational)
    assert (result.p, result.q) == (expected.numerator, expected.denominator)


@pytest.mark.parametrize(
    "value, message",
    [
        ("1/0", "input[0]: division by zero in '1/0'"),
        ("abc", "input[0]: expected a number such as 2, \"-3/4\" or 0.1, got 'abc'"),
        (True, "input[0]: expected a number, got True"),
        (None, "input[0]: expected a number, got nothing"),
        ([1], "input[0]: expected a number, got a list"),
        (float("nan"), "input[0]: expected a number such as 2, \"-3/4\" or 0.1, got nan"),
        ("inf", "input[0]: expected a number such as 2, \"-3/4\" or 0.1, got 'inf'"),
    ],
)
def test_exact_rejects_non_numbers(value, message):
    with pytest.raises(SpecError) as caught:
        exact(value, "input[0]")
    assert str(caught.value) == message


rationals = st.fractions(min_value=-99, max_value=99, max_denominator=20).map(
    lambda f: sympy.Rational(f.numerator, f.denominator)
)


@st.composite
def shaped(draw, integers: bool = False):
    rows, cols = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    values = st.integers(-9, 9).map(sympy.Integer) if integers else rationals
    return rows, cols, draw(st.lists(values, min_size=rows * cols, max_size=rows * cols))


@given(st.one_of(shaped(), shaped(integers=True)))
def test_rational_matrix_is_the_matrix_sympy_builds(data):
    rows, cols, values = data
    fast, plain = rational_matrix(rows, cols, values), sympy.ImmutableMatrix(rows, cols, values)
    # The same object in every way SymPy looks at it: arguments, hash, internal form and domain.
    assert type(fast) is type(plain)
    assert fast.args == plain.args and hash(fast) == hash(plain) and fast == plain
    assert fast._rep == plain._rep and fast._rep.domain == plain._rep.domain
    assert fast._rep.rep.fmt == plain._rep.rep.fmt == "sparse"
    assert fast.shape == plain.shape and fast.tolist() == plain.tolist()
    # And it computes the same: products, sums, entries.
    assert fast.T * fast == plain.T * plain and fast + plain == 2 * plain
    assert fast.multiply_elementwise(plain) == plain.multiply_elementwise(plain)
    assert entries(fast) == tuple(values) == tuple(plain)


def test_rational_matrix_refuses_what_is_not_an_exact_rational():
    with pytest.raises(ValueError, match="expected 2 SymPy rationals"):
        rational_matrix(2, 1, [sympy.Integer(1), sympy.Float(0.5)])
    with pytest.raises(ValueError, match="expected 2 SymPy rationals"):
        rational_matrix(2, 1, [sympy.Integer(1)])
    with pytest.raises(ValueError):
        rational_matrix(1, 1, [sympy.Symbol("x")])
