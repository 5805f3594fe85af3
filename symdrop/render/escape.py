"""Escaping users' text for LaTeX, Markdown, SVG and CSV: every character prints literally, none runs."""

import html
import re
from functools import lru_cache
import unicodedata
from bisect import bisect_right

# Non-ASCII characters that pdflatex prints with the T1, TS1, OMS and OT1 encodings, as ranges
# (from TeX Live's t1enc.dfu, ts1enc.dfu, omsenc.dfu, ot1enc.dfu); others would stop the run.
_TEX_UNICODE = (
    (0x00A0, 0x00AC), (0x00AE, 0x0125), (0x0128, 0x0137), (0x0139, 0x013E), (0x0141, 0x0148),
    (0x014A, 0x0165), (0x0168, 0x017E), (0x0192, 0x0192), (0x01C4, 0x01D4), (0x01E2, 0x01E3),
    (0x01E6, 0x01EB), (0x01F0, 0x01F0), (0x01F4, 0x01F5), (0x0218, 0x021B), (0x0232, 0x0233),
    (0x0237, 0x0237), (0x02C7, 0x02C7), (0x02D8, 0x02D9), (0x02DB, 0x02DB), (0x02DD, 0x02DD),
    (0x0E3F, 0x0E3F), (0x1E02, 0x1E03), (0x1E0D, 0x1E0D), (0x1E1E, 0x1E21), (0x1E25, 0x1E25),
    (0x1E30, 0x1E31), (0x1E37, 0x1E37), (0x1E43, 0x1E43), (0x1E45, 0x1E45), (0x1E47, 0x1E47),
    (0x1E5B, 0x1E5B), (0x1E63, 0x1E63), (0x1E6D, 0x1E6D), (0x1E8E, 0x1E91), (0x1E9E, 0x1E9E),
    (0x1EF2, 0x1EF3), (0x200C, 0x200C), (0x2010, 0x2016), (0x2018, 0x201A), (0x201C, 0x201E),
    (0x2020, 0x2022), (0x2030, 0x2031), (0x2039, 0x203B), (0x203D, 0x203D), (0x2044, 0x2044),
    (0x204E, 0x204E), (0x2052, 0x2052), (0x20A1, 0x20A1), (0x20A4, 0x20A4), (0x20A6, 0x20A6),
    (0x20A9, 0x20A9), (0x20AB, 0x20AC), (0x20B1, 0x20B1), (0x2103, 0x2103), (0x2116, 0x2117),
    (0x211E, 0x211E), (0x2120, 0x2120), (0x2122, 0x2122), (0x2126, 0x2127), (0x212E, 0x212E),
    (0x2190, 0x2193), (0x2329, 0x232A), (0x2422, 0x2423), (0x25E6, 0x25E6), (0x25EF, 0x25EF),
    (0x266A, 0x266A), (0x27E8, 0x27E9), (0x3008, 0x3009), (0xFB00, 0xFB06),
)
_STARTS = [start for start, _ in _TEX_UNICODE]

_TEX_SPECIAL = {
    "\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
    "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
    "<": r"\textless{}", ">": r"\textgreater{}", "|": r"\textbar{}", "-": "-{}",
    "'": r"\textquotesingle{}", "`": r"\textasciigrave{}", '"': r"\textquotedbl{}",
}
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+\-.!|$~&])")  # & too: &amp; is an entity in Markdown
# Characters no format should receive from users' text: C0 and C1 controls (NUL, ESC, ...), which
# XML 1.0 forbids and terminals run, lone surrogates and the noncharacters U+FFFE, U+FFFF.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_TEX_SUBSTITUTES = {"\u03a9": "\u2126"}  # NFC makes the Ohm sign Greek Omega; TS1 prints the Ohm sign


def escape_tex(text: str) -> str:
    """Users' text for LaTeX, inside ``\\usertext``: printed literally, never executed.

    A character no pdflatex encoding here can print is shown as its code point, ``[U+0126]``.
    """
    return _escape_tex(str(text))


