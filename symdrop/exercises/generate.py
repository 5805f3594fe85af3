"""Random dropout problems: an explicit random.Random per problem, named acceptance rules, bounded attempts."""

import hashlib
import random
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from fractions import Fraction

from ..errors import SymdropError
from ..core.fastpass import LayerValues, Number, Problem, activate, affine, values_of
from .mistakes import mistakes

SHAPE = (2, 3, 3, 2, 1)  # the tutorial's network
VALUES = ("int", "half", "decimal")
MAX_MAGNITUDE = 99  # rule 1: every value a student writes down stays this small
MAX_ATTEMPTS = 1000  # candidate problems per accepted one before giving up
LAYER_TRIES = 20  # draws of one layer's W and b before the candidate is given up
FLOW_ATTEMPTS = 20  # candidates in which every hidden layer keeps an active unit, before any will do
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L: read aloud, typed back


@dataclass(frozen=True)
class Options:
    """What problems to generate: the layer sizes, the kind of numbers and their range."""

    shape: tuple[int, ...] = SHAPE
    values: str = "int"
    low: int = -3
    high: int = 3

    @property
    def decimals(self) -> bool:
        """Print numbers as decimals (0.25), not fractions."""
        return self.values == "decimal"

    def describe(self) -> str:
        kind = {"int": "integers", "half": "halves", "decimal": "decimals"}[self.values]
        return f"shape {format_shape(self.shape)}, {kind} in {self.low}..{self.high}"

    def as_json(self) -> dict:
        return {"shape": format_shape(self.shape), "values": self.values, "range": f"{self.low}..{self.high}"}


def format_shape(shape) -> str:
    return "-".join(str(n) for n in shape)


def parse_shape(text: str) -> tuple[int, ...]:
    """``"2-3-3-2-1"`` -> (2, 3, 3, 2, 1): input size, hidden sizes, output size."""
    if not re.fullmatch(r"\s*\d+(\s*-\s*\d+)+\s*", text):
        raise SymdropError(f"--shape: expected sizes like 2-3-3-2-1 (input, hidden..., output), got {text!r}")
    shape = tuple(int(n) for n in text.split("-"))
    if min(shape) < 1 or max(shape) > 9:
        raise SymdropError(f"--shape: expected layer sizes from 1 to 9, got {text!r}")
    return shape


def parse_range(text: str) -> tuple[int, int]:
    """``"-3..3"`` -> (-3, 3): the integers bounding every input, weight and bias."""
    match = re.fullmatch(r"\s*(-?\d+)\s*\.\.\s*(-?\d+)\s*", text)
    if not match or int(match[1]) >= int(match[2]):
        raise SymdropError(f"--range: expected LOW..HIGH with integers LOW < HIGH, like -3..3, got {text!r}")
    low, high = int(match[1]), int(match[2])
    if max(abs(low), abs(high)) > MAX_MAGNITUDE:
        raise SymdropError(f"--range: expected bounds within -{MAX_MAGNITUDE}..{MAX_MAGNITUDE}, got {text!r}")
    return low, high


def check_options(options: Options) -> None:
    """Refuse, in one line, options under which no problem can meet the rules."""
    if options.values not in VALUES:
        raise SymdropError(f"--values: expected one of {', '.join(VALUES)}, got {options.values!r}")
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


@dataclass(frozen=True)
class Candidate:
    """A drawn problem with its exact forward pass, as the rules see it."""

    problem: Problem
    options: Options

    @property
    def values(self) -> tuple[LayerValues, ...]:
        return values_of(self.problem)


# --- The acceptance rules; each is a small named function of a candidate. ---------------------


def hand_computable(c: Candidate) -> bool:
    """Rule 1: integers (int), denominators at most 2 (half) or at most two decimal places
    (decimal) for every number written down, inputs to prediction, all within +-99."""
    numbers = list(c.problem.x)
    for (W, b, _), v in zip(c.problem.layers, c.values):
        numbers += [w for row in W for w in row] + list(b) + list(v.masked) + list(v.z) + list(v.a)
        for terms, bias in zip(v.terms, b):
            partial = 0
            for t in terms:  # each product and each running sum of z_i = w_i1 a~_1 + ... + b_i
                partial += t
                numbers += [t, partial]
    return all(_allowed(v, c.options.values) for v in numbers)


