"""Every fast path of a worked problem against its plain path: the same numbers, the same bytes.

The fast paths (docs/performance.md, at benchmarks/sheet_speed.py): ``render.texwidth.width`` (one regex, environments found in C,
a table's width memoized) against ``plain_width``; ``exercises.drawing.choices`` against
``random.Random.choice``. A seeded sheet of several kinds is rendered both ways. Backprop's (docs/performance.md, at
benchmarks/backprop_speed.py): ``exercises.drawing.layer_z`` against ``plain_layer_z``, the output
``drawing.draw_with_output`` hands back against the core's pass, ``core.backward.first_weights`` against
``backward`` (values and types; sign_flipped and unmasked_input read off the unchanged pass), and ``core.backprop.transposed`` and a step's rows against SymPy's, ``numbers.number_text`` (spec texts, the pictures' text alternatives) against ``str`` and ``sstr``,
``sympy_internals.all_rational`` (which ``wide``, ``nested`` and ``needs_decimal`` ask first) against the entries, and
``core.forward.times`` (a pass's products of Python numbers) against ``*``, values and types; grade's (docs/performance.md, at benchmarks/grade_speed.py): a mistake's pass from ``core.forward.first_changed`` against the whole changed pass, and ``render.printer.factor`` of a rational against the general rule; a mistake's answer in integers over a common denominator (``core.forward.output``, ``core.wholepass``) against the whole pass, and a mistake's network carrying the problem's numbers (``passnumbers.with_dropout``) against those read back.
The output side of grade's: a list's objects written into the first one's layout (``render.jsontext._objects``) against ``json.dumps``;
a braced group found in C (``render.texwidth._found_group``) against the walk of ``_group``; a template's call of a
plain function or method made at once (``render.env._Context``) against Jinja's own ``Context.call``; grades.json's
parts written as rows (``render.jsontext.rows_text``) against ``indented`` and ``json.dumps`` of dicts; the templates'
``latex`` filter (``render.printer.latex_filter``) against ``latex``. The check side of
grade's: a mistake that changes no layer of a step left out there (``grading.check._changed_layers``) against
following every mistake; a spec's network's numbers as read (``core.passnumbers.as_read``) against those read back;
a final answer's mistakes as the key records them (``grading.keys.recorded_mistakes``), and a working's steps followed
with those mistakes' rules alone (``Kind.candidates``), against every mistake computed from the spec."""

import random
from collections import Counter
from fractions import Fraction

import pytest
import sympy

from symdrop.errors import SymdropError
from symdrop.exercises import drawing
from symdrop.exercises.kinds import get
from symdrop.exercises.options import Options
from symdrop.exercises.sheet import build_sheet
from symdrop.render import env, linebreak, printer, texwidth
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


# Braced groups nested, empty or left open (texwidth._found_group: below).
_GROUPS = [
    r"\textcolor{red}{\frac{1}{2}} + \text{a {b} c} \begin{pmatrix}\textcolor{red}{0}\\1\end{pmatrix}",
    r"\begin{array}{c{c}c}1 & 2 & 3\end{array} \mathrm{x}^{\text{y}}", r"\begin{pmatrix}1\end{pmat",
    r"\text{a {b c", r"\textcolor{red", r"\begin{", r"\text{}{}", r"\begin{pmatrix}1\end{pmatrix}}}",
]


@pytest.mark.parametrize("text", _GROUPS + [
    r"= \begin{pmatrix}1 & -2\\\textcolor{red}{3} & \frac{1}{2}\end{pmatrix} \begin{pmatrix}4\\5\end{pmatrix} + 7",
    r"\begin{aligned}&x + \begin{pmatrix}1\\2\end{pmatrix}\\&\quad y\end{aligned} = \begin{gathered}a\\bb\end{gathered}",
    r"x^\begin{pmatrix}1\\2\end{pmatrix} + \frac\begin{pmatrix}1\end{pmatrix}2",  # an argument without braces
    r"\left(\begin{array}{ccc}1 & 2 & 3\end{array}\right) \text{ and } \begin{pmatrix}1",  # an environment left open
    r"\operatorname{ReLU}\begin{pmatrix}\sigma(\frac{1}{2})\\e^{-x_{1}}\end{pmatrix}\approx \begin{pmatrix}0.6\\0.3\end{pmatrix}",
    "a \\\n b \\  c\t\\, \\", "", "}", r"\end{pmatrix} x",
])
@pytest.mark.parametrize("style", ["display", "text", "script"])
def test_width_measures_what_the_plain_walk_measures(text, style):
    assert texwidth.fast_width.__wrapped__(text, style) == plain_width(text, style)


@pytest.mark.parametrize("text", [
    r"= \begin{pmatrix}1 & -2\\\textcolor{red}{3} & \frac{17}{29}\end{pmatrix} \begin{pmatrix}4\\5\end{pmatrix} + 7",
    r"\text{unit 7 of layer 12} x^{(2)}_{3} = 0.761594 \approx \tanh(1)", r"\begin{array}{ccc}91 & 2 & 3\end{array}",
    r"\left(- \tfrac{80724124538457765929221126513}{1197878868265904966598210000}, 0, 16\right)^{\top}",
])
@pytest.mark.parametrize("style", ["display", "text", "script"])
def test_a_formula_measures_as_its_shape_with_every_digit_made_another(text, style):
    """width is memoized by the formula with its digits made 0: the plain walk measures every
    such change of digits alike (each digit to each other digit)."""
    measured = plain_width(text, style)
    for digit in "0123456789":
        for other in "0123456789":
            assert plain_width(text.replace(digit, other), style) == measured
    assert width(text, style) == measured


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
    monkeypatch.setattr(drawing, "layer_z", drawing.plain_layer_z)
    printer._latex.cache_clear()  # its memo may hold text the fast width laid out
    texwidth.fast_width.cache_clear()
    texwidth.width.cache_clear()
    env._mask_rows.cache_clear()  # the masks' rows, laid out in lines by the fast width
    slow = _rendered(build_sheet(5, options, 4, kinds=kinds))
    assert len(measured) > 200  # the plain path did the measuring
    assert slow == fast
    assert all(width(t) == plain_width(t) for t in measured)


