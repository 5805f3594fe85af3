"""The GIFT export, read back by a real GIFT parser (the npm package gift-pegjs under Node.js, which
.ci/run installs into .ci/node): every answer's interval holds the exact answer computed by the
test references, every mistake's interval holds that mistake's exact answer and no other, and the
question text comes back as the HTML question."""

import json
import os
import shutil
import subprocess
from fractions import Fraction
from pathlib import Path

import pytest

from symdrop.exercises.kinds import parse_kinds
from symdrop.exercises.options import Options
from symdrop.exercises.sheet import build_sheet
from symdrop.render.gift import escape_gift, sheet_gift
from symdrop.render.html import exercise_html
from symdrop.render.lms import decimal_text, intervals
from symdrop.render.options import RenderOptions
from symdrop.render.sheets import key_json

from .conftest import ALL_KINDS, ROOT, golden, missing, references

MODULES = ROOT / ".ci" / "node" / "node_modules"
PARSE = "const {parse} = require('gift-pegjs'); const fs = require('fs');" \
        "process.stdout.write(JSON.stringify(parse(fs.readFileSync(process.argv[1], 'utf8'))));"


def parse_gift(path: Path) -> list:
    if not (MODULES / "gift-pegjs").is_dir() or shutil.which("node") is None:
        missing("gift-pegjs (in .ci/node) or node", "npm install --prefix .ci/node gift-pegjs@1.0.2")
    out = subprocess.run(["node", "-e", PARSE, str(path)], capture_output=True, text=True, check=True,
                         env={**os.environ, "NODE_PATH": str(MODULES)})
    return json.loads(out.stdout)


def number(value) -> Fraction:
    return Fraction(repr(value))  # the shortest text of the parser's double: the decimal written


def test_decimals_and_intervals_by_hand():
    assert decimal_text(Fraction(-13, 20), 2) == "-0.65" and decimal_text(Fraction(7), 3) == "7"
    # 1/3 against 0.3: one place is not enough (0.3 +- 0.1 holds both), two are: 0.33 +- 0.01
    assert intervals([Fraction(1, 3), Fraction(3, 10)]) == [("0.33", "0.01"), ("0.3", "0")]
    assert escape_gift("a {b} = c: d ~ #e \\f\nnext") == "a \\{b\\} \\= c\\: d \\~ \\#e \\\\f\\nnext"


@pytest.mark.parametrize("answers", ["exact", "decimal"])
def test_every_question_reads_back_with_its_answer_and_its_mistakes(tmp_path, answers):
    kinds = parse_kinds(ALL_KINDS)
    sheet = build_sheet(9, Options(answers=answers), 10, kinds=kinds)
    path = tmp_path / "questions.gift"
    path.write_text(sheet_gift(sheet), encoding="utf-8")
    parsed = parse_gift(path)
    assert parsed[0]["type"] == "Category"
    questions = [q for q in parsed if q["type"] == "Numerical"]
    entries = {e["code"]: e for e in key_json(sheet)["problems"]}
    count = 0
    for e in sheet.exercises:
        entry = entries[e.code]
        right, wrong = references(entry)
        [q] = [q for q in questions if f"({e.code})" in q["title"]]  # one question per problem
        text = exercise_html(e, RenderOptions(diagram=False, decimals=sheet.options.decimals))["question"].strip()
        assert q["stem"]["format"] == "html" and q["stem"]["text"].startswith(text)
        spans = [(number(c["text"]["number"]), number(c["text"]["range"]), c) for c in q["choices"]]
        correct = [s for s in spans if s[2]["weight"] is None]
        # The number asked: the entry the most mistakes get wrong (by the references), the first on a tie.
        wrong_at = [sum(1 for m in e.mistakes if (Fraction(m.answer[i]) if wrong is None else wrong[m.name][i]) != right[i])
                    for i in range(len(right))]
        i = wrong_at.index(max(wrong_at))
        assert len(correct) == 1 and abs(correct[0][0] - right[i]) <= correct[0][1]
        if e.kind.tolerance is not None:  # irrational answers: every value within the kind's tolerance
            assert all(s[1] == e.kind.tolerance for s in spans)
        elif answers == "decimal":
            assert correct[0][1] == 0  # every answer terminates: checked exactly
        for a, b in ((a, b) for k, a in enumerate(spans) for b in spans[k + 1:]):
            assert abs(a[0] - b[0]) > a[1] + b[1]  # no value is right for two answers
        for m in e.mistakes:
            value = Fraction(m.answer[i]) if wrong is None else wrong[m.name][i]
            if value == right[i]:
                continue
            holds = [s for s in spans if abs(s[0] - value) <= s[1]]
            assert len(holds) == 1 and holds[0][2]["weight"] == 0, (e.code, m.name)
        count += 1
    assert count == len(questions) == len(sheet.exercises)


