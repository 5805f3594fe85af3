"""The output formats as one registry: name, suffix, escaping, pictures, documents, the commands that write them."""

from dataclasses import dataclass
from importlib import import_module
from typing import Callable

from ..errors import SymdropError
from .escape import escape_html, escape_markdown, escape_tex, tex_engine

SHEET_DOCUMENTS = ("sheet", "key", "solutions")
DOCUMENT_COMMANDS = ("solve", "expect", "backprop", "moments")  # the commands that write one problem's worked solution


@dataclass(frozen=True)
class Format:
    """A driver of one output format (as R/exams has them).

    ``figure``: how a document shows the picture of a network: ``"inline"`` (drawn in the
    document, TikZ), ``"file"`` (an SVG file beside it, linked) or None (no picture).
    ``documents``: what ``symdrop sheet`` writes in this format, one file each. ``commands``: the
    commands of one problem that write it (``solve``, ...). An LMS export writes a whole sheet
    into one file, ``export``, with its module's ``writer``; ``title`` names it in messages and
    ``note`` says where it goes, where its name does not.
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
    commands: tuple[str, ...] = ()
    export: str | None = None  # the file an LMS export writes: "moodle.xml"
    # "package.module.function" that writes a sheet (sheet, options, name=...) as the export:
    # imported when used, as the exports render through this registry themselves.
    writer: str | None = None
    cloze: bool = False  # takes --parts: a gap for every value a student computes
    scored: bool = False  # takes a rubric (grade's, --rubric): its points and its mistake share
    data: bool = False  # written from data (render/values.py), not from templates
    title: str = ""
    note: str = ""
    # "package.module.function" that makes a whole rendered document the file (a page's
    # paragraphs and MathML): imported when used.
    finish: str | None = None
    by_default: bool = True  # among the documents ``symdrop sheet`` writes without --format
    # "package.module.function" that writes more files of a sheet, (sheet, options) -> {name: text}:
    # the pages' self-check pages.
    companions: str | None = None
    folder: bool = False  # the export is a folder, ``export`` its name: the writer gives {path inside: text}

    def template(self, document: str) -> str:
        """The name of this format's template of ``document``: ``documents/solution.j2``."""
        return f"{self.bodies}/{document}.j2"

    def write_companions(self, sheet, options) -> dict[str, str]:
        """The files this format writes beside a sheet's documents (none without ``companions``)."""
        if not self.companions:
            return {}
        module, function = self.companions.rsplit(".", 1)
        return getattr(import_module(module), function)(sheet, options)

    def write_sheet(self, sheet, options, *, parts: bool = False, name: str | None = None, rubric=None) -> str | bytes:
        """``sheet`` as this LMS export's file (``parts``: cloze questions, where it has them;
        ``name``: a spec's problem, named so; ``rubric``: grade's, where it scores by one)."""
        module, function = self.writer.rsplit(".", 1)
        write = getattr(import_module(module), function)
        asked = {"parts": parts} if self.cloze else {}
        if name is not None:
            asked["name"] = name
        if rubric is not None and self.scored:
            asked["rubric"] = rubric
        return write(sheet, options, **asked)


LATEX = Format("latex", "tex", escape_tex, "inline", SHEET_DOCUMENTS, macros="latex/macros.j2",
               engine=tex_engine, engines=("pdflatex", "lualatex"), commands=DOCUMENT_COMMANDS)
MARKDOWN = Format("markdown", "md", escape_markdown, "file", SHEET_DOCUMENTS, macros="markdown/macros.j2",
                  commands=DOCUMENT_COMMANDS)
JSON = Format("json", "json", None, None, commands=DOCUMENT_COMMANDS, data=True)
# --- html: standalone pages (issue 27) ---
# A page a browser opens from a file: the shared bodies through page/macros.j2, then
# render/page.py (paragraphs, MathML); the picture inline SVG; nothing fetched.
PAGE = Format("html", "html", escape_html, "inline", SHEET_DOCUMENTS, macros="page/macros.j2",
              commands=DOCUMENT_COMMANDS, finish="symdrop.render.page.finish", by_default=False,
              companions="symdrop.render.selfcheck.selfcheck_pages")