@pytest.mark.parametrize("decimals", [False, True])
def test_latex_each_prints_each_value_as_latex_does(decimals):
    """printer.latex_each (SymPy's values straight to their memos) against ``latex`` of each value:
    integers, rationals, a column, a 1 x 1 matrix, a symbol, an irrational value, a Python int."""
    values = [sympy.Integer(0), sympy.Integer(-3), sympy.Rational(-7, 4), sympy.Rational(1, 8),
              sympy.ImmutableMatrix([sympy.Rational(1, 2), -2, 0]), sympy.ImmutableMatrix([[sympy.Rational(3, 5)]]),
              sympy.Symbol("q1"), 1 / (1 + sympy.exp(-sympy.Integer(3))), 5]
    assert printer.latex_each(values, decimals) == [printer.latex(v, decimals=decimals) for v in values]


def test_documents_are_the_same_bytes_with_jinjas_own_globals_and_every_value_printed_alone(monkeypatch):
    """render.env._Environment hands a template its globals as one dict, printer.latex_each writes
    a row of values to their memo at once: Jinja's own ChainMap and latex called a value at a
    time give the same documents."""
    import collections

    import jinja2

    from symdrop.render.options import RenderOptions

    sheet = build_sheet(6, Options(), 3, kinds=tuple(get(name) for name in ("forward", "test-time", "backprop")))
    fast = render_documents(sheet, ("latex", "markdown"))
    each = lambda values, decimals=False: [printer.latex(v, decimals=decimals) for v in values]  # noqa: E731
    monkeypatch.setattr(env._Environment, "make_globals", jinja2.Environment.make_globals)
    monkeypatch.setattr(env, "latex_each", each)
    monkeypatch.setattr(printer, "latex_each", each)
    for memo in (env._env, env._document, env._mask_rows, printer._inline):
        memo.cache_clear()  # environments and text made the fast way
    assert isinstance(env.make_env(RenderOptions()).get_template("math/step-rows.j2").globals, collections.ChainMap)
    assert render_documents(sheet, ("latex", "markdown")) == fast
    for memo in (env._env, env._document, env._mask_rows, printer._inline):
        memo.cache_clear()  # the fast way again for the tests after


@pytest.mark.parametrize("digits", [None, 4])
def test_a_key_rows_numbers_are_rounded_each_as_map_rounded_rounds_them(digits):
    values = (sympy.Integer(-3), sympy.Rational(7, 2), 1 / (1 + sympy.exp(-sympy.Rational(1, 3))), sympy.Symbol("q1"))
    assert rounded_each(values, digits=digits) == [rounded(v, digits=digits) for v in values]
    assert str(rounded_each(values[2:3])[0]) == "0.582570"  # sigma(1/3) = 0.58257..., by a calculator


# Backprop's (README, at benchmarks/backprop_speed.py): ``drawing.layer_z`` against ``plain_layer_z``,
# the output ``drawing.draw_with_output`` hands back against the core's pass, and the rows and
# transposes of ``core.backprop`` against SymPy's.
@pytest.mark.parametrize("values", ["int", "half", "decimal"])
@pytest.mark.parametrize("scaled", [False, True])
def test_layer_z_keeps_and_refuses_the_layers_plain_layer_z_does(values, scaled):
    rng, options = random.Random(f"{values}{scaled}"), Options(values=values, low=-9, high=9)
    grids = drawing.grids_of(options)
    kept = 0
    for _ in range(400):
        q = rng.choice((Fraction(1), Fraction(2, 3), Fraction(3, 4), Fraction(5, 9), Fraction(7, 10), Fraction(16, 25)))
        inputs = tuple(rng.choice((0, 1)) * v / q for v in rng.choices(grids.x, k=rng.randint(1, 5)))
        W = tuple(tuple(rng.choices(grids.w_first, k=len(inputs))) for _ in range(rng.randint(1, 3)))
        if rng.random() < 0.3:  # weights scaled by q (weight scaling's test pass)
            W = tuple(tuple(q * w for w in row) for row in W)
        b = tuple(rng.choices(grids.b, k=len(W)))
        fast, plain = drawing.layer_z(W, b, inputs, options, scaled), drawing.plain_layer_z(W, b, inputs, options, scaled)
        assert fast == plain
        kept += fast is not None
    assert 20 < kept < 380  # both ways taken


F = Fraction


@pytest.mark.parametrize("values, W, b, inputs, kept", [
    ("int", ((F(5, 9), F(4, 9)),), (0,), (1, 1), False),  # a product over 9 (z = 1)
    ("int", ((F(5, 8), F(3, 8)),), (0,), (1, 1), True),  # over 8
    ("int", ((1, 1, 1),), (0,), (F(1, 8), F(1, 3), F(-1, 3)), False),  # a running sum over 24 (z = 1/8)
    ("int", ((11, 1),), (0,), (9, F(-1, 2)), True),  # 99, then 98.5
    ("int", ((11, 1),), (1,), (9, F(1, 2)), False),  # a running sum of 99.5
    ("int", ((11, 0),), (1,), (9, 1), False),  # z = 100
    ("int", ((-10, 0),), (0,), (F(10, 1), 1), False),  # a product of -100
    ("decimal", ((1, 1),), (0,), (F(5, 32), F(27, 32)), False),  # a denominator of 10^6, not of 10^4
    ("decimal", ((1, 1),), (0,), (F(5, 16), F(11, 16)), True),  # 0.3125
    ("half", ((1, 2),), (F(1, 2),), (F(1, 7), F(2, 7)), False),  # z over 14
])
def test_layer_z_at_the_edges_of_small(values, W, b, inputs, kept):
    options = Options(values=values)
    plain = drawing.plain_layer_z(W, b, inputs, options, True)
    assert (plain is not None) == kept  # the case is what its comment says
    assert drawing.layer_z(W, b, inputs, options, True) == plain


