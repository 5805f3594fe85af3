"""Where a long formula breaks into rows that fit the page, and whether a value or a block fits."""

import re
from functools import lru_cache

import sympy

from ..sympy_internals import all_rational, entries
from .numbertext import scalars, shown_decimal
from .forms import approx
from .printer import VECTOR_ROWS, latex
from .texwidth import LINE_EM, TOKEN, width

BOXED_ROWS = 6  # a boxed result of more rows is displayed unboxed, where it may break across pages (a box
# cannot: a 12-row box pushed whole to the next page left half of expect's first page empty)

# Where a + or - follows one of these, it is a sign (-3, (-x, = -2), not an operation to break at.
_OPERAND_END = re.compile(r"[A-Za-z0-9)\]}|!']")


def terms(text: str) -> list[str]:
    """The LaTeX of a sum cut before each + or - that joins two terms outside braces and
    ``\\left ... \\right`` (inside plain parentheses too: ``\\max(0, a + b)`` is written so), and
    after each comma of a vector written as a row, ``(1, 0, ...)^{\\top}`` (not of a function's arguments)."""
    pieces, depth, start, previous = [], 0, 0, ""
    opened = []  # each plain parenthesis open: whether it holds a max's arguments (not cut at their commas)
    for match in TOKEN.finditer(text):
        token = match.group()
        if token.isspace():
            continue
        if depth == 0 and token in ("(", ")"):
            opened = opened + [previous in (r"\max", r"\min")] if token == "(" else opened[:-1]
        if token in ("{", r"\left", r"\begin"):
            depth += 1
        elif token in ("}", r"\right", r"\end"):
            depth -= 1
        elif token in ("+", "-") and depth == 0 and _OPERAND_END.fullmatch(previous[-1:] or " "):
            pieces.append(text[start : match.start()].strip())
            start = match.start()
        elif token == "," and depth == 0 and opened and not opened[-1]:  # between a row's entries
            pieces.append(text[start : match.end()].strip())
            start = match.end()
        previous = token
    return [piece for piece in pieces if piece] + [text[start:].strip()]


def rows(expr, lead: str = "", tail: str = "", room: float = LINE_EM, **settings) -> list[str]:
    """``expr`` as the rows of a displayed equation ``lead`` = ..., each fitting ``room``: a sum
    cut between terms, each further row to start with its operator (``{} + t``); ``tail`` (the
    `` \\approx`` decimal) ends the last row, or has a row of its own where it does not fit.
    One row (the formula as it is) when the whole fits."""
    text = latex(expr, **settings)
    budget = room - width(lead)
    if width(text + tail) <= budget:
        return [text + tail]
    if isinstance(expr, sympy.MatrixBase) and expr.cols == 1 and 1 < expr.rows <= VECTOR_ROWS:
        entries_ = [_block(rows(e, "", "", budget - 1.5, **settings)) for e in entries(expr)]
        lines = [r"\begin{pmatrix}%s\end{pmatrix}" % r"\\".join(entries_)]
    else:
        lines = pack(terms(text), budget)
    if tail:
        if width(lines[-1] + tail) <= budget - (1.0 if len(lines) > 1 else 0.0):
            lines[-1] += tail
        else:
            lines.append(tail.strip())
    return lines


def pack(pieces: list[str], budget: float) -> list[str]:
    """Consecutive ``pieces`` joined into as few rows as fit ``budget`` em (a row after the first
    is indented by a quad). A piece wider than a row has one to itself, set smaller to fit
    (text style, script style for one much wider): TeX cannot break inside a fraction or a
    ``\\left ... \\right`` pair."""
    lines, current, used, depth = [], "", 0.0, 0
    for piece in pieces:
        w = width(piece)
        room = budget - (1.0 if lines else 0.0) - depth  # a row inside parentheses is indented
        if current and used + w > room:
            lines.append(current)
            current, used = "", 0.0
        if not current and lines:
            # An operator that starts a row still joins two terms; inside parentheses (a max's
            # terms) the row is indented a quad per parenthesis open.
            piece = r"\quad " * depth + "{} " + piece
        depth = max(0, depth + _opened(piece))
        if not current and w > room:
            lines.append((r"\textstyle " if width(piece, "text") <= room else r"\scriptstyle ") + piece)
            continue
        current = f"{current} {piece}" if current else piece
        used += w
    return lines + [current] if current else lines


