"""key.json read back (symdrop/grading/keys.py): its size and problems capped before any work, a
key given twice refused naming where, each entry's digest as sheet writes it (computed here from
its definition), an edited entry refused naming it, and a key from before digests graded with a
warning."""

import hashlib
import json
from fractions import Fraction

import pytest

from symdrop import example
from symdrop.cli import main
from symdrop.model.spec import to_spec

SPEC = to_spec(example())


def digest(entry: dict) -> str:
    """The digest's definition (README): SHA-256 of the entry's canonical JSON (keys sorted, no
    spaces, ASCII) without digest, student, name and number."""
    problem = {k: v for k, v in entry.items() if k not in ("digest", "student", "name", "number")}
    return hashlib.sha256(json.dumps(problem, sort_keys=True, separators=(",", ":")).encode("ascii")).hexdigest()


def entry(code="TUTORL", number=1, **fields) -> dict:
    found = {"code": code, "number": number, "kind": "forward", "spec": SPEC, "answer": ["7"], "mistakes": [],
             **fields}
    found["digest"] = digest(found)
    return found


def grade(tmp_path, key_text: str, answers: str = "student,code,y\nada,TUTORL,7\n"):
    (tmp_path / "key.json").write_text(key_text, encoding="utf-8")
    (tmp_path / "a.csv").write_text(answers, encoding="utf-8")
    return main(["grade", "--key", str(tmp_path / "key.json"), "--answers", str(tmp_path / "a.csv"),
                 "--out", str(tmp_path / "g")])


def edited(fields: dict) -> dict:
    e = entry()
    e.update(fields)
    return e


TWICE_IN_ENTRY = '{"problems": [{"code": "TUTORL", "spec": {}, "number": 1, "kind": "forward", "spec": {}}]}'
REFUSED = [
    ('{"problems": [], "problems": []}', "the top level: key 'problems' appears twice in one object"),
    (TWICE_IN_ENTRY, "problems[0]: key 'spec' appears twice in one object"),
    (json.dumps({"problems": [{}] * 3001}), "3,001 problems; the limit is 3,000 problems in a key"),  # before any is read
    (json.dumps({"problems": [entry(), entry()]}), "problems[1] (code TUTORL): the code appears twice (also problems[0])"),
    (json.dumps({"problems": [edited({"spec": {**SPEC, "input": ["1", "2"]}})]}),
     "problems[0] (code TUTORL): its spec or answers no longer match its digest"),
    (json.dumps({"problems": [edited({"answer": ["8"]})]}), "no longer match its digest"),
    (json.dumps({"problems": [entry(), {k: v for k, v in entry("OTHER").items() if k != "digest"}]}),
     "problems[1] (code OTHER): no digest, though the key's other entries have one"),
    (json.dumps({"problems": [entry(student="ada"), entry("OTHER")]}), "problems[1] (code OTHER): no student, though"),
    (json.dumps({"problems": [entry(kind="forwards")]}), "problems[0] (code TUTORL): unknown exercise kind 'forwards'"),
    (json.dumps({"problems": [entry(code="../../x")]}), "problems[0]: code: expected letters and digits"),
    (json.dumps({"problems": [entry(number="1")]}), "expected an entry with a code, a number, a kind and a spec"),
    (json.dumps({"problems": [entry(student=["s1"])]}), "problems[0]: student: expected text"),
    ('{"problems": [{"code": "A", "number": NaN}]}', "not valid JSON"),
    ('{"problems": "all"}', "expected a key.json that symdrop sheet wrote"),
]


@pytest.mark.parametrize("text, message", REFUSED, ids=range(len(REFUSED)))
def test_a_bad_key_is_one_line_exit_2_and_no_files(tmp_path, capsys, text, message):
    assert grade(tmp_path, text) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err and err.startswith("symdrop: error: "), err
    assert not (tmp_path / "g").exists()


def test_a_key_over_its_size_is_refused_before_it_is_read(tmp_path, capsys, monkeypatch):
    from symdrop.grading import keys

    monkeypatch.setattr(keys, "MAX_KEY_BYTES", 100)
    assert grade(tmp_path, json.dumps({"problems": [entry()]})) == 2
    assert "larger than the limit of 100 bytes for a key.json" in capsys.readouterr().err


def test_whom_a_problem_is_for_is_no_part_of_its_digest(tmp_path, capsys):
    """A student's id or name corrected by hand, or the number, keeps the entry's digest."""
    key = {"problems": [entry(student="ada", name="Ada L.")]}
    key["problems"][0].update(student="ada", name="Ada Lovelace", number=2)
    assert grade(tmp_path, json.dumps(key)) == 0
    assert capsys.readouterr().err == ""
    assert json.loads((tmp_path / "g" / "grades.json").read_text())["students"][0]["points"] == "4"


def test_a_key_from_before_digests_is_graded_with_one_warning(tmp_path, capsys):
    old = {k: v for k, v in entry().items() if k != "digest"}
    assert grade(tmp_path, json.dumps({"problems": [old]})) == 0
    err = capsys.readouterr().err
    assert err.count("warning") == 1 and "its entries carry no digest" in err and "graded as they stand" in err
    assert main(["check", "--key", str(tmp_path / "key.json"), "--code", "TUTORL", "--answer", "7"]) == 0
    assert "its entries carry no digest" in capsys.readouterr().err