@pytest.mark.parametrize("seed", range(6))
def test_the_drawn_output_is_the_training_pass_of_the_drawn_network(seed):
    from symdrop.core.forward import prediction
    from symdrop.model.conventions import INVERTED, PLAIN

    rng, options = random.Random(seed), Options(values="half", shape=(3, 3, 2, 2))
    for convention in (PLAIN, INVERTED):
        keep = (Fraction(3, 4), Fraction(3, 4), Fraction(2, 3)) if convention.divides else None
        drawn = None
        while drawn is None:  # a candidate may be given up
            drawn = drawing.draw_with_output(rng, options, Counter(), convention=convention, keep=keep, drop_input=True)
        network, output = drawn
        assert output == prediction(network)


def test_backprop_rows_and_transposes_are_sympys():
    from symdrop.core.backprop import derive_backprop, transposed

    network = build_sheet(3, Options(values="half"), 1, kinds=(get("backprop"),)).exercises[0].network
    for step in derive_backprop(network).steps:
        assert step.input_row == step.masked_input.T and step.W_T == step.W.T
        assert step.grad_weight_rows == tuple(step.grad_weights.row(i) for i in range(step.grad_weights.rows))
    M = sympy.ImmutableMatrix([[1, sympy.Rational(1, 2), 0], [sympy.exp(-1), -3, 2]])  # not every entry rational
    assert transposed(M) == M.T and transposed(M.T) == M


@pytest.mark.parametrize("kinds, values", [("backprop", "half"), ("backprop", "int"), ("dropconnect", "int")])
def test_first_weights_are_those_of_the_whole_pass_back_with_every_mistakes_changes(kinds, values):
    from symdrop.core.backward import backward, first_weights
    from symdrop.exercises.mistakes import ones

    changes = [{}, {"mask_backward": False}, {"scale_backward": False}, {"unmasked_input": True},
               {"unmasked_weights": True}, {"relu_derivative_one": True}, {"sign_flipped": True}]
    from pathlib import Path

    from symdrop.model.spec import load_spec

    examples = [load_spec(Path(__file__).parent.parent / "examples" / name)  # cross_entropy: a delta of its own
                for name in ("cross-entropy.yaml", "keep-per-unit.yaml", "inverted-sigmoid.yaml")]  # SymPy's numbers
    for network in [e.network for e in build_sheet(2, Options(values=values), 4, kinds=(get(kinds),)).exercises] + examples:
        network = network if network.target is not None else _with_target(network)
        for change in changes + [{"masks": ones(network)}]:
            fast, plain = first_weights(network, **change), backward(network, **change).layers[0].grad_weights
            assert fast == plain
            # the same numbers, types too (sign_flipped and unmasked_input are read off the unchanged pass)
            assert [type(v) for row in fast for v in row] == [type(v) for row in plain for v in row]


def _with_target(network):
    from dataclasses import replace

    return replace(network, target=sympy.ImmutableMatrix([1] * network.layers[-1].W.rows))


_RATIONALS = [(0, 1), (1, 1), (-1, 1), (1, 2), (-1, 2), (7, 2), (-37, 8), (3, 10), (2000, 1), (-5000, 3), (10**30 + 1, 7)]


@pytest.mark.parametrize("value", [sympy.Rational(p, q) for p, q in _RATIONALS]
                         + [sympy.Symbol("q1"), 1 / (1 + sympy.exp(-sympy.Rational(1, 3))), sympy.Float("0.25")])
def test_number_text_is_str(value):
    from symdrop.numbers import number_text

    assert number_text(value) == str(value) == sympy.sstr(value)


@pytest.mark.parametrize("expr", [
    sympy.Rational(-7, 2), sympy.Integer(3), sympy.S.Half, sympy.Float("0.5"), sympy.Symbol("q1"), sympy.exp(-1), 7,
    sympy.ImmutableMatrix([1, 2]), sympy.ImmutableMatrix([[sympy.Rational(1, 2), 0], [3, -1]]),
    sympy.ImmutableMatrix([sympy.Rational(1, 3), sympy.exp(-1)]), sympy.ImmutableMatrix([sympy.Symbol("x"), 1]),
    sympy.ImmutableMatrix([sympy.Float("0.25"), 1]), sympy.Matrix([1, sympy.Rational(1, 2)]),
    sympy.MatrixSymbol("W", 2, 2), sympy.zeros(0, 1),
])
def test_all_rational_is_every_entry_rational(expr):
    from symdrop.render.linebreak import nested, wide
    from symdrop.render.numbertext import needs_decimal, scalars
    from symdrop.sympy_internals import all_rational, rational_matrix

    plain = all(e.is_Rational for e in scalars(expr)) if not isinstance(expr, sympy.MatrixSymbol) else False
    # a Python number is left to the entry-by-entry path (False: ask each entry), a SymPy value answered
    assert all_rational(expr) == (plain and isinstance(expr, (sympy.Basic, sympy.MatrixBase)))
    if plain:  # the three questions it answers at once, asked entry by entry
        values = scalars(expr)
        assert not any(not e.is_Rational for e in values) and not wide(expr) and not nested(expr)
        assert not needs_decimal(expr)
        if isinstance(expr, sympy.ImmutableMatrix) and values:
            assert all_rational(rational_matrix(expr.rows, expr.cols, values))


