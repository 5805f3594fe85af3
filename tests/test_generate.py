"""The generator: every rule on 1000 seeds per kind of numbers, checked against the independent
reference pass; each rule able to fail; impossible options refused; mistakes by hand."""

from fractions import Fraction

import pytest

from symdrop.core.forward import prediction
from symdrop.errors import SymdropError
from symdrop.exercises.forward import KIND, RULES, check_options, mistakes
from symdrop.exercises.generate import distinct, generate, stream, variant_code
from symdrop.exercises.options import Options, parse_range, parse_shape
from symdrop.model.network import build

from . import reference

SEEDS = range(1000)


class Problem:
    """A problem as plain Fractions read off a network with SymPy's public API (``tolist``), for
    the reference pass: nothing shared with symdrop's own pass."""

    def __init__(self, network):
        fractions = lambda m: [[Fraction(int(v.p), int(v.q)) for v in row] for row in m.tolist()]  # noqa: E731
        self.network = network
        self.x = [row[0] for row in fractions(network.x)]
        self.layers = [(fractions(layer.W), [row[0] for row in fractions(layer.b)], layer.activation)
                       for layer in network.layers]
        self.masks = [[int(row[0]) for row in fractions(m)] for m in network.masks]
        self.depth = len(self.layers)


def problem(x, layers, masks) -> Problem:
    return Problem(build(x, layers, masks))


# The tutorial's network as a generator problem (prediction 7, 27 without dropout).
TUTORIAL = problem(
    x=(1, 1),
    layers=(
        (((1, 2), (-1, 1), (2, -3)), (0, 1, -1), "relu"),
        (((1, -1, 2), (-2, 1, 1), (1, 1, -1)), (1, 2, 0), "relu"),
        (((1, 2, -1), (2, -1, 1)), (2, -1), "relu"),
        (((-1, 3),), (1,), "identity"),
    ),
    masks=((1, 1), (1, 0, 1), (0, 1, 1), (0, 1)),
)


def reference_pass(problem: Problem):
    """The problem through tests/reference.py's forward pass (no code shared with symdrop)."""
    return reference.forward(problem.x, problem.layers, problem.masks)


def failed_rules(problem: Problem, options: Options) -> list[str]:
    return KIND.failed_rules(problem.network, options)


def generated(kind: str):
    options = Options(values=kind)
    return [Problem(generate(stream(seed, "test"), options, KIND)) for seed in SEEDS]


@pytest.fixture(scope="module", params=["int", "half", "decimal"])
def sample(request):
    return request.param, generated(request.param)


@pytest.mark.slow
def test_rule_1_hand_computable(sample):
    kind, problems = sample
    allowed = {"int": {1}, "half": {1, 2}, "decimal": {1, 2, 4, 5, 10, 20, 25, 50, 100}}[kind]
    for problem in problems:
        numbers = list(map(Fraction, problem.x))
        for (W, b, _), (masked, z, a) in zip(problem.layers, reference_pass(problem)):
            numbers += [Fraction(w) for row in W for w in row] + [Fraction(v) for v in b] + masked + z + a
            numbers += [Fraction(w) * v for row in W for w, v in zip(row, masked)]
        assert all(v.denominator in allowed and abs(v) <= 99 for v in numbers), problem


@pytest.mark.slow
def test_rule_2_no_relu_pre_activation_is_zero(sample):
    for problem in sample[1]:
        for (_, _, g), (_, z, _) in zip(problem.layers, reference_pass(problem)):
            assert g != "relu" or 0 not in z


@pytest.mark.slow
def test_rule_3_masks_drop_active_units_and_keep_one(sample):
    for problem in sample[1]:
        values = reference_pass(problem)
        for l in range(1, problem.depth):
            mu, a = problem.masks[l], values[l - 1][2]
            assert 0 in mu and 1 in mu
            assert all(v > 0 for m, v in zip(mu, a) if m == 0)


