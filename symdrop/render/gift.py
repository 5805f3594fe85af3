"""A sheet as Moodle GIFT numerical questions, each known mistake a 0% answer with its feedback.

GIFT turns an answer it cannot read as a number into "accept anything", so only decimals reach
it (render/lms.py). GIFT cannot carry files: its questions have no picture.
"""

from dataclasses import replace
from fractions import Fraction

from ..exercises.sheet import Sheet
from .env import render_document
from .escape import printable
from .html import exercise_html
from .lms import category, gaps, moodle_grade, question_name, telling
from .options import RenderOptions

GIFT_SPECIAL = "\\~=#{}:"  # backslash first: each is written with a backslash before it


def escape_gift(text: str) -> str:
    """Text GIFT prints literally: ``\\``, ``~ = # { } :`` escaped with a backslash, and line
    breaks written ``\\n`` (a blank line would end the question); other controls a space."""
    text = "\n".join(printable(line) for line in str(text).split("\n"))
    return "".join("\\" + c if c in GIFT_SPECIAL else c for c in text).replace("\n", "\\n")


def sheet_gift(sheet: Sheet, options: RenderOptions = RenderOptions(), name: str | None = None, rubric=None) -> str:
    """``questions.gift``: a category for the sheet, then one numerical question per exercise
    (a GIFT numerical question holds one number): for an answer of several numbers, the one the
    most known mistakes get wrong (:func:`~.lms.telling`), named; its text the question as HTML
    and its general feedback the worked solution; a known mistake's answer graded ``rubric``'s
    ``mistake`` share (grade's rubric; 0 by default) as Moodle allows it (:func:`~.lms.moodle_grade`)."""
    options = replace(options.for_sheet(sheet), diagram=False)
    items = []
    for e in sheet.exercises:
        html = exercise_html(e, options)
        items.append((e, html["question"].strip(), html["solution"].strip(), telling(gaps(e)), question_name(e, name)))
    # $CATEGORY's line is read as it is (Moodle does not undo GIFT's escapes there): one line, unescaped.
    return render_document("questions", "gift", options, items=items, category=" ".join(printable(category(sheet, name)).split()),
                           esc=escape_gift, mistake=moodle_grade(rubric.mistake if rubric is not None else Fraction(0)))
