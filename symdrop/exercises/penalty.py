"""The kind "penalty": a linear model's expected loss under input dropout, over a batch of
examples, as the loss of the mean model plus an L2 penalty.

y_i = b + sum_j w_j mu_ij x_ij (each kept x_ij divided by q when inverted), one independent mask
per input and example, L = (1/B) sum_i 1/2 (y_i - t_i)^2. Given x_i the terms are independent,
so E[(y_i - t_i)^2] = (E[y_i] - t_i)^2 + Var(y_i) and

    E[L] = L(mean model) + (1/(2B)) sum_j w_j^2 v sum_i x_ij^2,

v = q (1 - q) (plain) or (1 - q)/q (inverted); the mean model's weights are q w (plain) or w
(inverted). The answer is the pair (E[L], penalty).
"""

import random
from collections import Counter
from fractions import Fraction
from functools import lru_cache

import sympy

from ..core.passnumbers import network_numbers
from ..core.penalty import penalty as penalty_of
from ..core.statistics import Statistics, derive_statistics, sym
from ..model.batch import Batch
from ..model.conventions import INVERTED, PLAIN, Dropout
from ..model.network import build
from . import rules
from .drawing import grids_of, terminating
from .kind import Kind, Part, spec_text
from .mistakes import Mistake, applicable
from .options import Options, check_values

DRAWN = (PLAIN, INVERTED)  # the conventions its problems are drawn with
EXAMPLES = (3, 4)  # B: a batch a student sums by hand
INPUTS = 2
TRIES = 20  # draws of a target until the targets lie on both sides of the bias (penalty:minimiser)
HALF = Fraction(1, 2)  # the squared loss's factor


def answer(batch: Batch) -> tuple:
    """(E[L], penalty) of the batch, from the core (E[L] over every mask of every example)."""
    found = penalty_of(batch)
    return found.expected_loss, found.penalty


@lru_cache(maxsize=1024)
def _data(batch: Batch) -> tuple:
    """(xs, ts, w, b, q, divides) as the core's pass computes with them (int and Fraction): the
    examples' inputs and targets, the weights, the bias, the one keep probability and whether
    the convention divides by it."""
    numbers = [network_numbers(network) for network in batch.examples]
    (W, b) = numbers[0].layers[0]
    xs = tuple(tuple(values.x) for values in numbers)
    ts = tuple(values.target[0] for values in numbers)
    return xs, ts, tuple(W[0]), b[0], Fraction(numbers[0].keep[0]), batch.dropout.convention.divides


def factor_of(q: Fraction, divides: bool) -> Fraction:
    """v = Var(mu s): (1 - q)/q inverted, q (1 - q) plain."""
    return (1 - q) / q if divides else q * (1 - q)


def residuals(batch: Batch, *, keep=None, mean_keep: bool = True) -> tuple:
    """E[y_i] - t_i of every example (the mean model's weights q w plain, w inverted)."""
    _, _, _, _, q, divides = _data(batch)
    return _residuals(batch, 1 if divides or not mean_keep else (q if keep is None else keep))


@lru_cache(maxsize=4096)
def _residuals(batch: Batch, m) -> tuple:
    """E[y_i] - t_i with the mean model's weights m w (sum_j w_j x_ij once per example)."""
    xs, ts, w, b, _, _ = _data(batch)
    return tuple(b + m * sum(wj * xj for wj, xj in zip(w, x)) - t for x, t in zip(xs, ts))


@lru_cache(maxsize=4096)
def _sums(batch: Batch, m) -> tuple:
    """(sum_i r_i^2 with the mean model's weights m w, sum_j w_j^2 sum_i x_ij^2): the two sums
    every answer and every mistake's answer scale."""
    xs, _, w, _, _, _ = _data(batch)
    return (sum(r * r for r in _residuals(batch, m)),
            sum(wj * wj * sum(x[j] * x[j] for x in xs) for j, wj in enumerate(w)))


def formula(batch: Batch, *, keep=None, factor=None, half: bool = True, mean: bool = True, sign: int = 1,
            mean_keep: bool = True) -> tuple:
    """(E[L], penalty) by the closed form, with the changes a mistake makes: another keep
    probability (``keep``), another variance factor v(q) (``factor``), no 1/2 (``half``), a sum
    over the examples for their mean (``mean``), the penalty subtracted (``sign``), the mean
    model's weights w for q w (``mean_keep``)."""
    xs, _, _, _, q, divides = _data(batch)
    q = q if keep is None else keep
    c = (HALF if half else Fraction(1)) / (len(xs) if mean else 1)
    v = (factor or (lambda q: factor_of(q, divides)))(q)
    squares, weighted = _sums(batch, 1 if divides or not mean_keep else q)
    of_mean, term = c * squares, c * v * weighted
    return of_mean + sign * term, term


def mistakes(batch: Batch) -> tuple[Mistake, ...]:
    """The mistakes of docs/dropout.md one can make on the expected loss and its penalty."""
    return _mistakes(batch)