@pytest.mark.parametrize("values", ["int", "half", "decimal"])
@pytest.mark.parametrize("scaled", [False, True])
def test_allowed_bounds_magnitudes_in_integers_as_abs_does(values, scaled):
    from symdrop.exercises.drawing import MAX_MAGNITUDE, allowed

    M = MAX_MAGNITUDE
    table = [0, 1, -1, M, -M, M + 1, -M - 1, Fraction(2 * M + 1, 2), Fraction(-2 * M - 1, 2), Fraction(2 * M - 1, 2),
             Fraction(1, 2), Fraction(-7, 4), Fraction(3, 100), Fraction(M * 8 + 1, 8), Fraction(-M * 8 + 1, 8)]
    options = Options(values=values)
    for v in table:
        if abs(v) > M:  # the plain check: what allowed refuses first
            assert not allowed(v, options, scaled)
        else:
            d = Fraction(v).denominator
            expected = ((10**4 % d == 0 if values == "decimal" else d <= 8) if scaled else
                        d == 1 if values == "int" else d <= 2 if values == "half" else 100 % d == 0)
            assert allowed(v, options, scaled) == expected


_NUMBERS = [0, 1, -2, 3, True, False, Fraction(0), Fraction(3, 2), Fraction(-1, 4), Fraction(5)]


def test_times_is_the_product_of_its_type():
    from symdrop.core.forward import times

    for a in _NUMBERS:
        for b in _NUMBERS:
            assert (times(a, b), type(times(a, b))) == (a * b, type(a * b)), (a, b)


@pytest.mark.parametrize("kinds, values", [("backprop", "int"), ("backprop", "half"), ("dropconnect", "int")])
def test_passes_with_times_are_those_with_star(kinds, values, monkeypatch):
    import operator

    from symdrop.core import backward as core_backward, forward as core_forward
    from symdrop.exercises.mistakes import ones

    def passes(network):  # unmemoized: the forward pass and the pass back with every mistake's change
        found = [core_forward.forward(network, "train", terms=False)]
        for change in [(None, True, True, False, False, False, False, None), (None, False, True, True, False, True, True, None),
                       (None, True, False, False, True, False, False, None), (ones(network), True, True, False, False, False, False, None)]:
            found.append(core_backward._backward(network, *change, False))
        return found

    def typed(value):  # every number with its type: 0 and Fraction(0) are not the same result here
        if isinstance(value, (tuple, list)):
            return tuple(typed(v) for v in value)
        if hasattr(value, "__dataclass_fields__") or hasattr(value, "_fields"):
            return typed(tuple(getattr(value, f) for f in (value._fields if hasattr(value, "_fields") else value.__dataclass_fields__) if f != "network"))
        return (type(value).__name__, value)

    networks = [e.network for e in build_sheet(5, Options(values=values), 4, kinds=(get(kinds),)).exercises]
    networks = [n if n.target is not None else _with_target(n) for n in networks]
    fast = [typed(passes(n)) for n in networks]
    monkeypatch.setattr(core_forward, "times", operator.mul)
    monkeypatch.setattr(core_backward, "times", operator.mul)
    assert [typed(passes(n)) for n in networks] == fast


@pytest.mark.parametrize("seed, options", [(3, Options()), (4, Options(values="half", shape=(3, 4, 3, 2))),
                                           (5, Options(activation="sigmoid"))])
def test_the_answer_parts_of_backprop_are_those_of_its_parts(seed, options):
    """backprop.answer_parts: the parts of backprop.parts with an answer, the same, in its order."""
    kind = get("backprop")
    for e in build_sheet(seed, options, 3, kinds=(kind,)).exercises:
        plain = tuple(p for p in kind.parts(e.derivation) if p.answer is not None)
        assert kind.parts_of_answer(e.derivation) == plain and len(plain) == len(e.answer)


@pytest.mark.parametrize("kinds, options", [("forward", Options()), ("inverted", Options(values="half")),
                                            ("test-time", Options()), ("dropconnect:forward", Options()),
                                            ("forward,inverted", Options(activation="sigmoid"))])
def test_a_mistakes_pass_from_its_first_changed_layer_is_the_whole_pass(kinds, options):
    """core.forward.prediction goes on from the memoized pass at first_changed: every mistake's
    answer (exact, and as decimals) the same, entry and type, as the whole changed pass."""
    from symdrop.core.forward import first_changed, forward, prediction

    later = 0
    for e in build_sheet(7, options, 4, kinds=tuple(map(get, kinds.split(",")))).exercises:
        rules = [m.rule for m in e.kind.mistakes(e.network) if m.rule is not None]
        for network, mode, changes in rules:
            for numeric in (False, True):
                whole = forward(network, mode, terms=False, numeric=numeric, **dict(changes))[-1].a
                fast = prediction(network, mode, numeric=numeric, **dict(changes))
                assert [(type(v), v) for v in fast] == [(type(v), v) for v in whole], (e.kind.name, changes)
            later += first_changed(network, numeric=True, **dict(changes)) > 1
    assert later  # some mistakes' passes did start late


def test_first_changed_is_the_layer_of_the_first_mask_or_activation_that_differs():
    from symdrop import example
    from symdrop.core.forward import first_changed
    from symdrop.core.passnumbers import network_numbers

    network = example()  # 2-3-3-2-1, masks mu^(0) .. mu^(3): layer l reads mu^(l-1)
    masks = network_numbers(network).masks
    other = lambda l: tuple(tuple(1 - m for m in mask) if k == l else mask for k, mask in enumerate(masks))  # noqa: E731
    relu = ("relu", "relu", "relu", "identity")
    assert [first_changed(network, masks=other(k)) for k in range(4)] == [1, 2, 3, 4]
    assert first_changed(network, masks=masks + ((0,),)) == 4  # a mask on the output: the last layer
    assert first_changed(network, masks=masks[:2]) == 1  # fewer masks: no mistake's, the whole pass
    assert first_changed(network, activations=relu[:2] + ("identity", "identity")) == 3
    assert first_changed(network, masks=other(3), activations=("relu", "identity", "relu", "identity")) == 2
    assert first_changed(network, scale_bias=True) == first_changed(network, masks=other(3), zs={4: (0,)}) == 1


