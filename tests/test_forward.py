"""The one numeric core: its pass against the plain-fractions reference, and the changes mistakes hand it."""

from fractions import Fraction

import pytest
from hypothesis import given, settings, strategies as st

import symdrop
from symdrop import parse_spec
from symdrop.core.forward import forward, layer_values, prediction
from symdrop.core.passnumbers import network_numbers

from . import reference
from .strategies import networks, spec_of


def fractions(values):
    return [Fraction(v) for v in values]


@settings(max_examples=200, deadline=None)
@given(networks(max_maskable=12), st.sampled_from(["train", "test", "off"]))
def test_every_layer_is_the_reference_pass(data, mode):
    """Masked input, z and a of every layer equal the reference's, in every convention and pass
    ("off": no dropout, the reference's training pass with every mask all ones and no scaling)."""
    x, layers, keep, convention, masks = data
    if mode == "test" and convention == "plain":
        mode = "train"
    network = parse_spec(spec_of(x, layers, keep, convention, masks))
    if mode == "off":
        expected = reference.forward(x, layers, [[1] * len(m) for m in masks])
    else:
        expected = reference.forward(x, layers, masks, convention, keep, mode)
    got = forward(network, mode)
    assert [(fractions(v.masked), fractions(v.z), fractions(v.a)) for v in got] == expected
    # each product w_ij a~_j, with the weights the pass multiplied by
    for values, (masked, _, _) in zip(got, expected):
        assert [fractions(t) for t in values.terms] == [[Fraction(w) * v for w, v in zip(row, masked)]
                                                        for row in map(fractions, values.weights)]


def test_rational_networks_compute_in_python_numbers_and_others_in_sympy():
    assert network_numbers(symdrop.example()).python
    spec = {"input": [1], "layers": [{"weights": [[1]], "bias": [0], "activation": "sigmoid"},
                                     {"weights": [[2]], "bias": [1]}], "masks": [[1], [1]]}
    sigmoid = parse_spec(spec)
    assert not network_numbers(sigmoid).python
    assert str(prediction(sigmoid)[0]) == "1 + 2/(exp(-1) + 1)"


def test_passes_is_the_memoized_forward():
    network = symdrop.example()
    assert layer_values(network) is layer_values(network) and layer_values(network) == forward(network)


# The changes a mistake makes, on the tutorial (by hand: docs/dropout.md, "Worked example").
@pytest.mark.parametrize(
    "changes, expected",
    [
        ({}, [7]),
        ({"masks": ((1, 1), (1, 1, 1), (1, 1, 1), (1, 1))}, [27]),  # every mask all ones
        ({"masks": ((1, 1), (1, 0, 1), (0, 1, 1), (0, 1), (0,))}, [0]),  # an L+1-th mask drops the output
        ({"masks": ((1, 1), (1, 0, 1), (0, 1, 1), (0, 0))}, [1]),  # the output's inputs dropped: y = b
        # ReLU left out on hidden layer 1: a1 = (3, 1, -2), masked (3, 0, -2) -> z2 = (0, -6, 5)
        # -> a2 = (0, 0, 5), masked (0, 0, 5) -> z3 = (-3, 4) -> a3 = (0, 4), masked (0, 4) -> 13
        ({"activations": ("identity", "relu", "relu", "identity")}, [13]),
        # masks on z: z1 = (3, 1, -2) * (1, 0, 1) = (3, 0, -2) -> a1 = (3, 0, 0), the same as
        # masking the next input, because ReLU(0) = 0: the prediction stays 7
        ({"masks_on": "z"}, [7]),
    ],
)
def test_changes_a_mistake_hands_the_core(changes, expected):
    assert fractions(prediction(symdrop.example(), **changes)) == expected


def test_the_pass_without_dropout():
    assert fractions(prediction(symdrop.example(), "off")) == [27]


@settings(max_examples=100, deadline=None)
@given(networks(max_maskable=12), st.sampled_from(["train", "test", "off"]))
def test_the_fast_path_without_products_is_the_plain_pass(data, mode):
    """``terms=False`` (a mistake's pass) computes z without keeping the products: the same values."""
    x, layers, keep, convention, masks = data
    if mode == "test" and convention == "plain":
        mode = "train"
    network = parse_spec(spec_of(x, layers, keep, convention, masks))
    fast, plain = forward(network, mode, terms=False), forward(network, mode)
    assert [(v.masked, v.z, v.a) for v in fast] == [(v.masked, v.z, v.a) for v in plain]
    assert all(v.terms == () for v in fast)


def test_a_students_own_values_go_through_the_core_pass():
    """inputs= and zs= replace a layer's input and z (grading carries a student's values
    forward). The tutorial with a^(1) = (3, 1, 2): mu^(1) = (1, 0, 1) gives a~ = (3, 0, 2) and
    z^(2) = (3 - 0 + 4 + 1, -6 + 0 + 2 + 2, 3 + 0 - 2 + 0) = (8, -2, 1), by hand; with z^(2) given
    as (-1, 5, 0) instead, a^(2) = ReLU of it = (0, 5, 0)."""
    from symdrop import example

    network = example()
    assert forward(network, inputs={2: (3, 1, 2)})[1].z == (8, -2, 1)
    assert forward(network, inputs={2: (3, 1, 2)})[1].masked == (3, 0, 2)
    assert forward(network, zs={2: (-1, 5, 0)})[1].a == (0, 5, 0)
    assert forward(network, inputs={2: (3, 1, 2)})[0] == layer_values(network)[0]  # layer 1 unchanged


@settings(max_examples=60, deadline=None)
@given(networks(max_maskable=12), st.sampled_from(["train", "test"]), st.data())
def test_start_computes_the_layers_from_a_given_input_as_the_whole_pass(data, mode, draw):
    """``start=l`` with a^(l-1) given (grading's one layer at a time) leaves the layers before l
    None and gives every later layer as the pass from x does with that input."""
    x, layers, keep, convention, masks = data
    if mode == "test" and convention == "plain":
        mode = "train"
    network = parse_spec(spec_of(x, layers, keep, convention, masks))
    l = draw.draw(st.integers(1, network.depth))
    given = {l: tuple(Fraction(i - 1, 2) for i in range(network.layers[l - 1].W.cols))}
    whole, started = forward(network, mode, inputs=given, terms=False), forward(network, mode, inputs=given,
                                                                               terms=False, start=l)
    assert started[:l - 1] == (None,) * (l - 1)
    assert started[l - 1:] == whole[l - 1:]


def test_whole_makes_a_whole_fraction_an_int_and_leaves_every_other_number():
    import sympy

    from symdrop.core.passnumbers import whole

    assert (whole(Fraction(4, 2)), type(whole(Fraction(4, 2)))) == (2, int)
    assert (whole(Fraction(-6, 3)), type(whole(Fraction(-6, 3)))) == (-2, int)
    assert (whole(Fraction(0)), type(whole(Fraction(0)))) == (0, int)
    assert type(whole(Fraction(1, 2))) is Fraction and whole(Fraction(1, 2)) == Fraction(1, 2)
    for other in (7, sympy.Rational(4, 2), sympy.Rational(1, 3), True):
        assert whole(other) is other
