"""The QTI 1.2 package for Canvas: a zip of a manifest and one assessment, both well-formed XML
whose items pass the rules written from the QTI 1.2 ASI specification (below), whose simulated
grading gives 100 to the exact answers of the test references and 0 to each mistake's answer, whose
mistake the general feedback names, in the one form of condition Canvas reads, with the same bytes
on every run."""

import html
import io
import re
import xml.etree.ElementTree as ET
import zipfile
from decimal import Decimal
from fractions import Fraction

import pytest

from symdrop.exercises.labels import runs
from symdrop.exercises.kinds import parse_kinds
from symdrop.exercises.options import Options
from symdrop.exercises.roster import Student
from symdrop.exercises.sheet import build_class_set, build_sheet
from symdrop.render.qti import sheet_qti
from symdrop.render.sheets import key_json

from .lms_rules import NUMBER
from .conftest import ALL_KINDS, golden, references

Q = "{http://www.imsglobal.org/xsd/ims_qtiasiv1p2}"
CP = "{http://www.imsglobal.org/xsd/imscp_v1p1}"


def unpack(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None
        return {name: archive.read(name) for name in archive.namelist()}


def assessment_of(files: dict[str, bytes]) -> ET.Element:
    """The assessment the manifest names (its resource of type imsqti_xmlv1p2)."""
    manifest = ET.fromstring(files["imsmanifest.xml"])
    [resource] = manifest.iter(CP + "resource")
    assert resource.get("type") == "imsqti_xmlv1p2"
    [href] = [f.get("href") for f in resource.iter(CP + "file")]
    return ET.fromstring(files[href])


def qti_errors(root: ET.Element) -> list[str]:
    """What a QTI 1.2 importer refuses: an item without its type, a condition on a response the
    item does not present, a value that is not a number, feedback that is not there, no 100."""
    errors = []
    for item in root.iter(Q + "item"):
        where = f"item {item.get('ident')}"
        fields = {f.findtext(Q + "fieldlabel"): f.findtext(Q + "fieldentry") for f in item.iter(Q + "qtimetadatafield")}
        responses = {r.get("ident") for r in item.iter(Q + "response_str")}
        expected = "numerical_question" if len(responses) == 1 else "fill_in_multiple_blanks_question"
        if fields.get("question_type") != expected:
            errors.append(f"{where}: question_type is {fields.get('question_type')!r}")
        feedback = {f.get("ident") for f in item.iter(Q + "itemfeedback")}
        scores = []
        for condition in item.iter(Q + "respcondition"):
            for test in list(condition.iter(Q + "varequal")) + list(condition.iter(Q + "vargte")) + list(condition.iter(Q + "varlte")):
                if test.get("respident") not in responses:
                    errors.append(f"{where}: a condition on {test.get('respident')!r}, which it does not present")
                if not NUMBER.match((test.text or "").strip()):
                    errors.append(f"{where}: {test.text!r} is not a number")
            for link in condition.iter(Q + "displayfeedback"):
                if link.get("linkrefid") not in feedback:
                    errors.append(f"{where}: feedback {link.get('linkrefid')!r} is not in the item")
            scores += [(s.get("action"), s.text) for s in condition.iter(Q + "setvar")]
        added = sum(Fraction(v) for a, v in scores if a == "Add")
        if ("Set", "100") not in scores and added != 100:
            errors.append(f"{where}: no condition scores 100")
    return errors


def grade(item: ET.Element, response: dict) -> tuple[str, list[str]]:
    """QTI's response processing, as 1.2 defines it: conditions in order, each that holds sets
    (or adds to) its SCORE and shows its feedback; one with continue="No" ends it (<other/> holds
    always). ``response``: the number given for each response ident."""
    score, shown = Fraction(0), []
    for condition in item.iter(Q + "respcondition"):
        if holds(next(iter(condition.find(Q + "conditionvar"))), response):
            for s in condition.iter(Q + "setvar"):
                score = Fraction(s.text) + (score if s.get("action") == "Add" else 0)
            shown += [d.get("linkrefid") for d in condition.iter(Q + "displayfeedback")]
            if condition.get("continue") == "No":
                break
    return str(score), shown


def feedback_text(item: ET.Element, ident: str) -> str:
    [found] = [f for f in item.iter(Q + "itemfeedback") if f.get("ident") == ident]
    return "".join(found.itertext())


def canvas_answers(item: ET.Element) -> int:
    """How many right answers Canvas's importer makes of an item: it takes every condition on the
    response (an <or> of exact and range, or an <and> range) for a right answer (its
    qti_exporter's numeric interaction), so there must be exactly one."""
    return sum(1 for c in item.iter(Q + "respcondition")
               if c.find(Q + "conditionvar/" + Q + "or") is not None or c.find(Q + "conditionvar/" + Q + "and") is not None)


def holds(test: ET.Element, given: dict) -> bool:
    tag = test.tag.removeprefix(Q)
    if tag == "other":
        return True
    if tag == "or":
        return any(holds(t, given) for t in test)
    if tag == "and":
        return all(holds(t, given) for t in test)
    value, x = Fraction(test.text), given[test.get("respident")]
    return {"varequal": x == value, "vargte": x >= value, "varlte": x <= value}[tag]


@pytest.mark.parametrize("answers", ["exact", "decimal"])
def test_the_package_imports_and_grades_as_the_references_say(answers):
    sheet = build_sheet(9, Options(answers=answers), 10, kinds=parse_kinds(ALL_KINDS))
    data = sheet_qti(sheet)
    assert data == sheet_qti(sheet)  # the same bytes again
    root = assessment_of(unpack(data))
    assert qti_errors(root) == []
    items = list(root.iter(Q + "item"))
    entries = {e["code"]: e for e in key_json(sheet)["problems"]}
    for e in sheet.exercises:
        right, wrong = references(entries[e.code])
        [item] = [i for i in items if i.get("ident") == e.code]  # one item per problem
        responses = [r.get("ident") for r in item.iter(Q + "response_str")]
        assert len(responses) == len(right)
        assert canvas_answers(item) == len(right)
        general = html.unescape(feedback_text(item, "general_fb"))  # HTML, as the browser reads it
        key = dict(zip(responses, right))
        if len(right) == 1:
            assert grade(item, key) == ("100", ["general_fb", "correct_fb"])
            assert grade(item, {r: v + 1000 for r, v in key.items()}) == ("0", ["general_fb", "general_incorrect_fb"])
            # "exact" only where the item asks for the exact value, else the tolerance it states
            low, high = ([Fraction(t.text) for t in item.iter(Q + tag)] for tag in ("vargte", "varlte"))
            width = high[0] - low[0]  # 0: an exact value's interval
            tolerance = str(Decimal(width.numerator) / 2 / width.denominator)
            incorrect = feedback_text(item, "general_incorrect_fb").strip()
            assert incorrect.startswith(f"Not within the tolerance, ±{tolerance}." if width else "Not the exact value."), incorrect
        else:  # each number its share of 100 by its weight: the zeros together weigh as much as one other number
            assert grade(item, key) == ("100", ["general_fb"])
            zeros = sum(1 for v in right if v == 0)
            for k, r in enumerate(responses):
                weight = zeros if 0 < zeros < len(right) and right[k] != 0 else 1
                total = sum(zeros if 0 < zeros < len(right) and v != 0 else 1 for v in right)
                score, _ = grade(item, {**key, r: right[k] + 1000})
                assert abs(Fraction(score) - (100 - Fraction(100 * weight, total))) < Fraction(1, 1000)
        for m in e.mistakes:
            values = [Fraction(v) for v in m.answer] if wrong is None else wrong[m.name]
            if values == list(right):
                continue
            score, _ = grade(item, dict(zip(responses, values)))
            assert Fraction(score) < 100, (e.code, m.name)
            # the table names each mistake: its words as text, its formulas as MathJax math
            assert all((rf"\({run}\)" if math else run) in general for math, run in runs(m.label)) and m.name in general


def test_broken_items_fail_the_rules():
    root = assessment_of(unpack(sheet_qti(build_sheet(2, Options(), 2))))
    assert qti_errors(root) == []
    item = next(root.iter(Q + "item"))
    next(item.iter(Q + "varequal")).text = "3/4"
    next(item.iter(Q + "displayfeedback")).set("linkrefid", "missing")
    assert len(qti_errors(root)) == 2
    second = list(root.iter(Q + "item"))[1]
    for setvar in second.iter(Q + "setvar"):
        setvar.text = "50"
    assert "no condition scores 100" in qti_errors(root)[-1]


def test_hostile_names_stay_literal():
    hostile = "Zoë & <b>O'Brien</b> ~ = # { } : \\ \x1b"
    sheet = build_class_set(3, Options(), (Student("s1", hostile),), 1)
    root = assessment_of(unpack(sheet_qti(sheet)))
    assert qti_errors(root) == []
    assert next(root.iter(Q + "item")).get("title").endswith(", " + hostile[:-2])


def test_qti_golden():
    files = unpack(sheet_qti(build_sheet(1, Options(answers="decimal"), 2, kinds=parse_kinds("forward,ensemble"))))
    for name, data in files.items():
        assert data == golden("qti-seed1-" + re.sub(r"[^a-z0-9.]+", "-", name.lower()), data), name


def test_sheet_writes_qti_zip(tmp_path):
    from symdrop.cli import main

    assert main(["sheet", "--seed", "2", "--problems", "2", "--format", "qti,gift,moodle", "--out", str(tmp_path)]) == 0
    assert qti_errors(assessment_of(unpack((tmp_path / "qti.zip").read_bytes()))) == []
    assert {p.name for p in tmp_path.iterdir()} == {"qti.zip", "questions.gift", "moodle.xml", "key.json"}


def test_a_tables_header_row_is_column_headers(tmp_path):
    """QTI 1.2's worked solution (seed 11): the key entry's table (l, ã⁽ˡ⁻¹⁾, z⁽ˡ⁾, a⁽ˡ⁾) and the
    common-mistake table (common wrong answer, mistake, id) open with a row of
    ``<th scope="col">``, as the HTML pages' do; every other row is data."""
    from symdrop.cli import main
    assert main(["sheet", "--seed", "11", "--problems", "1", "--format", "qti", "--out", str(tmp_path)]) == 0
    with zipfile.ZipFile(tmp_path / "qti.zip") as z:
        text = html.unescape("".join(z.read(n).decode() for n in z.namelist() if n.endswith(".xml")))
    tables = re.findall(r"<table[^>]*>(.*?)</table>", text, re.S)
    assert len(tables) == 2
    heads = [re.findall(r"<t([hd])[^>]*>(.*?)</t[hd]>", t.split("</tr>")[0]) for t in tables]
    assert [[cell for _, cell in head] for head in heads][1] == ["common wrong answer", "mistake", "id"]
    assert len(heads[0]) == 4 and r"\(l\)" == heads[0][0][1]
    for table, head in zip(tables, heads):
        assert {kind for kind, _ in head} == {"h"} and table.count('<th scope="col">') == len(head)
        assert table.count("<th") == len(head)  # the rest are data cells
