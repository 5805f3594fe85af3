"""The kind variance: problems through its rules, the answer and every listed mistake re-computed
from the key's spec by tests/reference_variance.py (every mask visited with Fractions), a problem
worked by hand, check and grade naming its mistakes, --stats, and the rule that keeps signs mixed."""

import json
import re
from fractions import Fraction

import pytest

from symdrop.cli import main
from symdrop.exercises.generate import generate, stream
from symdrop.exercises.kinds import KINDS, get
from symdrop.exercises.options import Options
from symdrop.model.spec import parse_spec, to_spec

from .reference_variance import answer, mistakes, read

KIND = KINDS["variance"]
OPTIONS = {"int": Options(), "half": Options(values="half"), "decimal": Options(values="decimal", answers="decimal")}


def agree(seeds, options: Options) -> None:
    for seed in seeds:
        network = generate(stream(seed, "variance"), options, KIND)
        spec = to_spec(network)
        right = answer(spec)
        assert [Fraction(v) for v in KIND.compute_answer(network)] == right
        expected = mistakes(spec)
        listed = KIND.mistakes(network)
        for m in listed:
            assert [Fraction(v) for v in m.answer] == expected[m.name], m.name
        # every mistake the reference finds wrong here is listed (shared_mask and masked_bias: one q only)
        x, w, b, q, inverted = read(spec)
        one_q = len(set(q)) == 1
        wrong = {name for name, value in expected.items() if value != right
                 and (one_q or name not in ("shared_mask", "masked_bias"))}
        assert {m.name for m in listed} == wrong
        answers = [tuple(m.answer) for m in listed]
        assert len(set(answers)) == len(answers)
        products = [wj * xj for wj, xj in zip(w, x)]
        assert any(p > 0 for p in products) and any(p < 0 for p in products)  # rule signs_balanced
        if options.answers == "decimal":
            assert all(10**4 % Fraction(v).denominator == 0 for v in right)


def agree_alone(seeds, options: Options) -> None:
    """The option "alone": Var(S) alone, and the mistakes whose variance is wrong, by the reference."""
    kind = get("variance:alone")
    for seed in seeds:
        network = generate(stream(seed, "variance:alone"), options, kind)
        spec = to_spec(network)
        right = answer(spec)[1]
        assert [Fraction(v) for v in kind.compute_answer(network)] == [right]
        x, w, b, q, inverted = read(spec)
        one_q = len(set(q)) == 1
        expected = {name: value[1] for name, value in mistakes(spec).items()
                    if value[1] != right and (one_q or name not in ("shared_mask", "masked_bias"))}
        listed = {m.name: Fraction(m.answer[0]) for m in kind.mistakes(network)}
        assert listed == expected
        assert len(set(listed.values())) == len(listed)  # rule mistakes_distinct, on the variance alone
        assert "mean_without_q" not in listed and (inverted or "drop_for_keep" not in listed)  # the mean's mistakes


@pytest.mark.parametrize("values", OPTIONS)
def test_the_variance_alone_is_the_references(values):
    agree_alone(range(8), OPTIONS[values])


@pytest.mark.slow
@pytest.mark.parametrize("values", OPTIONS)
def test_the_variance_alone_more_seeds(values):
    agree_alone(range(8, 40), OPTIONS[values])


