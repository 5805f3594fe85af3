"""The kinds inverted, test-time and ensemble: 1,000 seeds each through the rules, every answer and
every listed mistake re-computed by tests/reference.py from the problem's spec (plain fractions,
nothing of symdrop), the sign balance, each rule able to fail, mixed sheets and class sets."""

import json
import re
from fractions import Fraction

import pytest

from symdrop.exercises.labels import plain
from symdrop import derive, parse_spec
from symdrop.core.ensemble import expect
from symdrop.exercises.generate import generate, stream
from symdrop.exercises.kinds import KINDS, parse_kinds
from symdrop.exercises.options import Options, parse_keep
from symdrop.exercises.roster import Student
from symdrop.exercises.sheet import build_class_set, build_sheet
from symdrop.errors import SymdropError
from symdrop.model.spec import to_spec
from symdrop.render.sheets import key_json, render_documents

from .reference import Spec, answer, expected_mistakes

SEEDS = range(1000)
NEW_KINDS = ("inverted", "test-time", "ensemble")


@pytest.fixture(scope="module", params=NEW_KINDS)
def sample(request):
    kind = KINDS[request.param]
    options = Options()
    networks = [generate(stream(seed, "kinds"), options, kind) for seed in SEEDS]
    return kind, [(network, Spec(to_spec(network))) for network in networks]


@pytest.mark.slow
def test_every_answer_is_the_references(sample):
    kind, problems = sample
    for network, p in problems:
        assert [Fraction(v) for v in kind.compute_answer(network)] == answer(kind.name, p)


@pytest.mark.slow
def test_every_listed_mistake_is_what_its_label_says_and_differs(sample):
    kind, problems = sample
    for network, p in problems:
        right = answer(kind.name, p)
        expected = expected_mistakes(kind.name, p)
        listed = kind.mistakes(network)
        assert listed, "every problem lists mistakes"
        for m in listed:
            assert [Fraction(v) for v in m.answer] == expected[m.name], m.name
        answers = [tuple(m.answer) for m in listed]
        # a wrong answer names one mistake, but a misreading of the masks may share another's answer
        distinct = [tuple(m.answer) for m in listed if m.name not in ("masks_flipped", "applied_masks_unscaled")
                    and not m.name.startswith("swapped_masks_")]
        assert tuple(right) not in answers and len(set(distinct)) == len(distinct)


@pytest.mark.slow
def test_rules_hold_by_the_reference(sample):
    kind, problems = sample
    for network, p in problems:
        if kind.name != "ensemble":
            mode = "test" if kind.name == "test-time" else "train"
            for masked, z, a in p.run(mode=mode):
                assert all(abs(v) <= 99 and v.denominator <= 8 for v in (*masked, *z, *a))
        if kind.name == "inverted" or p.convention == "weight-scaling":
            assert Fraction(1, 2) not in p.keep  # 1/q = 1/(1 - q) would hide the keep/drop confusion
        if kind.name == "inverted":
            assert p.y() != p.y(masks=p.ones(), convention="plain") and p.y() != p.y(convention="plain")
        if kind.name == "ensemble":
            masked = [l for l, q in enumerate(p.keep) if q != 1]
            assert len(masked) == 1 and 2 <= len(p.masks[masked[0]]) <= 3 and all(v == 1 for m in p.masks for v in m)


@pytest.mark.slow
def test_answers_are_positive_about_half_the_time(sample):
    kind, problems = sample
    positive = sum(answer(kind.name, p)[0] > 0 for _, p in problems)
    assert 350 <= positive <= 650, positive


@pytest.mark.slow
def test_conventions_of_test_time_and_ensemble_both_occur(sample):
    kind, problems = sample
    if kind.name == "inverted":
        assert {p.convention for _, p in problems} == {"inverted"}
        return
    counts = {c: sum(p.convention == c for _, p in problems) for c in ("inverted", "weight-scaling")}
    assert min(counts.values()) >= 300, counts


@pytest.mark.slow
def test_the_ensemble_mean_equals_weight_scaling_on_some_problems_and_not_on_others():
    kind = KINDS["ensemble"]
    equal = 0
    for seed in range(200):
        p = Spec(to_spec(generate(stream(seed, "kinds"), Options(), kind)))
        equal += p.mean() == p.y(mode="test")
    assert 20 <= equal <= 180, equal


def case(layers, masks, convention, keep, x=(1, 2)):
    from symdrop.exercises.drawing import dropout
    from symdrop.model.network import build

    return build(x, layers, masks, dropout=dropout(convention, keep))


# A hand-made network of shape 2-3-2-1 (hidden layer 1: z = (4, -2, 3)).
LAYERS = (
    (((1, 1), (1, -2), (2, 1)), (1, 1, -1), "relu"),
    (((1, 1, 1), (-1, 2, 1)), (0, 1), "relu"),
    (((-1, 1),), (-1,), "identity"),
)
MASKS = ((1, 1), (0, 1, 1), (1, 0))
SHAPE = Options(shape=(2, 3, 2, 1))


