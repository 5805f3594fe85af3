"""The kind backprop: 300 seeds through its rules, the answer and every listed mistake re-computed
from the key's spec by tests/backprop_reference.py (plain fractions), each rule able to fail,
key entries re-solved by `symdrop backprop`, the sign balance of the gradients."""

import json
from dataclasses import replace
from fractions import Fraction

import pytest
import sympy

from symdrop.cli import main
from symdrop.exercises.generate import generate, stream
from symdrop.exercises.kinds import KINDS
from symdrop.exercises.options import Options
from symdrop.exercises.sheet import build_sheet
from symdrop.model.spec import to_spec
from symdrop.render.sheets import key_json

from . import backprop_reference, reference
from .backprop_reference import activation, expected_mistakes, gradients
from .reference import Spec

KIND = KINDS["backprop"]
SEEDS = range(300)


@pytest.fixture(scope="module")
def problems():
    return [(n, Spec(to_spec(n))) for n in (generate(stream(seed, "backprop"), Options(), KIND) for seed in SEEDS)]


@pytest.mark.slow
def test_every_answer_and_mistake_is_the_references(problems):
    for network, p in problems:
        right = gradients(p)
        assert [Fraction(v) for v in KIND.compute_answer(network)] == right
        expected = expected_mistakes(p)
        listed = KIND.mistakes(network)
        assert {m.name for m in listed} >= {"sign_flipped", "backward_forgot_mask"}
        for m in listed:
            assert [Fraction(v) for v in m.answer] == expected[m.name], m.name
        answers = [tuple(m.answer) for m in listed]
        distinct = [tuple(m.answer) for m in listed if m.name != "masks_flipped" and not m.name.startswith("swapped_masks_")]
        assert tuple(right) not in answers and len(set(distinct)) == len(distinct)  # the misreadings may share one


@pytest.mark.slow
def test_rules_hold_by_the_reference(problems):
    for network, p in problems:
        layers = [(W, b, activation(g)) for W, b, g in p.layers]
        values = reference.forward(p.x, layers, p.masks, p.convention, p.keep)
        grads = backprop_reference.backward(p.x, layers, p.masks, p.spec["target"], p.convention, p.keep)
        numbers = [v for layer in values for part in layer for v in part]
        numbers += [v for key in ("delta", "grad_bias", "upstream") for layer in grads[key] for v in layer]
        numbers += [v for layer in grads["grad_weights"] for row in layer for v in row]
        assert all(abs(v) <= 99 and v.denominator <= 8 for v in numbers)
        assert any(v != 0 for v in gradients(p))
        assert len(p.layers) == 3  # the shape 2-3-2-1
        assert any(m == 0 and a > 0 for l in range(1, 3) for m, a in zip(p.masks[l], values[l - 1][2]))
        if p.convention == "inverted":
            assert Fraction(1, 2) not in p.keep


@pytest.mark.slow
def test_gradients_are_positive_about_half_the_time(problems):
    signs = [v for _, p in problems for v in gradients(p) if v != 0]
    assert 0.35 <= sum(v > 0 for v in signs) / len(signs) <= 0.65


def test_rules_can_fail():
    network = generate(stream(0, "rules"), Options(), KIND)

    # a target equal to y: no gradient at all
    still = replace(network, target=sympy.ImmutableMatrix([sympy.sympify(v) for v in KINDS["forward"].compute_answer(network)]))
    assert "gradient_reaches_the_first_layer" in KIND.failed_rules(still, Options())
    # a target 1,000 away: gradients beyond +-99
    far = replace(network, target=sympy.ImmutableMatrix([v + 1000 for v in network.target]))
    assert "hand_computable" in KIND.failed_rules(far, Options())


def test_key_entries_are_re_solved_by_symdrop_backprop(tmp_path, capsys):
    sheet = build_sheet(2, Options(), 3, kinds=(KIND,))
    for entry in key_json(sheet)["problems"]:
        spec = tmp_path / f"{entry['code']}.json"
        spec.write_text(json.dumps(entry["spec"]), encoding="utf-8")
        capsys.readouterr()
        assert main(["backprop", str(spec), "--format", "json"]) == 0
        out = json.loads(capsys.readouterr().out)
        assert [v for row in out["layers"][0]["grad_weights"] for v in row] == entry["answer"]
        assert [Fraction(v) for v in entry["answer"]] == gradients(Spec(entry["spec"]))
