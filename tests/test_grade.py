"""symdrop grade: a simulated class of 300 graded with totals computed independently, error
carried forward, nothing lost (every row graded or listed with its reason), hostile cells,
rubrics, the long form, malformed files, byte-identical outputs."""

import csv
import io
import json
import random
import re
from collections import Counter
from fractions import Fraction

import pytest

from symdrop.cli import main

from .backprop_reference import expected_mistakes as backprop_mistakes
from .reference import Spec, answer, expected_mistakes, forward_mistakes


def class_set(tmp_path, students: int, kinds: str = "forward,inverted", problems: int = 1, names=None):
    roster = tmp_path / "roster.csv"
    with roster.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(["id", "name"])
        for i in range(students):
            writer.writerow([f"s{i:03d}", (names or {}).get(i, f"Student {i}")])
    out = tmp_path / "sheet"
    assert main(["sheet", "--seed", "21", "--roster", str(roster), "--kinds", kinds, "--problems", str(problems),
                 "--format", "markdown", "--no-diagram", "--out", str(out)]) == 0
    return json.loads((out / "key.json").read_text()), out / "key.json"


def mistakes_of(entry) -> dict:
    p = Spec(entry["spec"])
    return forward_mistakes(p) if entry["kind"] == "forward" else expected_mistakes(entry["kind"], p)


def text(values) -> str:
    return "; ".join(str(v) for v in values)


def write_answers(path, rows, header=("student", "code", "y")):
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(header)
        writer.writerows(rows)


@pytest.mark.slow
def test_a_simulated_class_of_300_is_graded_exactly(tmp_path, capsys):
    key, key_path = class_set(tmp_path, 300)
    rng = random.Random(5)
    rows, expected, reasons = [], {}, {}
    rubric = tmp_path / "rubric.yaml"
    rubric.write_text("points: {y: 4}\nmistake: 1/2\n", encoding="utf-8")
    for entry in key["problems"]:
        student, code = entry["student"], entry["code"]
        right = answer(entry["kind"], Spec(entry["spec"]))
        kind = rng.choice(["correct", "mistake", "noise", "garbage", "missing", "duplicate", "decimal comma"])
        if kind == "correct":
            rows.append([student, code, text(right)]); expected[student] = Fraction(4)
        elif kind == "decimal comma":  # the same answer, a decimal comma where it is a decimal
            value = right[0]
            written = str(value) if value.denominator == 1 else None
            if written is None and 10**4 % value.denominator == 0:
                written = f"{float(value):.4f}".rstrip("0").replace(".", ",")
            rows.append([student, code, written or str(value)]); expected[student] = Fraction(4)
        elif kind == "mistake":
            mistake = rng.choice(entry["mistakes"])
            value = mistakes_of(entry)[mistake["id"]]
            rows.append([student, "", text(value)]); expected[student] = Fraction(2)  # half of 4 (the rubric)
        elif kind == "noise":
            value = [right[0] + Fraction(rng.randint(1, 9), 7)]
            wrong = [m for m in mistakes_of(entry).values() if list(m) == value]
            rows.append([student, code, text(value)]); expected[student] = Fraction(2) if wrong else Fraction(0)
        elif kind == "garbage":
            rows.append([student, code, "=cmd|' /C calc'!A0"]); reasons[student] = "unreadable number"
            expected[student] = Fraction(0)  # counted as no answer: the maximum stays 4
        elif kind == "missing":
            reasons[student] = "no answers"
        else:  # answered twice: the last readable answer is graded, the earlier one listed
            rows.append([student, code, text(right)]); rows.append([student, code, "0"])
            listed = {m["id"] for m in entry["mistakes"]}
            wrong = [m for n, m in mistakes_of(entry).items() if n in listed and list(m) == [0]]
            expected[student] = Fraction(2) if wrong else Fraction(0); reasons[student] = "duplicate answer"
    rows.append(["nobody", "", "1"]); rows.append(["s001", "ZZZZZZ", "1"])
    answers = tmp_path / "answers.csv"
    write_answers(answers, rows)
    assert main(["grade", "--key", str(key_path), "--answers", str(answers), "--rubric", str(rubric),
                 "--format", "html", "--out", str(tmp_path / "grades")]) == 0
    err = capsys.readouterr().err
    data = json.loads((tmp_path / "grades" / "grades.json").read_text())
    got = {s["student"]: Fraction(s["points"]) for s in data["students"]}
    assert got == expected
    assert all(s["max_points"] == "4" for s in data["students"])
    listed = {}
    for u in data["ungraded"]:
        listed.setdefault(u["student"], []).append(u["reason"])
    for student, reason in reasons.items():
        assert any(reason in r for r in listed[student]), (student, listed.get(student))
    assert "unknown student 'nobody'" in listed["nobody"][0] and any("ZZZZZZ" in r for r in listed["s001"])
    # nothing lost: every row is graded (its student graded) or listed by row number
    graded_rows = {i + 2 for i, r in enumerate(rows) if r[0] in got}
    listed_rows = {u["row"] for u in data["ungraded"] if u["row"] is not None}
    assert graded_rows | listed_rows >= set(range(2, len(rows) + 2))
    assert err.count("not graded") == len(data["ungraded"])
    written = (tmp_path / "grades" / "grades.csv").read_text(encoding="utf-8")
    assert written.startswith("\ufeffid,name,")  # the byte-order mark Excel needs to read UTF-8, as in key.csv
    table = list(csv.reader(io.StringIO(written.removeprefix("\ufeff"))))
    assert table[0][:4] == ["id", "name", "points", "max_points"] and len(table) == len(got) + 1
    assert (tmp_path / "grades" / "report.svg").read_text().startswith("<svg")
    assert len(list((tmp_path / "grades" / "feedback").glob("*.html"))) == len(got)
    # A feedback page lists a problem's answers as a list (<ul>, an <li> each), as screen readers announce one.
    for page in (tmp_path / "grades" / "feedback").glob("*.html"):
        html = page.read_text(encoding="utf-8")
        assert "•" not in html and "<br>" not in html and html.count("<li>") == html.count("</li>") >= 1
        assert sum(block.count("<li>") for block in re.findall(r"<ul>\n(.*?)</ul>", html, re.S)) == html.count("<li>")
    # The class report as a page (--format html): students per tenth of the maximum, from the
    # points computed above (full marks in the last tenth), the chart inline.
    page = (tmp_path / "grades" / "report.html").read_text(encoding="utf-8")
    bins = [0] * 10
    for points in expected.values():
        bins[min(9, int(points / 4 * 10))] += 1
    shown = [int(n) for n in re.findall(r"\d+–\d+%</span></td><td>(\d+)</td>", page)]
    assert shown == bins and sum(bins) == len(got) == 300 - len([r for r in reasons.values() if r == "no answers"])
    assert f"{len(got)} students graded" in page and page.count("<svg") == 1 and 'role="img"' in page
    # Its mistakes in the key's words (each id as key.json words it, its formulas as math: "$y = 0$"
    # is key.json's plain "y = 0"), with the students of each.
    words = {m["id"]: m.get("label_tex", m["label"]) for e in key["problems"] for m in e["mistakes"]}
    report = (tmp_path / "grades" / "report.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| (.+?) \| `(\w+)` \| (\d+) \|$", report, re.M)
    assert rows and all(label == words[id_] for label, id_, _ in rows)
    assert any("$" in label for label, _, _ in rows)
    made = Counter(m for s in data["students"] for m in {m for p in s["parts"] for m in p["mistakes"]})
    assert {id_: int(n) for _, id_, n in rows} == made


