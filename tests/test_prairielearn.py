"""sheet --format prairielearn: a course folder whose server.py, called with data dicts shaped as
PrairieLearn passes them, draws variants by the variant seed and grades exactly with symdrop's
rubric; info.json meets the checks of PrairieLearn's question schema; question.html labels every
input; users' text stays data."""

import importlib.util
import json
import re
import uuid
from fractions import Fraction
from html.parser import HTMLParser
from pathlib import Path

import mpmath
import pytest

from symdrop.cli import main
from symdrop.errors import SymdropError
from symdrop.exercises.kinds import parse_kinds
from symdrop.exercises.options import Options
from symdrop.exercises.sheet import build_sheet
from symdrop.render.prairielearn import sheet_prairielearn
from symdrop.lint.prairielearn import is_course, lint_prairielearn, simulate, submission
from symdrop.render.prairielearn_server import read_exact

from .reference import Spec, forward, g

HOSTILE = 'Quiz "1" </title><script>alert(1)</script> {{params.x}} \\ $x$ & é\u202e'
# PrairieLearn's JSON schema of a question's info.json (apps/prairielearn/src/schemas/schemas/
# infoQuestion.json, PrairieLearn commit 88fb855, AGPL, so not copied here) requires uuid, type,
# title and topic, allows no other keys than these, gives uuid the pattern below and type the enum
# below; tags is an array of strings, partialCredit and singleVariant booleans.
SCHEMA_REQUIRED = {"uuid", "type", "title", "topic"}
SCHEMA_KEYS = SCHEMA_REQUIRED | {
    "comment", "tags", "authors", "clientFiles", "clientTemplates", "template", "gradingMethod", "singleVariant",
    "showCorrectAnswer", "partialCredit", "options", "externalGradingOptions", "dependencies", "workspaceOptions",
    "sharingSets", "sharePublicly", "shareSourcePublicly", "preferences"}
SCHEMA_UUID = re.compile(r"^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$")
SCHEMA_TYPES = {"Calculation", "MultipleChoice", "Checkbox", "File", "MultipleTrueFalse", "v3"}


def write(files: dict, root: Path) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    sheet = build_sheet(11, Options(), 3, kinds=parse_kinds("forward,backprop,variance"))
    return write(sheet_prairielearn(sheet), tmp_path_factory.mktemp("course"))


@pytest.fixture(scope="module")
def smooth_course(tmp_path_factory):
    sheet = build_sheet(11, Options(shape=(2, 3, 2, 1), activation="sigmoid", digits=4), 1, kinds=parse_kinds("forward"))
    return write(sheet_prairielearn(sheet), tmp_path_factory.mktemp("smooth"))


