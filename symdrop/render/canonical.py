"""What a self-check page compares, in Python as its script does it: a typed answer read exactly,
as ``symdrop grade`` reads it (integers, fractions, decimals, vectors of them), and written one
canonical way, salted and hashed.
templates/page/selfcheck.js.j2 does the same in the browser; tests/test_selfcheck.py holds the two
to one table of inputs."""

import hashlib
from fractions import Fraction

from ..errors import SymdropError
from ..grading.answers import parse_vector
from ..limits import MAX_CSV_CELL

FORMS = ("whole numbers (-3), fractions (3/4), decimals (0.75 or 0,75), a vector as numbers separated by commas "
         "((1, -3/2)), a matrix row by row, its rows separated by semicolons ((0, 2); (0, 24))")


def read(text: str, size: int | None = None) -> list[Fraction] | None:
    """The exact numbers typed in ``text`` as ``symdrop grade`` reads them (where ``size``
    numbers are expected, the reading of the text's commas that gives that many:
    :func:`~symdrop.grading.answers.parse_vector`), or None where grade finds no number in it:
    what the page says right is what grade counts right. A text longer than a cell of
    ``answers.csv`` may be (grade's reader refuses the file) is read by neither."""
    if len(text) > MAX_CSV_CELL:
        return None
    try:
        return list(parse_vector(text, "answer", size))
    except SymdropError:
        return None


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
