"""symdrop check: numbers as students write them, every mistake of every kind diagnosed from the
reference's wrong answer, error carried forward on hand-made slips, the command line."""

import csv
import json
import random
from fractions import Fraction

import pytest
import sympy

from symdrop.cli import main
from symdrop.errors import SymdropError
from symdrop.exercises.generate import generate, stream
from symdrop.exercises.kinds import KINDS
from symdrop.exercises.options import Options
from symdrop.grading.answers import parse_number, parse_vector
from symdrop.grading.check import check
from symdrop.model.spec import load_spec, to_spec

from .backprop_reference import expected_mistakes as backprop_mistakes
from .backprop_reference import gradients
from .conftest import ROOT, TUTORIAL, UNDECIDED, write_spec
from .reference import Spec, answer, expected_mistakes, forward_mistakes


@pytest.mark.parametrize("text, value", [
    ("7", 7), ("-3/4", Fraction(-3, 4)), ("-0.75", Fraction(-3, 4)), ("-0,75", Fraction(-3, 4)),
    (" +2.5 ", Fraction(5, 2)), ("\u22121", -1), (".5", Fraction(1, 2)),
])
def test_numbers_as_students_write_them(text, value):
    assert parse_number(text) == value


@pytest.mark.parametrize("text, values", [
    ("3; 0; -2", (3, 0, -2)), ("(3, 0, -2)", (3, 0, -2)), ("[3 0 -2]", (3, 0, -2)),
    ("(0,5; -1)", (Fraction(1, 2), -1)), ("7", (7,)),
])
def test_vectors_as_students_write_them(text, values):
    assert parse_vector(text) == values


@pytest.mark.parametrize("text", ["", "x", "1/0", "3..1", "1e5", "(1, , 2)x"])
def test_unreadable_numbers_are_one_clear_error(text):
    with pytest.raises(SymdropError, match="expected a number"):
        parse_vector(text)


@pytest.mark.parametrize("kind", ["forward", "inverted", "test-time", "ensemble"])
def test_every_mistake_answer_from_the_reference_is_diagnosed_as_that_mistake(kind):
    """The wrong answer each label describes, computed by tests/reference.py, names that mistake,
    and every other listed mistake whose reference answer is the same (the misreadings of the
    masks often give another's answer); the others' answers all differ (rule mistakes_distinct)."""
    seen = set()
    for seed in range(60):
        network = generate(stream(seed, "check"), Options(), KINDS[kind])
        p = Spec(to_spec(network))
        assert check(KINDS[kind], network, answer(kind, p)).correct
        expected = expected_mistakes(kind, p) if kind != "forward" else forward_mistakes(p)
        listed = [m.name for m in KINDS[kind].mistakes(network)]
        for name in listed:
            result = check(KINDS[kind], network, expected[name])
            same = [n for n in listed if expected[n] == expected[name]]
            assert not result.correct and [x.name for x in result.mistakes] == same, (seed, name)
            assert sum(n not in MISREADINGS and not n.startswith("swapped_masks_") for n in same) <= 1
            seen.add(name)
    assert len(seen) >= 4


MISREADINGS = ("masks_flipped", "applied_masks_unscaled")  # and swapped_masks_<k>_<l>


def test_a_slip_in_z1_is_carried_forward_by_hand():
    """The tutorial: z1 = (3, 1, -2). A student writes z1 = (3, 1, 2), so a1 = (3, 1, 2); with
    mu^(1) = (1, 0, 1) the next input is (3, 0, 2) and z2 = (3 + 4 + 1, -6 + 2 + 2, 3 - 2) =
    (8, -2, 1), a2 = (8, 0, 1); mu^(2) = (0, 1, 1): (0, 0, 1), z3 = (-1 + 2, 1 - 1) = (1, 0),
    a3 = (1, 0); mu^(3) = (0, 1): (0, 0), y = 1. Every step after z1 is right given the slip."""
    network = load_spec(TUTORIAL)
    values = {"z1": (3, 1, 2), "a1": (3, 1, 2), "z2": (8, -2, 1), "a2": (8, 0, 1), "z3": (1, 0), "a3": (1, 0)}
    result = check(KINDS["forward"], network, (1,), values)
    assert not result.correct and result.first_wrong.name == "z1"
    assert [(p.name, p.correct, p.carried_forward) for p in result.parts] == [
        ("z1", False, False), ("a1", False, True), ("z2", False, True), ("a2", False, True),
        ("z3", False, True), ("a3", False, True), ("y", False, True)]
    # a second slip in z3 (1, 1): a3 = (1, 1), y = 3 * 1 + 1 = 4; z3 itself is not carried forward
    result = check(KINDS["forward"], network, (4,), {**values, "z3": (1, 1), "a3": (1, 1)})
    assert [(p.name, p.carried_forward) for p in result.parts][4:] == [("z3", False), ("a3", True), ("y", True)]


