"""The kind dropconnect: problems through its rules, the answer and every listed mistake re-computed
from the key's spec by tests/reference_dropconnect.py (every weight mask visited with Fractions),
each rule able to fail on a hand-made layer, key entries re-solved by `symdrop moments`, check and
grade naming its mistakes, --stats, the worked solution."""

import json
from fractions import Fraction

import pytest

from symdrop.exercises.labels import plain
from symdrop.cli import main
from symdrop.exercises import dropconnect
from symdrop.exercises.generate import generate, stream
from symdrop.exercises.kinds import KINDS
from symdrop.exercises.options import Options
from symdrop.grading.check import check
from symdrop.model.conventions import INVERTED, PLAIN
from symdrop.model.spec import to_spec

from .reference_dropconnect import answer, mistakes, read

KIND = KINDS["dropconnect"]
OPTIONS = {
    "int": Options(),
    "half": Options(values="half"),
    "decimal": Options(values="decimal", answers="decimal"),
}


def drawn(seeds, options: Options):
    return [(n, to_spec(n)) for n in (generate(stream(seed, "dropconnect"), options, KIND) for seed in seeds)]


def agree(problems, options: Options):
    """The key's answer and every listed mistake's are the reference's; a wrong answer names one
    mistake; the rules hold by the reference's numbers."""
    for network, spec in problems:
        right = answer(spec)
        assert [Fraction(v) for v in KIND.compute_answer(network)] == right
        assert right[4] == 0  # the rows share no mask
        expected = mistakes(spec)
        listed = KIND.mistakes(network)
        assert {m.name for m in listed} == set(expected)  # every mistake that changes the answer, no other
        assert "masked_units" in expected and expected["masked_units"][4] != 0
        for m in listed:
            assert [Fraction(v) for v in m.answer] == expected[m.name], m.name
        answers = [tuple(m.answer) for m in listed]
        assert tuple(right) not in answers and len(set(answers)) == len(answers)
        x, W, b, q, inverted = read(spec)
        assert q in options.keep and len(W) == 2 and len(x) in (2, 3)
        assert all(any(w * xj > 0 for w, xj in zip(row, x)) and any(w * xj < 0 for w, xj in zip(row, x)) for row in W)
        values = right + [v for m in expected.values() for v in m] if options.answers == "decimal" else right
        assert all(abs(v) <= 99 for v in right)
        if options.answers == "decimal":
            assert all(10**4 % v.denominator == 0 for v in values)


@pytest.mark.parametrize("values", OPTIONS)
def test_every_answer_and_mistake_is_the_references(values):
    agree(drawn(range(10), OPTIONS[values]), OPTIONS[values])


@pytest.mark.slow
@pytest.mark.parametrize("values", OPTIONS)
def test_every_answer_and_mistake_is_the_references_over_many_seeds(values):
    agree(drawn(range(10, 110), OPTIONS[values]), OPTIONS[values])


@pytest.mark.slow
def test_both_conventions_and_every_size_are_drawn_and_means_take_both_signs():
    problems = drawn(range(300), Options())
    assert {read(s)[4] for _, s in problems} == {False, True}
    assert {len(read(s)[0]) for _, s in problems} == {2, 3}
    means = [v for _, s in problems for v in answer(s)[:2] if v != 0]
    assert 0.3 <= sum(v > 0 for v in means) / len(means) <= 0.7


def test_rules_can_fail():
    options = Options()
    of = dropconnect.network_of
    good = of([1, 2], [[2, -1], [-1, 3]], [1, -2], Fraction(3, 4), PLAIN)
    assert KIND.failed_rules(good, options) == []
    # every term of the first unit positive: its mean's sign is given away
    assert KIND.failed_rules(of([1, 2], [[2, 1], [-1, 3]], [1, -2], Fraction(3, 4)), options) == ["signs_balanced"]
    # sum_j w_1j w_2j x_j^2 = 0: masking the units would not correlate them either
    assert "units_overlap" in KIND.failed_rules(of([1, 1], [[1, -1], [1, 1]], [1, 1], Fraction(3, 4)), options)
    # a bias of 150: beyond +-99
    assert KIND.failed_rules(of([1, 2], [[2, -1], [-1, 3]], [150, -2], Fraction(3, 4)), options) == ["hand_computable"]
    # x_j = w_1j = w_2j: Sum w^2 v (x forgotten) is Sum w x v (the square forgotten)
    assert "mistakes_distinct" in KIND.failed_rules(of([2, -1], [[2, -1], [2, -1]], [1, 1], Fraction(3, 4)), options)
    # q = 2/3 with decimal answers: (1 - q)/q = 1/2, but q(1 - q) = 2/9 does not terminate
    decimal = Options(answers="decimal")
    assert KIND.failed_rules(of([1, 2], [[2, -1], [-1, 3]], [1, -2], Fraction(2, 3), INVERTED), decimal) == ["decimal_answers"]