@pytest.mark.slow
def test_rule_4_a_kept_relu_unit_clips_a_negative(sample):
    for problem in sample[1]:
        values = reference_pass(problem)
        assert any(
            z < 0 and keep for l in range(1, problem.depth) for z, keep in zip(values[l - 1][1], problem.masks[l])
        )


@pytest.mark.slow
def test_rule_5_dropout_matters_and_rule_6_mistakes_distinct(sample):
    for problem in sample[1]:
        y = reference_pass(problem)[-1][2]
        no_dropout = reference.forward(problem.x, problem.layers, [[1] * len(m) for m in problem.masks])[-1][2]
        assert y != no_dropout
        answers = [list(m.answer) for m in mistakes(problem.network)]
        misread = lambda name: name == "masks_flipped" or name.startswith("swapped_masks_")  # noqa: E731  (may share)
        distinct = [a for m, a in zip(mistakes(problem.network), answers) if not misread(m.name)]
        assert y not in answers and len(distinct) == len({tuple(a) for a in distinct})
        # ReLU on the linear output is listed exactly where it changes the answer
        listed = {m.name for m in mistakes(problem.network)}
        assert ("relu_on_output" in listed) == any(v < 0 for v in y)


@pytest.mark.slow
def test_answers_are_positive_about_half_the_time(sample):
    """No rule gives the sign away: over 1,000 seeds between 35% and 65% of answers are positive."""
    positive = sum(reference_pass(p)[-1][2][0] > 0 for p in sample[1])
    assert 350 <= positive <= 650


@pytest.mark.slow
def test_rule_8_problems_in_a_set_are_distinct(sample):
    kind, problems = sample
    codes = [variant_code(KIND, p.network, Options(values=kind)) for p in problems]
    assert distinct(codes) and len({p.network for p in problems}) == len(problems)
    assert not distinct(codes[:2] + codes[:1])


@pytest.mark.slow
def test_the_rules_functions_accept_every_generated_problem(sample):
    kind, problems = sample
    assert all(failed_rules(p, Options(values=kind)) == [] for p in problems[:200])


def changed(problem: Problem, **fields) -> Problem:
    return globals()["problem"](**{"x": problem.x, "layers": problem.layers, "masks": problem.masks, **fields})


def with_layer(problem: Problem, l: int, W=None, b=None, g=None) -> Problem:
    layers = list(problem.layers)
    old = layers[l]
    layers[l] = (W or old[0], b or old[1], g or old[2])
    return changed(problem, layers=tuple(layers))


ACCEPTED = problem(  # a problem meeting every rule, by hand:
    x=(1, 2),
    layers=(
        (((1, 1), (1, -2), (2, 1)), (1, 1, -1), "relu"),  # z = (4, -2, 3): unit 2 clipped and kept
        (((1, 1, 1), (-1, 2, 1)), (0, 1), "relu"),  # a~ = (0, 0, 3): z = (3, 4)
        (((-1, 1),), (-1,), "identity"),  # a~ = (3, 0): y = -4; no dropout -8, no ReLU -2
    ),
    masks=((1, 1), (0, 1, 1), (1, 0)),
)

# Each case breaks exactly one rule; the rule's function must say so.
BROKEN = {
    "hand_computable": (with_layer(ACCEPTED, 0, W=((50, 50), (1, -2), (2, 1))), "int"),
    "hand_computable half in int": (changed(ACCEPTED, x=(Fraction(1, 2), 2)), "int"),
    "no_relu_zero": (with_layer(ACCEPTED, 0, b=(1, 3, -1)), "int"),
    "masks_drop_active_units": (changed(ACCEPTED, masks=((1, 1), (0, 0, 1), (1, 0))), "int"),  # drops a 0
    "masks_drop_active_units keeps none": (changed(ACCEPTED, masks=((1, 1), (0, 1, 1), (0, 0))), "int"),
    "relu_clips_negative": (with_layer(ACCEPTED, 0, b=(1, 5, -1)), "int"),
    # hidden layer 2 gives z = (2, 2) with the masks and (2, 14) without; y = a_1 + 1 = 3 either way
    "dropout_matters": (changed(ACCEPTED, layers=tuple(ACCEPTED.layers[:1]) + (
        (((0, -3, 0), (3, -1, 1)), (2, -1), "relu"), (((1, 0),), (1,), "identity"))), "int"),
    # b^(3) = 0: dropping the output (y = 0) and dropping its inputs (y = b = 0) give one answer
    "mistakes_distinct": (changed(ACCEPTED, layers=tuple(ACCEPTED.layers[:1]) + (
        (((-2, 2, 3), (0, 0, 2)), (-1, 0), "relu"), (((1, 2),), (0,), "identity"))), "int"),
}


