"""The kind penalty: the key's answer and every listed mistake's answer against the independent
reference (tests/reference_kind_penalty.py, every mask of every example visited) over many seeds,
its rules by the reference and each able to fail on a hand-made batch, --stats, and a sheet's key
through check and grade."""

import json
from fractions import Fraction

import pytest

from symdrop.cli import main
from symdrop.exercises.generate import generate, stream
from symdrop.exercises.kinds import KINDS
from symdrop.exercises.options import Options
from symdrop.exercises.sheet import build_sheet
from symdrop.model.spec import parse_spec, to_spec
from symdrop.render.printer import latex
from symdrop.render.parts import render_parts
from symdrop.render.sheets import key_json

from . import reference_kind_penalty as ref

KIND = KINDS["penalty"]
QUICK, SLOW = range(30), range(30, 150)


def drawn(seeds, options=Options()):
    return [generate(stream(seed, "penalty"), options, KIND) for seed in seeds]


def spec(inputs, targets, weights, bias, keep, convention) -> dict:
    return {"input": [[str(v) for v in row] for row in inputs], "target": [[str(t)] for t in targets],
            "layers": [{"weights": [[str(w) for w in weights]], "bias": [str(bias)], "activation": "identity"}],
            "masks": [[[1] * len(weights)]] * len(inputs), "dropout": {"convention": convention, "keep": [keep]}}


def check_against_reference(batch):
    s = to_spec(batch)
    right = ref.answer(s)
    assert [Fraction(v) for v in KIND.compute_answer(batch)] == right
    expected = ref.mistakes(s)
    listed = KIND.mistakes(batch)
    assert {m.name for m in listed} == set(expected)
    for m in listed:
        assert [Fraction(v) for v in m.answer] == expected[m.name], m.name
    answers = [tuple(m.answer) for m in listed]
    assert tuple(right) not in answers and len(set(answers)) == len(answers)


def test_every_answer_and_mistake_is_the_references():
    for batch in drawn(QUICK):
        check_against_reference(batch)


@pytest.mark.slow
@pytest.mark.parametrize("options", [Options(), Options(values="half"), Options(answers="decimal"),
                                     Options(keep=(Fraction(2, 3), Fraction(4, 5)))],
                         ids=["int", "half", "decimal-answers", "keep-2/3,4/5"])
def test_every_answer_and_mistake_is_the_references_many_seeds(options):
    for batch in drawn(SLOW, options):
        check_against_reference(batch)


def test_the_problems_are_what_the_kind_says():
    """B = 3 or 4 examples of 2 inputs, one identity output with a target, the squared loss, one
    q; both conventions; the penalty positive; the rules by the reference's numbers."""
    conventions, sizes = set(), set()
    for batch in drawn(QUICK):
        s = to_spec(batch)
        xs, ts, w, b, q, inverted = ref.read(s)
        conventions.add(inverted)
        sizes.add(len(xs))
        assert all(len(x) == 2 for x in xs) and len(w) == 2 and Fraction(q) in Options().keep
        expected, term = ref.answer(s)
        assert term > 0 and expected == ref.loss_at_mean(xs, ts, w, b, q, inverted) + term
        means = [sum(p * y for y, p in ref.outputs(x, w, b, q, inverted)) for x in xs]
        residuals = [m - t for m, t in zip(means, ts)]
        assert any(r > 0 for r in residuals) and any(r < 0 for r in residuals)
        assert min(w) < 0 < max(w)
        for v in means + residuals + [expected, term, expected - term]:
            assert abs(v) <= 99 and v.denominator <= 100
    assert conventions == {True, False} and sizes == {3, 4}


def test_the_worked_numbers_are_the_core_penalty_identity():
    """The mean outputs, residuals and sums of squares the solution shows, by the reference."""
    for batch in drawn(range(8)):
        s = to_spec(batch)
        xs, ts, w, b, q, inverted = ref.read(s)
        p = KIND.derive(batch).moments.penalty
        means = [sum(pr * y for y, pr in ref.outputs(x, w, b, q, inverted)) for x in xs]
        assert [row[0] for row in p.mean_predictions] == means
        assert [row[0] for row in p.residuals] == [m - t for m, t in zip(means, ts)]
        assert list(p.input_squares) == [sum(x[j] ** 2 for x in xs) for j in range(2)]


BROKEN = {  # rule -> a hand-made batch that breaks it (and only it, where the rules before it hold)
    "signs_balanced": spec([[1, 2], [2, -1], [0, 1]], [1, 0, 2], [1, 2], 1, "1/2", "inverted"),  # w both positive
    "hand_computable": spec([[40, 80], [80, -40], [0, 40]], [1, 0, 2], [1, -1], 1, "1/2", "inverted"),
    # drop_for_keep and mean_without_q give one answer: L((1 - q) w) = L(w), v(1 - q) = v(q)
    "mistakes_distinct": spec([[2, 1], [2, 2], [3, 3], [-2, -2]], [2, -3, 2, 3], [3, -3], 0, "2/3", "plain"),
    "decimal_answers": spec([[1, 2], [2, -1], [0, 1]], [1, 0, 2], [1, -1], 1, "2/3", "plain"),  # thirds
}