def server(course: Path, kind: str, seed: int = 11):
    path = course / "questions" / f"symdrop-{kind}-seed-{seed}" / "server.py"
    spec = importlib.util.spec_from_file_location(f"server_{kind}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def generated(course: Path, kind: str, seed: int) -> dict:
    data = {"params": {}, "correct_answers": {}, "variant_seed": seed,
            "options": {"question_path": str(course / "questions" / f"symdrop-{kind}-seed-11")}}
    server(course, kind).generate(data)
    return data


def test_info_json_meets_the_schemas_checks_and_keeps_its_uuid(course):
    found = {}
    for info in sorted(course.glob("questions/*/info.json")):
        data = json.loads(info.read_text(encoding="utf-8"))
        assert SCHEMA_REQUIRED <= set(data) <= SCHEMA_KEYS
        assert SCHEMA_UUID.match(data["uuid"]) and uuid.UUID(data["uuid"]).version == 5
        assert data["type"] in SCHEMA_TYPES and data["type"] == "v3"
        assert isinstance(data["tags"], list) and all(isinstance(t, str) for t in data["tags"])
        assert data["partialCredit"] is True and data["singleVariant"] is False
        found[info.parent.name] = data["uuid"]
    assert sorted(found) == ["symdrop-backprop-seed-11", "symdrop-forward-seed-11", "symdrop-variance-seed-11"]
    assert len(set(found.values())) == 3
    again = sheet_prairielearn(build_sheet(11, Options(), 3, kinds=parse_kinds("forward,backprop,variance")))
    other = sheet_prairielearn(build_sheet(12, Options(), 1, kinds=parse_kinds("forward")))
    assert json.loads(again["questions/symdrop-forward-seed-11/info.json"])["uuid"] == found["symdrop-forward-seed-11"]
    assert json.loads(other["questions/symdrop-forward-seed-12/info.json"])["uuid"] not in found.values()


class Inputs(HTMLParser):
    def __init__(self):
        super().__init__()
        self.inputs, self.figures = [], []

    def handle_starttag(self, tag, attrs):
        if tag in ("pl-number-input", "pl-matrix-component-input"):
            self.inputs.append((tag, dict(attrs)))
        if tag == "pl-figure":
            self.figures.append(dict(attrs))


@pytest.mark.parametrize("kind, matrices", [("forward", 0), ("backprop", 1), ("variance", 0)])
def test_question_html_labels_every_input_once(course, kind, matrices):
    parser = Inputs()
    parser.feed((course / "questions" / f"symdrop-{kind}-seed-11" / "question.html").read_text(encoding="utf-8"))
    names = [a["answers-name"] for _, a in parser.inputs]
    assert names and len(set(names)) == len(names)
    labels = generated(course, kind, 5)["params"]["labels"]
    for tag, a in parser.inputs:
        assert a["label"] == "{{params.labels.%s}}" % a["answers-name"] and labels[a["answers-name"]].strip()
        assert (a["allow-fractions"], a["allow-blank"]) == ("true", "false")
    assert sum(tag == "pl-matrix-component-input" for tag, _ in parser.inputs) == matrices
    [figure] = parser.figures
    assert figure["type"] == "dynamic" and figure["alt"] == "{{params.figure.alt}}"


def values_of(spec: dict, carried: bool = False) -> dict:
    """z^(l), a^(l) and y of a forward problem by the plain-Fraction reference; ``carried``: the
    student's z^(1)_1 is off by 1 and every later value follows from it."""
    p = Spec(spec)
    layers = forward(p.x, p.layers, p.masks)
    if carried:
        z1 = [layers[0][1][0] + 1] + layers[0][1][1:]
        a1 = [g(p.layers[0][2], v) for v in z1]
        layers = [(layers[0][0], z1, a1)] + forward(a1, p.layers[1:], p.masks[1:])
    found = {f"{n}{l}_{j}": v for l, (_, z, a) in enumerate(layers, 1) for n, vs in (("z", z), ("a", a))
             for j, v in enumerate(vs, 1)}
    found["y1"] = layers[-1][2][0]
    return found


def typed(data: dict, values: dict) -> dict:
    """The reference's values as typed: a Fraction as such, a sigmoid's (mpmath) to 15 digits."""
    text = lambda v: str(v) if isinstance(v, (int, Fraction)) else mpmath.nstr(v, 15)  # noqa: E731
    return {name: text(values[name]) for name in data["correct_answers"]["symdrop"]}


@pytest.mark.parametrize("smooth", [False, True], ids=["relu", "sigmoid"])
def test_forward_grades_the_key_a_mistake_and_error_carried_forward(course, smooth_course, smooth):
    where = smooth_course if smooth else course
    module, data = server(where, "forward"), generated(where, "forward", 7)
    names = list(data["correct_answers"]["symdrop"])
    parts = {n.split("_")[0] for n in names if n != "y1"}
    most = len(parts) + 4  # symdrop grade's rubric: 1 point each z^(l) and a^(l), 4 the answer
    right = values_of(data["params"]["entry"]["spec"])
    key = submission(data, typed(data, right))
    module.grade(key)
    assert key["score"] == 1 and key["feedback"]["symdrop"] == ["Right."] and not key["format_errors"]
    mistake = data["params"]["entry"]["mistakes"][0]
    wrong = submission(data, {**typed(data, right), "y1": mistake.get("answer_decimal", mistake["answer"])[0]})
    module.grade(wrong)
    assert wrong["score"] == float(Fraction(most - 4, most))  # PrairieLearn takes a float: the exact score, rounded once
    assert mistake["label"] in wrong["feedback"]["symdrop"][0] and wrong["partial_scores"]["y1"]["score"] == 0
    carried = submission(data, typed(data, values_of(data["params"]["entry"]["spec"], carried=True)))
    module.grade(carried)
    assert carried["score"] == float(Fraction(most - 1, most))
    assert carried["partial_scores"]["z1_1"]["score"] == 0 and carried["partial_scores"]["y1"]["score"] == 1


def test_generate_is_deterministic_per_seed_and_garbage_is_a_format_error(course):
    first, again, other = (generated(course, "backprop", s) for s in (3, 3, 4))
    assert first == again and first["params"]["code"] != other["params"]["code"]
    module = server(course, "backprop")
    garbage = submission(first, {**first["correct_answers"]["symdrop"], "y1_2": "abc"})
    module.grade(garbage)
    assert set(garbage["format_errors"]) == {"y1_2"} and garbage["score"] == 0
    svg = module.file({**first, "filename": "network.svg"})
    assert svg.lstrip().startswith(("<svg", "<?xml")) and first["params"]["code"] in svg
    assert module.file({**first, "filename": "other.png"}) == ""


@pytest.mark.parametrize("text, value", [("7", 7), ("-0.75", Fraction(-3, 4)), ("1.5e-3", Fraction(3, 2000)),
                                         ("\u22123/4", Fraction(-3, 4)), ("2.5/3", Fraction(5, 6)), (" .5 ", Fraction(1, 2)),
                                         # a decimal comma is a decimal point, as check and grade read it
                                         ("0,75", Fraction(3, 4)), ("-0,75", Fraction(-3, 4)), (",5", Fraction(1, 2)),
                                         ("1,", Fraction(1)), ("2,5/3", Fraction(5, 6)), ("1,5e-3", Fraction(3, 2000)),
                                         # spaces around "/" and after the number's sign, as check and grade read them
                                         ("-245 / 3", Fraction(-245, 3)), ("- 245/3", Fraction(-245, 3)),
                                         ("-245/ 3", Fraction(-245, 3)), ("\u2212 2,5 / 3", Fraction(-5, 6))])
def test_typed_numbers_read_exactly(text, value):
    assert read_exact(text) == value


def test_a_decimal_comma_grades_as_a_decimal_point(smooth_course):
    """The sigmoid forward question's right values, each decimal typed with a comma: all right."""
    module, data = server(smooth_course, "forward"), generated(smooth_course, "forward", 7)
    right = typed(data, values_of(data["params"]["entry"]["spec"]))
    commas = {name: text.replace(".", ",") for name, text in right.items()}
    assert sum("," in t for t in commas.values()) > 5
    key = submission(data, commas)
    module.grade(key)
    assert not key["format_errors"] and key["score"] == 1


def test_fractions_typed_with_spaces_grade_as_written_without(course):
    """The forward question's right values (the plain-Fraction reference's), each typed as a
    fraction over 2 with spaces around its "/" and after its minus sign, -13 as "- 26 / 2": all
    right, no format error."""
    module, data = server(course, "forward"), generated(course, "forward", 7)
    right = values_of(data["params"]["entry"]["spec"])
    spaced = {name: f"{'- ' if right[name] < 0 else ''}{abs(2 * right[name])} / 2" for name in data["correct_answers"]["symdrop"]}
    assert sum(t.startswith("- ") for t in spaced.values()) >= 2
    key = submission(data, spaced)
    module.grade(key)
    assert not key["format_errors"] and key["score"] == 1


def test_a_long_decimal_grades_and_one_too_long_to_grade_is_a_format_error(smooth_course):
    """A student who pastes a calculator's 21 significant digits (the reduced fraction of such a
    decimal has more than 40 digits) is graded, not met by an error of the question; a number whose
    exact value is too long to grade (1e-40, 10^-40) is a format error, as an over-long number is."""
    module, data = server(smooth_course, "forward"), generated(smooth_course, "forward", 7)
    right = values_of(data["params"]["entry"]["spec"])
    with mpmath.workdps(40):
        long = {name: mpmath.nstr(right[name], 21, min_fixed=-30, max_fixed=30) if not isinstance(right[name], (int, Fraction))
                else str(right[name]) for name in data["correct_answers"]["symdrop"]}
    assert max(len(t) for t in long.values()) >= 22
    key = submission(data, long)
    module.grade(key)
    assert not key["format_errors"] and key["score"] == 1
    tiny = submission(data, {**long, "y1": "1e-40"})
    module.grade(tiny)
    assert set(tiny["format_errors"]) == {"y1"} and tiny["score"] == 0


@pytest.mark.parametrize("text", ["abc", "1e41", "1/0", "1,,5", "1,5,3", "1.5,3", ",", "1/2/3", "",
                                  "1 / 2 3 / 4", "3 - 2", "3 -2", "1 / 2 / 3", "- -2", "1/ - 2"])
def test_other_typed_text_is_refused(text):
    with pytest.raises(SymdropError):
        read_exact(text)


def test_hostile_title_stays_data(tmp_path):
    sheet = build_sheet(2, Options(), 1, kinds=parse_kinds("inverted"))
    files = sheet_prairielearn(sheet, name=HOSTILE)
    folder = "questions/symdrop-inverted-seed-2/"
    assert json.loads(files[folder + "info.json"])["title"] == HOSTILE
    assert json.loads(files[folder + "symdrop.json"])["title"] == HOSTILE
    for name in ("question.html", "server.py"):
        assert "script" not in files[folder + name] and "Quiz" not in files[folder + name]
    course = write(files, tmp_path)
    data = {"params": {}, "correct_answers": {}, "variant_seed": 1, "options": {"question_path": str(course / folder)}}
    spec = importlib.util.spec_from_file_location("server_hostile", course / folder / "server.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.generate(data)
    assert data["params"]["title"] == HOSTILE  # Mustache's {{params.title}} escapes it where shown


def test_lint_passes_the_export_and_fails_a_server_that_accepts_everything(tmp_path):
    assert main(["sheet", "--kinds", "variance:alone", "--problems", "1", "--seed", "4", "--format", "prairielearn",
                 "--no-diagram", "--out", str(tmp_path)]) == 0
    course = tmp_path / "prairielearn"
    assert is_course(course) and not is_course(tmp_path)
    results = simulate(course, seeds=(1, 2))
    assert results and all(r.ok for r in results) and {r.case for r in results} > {"key"}
    assert {(r.export, r.check) for r in lint_prairielearn(course)} >= {("prairielearn", "key")}  # lint-export's fields
    data = {"params": {}, "correct_answers": {}, "variant_seed": 1,
            "options": {"question_path": str(course / "questions" / "symdrop-variance-alone-seed-4")}}
    server(course, "variance-alone", seed=4).generate(data)
    assert data["params"]["figure"] is False  # --no-diagram: no pl-figure shown
    path = course / "questions" / "symdrop-variance-alone-seed-4" / "server.py"
    path.write_text(path.read_text(encoding="utf-8") + "\n\ndef grade(data):\n    data['score'] = 1.0\n", encoding="utf-8")
    broken = simulate(course, seeds=(1,))
    assert broken and not any(r.ok for r in broken)  # the key's feedback names nothing, every mistake scores 1


def test_sheet_refuses_a_roster_or_too_few_problems_for_prairielearn(tmp_path, capsys):
    assert main(["sheet", "--kinds", "forward,inverted", "--problems", "1", "--format", "prairielearn",
                 "--out", str(tmp_path)]) == 2
    assert "--problems: expected at least 2" in capsys.readouterr().err
    roster = tmp_path / "roster.csv"
    roster.write_text("id,name\ns1,Ana\n", encoding="utf-8")
    assert main(["sheet", "--roster", str(roster), "--format", "prairielearn", "--out", str(tmp_path)]) == 2
    assert "--roster" in capsys.readouterr().err and not (tmp_path / "prairielearn").exists()


@pytest.mark.parametrize("damage, said", [
    ("config not json", "symdrop.json is not JSON (line 1"),
    ("no server.py", "it has no server.py"),
    ("server raises", "its server.py failed: boom"),
    ("no questions", "no question folder: an empty course"),
])
def test_lint_fails_a_damaged_course_in_words_never_a_traceback(tmp_path, capsys, damage, said):
    assert main(["sheet", "--kinds", "variance:alone", "--problems", "1", "--seed", "4", "--format", "prairielearn",
                 "--no-diagram", "--out", str(tmp_path)]) == 0
    question = tmp_path / "prairielearn" / "questions" / "symdrop-variance-alone-seed-4"
    if damage == "config not json":
        (question / "symdrop.json").write_text("{broken", encoding="utf-8")
    elif damage == "no server.py":
        (question / "server.py").unlink()
    elif damage == "server raises":
        (question / "server.py").write_text('raise RuntimeError("boom")\n', encoding="utf-8")
    else:
        for path in sorted(question.rglob("*"), reverse=True):
            path.unlink()
        question.rmdir()
    capsys.readouterr()
    assert main(["lint-export", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert f"FAIL: {'' if damage == 'no questions' else 'cannot be graded: '}{said}" in out and "0 passed, 1 failed" in out


def mustache(template: str, view: dict) -> str:
    """As much of Mustache as question.html's panel uses: sections, inverted sections, dotted names."""
    def look(name):
        value = view
        for key in name.split("."):
            value = value.get(key) if isinstance(value, dict) else None
        return value
    section = re.compile(r"\{\{([#^])([\w.]+)\}\}(.*?)\{\{/\2\}\}", re.S)
    while section.search(template):
        template = section.sub(lambda m: m[3] if bool(look(m[2])) == (m[1] == "#") else "", template)
    return re.sub(r"\{\{\{?([\w.]+)\}?\}\}", lambda m: str(look(m[1]) or ""), template)


@pytest.mark.parametrize("smooth", [False, True], ids=["relu", "sigmoid"])
def test_the_question_states_the_tolerance_it_grades_by_once(course, smooth_course, smooth):
    """A sigmoid variant's statement leaves how to give its numbers to the question (as every LMS
    export's boxes say it), whose panel states it once: the tolerance grading takes, ŷ right at
    99% of it past the exact value and wrong at 101%. A ReLU variant's numbers are exact."""
    where = smooth_course if smooth else course
    data = generated(where, "forward", 7)
    html = (where / "questions" / "symdrop-forward-seed-11" / "question.html").read_text(encoding="utf-8")
    panel = mustache(html, data).split("</pl-question-panel>")[0]
    statement = data["params"]["statement"]
    assert "decimal places" not in statement and "±" not in statement and "tolerance" not in statement
    stated = re.findall(r"to at least (\d+) decimal places: symdrop takes each number within ±(0\.\d+) of its exact value", panel)
    if not smooth:
        assert stated == [] and "symdrop checks them exactly." in panel and "±" not in panel
        return
    [(places, within)] = stated
    assert panel.count("±") == 1 and "exactly" not in panel and int(places) == len(within) - 2
    right = values_of(data["params"]["entry"]["spec"])
    for share, score in ((Fraction(99, 100), 1), (Fraction(101, 100), 0)):
        off = Fraction(within) * share
        typed_y = mpmath.nstr(right["y1"] + mpmath.mpf(off.numerator) / off.denominator, 12)
        graded = submission(data, {**typed(data, right), "y1": typed_y})
        server(where, "forward").grade(graded)
        assert graded["partial_scores"]["y1"]["score"] == score, (within, typed_y)


def test_a_value_reaches_grade_in_its_shorter_exact_form():
    # 2^-40 terminates, but its decimal has 40 places (0.0000000000009094947017729282379150390625):
    # its fraction 1/1099511627776 is shorter and within grade's 40 digits; 0.731058578630004879251
    # (21 places) reaches grade as typed, its reduced fraction having 43 digits.
    from symdrop.render.prairielearn_server import graded_text

    assert read_exact("1/1099511627776") == Fraction(1, 2**40)
    assert graded_text(Fraction(1, 2**40)) == "1/1099511627776"
    assert graded_text(Fraction(731058578630004879251, 10**21)) == "0.731058578630004879251"
    assert graded_text(Fraction(-245, 3)) == "-245/3" and graded_text(Fraction(7)) == "7"