# A block of aligned rows of at most this many lines (a matrix counts its rows) is kept on one page:
# about a third of one, the most a page break before it leaves empty.
TOGETHER_LINES = 20


_STRUCTURE = re.compile(r"\\begin\b|\\end\b|\\\\")


@lru_cache(maxsize=1024)  # the same rows (a question's network) asked by the question and the solution, in every format
def together(text: str) -> bool:
    """Whether the aligned rows ``text`` are few enough to keep on one page: set as one display,
    once (LaTeX's align*, which may break across pages, sets every row twice, to measure it).
    A row is as many lines tall as its tallest matrix (or inner block) has rows."""
    # For each open environment, [rows before the current one, the current row's lines].
    lines, tallest, open_ = 0, 1, []
    for match in _STRUCTURE.finditer(text):
        token = match.group()
        if token == r"\begin":
            open_.append([0, 1])
        elif token == r"\end" and open_:
            before, current = open_.pop()
            if open_:
                open_[-1][1] = max(open_[-1][1], before + current)
            else:
                tallest = max(tallest, before + current)
        elif token == "\\\\" and open_:
            open_[-1][0] += open_[-1][1]
            open_[-1][1] = 1
        elif token == "\\\\":
            lines, tallest = lines + tallest, 1
    return lines + tallest <= TOGETHER_LINES


def short(expr, words: str = "") -> bool:
    """Whether ``expr`` with its decimals is short enough to stand in a sentence, in half a line
    (TeX breaks a formula in a paragraph only at its outermost operators); after ``words`` that
    open a paragraph, on their line (TeX cannot move it to the next line alone: the words would
    be set too loose)."""
    room = room_after(words) if words else LINE_EM / 2
    return width(latex(expr) + approx(expr), "text") <= room


def room_after(words: str) -> float:
    """The room (em) a line leaves after ``words`` that open its paragraph: TeX cannot set those
    words looser to move a formula that follows them whole to the next line."""
    return LINE_EM - width(r"\text{%s}" % words, "text")


def chain(lhs: str, parts: list[str], room: float = LINE_EM) -> list[str]:
    """The rows of ``lhs = part = part ...`` (each part the LaTeX of one side, its relation first:
    ``= W a + b``) for an aligned block, the first row after ``lhs &``, each other after ``&``:
    parts side by side while they fit, a new row where the next does not; a part wider than a row
    broken between its terms (:func:`pack`), its further rows a quad in; a part after the first
    that is wider than a row even so is left out (its value's decimals follow the equation)."""
    budget = room - width(lhs)
    lines, current, used = [], "", 0.0  # used: the width of current (widths of a row's sides add up)
    for part in parts:
        w = width(part)
        if used + w <= budget:
            current, used = (f"{current} {part}" if current else part), used + w
            continue
        if current:
            lines.append(current)
            current, used = "", 0.0
        if w <= budget:
            current, used = part, w
            continue
        relation, _, text = part.partition(" ")
        pieces = pack(terms(text), budget - width(relation) - 1.0)
        if lines and not all(width(piece, _style(piece)) <= budget for piece in pieces):
            continue  # wider than a line even broken: left out (the equation stays true)
        lines += [f"{relation} {pieces[0]}", *(r"\quad " + piece for piece in pieces[1:])]
        if _style(lines[-1].partition(" ")[2]) == "display":
            current = lines.pop()  # the next part may follow the last row, unless it is set smaller
            used = width(current)
    return lines + [current] if current else lines


def _style(row: str) -> str:
    """The math style a row of :func:`pack` is set in."""
    return next((name for name in ("text", "script") if re.match(rf"(\\quad )*\\{name}style", row)), "display")


