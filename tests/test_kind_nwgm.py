"""The kind nwgm: problems through its rules, the answer and every listed mistake against
tests/reference_nwgm.py (every mask visited with Fractions, the means with math.exp), a problem
worked by hand, the tolerance its irrational answers are graded within (check, grade, key.json,
the LMS exports), --stats, and symdrop moments re-solving a key entry."""

import json
import math
import xml.etree.ElementTree as ET
import re
from fractions import Fraction

import pytest
import sympy

from symdrop.cli import main
from symdrop.exercises import nwgm
from symdrop.exercises.generate import generate, stream
from symdrop.exercises.kinds import KINDS, parse_kinds
from symdrop.exercises.options import Options
from symdrop.exercises.sheet import build_sheet
from symdrop.model.spec import parse_spec, to_spec
from symdrop.render.sheets import render_documents

from .reference_nwgm import answer, law, masks, mistakes, read

KIND = KINDS["nwgm"]
OPTIONS = {"int": Options(), "half": Options(values="half"), "decimal": Options(values="decimal", answers="decimal")}
CLOSE = 1e-12  # the reference's floats against symdrop's exact values


def value(v) -> float:
    return float(sympy.N(v, 30))


def agree(seeds, options: Options) -> None:
    t = float(KIND.tolerance)
    for seed in seeds:
        network = generate(stream(seed, "nwgm"), options, KIND)
        spec = to_spec(network)
        right = [float(v) for v in answer(spec)]
        assert [value(v) for v in KIND.compute_answer(network)] == pytest.approx(right, abs=CLOSE)
        expected = {name: [float(v) for v in values] for name, values in mistakes(spec).items()}
        listed = KIND.mistakes(network)
        for m in listed:
            assert [value(v) for v in m.answer] == pytest.approx(expected[m.name], abs=CLOSE), m.name
        # every mistake the reference finds wrong here is listed (q = 1/2 hides drop_for_keep and unweighted_masks)
        assert {m.name for m in listed} == {name for name, v in expected.items() if v != right}
        # the rules, by the reference: each entry's different values more than 3 tolerances apart,
        # the two means at least 1/100 apart, every S within +-4, the terms of both signs
        for i in range(2):
            values = sorted({right[i], *(v[i] for name, v in expected.items() if v != right)})
            assert all(b - a > 3 * t for a, b in zip(values, values[1:])), (seed, i)
        assert abs(right[0] - right[1]) >= 0.01
        x, w, b, q, inverted = read(spec)
        assert all(abs(s) <= 4 for _, _, s in masks(x, w, b, q, inverted))
        products = [wj * xj for wj, xj in zip(w, x)]
        assert any(p > 0 for p in products) and any(p < 0 for p in products)


@pytest.mark.parametrize("values", OPTIONS)
def test_every_answer_and_mistake_is_the_references(values):
    agree(range(12), OPTIONS[values])


@pytest.mark.slow
@pytest.mark.parametrize("values", OPTIONS)
def test_more_seeds(values):
    agree(range(12, 60), OPTIONS[values])


HAND = {"input": [2, -1], "layers": [{"weights": [[1, 1]], "bias": [0], "activation": "sigmoid"}],
        "masks": [[1, 1]], "dropout": {"convention": "plain", "keep": ["1/2"]}}