def test_error_carried_forward_earns_the_later_steps(tmp_path):
    """The tutorial's network as a one-problem key: a slip in z1 (3, 1, 2 for 3, 1, -2), then
    every step right from it (worked by hand in tests/test_check.py): z1 loses its point, a1 .. y
    are right given the slip and earn theirs (carried_forward: 1, the default)."""
    from symdrop import example
    from symdrop.model.spec import to_spec

    key = {"seed": 0, "problems": [{"code": "TUTORL", "number": 1, "kind": "forward", "spec": to_spec(example()),
                                    "answer": ["7"], "mistakes": []}]}
    key_path = tmp_path / "key.json"
    key_path.write_text(json.dumps(key), encoding="utf-8")
    answers = tmp_path / "answers.csv"
    write_answers(answers, [["ada", "TUTORL", "1", "3; 1; 2", "(3, 1, 2)", "8; -2; 1"]],
                  header=("student", "code", "y", "z1", "a1", "z2"))
    assert main(["grade", "--key", str(key_path), "--answers", str(answers), "--out", str(tmp_path / "g")]) == 0
    student = json.loads((tmp_path / "g" / "grades.json").read_text())["students"][0]
    assert [(p["part"], p["correct"], p["carried_forward"], p["points"]) for p in student["parts"]] == [
        ("z1", False, False, "0"), ("a1", False, True, "1"), ("z2", False, True, "1"), ("y", False, True, "4")]
    assert (student["points"], student["max_points"]) == ("6", "7")
    feedback = next((tmp_path / "g" / "feedback").iterdir()).read_text()
    assert "right given your own earlier values" in feedback and "first went off track" in feedback
    assert "Student id ada: 6 of 7 points." in feedback


def test_a_feedback_page_writes_a_matrix_answer_row_by_row(tmp_path):
    """backprop's answer dL/dW^(1) has a row per unit of the first layer and a column per input:
    the feedback page writes the right value so, as the student writes it (its own shape 2-3-2-1)."""
    key, key_path = class_set(tmp_path, 1, kinds="backprop")
    entry = key["problems"][0]
    rows, columns = len(entry["spec"]["layers"][0]["weights"]), len(entry["spec"]["input"])
    assert (rows, columns) == (3, 2)
    answers = tmp_path / "answers.csv"
    write_answers(answers, [[entry["student"], entry["code"], "; ".join(["1 1"] * rows)]])
    assert main(["grade", "--key", str(key_path), "--answers", str(answers), "--out", str(tmp_path / "g")]) == 0
    page = (tmp_path / "g" / "feedback" / "s000.md").read_text(encoding="utf-8")
    written = re.search(r"The right value is \$(.*?)\$\.", page).group(1).split("; ")
    assert len(written) == rows and all(row.startswith("(") and row.count(",") == columns - 1 for row in written)


