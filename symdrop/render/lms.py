"""What an LMS question of an exercise holds: each number asked, its decimal and tolerance, and each mistake's.

An LMS compares decimals, so every exact value is written as a decimal: exactly where it
terminates within EXACT_PLACES places, otherwise rounded to the fewest places (at least 2) whose tolerance
10^-places holds the exact value and keeps every answer's interval apart from every other's;
a kind whose answers are irrational states its tolerance, and every value is right within it.
GIFT, Moodle XML and QTI are written from these (``gift.py``, ``moodle.py``, ``qti.py``).
"""

import math
from dataclasses import dataclass, replace
from fractions import Fraction
from functools import lru_cache

import sympy

from ..exercises.drawing import terminating
from ..exercises.kind import Part
from ..exercises.mistakes import Mistake
from ..exercises.options import smooth_shaped
from ..exercises.sheet import Exercise
from .escape import printable
from .numbertext import decimal, exact_decimal, rational_text

EXACT_PLACES = 6  # a value that terminates within this many places is written exactly
MIN_PLACES = 2  # a rounded value has at least two places: a tolerance of 0.1 lets slips through
MAX_PLACES = 12


@dataclass(frozen=True)
class Span:
    """A decimal and its tolerance, as an LMS reads them: right for every number within."""

    value: str
    tolerance: str
    places: int | None = None  # the places a student gives, where a kind states its tolerance

    @property
    def exact(self) -> bool:
        return self.tolerance == "0"

    @property
    def low(self) -> str:
        """The interval's ends as exact decimals (QTI compares with them)."""
        return decimal_text(Fraction(self.value) - Fraction(self.tolerance), EXACT_PLACES + MAX_PLACES)

    @property
    def high(self) -> str:
        return decimal_text(Fraction(self.value) + Fraction(self.tolerance), EXACT_PLACES + MAX_PLACES)


@dataclass(frozen=True)
class Gap:
    """One number a student gives: what it is (``part``), the exact value, its span, and the
    mistakes whose value differs there, each with its own span (the first mistake of each wrong
    value names it)."""

    part: Part
    exact: sympy.Expr
    span: Span
    mistakes: tuple[tuple[Mistake, Span], ...]
    weight: int = 1  # its marks (see weights)

    @property
    def exact_text(self) -> str:
        """The exact value as the right answer's feedback gives it: ``-145/3``; an irrational one
        (a sigmoid's) as its 15-digit decimal, ``≈ 0.731058578630005``, as ``check`` gives it (SymPy's
        text, ``1/(exp(-1) + 1)``, writes e as ``E``)."""
        value = sympy.sympify(self.exact)
        return rational_text(value) if value.is_Rational else "≈ " + decimal(value)

    @property
    def terminates(self) -> bool:
        """Whether the exact value is a decimal of at most EXACT_PLACES places (3, 0, 1/4): one
        a student can give exactly, whatever tolerance the box takes."""
        value = sympy.sympify(self.exact)
        return value.is_Rational and terminating(Fraction(int(value.p), int(value.q)), EXACT_PLACES)

    @property
    def places(self) -> int:
        """The places the span is written to (0: an integer), or that its kind's tolerance asks for."""
        if self.span.places is not None:
            return self.span.places
        return len(self.span.value.partition(".")[2])


@lru_cache(maxsize=8192)  # the same values in every LMS format of a sheet
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


def intervals(values: list[Fraction], tolerance: Fraction | None = None) -> list[tuple]:
    """(value, tolerance) texts for ``values`` (the answer first, then the mistakes'): a value
    that terminates within EXACT_PLACES places is written exactly (tolerance 0); the others are
    rounded to the fewest places (at least MIN_PLACES) whose tolerance 10^-places holds the exact value and keeps every
    interval apart from every other. A kind that states its ``tolerance`` (its answers are
    irrational) has every value within it, written to EXACT_PLACES places, and (value,
    tolerance, the places it asks for) texts; its rules keep the intervals apart."""
    if tolerance is not None:
        spans = [(Fraction(round(v * 10**EXACT_PLACES), 10**EXACT_PLACES), tolerance) for v in values]
        if not all(abs(a[0] - b[0]) > 2 * tolerance for i, a in enumerate(spans) for b in spans[i + 1:]):
            raise ValueError("answers within the kind's tolerance of each other")  # its rules prevent it
        text = exact_decimal(tolerance.numerator, tolerance.denominator)
        return [(decimal_text(c, EXACT_PLACES), text, len(text.partition(".")[2])) for c, _ in spans]
    for places in range(MIN_PLACES, MAX_PLACES + 1):
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


def gaps(e: Exercise, parts: bool = False) -> list[Gap]:
    """The numbers a question of ``e`` asks for: those of its answer, or with ``parts`` every value
    the student computes on the way (the kind's parts, the answer's among them). A mistake is an
    answer of its own where it gives the final answer; on the way, a gap knows the right value."""
    wrong = e.wrong_answers()
    found = []
    for part in e.kind.parts(e.derivation):
        if not parts and part.answer is None:
            continue
        value = part.value
        by_value: dict[Fraction, list[Mistake]] = {}
        if part.answer is not None:
            for m, answer_ in wrong:  # one 0% answer per wrong value, naming every mistake that gives it
                key = _value_key(answer_[part.answer], e.tolerance)
                if key != _value_key(value, e.tolerance):
                    by_value.setdefault(key, []).append(m)
        distinct = [(_together(ms), key) for key, ms in by_value.items()]
        spans = [Span(*s) for s in intervals([as_fraction(value)] + [v for _, v in distinct], e.tolerance)]
        found.append(Gap(part, value, spans[0], tuple((m, s) for (m, _), s in zip(distinct, spans[1:]))))
    if parts:  # every value on the way counts one mark
        return found
    return [replace(g, weight=w) for g, w in zip(found, weights([g.exact for g in found]))]


