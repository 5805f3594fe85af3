"""How wide TeX sets a formula, in em, estimated from its LaTeX: the measure of fitting the page."""

import re
from functools import lru_cache
from typing import Callable, NamedTuple

# The room of one displayed line, in em of the 11 pt body font: the text area of A4 with 2.2 cm
# margins is 43 em wide; the rest is slack for what the estimate below misses.
LINE_EM = 38.0

# Widths in em as TeX sets them in math (Computer Modern at 11 pt): a binary operator with its
# spaces, a relation with its spaces, punctuation with its thin space; other characters 0.5 em.
_CHAR_EM = {"+": 1.22, "-": 1.22, "=": 1.34, "<": 1.34, ">": 1.34, ",": 0.45, ";": 0.45, "(": 0.39,
            ")": 0.39, "[": 0.28, "]": 0.28, ".": 0.28, "|": 0.28, "!": 0.3, "'": 0.3, ":": 0.5}
_COMMAND_EM = {"cdot": 1.0, "odot": 1.5, "approx": 1.34, "ne": 1.34, "le": 1.34, "ge": 1.34, "to": 1.5,
               "quad": 1.0, "qquad": 2.0, ",": 0.17, ";": 0.28, ":": 0.22, "!": -0.17, " ": 0.33,
               "max": 1.7, "min": 1.7, "tanh": 2.0, "log": 1.5, "exp": 1.6, "sum": 1.4, "prod": 1.4,
               "dots": 1.2, "ldots": 1.2, "cdots": 1.2, "vdots": 0.3, "infty": 1.0, "{": 0.5, "}": 0.5,
               "left": 0.35, "right": 0.35, "textstyle": 0.0, "scriptstyle": 0.0, "hat": 0.0, "tilde": 0.0, "bar": 0.0, "displaystyle": 0.0,
               "\\": 0.0}
_TEXT_ARGUMENT = frozenset({"text", "mathrm", "operatorname", "texttt", "textbf", "mathit", "mbox", "textit"})
# One TeX token: a control word (\frac), a control symbol (\,), a run of spaces or one character.
TOKEN = re.compile(r"\\[A-Za-z]+\*?|\\.|\s+|.", re.S)
# The same tokens without the runs of spaces (which take no room): found in one pass of the regex
# engine, not a Python test per token.
_INK = re.compile(r"\\[A-Za-z]+\*?|\\.|\S", re.S)
SCRIPT = 0.7  # the size of a script (and of a fraction's parts in text style) to the size around it


# The math styles a row may be set in, as (size, display): a fraction's parts are set a size smaller
# outside display style, and no size is smaller than script-script.
_STYLES = {"display": (1.0, True), "text": (1.0, False), "script": (SCRIPT, False)}


# Every digit is as wide as every other (0.5 em; 0.55 em in a text: a character), and no rule
# reads a digit's value: a formula measures as it does with each digit made 0.
_ZEROS = str.maketrans("123456789", "000000000")


@lru_cache(maxsize=8192)
def width(text: str, style: str = "display") -> float:
    """The width in em that TeX gives the math ``text`` in ``style`` (a display: "display"),
    estimated from its LaTeX (fractions as wide as their wider part, scripts smaller, matrices by
    their columns). Memoized twice: by the text (a class set measures the same formulas for every
    student, and a string met again is looked up by the hash it keeps), then by the formula's
    shape, its digits made 0 (:func:`fast_width`): formulas whose numbers differ but are as long
    meet there (``(1, -2)`` and ``(3, -5)``; tests/test_fast_paths.py)."""
    return fast_width(text.translate(_ZEROS), style)


@lru_cache(maxsize=8192)
def fast_width(text: str, style: str = "display") -> float:
    """:func:`width`'s measure, the fast path (checked against :func:`plain_width` by
    tests/test_fast_paths.py): the tokens found by one regex, a token of a fixed width looked up
    at once, each innermost environment and each group without groups inside (an environment's
    name, a colour) found by a search in C, and the width of a table (a matrix) memoized by its
    tokens. The same numbers, added in the same order."""
    return _measure(tuple(_INK.findall(text)), 0, *_STYLES[style], _FAST)[0]


def plain_width(text: str, style: str = "display") -> float:
    """:func:`width` measured token by token, nothing memoized: the reference of its fast path."""
    return _measure(tuple(t for t in TOKEN.findall(text) if not t.isspace()), 0, *_STYLES[style], _PLAIN)[0]


