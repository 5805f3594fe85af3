"""The Moodle XML export: well-formed XML that passes the import rules written from Moodle's
documentation (tests/lms_rules.py), whose numbers, read back, are the exact answers the test
references compute, whose simulated grading gives 100% to the exact answer and each mistake's own
feedback to that mistake's answer, and which keeps hostile names literal."""

import json
import re
import xml.etree.ElementTree as ET
from fractions import Fraction

import pytest

from symdrop.exercises import noise

from symdrop.exercises.kinds import parse_kinds
from symdrop.exercises.options import Options
from symdrop.exercises.roster import Student
from symdrop.exercises.sheet import build_class_set, build_sheet
from symdrop.render.moodle import sheet_moodle
from symdrop.render.sheets import key_json

from . import lms_rules
from .conftest import ALL_KINDS, TUTORIAL, golden, references
from .reference import Spec



def numerical_answers(q) -> list[tuple[str, str, str, str]]:
    return [(a.get("fraction"), a.findtext("text"), a.findtext("tolerance"), a.findtext("feedback/text"))
            for a in q.findall("answer")]


@pytest.fixture(scope="module", params=["exact", "decimal"])
def sheet(request):
    return build_sheet(9, Options(answers=request.param), 10, kinds=parse_kinds(ALL_KINDS))


def test_every_question_passes_the_import_rules_and_grades_as_the_references_say(sheet):
    root = ET.fromstring(sheet_moodle(sheet).encode("utf-8"))
    assert lms_rules.moodle_errors(ET.tostring(root)) == []
    category, *questions = root.findall("question")
    assert category.get("type") == "category"
    assert category.findtext("category/text").startswith("$course$/top/symdrop/seed 9, ")
    entries = {e["code"]: e for e in key_json(sheet)["problems"]}
    assert len(questions) == len(sheet.exercises)  # one question per variant
    for q, e in zip(questions, sheet.exercises):
        entry = entries[e.code]
        assert q.findtext("idnumber") == e.code and f"({e.code})" in q.findtext("name/text")
        right, wrong = references(entry)
        if q.get("type") == "numerical":
            gaps = [[(g, v, t, f) for g, v, t, f in numerical_answers(q)]]
        else:
            gaps = [[(g, *a.partition(":")[::2], f) for g, a, f in gap]
                    for gap in lms_rules.cloze_gaps(q.findtext("questiontext/text"))]
        assert len(gaps) == len(right) and (len(right) == 1) == (q.get("type") == "numerical")
        if q.get("type") == "cloze":  # the zeros of an answer together weigh as much as one other number
            marks = [int(w) for w in re.findall(r"\{(\d+):NUMERICAL:", q.findtext("questiontext/text"))]
            zeros = sum(1 for v in right if v == 0)
            assert marks == [zeros if 0 < zeros < len(right) and v != 0 else 1 for v in right]
            assert q.findtext("defaultgrade") == str(sum(marks))
        for i, answers in enumerate(gaps):
            assert lms_rules.grade_numerical(answers, right[i])[0] == "100"
            spans = [(Fraction(v), Fraction(t or 0)) for _, v, t, _ in answers if v != "*"]
            assert all(abs(a[0] - b[0]) > a[1] + b[1] for k, a in enumerate(spans) for b in spans[k + 1:])
            if e.kind.tolerance is not None:  # irrational answers: every value within the kind's tolerance
                assert all(t == e.kind.tolerance for _, t in spans)
            elif sheet.options.answers == "decimal":
                assert spans[0][1] == 0  # every answer terminates: graded exactly
            for m in e.mistakes:
                value = Fraction(m.answer[i]) if wrong is None else wrong[m.name][i]
                if value == right[i]:
                    continue
                grade, feedback = lms_rules.grade_numerical(answers, value)
                assert grade == "0" and "common mistake" in feedback, (e.code, m.name)
            other = lms_rules.grade_numerical(answers, right[i] + 1000)[1]  # exact, or the stated tolerance
            assert other.startswith("Not the exact value" if spans[0][1] == 0 else "Not within the tolerance, ±" + answers[0][2] + ":")
        # The worked solution is the general feedback, with its picture stored beside it.
        feedback = q.findtext("generalfeedback/text")
        assert "<h4>" in feedback and "\\(" in feedback and "$" not in feedback
        # alpha, counts: no network; a channel's sum T: no bias, where a picture draws one
        pictured = e.kind.name != "noise" or noise.question(e.network) is noise.GAUSSIAN
        assert (f"@@PLUGINFILE@@/{e.code}.svg" in q.findtext("questiontext/text")) == pictured