def no_relu_zero(c: Candidate) -> bool:
    """Rule 2: no ReLU pre-activation is exactly 0 (nobody should wonder about relu(0))."""
    return all(v != 0 for (_, _, g), layer in zip(c.problem.layers, c.values) if g == "relu" for v in layer.z)


def masks_drop_active_units(c: Candidate) -> bool:
    """Rule 3: every hidden-layer mask drops a unit and keeps one, and every dropped unit is
    active (a > 0), so forgetting the mask changes the answer."""
    for l in range(1, c.problem.depth):
        mu, a = c.problem.masks[l], c.values[l - 1].a
        if 0 not in mu or 1 not in mu or any(m == 0 and v <= 0 for m, v in zip(mu, a)):
            return False
    return True


def relu_clips_negative(c: Candidate) -> bool:
    """Rule 4: some kept ReLU unit clips a negative pre-activation to 0."""
    return any(
        z < 0 and keep
        for l in range(1, c.problem.depth)
        if c.problem.layers[l - 1][2] == "relu"
        for z, keep in zip(c.values[l - 1].z, c.problem.masks[l])
    )


def differs_from_mistakes(c: Candidate) -> bool:
    """Rule 5: the answer differs from every applicable mistake's (no dropout included)."""
    answer = c.values[-1].a
    return all(m.answer != answer for m in mistakes(c.problem))


RULES = {  # in the order they are checked: cheapest first
    "hand_computable": hand_computable,
    "no_relu_zero": no_relu_zero,
    "masks_drop_active_units": masks_drop_active_units,
    "relu_clips_negative": relu_clips_negative,
    "differs_from_mistakes": differs_from_mistakes,
}
RULE_NUMBERS = {name: n for n, name in enumerate(RULES, start=1)}


def distinct(problems) -> bool:
    """Rule 6: no two problems of a sheet or class set are the same."""
    codes = [variant_code(p) for p in problems]
    return len(set(codes)) == len(codes) and len(set(problems)) == len(problems)


def failed_rules(problem: Problem, options: Options) -> list[str]:
    """The names of the rules 1-5 ``problem`` breaks (empty: acceptable)."""
    candidate = Candidate(problem, options)
    return [name for name, rule in RULES.items() if not rule(candidate)]


# --- Drawing problems ---------------------------------------------------------------------------


def stream(seed: int, *key) -> random.Random:
    """The random stream of one problem: from the seed and a key (problem number, student id).

    Derived with SHA-256, so it is the same in every process and for every PYTHONHASHSEED, and
    one problem's stream does not depend on any other problem.
    """
    text = "\x1f".join(["symdrop-sheet-1", str(seed), *(str(k) for k in key)])
    return random.Random(int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest(), "big"))


@lru_cache(maxsize=4096)  # asked when drawn (rule 6), when kept, and for the exercise
def variant_code(problem: Problem) -> str:
    """A short code that names ``problem`` by its content: 6 characters, SHA-256 based."""
    text = repr((problem.x, problem.layers, problem.masks)).replace("Fraction", "F")
    number = int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:8], "big")
    code = []
    for _ in range(6):
        number, digit = divmod(number, len(CODE_ALPHABET))
        code.append(CODE_ALPHABET[digit])
    return "".join(code)


def generate(rng: random.Random, options: Options, *, taken=frozenset(), what: str = "a problem") -> Problem:
    """The first problem drawn from ``rng`` that meets rules 1-5 and whose code is not ``taken``
    (rule 6). Raises :class:`SymdropError` after ``MAX_ATTEMPTS`` candidates."""
    grids = _Grids(options)
    failures = Counter()
    for attempt in range(MAX_ATTEMPTS):
        problem = _draw(rng, options, grids, failures, flow=attempt < FLOW_ATTEMPTS)
        if problem is None:
            continue
        failed = failed_rules(problem, options)
        if failed:
            failures[failed[0]] += 1
        elif variant_code(problem) in taken:
            failures["distinct"] += 1
        else:
            return problem
    rule, _ = failures.most_common(1)[0]
    number = RULE_NUMBERS.get(rule, 6)
    raise SymdropError(
        f"cannot generate {what}: no candidate met the rules in {MAX_ATTEMPTS} attempts with {options.describe()} "
        f"(failed most often: rule {number}, {rule}); try a wider --range or another --shape"
    )