@pytest.mark.parametrize("decimals", [False, True])
def test_factor_of_a_rational_is_what_the_general_rule_gives(decimals):
    """printer.factor reads a rational's sign off it; the general rule asks SymPy's assumptions."""
    def plain(expr):
        text = printer.latex(expr, decimals=decimals)
        outside = expr.is_Add or (expr.is_number and expr.is_negative) or sympy.Expr.could_extract_minus_sign(expr)
        return rf"\left({text}\right)" if outside else text

    values = [sympy.Rational(p, q) for p, q in _RATIONALS] + [sympy.Integer(n) for n in (-12, -1, 0, 1, 40)]
    assert [printer.factor.__wrapped__(v, decimals) for v in values] == [plain(v) for v in values]
    assert printer.factor.__wrapped__(sympy.Rational(-3, 4)) == r"\left(- \frac{3}{4}\right)"


@pytest.mark.parametrize("name, slope", [("relu", None), ("identity", None), ("leaky_relu", None),
                                         ("leaky_relu", sympy.Rational(1, 10))])
def test_number_derivative_is_derivative(name, slope):
    from symdrop.model.activations import activation, derivative, number_derivative

    g = activation(name, slope)
    for z in (3, 0, -2, Fraction(7, 2), Fraction(0), Fraction(-1, 3)):
        fast, plain = number_derivative(g.negative_slope)(z), derivative(g, z, g.number(z))
        assert (fast, type(fast)) == (plain, type(plain))


def _typed(value):
    return tuple(_typed(v) for v in value) if isinstance(value, tuple) else (value, type(value))


@pytest.mark.parametrize("kind", ["backprop", "inverted", "test-time"])
@pytest.mark.parametrize("values", ["int", "half", "decimal"])
def test_a_drawn_network_carries_the_numbers_read_back_from_sympy(kind, values):
    from dataclasses import fields

    from symdrop.core.passnumbers import carried, read_back

    exercises = build_sheet(3, Options(values=values), 5, kinds=(get(kind),)).exercises
    for e in exercises:
        own, read = carried(e.network), read_back(e.network)
        assert own is not None
        assert [f.name for f in fields(read) if _typed(getattr(own, f.name)) != _typed(getattr(read, f.name))] == []


@pytest.mark.parametrize("kind, values", [("inverted", "int"), ("test-time", "int"), ("test-time", "half"),
                                          ("dropconnect", "int")])
def test_a_mistakes_network_carries_the_numbers_read_back_from_sympy(kind, values):
    """mistakes.with_keep's network (other keep probabilities, another convention) carries the
    problem's numbers with its own keep probabilities (passnumbers.with_dropout): those read back
    from its SymPy matrices, values and types."""
    from dataclasses import fields

    from symdrop.core.passnumbers import carried, read_back
    from symdrop.exercises.mistakes import drop_for_keep, with_keep
    from symdrop.model.conventions import INVERTED, PLAIN, WEIGHT_SCALING

    from pathlib import Path

    from symdrop.model.spec import load_spec

    folder = Path(__file__).parent.parent / "examples"  # a q per weight, a q per unit
    examples = [load_spec(folder / name) for name in ("dropconnect.yaml", "keep-per-unit.yaml")]
    made = 0
    for problem in [e.network for e in build_sheet(5, Options(values=values), 4, kinds=(get(kind),)).exercises] + examples:
        keep = problem.dropout.keep
        for network in [drop_for_keep(problem)] + [with_keep(problem, keep, c) for c in (INVERTED, PLAIN, WEIGHT_SCALING)]:
            own, read = carried(network), read_back(network)
            made += own is not None
            assert own is None or [f.name for f in fields(read)
                                   if _typed(getattr(own, f.name)) != _typed(getattr(read, f.name))] == []
            assert own is None or own.integer_weights == read.integer_weights  # the problem's, kept
    assert made  # the networks did carry their numbers


@pytest.mark.parametrize("kinds, options", [("forward,inverted,test-time", Options()),
                                            ("inverted,test-time", Options(values="half")),
                                            ("inverted,test-time", Options(answers="decimal")),
                                            ("dropconnect", Options()), ("dropconnect:forward", Options()),
                                            ("forward,inverted", Options(activation="sigmoid")),
                                            ("examples", None)])
def test_a_mistakes_answer_in_integers_is_the_whole_pass(kinds, options):
    """core.forward.output (core.wholepass: integers over one common denominator) gives every
    mistake's answer, from every layer on, as the whole pass of Python numbers gives it, entry
    and type; or None where it does not apply (the examples: a q per unit, DropConnect, weight
    scaling, sigmoid)."""
    from pathlib import Path

    from symdrop.core.forward import forward, layer_values, output
    from symdrop.core.passnumbers import network_numbers
    from symdrop.model.spec import load_spec

    if kinds == "examples":
        folder = Path(__file__).parent.parent / "examples"
        problems = [(kind, load_spec(folder / name)) for name in ("keep-per-unit.yaml", "dropconnect.yaml",
                                                                          "weight-scaling-gap.yaml", "inverted-sigmoid.yaml")
                    for kind in map(get, ("forward", "inverted", "test-time"))]
    else:
        problems = [(e.kind, e.network) for e in build_sheet(11, options, 4, kinds=tuple(map(get, kinds.split(",")))).exercises]
    # integer weights, ReLU layers, masks of units: the integers apply to every pass of the problem's
    # own network (a mistake's network may scale its weights by q: receiving_q)
    always = kinds in ("forward,inverted,test-time", "inverted,test-time")
    applied = 0
    for kind, problem in problems:
        try:
            rules = [m.rule for m in kind.mistakes(problem) if m.rule is not None]
        except SymdropError:  # a kind the example is no problem of
            continue
        # and changes of their own, which a broken fast path cannot hide (a mistake that gives
        # the right answer is no mistake: kind.mistakes leaves it out)
        output_mask = network_numbers(problem).masks + ((0,) * problem.layers[-1].units,)  # the output dropped
        own = [(problem, mode, changes) for mode in (("train", "off", "test") if problem.dropout.keep else ("train",))
               for changes in ((), (("scale_bias", True),), (("masks", output_mask),))]
        for network, mode, changes in rules + own:
            for start in range(1, network.depth + 1):
                a = layer_values(network, mode)[start - 2].a if start > 1 else None
                fast = output(network, mode, a, start, **dict(changes))
                inputs = {"inputs": {start: a}, "start": start} if a is not None else {}
                whole = forward(network, mode, terms=False, **inputs, **dict(changes))[-1].a
                assert fast is None or [(type(v), v) for v in fast] == [(type(v), v) for v in whole], changes
                assert fast is not None or not (always and network is problem), changes
                applied += fast is not None
    # the integers gave many of them (DropConnect's too, in a pass without its weights' masks);
    # none with sigmoid layers
    assert (applied == 0) == (kinds == "forward,inverted")


