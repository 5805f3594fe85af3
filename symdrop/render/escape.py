"""Escaping users' text for LaTeX, Markdown, SVG and CSV: every character prints literally, none runs."""

import csv
import html
import io
import re
from functools import lru_cache
from itertools import groupby
import unicodedata
from bisect import bisect_right

from .scripts import font_of

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
# Of those, the ones a reader does not copy out of pdflatex's PDF as typed (measured: each
# compiled with lmodern and read back with pdftotext, compared after NFC: Đ comes out as Ð,
# ș as "s,", ģ ķ į and ligatures split): text holding them goes to LuaLaTeX, whose fonts have them.
_PDFLATEX_MISCOPIES = frozenset(code for start, end in (
    (0x00B2, 0x00B3), (0x00B9, 0x00B9), (0x0110, 0x0110), (0x0122, 0x0123), (0x0129, 0x0129),
    (0x012B, 0x012B), (0x012D, 0x012F), (0x0135, 0x0137), (0x013B, 0x013C), (0x0145, 0x0146),
    (0x0156, 0x0157), (0x0162, 0x0163), (0x0172, 0x0173), (0x01C4, 0x01CC), (0x01D0, 0x01D0),
    (0x01EA, 0x01EB), (0x01F0, 0x01F0), (0x0218, 0x021B), (0x02DB, 0x02DB), (0x0E3F, 0x0E3F),
    (0x1E0D, 0x1E0D), (0x1E25, 0x1E25), (0x1E37, 0x1E37), (0x1E43, 0x1E43), (0x1E47, 0x1E47),
    (0x1E5B, 0x1E5B), (0x1E63, 0x1E63), (0x1E6D, 0x1E6D), (0x1E9E, 0x1E9E), (0x2010, 0x2012),
    (0x2015, 0x2015), (0x2031, 0x2031), (0x204E, 0x204E), (0x2052, 0x2052), (0x20A6, 0x20A6),
    (0x20B1, 0x20B1), (0x2117, 0x2117), (0x211E, 0x211E), (0x2120, 0x2120), (0x2127, 0x2127),
    (0x2422, 0x2423), (0x25EF, 0x25EF), (0xFB00, 0xFB06),
) for code in range(start, end + 1))

_TEX_SPECIAL = {
    "\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
    "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
    "<": r"\textless{}", ">": r"\textgreater{}", "|": r"\textbar{}", "-": "-{}",
    "'": r"\textquotesingle{}", "`": r"\textasciigrave{}", '"': r"\textquotedbl{}",
}
_CJK_BREAK = r"\allowbreak{}"
# Markdown acts on these where they stand in a line (users' text never starts one: a heading's
# marker, a table's "| " or words come first), each escaped only there, so that a plain viewer
# shows "O'Brien-Smith (TA)" and "t - y" as typed: ` * | $ always (code, emphasis, a table's
# cell, math); _ unless inside a word; ~ that may open a strikethrough; < before a tag or an
# autolink; ] right before a link's target; & of an entity (&amp; shows as typed); \ before
# punctuation; a heading's closing #s. The end of the text counts as followed by anything, but a
# ( or [ (no template writes one right after users' text).
_MD_ACTS = re.compile(r"""[`*|$]|\\(?=[!-/:-@\[-`{-~]|$)|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])|~(?!\s)"""
                      r"""|<(?=[A-Za-z/!?]|$)|\](?=[(\[])|&(?=#?[A-Za-z0-9]+;)|(?:^|(?<=\s))#(?=#*\s*$)""")
# Characters no format should receive from users' text: C0 and C1 controls (NUL, ESC, ...), which
# XML 1.0 forbids and terminals run, lone surrogates and the noncharacters U+FFFE, U+FFFF.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_TEX_SUBSTITUTES = {"\u03a9": "\u2126"}  # NFC makes the Ohm sign Greek Omega; TS1 prints the Ohm sign


