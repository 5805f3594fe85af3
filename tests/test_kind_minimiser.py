"""The kind penalty:minimiser: the weights minimising the expected loss against
tests/reference_minimiser.py (E[L] over every mask of every example, its quadratic's stationary
point), each mistake against the wrong model it stands for, a problem worked by hand, check and
grade, the options it refuses, and symdrop moments re-solving a key entry."""

import json
from fractions import Fraction

import pytest

from symdrop.cli import main
from symdrop.exercises import minimiser
from symdrop.exercises.generate import generate, stream
from symdrop.exercises.kinds import get
from symdrop.exercises.options import Options
from symdrop.model.spec import parse_spec, to_spec

from .reference_minimiser import answer, mistakes, read

KIND = get("penalty:minimiser")
OPTIONS = {"int": Options(), "half": Options(values="half")}


def agree(seeds, options: Options) -> None:
    for seed in seeds:
        batch = generate(stream(seed, "minimiser"), options, KIND)
        spec = to_spec(batch)
        right = answer(spec)
        assert list(KIND.compute_answer(batch)) == right
        expected = mistakes(spec)
        listed = {m.name: list(m.answer) for m in KIND.mistakes(batch)}
        assert listed == {name: w for name, w in expected.items() if w is not None and w != right}
        assert len({tuple(w) for w in listed.values()}) == len(listed)  # rule mistakes_distinct
        X, t, b, q, inverted = read(spec)  # the rules, by the reference
        assert any(v > b for v in t) and any(v < b for v in t)
        assert sum(x[0] * x[1] for x in X) != 0 and all(w != 0 for w in right)
        assert all(w.denominator <= 30 for w in right)


@pytest.mark.parametrize("values", OPTIONS)
def test_every_answer_and_mistake_is_the_references(values):
    agree(range(10), OPTIONS[values])


@pytest.mark.slow
@pytest.mark.parametrize("values", OPTIONS)
def test_more_seeds(values):
    agree(range(10, 50), OPTIONS[values])


# X rows (2, 1), (0, 1), (1, -1), t = (1, -1, 2), b = 0, plain, q = 1/2: sum x1^2 = 5, sum x2^2 = 3,
# sum x1 x2 = 1, X^T t = (4, -2). K = [[5, 1/2], [1/2, 3]], c = (4, -2), det K = 15 - 1/4 = 59/4;
# w1 = (4 * 3 - 1/2 * (-2)) / (59/4) = 52/59, w2 = (5 * (-2) - 1/2 * 4) / (59/4) = -48/59.
# Without the penalty q G w = X^T t: G^-1 (4, -2) = (1, -1), over q: (2, -2); one mask per
# example (K = q G): (1, -1).
HAND = {"input": [[2, 1], [0, 1], [1, -1]], "target": [[1], [-1], [2]],
        "layers": [{"weights": [[1, 1]], "bias": [0], "activation": "identity"}],
        "masks": [[[1, 1]], [[1, 1]], [[1, 1]]], "dropout": {"convention": "plain", "keep": ["1/2"]}}


def test_a_problem_by_hand(tmp_path, capsys):
    batch = parse_spec(HAND)
    assert KIND.compute_answer(batch) == (Fraction(52, 59), Fraction(-48, 59))
    assert answer(HAND) == [Fraction(52, 59), Fraction(-48, 59)]
    e = minimiser.equations(batch)
    assert e.K == ((5, Fraction(1, 2)), (Fraction(1, 2), 3)) and e.c == (4, -2) and e.det == Fraction(59, 4)
    found = {m.name: m.answer for m in KIND.mistakes(batch)}
    assert found["no_penalty"] == (2, -2) and found["shared_mask"] == (1, -1)
    assert "forgot_bias" not in found and "drop_for_keep" not in found  # b = 0; q = 1/2
    path = tmp_path / "p.json"
    path.write_text(json.dumps(HAND))
    assert main(["check", str(path), "--kind", "penalty:minimiser", "--answer", "52/59; -48/59"]) == 0
    capsys.readouterr()
    assert main(["check", str(path), "--kind", "penalty:minimiser", "--answer", "2; -2", "--format", "json"]) == 1
    assert [m["id"] for m in json.loads(capsys.readouterr().out)["mistakes"]] == ["no_penalty"]