def test_parts_ask_every_value_and_each_is_the_references():
    sheet = build_sheet(5, Options(), 4, kinds=parse_kinds("forward,inverted,test-time"))
    root = ET.fromstring(sheet_moodle(sheet, parts=True).encode("utf-8"))
    assert lms_rules.moodle_errors(ET.tostring(root)) == []
    entries = {e["code"]: e for e in key_json(sheet)["problems"]}
    row = re.compile(r"<tr[^>]*><th scope=\"row\">\\\((.*?)\\\)</th><td>(\{(\d+):NUMERICAL:.*?[^\\]\})</td>")
    for q, e in zip(root.findall("question")[1:], sheet.exercises):
        assert q.get("type") == "cloze"
        p = Spec(entries[e.code]["spec"])
        values = p.run(mode="test" if e.kind.name == "test-time" else "train")
        rows = row.findall(q.findtext("questiontext/text"))
        assert len(rows) > 5
        marks: dict[str, int] = {}  # the gaps' weights by what they are: y, z^(1), a^(1), ...
        for label, gap, weight in rows:
            [answers] = lms_rules.cloze_gaps(gap)
            m = re.fullmatch(r"(\\tilde\{a\}|z|a)\^\{\((\d+)\)\}_\{(\d+)\}", label)
            if label == r"\hat{y}":
                expected = values[-1][2][0]
                marks["y"] = int(weight)
            else:
                symbol, l, j = m.group(1), int(m.group(2)), int(m.group(3)) - 1
                expected = values[l][0][j] if symbol.startswith("\\tilde") else values[l - 1][1 if symbol == "z" else 2][j]
                marks[f"{symbol}{l}"] = marks.get(f"{symbol}{l}", 0) + int(weight)
            grade, _ = lms_rules.grade_numerical([(g, *a.partition(":")[::2], f) for g, a, f in answers], expected)
            assert grade == "100", (e.code, label)
        # grade's default rubric: y 4 points, each layer's z 1 and a 1 (README, grading)
        assert marks["y"] == 4 * marks["z1"] and marks["a1"] == marks["z1"] == marks["z2"], (e.code, marks)


def test_cloze_weights_follow_a_rubric_file(tmp_path):
    from symdrop.cli import main

    rubric = tmp_path / "rubric.yaml"
    rubric.write_text("points: {y: 10, z: 2, a: 1}\n", encoding="utf-8")
    args = ["sheet", "--seed", "5", "--problems", "1", "--format", "moodle", "--parts"]
    assert main([*args, "--rubric", str(rubric), "--out", str(tmp_path / "r")]) == 0
    text = ET.fromstring((tmp_path / "r" / "moodle.xml").read_bytes()).findall("question")[1].findtext("questiontext/text")
    weights = {label: int(w) for label, w in re.findall(r"<tr[^>]*><th scope=\"row\">\\\((.*?)\\\)</th><td>\{(\d+):NUMERICAL:", text)}
    # z^(1)'s numbers 2 points together, a^(1)'s 1, y 10: scaled to whole numbers
    z, a = (sum(w for label, w in weights.items() if label.startswith(f"{s}^{{(1)}}")) for s in "za")
    assert weights[r"\hat{y}"] * 2 == 10 * z and z == 2 * a, weights
    rubric.write_text("points: {y: -1}\n", encoding="utf-8")
    assert main([*args, "--rubric", str(rubric), "--out", str(tmp_path / "bad")]) == 2 and not (tmp_path / "bad").exists()


def test_broken_files_fail_the_import_rules():
    good = sheet_moodle(build_sheet(2, Options(), 2, kinds=parse_kinds("forward,backprop")))
    assert lms_rules.moodle_errors(good) == []
    numerical = good.index('<answer fraction="0"')
    broken = {
        "grade": good[:numerical] + '<answer fraction="33"' + good[numerical + len('<answer fraction="0"'):],
        "fraction": re.sub(r"<text>-?[\d.]+</text>", "<text>3/4</text>", good, count=1),
        "file": re.sub(r'<file name="[^"]*"', '<file name="other.svg"', good, count=1),
        "not svg": re.sub(r'(<file name="[^"]*" path="/" encoding="base64">)[^<]*', r"\1aGVsbG8=", good, count=1),
        "gap": good.replace("{1:NUMERICAL:=", "{1:NUMERICAL:%50%", 1),
        "gap grade": good.replace("~%0%", "~%33%", 1),
        "name": re.sub(r"<name>\s*<text>[^<]*</text>", "<name><text></text>", good, count=1),
    }
    for what, text in broken.items():
        assert text != good, what
        assert lms_rules.moodle_errors(text), what