@dataclass(frozen=True)
class _Grids:
    """The numbers each entry is drawn from; the kind of numbers keeps every value hand-computable:
    int: integers; half: x and b in halves, weights integers; decimal: x, b and the first layer's
    weights in tenths, later weights integers (so at most two decimal places anywhere)."""

    options: Options
    x: tuple = field(init=False)
    b: tuple = field(init=False)
    w_first: tuple = field(init=False)
    w: tuple = field(init=False)

    def __post_init__(self):
        low, high = self.options.low, self.options.high
        integers = tuple(range(low, high + 1))
        step = {"int": 1, "half": 2, "decimal": 10}[self.options.values]
        fine = integers if step == 1 else tuple(Fraction(k, step) for k in range(low * step, high * step + 1))
        nonzero = lambda values: tuple(v for v in values if v != 0)  # noqa: E731
        object.__setattr__(self, "x", nonzero(fine))
        object.__setattr__(self, "b", fine)
        object.__setattr__(self, "w_first", nonzero(fine if self.options.values == "decimal" else integers))
        object.__setattr__(self, "w", nonzero(integers))


def _draw(rng: random.Random, options: Options, grids: _Grids, failures: Counter, *, flow: bool = True) -> Problem | None:
    """One candidate, layer by layer: a layer's W and b are redrawn (a few times) until its values
    are small and, for a hidden layer, no pre-activation is 0 and two units are active, so that
    its mask drops one and keeps one and the signal reaches the output (``flow``; without it one
    active unit will do, except in the last hidden layer, where y = b would follow); for the
    output layer, until some output is negative and y != b. Rules 1-5 are checked afterwards."""
    sizes = options.shape
    depth = len(sizes) - 1
    x = tuple(rng.choice(grids.x) for _ in range(sizes[0]))
    masks = [tuple(1 for _ in x)]  # mu^(0): the input is kept, as in the tutorial
    layers = []
    a = x
    for l in range(1, depth + 1):
        hidden = l < depth
        masked = tuple(m * v for m, v in zip(masks[-1], a))
        weights = grids.w_first if l == 1 else grids.w
        for _ in range(LAYER_TRIES):
            W = tuple(tuple(rng.choice(weights) for _ in range(sizes[l - 1])) for _ in range(sizes[l]))
            b = tuple(rng.choice(grids.b) for _ in range(sizes[l]))
            terms, z = affine(W, b, masked)
            if not _small(terms, z):
                failures["hand_computable"] += 1
            elif hidden and 0 in z:
                failures["no_relu_zero"] += 1
            elif hidden and sum(v > 0 for v in z) < (2 if flow or l == depth - 1 else 1):
                failures["masks_drop_active_units"] += 1
            elif not hidden and (all(v >= 0 for v in z) or z == b):  # ReLU on y, or y = b, is visible
                failures["differs_from_mistakes"] += 1
            else:
                break
        else:
            return None
        layers.append((W, b, "relu" if hidden else "identity"))
        a = activate(layers[-1][2], z)
        if hidden:
            masks.append(_draw_mask(rng, a))
    return Problem(x, tuple(layers), tuple(masks))


def _draw_mask(rng: random.Random, a) -> tuple[int, ...]:
    """Drop one or more active units and keep at least one unit, an active one where there are
    two (so the signal goes on)."""
    active = [j for j, v in enumerate(a) if v > 0]
    count = rng.randint(1, len(active) - 1 if len(active) > 1 else 1)
    dropped = set(rng.sample(active, count))
    return tuple(0 if j in dropped else 1 for j in range(len(a)))


def _small(terms, z) -> bool:
    for row in terms:
        partial = 0
        for t in row:
            partial += t
            if abs(t) > MAX_MAGNITUDE or abs(partial) > MAX_MAGNITUDE:
                return False
    return all(abs(v) <= MAX_MAGNITUDE for v in z)


def _allowed(value: Number, kind: str) -> bool:
    if abs(value) > MAX_MAGNITUDE:
        return False
    denominator = value.denominator  # int and Fraction alike
    if kind == "int":
        return denominator == 1
    if kind == "half":
        return denominator <= 2
    return 100 % denominator == 0  # at most two decimal places: the denominator divides 100