def test_sheet_writes_questions_gift_beside_the_documents(tmp_path):
    from symdrop.cli import main

    assert main(["sheet", "--seed", "2", "--problems", "2", "--kinds", "ensemble", "--format", "markdown,gift",
                 "--out", str(tmp_path)]) == 0
    assert (tmp_path / "questions.gift").read_text().startswith("$CATEGORY: symdrop/seed 2")
    assert main(["sheet", "--format", "gift,htm", "--out", str(tmp_path / "x")]) == 2


def test_hostile_names_come_back_literally(tmp_path):
    from symdrop.exercises.roster import Student
    from symdrop.exercises.sheet import build_class_set

    hostile = "Zoë & <b>O'Brien</b> ~ = # { } : \\ $x$"
    sheet = build_class_set(3, Options(), (Student("s1", hostile),), 1)
    path = tmp_path / "questions.gift"
    path.write_text(sheet_gift(sheet), encoding="utf-8")
    [question] = [q for q in parse_gift(path) if q["type"] == "Numerical"]
    assert question["title"] == f"Problem 1 ({sheet.exercises[0].code}), {hostile}"


def test_gift_golden():
    sheet = build_sheet(1, Options(answers="decimal"), 3, kinds=parse_kinds("forward,test-time,ensemble"))
    text = sheet_gift(sheet)
    assert text == golden("gift-seed1.gift", text)


def test_a_category_is_written_as_it_is(tmp_path):
    # Moodle reads $CATEGORY's line without undoing GIFT's escapes: "Week 3\\: x" would be its name.
    from symdrop.cli import main

    spec = tmp_path / "week.yaml"
    spec.write_text('title: "Week 3: dropout = fun"\ninput: [1]\nlayers:\n  - weights: [[2]]\n    bias: [1]\n'
                    "    activation: identity\nmasks:\n  - [1]\n", encoding="utf-8")
    out = tmp_path / "q.gift"
    assert main(["solve", str(spec), "--format", "gift", "-o", str(out)]) == 0
    assert out.read_text(encoding="utf-8").startswith("$CATEGORY: symdrop/Week 3: dropout = fun\n")
    parsed = parse_gift(out)
    assert parsed[0]["type"] == "Category" and parsed[0]["title"] == "symdrop/Week 3: dropout = fun"
    [question] = [q for q in parsed if q["type"] == "Numerical"]
    assert question["title"].startswith("Week 3: dropout = fun (")  # the spec's title names its question
    # y = 2 * 1 + 1 = 3 (the mask keeps the input)
    assert [c["text"]["number"] for c in question["choices"] if c["weight"] is None] == [3]


@pytest.mark.parametrize("args, category", [
    # the statistics kinds draw no network of a shape: the category states none, as their sheet does
    (["--kinds", "variance,nwgm"], "$CATEGORY: symdrop/seed 3, integers in -3..3, keep probabilities from 1//2, 2//3, 3//4, 4//5\n"),
    # a sigmoid sheet left at the default --shape draws 2-3-2-1 networks, as its sheet says
    (["--kinds", "forward", "--activation", "sigmoid"], "$CATEGORY: symdrop/seed 3, shape 2-3-2-1, integers in -3..3, keep "
     "probabilities from 1//2, 2//3, 3//4, 4//5, sigmoid hidden layers, answers to 4 decimal places\n"),
])
def test_the_category_states_the_shape_the_sheet_states(tmp_path, args, category):
    from symdrop.cli import main

    assert main(["sheet", "--seed", "3", "--problems", "2", *args, "--format", "gift", "--out", str(tmp_path)]) == 0
    assert (tmp_path / "questions.gift").read_text().splitlines(keepends=True)[0] == category