@pytest.mark.parametrize("rule", list(KIND.rules))
def test_each_rule_can_fail_on_a_hand_made_batch(rule):
    options = Options(answers="decimal") if rule == "decimal_answers" else Options()
    batch = parse_spec(BROKEN[rule])
    assert not KIND.rules[rule](batch, options)
    assert KIND.rules[rule](drawn([1], options)[0], options)  # and holds on a drawn one


def test_the_mistakes_distinct_break_is_two_mistakes_of_one_answer_by_the_reference():
    found = ref.mistakes(BROKEN["mistakes_distinct"])
    assert found["drop_for_keep"] == found["mean_without_q"]


def test_stats_counts_the_mistakes(capsys):
    assert main(["sheet", "--stats", "25", "--seed", "2", "--kinds", "penalty"]) == 0
    out = capsys.readouterr().out
    assert "Kind penalty" in out and "| positive | 50 |" in out
    for name in ("forgot_half", "summed_examples", "penalty_sign", "swapped_variance_factor", "drop_for_keep"):
        assert f"| {name} |" in out


def test_key_check_and_grade_end_to_end(tmp_path, capsys):
    out = tmp_path / "sheet"
    assert main(["sheet", "--kinds", "penalty", "--problems", "2", "--seed", "4", "--out", str(out),
                 "--format", "markdown", "--no-diagram"]) == 0
    key = json.loads((out / "key.json").read_text(encoding="utf-8"))
    first, second = key["problems"]
    for e in key["problems"]:
        assert e["kind"] == "penalty" and len(e["spec"]["input"]) in (3, 4)  # every example in the key
        assert [Fraction(v) for v in e["answer"]] == ref.answer(e["spec"])
        assert {m["id"]: [Fraction(v) for v in m["answer"]] for m in e["mistakes"]} == ref.mistakes(e["spec"])
        assert Fraction(e["mean_model_loss"][0]) == ref.answer(e["spec"])[0] - ref.answer(e["spec"])[1]
    capsys.readouterr()
    code = ["check", "--key", str(out / "key.json"), "--code", first["code"], "--format", "json", "--answer"]
    assert main(code + ["; ".join(first["answer"])]) == 0
    assert json.loads(capsys.readouterr().out)["correct"]
    for mistake in first["mistakes"]:
        assert main(code + ["; ".join(mistake["answer"])]) == 1
        assert [m["id"] for m in json.loads(capsys.readouterr().out)["mistakes"]] == [mistake["id"]]
    answers = tmp_path / "answers.csv"
    answers.write_text("student,code,y\n"
                       f"ana,{first['code']},\"{'; '.join(first['answer'])}\"\n"
                       f"ana,{second['code']},\"{'; '.join(second['mistakes'][0]['answer'])}\"\n", encoding="utf-8")
    assert main(["grade", "--key", str(out / "key.json"), "--answers", str(answers), "--out", str(tmp_path / "graded")]) == 0
    graded = json.loads((tmp_path / "graded" / "grades.json").read_text(encoding="utf-8"))
    parts = {(p["code"], p["part"]): p for p in graded["students"][0]["parts"]}
    assert parts[first["code"], "y"]["correct"] and not parts[second["code"], "y"]["correct"]
    assert second["mistakes"][0]["id"] in parts[second["code"], "y"]["mistakes"]


def test_check_takes_a_batch_spec_with_kind_penalty_and_refuses_one_example(tmp_path, capsys):
    batch = drawn([3])[0]
    path = tmp_path / "batch.json"
    path.write_text(json.dumps(to_spec(batch)), encoding="utf-8")
    right = "; ".join(str(v) for v in KIND.compute_answer(batch))
    assert main(["check", str(path), "--kind", "penalty", "--answer", right]) == 0
    one = tmp_path / "one.json"
    one.write_text(json.dumps(to_spec(batch.examples[0])), encoding="utf-8")
    capsys.readouterr()
    assert main(["check", str(one), "--kind", "penalty", "--answer", right]) != 0
    assert "batches of examples" in capsys.readouterr().err


def test_the_documents_give_the_batch_and_derive_the_answer():
    sheet = build_sheet(6, Options(), 2, kinds=(KIND,))
    for e, entry in zip(sheet.exercises, key_json(sheet)["problems"]):
        parts = render_parts(e, "markdown")
        expected, term = (latex(v) for v in e.answer)
        assert "X = \\begin{pmatrix}" in parts["problem"] and str(len(entry["spec"]["input"])) in parts["problem"]
        assert "\\underbrace" in parts["solution"]
        assert f"\\boxed{{E[L] = {expected}, \\quad \\text{{penalty}} = {term}}}" in parts["solution"]
        assert entry["spec"]["title"] == e.network.title  # a batch keeps its title in the key


def test_key_entries_are_re_solved_by_symdrop_moments(tmp_path, capsys):
    sheet = build_sheet(8, Options(), 3, kinds=(KIND,))
    for entry in key_json(sheet)["problems"]:
        path = tmp_path / f"{entry['code']}.json"
        path.write_text(json.dumps(entry["spec"]), encoding="utf-8")
        capsys.readouterr()
        assert main(["moments", str(path), "--format", "json"]) == 0
        found = json.loads(capsys.readouterr().out)["penalty"]
        assert [found["expected_loss"], found["penalty"]] == entry["answer"]