@lru_cache(maxsize=1024)
def _mistakes(batch: Batch) -> tuple[Mistake, ...]:
    *_, q, divides = _data(batch)
    found = [
        Mistake("forgot_half", "forgot the $1/2$ of the squared loss", formula(batch, half=False)),
        Mistake("summed_examples", "summed the examples' losses: no mean over the batch ($1/B$)", formula(batch, mean=False)),
        Mistake("penalty_sign", r"subtracted the penalty: $E[L] = L(\text{mean model}) - \text{penalty}$", formula(batch, sign=-1)),
        Mistake("swapped_variance_factor",
                r"used $q(1 - q)$, the variance of plain masks, for $\operatorname{Var}(\mu/q) = (1 - q)/q$" if divides
                else r"used $(1 - q)/q$, inverted dropout's variance, for $\operatorname{Var}(\mu) = q(1 - q)$",
                formula(batch, factor=lambda q: factor_of(q, not divides))),
        Mistake("drop_for_keep", "used the drop probability $p = 1 - q$ for the keep probability",
                formula(batch, keep=1 - q)),
    ]
    if not divides:
        found.append(Mistake("mean_without_q", "took $w$ for the mean model's weights, not $q w$ (plain masks)",
                             formula(batch, mean_keep=False)))
    return applicable(formula(batch), found)


MAX_DENOMINATOR = 100  # (1/8) (5/4)^2 = 25/128 is past it: a student writes such fractions rarely


def written(batch: Batch) -> list:
    """Every number a worked solution writes: each term q w_j x_ij (plain) and mean E[y_i], each
    residual and its square, each sum_i x_ij^2 and w_j^2 v sum_i x_ij^2, L(mean model), the
    penalty and E[L]."""
    xs, ts, w, b, q, divides = _data(batch)
    v = factor_of(q, divides)
    values = [] if divides else [q * wj * xj for x in xs for wj, xj in zip(w, x)]
    for r, t in zip(residuals(batch), ts):
        values += [r + t, r, r * r]
    squares = [sum(x[j] ** 2 for x in xs) for j in range(len(w))]
    values += squares + [wj * wj * v * s for wj, s in zip(w, squares)]
    expected, term = formula(batch)
    return values + [expected - term, term, expected]


def hand_computable(batch: Batch, options: Options) -> bool:
    """Every number written (see :func:`written`) within +-99 with denominators at most 100
    (decimal sheets: terminating decimals of at most 4 places)."""
    if options.values == "decimal":
        return all(abs(v) <= 99 and terminating(v) for v in written(batch))
    return all(abs(v) <= 99 and Fraction(v).denominator <= MAX_DENOMINATOR for v in written(batch))


def signs_balanced(batch: Batch, options: Options) -> bool:
    """The sign-balance rule: the mean model is above its target on some example and below on
    another, and the weights have both signs, so neither a residual's square nor a weight's can
    be skipped unseen."""
    _, _, w, *_ = _data(batch)
    found = residuals(batch)
    return any(r > 0 for r in found) and any(r < 0 for r in found) and any(v > 0 for v in w) and any(v < 0 for v in w)


RULES = {  # in the order they are checked: cheapest first
    "signs_balanced": signs_balanced,
    "hand_computable": hand_computable,
    "mistakes_distinct": rules.mistakes_distinct(formula, mistakes),
    "decimal_answers": rules.decimal_answers(formula, mistakes),
}


def draw(rng: random.Random, options: Options, failures: Counter, flow: bool = True) -> Batch | None:
    """One candidate: the convention, B = 3 or 4 examples of 2 inputs (no zeros) with a target
    each, w (no zeros), b and one keep probability q for every input."""
    grids = grids_of(options)
    B = rng.choice(EXAMPLES)
    convention = rng.choice(DRAWN)
    q = sympy.Rational(str(rng.choice(list(options.keep))))
    w = tuple(rng.choice(grids.w_first) for _ in range(INPUTS))
    b = rng.choice(grids.b)
    dropout = Dropout(convention, (q,))
    examples = []
    for _ in range(B):
        x = tuple(rng.choice(grids.x) for _ in range(INPUTS))
        examples.append(build(x, [((w,), (b,), "identity")], [(1,) * INPUTS], dropout=dropout,
                              target=(rng.choice(grids.b),)))
    return Batch(tuple(examples))


def code_text(batch: Batch, options: Options) -> str:
    """The text a variant code hashes: the kind and the problem's spec."""
    return spec_text("penalty", batch)


def check_options(options: Options) -> None:
    """Refuse, in one line, options under which no problem can meet the rules."""
    check_values(options)


def _answer(statistics: Statistics) -> tuple:
    found = statistics.moments.penalty
    return sym(found.expected_loss), sym(found.penalty)


def parts(statistics: Statistics) -> tuple[Part, ...]:
    """The mean model's loss on the way, then the answer: E[L] and the penalty."""
    found = statistics.moments.penalty
    return (Part("mean_model_loss", sym(found.loss_of_mean_model)), Part("expected_loss", sym(found.expected_loss), answer=0),
            Part("penalty", sym(found.penalty), answer=1))


KIND = Kind(
    name="penalty",
    title="a linear model's expected loss under dropout as a penalty",
    shaped=False,
    draw=draw,
    rules=RULES,
    mistakes=mistakes,
    derive=derive_statistics,
    read_answer=_answer,
    compute_answer=answer,
    code_text=code_text,
    check_options=check_options,
    templates={"problem": "problem-penalty", "answer": "answer-penalty", "solution": "solution-penalty"},
    restates_question=True,
    intro="intro-penalty",
    uses_keep=True,
    parts=parts,
    key_values=lambda statistics: {"mean_model_loss": (sym(statistics.moments.penalty.loss_of_mean_model),)},
    gives_masks=False,
    graded_by_entry=True,
    batches=True,
)
