"""What every linter checks of one item, given how its target scores an answer: the key scores
full marks; each known mistake shows its feedback and scores the rubric's mistake share of what it
gets wrong."""

import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass
from fractions import Fraction

from .registry import Result

CP = "{http://www.imsglobal.org/xsd/imscp_v1p1}"  # IMS content packaging: a QTI package's manifest


class Unsupported(Exception):
    """An element of response processing a linter does not run."""


def package_resources(path, export: str) -> list[ET.Element] | Result:
    """The XML resources a QTI package (``imsmanifest.xml`` and the files it lists) holds, or
    the failed Result of an unreadable package."""
    try:
        with zipfile.ZipFile(path) as archive:
            manifest = ET.fromstring(archive.read("imsmanifest.xml"))
            return [ET.fromstring(archive.read(r.get("href"))) for r in manifest.iter(CP + "resource")]
    except (OSError, KeyError, TypeError, zipfile.BadZipFile, ET.ParseError) as error:
        return Result(export, "-", "read", f"unreadable package: {error}")

CLOSE = Fraction(1, 10**6)  # scores as a target adds them up, in decimals


def mistake_results(export: str, item: str, problem, share: Fraction, score) -> list[Result]:
    """The results of ``item`` (of ``problem``, key.json's) where ``score(values)`` is (score,
    maximum, feedback texts shown) of an answer ``values`` (None: a number not given)."""
    got, full, _ = score(problem.answer)
    results = [Result(export, item, "key", "" if full > 0 and abs(got - full) < CLOSE else f"the key scores {got} of {full}")]
    # Each number's points: what the key scores less without it.
    points = [got - score(tuple(None if k == i else v for k, v in enumerate(problem.answer)))[0]
              for i in range(len(problem.answer))]
    for ident, label, values in problem.mistakes:
        wrong = [k for k, (v, a) in enumerate(zip(values, problem.answer)) if v != a]
        if not wrong:
            continue
        got_m, _, shown = score(values)
        expected = full - sum(points[k] * (1 - share) for k in wrong)
        failure = []
        if abs(got_m - expected) >= CLOSE:
            failure.append(f"scores {float(got_m):g} of {float(full):g}, expected {float(expected):g}")
        if not any(label in text for text in shown):
            failure.append("no feedback names it")
        results.append(Result(export, item, f"mistake {ident}", "; ".join(failure)))
    return results


def package_item_results(export: str, item: str, problem, responses: list, share: Fraction, run,
                         errors: tuple = (Unsupported,)) -> list[Result]:
    """:func:`mistake_results` of a QTI item whose ``responses`` (identifiers) take the problem's
    numbers in order, ``run(given)`` scoring a dict of them; a failed row where their count is
    not the problem's, or where running raises one of ``errors``."""
    if len(responses) != len(problem.answer):
        return [Result(export, item, "key", f"{len(responses)} responses for {len(problem.answer)} numbers")]
    try:
        return mistake_results(export, item, problem, share, lambda values: run(dict(zip(responses, values))))
    except errors as error:
        return [Result(export, item, "read", f"cannot run: {error}")]


def visible(html_text: str) -> str:
    """The words an LMS shows of HTML: tags dropped, character references read, and the math
    MathJax sets (``\\(y = 0\\)``, a mistake label's formula) read as its plain form (``y = 0``,
    as key.json's label writes it)."""
    import html
    import re

    from ..exercises.labels import plain

    text = html.unescape(re.sub(r"<[^>]*>", "", html_text))
    return re.sub(r"\\\((.*?)\\\)", lambda m: plain(f"${m.group(1)}$"), text)


@dataclass(frozen=True)
class Answer:
    """One answer of a Moodle numerical question (or cloze gap, or GIFT numerical question): its
    grade in percent, its value (None: ``*``, any response), its tolerance and its feedback's words."""

    grade: Fraction
    value: Fraction | None
    tolerance: Fraction
    feedback: str


# Moodle widens a nominal tolerance by 10^-precision (PHP's precision, 14) times max(1, |answer|):
# qtype_numerical_answer::get_tolerance_interval.
MOODLE_SLACK = Fraction(1, 10**14)


def moodle_numerical(answers: list[Answer], given: Fraction | None) -> tuple[Fraction, str]:
    """(grade in percent, feedback) Moodle gives the response ``given`` (None: no response): the
    first answer, in the file's order, whose interval holds it (``*`` holds every response);
    0 and no feedback where none does."""
    if given is None:
        return Fraction(0), ""
    for a in answers:
        if a.value is None or abs(given - a.value) <= a.tolerance + MOODLE_SLACK * max(1, abs(a.value)):
            return a.grade, a.feedback
    return Fraction(0), ""
