"""The output formats as a registry: name, suffix, escaping, how pictures embed, which documents."""

from dataclasses import dataclass
from typing import Callable

from ..errors import SymdropError
from .escape import escape_html, escape_markdown, escape_tex, tex_engine

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
    # The program that compiles a whole document, from its text (LaTeX: pdflatex, or lualatex
    # for scripts pdflatex cannot print); the macros are told it as ``engine``, the first named
    # by default. None: nothing compiles the format.
    engine: Callable[[str], str] | None = None
    engines: tuple[str, ...] = ()

    def template(self, document: str) -> str:
        """The name of this format's template of ``document``: ``documents/solution.j2``."""
        return f"{self.bodies}/{document}.j2"


LATEX = Format("latex", "tex", escape_tex, "inline", SHEET_DOCUMENTS, macros="latex/macros.j2",
               engine=tex_engine, engines=("pdflatex", "lualatex"))
MARKDOWN = Format("markdown", "md", escape_markdown, "file", SHEET_DOCUMENTS, macros="markdown/macros.j2")
JSON = Format("json", "json", None, None)  # written from data (render/values.py), not templates
# The HTML an LMS shows (questions, worked solutions as feedback): the shared bodies through
# html/macros.j2, then render/html.py; pictures are files stored with the question. No documents
# of its own: it serves the LMS exports.
HTML = Format("html", "html", escape_html, "file", macros="html/macros.j2")
# The LMS exports of a sheet (render/exports.py): a body of their own each, no macros.
GIFT = Format("gift", "gift", None, None, bodies="gift")
MOODLE = Format("moodle", "xml", None, None, bodies="moodle")
QTI = Format("qti", "zip", None, None, bodies="qti")

FORMATS = {f.name: f for f in (LATEX, MARKDOWN, JSON, HTML, GIFT, MOODLE, QTI)}
DOCUMENT_FORMATS = ("latex", "markdown", "json")  # what solve, expect and backprop write


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