def test_the_variance_alone_on_a_sheet_key_check_and_grade(tmp_path, capsys):
    out = tmp_path / "sheet"
    assert main(["sheet", "--kinds", "variance:alone", "--problems", "2", "--seed", "3", "--out", str(out),
                 "--format", "markdown,moodle"]) == 0
    entry = json.loads((out / "key.json").read_text(encoding="utf-8"))["problems"][0]
    assert entry["kind"] == "variance:alone" and [Fraction(v) for v in entry["answer"]] == answer(entry["spec"])[1:]
    assert [Fraction(v) for v in entry["mean"]] == answer(entry["spec"])[:1]
    assert "Compute the variance $\\operatorname{Var}(S)$ over the masks." in (out / "sheet.md").read_text(encoding="utf-8")
    mistake = entry["mistakes"][0]
    capsys.readouterr()
    assert main(["check", "--key", str(out / "key.json"), "--code", entry["code"], "--format", "json",
                 "--answer", mistake["answer"][0]]) == 1
    assert [m["id"] for m in json.loads(capsys.readouterr().out)["mistakes"]] == [mistake["id"]]
    answers = tmp_path / "answers.csv"
    answers.write_text(f"student,code,y\nana,{entry['code']},{entry['answer'][0]}\n", encoding="utf-8")
    assert main(["grade", "--key", str(out / "key.json"), "--answers", str(answers), "--out", str(tmp_path / "g")]) == 0
    assert json.loads((tmp_path / "g" / "grades.json").read_text(encoding="utf-8"))["students"][0]["points"] == "4"
    assert main(["sheet", "--kinds", "variance:nope", "--out", str(tmp_path / "x")]) == 2
    assert "variance:alone" in capsys.readouterr().err


@pytest.mark.parametrize("values", OPTIONS)
def test_every_answer_and_mistake_is_the_references(values):
    agree(range(15), OPTIONS[values])


@pytest.mark.slow
@pytest.mark.parametrize("values", OPTIONS)
def test_more_seeds(values):
    agree(range(15, 120), OPTIONS[values])


def test_a_problem_by_hand(tmp_path, capsys):
    # x = (3, -3), w = (-1, -1), b = 1, inverted, q = (3/4, 1/2): E[S] = 1 - 3 + 3 = 1;
    # Var(S) = 9 (1/4)/(3/4) + 9 (1/2)/(1/2) = 3 + 9 = 12. Plain q(1 - q) instead: 9 (3/16) + 9 (1/4) = 63/16.
    spec = {"input": [3, -3], "layers": [{"weights": [[-1, -1]], "bias": [1], "activation": "identity"}],
            "masks": [[1, 1]], "dropout": {"convention": "inverted", "keep": [["3/4", "1/2"]]}}
    network = parse_spec(spec)
    assert KIND.compute_answer(network) == (1, 12)
    found = {m.name: m.answer for m in KIND.mistakes(network)}
    assert found["swapped_variance_factor"] == (1, Fraction(63, 16))
    assert found["forgot_square"] == (1, -3 * Fraction(1, 3) + 3 * 1)  # sum w x v = -3 (1/3) + 3 (1)
    path = tmp_path / "p.json"
    path.write_text(json.dumps(spec))
    assert main(["check", str(path), "--kind", "variance", "--answer", "1; 63/16", "--format", "json"]) == 1
    assert [m["id"] for m in json.loads(capsys.readouterr().out)["mistakes"]] == ["swapped_variance_factor"]
    assert main(["check", str(path), "--kind", "variance", "--answer", "1; 12"]) == 0


def test_sheet_key_check_grade_and_stats(tmp_path, capsys):
    out = tmp_path / "sheet"
    assert main(["sheet", "--kinds", "variance,forward", "--problems", "4", "--seed", "2", "--out", str(out),
                 "--format", "latex,markdown,moodle,gift,qti"]) == 0
    key = json.loads((out / "key.json").read_text(encoding="utf-8"))
    entry = next(e for e in key["problems"] if e["kind"] == "variance")
    assert [Fraction(v) for v in entry["answer"]] == answer(entry["spec"])
    mistake = entry["mistakes"][0]
    capsys.readouterr()
    assert main(["check", "--key", str(out / "key.json"), "--code", entry["code"], "--format", "json",
                 "--answer", "; ".join(mistake["answer"])]) == 1
    assert mistake["id"] in [m["id"] for m in json.loads(capsys.readouterr().out)["mistakes"]]
    answers = tmp_path / "answers.csv"
    answers.write_text(f"student,code,y\nana,{entry['code']},\"{'; '.join(entry['answer'])}\"\n", encoding="utf-8")
    assert main(["grade", "--key", str(out / "key.json"), "--answers", str(answers), "--out", str(tmp_path / "g")]) == 0
    graded = json.loads((tmp_path / "g" / "grades.json").read_text(encoding="utf-8"))
    assert graded["students"][0]["parts"][0]["correct"]
    capsys.readouterr()
    assert main(["sheet", "--kinds", "variance", "--stats", "40", "--seed", "1"]) == 0
    stats = capsys.readouterr().out
    assert "Kind variance" in stats and "signs_balanced" in stats and "swapped_variance_factor" in stats