def test_inverted_rules_can_fail():
    rules = KINDS["inverted"].failed_rules
    half = case(LAYERS, MASKS, "inverted", (1, Fraction(1, 2), Fraction(1, 2)))
    assert rules(half, SHAPE)[:1] == ["keep_not_half"]
    # q = 1/9: a~^(1) = 9 (0, 0, 3) = (0, 0, 27), z^(2) = (27, 28), a~^(2) = 9 (27, 0) = (243, 0) > 99
    big = case(LAYERS, MASKS, "inverted", (1, Fraction(1, 9), Fraction(1, 9)))
    assert rules(big, SHAPE)[:1] == ["hand_computable"]
    # q = 2/9: a~^(1) = (0, 0, 27/2), a~^(2) = 9/2 (27/2, 0) = (243/4, 0): quarters are fine
    assert "hand_computable" not in rules(case(LAYERS, MASKS, "inverted", (1, Fraction(2, 9), Fraction(2, 9))), SHAPE)
    decimal = Options(shape=(2, 3, 2, 1), answers="decimal")
    thirds = case(LAYERS, MASKS, "inverted", (1, Fraction(3, 4), Fraction(4, 5)))  # 1/q = 4/3: thirds
    assert "decimal_answers" in rules(thirds, decimal) and "decimal_answers" not in rules(thirds, SHAPE)


def test_test_time_rules_can_fail():
    rules = KINDS["test-time"].failed_rules
    # weight scaling at q = 1/2 hides p = q; with inverted dropout q = 1/2 is fine
    assert rules(case(LAYERS, MASKS, "weight-scaling", (1, Fraction(1, 2), Fraction(1, 2))), SHAPE)[:1] == ["keep_not_half"]
    assert "keep_not_half" not in rules(case(LAYERS, MASKS, "inverted", (1, Fraction(1, 2), Fraction(1, 2))), SHAPE)
    # only the output layer's W would be scaled, and the last hidden layer is all zero at test time:
    # y = b^(3) with or without q, so the convention does not matter
    dead = (LAYERS[0], (((-1, -1, -1), (-1, -1, -1)), (0, 0), "relu"), LAYERS[2])
    keep = (1, 1, Fraction(2, 3))
    assert "convention_matters" in rules(case(dead, ((1, 1), (1, 1, 1), (1, 0)), "weight-scaling", keep), SHAPE)


def test_ensemble_rules_can_fail():
    rules = KINDS["ensemble"].failed_rules
    ones = ((1, 1), (1, 1, 1), (1, 1))
    half = case(LAYERS, ones, "weight-scaling", (1, 1, Fraction(1, 2)))
    assert rules(half, SHAPE)[:1] == ["keep_not_half"]
    # the output ignores hidden layer 2 (weights 0): every thinned network predicts the same
    flat = LAYERS[:2] + ((((0, 0),), (-1,), "identity"),)
    assert "dropout_matters" in rules(case(flat, ones, "weight-scaling", (1, 1, Fraction(2, 3))), SHAPE)


def test_a_mixed_sheet_cycles_through_the_kinds_and_its_key_re_solves(tmp_path):
    kinds = parse_kinds("forward,inverted,test-time,ensemble")
    sheet = build_sheet(11, Options(), 8, kinds=kinds)
    key = key_json(sheet)
    assert [e["kind"] for e in key["problems"]] == [k.name for k in kinds] * 2
    for entry in key["problems"]:
        p = Spec(entry["spec"])
        assert [Fraction(v) for v in entry["answer"]] == answer(entry["kind"], p)
        network = parse_spec(entry["spec"])  # what `symdrop solve` / `expect` read
        if entry["kind"] == "ensemble":
            assert [Fraction(str(v)) for v in expect(network).exact_mean] == p.mean()
        else:
            mode = "test" if entry["kind"] == "test-time" else "train"
            assert [Fraction(str(v)) for v in derive(network, mode=mode).prediction] == answer(entry["kind"], p)
        expected = expected_mistakes(entry["kind"], p) if entry["kind"] != "forward" else None
        for m in entry["mistakes"]:
            assert set(m) in ({"id", "label", "answer"}, {"id", "label", "label_tex", "answer"})
            assert m["label"] == plain(m.get("label_tex", m["label"]))  # label_tex: the label with its formulas as TeX
            if expected is not None:
                assert [Fraction(v) for v in m["answer"]] == expected[m["id"]]


