from fractions import Fraction

import pytest
import sympy

from symdrop.errors import SpecError

from symdrop.numbers import exact


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
        (True, "input[0]: expected a number, got true"),
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



def test_exact_reads_a_text_again_as_it_read_it_and_still_refuses_a_bad_one():
    """A short text read once is remembered (a class's keys repeat their numbers): read again,
    in either form, it is the same rational; a refused text is never remembered."""
    first = exact("-7/12", "w")
    assert exact(" -7/12 ", "w") is first and (first.p, first.q) == (-7, 12)
    assert exact("0.25", "w") == exact(0.25, "w") == sympy.Rational(1, 4)
    for _ in range(2):
        with pytest.raises(SpecError, match="division by zero"):
            exact("3/0", "w")


@pytest.mark.parametrize("value", [0, 1, -1, 7, -1024, 1024, 1025, -1025, 10**30, "2", "-3/4", "0.1", " 2 ", "1e-3",
                                   "+5", Fraction(3, 4), 0.25])
def test_exact_fast_paths_agree_with_the_plain_path(value):
    """numbers.exact (a text read before, a small int looked up) against numbers._exact."""
    from symdrop.numbers import _exact, exact

    for _ in range(2):  # the second time a text is read, it is looked up
        got, plain = exact(value, "f"), _exact(value, "f")
        assert got == plain and type(got) is type(plain)
    with pytest.raises(SpecError):
        exact(True, "f")


def test_exact_list_reads_what_exact_reads_and_names_the_field_of_a_bad_number():
    """numbers.exact_list (each number looked up first, the field named only where needed) against exact."""
    from symdrop.numbers import exact, exact_list

    values = [0, 1, -1025, 10**30, "2", "-3/4", "0.1", " 2 ", "+5", Fraction(3, 4), 0.25, "2"]
    for _ in range(2):
        got = exact_list(values, lambda k: f"f[{k}]")
        plain = [exact(v, f"f[{k}]") for k, v in enumerate(values)]
        assert got == plain and [type(v) for v in got] == [type(v) for v in plain]
    for bad in (True, "x", [1], None, "1/0"):
        with pytest.raises(SpecError, match=r"^f\[1\]: "):
            exact_list(["1", bad], lambda k: f"f[{k}]")


def test_a_spec_matrix_is_the_matrix_read_plainly_and_a_bad_entry_is_named():
    """fields.matrix and vector (through numbers.exact_list): the matrix rational_matrix makes of
    exact's numbers, read twice alike; a bad entry is named, the second time too."""
    from symdrop.model.fields import matrix, vector
    from symdrop.numbers import exact
    from symdrop.sympy_internals import rational_matrix

    rows = [["1", "-3/4", 2], ["0.5", " 7 ", "1e-3"]]
    plain = rational_matrix(2, 3, [exact(v, "w") for row in rows for v in row])
    for _ in range(2):
        assert matrix(rows, "w", 3) == plain and vector(rows[0], "b") == rational_matrix(3, 1, plain[0, :])
    for _ in range(2):
        with pytest.raises(SpecError, match=r"^w\[1\]\[2\]: "):
            matrix([["1", "2", "3"], ["4", "5", "x"]], "w", 3)
        with pytest.raises(SpecError, match=r"^b\[1\]: "):
            vector([1, True], "b")
