"""Students' numbers as they write them: 7, -3/4, -0.75, -0,75, -245 / 3, and vectors (3; 0; -2) or (3, 0, -2)."""

import re
from fractions import Fraction

from ..errors import SymdropError, quote
from ..limits import MAX_DIGITS

_NUMBER = re.compile(r"[+-]?(\d+(/\d+)?|\d*[.,]\d+|\d+[.,])", re.ASCII)  # digits 0-9 only


# Spaces inside one number, as students type them (and a spec file reads, numbers.py's _FRACTION):
# around its "/" (``-245 / 3``), and after a sign that starts a number (``- 245/3``): at the
# text's start or after ";", "," or an opening bracket, never after a number, where the sign could
# as well be a minus between two numbers (``3 - 2``) or a negative one's (``3 -2`` is two numbers).
# (Spaces: " " alone, as :func:`read_entries` leaves them; templates/page/selfcheck.js.j2's read
# joins them with the same two patterns.)
_SLASH = re.compile(r" */ *")
_SIGN = re.compile(r"(^|[;,(\[])( *)([+-]) +(?=[0-9.,])")


def join_numbers(text: str) -> str:
    """``text`` with the spaces inside each number taken out (:data:`_SLASH`, :data:`_SIGN`):
    ``"- 1 / 2 3 / 4"`` -> ``"-1/2 3/4"``; ``"3 - 2"`` as it is. A text they change had a lone
    ``/`` or sign, which no reading could read before: the readings of every other are as they were."""
    if " " not in text:
        return text
    return _SIGN.sub(r"\1\2\3", _SLASH.sub("/", text))


def parse_number(text: str, what: str = "answer") -> Fraction:
    """One number exactly as written; a decimal comma is a decimal point (``-0,75`` is -3/4);
    spaces around its ``/`` and after its sign are allowed (``- 245 / 3``, :func:`join_numbers`)."""
    item = str(text).strip().replace("\u2212", "-")
    if " " in item or not (item.isascii() and item.isprintable()):
        item = join_numbers(_SPACE.sub(" ", item))
    if not _NUMBER.fullmatch(item):
        raise SymdropError(_expected(text, what))
    # the digits counted (before any is read as an int) only where they can be too many: at most every character
    if len(item) > MAX_DIGITS:
        digits = len(item) - sum(item.count(c) for c in "+-/.,")  # what the pattern lets stand beside the digits
        if digits > MAX_DIGITS:
            raise SymdropError(f"{what}: {quote(item)} has {digits} digits; the limit is {MAX_DIGITS} digits per number")
    if "/" in item and int(item.partition("/")[2]) == 0:
        raise SymdropError(_expected(text, what))
    return _fraction(item)


def _expected(text, what: str) -> str:
    """The refusal of a text that is not a number (made only then: a class's answers hold some 9,000)."""
    return f"{what}: expected a number like 7, -3/4, -0.75 or -0,75, got {quote(str(text))}"


def _fraction(item: str) -> Fraction:
    """The Fraction of a number's text that :data:`_NUMBER` matches: ``7`` and ``-3/4`` from their
    integers (a class's answers: some 9,000 numbers), a decimal by Fraction's own reading
    (``Fraction(text)``, to which tests/test_check.py compares it)."""
    whole, slash, under = item.partition("/")
    if slash:
        return Fraction(int(whole), int(under))
    if whole.lstrip("+-").isdigit():
        return Fraction(int(whole))
    return Fraction(item.replace(",", "."))


# Every character Python or a browser's script takes for a space (Python's \s has U+001C..U+001F
# and U+0085, JavaScript's U+FEFF), one space: a self-check page reads what grade reads.
_SPACE = re.compile(r"[\s\ufeff]")


def parse_vector(text: str, what: str = "answer", size: int | None = None) -> tuple[Fraction, ...]:
    """``"3; 0; -2"``, ``"(3, 0, -2)"``, ``"[3 0 -2]"``, a matrix row by row ``"0 2; 0 24; 0 0"``
    or one number -> the numbers (a matrix's row by row). Inside brackets a comma separates
    entries unless ``;`` does (then ``0,5`` is a decimal comma). Where ``size`` numbers are
    expected and that reading gives another count, commas that separate (``4,-4;0,0`` as a
    matrix of 2 x 2, as the self-check pages read it) or that are decimal commas (``-0,75`` as
    one number) are taken as such: the reading that gives ``size`` numbers (:func:`readings`).
    A self-check page's script reads answers the same way (templates/page/selfcheck.js.j2)."""
    return read_entries(text, what, size)[1]


def read_entries(text: str, what: str = "answer", size: int | None = None) -> tuple[tuple[str, ...], tuple[Fraction, ...]]:
    """The numbers' texts as :func:`parse_vector` reads ``text`` (each as written, in the reading
    of its commas it takes) and the numbers: what ``symdrop check`` echoes is what it read."""
    text = str(text)
    if not (text.isascii() and text.isprintable()):  # (printable ASCII, most answers: no space but " ", no U+2212)
        text = _SPACE.sub(" ", text).replace("\u2212", "-")
    text = join_numbers(text)
    if size is not None:
        for reading in readings(text):
            try:
                found = _parse_vector(reading, what)
            except SymdropError:
                continue
            if len(found[1]) == size:
                return found
    return _parse_vector(text, what)


# A comma between two digits: a decimal comma in one reading of a text, a separator in the other.
_DIGIT_COMMA = re.compile(r"(?<=[0-9]),(?=[0-9])", re.ASCII)


def readings(text: str):
    """The ways to read ``text``'s commas, one after another: as written (the rules of
    :func:`parse_vector`), every comma a separator, every comma between digits a decimal point
    (the others made only where the first is not the one: most answers are read as written)."""
    text = str(text)
    yield text
    yield "; ".join(text.replace(";", ",").split(","))
    yield _DIGIT_COMMA.sub(".", text)


def _parse_vector(text: str, what: str) -> tuple[tuple[str, ...], tuple[Fraction, ...]]:
    body = str(text).strip()
    bracketed = body[:1] in "([" and body[-1:] in ")]"
    if bracketed:
        body = body[1:-1]
    if ";" in body:
        items = body.split(";")
    elif bracketed and "," in body:
        items = body.split(",")
    else:
        items = [body]
    items = [n for item in items for n in item.strip().strip("()[]").split()]
    if not items:
        raise SymdropError(f"{what}: expected a number or a vector like 3; 0; -2, got {quote(str(text))}")
    try:
        return tuple(items), tuple([parse_number(i, what) for i in items])
    except SymdropError as error:
        if any(i in ("+", "-") for i in items):  # "3 - 2": a sign apart from its number, after a number
            raise SymdropError(f"{what}: in {quote(str(text))} a sign stands apart from its number after another "
                               "number (a minus, or a negative number's sign?); write two numbers as 3; -2 or 3 -2") from None
        if len(items) > 1 or "," in body:  # several numbers, written some other way: say how
            raise SymdropError(f"{error}; several numbers are written 3; 0; -2 or (3, 0, -2)") from None
        raise