@pytest.mark.parametrize("values", [
    [{"code": "A", "points": "1/2", "correct": True, "mistakes": [], "expected": ["1", "-3/4"]},
     {"code": "B", "points": "0", "correct": False, "mistakes": ["forgot_relu_1"], "expected": []},
     {"points": "4", "code": "C", "correct": None, "mistakes": [], "expected": ["7"]},  # the keys in another order
     {"code": "D"}, "text", 7, [], {}, None,
     {"code": "E", "points": "1", "correct": True, "mistakes": [{"id": "x", "answer": ["1"]}, {"id": "y", "answer": []}],
      "expected": ("2",)}],
    [{"100% \"sure\"": "a %s %% b", "é\n": 10**30}, {"100% \"sure\"": "%(x)s", "é\n": -1}, {"100% \"sure\"": {"a": [1]}, "é\n": False}],
    ({"a": {"b": [{"c": 1}, {"c": [{"d": None}]}]}}, {"a": {}}),
])
@pytest.mark.parametrize("level", [0, 2, 17])
def test_objects_written_into_the_first_ones_layout_are_json_dumps_text(values, level):
    """render.jsontext writes a list's objects with the first one's keys into its layout made once
    (jsontext._objects): the text json.dumps gives, indented by 2 (also past 16 levels, and for
    keys with % and quotes), for objects with those keys, with others, and other values between."""
    import json

    from symdrop.render.jsontext import indented

    expected = json.dumps(values, indent=2, ensure_ascii=False).replace("\n", "\n" + "  " * level)
    assert indented(values, level) == expected
    assert indented(list(values), level) == expected


@pytest.mark.parametrize("text", _GROUPS)
def test_a_group_found_in_c_is_the_group_the_walk_finds(text):
    """texwidth._found_group (a braced group without groups inside found by a search in C) against
    the walk of _group at every token: groups nested, empty or left open (their widths: above)."""
    tokens = tuple(texwidth._INK.findall(text))
    assert [texwidth._found_group(tokens, i) for i in range(len(tokens) + 1)] == \
        [texwidth._group(tokens, i) for i in range(len(tokens) + 1)]


@pytest.mark.parametrize("kind", ["forward", "inverted", "test-time", "dropconnect:forward"])  # masks of weights too
def test_a_mistake_that_changes_no_layer_of_a_step_is_not_followed_there(kind):
    """check._named leaves out a mistake whose pass changes none of the layers a z or a part is
    computed from (check._changed_layers): every part names the mistakes that following each
    mistake's pass names, for working that follows a mistake with values left out or off by one."""
    from symdrop.core.forward import forward
    from symdrop.grading.check import _changed_layers, _named, _python, carried

    rng, problems = random.Random(5), get(kind)
    compared = left_out = 0
    for e in build_sheet(7, Options(), 8, kinds=(problems,)).exercises:
        rules = [m for m in problems.mistakes(e.network) if m.rule is not None]
        # the network the memoized mistakes were made for (an equal one: _changed_layers asks identity)
        network = next((m.rule[0] for m in rules if m.rule[0] == e.network), e.network)
        python = _python(network)
        fast = [(m, python, _changed_layers(m.rule, network, problems.mode)) for m in rules]
        every = [(m, python, None) for m in rules]
        left_out += sum(changed is not None for *_, changed in fast)
        for mistake in rules:
            _, mode, changes = mistake.rule
            passed = forward(network, mode, terms=False, **dict(changes))
            values = {f"{n}{l}": tuple(getattr(layer, n)) for l, layer in enumerate(passed, start=1) for n in "za"}
            for name in list(values):
                if rng.random() < 0.3:
                    del values[name]
                elif rng.random() < 0.3:
                    values[name] = (values[name][0] + 1,) + values[name][1:]
            values["y"] = tuple(passed[-1].a)
            for part in carried(problems, network, values, None):
                fewer, all_of_them = (_named(part, values, ruled, None) for ruled in (fast, every))
                assert [m.name for m in fewer.mistakes] == [m.name for m in all_of_them.mistakes], \
                    (mistake.name, part.name)
                compared += not (part.correct or part.carried_forward)
    assert compared > 50 and left_out > 10