@lru_cache(maxsize=4096)  # the same labels and names come back on every problem of a sheet
def _escape_tex(text: str) -> str:
    out = []
    for char in unicodedata.normalize("NFC", text):
        char = _TEX_SUBSTITUTES.get(char, char)
        if char in _TEX_SPECIAL:
            out.append(_TEX_SPECIAL[char])
        elif char.isspace() or unicodedata.category(char) == "Cc":
            out.append(" ")
        elif char.isascii() or _printable(ord(char)):
            out.append(char)
        else:
            out.append(f"[U+{ord(char):04X}]")
    return r"\usertext{" + "".join(out) + "}"


def escape_markdown(text: str) -> str:
    """Users' text for Markdown: punctuation Markdown or the math renderer would act on, escaped."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(printable(text).split()))


def printable(text: str) -> str:
    """``text`` without the characters no format should receive (controls such as NUL and ESC,
    line breaks and tabs included, lone surrogates): each becomes a space."""
    return _CONTROL.sub(" ", str(text))


def escape_xml(text: str) -> str:
    """Users' text for SVG (XML 1.0): printable (see :func:`printable`), ``& < > " '`` as entities."""
    return html.escape(printable(text), quote=True)


FORMULA_START = ("=", "+", "-", "@")  # a spreadsheet runs a cell that starts so (OWASP CSV injection)
_NUMBERS = re.compile(r"[-+]?[0-9]+(?:[./][0-9]+)?(?:; [-+]?[0-9]+(?:[./][0-9]+)?)*", re.ASCII)


def csv_cell(text: str, *, numbers: bool = False) -> str:
    """A CSV cell a spreadsheet shows as text, never runs: printable (a tab or CR is a space), and
    one that starts with ``= + - @`` (after spaces) gets a quote ``'`` before it. ``numbers``: a cell of numbers as
    symdrop writes them (``-3/4``, ``-0.75``, ``3; 0; -2``) stays as it is."""
    text = printable(text)
    if text.lstrip().startswith(FORMULA_START) and not (numbers and _NUMBERS.fullmatch(text)):
        return "'" + text
    return text


def _printable(code: int) -> bool:
    i = bisect_right(_STARTS, code) - 1
    return i >= 0 and _TEX_UNICODE[i][0] <= code <= _TEX_UNICODE[i][1]


# HTML's specials, and those MathJax, Moodle's cloze gaps and GIFT act on, as numeric references:
# an LMS reads them as text, never as markup, math or a gap.
_HTML_SPECIAL = {c: f"&#{ord(c)};" for c in "&<>\"'$\\{}~#`"}


def escape_html(text: str) -> str:
    """Users' text for HTML (Moodle, Canvas): printed literally inside a span MathJax skips, with
    control characters (which XML cannot carry) and line breaks made spaces."""
    out = []
    for char in unicodedata.normalize("NFC", str(text)):
        if char in _HTML_SPECIAL:
            out.append(_HTML_SPECIAL[char])
        elif char.isspace() or unicodedata.category(char) in ("Cc", "Cs") or char in "\ufffe\uffff":
            out.append(" ")
        else:
            out.append(char)
    return '<span class="tex2jax_ignore mathjax_ignore">' + "".join(out) + "</span>"


def escape_cloze(text: str) -> str:
    """Words in a Moodle cloze gap's feedback: the gap syntax ends at an unescaped ``~`` or ``}``
    and Moodle decodes the feedback's character references once before showing it as HTML, so
    ``{ } # ~ \\`` are references and ``& < >`` references of references."""
    out = []
    for char in " ".join(str(text).split()):
        if char in "&<>":
            out.append(f"&amp;#{ord(char)};")
        elif char in "{}#~\\":
            out.append(f"&#{ord(char)};")
        elif unicodedata.category(char) not in ("Cc", "Cs"):
            out.append(char)
    return "".join(out)


def escape_xml_text(text: str) -> str:
    """Text of many lines for an XML element (Moodle XML, QTI): each line as :func:`escape_xml`
    writes it, the line breaks kept."""
    return "\n".join(escape_xml(line) for line in str(text).split("\n"))