def test_sheet_writes_a_digest_into_every_entry_and_an_edit_is_refused(tmp_path, capsys):
    roster = tmp_path / "roster.csv"
    roster.write_text("id,name\ns1,Ana\ns2,Bo\n", encoding="utf-8")
    assert main(["sheet", "--seed", "4", "--roster", str(roster), "--kinds", "inverted,test-time", "--problems", "2",
                 "--format", "markdown", "--no-diagram", "--answers", "decimal", "--out", str(tmp_path / "o")]) == 0
    path = tmp_path / "o" / "key.json"
    key = json.loads(path.read_text(encoding="utf-8"))
    assert all(e["digest"] == digest(e) for e in key["problems"])
    capsys.readouterr()
    code = key["problems"][3]["code"]
    assert main(["check", "--key", str(path), "--code", code, "--answer", "; ".join(key["problems"][3]["answer"])]) == 0
    key["problems"][3]["spec"]["layers"][0]["bias"][0] = "99"  # graded against it, the answer would change
    path.write_text(json.dumps(key), encoding="utf-8")
    assert main(["check", "--key", str(path), "--code", key["problems"][0]["code"], "--answer", "1"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"problems[3] (code {code}): its spec or answers no longer match its digest" in err


def test_a_final_answers_mistake_is_named_from_the_keys_own_list(tmp_path):
    """A digested entry's list of common wrong answers is what grade names a final answer by (the
    instructor's key; recorded_mistakes): 99, listed here, is named; 13, the tutorial's answer
    with the ReLU of layer 1 forgotten (by hand in tests/test_grade.py) but not listed, is not."""
    listed = [{"id": "forgot_masks", "label": "forgot the masks, so no dropout", "answer": ["99"]}]
    key = json.dumps({"seed": 0, "problems": [entry(mistakes=listed)]})
    assert grade(tmp_path, key, "student,code,y\nada,TUTORL,99\nbob,TUTORL,13\n") == 0
    data = json.loads((tmp_path / "g" / "grades.json").read_text())
    named = {s["student"]: s["parts"][0]["mistakes"] for s in data["students"]}
    assert named == {"ada": ["forgot_masks"], "bob": []}


@pytest.mark.parametrize("fields", [
    {"tolerance": "1/1000"},  # irrational answers: compared within it, computed again
    {"mistakes": []},  # none listed (a key written by hand)
    {"mistakes": [{"id": "m", "label": "m", "answer": ["0.5"]}]},  # not as sheet writes a rational
    {"mistakes": [{"id": "m", "label": "m", "answer": ["1/0"]}]},
    {"mistakes": [{"id": "m", "label": "m", "answer": ["1/02"]}]},
    {"mistakes": [{"id": "m", "label": "m", "answer": [7]}]},
    {"mistakes": [{"id": "m", "answer": ["7"]}]},
    {"mistakes": [{"id": "m", "label": "m", "answer": ["1" * 401]}]},
    {"mistakes": [{"id": '=HYPERLINK("http://x.example")', "label": "m", "answer": ["7"]}]},  # no kind's id
])
def test_an_entry_whose_mistakes_are_not_as_sheet_records_them_has_them_computed(fields):
    from symdrop.grading.keys import recorded_mistakes

    assert recorded_mistakes(entry(**fields)) is None
    undigested = entry(mistakes=[{"id": "m", "label": "m", "answer": ["-3/4", "7"]}])
    assert [(m.name, m.answer) for m in recorded_mistakes(undigested)] == [("m", (Fraction(-3, 4), 7))]
    del undigested["digest"]
    assert recorded_mistakes(undigested) is None


def test_a_mistake_id_a_key_forges_never_reaches_grades_csv_as_a_formula(tmp_path):
    """The digest is no signature: a key can list a mistake under any id with its digest written
    again. An id no kind writes is not taken from the key (the mistakes are computed from the
    spec), and grades.csv quotes a mistakes cell as it does an id or a name."""
    import csv
    import io

    from symdrop.grading.grade import GradedPart, StudentGrade
    from symdrop.render.grades import grades_csv

    forged = [{"id": '=HYPERLINK("http://x.example","x")', "label": "forgot the masks", "answer": ["99"]}]
    key = json.dumps({"seed": 0, "problems": [entry(mistakes=forged)]})
    assert grade(tmp_path, key, "student,code,y\nada,TUTORL,99\n") == 0
    text = (tmp_path / "g" / "grades.csv").read_text(encoding="utf-8-sig")
    assert "HYPERLINK" not in text
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in csv.reader(io.StringIO(text)) for cell in row)
    part = GradedPart("C1", "y", "1", (7,), False, ("=1+1",), False, Fraction(0), Fraction(4))
    rows = list(csv.reader(io.StringIO(grades_csv([StudentGrade("ada", "", [part], [({"code": "C1"}, None)])])[1:])))
    assert rows[1] == ["ada", "", "0", "4", "C1", "0", "'=1+1"]