def test_templates_call_functions_as_jinjas_own_context_calls_them(monkeypatch):
    """render.env._Context calls a plain function or method at once (chain, step.terms, m.text):
    the same documents as Jinja's own Context gives, which asks each callable whether it wants the
    context passed in; a callable marked pass_context, a class, a builtin and a macro go Jinja's way."""
    import jinja2

    from symdrop.render.options import RenderOptions

    sheets = [build_sheet(8, Options(activation="sigmoid", shape=(2, 3, 3, 1)), 2, kinds=(get("forward"),)),
              build_sheet(9, Options(), 3, kinds=tuple(get(name) for name in ("inverted", "test-time", "backprop")))]
    fast = [render_documents(sheet, ("latex", "markdown")) for sheet in sheets]
    environment = env.make_env(RenderOptions())
    assert environment.context_class is env._Context
    template = environment.from_string(
        r"\VAR{ marked(1) } \VAR{ plain(2) } \VAR{ o.method(3) } \VAR{ range(2) | list } \VAR{ dict(a=4) }"
        r" \BLOCK{ macro m(v) }<\VAR{ v }>\BLOCK{ endmacro }\VAR{ m(5) } \VAR{ stop() is undefined }")

    class Holder:
        def method(self, v):
            return v * 10

    def stop():
        raise StopIteration

    called = jinja2.pass_context(lambda context, v: f"{context['name']}{v}")
    values = dict(marked=called, plain=lambda v: v + 1, o=Holder(), stop=stop, name="n")
    assert template.render(values) == "n1 3 30 [0, 1] {'a': 4} <5> True"
    monkeypatch.setattr(env._Context, "call", jinja2.runtime.Context.call)  # Jinja's own, for every call
    assert template.render(values) == "n1 3 30 [0, 1] {'a': 4} <5> True"
    for memo in (env._document, env._mask_rows, printer._inline, printer._latex, texwidth.fast_width, texwidth.width):
        memo.cache_clear()  # text made the fast way
    assert [render_documents(sheet, ("latex", "markdown")) for sheet in sheets] == fast


def test_rows_written_into_one_layout_are_the_dicts_indented():
    """render.jsontext.rows_text (grades.json's parts as rows of values, no dict a row) against
    ``indented`` of the dicts, and grade's whole grades.json against ``json.dumps`` of grades_json's
    dicts, for students with parts of every kind of value, and none."""
    import json

    from symdrop.grading.grade import GradedPart, StudentGrade, Ungraded
    from symdrop.render.grades import grades_json, grades_json_text
    from symdrop.render.jsontext import indented, rows_text

    keys = ("a", "b", "c", "d")
    rows = [("x", ["1", "-3/4"], True, None), ("é\"\n", [], False, ["m1", "m2"]), ("", [["n"]], None, {"k": "v"})]
    for level in (0, 1, 3):
        assert rows_text(keys, rows, level) == indented([dict(zip(keys, row)) for row in rows], level)
    assert rows_text(keys, [], 2) == "[]"
    parts = [GradedPart("C1", "z1", "3; 0", (sympy.Integer(3), sympy.Rational(-1, 2)), False, ("relu-forgotten",), True,
                        Fraction(1, 2), Fraction(1)),
             GradedPart("C1", "y", "", (sympy.Integer(7),), True, (), False, Fraction(4), Fraction(4), after_mistake=True)]
    students = [StudentGrade("s1", "Zoë \"Z\"", parts), StudentGrade("s2", "", [])]
    ungraded = [Ungraded(3, "s3", "no such variant")]
    expected = json.dumps(grades_json(students, ungraded), indent=2, ensure_ascii=False) + "\n"
    assert grades_json_text(students, ungraded) == expected


@pytest.mark.parametrize("decimals", [False, True])
def test_the_latex_filter_prints_what_latex_prints(decimals):
    """render.printer.latex_filter (the templates' ``latex``, a SymPy value straight to its memo)
    against ``latex`` with the same settings: marked or not, matrices, numbers, symbols, Python values."""
    latex_ = printer.latex_filter(decimals)
    values = [sympy.Integer(-3), sympy.Rational(-7, 4), sympy.Rational(1, 8), sympy.ImmutableMatrix([sympy.Rational(1, 2), -2, 0]),
              sympy.ImmutableMatrix([[sympy.Rational(3, 5)]]), sympy.ImmutableMatrix([[1, -2], [sympy.Rational(1, 4), 0]]),
              sympy.Symbol("q1"), 1 / (1 + sympy.exp(-sympy.Integer(3))), 5]
    for value in values:
        assert latex_(value) == printer.latex(value, decimals=decimals)
        for marked in ((), (0,), (0, 2), ((1, 0),), ((0, 1), 1)):
            if isinstance(value, sympy.Basic):
                assert latex_(value, marked=marked) == printer.latex(value, decimals=decimals, marked=marked)
    half = sympy.Rational(1, 2) * sympy.Symbol("x")
    assert latex_(half, fold_short_frac=True) == printer.latex(half, decimals=decimals, fold_short_frac=True)
    # a template that asks for decimals (or not) itself gets them, as from partial(latex, decimals=...)
    tenth = sympy.ImmutableMatrix([sympy.Rational(1, 10), 2])
    assert latex_(tenth, decimals=True) == r"\begin{pmatrix}0.1\\2\end{pmatrix}"
    assert latex_(tenth, decimals=False, marked=()) == r"\begin{pmatrix}\frac{1}{10}\\2\end{pmatrix}"


@pytest.mark.parametrize("kinds, options", [("forward,inverted,test-time", Options()),
                                            ("inverted,test-time,backprop", Options(values="half")),
                                            ("inverted,test-time", Options(values="decimal")),
                                            ("dropconnect", Options()),
                                            ("forward,inverted", Options(activation="sigmoid")),
                                            ("examples", None)])