def test_check_names_each_mistake_from_the_references_answer():
    seen = set()
    for network, spec in drawn(range(30), Options()):
        assert check(KIND, network, answer(spec)).correct
        for name, wrong in mistakes(spec).items():
            result = check(KIND, network, wrong)
            assert not result.correct and [m.name for m in result.mistakes] == [name], name
            seen.add(name)
    assert seen == {"masked_units", "masked_bias", "forgot_square", "forgot_x_squared", "second_moment",
                    "swapped_variance_factor", "drop_for_keep", "mean_without_q"}


def test_key_entries_are_re_solved_by_symdrop_moments_and_checked_and_graded(tmp_path, capsys):
    out = tmp_path / "sheet"
    assert main(["sheet", "--kinds", "dropconnect", "--problems", "3", "--seed", "4", "--format", "markdown",
                 "--out", str(out)]) == 0
    key = json.loads((out / "key.json").read_text(encoding="utf-8"))
    for entry in key["problems"]:
        spec = tmp_path / f"{entry['code']}.json"
        spec.write_text(json.dumps(entry["spec"]), encoding="utf-8")
        capsys.readouterr()
        assert main(["moments", str(spec), "--format", "json"]) == 0
        prediction = json.loads(capsys.readouterr().out)["prediction"]
        assert prediction["mean"] + prediction["variance"] + [prediction["covariance"][0][1]] == entry["answer"]
        assert [Fraction(v) for v in entry["answer"]] == answer(entry["spec"])
    first, second = key["problems"][:2]
    shared = next(m for m in first["mistakes"] if m["id"] == "masked_units")
    assert main(["check", "--key", str(out / "key.json"), "--code", first["code"], "--format", "json",
                 "--answer", "; ".join(shared["answer"])]) == 1
    assert [m["id"] for m in json.loads(capsys.readouterr().out)["mistakes"]] == ["masked_units"]
    answers = tmp_path / "answers.csv"
    answers.write_text("student,code,y\n"
                       f"ana,{first['code']},\"{'; '.join(first['answer'])}\"\n"
                       f"ana,{second['code']},\"{'; '.join(second['mistakes'][0]['answer'])}\"\n", encoding="utf-8")
    assert main(["grade", "--key", str(out / "key.json"), "--answers", str(answers), "--out", str(tmp_path / "graded")]) == 0
    graded = json.loads((tmp_path / "graded" / "grades.json").read_text(encoding="utf-8"))
    parts = {(p["code"], p["part"]): p for p in graded["students"][0]["parts"]}
    assert parts[first["code"], "y"]["correct"] and not parts[second["code"], "y"]["correct"]
    assert second["mistakes"][0]["id"] in parts[second["code"], "y"]["mistakes"]


def test_the_worked_solution_derives_each_number(tmp_path):
    out = tmp_path / "solutions"
    assert main(["sheet", "--kinds", "dropconnect", "--problems", "4", "--seed", "1", "--format", "markdown",
                 "--no-diagram", "--out", str(out)]) == 0
    key = json.loads((out / "key.json").read_text(encoding="utf-8"))
    solutions = (out / "solutions.md").read_text(encoding="utf-8").split("\n---\n")
    for entry, text in zip(key["problems"], solutions):
        assert entry["code"] in text
        right = answer(entry["spec"])
        assert "\\operatorname{Cov}(z_1, z_2) = \\sum_j \\sum_k" in text
        assert f"= {_md(mistakes(entry['spec'])['masked_units'][4])}$." in text  # unit dropout's, for contrast
        for v in right[:4]:
            assert f"= {_md(v)} " in text or f"= {_md(v)}\n" in text or f"= {_md(v)}," in text


def _md(v: Fraction) -> str:
    if v.denominator == 1:
        return str(v.numerator)
    sign = "- " if v < 0 else ""
    return f"{sign}\\frac{{{abs(v.numerator)}}}{{{v.denominator}}}"


