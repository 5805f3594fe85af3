"""The kind dropconnect:forward: a training pass with given weight masks, its answer and every
listed mistake against tests/reference_model.py (the forward or inverted kind's wrong passes, as
tests/test_check_model.py makes them), its rules by the reference, a sheet to key, check and grade."""

import json
from fractions import Fraction

import pytest

from symdrop.cli import main
from symdrop.exercises.generate import generate, stream
from symdrop.exercises.kinds import get
from symdrop.exercises.options import Options
from symdrop.model.spec import to_spec

from . import reference_model as ref
from .test_check_model import BY_REFERENCE, preferred

KIND = get("dropconnect:forward")
OPTIONS = {"int": Options(), "half": Options(values="half"), "decimal": Options(values="decimal", answers="decimal")}


def agree(seeds, options: Options) -> None:
    for seed in seeds:
        network = generate(stream(seed, "dropconnect:forward"), options, KIND)
        spec = to_spec(network)
        model = ref.read(spec)
        assert model.kind == "dropconnect" and [len(layer.W[0]) for layer in model.layers] == [2, 3]  # 2-3-1
        right, found = BY_REFERENCE["inverted" if model.convention == "inverted" else "forward"](model)
        assert tuple(KIND.compute_answer(network)) == tuple(right)
        listed = {m.name: tuple(m.answer) for m in KIND.mistakes(network)}
        assert set(listed) == preferred(found, right) and all(listed[n] == tuple(found[n]) for n in listed)
        others = [v for n, v in listed.items() if n != "masks_flipped" and not n.startswith("swapped_masks_")]
        assert len(set(others)) == len(others) and "masked_units" in found  # the misreadings may share one
        for step, M in zip(ref.forward(model), model.masks[0]):  # rule masks_matter
            assert any(m == 0 and a != 0 for row in M for m, a in zip(row, step.a_prev)) and any(1 in row for row in M)
        if model.convention == "inverted":
            assert all(q != Fraction(1, 2) for Q in model.keep for row in Q for q in row)


@pytest.mark.parametrize("values", OPTIONS)
def test_every_answer_and_mistake_is_the_references(values):
    agree(range(10), OPTIONS[values])


@pytest.mark.slow
@pytest.mark.parametrize("values", OPTIONS)
def test_more_seeds(values):
    agree(range(10, 60), OPTIONS[values])


def test_sheet_key_check_and_grade(tmp_path, capsys):
    out = tmp_path / "sheet"
    assert main(["sheet", "--kinds", "dropconnect:forward", "--problems", "2", "--seed", "5", "--out", str(out),
                 "--format", "markdown,moodle,gift,qti"]) == 0
    entry = json.loads((out / "key.json").read_text(encoding="utf-8"))["problems"][0]
    assert entry["kind"] == "dropconnect:forward" and entry["spec"]["dropout"]["kind"] == "dropconnect"
    right, found = BY_REFERENCE["inverted" if entry["spec"]["dropout"]["convention"] == "inverted" else "forward"](
        ref.read(entry["spec"]))
    assert [Fraction(v) for v in entry["answer"]] == list(right)
    assert "M^{(1)} = \\begin{pmatrix}" in (out / "sheet.md").read_text(encoding="utf-8")
    capsys.readouterr()
    for mistake in entry["mistakes"]:
        assert main(["check", "--key", str(out / "key.json"), "--code", entry["code"], "--format", "json",
                     "--answer", mistake["answer"][0]]) == 1
        same = [m["id"] for m in entry["mistakes"] if m["answer"] == mistake["answer"]]  # all named
        assert [m["id"] for m in json.loads(capsys.readouterr().out)["mistakes"]] == same
    answers = tmp_path / "answers.csv"
    answers.write_text(f"student,code,y,z1\nana,{entry['code']},{entry['answer'][0]},\n", encoding="utf-8")
    assert main(["grade", "--key", str(out / "key.json"), "--answers", str(answers), "--out", str(tmp_path / "g")]) == 0
    graded = json.loads((tmp_path / "g" / "grades.json").read_text(encoding="utf-8"))["students"][0]
    assert graded["points"] == "4" and graded["max_points"] == "5"  # y right, z1 not given


def test_the_question_asks_for_each_of_its_two_layers(tmp_path):
    """A 2-3-1 network's question asks for l = 1, 2 (by hand), not "l = 1, ..., 2"."""
    assert main(["sheet", "--kinds", "dropconnect:forward", "--seed", "1", "--problems", "1", "--format", "markdown",
                 "--no-diagram", "--out", str(tmp_path)]) == 0
    text = (tmp_path / "sheet.md").read_text(encoding="utf-8")
    assert "$a^{(l)}$ for $l = 1, 2$, and the prediction" in text and "\\dots, 2$" not in text