def test_a_pair_is_graded_entry_by_entry(tmp_path):
    # The rubric's default gives the answer y 4 points; a pair with its mean right and its variance a
    # mistake's earns the mean's half, 2; both wrong, 0; both right, 4.
    out = tmp_path / "sheet"
    assert main(["sheet", "--kinds", "variance", "--problems", "3", "--seed", "4", "--out", str(out), "--format", "markdown"]) == 0
    entries = json.loads((out / "key.json").read_text(encoding="utf-8"))["problems"]
    rows = []
    for student, e in zip(("ana", "ben", "cy"), entries):
        mean, variance = e["answer"]
        wrong = next(m["answer"] for m in e["mistakes"] if m["answer"][0] == mean)  # the mean right, the variance not
        given = {"ana": e["answer"], "ben": wrong, "cy": [str(Fraction(mean) + 100), str(Fraction(variance) + 100)]}[student]
        rows.append(f"{student},{e['code']},\"{'; '.join(given)}\"")
    answers = tmp_path / "answers.csv"
    answers.write_text("student,code,y\n" + "\n".join(rows) + "\n", encoding="utf-8")
    assert main(["grade", "--key", str(out / "key.json"), "--answers", str(answers), "--out", str(tmp_path / "g")]) == 0
    graded = {s["student"]: s for s in json.loads((tmp_path / "g" / "grades.json").read_text(encoding="utf-8"))["students"]}
    assert [graded[s]["points"] for s in ("ana", "ben", "cy")] == ["4", "2", "0"]


def test_the_worked_solutions_restate_each_question(tmp_path):
    """A statistics kind's solution starts from the method: the solutions document puts the
    question (title, data) before it, under a problem's heading, and marks its variant once for the page header."""
    out = tmp_path / "sheet"
    assert main(["sheet", "--kinds", "variance,nwgm", "--problems", "2", "--seed", "3", "--no-diagram",
                 "--format", "markdown,latex", "--out", str(out)]) == 0
    md = (out / "solutions.md").read_text(encoding="utf-8")
    assert md.count("A unit computes") == 1 and len(re.findall(r"^# Problem \d \(variant [0-9A-Z]+\)$", md, re.M)) == 2
    tex = (out / "solutions.tex").read_text(encoding="utf-8")
    codes = [e["code"] for e in json.loads((out / "key.json").read_text(encoding="utf-8"))["problems"]]
    assert all(tex.count(rf"\variant{{{code}}}") == 1 for code in codes)


def test_the_solution_works_out_each_masks_variance_factor(tmp_path):
    """Var(S) = sum w^2 x^2 v: the worked solution shows v for each q before the sum uses it.
    Seed 7 (by hand): problem 1 is inverted with q = 2/3 for every input, v = (1 - q)/q = (1/3)/(2/3)
    = 1/2; problem 3 plain with q = (3/4, 4/5, 3/4), v = q(1 - q) = 3/16 and 4/25."""
    assert main(["sheet", "--seed", "7", "--kinds", "variance", "--problems", "3", "--out", str(tmp_path)]) == 0
    text = (tmp_path / "solutions.md").read_text()
    first, third = text.split("# Problem 1")[1].split("# Problem 2")[0], text.split("# Problem 3")[1]
    first, third = first.replace("&=", "="), third.replace("&=", "=")  # an aligned row or not
    assert r"\frac{1 - q}{q} = \frac{1 - \frac{2}{3}}{\frac{2}{3}} = \frac{1}{2}" in first
    assert r"q (1 - q) = \frac{3}{4} \cdot \left(1 - \frac{3}{4}\right) = \frac{3}{16}" in third
    assert r"q (1 - q) = \frac{4}{5} \cdot \left(1 - \frac{4}{5}\right) = \frac{4}{25}" in third
    assert third.index(r"= \frac{3}{16}") < third.index(r"\operatorname{Var}(S) = 3^2")