def test_stats_shows_the_answers_and_the_mistakes(capsys):
    assert main(["sheet", "--kinds", "dropconnect", "--stats", "20", "--seed", "2"]) == 0
    out = capsys.readouterr().out
    assert "Kind dropconnect" in out and "masked_units" in out and "units_overlap" in out


def test_mixed_sheets_take_it_beside_the_forward_kinds(tmp_path):
    out = tmp_path / "mixed"
    assert main(["sheet", "--kinds", "forward,variance,dropconnect", "--problems", "3", "--seed", "1",
                 "--format", "markdown,moodle,gift,qti", "--out", str(out)]) == 0
    key = json.loads((out / "key.json").read_text(encoding="utf-8"))
    assert [e["kind"] for e in key["problems"]] == ["forward", "variance", "dropconnect"]
    assert len(key["problems"][2]["answer"]) == 5


def test_each_mistakes_formula_names_the_masks_variance_it_uses():
    """A label's formula writes the mask's variance by its name, Var(M_ij/q) (inverted) or
    Var(M_ij) (plain), never as a letter no text defines (it read "... x_j^2 v")."""
    import re

    names = set()
    for network, _ in drawn(range(12), Options()):
        named = "Var(M_ij/q)" if network.dropout.convention.divides else "Var(M_ij)"
        for m in KIND.mistakes(network):
            assert not re.search(r"\bv\b", plain(m.label)), m.label
            if m.name in ("masked_units", "forgot_square", "forgot_x_squared"):
                assert named in plain(m.label)
                names.add(named)
    assert names == {"Var(M_ij/q)", "Var(M_ij)"}


def test_the_masks_are_m_ij_in_question_solution_key_and_labels(tmp_path):
    """One name for a weight's mask, M_ij, as the DropConnect pass, moments and the README write it:
    no m_ij, m, m/q in the question, the solution or the key (Markdown and LaTeX), of either
    convention; each mistake label's formula reads as plain text with it."""
    import re

    out = tmp_path / "o"
    assert main(["sheet", "--kinds", "dropconnect", "--problems", "4", "--seed", "1", "--format", "markdown,latex",
                 "--no-diagram", "--out", str(out)]) == 0
    key = json.loads((out / "key.json").read_text(encoding="utf-8"))
    assert {read(e["spec"])[4] for e in key["problems"]} == {True, False}  # inverted and plain
    small = re.compile(r"(?<![A-Za-z\\{])m(_\{|\^2| ?/ ?q|\$|\))")  # m_{ij}, m^2, m/q, $m$, Var(m)
    for name in ("sheet", "solutions", "key"):
        for suffix in ("md", "tex"):
            text = (out / f"{name}.{suffix}").read_text(encoding="utf-8")
            assert not small.findall(text), (name, suffix, small.findall(text)[:3])
            assert "M_{ij}" in text, (name, suffix)
    labels = {m["label"] for e in key["problems"] for m in e["mistakes"]}
    assert "took E[M_ij^2] = q for Var(M_ij): the mean's square, q^2, not subtracted" in labels
    assert "took E[(M_ij/q)^2] = 1/q for Var(M_ij/q): the mean's square, 1, not subtracted" in labels
    assert "forgot to square w x: Var(z_i) = sum_j w_ij x_j Var(M_ij/q)" in labels


def test_the_solution_works_out_the_masks_variance_factor(tmp_path):
    """Var(z_i) = sum w^2 x^2 v: the worked solution shows v = (1 - q)/q before the sums use it, as
    the variance kind does. Seed 7 (by hand): every problem inverted, q = 1/2, 4/5, 3/4, so
    v = (1/2)/(1/2) = 1, (1/5)/(4/5) = 1/4, (1/4)/(3/4) = 1/3."""
    assert main(["sheet", "--seed", "7", "--kinds", "dropconnect", "--problems", "3", "--out", str(tmp_path)]) == 0
    text = (tmp_path / "solutions.md").read_text().replace("&=", "=")  # an aligned row or not
    problems = [text.split(f"# Problem {k}")[1].split("# Problem")[0] for k in (1, 2, 3)]
    for problem, q, v in zip(problems, (r"\frac{1}{2}", r"\frac{4}{5}", r"\frac{3}{4}"), ("1", r"\frac{1}{4}", r"\frac{1}{3}")):
        row = rf"v = \frac{{1 - q}}{{q}} = \frac{{1 - {q}}}{{{q}}} = {v}"
        assert row in problem
        assert problem.index(row) < problem.index(r"\operatorname{Var}(z_{1}) = ")
