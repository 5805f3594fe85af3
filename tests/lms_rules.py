"""Import rules of Moodle XML and of QTI 1.2 items, written from the formats' documentation (not
from Moodle's or Canvas's code), and the graders the tests simulate: what an LMS would refuse or
grade differently is a failure here.

Moodle XML ("Moodle XML format" in Moodle's docs): every question has a name; numerical answers
are numbers or ``*``, tolerances numbers, grades (``fraction``) from Moodle's list; a file that
text refers to as ``@@PLUGINFILE@@/NAME`` is a ``<file name="NAME" encoding="base64">`` of the
same field. Cloze ("Embedded Answers (Cloze) question type"): a gap is ``{N:NUMERICAL:...}`` (or
``NM``), its answers separated by ``~``, each ``=`` (100%) or ``%G%`` then ``value:tolerance`` or
``*``, then optionally ``#feedback``; the gap ends at the first unescaped ``}``.
"""

import base64
import re
import xml.etree.ElementTree as ET
from fractions import Fraction

GRADES = {"100", "90", "83.33333", "80", "75", "70", "66.66667", "60", "50", "40", "33.33333", "30", "25",
          "20", "16.66667", "14.28571", "12.5", "11.11111", "10", "5", "0"}
NUMBER = re.compile(r"^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$")
GAP_START = re.compile(r"\{(\d*):(NUMERICAL|NM):")


def as_grade(text: str) -> str:
    """A grade as Moodle lists it: 100, 83.33333 (the fraction attribute may be 100 or 100.0)."""
    value = Fraction(text)
    return str(value.numerator) if value.denominator == 1 else text


def moodle_errors(xml_text: bytes | str) -> list[str]:
    """Everything Moodle's XML import would refuse or misread in ``xml_text`` (empty: none)."""
    errors = []
    root = ET.fromstring(xml_text.encode("utf-8") if isinstance(xml_text, str) else xml_text)
    if root.tag != "quiz":
        return [f"root is <{root.tag}>, not <quiz>"]
    for q in root.iter("question"):
        kind = q.get("type")
        if kind == "category":
            continue
        name = (q.findtext("name/text") or "").strip()
        where = f"question {name!r}"
        if not name:
            errors.append("a question has no name")
        errors += [f"{where}: {e}" for e in _file_errors(q)]
        if kind == "numerical":
            answers = q.findall("answer")
            if not answers:
                errors.append(f"{where}: no answer")
            for a in answers:
                text = (a.findtext("text") or "").strip()
                if text != "*" and not NUMBER.match(text):
                    errors.append(f"{where}: answer {text!r} is not a number or *")
                if not NUMBER.match((a.findtext("tolerance") or "").strip()):
                    errors.append(f"{where}: tolerance {a.findtext('tolerance')!r} is not a number")
                if as_grade(a.get("fraction", "")) not in GRADES:
                    errors.append(f"{where}: grade {a.get('fraction')} is not one Moodle allows")
            if not any(as_grade(a.get("fraction", "0")) == "100" for a in answers):
                errors.append(f"{where}: no 100% answer")
        elif kind == "cloze":
            gaps = cloze_gaps(q.findtext("questiontext/text") or "")
            if not gaps:
                errors.append(f"{where}: a cloze question without a gap")
            for k, gap in enumerate(gaps, 1):
                errors += [f"{where}, gap {k}: {e}" for e in gap_errors(gap)]
        else:
            errors.append(f"{where}: unexpected question type {kind!r}")
    return errors


def _file_errors(question) -> list[str]:
    errors = []
    for field in list(question.iter("questiontext")) + list(question.iter("generalfeedback")):
        text = field.findtext("text") or ""
        files = {f.get("name"): f for f in field.findall("file")}
        for name in re.findall(r"@@PLUGINFILE@@/([^\"'\s<>]+)", text):
            f = files.get(name)
            if f is None:
                errors.append(f"{field.tag} refers to {name}, which it does not carry")
                continue
            try:
                svg = ET.fromstring(base64.b64decode(f.text or "", validate=True))
            except Exception as error:  # noqa: BLE001 - any failure to decode or parse is the finding
                errors.append(f"{field.tag}: file {name} is not base64 SVG ({error})")
                continue
            if not svg.tag.endswith("svg"):
                errors.append(f"{field.tag}: file {name} is <{svg.tag}>, not SVG")
    return errors


def cloze_gaps(text: str) -> list[list[tuple[str, str, str | None]]]:
    """The NUMERICAL gaps of cloze text: per gap its answers as (grade, answer, feedback)."""
    gaps = []
    for start in GAP_START.finditer(text):
        body, i = [], start.end()
        while i < len(text) and not (text[i] == "}" and text[i - 1] != "\\"):
            body.append(text[i])
            i += 1
        if i == len(text):
            gaps.append([("unclosed", "", None)])
            continue
        answers = []
        for alternative in re.split(r"(?<!\\)~", "".join(body)):
            grade = "0"
            if alternative.startswith("="):
                grade, alternative = "100", alternative[1:]
            elif m := re.match(r"%(-?[\d.]+)%", alternative):
                grade, alternative = m.group(1), alternative[m.end():]
            answer, _, feedback = alternative.partition("#")
            answers.append((grade, answer, feedback if _ else None))
        gaps.append(answers)
    return gaps


def gap_errors(gap) -> list[str]:
    errors = []
    for grade, answer, feedback in gap:
        if grade == "unclosed":
            return ["the gap is not closed by }"]
        value, _, tolerance = answer.partition(":")
        if value != "*" and not NUMBER.match(value):
            errors.append(f"answer {answer!r} is not a number or *")
        if tolerance and not NUMBER.match(tolerance):
            errors.append(f"tolerance {tolerance!r} is not a number")
        if as_grade(grade) not in GRADES:
            errors.append(f"grade {grade}% is not one Moodle allows")
        if feedback and re.search(r"[\\$]|\\\(", feedback):
            errors.append(f"feedback {feedback!r} holds LaTeX or a backslash")
    if not any(as_grade(g) == "100" for g, _, _ in gap):
        errors.append("no 100% answer")
    return errors


def grade_numerical(answers: list[tuple[str, str, str, str]], response: Fraction) -> tuple[str, str]:
    """Moodle's numerical grading: the first answer (grade, value, tolerance, feedback), in order,
    whose interval holds ``response`` (``*`` holds every response) gives its grade and feedback."""
    for grade, value, tolerance, feedback in answers:
        if value == "*" or abs(response - Fraction(value)) <= Fraction(tolerance or "0"):
            return as_grade(grade), feedback
    return "0", ""
