import itertools
import random
from fractions import Fraction

import pytest
import sympy
from hypothesis import given, settings, strategies as st

import symdrop
from symdrop import derive, parse_spec

from symdrop.core.derive import _expression_pass

from .conftest import values
from .reference import forward, from_spec, random_problem
from .strategies import networks, spec_of


# The tutorial, by hand (issue #2): (masked input, pre-activation, activation) per layer.
TUTORIAL_BY_HAND = [
    ([1, 1], [3, 1, -2], [3, 1, 0]),
    ([3, 0, 0], [4, -4, 3], [4, 0, 3]),
    ([0, 0, 3], [-1, 2], [0, 2]),
    ([0, 2], [7], [7]),
]


@pytest.mark.parametrize("l, expected", list(enumerate(TUTORIAL_BY_HAND, start=1)))
def test_tutorial_every_layer(l, expected):
    step = derive(symdrop.example()).steps[l - 1]
    got = (step.masked_input.value, step.pre_activation.value, step.activation.value)
    assert [values(v) for v in got] == [list(map(Fraction, v)) for v in expected]


def test_tutorial_prediction_and_without_dropout():
    d = derive(symdrop.example())
    assert values(d.prediction) == [7]
    assert values(d.without_dropout) == [27]
    assert d.input_mask_is_ones
    # mu^(3) drops unit 1 of the third hidden layer, which ReLU had already zeroed.
    assert d.steps[3].dropped == (0,) and d.steps[3].dropped_inactive == (0,)
    assert d.steps[1].dropped == (1,) and d.steps[1].dropped_inactive == ()


# Why each dropped unit is dropped, the fact a solution's sentence about it is chosen by.
DROP_CASES = {
    "the tutorial": (None, [(), ((1, "removed"),), ((0, "removed"),), ((0, "relu"),)]),
    "an input, a zero of an identity layer": (
        {"input": [1, 0], "masks": [[1, 0], [0, 1]],
         "layers": [{"weights": [[1, 0], [0, 1]], "bias": [0, 0], "activation": "identity"},
                    {"weights": [[1, 1]], "bias": [0]}]},
        [((1, "input"),), ((0, "removed"),)],
    ),
    "a zero that is not ReLU's": (
        {"input": [0, 2], "masks": [[1, 1], [0, 1]],
         "layers": [{"weights": [[1, 0], [0, 1]], "bias": [0, 0], "activation": "identity"},
                    {"weights": [[1, 1]], "bias": [0]}]},
        [(), ((0, "zero"),)],
    ),
}


@pytest.mark.parametrize("name", DROP_CASES)
def test_dropped_reasons(name):
    data, expected = DROP_CASES[name]
    network = symdrop.example() if data is None else parse_spec(data)
    assert [step.dropped_reasons for step in derive(network).steps] == expected


def test_input_mask_changes_nothing_unless_inverted_dropout_scales_x():
    assert derive(symdrop.example()).input_mask_changes_nothing
    data = {"input": [1, 1], "masks": [[1, 1], [1, 0]],
            "layers": [{"weights": [[1, 1], [1, -1]], "bias": [0, 0]}, {"weights": [[1, 1]], "bias": [0]}],
            "dropout": {"convention": "inverted", "keep": ["1/2", "1/2"]}}
    assert not derive(parse_spec(data)).input_mask_changes_nothing
    data["dropout"]["keep"] = ["1", "1/2"]
    assert derive(parse_spec(data)).input_mask_changes_nothing


def spec(x, layers, masks):
    return {
        "input": x,
        "layers": [{"weights": W, "bias": b, "activation": g} for W, b, g in layers],
        "masks": masks,
    }


# Hand-checked cases: (spec, expected activation of every layer, worked out on paper).
HAND_CASES = {
    "fractions": (
        spec(["1/2", "-1/3"], [([["2/3", "3/4"]], ["1/6"], "identity")], [[1, 1]]),
        # 2/3*1/2 + 3/4*(-1/3) + 1/6 = 1/3 - 1/4 + 1/6 = 1/4
        [[Fraction(1, 4)]],
    ),
    "decimals as written": (
        spec([0.1, "0.2"], [([[0.1, 0.1]], [0.3], "identity")], [[1, 1]]),
        # 0.01 + 0.02 + 0.3 = 0.33 exactly (the floats would give 0.33000000000000004)
        [[Fraction(33, 100)]],
    ),
    "input dropout": (
        spec([2, 5], [([[1, 1], [1, -1]], [0, 0], "relu"), ([[1, 1]], [0], "identity")], [[0, 1], [1, 1]]),
        # x~ = (0, 5); z1 = (5, -5); a1 = (5, 0); y = 5
        [[5, 0], [5]],
    ),
    "mu0 omitted": (
        spec([1, 1], [([[1, 2], [-1, 1]], [0, 0], "relu"), ([[1, 1]], [1], "identity")], [[0, 1]]),
        # a1 = (3, 0); masked (0, 0); y = 1
        [[3, 0], [1]],
    ),
    "hidden layer fully dropped": (
        spec([1], [([[2], [3]], [1, 1], "relu"), ([[5, 7]], ["-1/2"], "identity")], [[1], [0, 0]]),
        # only the bias survives: y = -1/2
        [[3, 4], [Fraction(-1, 2)]],
    ),
    "vector output": (
        spec([1, -1], [([[1, 0], [0, 1]], [1, 1], "relu"), ([[1, 2], [3, -4]], [0, 1], "identity")], [[1, 1], [1, 1]]),
        # a1 = relu(2, 0) = (2, 0); y = (2, 7)
        [[2, 0], [2, 7]],
    ),
}


