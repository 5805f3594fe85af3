"""The shortcuts past SymPy's public constructors give exactly what the public constructors give."""

import pytest
import sympy
from hypothesis import given, settings, strategies as st
from sympy import HadamardProduct, MatAdd, MatMul

from symdrop import derive, parse_spec
from symdrop.sympy_internals import entries, rational_matrix

from .strategies import networks, spec_of

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
    assert type(fast._rep.rep) is type(plain._rep.rep) and vars(fast._rep.rep) == vars(plain._rep.rep)  # SDM's own
    assert dict(fast._rep.rep) == dict(plain._rep.rep) and vars(fast._rep) == vars(plain._rep)
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


def checked(expr):
    """``expr`` rebuilt with SymPy's own constructors, shape checks and all (``evaluate=False``)."""
    if isinstance(expr, (MatAdd, MatMul, HadamardProduct)):
        return type(expr)(*map(checked, expr.args), evaluate=False)
    return expr


@settings(max_examples=40, deadline=None)
@given(networks(max_maskable=6, max_depth=3), st.sampled_from(["train", "test"]), st.sampled_from([None, "masks", "all"]))
def test_formulas_are_the_ones_sympys_checked_constructors_build(data, mode, symbolic):
    """Formulas are built without SymPy's shape checks (``unchecked``); built with them, every one
    is the same, in every mode and symbolic mode."""
    x, layers, keep, convention, masks = data
    if mode == "test" and convention == "plain":
        mode = "train"
    if mode == "test" and symbolic == "masks":
        symbolic = None
    network = parse_spec(spec_of(x, layers, keep, convention, masks))
    for step in derive(network, symbolic=symbolic, mode=mode).steps:
        for q in (step.masked_input, step.pre_activation):
            for formula in (q.symbolic, q.substituted):
                again = checked(formula)
                assert again == formula and type(again) is type(formula) and again.args == formula.args


def same_matrix(fast, plain) -> bool:
    return type(fast) is type(plain) and fast.args == plain.args and fast._rep == plain._rep \
        and fast._rep.domain == plain._rep.domain and hash(fast) == hash(plain)


@settings(max_examples=30, deadline=None)
@given(networks(max_maskable=6, max_depth=3))
def test_a_specs_matrices_are_the_ones_sympys_constructor_builds(data):
    """parse_spec builds x, W, b, masks and one q repeated (keep_of) past ImmutableMatrix's
    constructor: each is the matrix the constructor builds from the spec's numbers."""
    x, layers, keep, convention, masks = data
    network = parse_spec(spec_of(x, layers, keep, convention, masks))
    rational = lambda v: sympy.Rational(v.numerator, v.denominator)  # noqa: E731
    assert same_matrix(network.x, sympy.ImmutableMatrix([rational(v) for v in x]))
    for layer, (W, b, _) in zip(network.layers, layers):
        assert same_matrix(layer.W, sympy.ImmutableMatrix([[rational(w) for w in row] for row in W]))
        assert same_matrix(layer.b, sympy.ImmutableMatrix([rational(v) for v in b]))
    assert len(network.masks) == len(masks) > 0  # every mask compared below
    for mask, given_mask in zip(network.masks, masks):
        assert same_matrix(mask, sympy.ImmutableMatrix([sympy.Integer(m) for m in given_mask]))
    for l, q in enumerate(network.dropout.keep or ()):
        shape = (network.masks[l].rows, 1)
        assert same_matrix(network.dropout.keep_of(l, shape), sympy.ImmutableMatrix(*shape, lambda i, j: q))