def escape_tex(text: str) -> str:
    """Users' text for LaTeX, inside ``\\usertext``: printed literally, never executed.

    A run of another script than Latin, Greek and Cyrillic is ``\\userscript{FONT}{...}`` (the
    font of :mod:`.scripts`; the preamble sets it, and its direction); a character no font has
    is shown as its code point, ``[U+1F600]``. Text that pdflatex cannot print makes the
    document LuaLaTeX's (:func:`tex_engine`).
    """
    return _escape_tex(str(text))


def escape_tex_breaking(text: str) -> str:
    """Users' text for a narrow column of LaTeX (the key's ids and names): as :func:`escape_tex`,
    but each run of ``RUN`` characters or more with no break point (no space, no hyphen after which
    TeX breaks: an email address, a number of 30 digits, an Arabic word, a name of one long word) is
    ``\\symdroprun{...}``, a ``\\/`` between two of its characters (never before a
    combining mark, after a virama or beside a joiner, which shape with their neighbours).
    ``latex/macros.j2``'s ``cell_breaks``, written before the key's table, sets the run as it is
    where it fits its line, else breaks it between two characters where no space or hyphen breaks
    the line (TeX then hyphenates no such word; no hyphen is added: the text copies out as typed)."""
    return _escape_tex(str(text), True)


def escape_ident(text: str) -> str:
    """An identifier (a mistake's id) for LaTeX's typewriter type: letters, digits and ``_`` as
    they are (``\\_``), in the typewriter font of either engine; anything else as users' text."""
    if _IDENT.fullmatch(text):
        return text.replace("_", r"\_")
    return escape_tex(text)


_IDENT = re.compile(r"[A-Za-z0-9_]+")


@lru_cache(maxsize=4096)  # the same labels and names come back on every problem of a sheet
def _escape_tex(text: str, breaking: bool = False) -> str:
    pieces = []  # (font, LaTeX); font None: spaces and ASCII punctuation, which join their neighbours' run
    glued = []  # breaking: per piece, no break before it (a combining mark, after a virama, beside a joiner)
    for char in unicodedata.normalize("NFC", text):
        if breaking:
            glued.append(bool(pieces) and (unicodedata.category(char).startswith("M") or char in _JOINERS
                                           or pieces[-1][1] in _JOINERS or _virama(pieces[-1][1])))
        char = _TEX_SUBSTITUTES.get(char, char)
        if char in _TEX_SPECIAL:
            pieces.append((None, _TEX_SPECIAL[char]))
        elif char.isspace() or unicodedata.category(char) == "Cc":
            pieces.append((None, " "))
        elif char.isascii():
            pieces.append(("lm" if char.isalnum() else None, char))
        elif _printable(ord(char)):
            pieces.append((font_of(char) or "main", char))
        elif font_of(char):
            pieces.append((font_of(char), char))
        else:
            pieces.append(("lm", f"[U+{ord(char):04X}]"))
    return r"\usertext{" + "".join(_script_runs(pieces, glued if breaking else None)) + "}"


_JOINERS = ("\u200c", "\u200d")
# A run of fewer characters fits the narrowest wrapped column (the key's ids, 0.16 of a 470.56 pt
# line: 75.29 pt): 6 of the widest (W, M, an ideograph, about 1 em of 10.95 pt) are 66 pt.
RUN = 7


def _virama(latex: str) -> bool:
    return len(latex) == 1 and unicodedata.combining(latex) == 9


def _breaking_runs(latex: list[str], glued: list[bool]):
    # The pieces of one font's run, each run of RUN characters or more between its spaces (and
    # after each hyphen) as \symdroprun, a \/ before each character not glued (\symdroprun's
    # break: short, as a class set's key holds every id and name once per problem).
    start = 0
    for end in range(len(latex) + 1):
        if end < len(latex) and latex[end] != " " and latex[end - 1:end] != ["-{}"]:
            continue
        run = latex[start:end]
        if sum(len(piece) if piece.startswith("[U+") else 1 for piece in run) >= RUN:
            yield r"\symdroprun{" + "".join((r"\/" if i and not glued[start + i] else "") + piece
                                             for i, piece in enumerate(run)) + "}"
        else:
            yield "".join(run)
        if end < len(latex) and latex[end] == " ":
            yield " "
            end += 1
        start = end