@pytest.mark.slow
def test_a_class_set_gives_every_student_the_same_sequence_of_kinds():
    students = [Student(f"s{i}", f"Student {i}") for i in range(6)]
    kinds = parse_kinds("ensemble,inverted")
    sheet = build_class_set(3, Options(), students, 2, kinds=kinds)
    key = key_json(sheet)
    for student in students:
        entries = [e for e in key["problems"] if e["student"] == student.id]
        assert [e["kind"] for e in entries] == ["ensemble", "inverted"]
        for entry in entries:
            assert [Fraction(v) for v in entry["answer"]] == answer(entry["kind"], Spec(entry["spec"]))


def test_decimal_answers_terminate_in_at_most_four_places():
    options = Options(answers="decimal")
    for name in ("forward", *NEW_KINDS):
        sheet = build_sheet(5, options, 12, kinds=(KINDS[name],))
        key = key_json(sheet)
        for entry in key["problems"]:
            values = entry["answer_decimal"] + [v for m in entry["mistakes"] for v in m["answer_decimal"]]
            for text in values:
                assert "/" not in text and len(text.partition(".")[2]) <= 4, (name, text)
            assert [Fraction(v) for v in entry["answer_decimal"]] == [Fraction(v) for v in entry["answer"]]
            assert [Fraction(v) for v in entry["answer"]] == answer(entry["kind"], Spec(entry["spec"]))


def test_keep_is_parsed_exactly_and_refused_in_one_line():
    assert parse_keep("2/3, 0.8,3/4,2/3") == (Fraction(2, 3), Fraction(4, 5), Fraction(3, 4))
    for text, message in [("1", "0 < q < 1"), ("2/3,x", "expected keep probabilities like"),
                          ("1/0", "expected keep probabilities like"), ("7/11", "small denominators")]:
        with pytest.raises(SymdropError, match=message):
            parse_keep(text)
    with pytest.raises(SymdropError, match="avoids q = 1/2"):
        KINDS["inverted"].check_options(Options(keep=(Fraction(1, 2),)))
    KINDS["test-time"].check_options(Options(keep=(Fraction(1, 2),)))  # inverted test time takes 1/2


def test_keep_draws_only_the_given_probabilities():
    options = Options(keep=(Fraction(3, 5),), shape=(2, 3, 2, 1))
    for name in NEW_KINDS:
        for seed in range(30):
            p = Spec(to_spec(generate(stream(seed, "keep"), options, KINDS[name])))
            assert set(p.keep) <= {Fraction(1), Fraction(3, 5)} and Fraction(3, 5) in p.keep


def test_documents_of_every_kind_state_the_convention_and_p(tmp_path):
    sheet = build_sheet(2, Options(shape=(2, 3, 2, 1)), 4, kinds=parse_kinds("forward,inverted,test-time,ensemble"))
    docs = render_documents(sheet, ("markdown",))
    text = docs["sheet.md"]
    assert "Inverted dropout." in text and "Test time." in text and "The ensemble mean." in text
    problems = text.split("## Problem ")[1:]
    assert "PyTorch $p = " in problems[1] and "PyTorch $p = " in problems[2] and "PyTorch $p = " in problems[3]
    assert "A training step used the masks" in problems[2]
    key = json.loads(json.dumps(key_json(sheet)))
    solutions = docs["solutions.md"]
    ensemble = key["problems"][3]
    assert "Every thinned network" in solutions and ensemble["code"] in solutions
    for m in ensemble["mistakes"]:
        assert f"`{m['id']}`" in docs["key.md"]


def test_test_time_with_only_one_half_draws_inverted_dropout():
    options = Options(keep=(Fraction(1, 2),), shape=(2, 3, 2, 1))
    KINDS["test-time"].check_options(options)
    for seed in range(20):
        p = Spec(to_spec(generate(stream(seed, "half"), options, KINDS["test-time"])))
        assert p.convention == "inverted" and set(p.keep) <= {Fraction(1), Fraction(1, 2)}


def test_pictures_show_masks_only_for_training_passes():
    """A test-time problem and an ensemble show no mask labels (the masks given in the text, or
    every mask, would contradict a picture of mu = 1 everywhere); a training pass shows them."""
    sheet = build_sheet(4, Options(shape=(2, 3, 2, 1)), 3, kinds=parse_kinds("inverted,test-time,ensemble"))
    tex = render_documents(sheet, ("latex",))["sheet.tex"]
    # each distinct picture is drawn once, as \savepicture{N}{...}, and set by \savedpicture{N}
    saved = dict(re.findall(r"\\savepicture\{(\d+)\}\{(.*?)\\end\{tikzpicture\}", tex, re.S))
    problems = tex.split(r"\subsection*{Problem ")[1:]
    pictures = [saved[re.search(r"\\savedpicture\{(\d+)\}", text)[1]] for text in problems]
    assert r"{$\mu = " in pictures[0]
    for picture in pictures[1:]:
        assert r"{$\mu = " not in picture and "red!70!black" not in picture  # no dropped unit