def test_accepted_example_meets_every_rule():
    assert failed_rules(ACCEPTED, Options(shape=(2, 3, 2, 1))) == []
    assert reference_pass(ACCEPTED)[-1][2] == [-4]
    # Dropping the output gives 0 as ReLU on y = -4 does, and forgetting every ReLU gives -2 as
    # forgetting the first does (only that one acts): the key names the likelier mistake. The masks
    # read as 1 = drop, (1, 0, 0) and (0, 1): a~1 = (4, 0, 0), z2 = (4, -3), a~2 = (0, 0), y = b = -1,
    # the answer of dropping the output's inputs too (both listed: the misreadings may share one).
    assert {m.name: m.answer for m in mistakes(ACCEPTED.network)} == {
        "forgot_masks": (-8,), "dropped_output_bias": (-1,), "forgot_relu_1": (-2,), "relu_on_output": (0,),
        "masks_flipped": (-1,),
    }


@pytest.mark.parametrize("case", BROKEN)
def test_each_rule_can_fail(case):
    problem, kind = BROKEN[case]
    rule = case.split()[0]
    assert failed_rules(problem, Options(shape=(2, 3, 2, 1), values=kind))[:1] == [rule]


def test_rules_are_numbered_as_in_the_issue():
    assert list(RULES) == [
        "hand_computable", "no_relu_zero", "masks_drop_active_units", "relu_clips_negative", "dropout_matters",
        "mistakes_distinct",
    ]


# The tutorial's mistakes, worked out by hand (see docs/dropout.md, "Common mistakes").
TUTORIAL_MISTAKES = {
    "forgot_masks": (27,),
    "dropped_output": (0,),
    "dropped_output_bias": (1,),
    "forgot_relu_1": (13,),  # a1 = (3, 1, -2) -> z2 = (0, -6, 5) -> z3 = (-3, 4) -> 3*4 + 1
    "forgot_relu_2": (19,),  # a2 = (4, -4, 3) -> z3 = (-9, 6) -> 3*6 + 1
    "forgot_all_relus": (31,),
    # not "relu_on_output": y = 7 > 0, so ReLU on the output gives the right answer here
    "masks_flipped": (-1,),  # (0, 1, 0), (1, 0, 0), (1, 0): z2 = (0, 3, 1), a~2 = 0, z3 = b3, a~3 = (2, 0), -2 + 1
    "swapped_masks_1_2": (1,),  # mu2 on layer 1, mu1 on layer 2: z2 = (0, 3, 1), a~2 = (0, 0, 1), z3 = (1, 0), b4
}


def test_tutorial_mistakes_by_hand():
    found = {m.name: m.answer for m in mistakes(TUTORIAL.network)}
    assert found == TUTORIAL_MISTAKES  # hidden layer 3's ReLU clips only a dropped unit: no entry


@pytest.mark.slow
def test_masked_z_is_the_right_answer_with_relu(sample):
    """Why "masked z instead of the input" is no rule-5 mistake: with g(0) = 0 it is correct."""
    for problem in sample[1][:300]:
        assert list(prediction(problem.network, masks_on="z")) == reference_pass(problem)[-1][2]


def test_masked_z_by_hand():
    """Masking z (bias and all) differs from masking the next input where g(0) != 0, and the core
    does what the mistake says: a network of one sigmoid unit, dropped, feeding y = 2 a + 1."""
    network = build((1,), [(((1,),), (1,), "sigmoid"), (((2,),), (1,), "identity")], [(1,), (0,)])
    # correct: the unit is dropped from the output's input, y = 1; masked z: z = 0, a = 1/2, y = 2
    assert prediction(network) == (1,)
    assert prediction(network, masks_on="z") == (2,)