def _script_runs(pieces, glued=None):
    # Runs of one font each; spaces between two words of one script stay in their run (so an
    # Arabic name's words read right to left), other neutral characters are the document's font's
    # (Latin Modern's, "lm": as the text around them, no font switched).
    fonts = [font for font, _ in pieces]
    strong = [i for i, font in enumerate(fonts) if font is not None]
    for a, b in zip([-1] + strong, strong + [len(fonts)]):
        between = fonts[a] if a >= 0 and b < len(fonts) and fonts[a] == fonts[b] else "lm"
        fonts[a + 1:b] = [between] * (b - a - 1)
    at = 0
    for font, run in groupby(zip(fonts, pieces), key=lambda item: item[0]):
        text = [latex for _, (_, latex) in run]
        at += len(text)
        if glued is not None and font != "cjk":  # CJK breaks between any two characters already
            text = list(_breaking_runs(text, glued[at - len(text):at]))
        if font == "lm":
            yield "".join(text)
        else:  # CJK breaks between any two characters (no spaces tell TeX where)
            joined = (_CJK_BREAK if font == "cjk" else "").join(text)
            yield rf"\userscript{{{font}}}{{{joined}}}"


def tex_engine(source: str, tagged: bool = False) -> str:
    """The TeX engine a LaTeX document needs: ``"pdflatex"`` (fast) when its encodings print
    every character of ``source`` so that it copies out as typed, else ``"lualatex"`` (Unicode
    fonts, every script of :mod:`.scripts`). ``tagged``: for a tagged PDF, which LuaLaTeX
    compiles whatever the document: one for pdflatex there prints what Latin-1 has alone (its
    users' text is T1, which LuaLaTeX reads by Unicode's numbers), so a letter past it asks
    for LuaLaTeX's document."""
    if "\\DocumentMetadata" in source:  # a tagged PDF (io/tagging.py): LuaLaTeX's tagging
        return "lualatex"
    if source.isascii():  # most documents, asked at once (a set of every character took longer)
        return "pdflatex"
    found = set(_NON_ASCII.findall(source))  # the characters past ASCII, found by the regex engine
    if tagged and any(ord(c) > 0xFF for c in found):
        return "lualatex"
    needs = (c for c in found if ord(c) in _PDFLATEX_MISCOPIES or not _printable(ord(c)))
    return "lualatex" if any(needs) else "pdflatex"


_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def placeholders(text: str) -> str:
    """The characters of ``text`` that :func:`escape_tex` shows as code points (no font has
    them), each once, in their order: what a warning names."""
    found = []
    for char in unicodedata.normalize("NFC", str(text)):
        if not (char.isascii() or char.isspace() or unicodedata.category(char) == "Cc"
                or _printable(ord(char)) or font_of(char)):
            found.append(char)
    return "".join(dict.fromkeys(found))


def placeholder_warning(what: str, text: str) -> str | None:
    """One line for standard error when ``text`` (``what`` it is: a student's name, a title)
    holds characters no font has, naming them as LaTeX and PDF show them; None when it has none."""
    found = placeholders(text)
    if not found:
        return None
    shown = ", ".join(f"[U+{ord(c):04X}]" for c in found)
    return f"symdrop: warning: {what} {str(text)!r} holds characters no font has; LaTeX and PDF show them as {shown}"


def escape_markdown(text: str) -> str:
    """Users' text for Markdown, on one line: each character Markdown or the math renderer would
    act on where it stands escaped with a backslash, every other as typed (see ``_MD_ACTS``)."""
    return _escape_markdown(str(text))


@lru_cache(maxsize=4096)  # as _escape_tex: the same labels and names on every problem of a sheet
def _escape_markdown(text: str) -> str:
    return _MD_ACTS.sub(lambda m: "\\" + m.group(0), " ".join(printable(text).split()))


