"""The one small hierarchy of errors symdrop reports to its users."""

import numbers


class SymdropError(Exception):
    """Anything symdrop reports as one clear line, with exit status 2 on the command line."""


class SpecError(SymdropError):
    """A problem spec that is missing, unreadable or malformed; names the field at fault."""

    def __init__(self, field: str, message: str):
        self.field = field
        self.message = message
        super().__init__(f"{field}: {message}" if field else message)


class RenderError(SymdropError):
    """A document that could not be rendered or compiled."""


class BeyondExact(SymdropError):
    """An exact value symdrop does not decide or write: the sign of one within 2^-4000 of 0, or a
    pass whose exact values go past a limit on their size. A pass only mentioned beside a
    solution, or a mistake's pass, is then left out with the reason; the problem's own refuses."""


QUOTED = 60  # characters of a wrong text an error message quotes, so that it stays one short line


def describe(value) -> str:
    """A short, readable name for a wrong value in an error message: one line, at most about
    60 characters (a longer text is cut, with its length), an enormous integer by its size."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):  # as YAML and JSON write it
        return "true" if value else "false"
    if isinstance(value, str):
        return quote(value)
    if isinstance(value, numbers.Rational) and not isinstance(value, bool):  # int and Fraction
        bits = max(int(value.numerator).bit_length(), int(value.denominator).bit_length())
        if bits > 190:  # str() would refuse beyond 4300 digits
            return f"a number of about {int(bits * 0.30103)} digits"
    if isinstance(value, list):
        return "a list" if value else "an empty list"
    if isinstance(value, dict):
        return "a mapping"
    text = repr(value)
    return text if len(text) <= QUOTED else text[:QUOTED] + "..."


def quote(text: str) -> str:
    """``text`` quoted for an error message on one line: repr (line breaks and control characters
    escaped), cut after :data:`QUOTED` characters with the full length said."""
    text = str(text)
    if len(text) <= QUOTED:
        return repr(text)
    return f"{text[:QUOTED]!r}... ({len(text)} characters)"
