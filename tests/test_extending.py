"""A new exercise kind is a Kind in the registry, a new LMS export a Format in the registry: sheets,
keys, exports, check and grade take them as they are, asking nothing of them by name."""

import json
from dataclasses import replace
from fractions import Fraction

from symdrop.cli import main
from symdrop.exercises import forward, kinds
from symdrop.render import formats

from . import reference

# What the module of a new kind gives: here forward's data-generating process, rules, mistakes and
# templates under another name and title (a real one would bring its own).
TOY = replace(forward.KIND, name="toy", title="a toy forward pass")


def prediction(spec: dict) -> list[Fraction]:
    """y of a key entry's spec, by the plain-fractions reference (plain masks, training pass)."""
    return reference.forward(*reference.from_spec(spec), spec["masks"])[-1][2]


def first_z(spec: dict) -> list[Fraction]:
    """z^(1) of a key entry's spec, by the reference."""
    return reference.forward(*reference.from_spec(spec), spec["masks"])[0][1]


def test_a_new_kind_is_a_line_in_the_registry(monkeypatch, tmp_path, capsys):
    monkeypatch.setitem(kinds.KINDS, "toy", TOY)
    out = tmp_path / "sheet"
    assert main(["sheet", "--kinds", "toy", "--problems", "2", "--seed", "5", "--out", str(out),
                 "--format", "latex,markdown,moodle,gift,qti"]) == 0
    key = json.loads((out / "key.json").read_text(encoding="utf-8"))
    assert [e["kind"] for e in key["problems"]] == ["toy", "toy"]
    for e in key["problems"]:
        assert [Fraction(v) for v in e["answer"]] == prediction(e["spec"])
    assert {"moodle.xml", "questions.gift", "qti.zip", "sheet.tex", "key.md"} <= {p.name for p in out.iterdir()}
    first, second = key["problems"]
    capsys.readouterr()

    # check: the right answer, and a known mistake's answer named as that mistake
    assert main(["check", "--key", str(out / "key.json"), "--code", first["code"], "--answer", "; ".join(first["answer"])]) == 0
    capsys.readouterr()
    mistake = first["mistakes"][0]
    assert main(["check", "--key", str(out / "key.json"), "--code", first["code"], "--format", "json",
                 "--answer", "; ".join(mistake["answer"])]) == 1
    result = json.loads(capsys.readouterr().out)
    assert result["kind"] == "toy" and mistake["id"] in [m["id"] for m in result["mistakes"]]

    # grade: a layer value and the answer of one problem right, the other problem's answer a mistake's
    answers = tmp_path / "answers.csv"
    z1 = "; ".join(str(v) for v in first_z(first["spec"]))
    answers.write_text("student,code,y,z1\n"
                       f"ana,{first['code']},\"{'; '.join(first['answer'])}\",\"{z1}\"\n"
                       f"ana,{second['code']},\"{'; '.join(second['mistakes'][0]['answer'])}\",\n", encoding="utf-8")
    assert main(["grade", "--key", str(out / "key.json"), "--answers", str(answers), "--out", str(tmp_path / "graded")]) == 0
    graded = json.loads((tmp_path / "graded" / "grades.json").read_text(encoding="utf-8"))
    parts = {(p["code"], p["part"]): p for p in graded["students"][0]["parts"]}
    assert parts[first["code"], "y"]["correct"] and parts[first["code"], "z1"]["correct"]
    assert not parts[second["code"], "y"]["correct"]
    assert second["mistakes"][0]["id"] in parts[second["code"], "y"]["mistakes"]
    # the rubric's defaults: y 4 points, z1 1 point, for each of the two problems
    assert graded["students"][0]["points"] == "5" and graded["students"][0]["max_points"] == "10"


def answer_list(sheet, options) -> str:
    """A new export's writer: one line per exercise, its code and answer."""
    return "".join(f"{e.code}: {'; '.join(str(v) for v in e.answer)}\n" for e in sheet.exercises)


def test_a_new_export_is_a_format_in_the_registry(monkeypatch, tmp_path, capsys):
    listed = formats.Format("answers", "txt", None, None, export="answers.txt", writer=f"{__name__}.answer_list")
    monkeypatch.setitem(formats.FORMATS, "answers", listed)
    out = tmp_path / "sheet"
    assert main(["sheet", "--problems", "3", "--seed", "2", "--out", str(out), "--format", "markdown,answers"]) == 0
    key = json.loads((out / "key.json").read_text(encoding="utf-8"))
    lines = (out / "answers.txt").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 3
    for line, e in zip(lines, key["problems"]):
        code, answer = line.split(": ")
        assert code == e["code"] and [Fraction(v) for v in answer.split("; ")] == prediction(e["spec"])
    assert main(["sheet", "--problems", "1", "--seed", "2", "--out", str(tmp_path / "parts"),
                 "--format", "answers", "--parts"]) == 2  # no cloze in it: --parts is refused
    # the refusal names the exports as the registry has them, the new one among those without cloze
    assert "GIFT, QTI, QTI 2.1, PrairieLearn and answers ask for the answer" in capsys.readouterr().err
