"""What problems to generate: layer sizes, the kind of numbers and their range; parsed and checked."""

import re
from dataclasses import dataclass, replace
from fractions import Fraction

from ..errors import SymdropError, quote
from ..limits import MAX_LAYERS

SHAPE = (2, 3, 3, 2, 1)  # the tutorial's network
VALUES = ("int", "half", "decimal")
MAX_MAGNITUDE = 99  # rule 1: every value a student writes down stays this small
# The keep probabilities q drawn from, unless --keep says otherwise: friendly fractions.
KEEP = (Fraction(1, 2), Fraction(2, 3), Fraction(3, 4), Fraction(4, 5))
ANSWERS = ("exact", "decimal")  # decimal: every answer a terminating decimal of at most 4 places
DECIMAL_PLACES = 4
# The hidden layers' activation (--activation): ReLU, or sigmoid or tanh (a smooth sheet), whose
# answers are irrational: given to K places (--digits K, SMOOTH_PLACES) and right within a tolerance.
ACTIVATIONS = ("relu", "sigmoid", "tanh")
SMOOTH_PLACES = 4  # K where --digits is not given
PLACES = range(2, 6)  # the K of a smooth sheet: 2 to 5 places
# A smooth sheet's network, where --shape is left at the default, and its limits: a calculator's
# work by hand, and exact sigmoid values that SymPy builds in milliseconds (a third layer of three
# sigmoid units makes an inverted problem's exact mistakes some ten times dearer).
SMOOTH_SHAPE = (2, 3, 2, 1)
SMOOTH_HIDDEN = 2  # hidden layers at most
SMOOTH_UNITS = 3  # units of a hidden layer at most


@dataclass(frozen=True)
class Options:
    """What problems to generate: the layer sizes, the kind of numbers and their range."""

    shape: tuple[int, ...] = SHAPE
    values: str = "int"
    low: int = -3
    high: int = 3
    keep: tuple[Fraction, ...] = KEEP
    answers: str = "exact"
    activation: str = "relu"  # of the hidden layers
    digits: int | None = None  # the places of a smooth sheet's answers (None: SMOOTH_PLACES)

    @property
    def smooth(self) -> bool:
        """Sigmoid or tanh hidden layers: irrational answers, to ``places`` decimals."""
        return self.activation != "relu"

    @property
    def places(self) -> int | None:
        """The places a smooth sheet's answers are given to (None: exact answers)."""
        return (SMOOTH_PLACES if self.digits is None else self.digits) if self.smooth else None

    @property
    def decimals(self) -> bool:
        """Print numbers as decimals (0.25), not fractions, where they terminate: decimal values,
        or answers that are decimals."""
        return self.values == "decimal" or self.answers == "decimal"

    def describe(self, keep: bool = False, shape: bool = True) -> str:
        """The options in words; ``keep``: with the keep probabilities drawn from; ``shape``:
        with the networks' shape."""
        kind = {"int": "integers", "half": "halves", "decimal": "decimals"}[self.values]
        text = f"{kind} in {self.low}..{self.high}"
        if shape:
            text = f"shape {format_shape(self.shape)}, {text}"
        if keep:
            text += f", keep probabilities from {format_keep(self.keep)}"
        if self.answers == "decimal":
            text += ", answers terminating decimals"
        if self.smooth:
            text += f", {self.activation} hidden layers, answers to {self.places} decimal places"
        return text

    def as_json(self) -> dict:
        found = {"shape": format_shape(self.shape), "values": self.values, "range": f"{self.low}..{self.high}",
                 "keep": [str(q) for q in self.keep], "answers": self.answers}
        if self.smooth:  # (a ReLU sheet's key as before)
            found.update(activation=self.activation, digits=self.places)
        return found


def format_shape(shape) -> str:
    return "-".join(str(n) for n in shape)


def parse_shape(text: str) -> tuple[int, ...]:
    """``"2-3-3-2-1"`` -> (2, 3, 3, 2, 1): input size, hidden sizes, output size."""
    if not re.fullmatch(r"\s*[0-9]{1,3}(\s*-\s*[0-9]{1,3})+\s*", text):
        raise SymdropError(f"--shape: expected sizes like 2-3-3-2-1 (input, hidden..., output), got {quote(text)}")
    shape = tuple(int(n) for n in text.split("-"))
    if len(shape) > MAX_LAYERS + 1:
        raise SymdropError(f"--shape: {len(shape) - 1} layers; the limit is {MAX_LAYERS} layers")
    if min(shape) < 1 or max(shape) > 9:
        raise SymdropError(f"--shape: expected layer sizes from 1 to 9, got {quote(text)}")
    return shape


def format_keep(keep) -> str:
    return ", ".join(str(q) for q in keep)


