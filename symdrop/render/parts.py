"""One exercise's parts in one format: its question, key entry and worked solution (and, for a
kind whose solution restates its question, the question again under a problem's heading)."""

from collections.abc import Mapping

from ..exercises.sheet import Exercise
from .documents import Math, render_figure, render_math
from .env import render_document
from .options import RenderOptions


def render_parts(e: Exercise, fmt: str, options: RenderOptions = RenderOptions(), picture=None,
                 math: Math | None = None, *, saved: str | None = None, solutions: bool = True) -> dict[str, str]:
    """One exercise's question, key entry and worked solution in format ``fmt`` (and, for the
    solutions document, ``solutions``, of a kind whose solution restates its question, the
    question under a problem's heading), with its
    ``picture`` (the network's geometry; linked as ``options.figures``/CODE.svg where the format
    links pictures; set as the document's saved picture ``saved`` where one is named) and its
    formulas (``math``, rendered here unless given: formats share them)."""
    if math is None:
        math = render_math(e.derivation, options)
    context = _context(e, fmt, options, picture, math, saved)
    return {part: render_part(e, part, fmt, options, context) for part in part_names(e, solutions)}


def part_names(e: Exercise, solutions: bool = True) -> tuple[str, ...]:
    """The parts :func:`render_parts` renders, in its order."""
    return (*e.kind.templates, *(("restated",) if solutions and e.kind.restates_question else ()))


def render_part(e: Exercise, part: str, fmt: str, options: RenderOptions, context: dict) -> str:
    """The part ``part`` of ``e`` (one of :func:`part_names`) in ``context`` (:func:`_context`)."""
    if part == "restated":  # the question again, under a problem's heading, to open its solution
        return render_document(e.kind.templates["problem"], fmt, options, standalone=False,
                               **{**context, "restated": True})
    return render_document(e.kind.templates[part], fmt, options, standalone=False, **context)


def _context(e: Exercise, fmt: str, options: RenderOptions, picture, math: Math, saved: str | None) -> dict:
    figure = render_figure(picture, fmt, options, svg=f"{options.figures}{e.code}.svg", saved=saved)
    d = e.derivation
    return dict(e=e, d=d, network=d.network, steps=getattr(d, "steps", ()), figure=figure, math=math,
                mode="test" if getattr(d, "mode", "train") == "test" else "train",
                explain_method=False, restated=False)


class LazyParts(Mapping):
    """:func:`render_parts` of one exercise, each part rendered when a document asks for it and
    not kept: a class set's documents hold one part of one exercise at a time, where all of a
    format's parts held at once took some 40 MiB for 2,000 students (each part is asked by one
    document: the sheet its question, the key its answer, the solutions the rest). ``maths(e)``
    gives the formulas (:class:`.sheets.Formulas`); ``advance``, if given, is called when the
    last of the kind's parts not yet rendered is (the documents may ask in any order): a
    progress bar's step. A
    template reads the parts by name; the attributes are private (a sandboxed template's
    ``part.x`` reads no attribute that starts with ``_``)."""

    def __init__(self, e: Exercise, fmt: str, options: RenderOptions, picture, maths, *,
                 saved: str | None = None, advance=None):
        self._e, self._fmt, self._options, self._picture, self._maths = e, fmt, options, picture, maths
        self._saved, self._advance, self._names = saved, advance, part_names(e)
        self._pending = set(e.kind.templates) if advance is not None else set()  # parts a step waits for

    def __getitem__(self, part: str) -> str:
        if part not in self._names:
            raise KeyError(part)
        e = self._e
        context = _context(e, self._fmt, self._options, self._picture, self._maths(e), self._saved)
        text = render_part(e, part, self._fmt, self._options, context)
        if part in self._pending:
            self._pending.discard(part)
            if not self._pending:
                self._advance()
        return text

    def __iter__(self):
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)
