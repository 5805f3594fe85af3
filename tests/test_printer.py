"""The notation of render.printer: symbols, vectors, masks, products and sums as the tutorial writes them."""

import pytest
import sympy
from sympy import ImmutableMatrix, Rational, Symbol

from symdrop.model.activations import LeakyReLU, LeakyReLUName, ReLU, Sigmoid, Tanh
from symdrop.render.forms import approx
from symdrop.render.printer import factor, inline, latex


@pytest.mark.parametrize(
    "expr, expected",
    [
        (Rational(-3, 4), r"- \frac{3}{4}"),
        (ImmutableMatrix([1, Rational(1, 2)]), r"\begin{pmatrix}1\\\frac{1}{2}\end{pmatrix}"),
        (ImmutableMatrix([[7]]), "7"),  # a single unit reads as a number
        (ImmutableMatrix([[1, -2]]), r"\begin{pmatrix}1 & -2\end{pmatrix}"),
        # amsmath's pmatrix takes at most 10 columns; wider is an array in parentheses
        (ImmutableMatrix([list(range(10))]), r"\begin{pmatrix}" + " & ".join(map(str, range(10))) + r"\end{pmatrix}"),
        (ImmutableMatrix([list(range(11))]),
         r"\left(\begin{array}{ccccccccccc}" + " & ".join(map(str, range(11))) + r"\end{array}\right)"),
        (Symbol("w2_1_3"), r"w^{(2)}_{13}"),
        (Symbol("w2_10_3"), r"w^{(2)}_{10,3}"),
        (Symbol("mu0_2"), r"\mu^{(0)}_{2}"),
        (Symbol("a3_1"), r"a^{(3)}_{1}"),
        (Symbol("x_2"), r"x_{2}"),
        (Symbol("a1_1") * Symbol("mu1_1") * Symbol("w2_1_1"), r"w^{(2)}_{11} \mu^{(1)}_{1} a^{(1)}_{1}"),
        (sympy.Max(0, Symbol("x_1") - 1), r"\max(0, x_{1} - 1)"),
        # an ensemble's mean, P(mu) sigma(S) summed: in the order of S, the constant (sigma(0) = 1/2) last
        (Rational(3, 64) / (1 + sympy.exp(2)) + Rational(9, 64) / (1 + sympy.E) + Rational(3, 64) / (1 + sympy.exp(-2))
         + Rational(5, 64) + Rational(15, 32) / (1 + sympy.exp(-1)),
         r"\frac{3}{64} \sigma(-2) + \frac{9}{64} \sigma(-1) + \frac{15}{32} \sigma(1) + \frac{3}{64} \sigma(2) + \frac{5}{64}"),
        # one sigmoid: the constant last too (SymPy's order put it first); a symbol among them: SymPy's order
        (Rational(1, 2) / (1 + sympy.exp(-1)) + Rational(1, 4), r"\frac{1}{2} \sigma(1) + \frac{1}{4}"),
        (Rational(1, 2) / (1 + sympy.exp(-1)) + Symbol("x_1"), r"x_{1} + \frac{1}{2} \sigma(1)"),
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


def test_matrix_sum_keeps_the_written_order():
    W, a, b = ImmutableMatrix([[1, 2]]), ImmutableMatrix([3, 4]), ImmutableMatrix([5])
    expr = sympy.MatAdd(sympy.MatMul(W, a, evaluate=False), b, evaluate=False)
    assert latex(expr) == r"\begin{pmatrix}1 & 2\end{pmatrix} \begin{pmatrix}3\\4\end{pmatrix} + 5"


def test_a_product_of_single_units_has_a_dot():
    # W = (2), a = (1): "2 1" would read as twenty-one
    W, a, b = ImmutableMatrix([[2]]), ImmutableMatrix([1]), ImmutableMatrix([-1])
    expr = sympy.MatAdd(sympy.MatMul(W, a, evaluate=False), b, evaluate=False)
    assert latex(expr) == r"2 \cdot 1 - 1"


def test_inline_vector():
    assert inline(ImmutableMatrix([1, Rational(-1, 2)])) == r"(1, - \frac{1}{2})"


@pytest.mark.parametrize(
    "expr, expected",
    [
        (Symbol("q1"), r"q^{(1)}"),
        (1 / (1 + sympy.exp(-3)), r"\sigma(3)"),  # the sigmoid by its name, as a student writes it
        (1 + sympy.exp(-3), r"1 + e^{-3}"),  # its denominator as written
        (LeakyReLU(Symbol("x_1"), Rational(1, 10)), r"\operatorname{LeakyReLU}_{\frac{1}{10}}(x_{1})"),
        (LeakyReLUName(Rational(1, 10)), r"\operatorname{LeakyReLU}_{\frac{1}{10}}"),
        (Sigmoid(ImmutableMatrix([1, 2])), r"\sigma\begin{pmatrix}1\\2\end{pmatrix}"),
        (Tanh(Symbol("x_1")), r"\tanh(x_{1})"),
        (1 / Symbol("x_1"), r"\frac{1}{x_{1}}"),
    ],
)
def test_latex_notation_for_dropout_and_activations(expr, expected):
    assert latex(expr) == expected


def test_scalar_times_matrices():
    mu, a = sympy.MatrixSymbol(r"\mu^{(1)}", 2, 1), sympy.MatrixSymbol("a^{(1)}", 2, 1)
    q = Symbol("q1", positive=True)
    inverted = sympy.MatMul(1 / q, sympy.HadamardProduct(mu, a, evaluate=False), evaluate=False)
    assert latex(inverted) == r"\frac{1}{q^{(1)}} \left(\mu^{(1)} \odot a^{(1)}\right)"
    scaled = sympy.MatMul(Rational(-2, 3), ImmutableMatrix([[1, 2]]), ImmutableMatrix([3, 4]), evaluate=False)
    assert latex(scaled) == r"\left(- \frac{2}{3}\right) \begin{pmatrix}1 & 2\end{pmatrix} \begin{pmatrix}3\\4\end{pmatrix}"


@pytest.mark.parametrize(
    "bias, expected",
    [(ImmutableMatrix([-2]), " - 2"), (ImmutableMatrix([Rational(-3, 4)]), r" - \frac{3}{4}"),
     (ImmutableMatrix([2]), " + 2"), (ImmutableMatrix([0]), " + 0")],
)
def test_a_negative_scalar_bias_is_subtracted(bias, expected):
    """(25; 0)-style products plus a single unit's bias: W a - 2, never W a + -2."""
    W, a = ImmutableMatrix([[1, -1]]), ImmutableMatrix([25, 0])
    expr = sympy.MatAdd(sympy.MatMul(W, a, evaluate=False), bias, evaluate=False)
    head = r"\begin{pmatrix}1 & -1\end{pmatrix} \begin{pmatrix}25\\0\end{pmatrix}"
    assert latex(expr) == head + expected


def test_a_long_max_over_a_denominator_follows_its_fraction():
    """TeX cannot break inside a fraction: a max too long for half a line is written after
    1/q (where rows may break it between its terms); a short one stays inside."""
    x, q = sympy.symbols("x1:21"), Symbol("q1", positive=True)
    assert latex(sympy.Max(0, x[0]) / q) == r"\frac{\max(0, x_{1})}{q^{(1)}}"
    long = latex(-2 * sympy.Max(0, sum(x)) / q)
    assert long.startswith(r"- \frac{2}{q^{(1)}} \max(0, x_{1} + ") and long.endswith("x_{9})")


def test_a_long_tanh_over_a_denominator_follows_its_fraction_too():
    x = sympy.symbols("x1:21")
    long = latex(3 * Symbol("mu2_1") * sympy.tanh(sum(x)) / 5)
    assert long.startswith(r"\frac{3 \mu^{(2)}_{1}}{5} \tanh\Bigl(x_{1} + ") and long.endswith(r"\Bigr)")
    assert latex(sympy.tanh(x[0]) / 5) == r"\frac{\tanh(x_{1})}{5}"  # written as sigma(x_1) is


def test_approx_only_beside_irrational_numbers():
    assert approx(Rational(1, 3)) == ""
    assert approx(Rational(1, 3), always=True) == r" \approx 0.333333333333333"
    assert approx(Symbol("q1") / 2, always=True) == ""
    assert approx(ImmutableMatrix([1, sympy.tanh(1)])) == r" \approx \begin{pmatrix}1\\0.761594155955765\end{pmatrix}"


def test_an_integer_entry_beside_decimals_stays_an_integer():
    value = ImmutableMatrix([1 / (1 + sympy.exp(-1)), 0])  # sigma(1) = 0.7310585786300049 (by hand: 1/(1+1/e))
    assert approx(value) == r" \approx \begin{pmatrix}0.731058578630005\\0\end{pmatrix}"


@pytest.mark.slow  # one pdflatex run
def test_a_layer_wider_than_a_pmatrix_compiles(tmp_path):
    """A hidden layer of 12 units: W^(2) has 12 columns, printed as an array (no MaxMatrixCols in
    the preamble, which would make every matrix of every document slow to set), and compiles."""
    from symdrop.cli import main

    from .conftest import pdf_text, require_pdflatex, write_spec

    require_pdflatex()
    spec = write_spec(tmp_path, {"input": [1, 2], "masks": [[1, 1], [1] * 12, [1, 1]],
                                 "layers": [{"weights": [[1, j] for j in range(12)], "bias": [0] * 12},
                                            {"weights": [[1] * 12, [j - 6 for j in range(12)]], "bias": [0, 1]},
                                            {"weights": [[1, 2]], "bias": [0]}]})
    assert main(["solve", str(spec), "--format", "latex", "-o", str(tmp_path / "wide.tex"), "--pdf"]) == 0
    tex = (tmp_path / "wide.tex").read_text(encoding="utf-8")
    assert r"\setcounter{MaxMatrixCols}" not in tex and r"\begin{array}{cccccccccccc}" in tex
    # by hand: a^(1)_j = 1 + 2j (j = 0..11), z^(2) = (144, 215), y = 144 + 2 * 215 = 574
    assert "y = a(3)\n= 574" in pdf_text((tmp_path / "wide.pdf").read_bytes(), tmp_path)


def test_a_sigmoids_and_a_tanhs_derivative_read_as_written():
    """sigma'(4) = sigma(4) (1 - sigma(4)) and tanh'(3) = 1 - tanh^2(3), as a student writes them
    (SymPy orders the sums -sigma(4) + 1); 1 - 2 sigma(4) is read as written too (its positive
    term first, by the rule of the next tests)."""
    s = 1 / (1 + sympy.exp(-4))
    assert latex(s * (1 - s)) == r"\sigma(4) \left(1 - \sigma(4)\right)"
    assert latex(1 - sympy.tanh(3) ** 2) == r"1 - \tanh^{2}(3)"
    assert latex(1 - 2 * s) == r"1 - 2 \sigma(4)"


def test_a_negative_decimal_standing_for_a_value_is_a_factor_in_parentheses():
    """A rounded value is a symbol to SymPy: its sign is read off its text, so that
    (2, -1) (-2.91975) is never written (2, -1) -2.91975, a subtraction."""
    from symdrop.render.numbertext import Rounded

    assert factor(Rounded("-2.91975")) == r"\left(-2.91975\right)"
    assert factor(Rounded("0.9335")) == "0.9335"


def test_a_values_sum_starts_with_a_term_that_is_not_negative():
    """A value's sum as it is read (by hand): a positive term first where SymPy's order starts with
    a negative one, the number still last unless it is the only positive term; all negative, or a
    formula with symbols (-x + 1, as --symbolic has always written it), as they were."""
    t = sympy.tanh
    s = [1 / (1 + sympy.exp(-z)) for z in range(-4, 3)]  # s[k] = sigma(k - 4)
    assert latex(2 - s[2]) == r"2 - \sigma(-2)"
    assert latex(-s[0] + s[5] - 3 * s[6] + 2) == r"\sigma(1) - \sigma(-4) - 3 \sigma(2) + 2"
    assert latex(-t(3) + 1 + 3 * t(2)) == r"3 \tanh(2) - \tanh(3) + 1"
    assert latex(-t(4) - t(1) - 2) == r"- \tanh(4) - \tanh(1) - 2"
    assert latex(Rational(3, 2) - Rational(3, 2) * s[5]) == r"\frac{3}{2} - \frac{3}{2} \sigma(1)"
    x = sympy.Symbol("x_1")
    assert latex(1 - x) == r"- x_{1} + 1"


def test_a_sums_number_comes_last_whatever_the_functions():
    """SymPy's lex order puts a number after sigma's terms but before tanh's: the printer sets it
    last in both, as a student writes x - 1 (by hand); 1 + e stays a sigmoid's denominator."""
    t1, t4 = sympy.tanh(1), sympy.tanh(4)
    s1, s4 = (1 / (1 + sympy.exp(-z)) for z in (1, 4))
    assert latex(t1 + t4 - 1) == r"\tanh(1) + \tanh(4) - 1"
    assert latex(s1 + s4 - 1) == r"\sigma(1) + \sigma(4) - 1"
    assert latex(2 * t1 - Rational(1, 2)) == r"2 \tanh(1) - \frac{1}{2}"
    assert latex(sympy.log(1 + sympy.E) - 1) == r"\log{\left(1 + e \right)} - 1"


def test_a_sum_of_exponentials_keeps_its_one_first_and_a_sum_subtracted_from_is_bracketed():
    """1 + e^{-x} e^{2y} (a sigmoid's denominator under --symbolic masks) keeps its 1 first; the
    left side of a subtraction is bracketed only where it is a sum (by hand)."""
    from symdrop.render.forms import minuend

    x, y = Symbol("x"), Symbol("y")
    assert latex(sympy.Add(1, sympy.exp(-x) * sympy.exp(2 * y))).startswith("1 + ")
    s1, s4 = (1 / (1 + sympy.exp(-z)) for z in (1, 4))
    assert minuend(ImmutableMatrix([[s1 + s4]])) == r"\left(\sigma(1) + \sigma(4)\right)"
    assert minuend(ImmutableMatrix([[Rational(-13, 3)]])) == r"- \frac{13}{3}"
    assert minuend(ImmutableMatrix([[Rational(1, 2)], [s1]])) == r"\begin{pmatrix}\frac{1}{2}\\\sigma(1)\end{pmatrix}"


@pytest.mark.parametrize("n, expected", [
    # Ten entries: a column, as before; eleven: a row, transposed, its fractions text-sized.
    (10, r"\begin{pmatrix}0\\\frac{1}{3}\\\frac{2}{3}\\1\\\frac{4}{3}\\\frac{5}{3}\\2\\\frac{7}{3}\\\frac{8}{3}\\3\end{pmatrix}"),
    (11, r"(0, \tfrac{1}{3}, \tfrac{2}{3}, 1, \tfrac{4}{3}, \tfrac{5}{3}, 2, \tfrac{7}{3}, \tfrac{8}{3}, 3, \tfrac{10}{3})^{\top}"),
])
def test_a_long_column_vector_prints_as_a_row(n, expected):
    assert latex(ImmutableMatrix([Rational(i, 3) for i in range(n)])) == expected


@pytest.mark.parametrize("function, name", [(ReLU, r"\operatorname{ReLU}"), (Sigmoid, r"\sigma")])
def test_a_long_row_keeps_its_marks_and_a_function_of_it_its_parentheses(function, name):
    v = ImmutableMatrix([1, 0] * 6)
    row = "(1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0)^{\\top}"
    assert latex(v, marked={1, 3}) == row.replace("0", r"\textcolor{red}{0}", 2)
    # A function of a column brings no parentheses: the column's own are its; a row's are not.
    assert latex(function(v)) == f"{name}({row})"
    assert latex(function(ImmutableMatrix([1, 0]))) == name + r"\begin{pmatrix}1\\0\end{pmatrix}"