def test_a_spec_s_network_carries_the_numbers_read_back_from_sympy(kinds, options):
    """A network read from a spec carries its numbers as read (numbers.carry, on each matrix:
    Python's int and Fraction made from the spec's texts): passnumbers.as_read gives those
    read back from its SymPy matrices (read_back), values and types; none with DropConnect or
    sigmoid (read back), and every problem of a sheet read again from its spec otherwise."""
    from dataclasses import fields
    from pathlib import Path

    from symdrop.core.passnumbers import as_read, read_back
    from symdrop.model.spec import load_spec, parse_spec, to_spec

    if options is None:
        read = [load_spec(path) for path in sorted((Path(__file__).parent.parent / "examples").glob("*.yaml"))]
        networks = [n for spec in read for n in getattr(spec, "examples", (spec,))]  # a batch's every example
    else:
        exercises = build_sheet(9, options, 6, kinds=tuple(get(k) for k in kinds.split(","))).exercises
        networks = [parse_spec(to_spec(e.network)) for e in exercises]
    carried = 0
    for network in networks:
        own, read = as_read(network), read_back(network)
        if own is None:  # read back (DropConnect, sigmoid, a target given as a class index)
            continue
        carried += 1
        assert [f.name for f in fields(read) if _typed(getattr(own, f.name)) != _typed(getattr(read, f.name))] == []
    # every problem of ReLU units (a keep per unit among the examples), none of DropConnect or sigmoid
    if kinds == "examples":
        assert 0 < carried < len(networks)
    else:
        assert carried == {"dropconnect": 0, "forward,inverted": 0}.get(kinds, len(networks))


@pytest.mark.parametrize("kinds, options", [
    ("forward,inverted,test-time,backprop,ensemble", Options()),
    ("variance,dropconnect,penalty,noise,nwgm", Options()),
    ("inverted,test-time,dropconnect", Options(values="decimal")),
    ("forward,test-time", Options(activation="sigmoid")),
])
def test_a_final_answers_mistakes_as_the_key_records_them_are_those_its_spec_gives(kinds, options):
    """grade(fast=True) names a final answer's mistakes from the key's own list (grading.keys.
    recorded_mistakes) where grade(fast=False) computes every mistake from the spec: the same
    grades, checks and reasons for answers that are each mistake's, the right one, one off it, and
    (where a kind has layer values) working with a slip in z1, and each mistake's whole working
    (its pass, every z and a: the step where it was made named from the key's mistakes' rules,
    Kind.candidates, or from every mistake computed). Irrational entries (sigmoid) are not taken
    from the key: computed both ways."""
    from symdrop.core.forward import forward
    from symdrop.grading.grade import Row, grade
    from symdrop.grading.keys import recorded_mistakes
    from symdrop.model.spec import parse_spec
    from symdrop.render.numbertext import exact_text
    from symdrop.render.sheets import key_json

    key = key_json(build_sheet(3, options, 10, kinds=tuple(map(get, kinds.split(",")))))
    rows, recorded, depth = [], 0, 1
    for entry in key["problems"]:
        listed = recorded_mistakes(entry)
        recorded += listed is not None
        assert (listed is None) == ("tolerance" in entry or not entry["mistakes"])
        answers = [entry["answer"]] + [m["answer"] for m in entry["mistakes"]]
        answers.append([f"{Fraction(answers[0][0]) + 1}"] + answers[0][1:] if "tolerance" not in entry else ["0"])
        cells = [{"y": "; ".join(answer)} for answer in answers]
        kind = get(entry["kind"])
        if kind.has_layer_values and listed is not None:
            cells[1]["z1"] = "; ".join(["100"] * len(entry["spec"]["layers"][0]["bias"]))  # a slip, the answer a mistake's
            network = parse_spec(entry["spec"])
            depth = max(depth, network.depth)
            for m in kind.mistakes(network):
                layers = forward(network, m.rule[1], terms=False, **dict(m.rule[2]))
                cells.append({f"{n}{l}": "; ".join(map(exact_text, getattr(layer, n)))
                              for l, layer in enumerate(layers, start=1) for n in "za"})
                cells[-1]["y"] = cells[-1].pop(f"a{network.depth}")
        rows += [Row(len(rows) + 2 + k, f"s{len(rows) + k}", entry["code"], c) for k, c in enumerate(cells)]
    columns = ("y",) + tuple(f"{n}{l}" for l in range(1, depth + 1) for n in "za")
    fast, plain = (grade(key, rows, columns=columns, fast=f) for f in (True, False))
    assert recorded >= 5 if options.activation == "relu" else recorded == 0
    assert fast[1] == plain[1]
    assert [(s.student, s.parts) for s in fast[0]] == [(s.student, s.parts) for s in plain[0]]
    named = [[(m.name, m.label, m.answer) for m in checked.mistakes] for s in fast[0] for _, checked in s.problems]
    assert named == [[(m.name, m.label, m.answer) for m in checked.mistakes] for s in plain[0] for _, checked in s.problems]
    assert sum(map(bool, named)) >= recorded
    steps = [m.name for s in fast[0] for _, checked in s.problems for p in checked.parts if p.name != "y"
             for m in p.mistakes]
    assert len(steps) >= (recorded if kinds.startswith("forward") and options.activation == "relu" else 0)


def test_a_mistake_whose_answer_is_computed_when_asked_is_a_mistake_as_any_other():
    """passed's mistake (mistakes.Passed) equals, hashes as and is replaced as the Mistake of its
    name, label and answer: the tutorial without masks gives y = 27 (z1 = (3, 1, -2), a2 = (3, 0,
    4), a3 = (1, 9), y = -1 + 27 + 1; by hand)."""
    from dataclasses import replace

    from symdrop import example
    from symdrop.exercises.mistakes import Mistake, passed

    label = "forgot the masks, so no dropout"
    plain = Mistake("forgot_masks", label, (27,))
    lazy = passed("forgot_masks", label, example(), "off")
    assert lazy == plain and plain == lazy and {lazy} == {plain}
    relabelled = replace(lazy, label="no dropout")
    assert (relabelled.name, relabelled.label, relabelled.answer) == ("forgot_masks", "no dropout", (27,))
    assert relabelled.rule == lazy.rule