def test_sheet_key_check_grade_and_moments(tmp_path, capsys):
    out = tmp_path / "sheet"
    assert main(["sheet", "--kinds", "forward,penalty:minimiser", "--problems", "2", "--seed", "4", "--out", str(out),
                 "--format", "markdown,moodle,gift,qti"]) == 0
    entry = json.loads((out / "key.json").read_text(encoding="utf-8"))["problems"][1]
    assert entry["kind"] == "penalty:minimiser" and [Fraction(v) for v in entry["answer"]] == answer(entry["spec"])
    mistake = entry["mistakes"][0]
    capsys.readouterr()
    assert main(["check", "--key", str(out / "key.json"), "--code", entry["code"], "--format", "json",
                 "--answer", "; ".join(mistake["answer"])]) == 1
    assert [m["id"] for m in json.loads(capsys.readouterr().out)["mistakes"]] == [mistake["id"]]
    answers = tmp_path / "answers.csv"
    answers.write_text(f"student,code,y\nana,{entry['code']},\"{'; '.join(entry['answer'])}\"\n", encoding="utf-8")
    assert main(["grade", "--key", str(out / "key.json"), "--answers", str(answers), "--out", str(tmp_path / "g")]) == 0
    assert json.loads((tmp_path / "g" / "grades.json").read_text(encoding="utf-8"))["students"][0]["points"] == "4"
    spec = tmp_path / "entry.json"
    spec.write_text(json.dumps(entry["spec"]))
    capsys.readouterr()
    assert main(["moments", str(spec), "--format", "json"]) == 0
    weights = json.loads(capsys.readouterr().out)["penalty"]["minimiser"]["weights"]
    assert [Fraction(v) for v in weights[0]] == answer(entry["spec"])


@pytest.mark.parametrize("flags", [["--values", "decimal"], ["--answers", "decimal"]])
def test_decimals_are_refused(tmp_path, capsys, flags):
    assert main(["sheet", "--kinds", "penalty:minimiser", "--out", str(tmp_path), *flags]) == 2
    assert "penalty:minimiser kind solves a 2 x 2 system" in capsys.readouterr().err


@pytest.mark.parametrize("span", ["0..1", "5..9"])
def test_a_range_with_no_bias_inside_or_no_input_is_refused_in_one_line(tmp_path, capsys, span):
    """0..1 leaves no bias strictly inside the range; 5..9 no input from -2 to 2 (X_MAX): both
    were a traceback (random.choice of an empty sequence)."""
    assert main(["sheet", "--kinds", "penalty:minimiser", "--range", span, "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"symdrop: error: --range {span}: the penalty:minimiser kind draws its bias strictly inside")
    assert len(err.strip().splitlines()) == 1 and not (tmp_path / "o").exists()


@pytest.mark.parametrize("convention, system", [
    ("plain", "$(q^2 G - v D) w = q X^T (t - b)$"),  # the solution's (q^2 G + v D) w = q X^T (t - b), v = q(1 - q)
    ("inverted", "$(G - v D) w = X^T (t - b)$"),     # the solution's (G + v D) w = X^T (t - b), v = (1 - q)/q
])
def test_penalty_sign_is_named_in_the_worked_solutions_symbols(convention, system):
    # The key and grade's feedback name this mistake to a student, who has seen G, D, v and q in the
    # worked solution but never an A or an m: the label writes the system as the solution does.
    # Its value: plain, q = 1/2, v = 1/4, G = [[5, 1], [1, 3]], D = diag(5, 3), X^T (t - b) = (4, -2):
    # (1/4 G - 1/4 D) w = 1/2 (4, -2) is [[0, 1/4], [1/4, 0]] w = (2, -1): w = (-4, 8).
    spec = {**HAND, "dropout": {"convention": convention, "keep": ["1/2"]}}
    found = {m.name: m for m in KIND.mistakes(parse_spec(spec))}
    label = found["penalty_sign"].label
    assert label == f"subtracted the penalty: {system}"
    if convention == "plain":
        assert found["penalty_sign"].answer == (-4, 8)