def test_hostile_names_stay_literal_and_the_file_valid():
    hostile = "Zoë & <b>O'Brien</b> ~ = # { } : \\ $x$ \\(y\\) {1:NUMERICAL:=5} \x1b\x00\tend"
    students = (Student("s1", hostile), Student("s&2", "Plain"))
    sheet = build_class_set(3, Options(), students, 1, kinds=parse_kinds("forward,ensemble"))
    text = sheet_moodle(sheet, parts=True)
    root = ET.fromstring(text.encode("utf-8"))
    assert lms_rules.moodle_errors(text) == []
    first = sheet.exercises[0]
    assert root.findall("question")[1].findtext("name/text") == f"Problem 1 ({first.code}), " + hostile[:-7] + " end"  # controls and the tab one space


def test_moodle_golden():
    sheet = build_sheet(1, Options(answers="decimal"), 3, kinds=parse_kinds("forward,test-time,ensemble"))
    text = sheet_moodle(sheet)
    assert text == golden("moodle-seed1.xml", text)


def test_sheet_and_solve_write_moodle_xml(tmp_path):
    from symdrop.cli import main

    assert main(["sheet", "--seed", "2", "--problems", "2", "--format", "moodle", "--parts", "--out", str(tmp_path)]) == 0
    assert lms_rules.moodle_errors((tmp_path / "moodle.xml").read_bytes()) == []
    out = tmp_path / "t.xml"
    assert main(["solve", str(TUTORIAL), "-o", str(out)]) == 0  # the suffix chooses Moodle XML
    root = ET.fromstring(out.read_bytes())
    assert lms_rules.moodle_errors(out.read_bytes()) == []
    [q] = root.findall("question")[1:]
    # The tutorial's prediction by hand: a1 = (3, 1, 0), masked (3, 0, 0); a2 = (4, 0, 3), masked
    # (0, 0, 3); a3 = (0, 2), masked (0, 2); y = -1*0 + 3*2 + 1 = 7.
    assert lms_rules.grade_numerical(numerical_answers(q), Fraction(7))[0] == "100"
    assert main(["sheet", "--parts", "--format", "gift", "--out", str(tmp_path / "x")]) == 2


def test_a_hostile_title_reaches_the_html_as_text_in_a_span_mathjax_skips(tmp_path):
    from html.parser import HTMLParser

    from symdrop.cli import main

    title = "AT&amp;T <b>x</b> $y$ \\(z\\) {1:NUMERICAL:=5} ~ # \x1b"
    spec = tmp_path / "hostile.yaml"
    spec.write_text("title: " + json.dumps(title) + "\ninput: [1]\nlayers:\n  - weights: [[2]]\n    bias: [1]\n"
                    "    activation: identity\nmasks:\n  - [1]\n", encoding="utf-8")
    out = tmp_path / "q.xml"
    assert main(["solve", str(spec), "--format", "moodle", "-o", str(out)]) == 0
    assert lms_rules.moodle_errors(out.read_bytes()) == []
    root = ET.fromstring(out.read_bytes())
    # a slash in a category name is written // (a single one separates categories)
    assert root.find("question/category/text").text == "$course$/top/symdrop/" + title.replace("\x1b", " ").replace("/", "//")

    class Spans(HTMLParser):  # the text of every span MathJax skips, as a browser reads it
        def __init__(self):
            super().__init__(convert_charrefs=True)
            self.depth, self.found = 0, []

        def handle_starttag(self, tag, attrs):
            if tag == "span" and "mathjax_ignore" in (dict(attrs).get("class") or ""):
                self.depth += 1
                self.found.append("")

        def handle_endtag(self, tag):
            if tag == "span" and self.depth:
                self.depth -= 1

        def handle_data(self, data):
            if self.depth:
                self.found[-1] += data

    spans = Spans()
    feedback = root.findall("question")[1].findtext("generalfeedback/text")
    spans.feed(feedback)
    assert title.replace("\x1b", " ") in spans.found
    assert "{1:NUMERICAL" not in feedback and "<b>" not in feedback and "$" not in feedback


