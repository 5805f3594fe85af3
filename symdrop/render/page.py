"""A standalone HTML page (``--format html``): a body rendered through page/macros.j2, made
paragraphs, its math MathML. Browsers draw MathML Core themselves: the page fetches nothing."""

import re
from functools import lru_cache

from latex2mathml.converter import convert

from ..errors import RenderError
from .texwidth import width

# A blank line ends a paragraph in every body; a chunk that is a block of its own stays as it is.
_BLOCK = re.compile(r"^\s*</?(h[1-6]|table|p|div|ul|ol|hr|figure|section|form|script|noscript)\b")
_SCRIPT = re.compile(r"<script>.*?</script>", re.S)
_TABLE = re.compile(r"<table\b.*?</table>", re.S)
_BODY = re.compile(r"(<!-- body -->\n)(.*)(\n?<!-- end body -->)", re.S)
# Math as the bodies write it (LaTeX's notation): display \[ ... \], inline $...$. Users' text
# never holds a $ (render/escape.py writes it &#36;), nor do printed numbers.
_DISPLAY = re.compile(r"\\\[(.*?)\\\]", re.S)
_INLINE = re.compile(r"\$([^$]+)\$")
_TITLE = re.compile(r"<title></title>")
_H1 = re.compile(r"<h1>(.*?)</h1>", re.S)
_TAG = re.compile(r"<[^>]*>")
# MathML Core has no aligned environment; an array of right and left columns sets the same rows.
_ALIGNED = (("\\begin{aligned}", "\\begin{array}{rlrlrlrl}"), ("\\end{aligned}", "\\end{array}"))
# A minus or plus right after an operator, a comma or an opening bracket is a sign (MathML Core
# spaces an <mo> that is not first in its row as a binary operator: "( − 3"); a relation first in
# an aligned row's right cell is still a relation ("a = b", not "a =b").
_SIGN = re.compile(r"(<mo[^>]*>(?:&#x0003D;|&#x0002C;|&#x00028;|&#x0005B;|&#x0002B;|&#x02212;|&#x000B7;|&#x000D7;"
                   r"|&#x02248;|&#x0003B;|&#x02299;)</mo>)<mo>(&#x02212;|&#x0002B;)</mo>")
# \left( ... \right) around what is one line high: a bracket that need not stretch (Chromium
# spaces a stretchy one: "( −1 )"); around a matrix or a fraction it stretches.
_FENCES = re.compile(r'<mo stretchy="true" fence="true" form="prefix">([^<]*)</mo>'
                     r'((?:(?!<mo stretchy="true" fence="true" form="prefix">).)*?)'
                     r'<mo stretchy="true" fence="true" form="postfix">([^<]*)</mo>', re.S)
_TALL = ("<mtable", "<mfrac", "<munderover", "<msubsup")
_RELATION = re.compile(r'(<mtd columnalign="left">)<mo>(&#x0003D;|&#x02248;|&#x02264;|&#x02265;)</mo>')
# A displayed formula wider than this (in TeX's em, render/texwidth.py) may be wider than the page's
# column, 46rem (Chromium sets up to some 22 px per em of the estimate, 736 px at 33 em): it scrolls
# inside an element the keyboard reaches (WCAG 2.1.1), as a wide table does; narrower ones are no tab stop.
WIDE_EM = 30.0


@lru_cache(maxsize=4096)
def mathml(tex: str, display: bool = False) -> str:
    """LaTeX math (as the bodies and the printer write it) as a MathML ``<math>`` element."""
    for old, new in _ALIGNED:
        tex = tex.replace(old, new)
    try:
        element = convert(tex.strip(), display="block" if display else "inline")
    except Exception as error:  # noqa: BLE001 -- the converter's own errors name no field
        raise RenderError(f"HTML: cannot write {tex.strip()[:60]!r} as MathML ({error})") from None
    element = _flat_fences(element)
    element = _RELATION.sub(r'\1<mo form="infix">\2</mo>', _SIGN.sub(r'\1<mo form="prefix">\2</mo>', element))
    element = element.replace("<mi>&#x000B1;</mi>", "<mo>&#x000B1;</mo>")  # the converter makes \pm an identifier
    # Red as the PDF's, dark enough to read on white (WCAG 2.1 AA asks 4.5:1; #ff0000 has 4.0:1).
    return element.replace(' xmlns="http://www.w3.org/1998/Math/MathML"', "").replace('mathcolor="red"', 'mathcolor="#b30000"')


