"""Every fast path of a worked problem against its plain path: the same numbers, the same bytes.

The fast paths (README, at benchmarks/sheet_speed.py): ``render.texwidth.width`` (one regex, environments found in C,
a table's width memoized) against ``plain_width``; ``exercises.drawing.choices`` against
``random.Random.choice``. A seeded sheet of several kinds is rendered both ways."""

import random

import pytest
import sympy

from symdrop.exercises import drawing
from symdrop.exercises.kinds import get
from symdrop.exercises.options import Options
from symdrop.exercises.sheet import build_sheet
from symdrop.render import linebreak, printer, texwidth
from symdrop.render.numbertext import rounded, rounded_each
from symdrop.render.sheets import render_documents
from symdrop.render.texwidth import plain_width, width


@pytest.mark.parametrize("seed", [0, 1, 2024])
@pytest.mark.parametrize("values", [tuple(range(-3, 4)), (1, 2, 3, 4, 5), ("a",), tuple(range(17))])
def test_choices_draw_what_choice_draws_and_leave_the_stream_where_it_does(seed, values):
    fast, plain = random.Random(seed), random.Random(seed)
    for n in (0, 1, 5, 40):
        assert drawing.choices(fast, values, n) == [plain.choice(values) for _ in range(n)]
    assert fast.getstate() == plain.getstate()


def test_choices_of_another_stream_draw_its_own_way():
    class Other(random.Random):
        def choice(self, seq):
            return seq[0]

    assert drawing.choices(Other(1), (5, 6, 7), 3) == [5, 5, 5]
    with pytest.raises(IndexError):
        drawing.choices(random.Random(1), (), 1)


@pytest.mark.parametrize("text", [
    r"= \begin{pmatrix}1 & -2\\\textcolor{red}{3} & \frac{1}{2}\end{pmatrix} \begin{pmatrix}4\\5\end{pmatrix} + 7",
    r"\begin{aligned}&x + \begin{pmatrix}1\\2\end{pmatrix}\\&\quad y\end{aligned} = \begin{gathered}a\\bb\end{gathered}",
    r"x^\begin{pmatrix}1\\2\end{pmatrix} + \frac\begin{pmatrix}1\end{pmatrix}2",  # an argument without braces
    r"\left(\begin{array}{ccc}1 & 2 & 3\end{array}\right) \text{ and } \begin{pmatrix}1",  # an environment left open
    r"\operatorname{ReLU}\begin{pmatrix}\sigma(\frac{1}{2})\\e^{-x_{1}}\end{pmatrix}\approx \begin{pmatrix}0.6\\0.3\end{pmatrix}",
    "a \\\n b \\  c\t\\, \\", "", "}", r"\end{pmatrix} x",
])
@pytest.mark.parametrize("style", ["display", "text", "script"])
def test_width_measures_what_the_plain_walk_measures(text, style):
    assert width.__wrapped__(text, style) == plain_width(text, style)


def _rendered(sheet) -> dict:
    return render_documents(sheet, ("latex", "markdown"))


def test_a_seeded_sheet_is_the_same_bytes_with_and_without_the_fast_paths(monkeypatch):
    kinds = tuple(get(name) for name in ("forward", "inverted", "dropconnect"))
    options = Options(values="half", shape=(3, 4, 3, 2))
    fast = _rendered(build_sheet(5, options, 4, kinds=kinds))
    measured = []

    def plain(text, style="display"):
        measured.append(text)
        return plain_width(text, style)

    for module in (linebreak, printer):
        monkeypatch.setattr(module, "width", plain)
    monkeypatch.setattr(drawing, "choices", lambda rng, values, n: [rng.choice(values) for _ in range(n)])
    printer._latex.cache_clear()  # its memo may hold text the fast width laid out
    texwidth.width.cache_clear()
    slow = _rendered(build_sheet(5, options, 4, kinds=kinds))
    assert len(measured) > 200  # the plain path did the measuring
    assert slow == fast
    assert all(width(t) == plain_width(t) for t in measured)


@pytest.mark.parametrize("digits", [None, 4])
def test_a_key_rows_numbers_are_rounded_each_as_map_rounded_rounds_them(digits):
    values = (sympy.Integer(-3), sympy.Rational(7, 2), 1 / (1 + sympy.exp(-sympy.Rational(1, 3))), sympy.Symbol("q1"))
    assert rounded_each(values, digits=digits) == [rounded(v, digits=digits) for v in values]
    assert str(rounded_each(values[2:3])[0]) == "0.582570"  # sigma(1/3) = 0.58257..., by a calculator