@pytest.mark.parametrize("name", HAND_CASES)
def test_hand_checked_cases(name):
    data, expected = HAND_CASES[name]
    d = derive(parse_spec(data))
    assert [values(step.activation.value) for step in d.steps] == [list(map(Fraction, v)) for v in expected]
    assert values(d.prediction) == list(map(Fraction, expected[-1]))


@pytest.mark.parametrize("seed", range(200))
def test_random_networks_match_fraction_reference(seed):
    data, x, layers, masks = random_problem(random.Random(seed))
    d = derive(parse_spec(data))
    reference = forward(x, layers, masks)
    for step, (masked, z, a) in zip(d.steps, reference, strict=True):
        assert values(step.masked_input.value) == masked
        assert values(step.pre_activation.value) == z
        assert values(step.activation.value) == a
    assert values(d.prediction) == reference[-1][2]


def tutorial_fractions():
    spec_ = symdrop.to_spec(symdrop.example())
    return (*from_spec(spec_), spec_["masks"])


def test_symbolic_masks_prediction_is_right_for_every_mask():
    """The expression in the masks gives the reference's prediction for all 2^10 masks
    (the tutorial has 2 + 3 + 3 + 2 mask entries, mu^(0) included)."""
    d = derive(symdrop.example(), symbolic="masks")
    x, layers, masks = tutorial_fractions()
    mu = sorted(d.prediction.free_symbols, key=lambda s: s.name)
    assert values(d.at_spec_masks) == [7]
    names = [f"mu{l}_{j + 1}" for l, m in enumerate(masks) for j in range(len(m))]
    assert len(names) == 10
    symbols = {s.name: s for s in mu}
    f = sympy.lambdify([sympy.Symbol(n, nonnegative=True) for n in names], d.prediction[0], "sympy")
    sizes = [len(m) for m in masks]
    for bits in itertools.product((0, 1), repeat=len(names)):
        split, start = [], 0
        for n in sizes:
            split.append(list(bits[start : start + n]))
            start += n
        expected = forward(x, layers, split)[-1][2][0]
        assert Fraction(str(f(*bits))) == expected
    assert set(symbols) <= set(names)


def _symbol_values(x, layers, masks) -> dict:
    """The tutorial's numbers by the names of symbolize's symbols: x_j, w<l>_<i>_<j>, b<l>_<i>, mu<l>_<j>."""
    numbers = {f"x_{j + 1}": v for j, v in enumerate(x)}
    for l, (W, b, _) in enumerate(layers, start=1):
        numbers.update({f"w{l}_{i + 1}_{j + 1}": w for i, row in enumerate(W) for j, w in enumerate(row)})
        numbers.update({f"b{l}_{i + 1}": v for i, v in enumerate(b)})
    for l, mask in enumerate(masks):
        numbers.update({f"mu{l}_{j + 1}": v for j, v in enumerate(mask)})
    return numbers


def test_symbolic_all_closed_form_gives_the_tutorial_values():
    d = derive(symdrop.example(), symbolic="all")
    x, layers, masks = tutorial_fractions()
    numbers = _symbol_values(x, layers, masks)
    free = {s.name: s for s in d.prediction.free_symbols}
    assert set(free) == set(numbers)  # every weight, bias, mask and input appears
    value = d.prediction.subs({free[n]: sympy.Rational(v.numerator, v.denominator) for n, v in numbers.items()})
    assert values(value) == [7]
    # each layer is written in the previous layer's symbols: relu(z) of a^(l-1)
    assert str(d.steps[1].activation.value[0]) == "Max(0, a1_1*mu1_1*w2_1_1 + a1_2*mu1_2*w2_1_2 + a1_3*mu1_3*w2_1_3 + b2_1)"


def test_symbolic_all_compositions_are_the_prediction_at_every_layer():
    """Derivation.composed[k] is the prediction in terms of a^(k): with the tutorial's numbers and
    a^(k) set to the reference's layer-k activations it is 7 for every k; composed[0] is the
    closed form (no a^(k) left) and the last is the output layer's own formula."""
    d = derive(symdrop.example(), symbolic="all")
    x, layers, masks = tutorial_fractions()
    reference = forward(x, layers, masks)
    numbers = _symbol_values(x, layers, masks)
    assert len(d.composed) == len(layers) == 4
    assert d.composed[0] == d.prediction and d.composed[-1] == d.steps[-1].activation.value
    for k, expr in enumerate(d.composed):
        at_k = {f"a{k}_{j + 1}": v for j, v in enumerate(reference[k - 1][2])} if k else {}
        free = {s.name: s for s in expr.free_symbols}
        assert {n for n in free if n.startswith("a")} == set(at_k), k
        value = expr.subs({free[n]: sympy.Rational(v.numerator, v.denominator)
                           for n, v in {**numbers, **at_k}.items() if n in free})
        assert values(value) == [7], k


@settings(max_examples=150, deadline=None)
@given(networks(max_maskable=12), st.sampled_from(["train", "test"]))
def test_core_pass_is_the_matrix_arithmetic_pass(data, mode):
    """Networks of numbers take the core's entry-by-entry pass; SymPy's matrix arithmetic (the
    symbolic path's) must agree on every matrix of every layer, under every convention and in
    both modes."""
    x, layers, keep, convention, masks = data
    if mode == "test" and convention == "plain":
        mode = "train"
    network = parse_spec(spec_of(x, layers, keep, convention, masks))
    a = network.x
    for l, (step, layer, mu) in enumerate(zip(derive(network, mode=mode).steps, network.layers, network.masks), start=1):
        general = _expression_pass(layer, mu, a, network.dropout.rule(l, mode), lambda e: e)
        fast = (step.mask, step.masked_input.value, step.W, step.pre_activation.value, step.activation.value)
        assert fast == general
        assert [m.args for m in fast] == [m.args for m in general]
        a = general[-1]
