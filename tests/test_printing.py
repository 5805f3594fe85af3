import pytest
import sympy
from sympy import ImmutableMatrix, Rational, Symbol

from symdrop.render.printing import factor, inline, latex


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


from symdrop.model.activations import LeakyReLU, LeakyReLUName, Sigmoid, Tanh  # noqa: E402
from symdrop.render.printing import approx  # noqa: E402


@pytest.mark.parametrize(
    "expr, expected",
    [
        (Symbol("q1"), r"q^{(1)}"),
        (1 / (1 + sympy.exp(-3)), r"\frac{1}{1 + e^{-3}}"),  # the sigmoid as it is written
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


def test_approx_only_beside_irrational_numbers():
    assert approx(Rational(1, 3)) == ""
    assert approx(Rational(1, 3), always=True) == r" \approx 0.333333333333333"
    assert approx(Symbol("q1") / 2, always=True) == ""
    assert approx(ImmutableMatrix([1, sympy.tanh(1)])) == r" \approx \begin{pmatrix}1\\0.761594155955765\end{pmatrix}"


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


# --- Breaking long formulas (render.printing.terms, rows, lines) -------------------------------------

from symdrop.render.printing import lines as mask_lines  # noqa: E402
from symdrop.render.printing import rows, terms  # noqa: E402


@pytest.mark.parametrize("text, expected", [
    ("a + b - c", ["a", "+ b", "- c"]),
    # A sign after "(", "," or "=" is no operation; braces and \left...\right are never cut.
    (r"- a + \max(0, - b + c)", ["- a", r"+ \max(0, - b", r"+ c)"]),
    (r"\frac{a + b}{2} + \left(c - d\right)", [r"\frac{a + b}{2}", r"+ \left(c - d\right)"]),
    (r"x^{-1} - 2", [r"x^{-1}", "- 2"]),
])
def test_terms_cut_before_each_joining_operator(text, expected):
    assert terms(text) == expected


def test_rows_keep_a_short_sum_whole_and_break_a_long_one():
    x = sympy.symbols("x1:41")
    assert rows(x[0] + 1) == ["x_{1} + 1"]
    long = rows(sum(x))
    assert len(long) > 1
    assert all(row.startswith("{} + ") for row in long[1:])
    # Every term once, in order: the rows put back together are the sum on one line.
    joined = " ".join(row.removeprefix("{} ") for row in long)
    assert joined == latex(sum(x))
    assert sorted(joined.split(" + ")) == sorted(f"x_{{{i}}}" for i in range(1, 41))


def test_lines_group_masks_side_by_side_until_the_line_is_full():
    mask = r"\begin{pmatrix}1\\0\end{pmatrix}"
    assert mask_lines([mask] * 2, r"\mu^{(0)} =") == [[0, 1]]
    groups = mask_lines([mask] * 12, r"\mu^{(0)} =")
    assert [i for g in groups for i in g] == list(range(12)) and len(groups) > 1


def test_an_integer_entry_beside_decimals_stays_an_integer():
    value = ImmutableMatrix([1 / (1 + sympy.exp(-1)), 0])  # sigma(1) = 0.7310585786300049 (by hand: 1/(1+1/e))
    assert approx(value) == r" \approx \begin{pmatrix}0.731058578630005\\0\end{pmatrix}"


def test_a_long_max_over_a_denominator_follows_its_fraction():
    """TeX cannot break inside a fraction: a max too long for half a line is written after
    1/q (where rows may break it between its terms); a short one stays inside."""
    x, q = sympy.symbols("x1:21"), Symbol("q1", positive=True)
    assert latex(sympy.Max(0, x[0]) / q) == r"\frac{\max(0, x_{1})}{q^{(1)}}"
    long = latex(-2 * sympy.Max(0, sum(x)) / q)
    assert long.startswith(r"- \frac{2}{q^{(1)}} \max(0, x_{1} + ") and long.endswith("x_{9})")


def test_a_row_that_breaks_inside_parentheses_is_indented_a_quad_per_parenthesis():
    x, q = sympy.symbols("x1:41"), Symbol("q1", positive=True)
    broken = rows(sympy.tanh(sympy.Max(0, sum(x)) / q))
    assert broken[0].startswith(r"\tanh\Bigl(\frac{1}{q^{(1)}} \max(0, x_{1}")
    assert len(broken) > 1
    assert all(row.startswith(r"\quad \quad {} + x_") for row in broken[1:])  # in tanh( and max(
    assert broken[-1].endswith(r")\Bigr)")


def test_chain_sets_the_sides_of_an_equation_side_by_side_while_they_fit():
    from symdrop.render.printing import chain
    x = sympy.symbols("x1:41")
    assert chain("z =", ["= a", "= b + c"]) == ["= a = b + c"]
    wide = r"\begin{pmatrix}" + " & ".join(["100"] * 13) + r"\end{pmatrix}"  # a row of 13 entries: 31 em
    formula = r"= W^{(1)} \tilde{a}^{(0)} + b^{(1)}"
    assert chain("z =", [formula, f"= {wide}", "= 7"]) == [formula, f"= {wide} = 7"]
    # A side wider than a line breaks between its terms, each further row a quad in; the next
    # side follows its last row.
    long = chain("z =", [f"= {latex(sum(x))}", "= 5"])
    assert len(long) > 1 and long[0].startswith("= x_{1} + ") and long[-1].endswith(" = 5")
    assert all(row.startswith(r"\quad {} + x_") for row in long[1:])
    assert " ".join(row.removeprefix(r"\quad {} ") for row in long) == f"= {latex(sum(x))} = 5"


def test_a_value_is_short_when_it_fits_half_a_line():
    from symdrop.render.printing import short
    assert short(Rational(7, 3)) and short(ImmutableMatrix([1, 2]))
    assert not short(sum(sympy.symbols("x1:41")))


def test_a_block_is_kept_together_up_to_20_lines_a_matrix_counting_its_rows():
    from symdrop.render.printing import together
    column = r"\begin{pmatrix}1\\2\\3\end{pmatrix}"
    assert together(r" \\ ".join(["a &= 1"] * 20)) and not together(r" \\ ".join(["a &= 1"] * 21))
    # 6 rows of a 3-row vector (18 lines) and 2 plain ones: 20 lines; one plain row more is 21.
    rows_ = [rf"a &= {column} \odot {column}"] * 6 + ["b &= 1"] * 2
    assert together(r" \\ ".join(rows_)) and not together(r" \\ ".join(rows_ + ["c &= 2"]))
    # A matrix in a matrix's entry (an entry broken into aligned rows) is as tall as its rows.
    nested = r"\begin{pmatrix}\begin{aligned}&x\\&\quad y\end{aligned}\\3\end{pmatrix}"
    assert together(r" \\ ".join([f"a &= {nested}"] * 6 + ["b"] * 2)) and not together(r" \\ ".join([f"a &= {nested}"] * 7))


def test_a_long_tanh_over_a_denominator_follows_its_fraction_too():
    x = sympy.symbols("x1:21")
    long = latex(3 * Symbol("mu2_1") * sympy.tanh(sum(x)) / 5)
    assert long.startswith(r"\frac{3 \mu^{(2)}_{1}}{5} \tanh\Bigl(x_{1} + ") and long.endswith(r"\Bigr)")
    assert latex(sympy.tanh(x[0]) / 5) == r"\frac{\tanh{\left(x_{1} \right)}}{5}"
