"""What an instructor needs to judge a set of options fair (R/exams' stress test): N problems drawn."""

from collections import Counter
from dataclasses import dataclass, field
from fractions import Fraction

import sympy

from ..core.passnumbers import network_numbers
from .generate import generate, stream
from .kind import Kind
from .options import Options

SIZES = ((1, "below 1"), (10, "1 to 10"), (50, "10 to 50"), (None, "50 or more"))  # of |answer|
# A kind with a tolerance: its closest two different values of an answer entry (the key's and the
# mistakes'), in tolerances.
APART = ((5, "3 to 5"), (10, "5 to 10"), (50, "10 to 50"), (None, "50 or more"))


@dataclass
class KindStats:
    """N problems of one kind: their answers, masks, the rules that rejected candidates, and how
    often each mistake applies (counts of problems)."""

    kind: Kind
    problems: int
    signs: Counter = field(default_factory=Counter)  # "positive", "zero", "negative", per answer entry
    sizes: Counter = field(default_factory=Counter)  # SIZES labels
    denominators: Counter = field(default_factory=Counter)
    dropped: dict = field(default_factory=dict)  # l -> Counter(units dropped by mu^(l))
    masked_layers: Counter = field(default_factory=Counter)  # l of every mu^(l) with q < 1
    rejected: Counter = field(default_factory=Counter)  # candidates, by the first rule they broke
    redrawn: Counter = field(default_factory=Counter)  # layers drawn again, by the rule they would break
    mistakes: Counter = field(default_factory=Counter)
    irrational: int = 0  # answer entries with no denominator (a kind with a tolerance)
    apart: Counter = field(default_factory=Counter)  # APART labels: the closest two values of an entry
    tolerances: Counter = field(default_factory=Counter)  # each problem's tolerance (its answers irrational)
    rules: tuple[str, ...] = ()  # the rules its problems were drawn by (a smooth sheet's own)

    @property
    def tolerance_range(self) -> tuple[Fraction, Fraction] | None:
        """The smallest and the largest tolerance of its problems (None: exact answers)."""
        return (min(self.tolerances), max(self.tolerances)) if self.tolerances else None

    @property
    def answers(self) -> int:
        return sum(self.signs.values())

    @property
    def candidates(self) -> int:
        return self.problems + sum(self.rejected.values())


def stats(seed: int, options: Options, kinds: tuple[Kind, ...], problems: int) -> list[KindStats]:
    """Draw ``problems`` problems of each kind (streams (seed, "stats", kind, k)) and count."""
    found = []
    for kind in dict.fromkeys(kinds):
        s = KindStats(kind, problems, rules=tuple(kind.rules_for(options)))
        for k in range(1, problems + 1):
            network = generate(stream(seed, "stats", kind.name, k), options, kind, what=f"problem {k}",
                               rejected=s.rejected, redrawn=s.redrawn)
            _count(s, kind, network)
        found.append(s)
    return found


def _count(s: KindStats, kind: Kind, network) -> None:
    for value in kind.compute_answer(network):
        rational = sympy.sympify(value).is_Rational
        value = Fraction(value) if rational else _digits(value)
        s.signs["positive" if value > 0 else "zero" if value == 0 else "negative"] += 1
        s.sizes[next(label for bound, label in SIZES if bound is None or abs(value) < bound)] += 1
        if rational:
            s.denominators[value.denominator] += 1
        else:
            s.irrational += 1
    tolerance = kind.tolerance_for(network)
    if tolerance is not None:
        s.apart[_apart(kind, network, tolerance)] += 1
        s.tolerances[tolerance] += 1
    values = network_numbers(network.examples[0] if kind.batches else network)  # a batch's examples share masks' q
    for l, mask in enumerate(values.masks[1:], start=1):  # mu^(0) keeps the input in every kind
        if kind.gives_masks:
            s.dropped.setdefault(l, Counter())[mask.count(0)] += 1
        if values.keep is not None and values.keep[l] != 1:
            s.masked_layers[l] += 1
    for m in kind.mistakes(network):
        s.mistakes[m.name] += 1


def _digits(value) -> Fraction:
    """An irrational value to 30 digits: enough to count its sign and size."""
    return Fraction(str(sympy.N(value, 30)))


def _apart(kind: Kind, network, tolerance: Fraction) -> str:
    """The APART label of the closest two different values of an answer entry, in tolerances."""
    answers = [kind.compute_answer(network)] + [m.answer for m in kind.mistakes(network)]
    closest = None
    for i in range(len(answers[0])):
        values = sorted({_digits(a[i]) for a in answers})
        for low, high in zip(values, values[1:]):
            closest = high - low if closest is None else min(closest, high - low)
    if closest is None:
        return APART[-1][1]
    return next(label for bound, label in APART if bound is None or closest < bound * tolerance)