def test_a_problem_by_hand(tmp_path, capsys):
    # x = (2, -1), w = (1, 1), b = 0, q = 1/2: the masks (1,1), (1,0), (0,1), (0,0) give S = 1, 2, -1, 0,
    # each with probability 1/4. sigma(1) + sigma(-1) = 1 and sigma(0) = 1/2, so
    # E[sigma(S)] = (1 + 1/2 + sigma(2))/4 = 3/8 + 1/(4 (1 + e^-2)) ~ 0.5952; E[S] = 1/2, NWGM = sigma(1/2) ~ 0.6225.
    network = parse_spec(HAND)
    mean, nwgm_ = KIND.compute_answer(network)
    assert abs(sympy.N(mean - (sympy.Rational(3, 8) + 1 / (4 * (1 + sympy.exp(-2)))), 50)) < 1e-45
    assert nwgm_ == 1 / (1 + sympy.exp(-sympy.Rational(1, 2)))
    assert float(mean) == pytest.approx(0.595199, abs=1e-6) and float(nwgm_) == pytest.approx(0.622459, abs=1e-6)
    found = {m.name: m.answer for m in KIND.mistakes(network)}
    assert "drop_for_keep" not in found and "unweighted_masks" not in found  # q = 1/2: the same masks' weights
    assert found["forgot_masks"] == (1 / (1 + sympy.exp(-1)),) * 2  # every input kept: S = 1
    # G = (sigma(1) sigma(2) sigma(-1) sigma(0))^(1/4), sigma(1) sigma(-1) = e/(1 + e)^2 ~ 0.196612
    assert float(found["unnormalised_geometric"][1]) == pytest.approx((0.196612 * 0.880797 * 0.5) ** 0.25, abs=1e-5)
    path = tmp_path / "p.json"
    path.write_text(json.dumps(HAND))
    assert main(["check", str(path), "--kind", "nwgm", "--answer", "0.595; 0.6225"]) == 0
    assert "Correct within the tolerance 0.001" in capsys.readouterr().out
    assert main(["check", str(path), "--kind", "nwgm", "--answer", "0.593; 0.6225"]) == 1  # 0.0022 off
    for given, mistake in (("0.6225; 0.5952", "swapped_means"), ("0.5952; 0.5952", "mean_for_nwgm"),
                           ("0.731; 0.731", "forgot_masks"), ("0.5952; 0.7311", "mean_without_q")):
        capsys.readouterr()
        assert main(["check", str(path), "--kind", "nwgm", "--answer", given, "--format", "json"]) == 1
        data = json.loads(capsys.readouterr().out)
        assert [m["id"] for m in data["mistakes"]] == [mistake] and data["tolerance"] == "1/1000"
        assert float(data["expected_decimal"][0]) == pytest.approx(0.595199, abs=1e-6)
    # --tolerance replaces the kind's own: within 1/10, the swapped means are right
    assert main(["check", str(path), "--kind", "nwgm", "--answer", "0.6225; 0.5952", "--tolerance", "0.1"]) == 0


def test_the_reference_visits_every_mask():
    x, w, b, q, inverted = read(HAND)
    assert law(masks(x, w, b, q, inverted)) == ((-1, Fraction(1, 4)), (0, Fraction(1, 4)), (1, Fraction(1, 4)),
                                                 (2, Fraction(1, 4)))
    assert answer(HAND)[0] == Fraction(3 / 8 + 1 / (4 * (1 + math.exp(-2))))


@pytest.mark.slow  # some 1.4 s: a sheet in four formats, a check per mistake, grade, --stats, moments
def test_sheet_key_check_grade_stats_and_moments(tmp_path, capsys):
    out = tmp_path / "sheet"
    assert main(["sheet", "--kinds", "forward,nwgm", "--problems", "4", "--seed", "2", "--out", str(out),
                 "--format", "markdown,moodle,gift,qti"]) == 0
    key = json.loads((out / "key.json").read_text(encoding="utf-8"))
    entry = next(e for e in key["problems"] if e["kind"] == "nwgm")
    assert entry["tolerance"] == "1/1000"
    right = [float(v) for v in answer(entry["spec"])]
    assert [float(v) for v in entry["answer_decimal"]] == pytest.approx(right, abs=CLOSE)
    assert [value(sympy.sympify(v)) for v in entry["answer"]] == pytest.approx(right, abs=CLOSE)  # exact, read back
    capsys.readouterr()
    for m in entry["mistakes"]:  # each mistake, rounded to 4 places, names itself and no other
        given = "; ".join(f"{float(v):.4f}" for v in m["answer_decimal"])
        assert main(["check", "--key", str(out / "key.json"), "--code", entry["code"], "--format", "json",
                     "--answer", given]) == 1
        assert [x["id"] for x in json.loads(capsys.readouterr().out)["mistakes"]] == [m["id"]]
    mean = f"{right[0]:.3f}"
    wrong = next(m for m in entry["mistakes"] if m["id"] == "nwgm_for_mean")
    answers = tmp_path / "answers.csv"
    answers.write_text(f"student,code,y\nana,{entry['code']},\"{mean}; {right[1]:.4f}\"\n"
                       f"ben,{entry['code']},\"{float(wrong['answer_decimal'][0]):.4f}; {right[1]:.4f}\"\n"
                       f"cy,{entry['code']},\n"  # blank, and unreadable: no answer, listed, and the rest graded
                       f"dee,{entry['code']},\"0.40, 0.34\"\n", encoding="utf-8")
    assert main(["grade", "--key", str(out / "key.json"), "--answers", str(answers), "--out", str(tmp_path / "g")]) == 0
    graded = {s["student"]: s for s in json.loads((tmp_path / "g" / "grades.json").read_text(encoding="utf-8"))["students"]}
    assert graded["ana"]["points"] == "4" and graded["ben"]["points"] == "2"  # the NWGM right, the mean a mistake's
    assert graded["cy"]["points"] == "0" and graded["dee"]["points"] == "0"
    assert graded["ben"]["parts"][0]["mistakes"] == ["nwgm_for_mean"]
    gift = (out / "questions.gift").read_text(encoding="utf-8")
    assert f":{Fraction(1, 1000)}" not in gift and ":0.001#" in gift  # the tolerance, as a decimal
    capsys.readouterr()
    assert main(["sheet", "--kinds", "nwgm", "--stats", "10", "--seed", "1"]) == 0
    stats = capsys.readouterr().out
    assert "Kind nwgm" in stats and "irrational (right within ±0.001)" in stats and "tolerances apart" in stats
    assert "mistakes_outside_tolerance" in stats and "swapped_means" in stats
    spec = tmp_path / "entry.json"
    spec.write_text(json.dumps(entry["spec"]))
    assert main(["moments", str(spec), "--format", "json"]) == 0
    moments = json.loads(capsys.readouterr().out)
    decimals = moments["decimal"]["nwgm"]
    assert [float(decimals["arithmetic_mean"]), float(decimals["sigmoid_of_mean"])] == pytest.approx(right, abs=CLOSE)


