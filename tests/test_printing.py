import pytest
import sympy
from sympy import ImmutableMatrix, Rational, Symbol

from symdrop.printing import factor, inline, latex, plain


@pytest.mark.parametrize(
    "expr, expected",
    [
        (Rational(-3, 4), r"- \frac{3}{4}"),
        (ImmutableMatrix([1, Rational(1, 2)]), r"\begin{pmatrix}1\\\frac{1}{2}\end{pmatrix}"),
        (ImmutableMatrix([[7]]), "7"),  # a single unit reads as a number
        (ImmutableMatrix([[1, -2]]), r"\begin{pmatrix}1 & -2\end{pmatrix}"),
        (Symbol("w2_1_3"), r"w^{(2)}_{13}"),
        (Symbol("w2_10_3"), r"w^{(2)}_{10,3}"),
        (Symbol("mu0_2"), r"\mu^{(0)}_{2}"),
        (Symbol("a3_1"), r"a^{(3)}_{1}"),
        (Symbol("x_2"), r"x_{2}"),
        (Symbol("a1_1") * Symbol("mu1_1") * Symbol("w2_1_1"), r"w^{(2)}_{11} \mu^{(1)}_{1} a^{(1)}_{1}"),
        (sympy.Max(0, Symbol("x_1") - 1), r"\max(0, x_{1} - 1)"),
    ],
)
def test_latex_notation(expr, expected):
    assert latex(expr) == expected


def test_marked_entries_are_red_in_vectors_only():
    v = ImmutableMatrix([3, 1, 0])
    assert latex(v, marked=[1]) == r"\begin{pmatrix}3\\\textcolor{red}{1}\\0\end{pmatrix}"


@pytest.mark.parametrize(
    "expr, expected",
    [(Rational(-1), r"\left(-1\right)"), (Rational(2, 3), r"\frac{2}{3}"), (Symbol("x_1") + 1, r"\left(x_{1} + 1\right)")],
)
def test_factor_parenthesizes_negatives_and_sums(expr, expected):
    assert factor(expr) == expected


def test_plain_is_exact_text():
    assert plain(Rational(-3, 4)) == "-3/4" and plain(sympy.Integer(7)) == "7"


def test_matrix_sum_keeps_the_written_order():
    W, a, b = ImmutableMatrix([[1, 2]]), ImmutableMatrix([3, 4]), ImmutableMatrix([5])
    expr = sympy.MatAdd(sympy.MatMul(W, a, evaluate=False), b, evaluate=False)
    assert latex(expr) == r"\begin{pmatrix}1 & 2\end{pmatrix} \begin{pmatrix}3\\4\end{pmatrix} + 5"


def test_inline_vector():
    assert inline(ImmutableMatrix([1, Rational(-1, 2)])) == r"(1, - \frac{1}{2})"