@pytest.mark.parametrize("outputs, activation, given", [
    # two outputs (a cloze question), by hand: y = W x for x = 1
    ([["1"], ["5/2"]], "identity", "exact"),  # 1 and 2.5 terminate: typed exactly
    ([["1/3"], ["2/3"]], "identity", "fractions"),  # 1/3, 2/3: rational, rounded
    ([["1"], ["2"]], "sigmoid", "irrational"),  # sigma(1), sigma(2): no fraction holds them
    # one output (a numerical question): its own sentence only
    ([["1/3"]], "identity", "one"),
    ([["1"]], "sigmoid", "one"),
])
def test_each_question_says_once_how_to_give_its_numbers(outputs, activation, given, tmp_path):
    """One instruction per question, chosen from what its numbers are; never "Give every value
    exactly." (a sheet's words) beside a request to round, nor exact fractions for irrational values."""
    import html

    from symdrop.cli import main

    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps({"input": ["1"], "masks": [["1"]], "layers": [
        {"weights": outputs, "bias": ["0"] * len(outputs), "activation": activation}]}), encoding="utf-8")
    out = tmp_path / "q.xml"
    assert main(["solve", str(spec), "--format", "moodle", "-o", str(out)]) == 0
    [q] = ET.fromstring(out.read_bytes()).findall("question")[1:]
    text = html.unescape(q.findtext("questiontext/text"))
    assert q.get("type") == ("numerical" if given == "one" else "cloze")
    sentences = re.findall(r"Give [^.]*\.", text)
    assert len(sentences) == 1 and "Give every value exactly" not in text, sentences
    words = {"exact": ("exactly: each one here terminates",), "fractions": ("exact fractions",),
             "irrational": ("irrational", "within the tolerance it states")}
    for other, phrases in words.items():
        assert all((phrase in text) == (other == given) for phrase in phrases), (other, given)
    assert ("to the places its box says" in text) == (given in ("fractions", "irrational"))
    if given == "one":
        rounded = outputs != [["1"]] or activation == "sigmoid"  # 1/3 and sigma(1) do not terminate
        assert ("decimal places (within" in text) == rounded and "exactly" not in text


def test_a_box_of_a_value_that_terminates_says_exactly_beside_irrational_ones(tmp_path):
    """A tanh network's cloze question (by hand: y = (tanh 1, 5/2), digits 4): the box of 5/2 asks
    for it exactly (within the tolerance every box of the question takes, as grade does), the box
    of tanh 1 for 4 places; and the instruction no longer says a rounded value carried forward
    makes the later ones wrong, which the tolerance is there to allow."""
    import html

    from symdrop.cli import main

    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps({"input": ["1"], "masks": [["1"], ["1"]], "digits": 4, "layers": [
        {"weights": [["1"]], "bias": ["0"], "activation": "tanh"},
        {"weights": [["1"], ["0"]], "bias": ["0", "5/2"]}]}), encoding="utf-8")
    assert main(["solve", str(spec), "--format", "moodle", "-o", str(tmp_path / "q.xml")]) == 0
    [q] = ET.fromstring((tmp_path / "q.xml").read_bytes()).findall("question")[1:]
    text = html.unescape(q.findtext("questiontext/text"))
    rows = re.findall(r"NUMERICAL:=([-\d.]+):([\d.]+)#.*?</td><td>([^<]*)</td>", text)
    assert [(value, how) for value, _, how in rows] == [
        ("0.761594", "to at least 4 decimal places (within ±0.0002)"), ("2.5", "exactly, as it terminates (±0.0002 accepted)")]
    assert "carried forward" not in text


def test_the_right_answers_feedback_gives_an_irrational_value_as_a_decimal(tmp_path):
    """Moodle's and GIFT's feedback to the right answer of a sigmoid's output (by hand: y =
    sigma(1) = 1/(1 + e^-1) = 0.731058578630005 to 15 digits) gives the value as a decimal, as
    `check` does, not SymPy's text (``1/(1 + exp(-1))``, ``E`` for e); a rational stays exact
    (by hand: y = 1/3)."""
    import math

    from symdrop.cli import main

    def feedback(fmt, weights, activation):
        spec = tmp_path / "spec.json"
        spec.write_text(json.dumps({"input": ["1"], "masks": [["1"]], "layers": [
            {"weights": [[weights]], "bias": ["0"], "activation": activation}]}), encoding="utf-8")
        out = tmp_path / ("q.xml" if fmt == "moodle" else "q.gift")
        assert main(["solve", str(spec), "--format", fmt, "-o", str(out)]) == 0
        if fmt == "moodle":
            [q] = ET.fromstring(out.read_bytes()).findall("question")[1:]
            return [f for g, _, _, f in numerical_answers(q) if g == "100"][0]
        return re.search(r"\{#\n=[^#]*#([^\n]*)\n", out.read_text(encoding="utf-8")).group(1).replace("\\:", ":")

    sigma = f"{1 / (1 + math.exp(-1)):.15g}"
    assert sigma == "0.731058578630005"
    for fmt in ("moodle", "gift"):
        assert feedback(fmt, "1", "sigmoid") == f"Right: the exact value is ≈ {sigma}."
        assert feedback(fmt, "1/3", "identity") == "Right: the exact value is 1/3."