def test_a_spec_that_is_not_one_sigmoid_unit_is_refused(tmp_path, capsys):
    spec = {**HAND, "layers": [{"weights": [[1, 1]], "bias": [0], "activation": "identity"}]}
    path = tmp_path / "p.json"
    path.write_text(json.dumps(spec))
    assert main(["check", str(path), "--kind", "nwgm", "--answer", "0.5; 0.5"]) == 2
    assert "nwgm: expected one sigmoid unit" in capsys.readouterr().err


def test_the_rules_by_hand():
    # signs_balanced: every term positive; hand_computable: S = 5 with every input kept.
    network = parse_spec(HAND)
    options = Options()
    assert all(rule(network, options) for rule in nwgm.RULES.values())
    assert not nwgm.signs_balanced(parse_spec({**HAND, "input": [2, 1]}), options)
    assert not nwgm.hand_computable(parse_spec({**HAND, "input": [4, 1]}), options)


def test_a_weighted_output_is_marked_as_a_decimal_where_it_is_one():
    """The solution's table of every mask: P(mu) sigma(S) is rational only where S = 0 (sigma(0) =
    1/2, P(mu) rational), and there it is exact; every other is a rounded decimal and says so."""
    sheet = build_sheet(12, Options(), 3, kinds=parse_kinds("nwgm"))
    md = render_documents(sheet, ("markdown",))["solutions.md"]
    rows = re.findall(r"^\| \$\([01, ]+\)\$ \| \$[^$]+\$ \| \$([^$]+)\$ \| \$[^$]+\$ \| \$([^$]+)\$ \|$", md, re.M)
    assert len(rows) == sum(2 ** e.network.x.rows for e in sheet.exercises) and any(s == "0" for s, _ in rows)
    for s, product in rows:
        assert product.startswith(r"\approx ") == (s != "0"), (s, product)


def test_the_keys_common_wrong_answers_through_a_sigmoid_are_marked_rounded(tmp_path):
    """An nwgm key's wrong answers are sigmoid values, shown by decimals: each row says so
    (``\\approx``), so 0.5 of a value near 1/2 is not read as exactly 1/2."""
    assert main(["sheet", "--seed", "692994", "--kinds", "nwgm", "--problems", "5", "--format", "markdown",
                 "--out", str(tmp_path / "o")]) == 0
    rows = [line for line in (tmp_path / "o" / "key.md").read_text(encoding="utf-8").splitlines()
            if line.startswith("| $") and line.endswith("` |")]
    assert len(rows) >= 10 and all(line.startswith("| $\\approx (") for line in rows)


def test_a_moodle_question_states_the_tolerance_by_its_boxes_alone(tmp_path):
    """The tolerance 0.001 (3 places) is stated once per number: by each cloze box of a Moodle
    question, not again in the problem's text above them; a paper sheet's problem states it."""
    out = tmp_path / "sheet"
    assert main(["sheet", "--kinds", "nwgm", "--problems", "1", "--seed", "2", "--out", str(out),
                 "--format", "markdown,moodle"]) == 0
    [text] = [t.text for t in ET.fromstring((out / "moodle.xml").read_bytes()).iter("questiontext")
              for t in t.iter("text")]
    problem, boxes = text.split("<table", 1)
    assert "±" not in problem and "decimal places" not in problem and "NWGM over the masks." in problem
    assert re.findall(r"to at least (\d) decimal places \(within ±([\d.]+)\)", boxes) == [("3", "0.001")] * 2
    assert "each to at least 3 decimal places (an answer within $\\pm 0.001$ of the exact value is right)" in (
        out / "sheet.md").read_text(encoding="utf-8")