def test_each_feedback_page_shows_its_own_students_total(tmp_path):
    """Three students, three totals of y's 4 points: the right answer 4, a known mistake's answer
    half of them (the rubric's ``mistake: 1/2``), any other number 0: each page says its own
    student's."""
    key, key_path = class_set(tmp_path, 3, kinds="forward")
    rows = []
    for entry, given in zip(key["problems"], ("right", "mistake", "wrong")):
        p = Spec(entry["spec"])
        right = answer("forward", p)
        mistaken = forward_mistakes(p)[entry["mistakes"][0]["id"]]
        values = {"right": right, "mistake": mistaken, "wrong": [v + Fraction(1, 7) for v in right]}[given]
        rows.append([entry["student"], entry["code"], "; ".join(map(str, values))])
    answers = tmp_path / "answers.csv"
    write_answers(answers, rows)
    rubric = tmp_path / "rubric.yaml"
    rubric.write_text("mistake: 1/2\n", encoding="utf-8")
    assert main(["grade", "--key", str(key_path), "--answers", str(answers), "--rubric", str(rubric),
                 "--out", str(tmp_path / "g")]) == 0
    for student, total in zip(("s000", "s001", "s002"), ("4 of 4", "2 of 4", "0 of 4")):
        page = (tmp_path / "g" / "feedback" / f"{student}.md").read_text(encoding="utf-8")
        assert f"Student id {student}: {total} points." in page


def test_the_long_form_and_a_tolerance(tmp_path):
    key, key_path = class_set(tmp_path, 3, kinds="inverted")
    rows = []
    for entry in key["problems"]:
        right = answer("inverted", Spec(entry["spec"]))[0]
        rows.append([entry["student"], entry["code"], "y", f"{float(right):.2f}".replace(".", ",")])
    answers = tmp_path / "long.csv"
    write_answers(answers, rows, header=("student", "code", "part", "answer"))
    assert main(["grade", "--key", str(key_path), "--answers", str(answers), "--tolerance", "0.005",
                 "--out", str(tmp_path / "g")]) == 0
    data = json.loads((tmp_path / "g" / "grades.json").read_text())
    assert [s["points"] for s in data["students"]] == ["4"] * 3 and data["ungraded"] == []


def test_hostile_names_are_neutralised_in_grades_csv(tmp_path):
    names = {0: "=HYPERLINK(\"http://x\")", 1: "+1+1", 2: "@SUM(A1)", 3: "-2"}
    key, key_path = class_set(tmp_path, 4, kinds="forward", names=names)
    rows = [[e["student"], "", e["answer"][0]] for e in key["problems"]]
    answers = tmp_path / "a.csv"
    write_answers(answers, rows)
    assert main(["grade", "--key", str(key_path), "--answers", str(answers), "--out", str(tmp_path / "g")]) == 0
    table = list(csv.reader(io.StringIO((tmp_path / "g" / "grades.csv").read_text(encoding="utf-8-sig"))))
    assert [row[1] for row in table[1:]] == ["'" + names[i] for i in range(4)]
    assert json.loads((tmp_path / "g" / "grades.json").read_text())["students"][0]["name"] == names[0]


