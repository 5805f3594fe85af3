"""The HTML an LMS shows: a body rendered through html/macros.j2, made paragraphs and MathJax math."""

import re
from dataclasses import replace

from ..exercises.sheet import Exercise
from .documents import diagram_of
from .env import render_document
from .options import RenderOptions
from .parts import render_parts

# A blank line ends a paragraph in every body; a chunk that is a block of its own stays as it is.
_BLOCK = re.compile(r"^\s*<(h[1-6]|table|p|div|ul|ol|hr|figure)\b")
# Inline math is $...$ in the bodies (LaTeX's and Markdown's); MathJax in Moodle and Canvas reads
# \( ... \). Users' text never holds a $ (render/escape.py writes it &#36;), nor do printed numbers.
_TABLE = re.compile(r"<table\b.*?</table>", re.S)
_INLINE = re.compile(r"\$([^$]+)\$")
_OPENING_BREAK = re.compile(r"^(<br>\s*)+")
# A table's first row, which the templates mark as its header (html/macros.j2's header_rule).
_HEAD = re.compile(r"(<table\b[^>]*>\s*)<tr>(.*?)</tr>\s*<!--head-->", re.S)
LMS = "lms-html"  # the format's name (render/formats.py)


def finish(body: str) -> str:
    """``body`` (documents/*.j2 in the HTML format) as HTML: each paragraph in ``<p>``, inline
    math in MathJax's ``\\( \\)``."""
    body = _TABLE.sub(lambda m: re.sub(r"\n\s*\n", "\n", m.group(0)), body)  # a table is one block
    body = _HEAD.sub(_header_row, body)
    chunks = [c.strip() for c in re.split(r"\n\s*\n", body) if c.strip()]
    # a paragraph opens with its first line: a list's first item (html/macros.j2's item) drops its break
    html = [c if _BLOCK.match(c) else f"<p>{_OPENING_BREAK.sub('', c)}</p>" for c in chunks]
    return _INLINE.sub(r"\\(\1\\)", "\n".join(html)) + "\n"


def _header_row(match) -> str:
    cells = match.group(2).replace("<td>", '<th scope="col">').replace("</td>", "</th>")
    return f"{match.group(1)}<tr>{cells}</tr>"


def exercise_html(e: Exercise, options: RenderOptions, figures: str = "") -> dict[str, str]:
    """The question (the kind's introduction, as a sheet says it once, then the problem), the key
    entry (the answer and the mistakes' answers) and the worked solution of exercise ``e`` as LMS
    HTML, a picture linked as ``figures``CODE.svg (``@@PLUGINFILE@@/`` in Moodle) unless
    ``options.diagram`` is off."""
    options = replace(options, figures=figures)
    picture = diagram_of(e.derivation) if options.diagram else None
    parts = render_parts(e, LMS, options, picture, solutions=False)
    intro = render_document(e.kind.intro, LMS, options, kinds=(e.kind,))
    return {"question": finish(intro + "\n\n" + parts["problem"]), "answer": finish(parts["answer"]),
            "solution": finish(parts["solution"])}