def markdown_code(text: str) -> str:
    """Users' text as a Markdown code span, on one line: shown as typed, nothing escaped. Its
    fence is one backtick longer than the longest run of backticks in it (padded with a space,
    which Markdown removes, where the text starts or ends with one)."""
    text = " ".join(printable(text).split())
    fence = "`" * (1 + max((len(run) for run in re.findall(r"`+", text)), default=0))
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def printable(text: str) -> str:
    """``text`` without the characters no format should receive (controls such as NUL and ESC,
    line breaks and tabs included, lone surrogates): each becomes a space."""
    return _CONTROL.sub(" ", str(text))


def escape_xml(text: str) -> str:
    """Users' text for SVG (XML 1.0): printable (see :func:`printable`), ``& < > " '`` as entities."""
    return html.escape(printable(text), quote=True)


FORMULA_START = ("=", "+", "-", "@")  # a spreadsheet runs a cell that starts so (OWASP CSV injection)
_NUMBERS = re.compile(r"[-+]?[0-9]+(?:[./][0-9]+)?(?:;? [-+]?[0-9]+(?:[./][0-9]+)?)*", re.ASCII)


def csv_cell(text: str, *, numbers: bool = False) -> str:
    """A CSV cell a spreadsheet shows as text, never runs: printable (a tab or CR is a space), and
    one that starts with ``= + - @`` (after spaces) gets a quote ``'`` before it. ``numbers``: a cell of numbers as
    symdrop writes them (``-3/4``, ``-0.75``, ``3; 0; -2``, a matrix ``-1 2; 0 -3``) stays as it is."""
    text = printable(text)
    if text.lstrip().startswith(FORMULA_START) and not (numbers and _NUMBERS.fullmatch(text)):
        return "'" + text
    return text


def spreadsheet_csv(rows) -> str:
    """``rows`` (cells already :func:`csv_cell`) as CSV text for a spreadsheet: LF line ends, after
    a UTF-8 byte-order mark (without it Excel reads the file in the local code page, and names
    turn to mojibake)."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return "\ufeff" + buffer.getvalue()


def _printable(code: int) -> bool:
    i = bisect_right(_STARTS, code) - 1
    return i >= 0 and _TEX_UNICODE[i][0] <= code <= _TEX_UNICODE[i][1]


# HTML's specials, and those MathJax, Moodle's cloze gaps and GIFT act on, as numeric references:
# an LMS reads them as text, never as markup, math or a gap.
_HTML_SPECIAL = {c: f"&#{ord(c)};" for c in "&<>\"'$\\{}~#`"}


def escape_html(text: str, isolate: bool = False) -> str:
    """Users' text for HTML (Moodle, Canvas): printed literally inside a span MathJax skips, with
    control characters (which XML cannot carry) and line breaks made spaces. ``isolate`` (the HTML
    pages' names and titles): the span takes its direction from its text (``dir="auto"``), so a
    right-to-left name reads right to left and the words around it stay as they are."""
    out = []
    for char in printable(unicodedata.normalize("NFC", str(text))):
        out.append(_HTML_SPECIAL.get(char, " " if char.isspace() else char))
    direction = ' dir="auto"' if isolate else ""
    return f'<span class="tex2jax_ignore mathjax_ignore"{direction}>' + "".join(out) + "</span>"


def escape_cloze(text: str) -> str:
    """Words in a Moodle cloze gap's feedback: the gap syntax ends at an unescaped ``~`` or ``}``
    and Moodle decodes the feedback's character references once before showing it as HTML, so
    ``{ } # ~ \\`` are references and ``& < >`` references of references."""
    out = []
    for char in " ".join(printable(text).split()):
        if char in "&<>":
            out.append(f"&amp;#{ord(char)};")
        elif char in "{}#~\\":
            out.append(f"&#{ord(char)};")
        else:
            out.append(char)
    return "".join(out)


def escape_xml_text(text: str) -> str:
    """Text of many lines for an XML element (Moodle XML, QTI): each line as :func:`escape_xml`
    writes it, the line breaks kept."""
    return "\n".join(escape_xml(line) for line in str(text).split("\n"))
