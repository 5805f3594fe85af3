"""The output formats as a registry: name, suffix, escaping, how pictures embed, which documents."""

from dataclasses import dataclass
from typing import Callable

from ..errors import SymdropError
from .escape import escape_markdown, escape_tex

SHEET_DOCUMENTS = ("sheet", "key", "solutions")


@dataclass(frozen=True)
class Format:
    """A driver of one output format (as R/exams has them).

    ``figure``: how a document shows the picture of a network: ``"inline"`` (drawn in the
    document, TikZ), ``"file"`` (an SVG file beside it, linked) or None (no picture).
    ``documents``: what ``symdrop sheet`` writes in this format, one file each.
    """

    name: str
    suffix: str  # without the dot: "tex"
    escape: Callable[[str], str] | None  # users' text made literal; None: not a text document
    figure: str | None
    documents: tuple[str, ...] = ()
    # Where its documents' templates are: LaTeX and Markdown share one body per document, which
    # writes through the format's macros (``m``, from ``latex/macros.j2``); another format may
    # bring bodies of its own.
    bodies: str = "documents"
    macros: str | None = None

    def template(self, document: str) -> str:
        """The name of this format's template of ``document``: ``documents/solution.j2``."""
        return f"{self.bodies}/{document}.j2"


LATEX = Format("latex", "tex", escape_tex, "inline", SHEET_DOCUMENTS, macros="latex/macros.j2")
MARKDOWN = Format("markdown", "md", escape_markdown, "file", SHEET_DOCUMENTS, macros="markdown/macros.j2")
JSON = Format("json", "json", None, None)  # written from data (render/values.py), not templates
# An LMS export of a sheet (render/gift.py): its own body, gift/questions.j2, no macros.
GIFT = Format("gift", "gift", None, None, bodies="gift")

FORMATS = {f.name: f for f in (LATEX, MARKDOWN, JSON, GIFT)}
EXPORTS = ("gift",)  # what symdrop sheet --format writes besides documents: one file of questions


def get(name: str) -> Format:
    """The format called ``name``."""
    try:
        return FORMATS[name]
    except KeyError:
        raise SymdropError(f"unknown format {name!r} (expected one of {', '.join(FORMATS)})") from None


def by_suffix(suffix: str, default: str = "markdown") -> Format:
    """The format whose files end in ``suffix`` (``.tex``, case-insensitive), else ``default``."""
    suffix = suffix.lower().lstrip(".")
    return next((f for f in FORMATS.values() if f.suffix == suffix), FORMATS[default])


def sheet_formats() -> tuple[str, ...]:
    """The formats ``symdrop sheet`` writes documents in."""
    return tuple(name for name, f in FORMATS.items() if f.documents)


def sheet_choices() -> tuple[str, ...]:
    """What ``symdrop sheet --format`` takes: the document formats and the exports."""
    return sheet_formats() + EXPORTS
