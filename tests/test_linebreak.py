"""Breaking long formulas into rows that fit the page (render.linebreak: terms, rows, chain, lines)."""

import pytest
import sympy
from sympy import ImmutableMatrix, Rational, Symbol

from symdrop.render.linebreak import chain, rows, short, terms, together
from symdrop.render.linebreak import lines as mask_lines
from symdrop.render.printer import latex
from symdrop.render.texwidth import LINE_EM, width


@pytest.mark.parametrize("text, expected", [
    ("a + b - c", ["a", "+ b", "- c"]),
    # A sign after "(", "," or "=" is no operation; braces and \left...\right are never cut.
    (r"- a + \max(0, - b + c)", ["- a", r"+ \max(0, - b", r"+ c)"]),
    (r"\frac{a + b}{2} + \left(c - d\right)", [r"\frac{a + b}{2}", r"+ \left(c - d\right)"]),
    (r"x^{-1} - 2", [r"x^{-1}", "- 2"]),
    # A vector written as a row breaks after each comma; a max's arguments do not.
    (r"= (1, - \tfrac{1}{2}, 3)^{\top} \odot (4, 5)^{\top}", ["= (1,", r"- \tfrac{1}{2},", r"3)^{\top} \odot (4,", r"5)^{\top}"]),
    (r"\operatorname{ReLU}((1, \max(0, 2))^{\top})", [r"\operatorname{ReLU}((1,", r"\max(0, 2))^{\top})"]),
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


def test_a_row_that_breaks_inside_parentheses_is_indented_a_quad_per_parenthesis():
    x, q = sympy.symbols("x1:41"), Symbol("q1", positive=True)
    broken = rows(sympy.tanh(sympy.Max(0, sum(x)) / q))
    assert broken[0].startswith(r"\tanh\Bigl(\frac{1}{q^{(1)}} \max(0, x_{1}")
    assert len(broken) > 1
    assert all(row.startswith(r"\quad \quad {} + x_") for row in broken[1:])  # in tanh( and max(
    assert broken[-1].endswith(r")\Bigr)")


def test_chain_sets_the_sides_of_an_equation_side_by_side_while_they_fit():
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
    assert short(Rational(7, 3)) and short(ImmutableMatrix([1, 2]))
    assert not short(sum(sympy.symbols("x1:41")))


def test_a_block_is_kept_together_up_to_20_lines_a_matrix_counting_its_rows():
    column = r"\begin{pmatrix}1\\2\\3\end{pmatrix}"
    assert together(r" \\ ".join(["a &= 1"] * 20)) and not together(r" \\ ".join(["a &= 1"] * 21))
    # 6 rows of a 3-row vector (18 lines) and 2 plain ones: 20 lines; one plain row more is 21.
    rows_ = [rf"a &= {column} \odot {column}"] * 6 + ["b &= 1"] * 2
    assert together(r" \\ ".join(rows_)) and not together(r" \\ ".join(rows_ + ["c &= 2"]))
    # A matrix in a matrix's entry (an entry broken into aligned rows) is as tall as its rows.
    nested = r"\begin{pmatrix}\begin{aligned}&x\\&\quad y\end{aligned}\\3\end{pmatrix}"
    assert together(r" \\ ".join([f"a &= {nested}"] * 6 + ["b"] * 2)) and not together(r" \\ ".join([f"a &= {nested}"] * 7))


def test_a_long_vector_breaks_entry_by_entry_into_rows_that_fit():
    v = ImmutableMatrix([Rational(i, 7) for i in range(1, 65)])
    lead = r"\tilde{a}^{(0)} ="
    broken = rows(v, lead)
    assert len(broken) > 1
    assert all(width(row) <= LINE_EM - width(lead) for row in broken)
    # The rows put back together are the row, every entry once and in order: (1/7, 2/7, ..., 64/7)^T.
    joined = " ".join(row.replace(r"\quad ", "").removeprefix("{} ") for row in broken)
    assert joined == "(" + ", ".join(rf"\tfrac{{{i}}}{{7}}" if i % 7 else str(i // 7) for i in range(1, 65)) + r")^{\top}"


def test_a_value_after_the_words_of_its_sentence_stays_on_their_line():
    words = "Without dropout (every mask all ones) the prediction would be"
    huge = Rational(-37101480936700498563055052394556057429889, 274298880109706035416228441056467456000)
    assert short(huge)  # in half a line (14.4 em), but not after the 34 em of words that open the paragraph
    assert not short(huge, words)
    assert short(Rational(-3, 2), words)