def _measure(tokens, i: int, scale: float, display: bool, how) -> tuple[float, int]:
    """The width of ``tokens[i:]`` up to the brace that closes the group (or the end), and the
    index after it."""
    total, script = 0.0, None  # script: the width of the script just set, for one stacked on it
    while i < len(tokens):
        token = tokens[i]
        i += 1
        base = how.simple.get(token)  # a token of a fixed width, looked up at once
        if base is not None:
            script = None
            total += base * scale
            continue
        if token == "}":
            return total, i
        if token in ("^", "_"):
            w, i = _argument(tokens, i, max(scale * SCRIPT, 0.5), False, how)
            total += w if script is None else max(0.0, w - script)
            script = w if script is None else None
            continue
        script = None
        if token == "{":
            w, i = _measure(tokens, i, scale, display, how)
        elif token in (r"\frac", r"\dfrac", r"\tfrac", r"\binom"):
            inner = scale if display and token != r"\tfrac" else max(scale * SCRIPT, 0.5)
            top, i = _argument(tokens, i, inner, False, how)
            bottom, i = _argument(tokens, i, inner, False, how)
            w = max(top, bottom) + 0.2 * scale
        elif token[1:] in _TEXT_ARGUMENT:
            text, i = how.group(tokens, i)
            w = 0.55 * scale * sum(len(t) if not t.startswith("\\") else 1 for t in text)
        elif token == r"\textcolor":
            _, i = how.group(tokens, i)
            w, i = _argument(tokens, i, scale, display, how)
        elif token == r"\boxed":
            w, i = _argument(tokens, i, scale, display, how)
            w += 0.8
        elif token == r"\begin":
            environment, i = how.group(tokens, i)
            if environment == ("array",):  # its columns' alignments, not a cell
                _, i = how.group(tokens, i)
            body, i = how.environment(tokens, i)
            w = how.table(body, "".join(environment), scale)
        elif token.startswith("\\"):
            w = _COMMAND_EM.get(token[1:], 0.6) * scale  # a Greek letter, most other commands
        else:
            w = _CHAR_EM.get(token, 0.5) * scale
        total += w
    return total, i


def _argument(tokens, i: int, scale: float, display: bool, how) -> tuple[float, int]:
    if i < len(tokens) and tokens[i] == "{":
        return _measure(tokens, i + 1, scale, display, how)
    return (_measure(tokens[i : i + 1], 0, scale, display, how)[0], i + 1) if i < len(tokens) else (0.0, i)


def _group(tokens, i: int) -> tuple[tuple, int]:
    """The tokens of the braced group at ``i`` (without its braces) and the index after it."""
    if i >= len(tokens) or tokens[i] != "{":
        return tokens[i : i + 1], i + 1
    depth, start = 0, i
    for j in range(i, len(tokens)):
        depth += (tokens[j] == "{") - (tokens[j] == "}")
        if depth == 0:
            return tokens[start + 1 : j], j + 1
    return tokens[start + 1 :], len(tokens)


def _environment(tokens, i: int) -> tuple[tuple, int]:
    """The tokens up to the ``\\end`` that closes the environment begun before ``i``."""
    depth = 1
    for j in range(i, len(tokens)):
        depth += (tokens[j] == r"\begin") - (tokens[j] == r"\end")
        if depth == 0:
            return tokens[i:j], _group(tokens, j + 1)[1]
    return tokens[i:], len(tokens)


def _found_environment(tokens, i: int) -> tuple[tuple, int]:
    """:func:`_environment` of the fast path: the first ``\\end`` after ``i`` found in C, and
    where an inner environment begins before it, the walk of :func:`_environment`."""
    try:
        j = tokens.index(r"\end", i)
    except ValueError:
        return tokens[i:], len(tokens)
    if r"\begin" in tokens[i:j]:
        return _environment(tokens, i)
    return tokens[i:j], _found_group(tokens, j + 1)[1]


def _table_width(body, environment: str, scale: float, how=None) -> float:
    """A matrix (or aligned rows) as wide as its widest cell in every column, columns apart."""
    how = how or _PLAIN
    columns: list[float] = []
    for row in _split(body, r"\\"):
        for k, cell in enumerate(_split(row, "&")):
            w = _measure(cell, 0, scale, environment in ("aligned", "gathered"), how)[0]
            columns[k:k + 1] = [max(columns[k] if k < len(columns) else 0.0, w)]
    if environment in ("aligned", "gathered"):
        return sum(columns)
    return sum(columns) + 0.9 * scale * max(len(columns) - 1, 0) + 0.8 * scale  # gaps, parentheses


def _split(tokens, separator: str) -> list[tuple]:
    """``tokens`` cut at ``separator`` outside groups and inner environments."""
    parts, depth, start = [], 0, 0
    for j, token in enumerate(tokens):
        depth += (token in ("{", r"\begin")) - (token in ("}", r"\end"))
        if token == separator and depth == 0:
            parts.append(tokens[start:j])
            start = j + 1
    return parts + [tokens[start:]]


def _found_group(tokens, i: int) -> tuple[tuple, int]:
    """:func:`_group` of the fast path: where no group opens inside it (an environment's name,
    a colour), its closing brace found in C; else the walk of :func:`_group`."""
    if i >= len(tokens) or tokens[i] != "{":
        return tokens[i : i + 1], i + 1
    try:
        j = tokens.index("}", i + 1)
    except ValueError:
        return _group(tokens, i)
    inner = tokens[i + 1 : j]
    if "{" in inner:
        return _group(tokens, i)
    return inner, j + 1


class _How(NamedTuple):
    """How :func:`_measure` finds an environment's body, measures a table, finds a braced group,
    and which tokens it looks up at once."""

    environment: Callable
    table: Callable
    group: Callable  # the tokens of a braced group, as _group finds them
    simple: dict  # tokens of a fixed width (a character, a command of no argument): their width at size 1


# Every character and command of the tables, digits and Latin letters: none takes an argument.
_SIMPLE = {**{c: 0.5 for c in "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"}, **_CHAR_EM,
           **{"\\" + name: em for name, em in _COMMAND_EM.items()}}
_PLAIN = _How(_environment, _table_width, _group, {})
_FAST = _How(_found_environment,
             lru_cache(maxsize=2048)(lambda body, environment, scale: _table_width(body, environment, scale, _FAST)),
             _found_group, _SIMPLE)
