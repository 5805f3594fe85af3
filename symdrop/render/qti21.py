"""A sheet as a QTI 2.1 content package (``qti21.zip``): one assessmentItem per problem, one text
entry per number of its answer, scored entry by entry; every known mistake a modal feedback.

Each response is a float compared with the exact answer's decimal within the span's tolerance
(render/lms.py): exactly where the decimal is exact, else ``toleranceMode="absolute"``. A number
that a known mistake gives (within its own span) scores the rubric's mistake share of that
number's points and shows the mistake's feedback, in the key's words; the worked solution is a
feedback every response shows. The picture is an SVG file in the package, shown by ``<img>``
with its text alternative.
"""

from dataclasses import dataclass, replace
from fractions import Fraction

from ..exercises.labels import plain
from ..exercises.sheet import Exercise, Sheet
from .documents import render_svg
from .env import render_document
from .html import exercise_html
from .lms import EXACT_PLACES, Gap, decimal_text, gaps, question_name
from .options import RenderOptions
from .package import zip_package
from .xhtml import xhtml

NAMESPACE = "http://www.imsglobal.org/xsd/imsqti_v2p1"
IMAGES = "images/"


@dataclass(frozen=True)
class Entry:
    """One text entry of an item: its response's identifier, its gap, its points, the points a
    known mistake's number earns, and (feedback identifier, span) for each mistake's number."""

    ident: str
    gap: Gap
    points: str
    mistake_points: str
    mistakes: tuple[tuple[str, object], ...]


@dataclass(frozen=True)
class Item:
    """One assessmentItem: file, identifier, title, question and solution (XHTML), its entries,
    (identifier, words) of each mistake's feedback, and the picture's file (or None)."""

    href: str
    ident: str
    title: str
    question: str
    solution: str
    entries: tuple[Entry, ...]
    feedback: tuple[tuple[str, str], ...]
    picture: str | None

    @property
    def max_score(self) -> str:
        return score_text(sum(Fraction(e.points) for e in self.entries))


def score_text(value: Fraction) -> str:
    return decimal_text(Fraction(value), EXACT_PLACES)


def feedback_ident(name: str) -> str:
    """A mistake's name (or several, space-separated) as a QTI identifier: ``MISTAKE_forgot_relu_1``."""
    return "MISTAKE_" + "__".join(name.split())


def item(e: Exercise, options: RenderOptions, mistake_share: Fraction, title: str | None = None) -> tuple[Item, str | None]:
    """The item of exercise ``e`` and its picture's SVG (None: no picture)."""
    svg = render_svg(e.derivation, options) if options.diagram else None
    html = exercise_html(e, replace(options, diagram=svg is not None), IMAGES)
    entries, feedback = [], {}
    for k, g in enumerate(gaps(e), 1):
        mistakes = []
        for m, span in g.mistakes:
            feedback.setdefault(feedback_ident(m.name), plain(m.label))
            mistakes.append((feedback_ident(m.name), span))
        entries.append(Entry(f"RESPONSE_{k}", g, score_text(g.weight), score_text(g.weight * mistake_share), tuple(mistakes)))
    ident = f"item_{e.code}" if e.student is None else f"item_{e.number}_{e.code}"
    picture = f"{IMAGES}{e.code}.svg" if svg else None
    return Item(f"{ident}.xml", ident, question_name(e, title), xhtml(html["question"]), xhtml(html["solution"]),
                tuple(entries), tuple(feedback.items()), picture), svg


def sheet_qti21(sheet: Sheet, options: RenderOptions = RenderOptions(), name: str | None = None,
                rubric=None) -> bytes:
    """``qti21.zip``: ``imsmanifest.xml``, one item file per exercise and its picture
    (``images/CODE.svg``). ``rubric``: the share of a number's points a known mistake's number
    earns (grade's rubric, ``mistake``; none by default)."""
    options = options.for_sheet(sheet)
    share = Fraction(rubric.mistake) if rubric is not None else Fraction(0)
    files, items = {}, []
    for e in sheet.exercises:
        it, svg = item(e, options, share, name)
        items.append(it)
        files[it.href] = render_document("item", "qti21", options, item=it, namespace=NAMESPACE)
        if svg:
            files[it.picture] = svg
    ident = f"symdrop_seed_{sheet.seed}"
    files["imsmanifest.xml"] = render_document("manifest", "qti21", options, ident=ident, items=items)
    return zip_package(files)