def _display(tex: str) -> str:
    """A displayed formula; one that may be wider than the column in a focusable region that
    scrolls (a span: a display sits inside its paragraph, which a div would end)."""
    element = mathml(tex, True)
    if width(tex) <= WIDE_EM:
        return element
    return f'<span class="wide" role="region" aria-label="formula" tabindex="0">{element}</span>'


def _flat_fences(element: str) -> str:
    """Each innermost \\left( ... \\right) pair around one line of math made a bracket that does
    not stretch, inside out (a pair around a tall one stays: see :data:`_FENCES`)."""
    def flat(match):
        if any(tall in match.group(2) for tall in _TALL):
            return match.group(0).replace('fence="true" form="prefix"', 'fence="true" form="prefix" data-tall="1"', 1)
        return f'<mo stretchy="false">{match.group(1)}</mo>{match.group(2)}<mo stretchy="false">{match.group(3)}</mo>'
    for _ in range(32):  # nesting depth of brackets in one formula
        done = _FENCES.sub(flat, element)
        if done == element:
            break
        element = done
    return element.replace(' data-tall="1"', "")


# A table's first row, which the templates mark as its header (page/macros.j2's header_rule).
_HEAD = re.compile(r"(<table>\s*)<tr>(.*?)</tr>\s*<!--head-->", re.S)


def _header_row(match) -> str:
    cells = match.group(2).replace("<td>", '<th scope="col">').replace("</td>", "</th>")
    return f"{match.group(1)}<tr>{cells}</tr>"


def _paragraph(chunk: str) -> str:
    """A paragraph of the body in ``<p>``; its lines from the first that opens with ``<li>``
    (page/macros.j2's item) a list after it, each item until the next, or until the item's text
    has ended a sentence: what follows then (a layer's step) is a block after the list."""
    lines = chunk.split("\n")
    first = next((i for i, line in enumerate(lines) if line.startswith("<li>")), None)
    if first is None:
        return f"<p>{chunk}</p>"
    items: list[list[str]] = []
    rest: list[str] = []
    for k in range(first, len(lines)):
        if lines[k].startswith("<li>"):
            items.append([lines[k]])
        elif _ended("\n".join(items[-1])):
            rest = lines[k:]
            break
        else:  # the item goes on: "its value, removed, is" and the display of it
            items[-1].append(lines[k])
    text, after = "\n".join(lines[:first]).strip(), "\n".join(rest).strip()
    return ((f"<p>{text}</p>\n" if text else "") + "<ul>\n" + "".join("\n".join(item) + "</li>\n" for item in items)
            + "</ul>" + (f"\n{_paragraph(after)}" if after else ""))


def _ended(item: str) -> bool:
    """Whether an item's text so far has ended its sentence: a full stop (or ? or !), perhaps a
    formula's end after it, and no display (``\\[``) left open (its rows, full stops and all, are of the item)."""
    return item.count("\\[") <= item.count("\\]") and _ENDED.search(item) is not None


# An item's line that ends its sentence: a full stop, question or exclamation mark (a user's
# template may ask), after it perhaps a formula's end.
_ENDED = re.compile(r"[.?!]\s*(\$|\\end\{aligned\}|\\\]|\s)*$")


def finish(document: str) -> str:
    """``document`` (rendered through page/macros.j2) as the page: each paragraph of its body in
    ``<p>``, every formula MathML, and the page's title its first heading where none was given."""
    match = _BODY.search(document)
    if not match:
        return document
    scripts = _SCRIPT.findall(match.group(2))  # kept as they are: no paragraphs, no math
    body = _SCRIPT.sub("<script></script>", match.group(2))
    body = _TABLE.sub(lambda m: re.sub(r"\n\s*\n", "\n", m.group(0)), body)  # a table is one block
    body = _HEAD.sub(_header_row, body)
    chunks = [c.strip() for c in re.split(r"\n\s*\n", body) if c.strip()]
    body = "\n".join(c if _BLOCK.match(c) else _paragraph(c) for c in chunks).replace("</ul>\n<ul>\n", "")
    body = _DISPLAY.sub(lambda m: _display(m.group(1)), body)
    body = _INLINE.sub(lambda m: mathml(m.group(1)), body)
    parts = body.split("<script></script>")
    body = "".join(part + (scripts[k] if k < len(scripts) else "") for k, part in enumerate(parts))
    page = document[:match.start()] + body + "\n" + document[match.end(3):].lstrip("\n")
    heading = _H1.search(body)
    if heading:
        page = _TITLE.sub(lambda _: f"<title>{_TAG.sub('', heading.group(1)).strip()}</title>", page, count=1)
    return page
