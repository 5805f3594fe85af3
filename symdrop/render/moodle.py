"""A sheet as Moodle XML: one question per variant, every known mistake a 0% answer with its feedback."""

import base64
from dataclasses import dataclass, replace

from ..exercises.sheet import Exercise, Sheet
from .documents import render_svg
from .env import render_document
from .html import exercise_html
from .lms import Gap, category, gaps, how_given, moodle_grade, question_name, rubric_weights
from .options import RenderOptions
from .sheets import describe

PLUGINFILE = "@@PLUGINFILE@@/"  # how Moodle's text refers to a file stored with it


@dataclass(frozen=True)
class Question:
    """One Moodle question: a numerical question for an answer of one number, else (and with
    ``--parts``) a cloze question with a NUMERICAL gap per number; its text and general feedback
    (the worked solution) as HTML, and the files they show (the picture, base64)."""

    e: Exercise
    name: str
    text: str
    feedback: str
    gaps: tuple[Gap, ...]
    files: tuple[tuple[str, str], ...]

    @property
    def cloze(self) -> bool:
        return len(self.gaps) > 1

    @property
    def given(self) -> str:
        """How a cloze question asks for its numbers (see :func:`~.lms.how_given`)."""
        return how_given(list(self.gaps))


def question(e: Exercise, options: RenderOptions = RenderOptions(), parts: bool = False,
             title: str | None = None, points: dict | None = None) -> Question:
    """The Moodle question of exercise ``e`` (``title``: a spec's, naming the question;
    ``points``: the rubric's points of y, z and a, which weigh a cloze question's gaps)."""
    svg = render_svg(e.derivation, options) if options.diagram else None
    html = exercise_html(e, replace(options, diagram=svg is not None), PLUGINFILE)
    files = ((f"{e.code}.svg", base64.b64encode(svg.encode("utf-8")).decode("ascii")),) if svg else ()
    found = gaps(e, parts)
    if parts and points is not None:
        found = rubric_weights(found, points)
    return Question(e, question_name(e, title), html["question"], html["solution"], tuple(found), files)


def sheet_moodle(sheet: Sheet, options: RenderOptions = RenderOptions(), parts: bool = False, name: str | None = None,
                 rubric=None) -> str:
    """``moodle.xml``: the sheet's category (``name``: a category of that name instead, for a
    spec's problem), then each exercise's question; a cloze question's gaps weighted by
    ``rubric`` (grade's; its default rubric when None), a known mistake's answer graded its
    ``mistake`` share (:func:`~.lms.moodle_grade`)."""
    from ..grading.grade import Rubric

    rubric = Rubric() if rubric is None else rubric
    points = {"y": rubric.y, "z": rubric.z, "a": rubric.a}
    options = options.for_sheet(sheet)
    questions = [question(e, options, parts, name, points) for e in sheet.exercises]
    info = f"symdrop solve: {name}" if name else f"symdrop sheet, seed {sheet.seed}: {describe(sheet.options, sheet.kinds)}"
    return render_document("quiz", "moodle", options, questions=questions, category=category(sheet, name), info=info,
                           mistake=moodle_grade(rubric.mistake))