# The HTML an LMS shows (questions, worked solutions as feedback): the shared bodies through
# html/macros.j2, then render/html.py; pictures are files stored with the question. No documents
# of its own: it serves the LMS exports.
HTML = Format("lms-html", "html", escape_html, "file", macros="html/macros.j2")
# --- end html ---
# The LMS exports: a body of their own each, no macros.
LMS_QUESTION = "the problem as an LMS question with feedback for each known mistake"
MOODLE = Format("moodle", "xml", None, None, bodies="moodle", commands=("solve",), export="moodle.xml",
                writer="symdrop.render.moodle.sheet_moodle", cloze=True, scored=True, title="Moodle")
GIFT = Format("gift", "gift", None, None, bodies="gift", commands=("solve",), export="questions.gift",
              writer="symdrop.render.gift.sheet_gift", scored=True, title="GIFT")
QTI = Format("qti", "zip", None, None, bodies="qti", export="qti.zip", writer="symdrop.render.qti.sheet_qti",
             title="QTI", note="Canvas")
# QTI 2.1 (a content package of one item per problem): Canvas New Quizzes, OpenOlat, ILIAS, D2L, Inspera.
QTI21 = Format("qti21", "zip", None, None, bodies="qti21", commands=("solve",), export="qti21.zip",
               writer="symdrop.render.qti21.sheet_qti21", scored=True, title="QTI 2.1", note="New Quizzes, OpenOlat, ILIAS")

# PrairieLearn (issue 28): a course folder, one question per kind, graded by symdrop in server.py.
PRAIRIELEARN = Format("prairielearn", "prairielearn", None, None, bodies="prairielearn", export="prairielearn", folder=True,
                      writer="symdrop.render.prairielearn.sheet_prairielearn", scored=True, title="PrairieLearn",
                      note="a course folder")

FORMATS = {f.name: f for f in (LATEX, MARKDOWN, JSON, PAGE, HTML, MOODLE, GIFT, QTI, QTI21, PRAIRIELEARN)}
DEFAULT = MARKDOWN.name  # what a command writes when neither --format nor -o's suffix says


def get(name: str) -> Format:
    """The format called ``name``."""
    try:
        return FORMATS[name]
    except KeyError:
        raise SymdropError(f"unknown format {name!r} (expected one of {', '.join(FORMATS)})") from None


def by_suffix(suffix: str, default: str = DEFAULT) -> Format:
    """The format whose files end in ``suffix`` (``.tex``, case-insensitive), else ``default``."""
    suffix = suffix.lower().lstrip(".")
    return next((f for f in FORMATS.values() if f.suffix == suffix), FORMATS[default])


def compiled() -> Format:
    """The format a PDF is compiled from (LaTeX)."""
    return next(f for f in FORMATS.values() if f.engine)


def written_by(command: str) -> tuple[str, ...]:
    """The formats ``command`` (``solve``) writes: its documents first, then its LMS exports."""
    return tuple(name for name, f in FORMATS.items() if command in f.commands)


def sheet_formats() -> tuple[str, ...]:
    """The formats ``symdrop sheet`` writes documents in."""
    return tuple(name for name, f in FORMATS.items() if f.documents)


def default_sheet_formats() -> tuple[str, ...]:
    """The formats ``symdrop sheet`` writes without ``--format``."""
    return tuple(name for name in sheet_formats() if FORMATS[name].by_default)


def exports() -> tuple[str, ...]:
    """The LMS exports, each a file of a whole sheet."""
    return tuple(name for name, f in FORMATS.items() if f.export)


def cloze() -> tuple[str, ...]:
    """The LMS exports that take ``--parts``."""
    return tuple(name for name in exports() if FORMATS[name].cloze)


def sheet_choices() -> tuple[str, ...]:
    """What ``symdrop sheet --format`` takes: the document formats and the exports."""
    return sheet_formats() + exports()
