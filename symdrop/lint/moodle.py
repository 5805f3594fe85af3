"""Lint Moodle XML (moodle.xml): each question graded as Moodle grades it, from the file.

A numerical question: the first of its answers, in order, whose interval holds the response
gives its grade and feedback. A cloze question: each NUMERICAL gap ``{W:NUMERICAL:=v:t#fb~%G%v:t#fb~*#fb}``
graded the same way, the question's grade the gaps' grades weighed by their weights W. A gap's
row ``<tr data-answer="K">`` says which number of the answer it asks (``--parts``: the other gaps,
values on the way that key.json does not hold, are given their own right value). Two questions
are the same variant where their text, but for the variant code, and their right answers are.
"""

import html
import re
import xml.etree.ElementTree as ET
from fractions import Fraction

from .registry import Result, duplicates
from .simulate import Answer, moodle_numerical, mistake_results, visible

EXPORT = "moodle.xml"
GAP = re.compile(r"\{(\d*):(?:NUMERICAL|NM):(.*?)(?<!\\)\}", re.S)
ROW = re.compile(r"(</?tr\b[^>]*>)")
# Moodle's grades (question_bank::fraction_options), in percent, highest first.
GRADES = tuple(Fraction(g) for g in ("100", "90", "83.33333", "80", "75", "70", "66.66667", "60", "50", "40", "33.33333",
                                     "30", "25", "20", "16.66667", "14.28571", "12.5", "11.11111", "10", "5", "0"))


def allowed_share(share: Fraction) -> Fraction:
    """The rubric's mistake ``share`` (0 to 1) as the Moodle grade a mistake's answer holds: the
    nearest of Moodle's grades not above it, as a share."""
    return next(g for g in GRADES if g <= share * 100) / 100


def lint_moodle(path, key, share) -> list[Result]:
    try:
        root = ET.parse(path).getroot()
    except (OSError, ET.ParseError) as error:
        return [Result(EXPORT, "-", "read", f"unreadable Moodle XML: {error}")]
    results, asked = [], {}
    for q in root.iter("question"):
        if q.get("type") == "category":
            continue
        name = " ".join((q.findtext("name/text") or "?").split())
        problem = key.get((q.findtext("idnumber") or "").strip())
        if problem is None:
            results.append(Result(EXPORT, name, "key", "no problem of key.json has its idnumber"))
            continue
        try:
            gaps = _numerical(q) if q.get("type") == "numerical" else _cloze(q.findtext("questiontext/text") or "")
        except ValueError as error:
            results.append(Result(EXPORT, name, "read", f"cannot read: {error}"))
            continue
        text = (q.findtext("questiontext/text") or "").replace(problem.code, "")  # the same problem: the same text but its code
        asked[name] = (text, tuple((k, a.value, a.tolerance) for _, k, answers in gaps for a in answers if a.grade == 100))
        numbers = sorted(k for _, k, _ in gaps if k is not None)
        if numbers != list(range(len(problem.answer))):
            results.append(Result(EXPORT, name, "key", f"gaps for numbers {[k + 1 for k in numbers]} of {len(problem.answer)}"))
            continue
        results += mistake_results(EXPORT, name, problem, allowed_share(share), lambda values, gaps=gaps: grade(gaps, values))
    return results + duplicates(EXPORT, asked)


def grade(gaps, values) -> tuple[Fraction, Fraction, list[str]]:
    """(grade, maximum, feedback shown) of a question's ``gaps`` (weight, number of the answer or
    None, answers) for the answer ``values``; a gap of no number is given its right value."""
    got, full, shown = Fraction(0), Fraction(0), []
    for weight, k, answers in gaps:
        right = next((a.value for a in answers if a.grade == 100), None)
        percent, feedback = moodle_numerical(answers, values[k] if k is not None else right)
        got, full = got + weight * percent / 100, full + weight
        shown += [feedback] if feedback else []
    return got, full, shown


def _numerical(q) -> list:
    answers = []
    for a in q.findall("answer"):
        text = (a.findtext("text") or "").strip()
        answers.append(Answer(Fraction(a.get("fraction", "0")), None if text == "*" else Fraction(text),
                              Fraction((a.findtext("tolerance") or "0").strip()), visible(a.findtext("feedback/text") or "")))
    return [(1, 0, answers)]


def _cloze(text: str) -> list:
    """The NUMERICAL gaps of cloze ``text``: (weight, number of the answer its row asks or None, answers)."""
    gaps, number = [], None
    for piece in ROW.split(text):
        if ROW.fullmatch(piece):
            found = re.search(r'data-answer="(\d+)"', piece)
            number = int(found.group(1)) - 1 if found and not piece.startswith("</") else None
            continue
        gaps += [(int(g.group(1) or 1), number, _alternatives(g.group(2))) for g in GAP.finditer(piece)]
    return gaps


def _alternatives(body: str) -> list[Answer]:
    """A gap's answers: ``=`` 100%, ``%G%`` G%, else 0%; ``value:tolerance`` or ``*``; ``#``
    feedback, whose character references Moodle reads once before showing it as HTML."""
    answers = []
    for alternative in re.split(r"(?<!\\)~", body):
        percent = Fraction(0)
        if alternative.startswith("="):
            percent, alternative = Fraction(100), alternative[1:]
        elif m := re.match(r"%(-?[\d.]+)%", alternative):
            percent, alternative = Fraction(m.group(1)), alternative[m.end():]
        value, _, feedback = alternative.partition("#")
        number, _, tolerance = value.strip().partition(":")
        answers.append(Answer(percent, None if number == "*" else Fraction(number), Fraction(tolerance or "0"),
                              visible(html.unescape(feedback))))
    return answers