def wide(expr, every_irrational: bool = False) -> bool:
    """Whether an exact value (or any entry of a matrix) is too wide to stand in a layer's sums:
    wider than a third of a line, or through a sigmoid or tanh of a sigmoid or tanh (exponentials
    in exponents, set in scripts too small to read). It is written by its name there, its
    decimal beside. With ``every_irrational`` (``--digits``) every irrational value is."""
    if all_rational(expr):  # most values: none is irrational, none wide (asked at once)
        return False
    return any(not e.is_Rational and ((every_irrational and not e.free_symbols) or nested(e) or width(latex(e)) > LINE_EM / 3)
               for e in scalars(expr))


def long_fraction(expr) -> bool:
    """Whether an exact fraction (or an entry of a matrix) is too wide to read where it stands
    alone: wider than a third of a line (alpha dropout's a^2 from PyTorch's alpha' read as
    written has 32 digits over 32). A document writes it after an approximately-equal sign."""
    return any(e.is_Rational and not e.is_Integer and width(latex(e)) > LINE_EM / 3 for e in scalars(expr))


def shown(expr, digits: int | None = None):
    """``expr`` as a document shows it where it is :func:`wide` (``--digits``: irrational): each
    irrational entry by its decimal (:func:`shown_decimal`); else ``expr`` itself."""
    if not wide(expr, every_irrational=digits is not None):
        return expr
    def entry(e):
        return e if e.is_Rational or e.free_symbols else shown_decimal(e, digits)
    return expr.applyfunc(entry) if isinstance(expr, sympy.MatrixBase) else entry(sympy.sympify(expr))


_SMOOTH = (sympy.exp, sympy.tanh)


def nested(expr) -> bool:
    """Whether ``expr`` (or an entry of a matrix) holds a sigmoid or tanh of a value that holds
    one: the values from a network's second smooth layer on."""
    if all_rational(expr):
        return False
    return any(not e.is_Rational and any(f.args[0].has(*_SMOOTH) for f in e.atoms(*_SMOOTH)) for e in scalars(expr))


def fitting_rows(expr, lead: str = "", room: float = LINE_EM, **settings) -> list[str] | None:
    """The rows of :func:`rows` when they set ``expr`` inside ``room`` (a row set smaller, a piece
    wider than a row that TeX cannot break, counts at its smaller size), else None. A value
    through nested sigmoids or tanhs never fits: its exponentials in exponents cannot be read."""
    if any(not e.free_symbols and nested(e) for e in scalars(expr)):
        return None
    budget = room - width(lead)
    lines_ = rows(expr, lead, room=room, **settings)
    return lines_ if all(width(line, _style(line)) <= budget for line in lines_) else None


def fits(expr, lead: str = "", room: float = LINE_EM, **settings) -> bool:
    """Whether :func:`rows` sets ``expr`` inside ``room``."""
    return fitting_rows(expr, lead, room, **settings) is not None


def _opened(text: str) -> int:
    """Parentheses ``text`` opens less those it closes (\\left( ... \\right) pairs cancel)."""
    tokens = TOKEN.findall(text)
    return tokens.count("(") - tokens.count(")")


def _block(lines: list[str]) -> str:
    """Rows set as one aligned block, to stand in a matrix entry."""
    if len(lines) == 1:
        return lines[0]
    return r"\begin{aligned}&%s\end{aligned}" % r"\\&\quad ".join(lines)


def boxable(lines_: list[str]) -> bool:
    """Whether rows of :func:`rows` are few enough to stand in a box (which cannot break across pages)."""
    return len(lines_) <= BOXED_ROWS


def lines(texts, lead: str = "", separator: str = r",\quad", room: float = LINE_EM) -> list[list[int]]:
    """The indices of ``texts`` (formulas set side by side, each after ``lead``, such as the masks
    ``\\mu^{(l)} = ...``) grouped into as few consecutive lines as fit ``room``."""
    groups, used = [], 0.0
    extra = width(lead) + width(separator)
    for index, text in enumerate(texts):
        w = width(text) + extra
        if groups and used + w <= room:
            groups[-1].append(index)
            used += w
        else:
            groups.append([index])
            used = w
    return groups