@pytest.mark.parametrize("content, message", [
    ("", "empty; expected a header row"),
    ("code,y\nX,1\n", "missing column 'student'"),
    ("student,y,colour\ns1,1,red\n", "unknown column 'colour'"),
    ("student,y,y\ns1,1,1\n", "column 'y' appears twice"),
    ("student,code,y\n", "bad.csv: no answers (only a header row)"),
    ("student,code,y\n\n , ,\n", "bad.csv: no answers (only a header row)"),  # blank rows are none
    ('student,code,y\ns1,X,7\ns2,X,"1\n', "bad.csv: row 3: not valid CSV: unexpected end of data (a quote opened in this row"),
])
def test_a_malformed_answers_file_is_one_line_exit_2_and_no_files(tmp_path, capsys, content, message):
    key, key_path = class_set(tmp_path, 2, kinds="forward")
    capsys.readouterr()
    answers = tmp_path / "bad.csv"
    answers.write_text(content, encoding="utf-8")
    assert main(["grade", "--key", str(key_path), "--answers", str(answers), "--out", str(tmp_path / "g")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err, err
    assert not (tmp_path / "g").exists()


def test_the_same_inputs_give_byte_identical_outputs(tmp_path):
    key, key_path = class_set(tmp_path, 5, kinds="forward,ensemble", problems=2)
    rows = [[e["student"], e["code"], e["answer"][0] if i % 3 else "1/3"] for i, e in enumerate(key["problems"])]
    answers = tmp_path / "a.csv"
    write_answers(answers, rows)
    outputs = []
    for run in ("one", "two"):
        assert main(["grade", "--key", str(key_path), "--answers", str(answers), "--out", str(tmp_path / run)]) == 0
        outputs.append({p.relative_to(tmp_path / run): p.read_bytes() for p in sorted((tmp_path / run).rglob("*"))
                        if p.is_file()})
    assert outputs[0] == outputs[1] and len(outputs[0]) == 5 + 5


def test_feedback_and_report_compile_to_pdf(tmp_path):
    from .conftest import require_pdflatex

    require_pdflatex()
    key, key_path = class_set(tmp_path, 2, kinds="test-time,backprop", problems=2,
                              names={0: "Zoë O'Brien", 1: "Ana_#1 & co"})
    rows = [[e["student"], e["code"], "; ".join(e["mistakes"][0]["answer"])] for e in key["problems"]]
    answers = tmp_path / "a.csv"
    write_answers(answers, rows)
    assert main(["grade", "--key", str(key_path), "--answers", str(answers), "--out", str(tmp_path / "g"),
                 "--pdf"]) == 0
    pdfs = sorted((tmp_path / "g" / "feedback").glob("*.pdf"))
    assert len(pdfs) == 2 and (tmp_path / "g" / "report.pdf").read_bytes().startswith(b"%PDF")
    import subprocess

    text = subprocess.run(["pdftotext", str(pdfs[0]), "-"], capture_output=True, text=True, check=True).stdout
    assert "Feedback for" in text and key["problems"][0]["mistakes"][0]["id"] in text


def test_every_kind_and_mistake_fed_back_through_grade_is_named(tmp_path):
    """Each student answers each problem with one of its mistakes (cycling through them), the
    wrong answer computed by the test references; grades.json names exactly that mistake and
    every other listed one whose reference answer is the same (a misreading of the masks)."""
    key, key_path = class_set(tmp_path, 8, kinds="forward,inverted,test-time,ensemble,backprop", problems=5)
    rows, chosen, named_too = [], {}, {}
    for i, entry in enumerate(key["problems"]):
        ids = [m["id"] for m in entry["mistakes"]]
        mistake = ids[i % len(ids)]
        values = backprop_mistakes(Spec(entry["spec"])) if entry["kind"] == "backprop" else mistakes_of(entry)
        rows.append([entry["student"], entry["code"], text(values[mistake])])
        chosen[entry["student"], entry["code"]] = mistake
        named_too[entry["student"], entry["code"]] = [n for n in ids if values[n] == values[mistake]]
    answers = tmp_path / "a.csv"
    write_answers(answers, rows)
    assert main(["grade", "--key", str(key_path), "--answers", str(answers), "--out", str(tmp_path / "g")]) == 0
    data = json.loads((tmp_path / "g" / "grades.json").read_text())
    assert data["ungraded"] == []
    named = {(s["student"], p["code"]): p["mistakes"] for s in data["students"] for p in s["parts"]}
    assert named == named_too and all(chosen[k] in v for k, v in named.items())
    assert len(set(chosen.values())) >= 15  # most mistake ids of the five kinds came back


def test_every_student_of_a_problem_has_the_same_maximum_and_columns_line_up(tmp_path):
    """Work shown or not, an unreadable cell or a blank: the maximum of a problem is the same;
    a semicolon-separated file takes decimal commas unquoted; grades.csv's code_k is the k-th
    problem of the key for everyone."""
    key, key_path = class_set(tmp_path, 3, kinds="forward", problems=2)
    e = {(x["student"], x["number"]): x for x in key["problems"]}
    z1 = lambda entry: " ".join(str(v) for v in reference_z1(entry))  # noqa: E731  (spaces: ; separates cells)
    lines = ["student;code;y;z1",
             f"s000;{e['s000', 1]['code']};{e['s000', 1]['answer'][0]};{z1(e['s000', 1])}",
             f"s000;{e['s000', 2]['code']};{e['s000', 2]['answer'][0]};",
             f"s001;{e['s001', 1]['code']};banana;",
             f"s001;{e['s001', 2]['code']};{e['s001', 2]['answer'][0].replace('.', ',')};",
             f"s002;{e['s002', 2]['code']};{e['s002', 2]['answer'][0]};"]
    answers = tmp_path / "semi.csv"
    answers.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert main(["grade", "--key", str(key_path), "--answers", str(answers), "--out", str(tmp_path / "g")]) == 0
    data = json.loads((tmp_path / "g" / "grades.json").read_text())
    points = {s["student"]: (s["points"], s["max_points"]) for s in data["students"]}
    # each problem: y 4 + z1 1 (the file has a z1 column), so 10 for two problems
    assert points == {"s000": ("9", "10"), "s001": ("4", "10"), "s002": ("4", "10")}
    assert any("unreadable number" in u["reason"] and u["student"] == "s001" for u in data["ungraded"])
    table = list(csv.reader(io.StringIO((tmp_path / "g" / "grades.csv").read_text(encoding="utf-8-sig"))))
    for row in table[1:]:
        assert row[4] == e[row[0], 1]["code"] and row[7] == e[row[0], 2]["code"]


def reference_z1(entry):
    from . import reference

    p = Spec(entry["spec"])
    return reference.forward(p.x, p.layers, p.masks)[0][1]


def tutorial_key(tmp_path):
    """The tutorial as a one-problem key (code TUTORL), its digest as sheet writes it."""
    from .test_keys import entry

    path = tmp_path / "key.json"
    path.write_text(json.dumps({"seed": 0, "problems": [entry()]}), encoding="utf-8")
    return path


def graded(tmp_path, rows, header=("student", "code", "y"), rubric: str | None = None):
    answers = tmp_path / "answers.csv"
    write_answers(answers, rows, header=header)
    extra = []
    if rubric is not None:
        (tmp_path / "rubric.yaml").write_text(rubric, encoding="utf-8")
        extra = ["--rubric", str(tmp_path / "rubric.yaml")]
    out = tmp_path / "g"
    assert main(["grade", "--key", str(tutorial_key(tmp_path)), "--answers", str(answers), "--out", str(out), *extra]) == 0
    return json.loads((out / "grades.json").read_text()), out


@pytest.mark.parametrize("cells, points, listed", [
    (["seven", "7"], "4", [(2, "unreadable number: TUTORL part y: expected a number like 7, -3/4, -0.75 or -0,75, "
                                "got 'seven'; row 3, the last readable one, is graded")]),
    (["7", "seven"], "4", [(3, "unreadable number: TUTORL part y: expected a number like 7, -3/4, -0.75 or -0,75, "
                                "got 'seven'; row 2, the last readable one, is graded")]),
    (["1; 2", "7"], "4", [(2, "unreadable number: TUTORL part y: expected 1 number, got 2; row 3, the last readable "
                              "one, is graded")]),
    (["7", "27"], "0", [(2, "duplicate answer for TUTORL part y: row 3, the last readable one, is graded")]),
    (["seven", "eight"], "0", [(2, "unreadable number, counted as no answer: TUTORL part y: expected a number like 7, "
                                   "-3/4, -0.75 or -0,75, got 'seven'"),
                               (3, "unreadable number, counted as no answer: TUTORL part y: expected a number like 7, "
                                   "-3/4, -0.75 or -0,75, got 'eight'")]),
])
def test_the_last_readable_answer_is_graded_and_every_other_listed(tmp_path, cells, points, listed):
    """The tutorial's answer is 7 (by hand, tests/test_check.py); 27 is no answer of full marks."""
    data, _ = graded(tmp_path, [["ada", "TUTORL", cell] for cell in cells])
    assert data["students"][0]["points"] == points and data["students"][0]["max_points"] == "4"
    assert [(u["row"], u["reason"]) for u in data["ungraded"]] == listed


# The tutorial worked by hand with the ReLU of layer 1 forgotten, every later value consistent:
# z1 = (3, 1, -2) (right), a1 = z1 (the mistake), a~1 = mu1 . a1 = (3, 0, -2), z2 = (3 - 4 + 1,
# -6 - 2 + 2, 3 + 2) = (0, -6, 5), a2 = (0, 0, 5), a~2 = (0, 0, 5), z3 = (-5 + 2, 5 - 1) = (-3, 4),
# a3 = (0, 4), a~3 = (0, 4), y = 3 * 4 + 1 = 13, the answer of forgot_relu_1.
WORK = ("student", "code", "y", "z1", "a1", "z2", "a2", "z3", "a3")
FORGOT_RELU_1 = ["13", "3; 1; -2", "3; 1; -2", "0; -6; 5", "0; 0; 5", "-3; 4", "0; 4"]
ALONE = ["13", "", "", "", "", "", ""]
# the same, then a slip in z3: (-3, 5), so a3 = (0, 5) and y = 3 * 5 + 1 = 16 (no mistake's answer)
SLIP_AFTER = ["16"] + FORGOT_RELU_1[1:5] + ["-3; 5", "0; 5"]


@pytest.mark.parametrize("rubric, cells, points", [
    ("", FORGOT_RELU_1, "1"),  # z1's point; a1 is the mistake, the later values earn no credit, y 0
    ("", ALONE, "0"),  # the same answer alone: y scores alike
    ("", SLIP_AFTER, "1"),  # a slip after the mistake earns nothing more
    ("mistake: 1/2\n", FORGOT_RELU_1, "3"),  # z1, and y half of 4 as the mistake's answer
    ("mistake: 1/2\n", ALONE, "2"),
    ("mistake: 1/2\n", SLIP_AFTER, "1"),
    ("carry_forward_mistakes: true\n", FORGOT_RELU_1, "9"),  # carried forward: z1, z2 .. a3 and y 4
    ("carry_forward_mistakes: true\n", ALONE, "0"),
])
def test_a_named_mistake_carried_forward_scores_as_its_answer_alone(tmp_path, rubric, cells, points):
    data, _ = graded(tmp_path, [["ada", "TUTORL", *cells]], header=WORK, rubric=rubric)
    student = data["students"][0]
    assert (student["points"], student["max_points"]) == (points, "10")
    if cells is FORGOT_RELU_1:
        parts = {p["part"]: p for p in student["parts"]}
        assert parts["a1"]["mistakes"] == ["forgot_relu_1", "forgot_all_relus"]  # the step where it was made
        assert [p["after_mistake"] for p in student["parts"]] == [False, False, True, True, True, True, True]
        assert parts["y"]["mistakes"] == ["forgot_relu_1"] and parts["y"]["carried_forward"]


def test_an_answer_two_mistakes_give_names_both_in_grades_and_feedback(tmp_path):
    """1 is the tutorial's bias b4, dropping the output's inputs, and what swapping mu1 = (1, 0, 1)
    and mu2 = (0, 1, 1) gives: a~1 = (0, 1, 0), z2 = (-1 + 1, 1 + 2, 1) = (0, 3, 1), a~2 =
    (0, 0, 1), z3 = (-1 + 2, 1 - 1) = (1, 0), a~3 = mu3 . (1, 0) = (0, 0), y = 1."""
    data, out = graded(tmp_path, [["ada", "TUTORL", "1"]])
    assert data["students"][0]["parts"][0]["mistakes"] == ["swapped_masks_1_2", "dropped_output_bias"]
    feedback = (out / "feedback" / "ada.md").read_text(encoding="utf-8")
    assert "swapped the masks of hidden layers 1 and 2" in feedback and "its bias left" in feedback


def test_carry_forward_mistakes_is_true_or_false(tmp_path, capsys):
    (tmp_path / "r.yaml").write_text("carry_forward_mistakes: yes\n", encoding="utf-8")
    (tmp_path / "a.csv").write_text("student,code,y\nada,TUTORL,7\n", encoding="utf-8")
    assert main(["grade", "--key", str(tutorial_key(tmp_path)), "--answers", str(tmp_path / "a.csv"), "--rubric",
                 str(tmp_path / "r.yaml"), "--out", str(tmp_path / "g")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "carry_forward_mistakes: expected true or false, got 'yes'" in err


def test_feedback_is_named_after_the_student_and_shows_answers_as_typed(tmp_path):
    """Each student's feedback file is named after their id (its safe characters; where the id
    has others, or differs from another only in case, or is a device name on Windows, the first
    8 hex digits of its SHA-256 follow), whatever their first problem; the Markdown shows the
    answers as typed (-26.0, not \\-26\\.0): in a code span, where nothing needs escaping."""
    import hashlib

    from symdrop import example
    from symdrop.model.spec import to_spec

    ids = ["s01", "a/b", "a_b", "Ab", "aB", "CON", "-x", "../.."]
    problems = [{"code": f"TUTOR{k}{i}", "number": k, "kind": "forward", "spec": to_spec(example()), "answer": ["7"],
                 "mistakes": [], "student": student, "name": f"Student {student}"}
                for i, student in enumerate(ids) for k in (1, 2)]  # codes once each, as in every key
    key_path = tmp_path / "key.json"
    key_path.write_text(json.dumps({"seed": 0, "problems": problems}), encoding="utf-8")
    answers = tmp_path / "answers.csv"
    write_answers(answers, [[student, f"TUTOR{k}{i}", "-26.0" if k == 1 else "[3 0 -2]"] for i, student in enumerate(ids)
                            for k in (1, 2)])
    assert main(["grade", "--key", str(key_path), "--answers", str(answers), "--out", str(tmp_path / "g")]) == 0
    sha = lambda s: hashlib.sha256(s.encode("utf-8")).hexdigest()[:8]  # noqa: E731
    expected = ["s01", f"a_b-{sha('a/b')}", "a_b", f"Ab-{sha('Ab')}", f"aB-{sha('aB')}", f"CON-{sha('CON')}",
                f"x-{sha('-x')}", sha("../..")]
    assert sorted(p.name for p in (tmp_path / "g" / "feedback").iterdir()) == sorted(f"{n}.md" for n in expected)
    for student, name in zip(ids, expected):
        text = (tmp_path / "g" / "feedback" / f"{name}.md").read_text(encoding="utf-8")
        assert f"Student id {student}: " in text  # these ids hold nothing Markdown acts on
        assert "you wrote `-26.0`." in text and "you wrote `[3 0 -2]`, which cannot be read as 1 number" in text
        assert "\\-" not in text and "\\." not in text


@pytest.mark.parametrize("text, size, numbers", [
    ("4,-4;0,0;0,0", 6, "4 -4 0 0 0 0"),  # commas separate, as the self-check reads a matrix row by row
    ("0,0;0,0;-18,0", 6, "0 0 0 0 -18 0"),
    ("0,5; 1,25", 2, "1/2 5/4"),  # decimal commas where ";" separates
    ("-0,75", 1, "-3/4"), ("1,5", 1, "3/2"), ("1,5", 2, "1 5"), ("(3, 0, -2)", 3, "3 0 -2"),
])
def test_commas_are_read_the_way_that_gives_the_parts_count(text, size, numbers):
    from symdrop.grading.answers import parse_vector
    assert parse_vector(text, "y", size) == tuple(Fraction(n) for n in numbers.split())


def test_feedback_says_an_unreadable_answer_cannot_be_read(tmp_path):
    """The tutorial's answer is 7 (by hand): "7,0" is 7 with a decimal comma; "seven" is no number."""
    data, out = graded(tmp_path, [["ada", "TUTORL", "7,0"], ["bob", "TUTORL", "seven"]])
    assert [s["points"] for s in data["students"]] == ["4", "0"]
    bob = (out / "feedback" / "bob.md").read_text(encoding="utf-8")
    assert "you wrote `seven`, which cannot be read as 1 number" in bob
    assert "cannot be read" not in (out / "feedback" / "ada.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("activation", ["relu", "sigmoid"])
def test_a_feedback_pages_step_is_the_step_of_the_kinds_derivation(activation):
    """A feedback page derives the one step it shows (core.derive.numeric_step in the kind's
    mode): for every kind with layer values, each step reads as the kind's whole derivation has it."""
    from symdrop.core.derive import numeric_step
    from symdrop.exercises.kinds import KINDS
    from symdrop.exercises.options import Options
    from symdrop.exercises.sheet import build_sheet
    from symdrop.render.documents import step_rows

    kinds = [k for k in KINDS.values() if k.has_layer_values and (activation == "relu" or k.smooth is not None)]
    assert len(kinds) >= 3
    for kind in kinds:
        e = build_sheet(2, Options(activation=activation), 1, kinds=(kind,)).exercises[0]
        for l in range(1, e.network.depth + 1):
            assert step_rows(numeric_step(e.network, l, kind.mode)) == step_rows(e.derivation.steps[l - 1]), (kind.name, l)


@pytest.mark.parametrize("values", [[], [Fraction(4)], [Fraction(1, 2), Fraction(1, 3), Fraction(-5, 6)],
                                    [Fraction(4), Fraction(0), Fraction(-1, 4), Fraction(10, 3), 2],
                                    [Fraction(7, 10**20), Fraction(-7, 10**20)], [Fraction(2, 3)] * 21])
def test_total_is_the_plain_sum(values):
    """grade.total (points summed over one common denominator) against the plain Fraction sum."""
    from symdrop.grading.grade import total

    got, plain = total(values), sum(values, Fraction(0))
    assert type(got) is Fraction and (got.numerator, got.denominator) == (plain.numerator, plain.denominator)


def test_a_students_points_are_the_sums_of_its_parts_as_they_change():
    """StudentGrade's points and maximum: its parts' sums, by hand, after each change of them."""
    from symdrop.grading.grade import GradedPart, StudentGrade

    def part(points, most):
        return GradedPart("A1", "y", "1", (), False, (), False, Fraction(points), Fraction(most))

    s = StudentGrade("s1", "", [part(1, 4), part(Fraction(1, 2), 1)])
    assert (s.points, s.max_points) == (Fraction(3, 2), 5)
    s.parts.append(part(Fraction(1, 3), 2))
    assert (s.points, s.max_points) == (Fraction(11, 6), 7)
    s.parts[0] = part(4, 4)
    assert (s.points, s.max_points) == (Fraction(29, 6), 7)


@pytest.mark.parametrize("shares, mean", [
    ([(1, 3), (2, 6)], "33.3% (exactly 1/3)"),  # 333.33... tenths of a percent: rounded
    ([(1, 2), (4, 4)], "75.0%"),
    ([(2, 3)], "66.7% (exactly 2/3)"),  # 666.66...: rounded up
    ([(1, 8)], "12.5%"),
])
def test_the_reports_mean_score_gives_the_exact_share_where_its_percentage_is_rounded(shares, mean):
    from symdrop.grading.grade import StudentGrade
    from symdrop.render.grades import chart

    students = [StudentGrade(f"s{i}", "") for i in range(len(shares))]
    summed = [(Fraction(points), Fraction(most)) for points, most in shares]
    assert chart(students, summed)["mean"] == mean


def test_grade_gives_the_collector_back_every_object_it_froze(tmp_path):
    """commands.common.untraced freezes what grade read while it grades, and unfreezes it after,
    also when grading refuses (a process that grades twice, tests among them, keeps nothing frozen)."""
    import gc

    assert gc.get_freeze_count() == 0
    graded(tmp_path, [["ada", "TUTORL", "7"]])
    assert gc.get_freeze_count() == 0
    with pytest.raises(ZeroDivisionError):
        from symdrop.commands.common import untraced
        with untraced():
            assert gc.get_freeze_count() > 0
            1 / 0
    assert gc.get_freeze_count() == 0


def test_grade_leaves_frozen_what_its_caller_froze(tmp_path):
    """A process that froze its own objects (gc.freeze, as a server does before it forks) and
    then grades keeps them frozen: grade's untraced gives back only what it froze itself, and
    gc.unfreeze cannot tell the two apart. (gc.get_objects lists no frozen object.)"""
    import gc

    from symdrop.commands.common import untraced

    kept = [object()]  # an object the caller keeps, tracked by the collector
    walked = lambda: any(o is kept for o in gc.get_objects())  # noqa: E731
    assert walked()
    gc.freeze()
    try:
        assert not walked()
        graded(tmp_path, [["ada", "TUTORL", "7"]])
        assert not walked()
        with untraced(), untraced():  # nested: what the outer froze stays frozen after the inner
            pass
        assert not walked()
    finally:
        gc.unfreeze()
    assert walked()


@pytest.mark.parametrize("activation", ["sigmoid", "tanh"])
def test_a_feedbacks_step_is_the_worked_solutions_step_to_its_places(activation, tmp_path):
    """A sheet of sigmoid (tanh) networks shows its values to 4 places (the spec's digits): the
    step a feedback page shows is the worked solution's own lines, not 15-digit decimals."""
    roster = tmp_path / "roster.csv"
    roster.write_text("id,name\ns1,Ann\n", encoding="utf-8")
    assert main(["sheet", "--seed", "7", "--activation", activation, "--problems", "2", "--roster", str(roster),
                 "--format", "markdown", "--no-diagram", "--out", str(tmp_path / "sheet")]) == 0
    key = json.loads((tmp_path / "sheet" / "key.json").read_text(encoding="utf-8"))
    write_answers(tmp_path / "answers.csv", [["s1", e["code"], "0.5"] for e in key["problems"]])
    assert main(["grade", "--key", str(tmp_path / "sheet" / "key.json"), "--answers", str(tmp_path / "answers.csv"),
                 "--out", str(tmp_path / "grades")]) == 0
    page = (tmp_path / "grades" / "feedback" / "s1.md").read_text(encoding="utf-8")
    solutions = (tmp_path / "sheet" / "solutions.md").read_text(encoding="utf-8").splitlines()
    steps = re.findall(r"\\begin\{aligned\}\n(.*?)\n\\end\{aligned\}", page, re.S)
    assert len(steps) == 2
    for step in steps:
        assert re.search(r"\\approx -?\d+\.\d{4}(?!\d)", step)  # 4 places, as the sheet says
        assert all(line in solutions for line in step.splitlines()), step


@pytest.mark.parametrize("fmt", ["markdown", "html", "latex"])
def test_one_number_and_one_point_are_written_in_the_singular(tmp_path, fmt):
    """The tutorial's y = 7 and z1 = (3, 1, -2) (by hand, above). ada types full-width digits, which
    grade does not read (ASCII digits only): a one-number answer is asked for as one number, three
    as several. Rubric y: 1 with a y column alone: every total 1, "1 point"; y: 2 with y and z1:
    y 2 points, z1 1 point, the student's total 3."""
    from symdrop.grading.grade import Rubric, grade, read_answers
    from symdrop.grading.keys import read_key
    from symdrop.render.grades import feedback

    key = read_key(tutorial_key(tmp_path))
    pages = {}
    for y, text in ((1, "student,code,y\nada,TUTORL,\uff11\uff14\nbob,TUTORL,7\n"),
                    (2, "student,code,y,z1\nada,TUTORL,\uff17,\uff13\nbob,TUTORL,7,3; 1; -2\n")):
        (tmp_path / "a.csv").write_text(text, encoding="utf-8")
        rows, columns = read_answers(tmp_path / "a.csv")
        students, _ = grade(key, rows, Rubric(y=Fraction(y)), columns=columns)
        pages[y] = {s.student: feedback(s, fmt) for s in students}
    ada, bob = pages[1]["ada"], pages[1]["bob"]
    assert "which cannot be read as 1 number: write it as 7, -3/2 or 0.25." in ada
    assert "write them" not in ada and "3; 0; -2" not in ada
    assert (ada.count("0 of 1 point."), bob.count("1 of 1 point."), "points." in ada + bob) == (2, 2, False)
    ada, bob = pages[2]["ada"], pages[2]["bob"]
    assert "which cannot be read as 1 number: write it as 7, -3/2 or 0.25." in ada
    assert "which cannot be read as 3 numbers: write them as 3; 0; -2 or (3, 0, -2)" in ada
    assert [ada.count(f"0 of {n}.") for n in ("3 points", "2 points", "1 point")] == [1, 1, 1]
    assert [bob.count(f"{n} of {n}.") for n in ("3 points", "2 points", "1 point")] == [0, 0, 0]
    assert [bob.count(f"{e} of {n}.") for e, n in (("3", "3 points"), ("2", "2 points"), ("1", "1 point"))] == [1, 1, 1]


@pytest.mark.parametrize("rows, said", [
    ([["bob", "TUTORL", "7"], ["eve", "TUTORL", "7"]], "1 student graded, mean score 100.0%; 1 row or student not graded"),
    ([["bob", "TUTORL", "7"], ["eve", "TUTORL", "7"], ["bob", "NOCODE", "7"]],
     "1 student graded, mean score 100.0%; 2 rows or students not graded"),
])
def test_the_reports_counts_are_singular_for_one(tmp_path, rows, said, capsys):
    """The tutorial's key knows one student, bob (its entry's student); eve's row and bob's unknown
    code are not graded. One student graded and one row not graded read as one, not '1 rows'."""
    from .test_keys import entry

    key = {"seed": 0, "problems": [entry() | {"student": "bob"}]}
    (tmp_path / "key.json").write_text(json.dumps(key), encoding="utf-8")
    write_answers(tmp_path / "answers.csv", rows)
    out = tmp_path / "g"
    assert main(["grade", "--key", str(tmp_path / "key.json"), "--answers", str(tmp_path / "answers.csv"),
                 "--out", str(out), "--format", "html"]) == 0
    for page in ("report.md", "report.html"):
        assert said in re.sub(r"<[^>]*>", "", (out / page).read_text(encoding="utf-8")), page  # HTML's words
