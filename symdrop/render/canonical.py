"""What a self-check page compares, in Python as its script does it: a typed answer read exactly
(integers, fractions, decimals, vectors of them) and written one canonical way, salted and hashed.
templates/page/selfcheck.js.j2 does the same in the browser; tests/test_selfcheck.py holds the two
to one table of inputs."""

import hashlib
import re
from fractions import Fraction

# One number: an integer, a decimal (.5, 1., -0.25) or a fraction of two integers; U+2212 is a minus.
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:/[+-]?[0-9]+)?")
_SEPARATORS = re.compile(r"[,;\s]+")
FORMS = ("whole numbers (-3), fractions (3/4), decimals (0.75), a vector as numbers separated by commas ((1, -3/2)), "
         "a matrix row by row, its rows separated by semicolons ((0, 2); (0, 24))")


def read(text: str, size: int | None = None) -> list[Fraction] | None:
    """The exact numbers typed in ``text``, or None where it cannot be read. Commas separate
    numbers, semicolons too (a matrix's rows, each may be in brackets: ``(0, 2); (0, 24)``); where
    ``size`` numbers are expected and that gives another count, a comma between two digits is
    read as a decimal comma (``-0,75``), as symdrop grade reads answers."""
    # every character either reader takes for a space, one space (Python's \s has U+001C..U+001F
    # and U+0085, JavaScript's U+FEFF): the page's script reads what Python reads
    text = _SPACE.sub(" ", text.replace("\N{MINUS SIGN}", "-")).strip()
    if text[:1] in "([" and text[-1:] in ")]":
        text = text[1:-1]
    rows = [row.strip() for row in text.split(";")]
    if len(rows) > 1 and any(row.startswith(_OPEN) or row.endswith(_CLOSE) for row in rows):
        # a matrix row by row, each row in brackets: (0, 2); (0, 24), as the key writes it; one
        # semicolon after the last row is read as after a row without brackets (0, 2; 0, 24;)
        if not rows[-1]:
            rows.pop()
        rows = [row.strip("()[]").strip() for row in rows]
        if not all(rows):
            return None
        text = ";".join(rows)
    if _EMPTY_ENTRY.search(text):
        return None
    values = _numbers(text)
    if size is not None and (values is None or len(values) != size):
        other = _numbers(_DIGIT_COMMA.sub(".", text))
        if other is not None and len(other) == size:
            return other
    return values


_OPEN, _CLOSE = ("(", "["), (")", "]")
_SPACE = re.compile(r"[\s\ufeff]")
# Two separators with nothing between them (1,,2): an entry left out, not read as one separator.
_EMPTY_ENTRY = re.compile(r"[,;]\s*[,;]")
_DIGIT_COMMA = re.compile(r"(?<=[0-9]),(?=[0-9])")


def _numbers(text: str) -> list[Fraction] | None:
    tokens = [t for t in _SEPARATORS.split(text) if t]
    if not tokens or len(tokens) > 64 or not all(_NUMBER.fullmatch(t) for t in tokens):
        return None
    values = []
    for token in tokens:
        top, _, bottom = token.partition("/")
        if bottom and int(bottom) == 0:
            return None
        values.append(Fraction(top) / (Fraction(bottom) if bottom else 1))
    return values


def canonical(values) -> str:
    """Exact numbers written one way: ``-3/2,4`` (lowest terms, the sign on the numerator)."""
    return ",".join(str(Fraction(v)) for v in values)


def grid(value: Fraction, step: Fraction) -> int:
    """The point of the grid of ``step`` nearest ``value`` (a half rounds up): what a page hashes
    for an answer right within a tolerance."""
    return (Fraction(value) / step + Fraction(1, 2)).__floor__()


def digest(salt: str, name: str, text: str) -> str:
    """The SHA-256 of ``salt|name|text`` in hex: what a page holds instead of an answer."""
    return hashlib.sha256(f"{salt}|{name}|{text}".encode()).hexdigest()
