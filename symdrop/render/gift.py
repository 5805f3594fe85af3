"""A sheet as Moodle GIFT numerical questions, each known mistake a 0% answer with its feedback.

GIFT turns an answer it cannot read as a number into "accept anything", so only decimals reach
it: exact where the value terminates, else rounded to the fewest places whose tolerance holds
the exact value and keeps every answer's interval apart from every other's.
"""

from dataclasses import replace
from fractions import Fraction

import sympy

from ..exercises.drawing import terminating
from ..exercises.sheet import Exercise, Sheet
from .env import render_document
from .escape import printable
from .options import RenderOptions
from .sheets import render_parts

GIFT_SPECIAL = "\\~=#{}:"  # backslash first: each is written with a backslash before it
MAX_PLACES = 12


def escape_gift(text: str) -> str:
    """Text GIFT prints literally: ``\\``, ``~ = # { } :`` escaped with a backslash, and line
    breaks written ``\\n`` (a blank line would end the question); other controls a space."""
    text = "\n".join(printable(line) for line in str(text).split("\n"))
    return "".join("\\" + c if c in GIFT_SPECIAL else c for c in text).replace("\n", "\\n")


def as_fraction(value) -> Fraction:
    """An exact number as a Fraction (an irrational one to 40 digits, for rounding only)."""
    value = sympy.sympify(value)
    if value.is_Rational:
        return Fraction(int(value.p), int(value.q))
    return Fraction(str(sympy.N(value, 40)))


def decimal_text(value: Fraction, places: int) -> str:
    """``value`` rounded to ``places`` decimals, as plain decimal text (no exponent)."""
    scaled = round(value * 10**places)
    sign = "-" if scaled < 0 else ""
    digits = str(abs(scaled)).rjust(places + 1, "0")
    whole, fraction = digits[:-places] if places else digits, digits[-places:] if places else ""
    fraction = fraction.rstrip("0")
    return sign + whole + ("." + fraction if fraction else "")


EXACT_PLACES = 6  # a value that terminates within this many places is written exactly


def intervals(values: list[Fraction]) -> list[tuple[str, str]]:
    """(value, tolerance) texts for ``values`` (the answer first, then the mistakes'): a value
    that terminates within EXACT_PLACES places is written exactly (tolerance 0); the others are
    rounded to the fewest places whose tolerance 10^-places holds the exact value and keeps every
    interval apart from every other."""
    for places in range(1, MAX_PLACES + 1):
        spans = []
        for v in values:
            if terminating(v, EXACT_PLACES):
                spans.append((v, Fraction(0)))
            else:
                spans.append((Fraction(round(v * 10**places), 10**places), Fraction(1, 10**places)))
        if all(abs(a[0] - b[0]) > a[1] + b[1] for i, a in enumerate(spans) for b in spans[i + 1:]):
            return [(decimal_text(c, max(places, EXACT_PLACES)), "0" if r == 0 else decimal_text(r, places))
                    for c, r in spans]
    raise ValueError("answers too close to tell apart in decimals")  # cannot happen: they differ


def questions(e: Exercise) -> list[dict]:
    """The numerical questions of one exercise: one per number of its answer."""
    answer = list(e.answer)
    found = []
    for i, value in enumerate(answer):
        mistakes = [(m, answer_) for m, answer_ in e.wrong_answers() if answer_[i] != value]
        seen, distinct = set(), []
        for m, answer_ in mistakes:  # one 0% answer per wrong value (the first mistake names it)
            key = as_fraction(answer_[i])
            if key not in seen:
                seen.add(key)
                distinct.append((m, key))
        spans = intervals([as_fraction(value)] + [v for _, v in distinct])
        found.append({
            "entry": i + 1, "entries": len(answer), "value": spans[0],
            "mistakes": [(m, span) for (m, _), span in zip(distinct, spans[1:])],
            "exact": sympy.sstr(value),
        })
    return found


def sheet_gift(sheet: Sheet, options: RenderOptions = RenderOptions()) -> str:
    """``questions.gift``: a category for the sheet, then each exercise's questions, the question
    text its Markdown (without the picture, which GIFT cannot carry)."""
    options = replace(options, diagram=False, decimals=options.decimals or sheet.options.decimals)
    items = []
    for e in sheet.exercises:
        text = render_parts(e, "markdown", options)["problem"]
        items.append((e, text.strip(), questions(e)))
    category = f"symdrop/seed {sheet.seed}, {sheet.options.describe(keep=True)}"
    return render_document("questions", "gift", options, items=items, category=category, esc=escape_gift)