@pytest.mark.parametrize("weights, activation, tolerance", [
    ("1/4", "identity", "0"),  # y = 1/4 = 0.25 terminates: asked exactly
    ("1/3", "identity", "0.01"),  # y = 1/3: 0.33, two places, ±0.01
    ("1", "sigmoid", None),  # y = sigma(1): the tolerance the question states
])
def test_a_wrong_answers_feedback_names_the_tolerance_where_the_question_has_one(weights, activation, tolerance, tmp_path):
    """Moodle's feedback to any other answer (``*``) says "Not the exact value" only where the
    question asks for the exact value; where it takes a tolerance it names it, as the question
    does, and does not ask for an exact value the student was told to round."""
    import html

    from symdrop.cli import main

    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps({"input": ["1"], "masks": [["1"]], "layers": [
        {"weights": [[weights]], "bias": ["0"], "activation": activation}]}), encoding="utf-8")
    assert main(["solve", str(spec), "--format", "moodle", "-o", str(tmp_path / "q.xml")]) == 0
    [q] = ET.fromstring((tmp_path / "q.xml").read_bytes()).findall("question")[1:]
    answers = numerical_answers(q)
    stated = answers[0][2]
    assert tolerance is None or stated == tolerance
    assert answers[-1][1] == "*"
    if stated == "0":
        assert answers[-1][3] == "Not the exact value: see the worked solution."
    else:
        assert f"within ±{stated})" in html.unescape(q.findtext("questiontext/text"))  # what the question says
        assert answers[-1][3] == f"Not within the tolerance, ±{stated}: see the worked solution."


def test_a_list_in_lms_html_opens_no_paragraph_with_a_break(tmp_path):
    """The reviewer's sheet (seed 11): the worked solution's list of dropped units opens its
    paragraph with its first item, not with an empty line (``<p><br>• ...``), in Moodle XML and
    GIFT alike. Problem 1's masks (key.json) drop unit 2, 3 and 1 of hidden layers 1, 2 and 3."""
    from symdrop.cli import main
    assert main(["sheet", "--seed", "11", "--format", "gift,moodle", "--out", str(tmp_path)]) == 0
    masks = json.loads((tmp_path / "key.json").read_text())["problems"][0]["spec"]["masks"]
    dropped = [[j for j, m in enumerate(mask, start=1) if m == 0] for mask in masks[1:]]
    assert dropped == [[2], [3], [1]]
    gift = (tmp_path / "questions.gift").read_text(encoding="utf-8")
    feedback = [t.text for t in ET.parse(tmp_path / "moodle.xml").getroot().iter("text") if t.text]
    for texts in ([gift], feedback):
        assert not any(re.search(r"<p>\s*<br>", t) for t in texts)
        for (j,), ordinal in zip(dropped, ("first", "second", "third")):
            assert any(f"<p>• Unit {j} of the {ordinal} hidden layer is dropped" in t for t in texts)


def test_a_cloze_questions_rows_are_headed_by_their_labels(tmp_path):
    """Moodle cloze (--parts, seed 11): each row of a question's table of gaps is headed by what it
    asks (``<th scope="row">`` z⁽¹⁾₁ ...), its gap and how to give it data cells."""
    from symdrop.cli import main
    assert main(["sheet", "--seed", "11", "--problems", "1", "--format", "moodle", "--parts", "--out", str(tmp_path)]) == 0
    text = ET.parse(tmp_path / "moodle.xml").getroot().find("question[@type='cloze']/questiontext/text").text
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", text, re.S)
    assert len(rows) == 3 * (3 + 3 + 2) + 1  # 2-3-3-2-1: z, a and ã of each hidden layer's units, then ŷ
    assert rows[0].startswith(r'<th scope="row">\(z^{(1)}_{1}\)</th><td>{')
    for row in rows:
        assert re.fullmatch(r'<th scope="row">\\\(.*?\\\)</th><td>\{.*\}</td><td>[^<]*</td>', row, re.S), row