def telling(found: list[Gap]) -> Gap:
    """The one number a question that holds one number asks for (GIFT's numerical question): of
    an answer's numbers, the one the most known mistakes get wrong (the first of those on a tie),
    so that its feedback names the most mistakes; the answer itself where it is one number."""
    return max(found, key=lambda g: len(g.mistakes))


def _value_key(value, tolerance) -> Fraction:
    """A value as one wrong answer of a gap: exact, or where its kind states a tolerance (values
    through sigmoids, one value written two ways may differ in its 40th digit) to 30 places."""
    key = as_fraction(value)
    return key if tolerance is None else Fraction(round(key * 10**30), 10**30)


def _together(mistakes: list[Mistake]) -> Mistake:
    """One mistake, or several that give one wrong value as one whose label names them all."""
    if len(mistakes) == 1:
        return mistakes[0]
    return Mistake(" ".join(m.name for m in mistakes), "; or ".join(m.label for m in mistakes), mistakes[0].answer)


def how_given(gaps: list[Gap]) -> str:
    """How a question of several numbers asks for them, from what they are: ``"exact"`` where
    every one terminates (each is typed exactly), ``"fractions"`` where some are rounded but all
    are rational (work in exact fractions, round only what is typed), ``"irrational"`` where some
    are irrational (no fraction holds them: exact expressions, or every digit, until typed)."""
    if all(g.span.exact for g in gaps):
        return "exact"
    return "fractions" if all(sympy.sympify(g.exact).is_Rational for g in gaps) else "irrational"


def weights(values) -> list[int]:
    """The marks of each number of an answer: 1 each, except that where some are 0 and some not (a
    gradient whose dropped units give zero columns), the zeros together count as one other
    number: each other number weighs as many marks as there are zeros. A student who writes 0
    everywhere then scores 1/(1 + the other numbers), at most a half, not 5/6."""
    zeros = sum(1 for v in values if v == 0)
    if zeros == 0 or zeros == len(values):
        return [1] * len(values)
    return [1 if v == 0 else zeros for v in values]


def rubric_weights(found: list[Gap], points: dict[str, Fraction]) -> list[Gap]:
    """The gaps of a cloze question (``--parts``) weighted as grade's rubric weighs them:
    ``points`` of ``y`` (the answer's numbers together), ``z`` (each layer's z^(l) together) and
    ``a`` (each layer's a^(l) together, and as much for each other vector on the way: the masked
    values, deltas, gradients, losses); within one, each number by :func:`weights`. Moodle's gap
    weights are whole numbers: all are scaled by the least common denominator."""
    groups: dict[tuple, list[int]] = {}
    for k, g in enumerate(found):
        group = ("y",) if g.part.answer is not None else (g.part.name, g.part.l)
        groups.setdefault(group, []).append(k)
    shares = [Fraction(0)] * len(found)
    for group, members in groups.items():
        total = points["y"] if group == ("y",) else points["z"] if group[0] == "z" else points["a"]
        ws = weights([found[k].exact for k in members])
        for k, w in zip(members, ws):
            shares[k] = total * w / sum(ws)
    scale = math.lcm(*(s.denominator for s in shares))
    return [replace(g, weight=int(s * scale)) for g, s in zip(found, shares)]


def question_name(e: Exercise, title: str | None = None) -> str:
    """``Problem 3 (K7QX2M)``, with the student's name in a class set; a spec's problem is named
    by its ``title``: the variant code in every name, on one line (Moodle keeps a name's tabs and
    line breaks)."""
    one_line = lambda text: " ".join(printable(text).split())  # noqa: E731
    name = f"{one_line(title)} ({e.code})" if title else f"Problem {e.number} ({e.code})"
    return name if e.student is None else f"{name}, {one_line(e.student.name)}"


def category(sheet, name: str | None = None) -> str:
    """The category a sheet's questions go in, ``symdrop/seed S, OPTIONS``: a category per seed
    and options inside one named symdrop (``/`` separates categories in Moodle's names)."""
    if name is not None:  # one problem of a spec: a category named by the caller
        return "symdrop/" + name.replace("/", "//")
    # as the sheet states them: a smooth sheet's own shape, none for the statistics kinds alone
    options = smooth_shaped(sheet.options)
    described = options.describe(keep=True, shape=any(k.shaped for k in sheet.kinds)).replace("/", "//")  # Moodle: "//" is a slash in a name
    return f"symdrop/seed {sheet.seed}, {described}"


# The grades Moodle allows an answer (question_bank::fraction_options), in percent, highest first.
MOODLE_GRADES = ("100", "90", "83.33333", "80", "75", "70", "66.66667", "60", "50", "40", "33.33333", "30", "25", "20",
                 "16.66667", "14.28571", "12.5", "11.11111", "10", "5", "0")


def moodle_grade(share: Fraction) -> str:
    """The grade (percent, as Moodle writes it) of a known mistake's answer that earns ``share``
    (grade's rubric, ``mistake``, 0 to 1) of its points: the nearest of Moodle's grades not above
    it (a third is 33.33333; 0.45 is 40)."""
    return next(g for g in MOODLE_GRADES if Fraction(g) <= share * 100)