def test_tolerance_accepts_rounded_decimals_only_within_it():
    network = load_spec(TUTORIAL)
    assert not check(KINDS["forward"], network, (Fraction(7001, 1000),)).correct
    assert check(KINDS["forward"], network, (Fraction(7001, 1000),), tolerance=Fraction(1, 100)).correct
    assert not check(KINDS["forward"], network, (Fraction(71, 10),), tolerance=Fraction(1, 100)).correct


def test_check_from_the_command_line(tmp_path, capsys):
    assert main(["check", str(TUTORIAL), "--answer", "27"]) == 1
    out = capsys.readouterr().out
    assert "Not correct: 27; the answer is 7." in out and "forgot_masks" in out
    assert main(["check", str(TUTORIAL), "--answer", "7,0", "--format", "json"]) == 0  # decimal comma
    data = json.loads(capsys.readouterr().out)
    assert data["correct"] and data["expected"] == ["7"]
    values = tmp_path / "v.yaml"
    values.write_text('z1: [3, 1, 2]\na1: "3; 1; 2"\n', encoding="utf-8")
    assert main(["check", str(TUTORIAL), "--answer", "1", "--values", str(values), "--format", "json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["first_wrong"] == "z1" and data["parts"][1] == {
        "part": "a1", "given": ["3", "1", "2"], "expected": ["3", "1", "0"], "correct": False, "carried_forward": True,
        "mistakes": []}


def test_values_are_read_with_their_layers_counts(tmp_path, capsys):
    """--values reads a z1, a1, ... text as grade reads its cells, with the count of numbers the
    layer has: "(0,5, 1)" for a layer of two units is (1/2, 1) (by hand: z1 = (1/2, 1), a1 = z1,
    y = 2 * 1/2 + 1 = 2), not the three numbers 0, 5 and 1."""
    spec = tmp_path / "two.yaml"
    spec.write_text('input: [1]\nlayers:\n  - {weights: [["1/2"], [1]], bias: [0, 0]}\n'
                    '  - {weights: [[2, 1]], bias: [0], activation: identity}\nmasks: [[1], [1, 1]]\n', encoding="utf-8")
    values = tmp_path / "v.yaml"
    values.write_text('z1: "(0,5, 1)"\na1: "(0,5, 1)"\n', encoding="utf-8")
    assert main(["check", str(spec), "--answer", "2", "--values", str(values), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [(p["part"], p["given"], p["correct"]) for p in data["parts"]] == [
        ("z1", ["1/2", "1"], True), ("a1", ["1/2", "1"], True), ("y", ["2"], True)]


def test_the_verdict_stands_where_the_mistakes_cannot_be_followed(tmp_path, capsys):
    spec = str(write_spec(tmp_path, UNDECIDED))
    assert main(["check", spec, "--answer", "5"]) == 1
    out = capsys.readouterr().out
    assert out.startswith("Not correct: 5; the answer is 0.\n") and "not the answer of any mistake" not in out
    assert "The mistakes symdrop knows could not be followed on this network: cannot decide the sign of" in out
    assert main(["check", spec, "--answer", "5", "--format", "json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["mistakes"] == [] and data["undiagnosed"].startswith("cannot decide the sign of")
    assert main(["check", spec, "--answer", "0"]) == 0
    assert capsys.readouterr().out == "Correct: 0 is the answer.\n"
    values = tmp_path / "v.yaml"  # the right answer from a wrong first step: the step named, no mistake followed
    values.write_text("z1: [9]\n", encoding="utf-8")
    assert main(["check", spec, "--answer", "0", "--values", str(values)]) == 0
    out = capsys.readouterr().out
    assert "First step off track: z1 = 9, the right value is 10000." in out and "could not be followed" in out
    halved = {**UNDECIDED, "layers": [UNDECIDED["layers"][0], {**UNDECIDED["layers"][1], "weights": [["1/2"], ["1/2"]],
                                                               "bias": ["-1/2", "0"]},
                                      UNDECIDED["layers"][2]]}  # the ReLU gets sigma(10000)/2 - 1/2: 1/(2*(...)) in Markdown
    assert main(["check", str(write_spec(tmp_path, halved, "halved.json")), "--answer", "5", "--format", "markdown"]) == 1
    assert r"cannot decide the sign of -1/2 + 1/(2\*(exp(-10000) + 1))" in capsys.readouterr().out


def test_check_against_a_key_entry(tmp_path, capsys):
    assert main(["sheet", "--seed", "3", "--problems", "2", "--kinds", "inverted,ensemble", "--format", "markdown",
                 "--out", str(tmp_path / "o")]) == 0
    key = json.loads((tmp_path / "o" / "key.json").read_text())
    capsys.readouterr()
    for entry in key["problems"]:
        right = "; ".join(str(v) for v in answer(entry["kind"], Spec(entry["spec"])))
        assert main(["check", "--key", str(tmp_path / "o" / "key.json"), "--code", entry["code"].lower(),
                     "--answer", right]) == 0
        mistake = entry["mistakes"][0]
        assert main(["check", "--key", str(tmp_path / "o" / "key.json"), "--code", entry["code"],
                     "--answer", "; ".join(mistake["answer"])]) == 1
        assert mistake["id"] in capsys.readouterr().out


@pytest.mark.parametrize("args, message", [
    (["--answer", "7"], "check: expected a SPEC file, or --key key.json with --code CODE"),
    ([str(TUTORIAL), "--answer", "seven"], "--answer: expected a number like 7"),
    ([str(TUTORIAL), "--answer", "7; 1"], "answer: expected 1 number for a problem of the kind forward, got 2 (another kind: --kind KIND)"),
    ([str(TUTORIAL), "--answer", "0.25, 0.5"], "got '0.25,'; several numbers are written 3; 0; -2 or (3, 0, -2)"),
    (["--key", "nope.json", "--code", "X", "--answer", "7"], "nope.json: no such file"),
])
def test_bad_check_input_is_one_line_exit_2(args, message, capsys):
    assert main(["check", *args]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err, err


def test_every_backprop_mistake_from_the_reference_is_diagnosed_as_that_mistake():
    kind = KINDS["backprop"]
    for seed in range(30):
        network = generate(stream(seed, "check"), Options(), kind)
        p = Spec(to_spec(network))
        assert check(kind, network, gradients(p)).correct
        expected = backprop_mistakes(p)
        listed = [m.name for m in kind.mistakes(network)]
        for name in listed:
            same = [n for n in listed if expected[n] == expected[name]]
            assert [x.name for x in check(kind, network, expected[name]).mistakes] == same
            assert sum(n not in MISREADINGS and not n.startswith("swapped_masks_") for n in same) <= 1


@pytest.mark.parametrize("answer, names", [
    # masks read as 1 = drop (mu0 of ones is no dropout): a~1 = (0, 1, 0) of a1 = (3, 1, 0), z2 = (-1 + 1,
    # 1 + 2, 1) = (0, 3, 1), a~2 = (1, 0, 0) . a2 = (0, 0, 0), z3 = b3 = (2, -1), a~3 = (1, 0) . (2, 0), y = -2 + 1
    ("-1", ["masks_flipped"]),
    # mu1 and mu2 swapped: y = 1 (tests/test_grade.py), which is also b4, the output's inputs dropped
    ("1", ["swapped_masks_1_2", "dropped_output_bias"]),
    ("7", []),
])
def test_the_tutorials_mask_misreadings_by_hand(answer, names, capsys):
    assert main(["check", str(TUTORIAL), "--answer", answer, "--format", "json"]) == (0 if answer == "7" else 1)
    assert [m["id"] for m in json.loads(capsys.readouterr().out)["mistakes"]] == names


TEST_TIME = {"input": [2], "layers": [{"weights": [[1], [3]], "bias": [0, 0]}, {"weights": [[1, 1]], "bias": [1]}],
             "masks": [[1], [1, 0]], "dropout": {"convention": "inverted", "keep": [1, "2/3"]}}


@pytest.mark.parametrize("answer, names", [
    # at test time no masks, no scale: a1 = (2, 6), y = 2 + 6 + 1 = 9
    ("9", []),
    ("3", ["applied_masks_unscaled"]),  # mu1 = (1, 0) without the 1/q: a~1 = (2, 0), y = 3
    ("4", ["applied_masks"]),  # and divided by q = 2/3: a~1 = (3, 0), y = 4
    ("19/3", ["scaled_twice"]),  # q W: 2/3 (2 + 6) + 1
    ("13", ["divided_at_test"]),  # a~1 = (3, 9)
])
def test_the_training_masks_at_test_time_without_the_scale_by_hand(tmp_path, answer, names):
    from symdrop.model.spec import parse_spec

    result = check(KINDS["test-time"], parse_spec(TEST_TIME), parse_vector(answer))
    assert result.correct == (answer == "9") and [m.name for m in result.mistakes] == names


def test_a_mistake_is_named_at_the_step_where_it_was_made():
    """The tutorial with the ReLU of layer 1 forgotten (values by hand in tests/test_grade.py): a1
    is the step of forgot_relu_1 (and of forgetting every ReLU); z2 .. y follow from it."""
    values = {"z1": (3, 1, -2), "a1": (3, 1, -2), "z2": (0, -6, 5), "a2": (0, 0, 5), "z3": (-3, 4), "a3": (0, 4)}
    result = check(KINDS["forward"], load_spec(TUTORIAL), (13,), values)
    assert [(p.name, [m.name for m in p.mistakes], p.carried_forward) for p in result.parts] == [
        ("z1", [], False), ("a1", ["forgot_relu_1", "forgot_all_relus"], False), ("z2", [], True), ("a2", [], True),
        ("z3", [], True), ("a3", [], True), ("y", [], True)]
    # z2 computed from the right a1 = (3, 1, 0) without the mask mu1: (3 - 1 + 1, -6 + 1 + 2, 3 + 1 + 0) =
    # (3, -3, 4) is the step of forgot_masks (mu0 keeps both inputs, so z1 and a1 are right)
    result = check(KINDS["forward"], load_spec(TUTORIAL), (27,), {"z1": (3, 1, -2), "a1": (3, 1, 0), "z2": (3, -3, 4)})
    assert [m.name for m in result.parts[2].mistakes] == ["forgot_masks"]


@pytest.mark.parametrize("args", [
    ["--answer", "1"], ["--answer", "1", "--format", "markdown"], ["--answer", "13", "--values", "VALUES"],
    ["--answer", "7.001", "--tolerance", "0.01"], ["--answer", "26", "--format", "json", "--values", "VALUES"],
])
def test_hide_answer_names_the_mistake_but_shows_no_right_value(tmp_path, capsys, args):
    values = tmp_path / "v.yaml"
    values.write_text("z1: [3, 1, 2]\na1: [3, 1, -2]\n", encoding="utf-8")  # both wrong: z1_3 is -2, a1 = (3, 1, 0)
    args = [str(values) if a == "VALUES" else a for a in args]
    main(["check", str(TUTORIAL), *args, "--hide-answer"])
    out = capsys.readouterr().out
    if "json" in args:
        data = json.loads(out)
        assert data["expected"] is None and all(p["expected"] is None for p in data["parts"])
    else:
        # 7 is the answer; (3, 1, 0) and (3, 1, -2) the right a1 and z1: none shown
        assert "7" not in out.replace("7.001", "") and "(3, 1, 0)" not in out and "(3, 1, -2)" not in out, out
        assert "right value" not in out and "the answer is" not in out and "exact answer" not in out
    if args[1] == "1":
        assert "swapped_masks_1_2" in out and "dropped_output_bias" in out
    main(["check", str(TUTORIAL), *args])
    shown = capsys.readouterr().out
    assert "7" in shown.replace("7.001", "")  # without --hide-answer the answer is shown


PAIRS = [(Fraction(1, 2), Fraction(1, 2)), (Fraction(1, 2), Fraction(2, 4)), (1, Fraction(1)), (0, Fraction(0)),
         (Fraction(1, 3), Fraction(1, 2)), (-2, 2), (Fraction(-7, 3), sympy.Rational(-7, 3)),
         (sympy.Integer(5), 5), (sympy.Rational(1, 3), sympy.Rational(1, 3)), (sympy.Rational(2, 3), Fraction(1, 3)),
         (Fraction(10**30 + 1, 10**30), 1)]


@pytest.mark.parametrize("tolerance", [None, Fraction(0), Fraction(1, 1000), Fraction(1, 6)])
@pytest.mark.parametrize("g, e", PAIRS)
def test_equal_fast_path_agrees_with_plain_path(g, e, tolerance):
    """check.equal's path for two rationals (no sympify) gives the plain path's verdict, both ways round."""
    from symdrop.grading.check import _equal_plain, _equal_rationals

    for a, b in ((g, e), (e, g)):
        assert _equal_rationals(a, b, tolerance) is _equal_plain(a, b, tolerance)
    assert _equal_rationals(sympy.sqrt(2), Fraction(1), tolerance) is None  # irrational: the plain path's


@pytest.mark.parametrize("kind", ["forward", "inverted", "test-time"])
def test_carried_fast_path_agrees_with_plain_path(kind):
    """check.carried taking the pass's own values where the student is on track gives the verdicts
    of computing every layer from the student's values: right working, an entry off by one in
    some layers (carried on or not), a forgotten activation (a = z)."""
    from symdrop.core.forward import forward
    from symdrop.grading.check import carried, equal

    rng = random.Random(3)
    for seed in range(12):
        network = generate(stream(seed, "carried"), Options(), KINDS[kind])
        right = forward(network, KINDS[kind].mode)
        for how in ("right", "slips", "no_activation"):
            values = {}
            for l, layer in enumerate(right, start=1):
                z, a = list(layer.z), list(layer.a)
                if how == "slips" and rng.random() < 0.5:
                    (z if rng.random() < 0.5 else a)[0] += 1
                if how == "no_activation" and l == 1:
                    a = z
                values.update({f"z{l}": tuple(z), f"a{l}": tuple(a)})
            values["y"] = values.pop(f"a{network.depth}")
            fast, plain = (carried(KINDS[kind], network, values, None, fast=f) for f in (True, False))
            assert [(p.name, p.correct, p.carried_forward) for p in fast] == \
                [(p.name, p.correct, p.carried_forward) for p in plain], (seed, how)
            assert all((f.given_own is None) == (p.given_own is None) and
                       (f.given_own is None or equal(f.given_own, p.given_own)) for f, p in zip(fast, plain))


@pytest.mark.parametrize("kind", ["forward", "inverted", "test-time"])
def test_check_fast_path_names_the_mistakes_the_plain_path_names(kind):
    """check with the student's rationals put into a pass of Python's numbers as they are (fast)
    names, part by part, the mistakes that putting them in as SymPy's names: working that follows
    each mistake's own pass, with a slip in z1 in every other problem."""
    from symdrop.core.forward import forward

    named = 0
    for seed in range(6):
        network = generate(stream(seed, "check-fast"), Options(), KINDS[kind])
        for mistake in KINDS[kind].mistakes(network):
            if mistake.rule is None:
                continue
            _, mode, changes = mistake.rule
            passed = forward(network, mode, terms=False, **dict(changes))
            values = {f"{n}{l}": tuple(getattr(layer, n)) for l, layer in enumerate(passed, start=1) for n in "za"}
            if seed % 2:
                values["z1"] = (values["z1"][0] + 1,) + values["z1"][1:]
            answer = values.pop(f"a{network.depth}")
            fast, plain = (check(KINDS[kind], network, answer, values, fast=f) for f in (True, False))
            verdicts = [[(p.name, p.correct, p.carried_forward, tuple(m.name for m in p.mistakes)) for p in c.parts]
                        for c in (fast, plain)]
            assert verdicts[0] == verdicts[1], (seed, mistake.name)
            assert [m.name for m in fast.mistakes] == [m.name for m in plain.mistakes]
            named += any(p.mistakes for p in fast.parts)
    assert named >= 6  # the mistakes were named at their steps, not only compared


@pytest.mark.parametrize("text", ["7", "-7", "+7", "0", "-0", "007", "3/4", "-3/4", "+3/4", "6/8", "-10/5", "0/3",
                                  "-0.75", "-0,75", ".5", "5.", "+1,25", "12345678901234567890/3"])
def test_a_numbers_fraction_is_the_one_fraction_reads_from_its_text(text):
    """answers._fraction (integers read as int) against Fraction's reading of the text."""
    from symdrop.grading.answers import _fraction

    got, plain = _fraction(text), Fraction(text.replace(",", "."))
    assert got == plain and type(got) is Fraction and (got.numerator, got.denominator) == (plain.numerator, plain.denominator)


# x = (1, 2), W1 = ((1, -1), (2, 1), (-1, 1)), b1 = (0, 1, 0): z1 = (-1, 5, 1), a1 = (0, 5, 1); mu1 = (1, 0, 1)
# gives a~1 = (0, 0, 1), y = -1, and with t = 1 the squared loss's dL/dy = -2. Going back, dL/da~1 =
# (-2, -2, 2), masked (-2, 0, 2), through ReLU' = (0, 1, 1): delta1 = (0, 0, 2), so dL/dW1 = delta1 x^T
# has the rows (0, 0), (0, 0), (2, 4).
BACKPROP_BY_HAND = {"input": [1, 2], "target": [1], "masks": [[1, 1], [1, 0, 1]],
                    "layers": [{"weights": [[1, -1], [2, 1], [-1, 1]], "bias": [0, 1, 0], "activation": "relu"},
                               {"weights": [[1, 1, -1]], "bias": [0]}]}


def test_check_writes_a_matrix_answer_row_by_row(tmp_path, capsys):
    spec = str(write_spec(tmp_path, BACKPROP_BY_HAND))
    assert main(["check", spec, "--kind", "backprop", "--answer", "1 1; 1 1; 1 1"]) == 1
    assert "; the answer is (0, 0); (0, 0); (2, 4).\n" in capsys.readouterr().out
    assert main(["check", spec, "--kind", "backprop", "--answer", "0 0; 0 0; 2 4"]) == 0
    assert capsys.readouterr().out == "Correct: (0, 0); (0, 0); (2, 4) is the answer.\n"  # as read, row by row


# The tutorial's answer is 7 and BACKPROP_BY_HAND's (0, 0); (0, 0); (2, 4) (both by hand): what a
# student typed, and check's first line, which echoes the numbers as read, each as typed (a
# decimal comma as a point, a Unicode minus as "-"), laid out as the answer is.
@pytest.mark.parametrize("spec, typed, line", [
    (None, "7;", "Correct: 7 is the answer."),
    (None, "(7)", "Correct: 7 is the answer."),
    (None, " 7,0 ", "Correct: 7.0 is the answer."),
    (None, "\u22120,75", "Not correct: -0.75; the answer is 7."),
    (BACKPROP_BY_HAND, "0 0; 0 0; 2 4", "Correct: (0, 0); (0, 0); (2, 4) is the answer."),
    (BACKPROP_BY_HAND, "0, 0, 0, 0, 2, 4", "Correct: (0, 0); (0, 0); (2, 4) is the answer."),
    (BACKPROP_BY_HAND, "0,0;0,-37.5;0,0", "Not correct: (0, 0); (0, -37.5); (0, 0); the answer is (0, 0); (0, 0); (2, 4)."),
])
def test_check_echoes_the_answer_as_read(tmp_path, capsys, spec, typed, line):
    where = str(TUTORIAL) if spec is None else str(write_spec(tmp_path, spec))
    kind = [] if spec is None else ["--kind", "backprop"]
    assert main(["check", where, *kind, "--answer", typed]) == (0 if line.startswith("Correct") else 1)
    assert capsys.readouterr().out.split("\n")[0] == line
    assert main(["check", where, *kind, "--answer", typed, "--format", "markdown"]) in (0, 1)
    shown = line.partition(": ")[2].partition(" is the answer")[0].partition("; the answer")[0]
    assert capsys.readouterr().out.startswith(f"{line.partition(':')[0]}: `{shown}`")


def test_a_digested_key_of_a_sigmoid_network_without_a_tolerance_is_graded_as_its_spec_gives(tmp_path):
    """A key that lists a mistake for UNDECIDED (whose forgot_masks pass cannot be decided) under a
    digest written again, its tolerance left out: grade neither stops nor follows the key's
    mistake at a step, as grading from the spec (fast=False) does not. By hand: z1 = 100 * 100 is
    right (1 point); a2 = (0, 0) and y = 0 (the sigmoid unit dropped), so 5; 5 and 5 earn none."""
    from symdrop.grading.grade import Row, grade
    from symdrop.grading.keys import digest

    entry = {"code": "UNDEC1", "number": 1, "kind": "forward", "spec": UNDECIDED, "answer": ["0"],
             "mistakes": [{"id": "forgot_masks", "label": "forgot the masks, so no dropout", "answer": ["1"]}]}
    entry["digest"] = digest(entry)
    key = {"seed": 0, "problems": [entry]}
    cells = [{"y": "5", "z1": "10000", "a2": "5; 5"},  # forgot_masks's pass from z1 meets sigma(10000) - 1
             {"y": "5", "z1": "10000", "a1": "1/2", "z2": "-1/2; 1/2"}]  # forgot_masks's pass from a1 = 1/2 gives z2
    rows = [Row(k + 2, f"s{k}", "UNDEC1", c) for k, c in enumerate(cells)]
    columns = ("y", "z1", "a1", "z2", "a2")
    fast, plain = (grade(key, rows, columns=columns, fast=f) for f in (True, False))
    for student in fast[0]:  # a part not answered earns none either
        assert {p.part: (p.points, p.mistakes) for p in student.parts} == {
            "z1": (1, ()), "a1": (0, ()), "z2": (0, ()), "a2": (0, ()), "y": (0, ())}
    for f, p in zip(fast[0], plain[0]):
        assert f.parts == p.parts


# BACKPROP_BY_HAND's answer dL/dW1 = (0, 0); (0, 0); (2, 4) (by hand, above); each text and the
# numbers it means, read by hand: the reviewer's two (six numbers separated by commas; rows
# separated by ";" with commas between the entries, -37.5 = -75/2), a decimal comma inside
# brackets, a Unicode minus.
READ_BY_HAND = [
    ("0, 0, 0, -75/2, 0, 0", "0 0 0 -75/2 0 0"),
    ("0,0;0,-37.5;0,0", "0 0 0 -75/2 0 0"),
    ("0, 0, 0, 0, 2, 4", "0 0 0 0 2 4"),
    ("0,0;0,0;2,4", "0 0 0 0 2 4"),
    ("0 0; 0 0; 2 4", "0 0 0 0 2 4"),
    ("(0, 0, 0, 0, 2, 4)", "0 0 0 0 2 4"),
    ("0,0;0,0;2.0,4", "0 0 0 0 2 4"),
    ("[0 0 0 0 2,5 4]", "0 0 0 0 5/2 4"),
    ("\u22121, 0, 0, 0, 2, 4", "-1 0 0 0 2 4"),
    # spaces around "/" and after a sign that starts a number (4/2 = 2, 8/2 = 4)
    ("0, 0, 0, 0, 4 / 2, 8/ 2", "0 0 0 0 2 4"),
    ("0 0; 0 -75 / 2; 0 0", "0 0 0 -75/2 0 0"),
    ("(- 1, 0, 0, 0, 2, 4)", "-1 0 0 0 2 4"),
    ("0 0; - 0 0; 2 4", "0 0 0 0 2 4"),
]


def test_a_sign_apart_after_a_number_is_refused_saying_how_to_write_two(capsys):
    """ "3 - 2" is 3 and -2, or 3 minus 2: check refuses it (exit 2) and says how to write two
    numbers; "- 14 / 2" (spaces around "/", the sign starting the number) is -7, not the answer 7."""
    assert main(["check", str(TUTORIAL), "--answer", "3 - 2"]) == 2
    err = capsys.readouterr().err
    assert "'3 - 2'" in err and "3; -2 or 3 -2" in err
    assert main(["check", str(TUTORIAL), "--answer", "- 14 / 2", "--format", "json"]) == 1
    assert json.loads(capsys.readouterr().out)["answer"] == ["-7"]  # -14/2 = -7, by hand


def test_a_tolerance_typed_with_spaces_reads_as_one_number(capsys):
    """--tolerance "1 / 100" is 1/100, as an answer's "- 245 / 3" is one number: the tutorial's 7
    (by hand) typed as 7.004 is within it, 7.02 is not."""
    assert main(["check", str(TUTORIAL), "--answer", "7.004", "--tolerance", "1 / 100"]) == 0
    assert main(["check", str(TUTORIAL), "--answer", "7.02", "--tolerance", "1 / 100"]) == 1
    capsys.readouterr()


def _hand_key(tmp_path):
    from symdrop.grading.keys import digest

    entry = {"code": "BPHAND", "number": 1, "kind": "backprop", "spec": BACKPROP_BY_HAND,
             "answer": ["0", "0", "0", "0", "2", "4"], "mistakes": []}
    entry["digest"] = digest(entry)
    path = tmp_path / "key.json"
    path.write_text(json.dumps({"seed": 0, "problems": [entry]}), encoding="utf-8")
    return path


def test_check_reads_an_answer_as_grade_reads_it(tmp_path, capsys):
    """Every text of READ_BY_HAND: check (--answer) and grade (a cell of answers.csv, grade's reader
    with the answer's count) read the numbers written beside it; check exits 0 and grade gives full
    marks exactly where they are the answer (0 0 0 0 2 4), check exits 1 and grade gives less elsewhere."""
    from symdrop.grading.grade import _last_readable

    key = _hand_key(tmp_path)
    right = ("0", "0", "0", "0", "2", "4")
    for text, numbers in READ_BY_HAND:
        numbers = tuple(numbers.split())
        assert _last_readable("BPHAND part y", [(2, text)], 6)[0][1] == tuple(map(Fraction, numbers)), text
        code = main(["check", "--key", str(key), "--code", "BPHAND", "--answer", text, "--format", "json"])
        out = capsys.readouterr()
        assert code == (0 if numbers == right else 1), (text, out.err)
        out = json.loads(out.out)
        assert (tuple(out["answer"]), out["correct"]) == (numbers, numbers == right)
    answers = tmp_path / "answers.csv"
    with answers.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows([("student", "code", "y")] + [(f"s{i}", "BPHAND", t) for i, (t, _) in enumerate(READ_BY_HAND)])
    assert main(["grade", "--key", str(key), "--answers", str(answers), "--out", str(tmp_path / "g")]) == 0
    grades = {s["student"]: s["points"] for s in json.loads((tmp_path / "g" / "grades.json").read_text())["students"]}
    assert grades == {f"s{i}": "4" if n == "0 0 0 0 2 4" else "0" for i, (_, n) in enumerate(READ_BY_HAND)}


def test_a_batch_without_kind_is_refused_naming_the_kinds_that_take_one(capsys):
    # A batch is a problem of the kind penalty (or penalty:minimiser); check without --kind cannot
    # tell which, and its refusal must point there, not say that check takes no batch.
    # examples/linear-penalty.yaml: X = (1, 2), (2, -1), (0, 1), t = 1, 0, 2, W = (1, -1), b = 1,
    # inverted q = 1/2 (v = 1): the mean model gives 0, 4, 0, L = (1 + 16 + 4)/6 = 7/2, the penalty
    # (1/6)(1 (1 + 4) + 1 (4 + 1 + 1)) = 11/6, so E[L] = 16/3.
    spec = str(ROOT / "examples" / "linear-penalty.yaml")
    assert main(["check", spec, "--answer", "16/3; 11/6"]) == 2
    line = capsys.readouterr().err.strip()
    assert "--kind penalty" in line and "penalty:minimiser" in line
    assert "batches work with solve" not in line
    assert main(["check", spec, "--kind", "penalty", "--answer", "16/3; 11/6"]) == 0
