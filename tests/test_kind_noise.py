"""The exercise kind "noise": keys and mistakes against the independent reference, its rules each
able to fail, --stats, and check and grade through key.json."""

import json
from fractions import Fraction

import pytest

from symdrop.cli import main
from symdrop.errors import SpecError
from symdrop.exercises import noise
from symdrop.exercises.options import Options
from symdrop.exercises.sheet import build_sheet
from symdrop.model.conventions import INVERTED, PLAIN, Dropout
from symdrop.model.network import build
from symdrop.render.sheets import key_json

from . import reference_noise_kind as reference

KIND = noise.KIND


def entries(seed: int, problems: int, options: Options = Options()) -> list[dict]:
    return key_json(build_sheet(seed, options, problems, kinds=(KIND,)))["problems"]


def check_entry(entry: dict) -> None:
    assert [Fraction(v) for v in entry["answer"]] == reference.answer(entry["spec"])
    wrong = reference.mistakes(entry["spec"])
    assert entry["mistakes"], "every problem lists its mistakes"
    for m in entry["mistakes"]:
        assert [Fraction(v) for v in m["answer"]] == wrong[m["id"]], m["id"]
    listed = {m["id"] for m in entry["mistakes"]}  # a mistake left out gives the right answer
    right = [Fraction(v) for v in entry["answer"]]
    assert all(answer == right for name, answer in wrong.items() if name not in listed)


@pytest.mark.parametrize("options", [Options(), Options(values="half"), Options(keep=(Fraction(2, 3), Fraction(3, 4)))])
def test_keys_and_mistakes_are_the_references(options):
    found = entries(1, 30, options)
    assert {reference.question(e["spec"]) for e in found} == {"gaussian", "alpha", "spatial", "counts"}
    for entry in found:
        check_entry(entry)


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(10))
def test_many_keys_are_the_references(seed):
    for entry in entries(seed, 60, Options(values=("int", "half", "decimal")[seed % 3])):
        check_entry(entry)


def test_decimal_answers_terminate():
    for entry in entries(2, 20, Options(answers="decimal")):
        check_entry(entry)
        assert all(10**4 % Fraction(v).denominator == 0 for v in entry["answer"])


def unit(x, w, b=0, q="3/4", *, title="Gaussian dropout", convention=INVERTED, alpha=None):
    return build(tuple(x), [((tuple(w),), (b,), "identity")], [(1,) * len(x)], title=title,
                 dropout=Dropout(convention, (Fraction(q),), alpha=alpha))


FAILING = [  # (rule, a network that breaks it, options)
    ("signs_balanced", unit([1, 2], [1, 3]), Options()),  # w x all positive
    ("keep_not_half", unit([1, 1, 1], [1, 1, 1], q="1/2", title="Counts of kept units", convention=PLAIN), Options()),
    ("masks_matter", unit([2, 2, -1], [1, 1, 1], title="Spatial dropout", convention=PLAIN), Options()),  # no cross terms
    ("hand_computable", unit([1] * 7, [1] * 7, q="2/3", title="Counts of kept units", convention=PLAIN), Options()),  # 1/3^7
    ("mistakes_distinct", unit([1, 1], [2, -2]), Options()),  # sum w x = 0: forgot the square = shared noise
    ("decimal_answers", unit([1, 2], [1, -1]), Options(answers="decimal")),  # sigma^2 = 1/3
]


@pytest.mark.parametrize("rule, network, options", FAILING, ids=[f[0] for f in FAILING])
def test_each_rule_can_fail(rule, network, options):
    assert rule in KIND.failed_rules(network, options)
    assert KIND.failed_rules(network, options)[0] == rule  # and it is the first broken


def test_a_drawn_problem_meets_every_rule_and_names_its_question():
    for entry in entries(4, 12):
        assert entry["spec"]["title"].rsplit(": ", 1)[-1] in {q.heading for q in noise.QUESTIONS}


def test_a_title_naming_no_question_is_refused():
    with pytest.raises(SpecError, match="title"):
        noise.question(unit([1, 2], [1, -1], title="Problem 1"))
    assert noise.question(unit([1, 2], [1, -1], title="problem 1: gaussian DROPOUT")) is noise.GAUSSIAN


def test_stats(capsys):
    assert main(["sheet", "--kinds", "noise", "--stats", "40", "--seed", "3"]) == 0
    out = capsys.readouterr().out
    assert "noise" in out and "mistakes_distinct" in out


def test_check_and_grade_through_the_key(tmp_path, capsys):
    out = tmp_path / "sheet"
    assert main(["sheet", "--kinds", "noise", "--problems", "4", "--seed", "5", "--out", str(out),
                 "--format", "markdown,moodle,gift,qti"]) == 0
    key = json.loads((out / "key.json").read_text(encoding="utf-8"))
    first, second = key["problems"][:2]
    capsys.readouterr()
    assert main(["check", "--key", str(out / "key.json"), "--code", first["code"], "--answer", "; ".join(first["answer"])]) == 0
    capsys.readouterr()
    mistake = first["mistakes"][0]
    assert main(["check", "--key", str(out / "key.json"), "--code", first["code"], "--format", "json",
                 "--answer", "; ".join(mistake["answer"])]) == 1
    result = json.loads(capsys.readouterr().out)
    assert result["kind"] == "noise" and mistake["id"] in [m["id"] for m in result["mistakes"]]
    answers = tmp_path / "answers.csv"
    answers.write_text("student,code,y\n"
                       f"ana,{first['code']},\"{'; '.join(first['answer'])}\"\n"
                       f"ana,{second['code']},\"{'; '.join(second['mistakes'][-1]['answer'])}\"\n", encoding="utf-8")
    assert main(["grade", "--key", str(out / "key.json"), "--answers", str(answers), "--out", str(tmp_path / "graded")]) == 0
    graded = json.loads((tmp_path / "graded" / "grades.json").read_text(encoding="utf-8"))
    parts = {(p["code"], p["part"]): p for p in graded["students"][0]["parts"]}
    assert parts[first["code"], "y"]["correct"] and not parts[second["code"], "y"]["correct"]
    assert second["mistakes"][-1]["id"] in parts[second["code"], "y"]["mistakes"]


def test_the_alpha_question_says_alpha_prime_is_the_problems_choice(tmp_path):
    """Seed 7's problem 2 is alpha dropout with alpha' = -1/2 (key.json's spec): the question calls
    -1/2 this problem's value and -1.7581 PyTorch's, not -1/2 "the SELU's saturation value"."""
    assert main(["sheet", "--seed", "7", "--kinds", "noise", "--problems", "4", "--out", str(tmp_path)]) == 0
    assert json.loads((tmp_path / "key.json").read_text())["problems"][1]["spec"]["dropout"]["alpha"] == "-1/2"
    text = (tmp_path / "sheet.md").read_text()
    assert (r"sets a dropped input to a value $\alpha'$, here $\alpha' = - \frac{1}{2}$ (the value this problem "
            r"chooses; PyTorch's `AlphaDropout` uses the SELU's saturation value, about $-1.7581$)") in text
    assert "the SELU's saturation value;" not in text