def parse_keep(text: str) -> tuple[Fraction, ...]:
    """``"2/3,3/4"`` -> (2/3, 3/4): the keep probabilities a problem's q are drawn from, each
    0 < q < 1, read exactly (0.8 is 4/5), in the order given, without repeats."""
    keep = []
    for item in (t.strip() for t in text.split(",")):
        if not re.fullmatch(r"[0-9]{1,6}/[0-9]{1,6}|[0-9]{0,6}\.[0-9]{1,6}|[0-9]{1,6}", item or "x") or item.endswith("/0"):
            raise SymdropError(f"--keep: expected keep probabilities like 2/3,3/4,4/5 (or 0.75), got {quote(item)} in {quote(text)}")
        q = Fraction(item)
        if not 0 < q < 1:
            raise SymdropError(f"--keep: expected probabilities 0 < q < 1 (q = 1 drops nothing), got {quote(item)}")
        if q.denominator > 10:
            raise SymdropError(f"--keep: expected small denominators (at most 10) for hand computation, got {quote(item)}")
        if q not in keep:
            keep.append(q)
    return tuple(keep)


def parse_range(text: str) -> tuple[int, int]:
    """``"-3..3"`` -> (-3, 3): the integers bounding every input, weight and bias."""
    match = re.fullmatch(r"\s*(-?[0-9]{1,6})\s*\.\.\s*(-?[0-9]{1,6})\s*", text)
    if not match or int(match[1]) >= int(match[2]):
        raise SymdropError(f"--range: expected LOW..HIGH with integers LOW < HIGH, like -3..3, got {quote(text)}")
    low, high = int(match[1]), int(match[2])
    if max(abs(low), abs(high)) > MAX_MAGNITUDE:
        raise SymdropError(f"--range: expected bounds within -{MAX_MAGNITUDE}..{MAX_MAGNITUDE}, got {quote(text)}")
    return low, high


def check_values(options: Options) -> None:
    """Refuse, in one line, a kind of numbers or answers symdrop does not draw."""
    if options.values not in VALUES:
        raise SymdropError(f"--values: expected one of {', '.join(VALUES)}, got {quote(options.values)}")
    if options.answers not in ANSWERS:
        raise SymdropError(f"--answers: expected one of {', '.join(ANSWERS)}, got {quote(options.answers)}")
    if options.activation not in ACTIVATIONS:
        raise SymdropError(f"--activation: expected one of {', '.join(ACTIVATIONS)}, got {quote(options.activation)}")
    if options.smooth and options.answers == "decimal":
        raise SymdropError(f"--answers decimal: {options.activation} answers are irrational, never terminating decimals; "
                           f"they are given to {options.places} places (--digits) and graded within a tolerance")
    if options.smooth and options.places not in PLACES:
        raise SymdropError(f"--digits {options.places}: a {options.activation} sheet's answers are given to "
                           f"{PLACES[0]} to {PLACES[-1]} decimal places")


def smooth_shaped(options: Options) -> Options:
    """The options a smooth sheet draws with: its own small shape unless --shape chose one."""
    return replace(options, shape=SMOOTH_SHAPE) if options.smooth and options.shape == SHAPE else options


def check_smooth_shape(options: Options) -> None:
    """Refuse, in one line, a smooth sheet's shape beyond SMOOTH_HIDDEN hidden layers of SMOOTH_UNITS units."""
    hidden = smooth_shaped(options).shape[1:-1]
    if options.smooth and (len(hidden) > SMOOTH_HIDDEN or max(hidden, default=0) > SMOOTH_UNITS):
        raise SymdropError(f"--shape {format_shape(options.shape)}: a {options.activation} sheet's networks have at most "
                           f"{SMOOTH_HIDDEN} hidden layers of at most {SMOOTH_UNITS} units (default "
                           f"{format_shape(SMOOTH_SHAPE)})")


def check_keep(options: Options, kind: str, *, avoid_half: bool = True) -> None:
    """Refuse, in one line, keep probabilities a kind cannot use: it draws q from ``options.keep``
    but avoids q = 1/2 (``avoid_half``), where 1/q = 1/(1 - q) hides the keep/drop confusion."""
    usable = [q for q in options.keep if not (avoid_half and q == Fraction(1, 2))]
    if not usable:
        raise SymdropError(
            f"--keep {format_keep(options.keep)}: the {kind} kind avoids q = 1/2 (there q = 1 - q hides "
            f"the keep/drop confusion); give another keep probability, like 2/3,3/4,4/5"
        )


def check_hidden_layers(options: Options) -> None:
    """Refuse, in one line, shapes whose hidden layers cannot meet rules 3 and 4: a mask must drop a
    unit and keep another, a ReLU must clip."""
    shape = format_shape(options.shape)
    if len(options.shape) < 3:
        raise SymdropError(
            f"--shape {shape}: no hidden layer, but the rules need one (rule 3: a mask drops a unit; "
            f"rule 4: a ReLU clips); use at least three sizes, like 2-3-1"
        )
    for l, n in enumerate(options.shape[1:-1], start=1):
        if n < 2:
            raise SymdropError(
                f"--shape {shape}: hidden layer {l} has {n} unit, but rule 3 needs its mask to drop "
                f"one unit and keep another; give every hidden layer at least 2 units"
            )