@pytest.mark.parametrize(
    "shape, message",
    [
        ("1-1-1", "--shape 1-1-1: hidden layer 1 has 1 unit, but rule 3 needs its mask to drop one unit and keep another"),
        ("2-3-1-1", "--shape 2-3-1-1: hidden layer 2 has 1 unit"),
        ("2-1", "--shape 2-1: no hidden layer"),
    ],
)
def test_impossible_shapes_are_refused(shape, message):
    with pytest.raises(SymdropError, match=message.replace("(", r"\(").replace(")", r"\)")):
        check_options(Options(shape=parse_shape(shape)))


@pytest.mark.parametrize(
    "options, rule",
    [
        (Options(shape=(1, 2, 1)), "rule 3"),  # drop one, keep one: no clipped kept unit but y = b
        (Options(low=0, high=3), "rule"),  # nothing negative: no ReLU ever clips
    ],
)
def test_impossible_options_stop_after_bounded_attempts(options, rule):
    check_options(options)
    with pytest.raises(SymdropError, match=f"cannot generate problem 1 of kind forward: no candidate met the rules in 1000 attempts .*{rule}"):
        generate(stream(1, "problem", 1), options, KIND, what="problem 1")


@pytest.mark.parametrize(
    "text, expected",
    [("2-3-3-2-1", (2, 3, 3, 2, 1)), (" 3 - 4 - 1 ", (3, 4, 1))],
)
def test_parse_shape(text, expected):
    assert parse_shape(text) == expected


@pytest.mark.parametrize("text", ["2", "2-x-1", "2-0-1", "2-10-1", ""])
def test_parse_shape_rejects(text):
    with pytest.raises(SymdropError, match="--shape: expected"):
        parse_shape(text)


@pytest.mark.parametrize("text, expected", [("-3..3", (-3, 3)), ("0..5", (0, 5)), (" -10 .. -1 ", (-10, -1))])
def test_parse_range(text, expected):
    assert parse_range(text) == expected


@pytest.mark.parametrize("text", ["3..-3", "1..1", "-3-3", "a..b", "-200..3"])
def test_parse_range_rejects(text):
    with pytest.raises(SymdropError, match="--range: expected"):
        parse_range(text)


def test_taken_codes_make_the_generator_draw_again():
    first = generate(stream(5, "x"), Options(), KIND)
    second = generate(stream(5, "x"), Options(), KIND, taken={variant_code(KIND, first, Options())})
    assert second != first and variant_code(KIND, second, Options()) != variant_code(KIND, first, Options())


@pytest.mark.slow
def test_streams_and_codes_are_fixed():
    """Pinned values: a change of the stream derivation or of the code changes every sheet."""
    assert stream(42, "problem", 1).random() == stream(42, "problem", 1).random()
    assert stream(42, "problem", 1).random() != stream(42, "problem", 2).random()
    assert variant_code(KIND, TUTORIAL.network, Options()) == "9B5H9G"
    assert len(set(variant_code(KIND, p.network, Options()) for p in generated("int")[:300])) == 300


def test_a_statistics_kind_that_cannot_be_drawn_is_not_told_to_try_another_shape():
    """variance draws one unit of its own size: --shape changes none of its problems, so the
    message neither states a shape nor suggests another (0..1: nothing negative, rule 1 fails)."""
    from symdrop.exercises.variance import KIND as VARIANCE

    with pytest.raises(SymdropError) as raised:
        generate(stream(3, "problem", 1), Options(low=0, high=1), VARIANCE, what="problem 1")
    message = str(raised.value)
    assert message.startswith("cannot generate problem 1 of kind variance: no candidate met the rules in 1000 attempts "
                              "with integers in 0..1, keep probabilities from ")
    assert "shape" not in message and message.endswith("; try a wider --range or other --keep values")
