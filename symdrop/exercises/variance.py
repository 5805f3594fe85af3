"""The kind "variance": the mean and variance of one unit's pre-activation under dropout of its
inputs, S = b + sum_j w_j mu_j x_j (each kept x_j divided by q_j when inverted), x fixed.

The terms have masks of their own, so they are independent: E[S] = b + sum_j q_j s_j w_j x_j and
Var(S) = sum_j w_j^2 x_j^2 v_j, v_j = Var(mu_j s_j) = q_j (1 - q_j) (plain) or (1 - q_j)/q_j
(inverted). The answer is the pair (E[S], Var(S)); with the option "alone" (kind variance:alone)
the variance alone, E[S] kept in the key beside it.
"""

import random
from collections import Counter
from dataclasses import replace
from fractions import Fraction
from functools import lru_cache

import sympy

from ..core.passnumbers import network_numbers
from ..core.moments import moments
from ..core.statistics import Statistics, derive_statistics
from ..model.conventions import INVERTED, PLAIN, Dropout
from ..model.network import Network
from . import rules
from .drawing import build, grids_of, terminating
from .kind import Kind, Part, spec_text
from .mistakes import Mistake, applicable
from .options import Options, check_values

DRAWN = (PLAIN, INVERTED)  # the conventions its problems are drawn with
INPUTS = (2, 3)  # inputs of the unit: a sum a student writes out term by term


def answer(network: Network) -> tuple:
    """(E[S], Var(S)) over every mask of the inputs, from the core's statistics."""
    found = moments(network).prediction
    return found.mean[0], found.variance[0]


def _terms(network: Network, keep=None):
    """(w_j, x_j, q_j) of every input, in Fractions; ``keep`` replaces the q's."""
    numbers = network_numbers(network)
    (W, b) = numbers.layers[0]
    q = numbers.keep[0] if keep is None else keep
    qs = q if isinstance(q, tuple) else (q,) * len(numbers.x)
    return b[0], [(Fraction(w), Fraction(x), Fraction(qj)) for w, x, qj in zip(W[0], numbers.x, qs)]


def formula(network: Network, *, keep=None, factor=None, square: bool = True, shared: bool = False,
            mask_bias: bool = False, mean_keep: bool = True) -> tuple:
    """(E[S], Var(S)) by the closed form, with the changes a mistake makes: other keep
    probabilities (``keep``), another variance factor v(q) (``factor``), w x not squared
    (``square``), one mask shared by every input (``shared``), the bias masked too
    (``mask_bias``), the mean without q (``mean_keep``)."""
    divides = network.dropout.convention.divides
    b, terms = _terms(network, keep)
    scale = (lambda q: 1 / q) if divides else (lambda q: Fraction(1))  # noqa: E731
    v = factor or ((lambda q: (1 - q) / q) if divides else (lambda q: q * (1 - q)))  # noqa: E731
    mean = b + sum(((q * scale(q) if mean_keep else 1) * w * x for w, x, q in terms), Fraction(0))
    if shared:
        q = terms[0][2]
        variance = v(q) * sum((w * x for w, x, _ in terms), Fraction(0)) ** 2
    else:
        variance = sum(((w * x) ** 2 if square else w * x) * v(q) for w, x, q in terms)
    if mask_bias:
        q = terms[0][2]
        mean += (q * scale(q) - 1) * b
        variance += b * b * v(q)
    return mean, variance


def mistakes(network: Network) -> tuple[Mistake, ...]:
    """The mistakes of docs/dropout.md one can make on a unit's mean and variance."""
    return _mistakes(network)


@lru_cache(maxsize=1024)
def _mistakes(network: Network) -> tuple[Mistake, ...]:
    divides = network.dropout.convention.divides
    _, terms = _terms(network)
    one_q = len({q for _, _, q in terms}) == 1
    found = [
        Mistake("swapped_variance_factor",
                r"used $q(1 - q)$, the variance of plain masks, for $\operatorname{Var}(\mu/q) = (1 - q)/q$" if divides
                else r"used $(1 - q)/q$, inverted dropout's variance, for $\operatorname{Var}(\mu) = q(1 - q)$",
                formula(network, factor=(lambda q: q * (1 - q)) if divides else (lambda q: (1 - q) / q))),
        Mistake("forgot_square", r"forgot to square $w x$: $\sum w x \operatorname{Var}(\mu)$", formula(network, square=False)),
        Mistake("drop_for_keep", "used the drop probability $p = 1 - q$ for the keep probability",
                formula(network, keep=tuple(1 - q for _, _, q in terms))),
    ]
    if one_q:  # with one q for all inputs, the bias masked "like the inputs" and one shared mask mean one thing each
        found += [Mistake("masked_bias", "masked the bias too", formula(network, mask_bias=True)),
                  Mistake("shared_mask", r"took one mask shared by every input: $(\sum w x)^2 \operatorname{Var}(\mu)$",
                          formula(network, shared=True))]
    if not divides:
        found.append(Mistake("mean_without_q", r"left $q$ out of the mean: $E[S] = b + \sum w x$",
                             formula(network, mean_keep=False)))
    return applicable(answer(network), found)


MAX_DENOMINATOR = 100  # q(1 - q) with q = 4/5 is 4/25: a student writes such fractions


def hand_computable(network: Network, options: Options) -> bool:
    """Every term's mean and variance, and the answer, within +-99 with denominators at most
    100 (decimal sheets: terminating decimals of at most 4 places)."""
    b, terms = _terms(network)
    divides = network.dropout.convention.divides
    values = [b] + [v for w, x, q in terms for v in (w * x * (1 if divides else q),
                                                         (w * x) ** 2 * ((1 - q) / q if divides else q * (1 - q)))]
    values += list(answer(network))
    if options.values == "decimal":
        return all(abs(v) <= 99 and terminating(v) for v in values)
    return all(abs(v) <= 99 and Fraction(v).denominator <= MAX_DENOMINATOR for v in values)


def signs_balanced(network: Network, options: Options) -> bool:
    """The sign-balance rule: some term w_j x_j is positive and some negative, so neither the
    mean nor forgetting a square can be guessed from the signs alone."""
    _, terms = _terms(network)
    products = [w * x for w, x, _ in terms]
    return any(p > 0 for p in products) and any(p < 0 for p in products)


RULES = {  # in the order they are checked: cheapest first
    "signs_balanced": signs_balanced,
    "hand_computable": hand_computable,
    "mistakes_distinct": rules.mistakes_distinct(answer, mistakes),
    "decimal_answers": rules.decimal_answers(answer, mistakes),
}


def draw(rng: random.Random, options: Options, failures: Counter, flow: bool = True) -> Network | None:
    """One candidate: the convention, 2 or 3 inputs, x, w (no zeros) and b, and the keep
    probability: one for every input, or (half the time) one per input."""
    grids = grids_of(options)
    n = rng.choice(INPUTS)
    convention = rng.choice(DRAWN)
    usable = list(options.keep)
    x = tuple(rng.choice(grids.x) for _ in range(n))
    w = tuple(rng.choice(grids.w_first) for _ in range(n))
    b = rng.choice(grids.b)
    if rng.random() < 0.5:
        q = sympy.ImmutableMatrix([sympy.Rational(str(rng.choice(usable))) for _ in range(n)])
    else:
        q = sympy.Rational(str(rng.choice(usable)))
    network = build(x, [(tuple([w]), (b,), "identity")], [(1,) * n], dropout=Dropout(convention, (q,)))
    return network


def derive(network: Network) -> Statistics:
    """The worked statistics, the output named S as the problems name the unit's sum (its picture's label)."""
    return replace(derive_statistics(network), output_name="S")


def code_text(network: Network, options: Options) -> str:
    """The text a variant code hashes: the kind and the problem's spec."""
    return spec_text("variance", network)


def check_options(options: Options) -> None:
    """Refuse, in one line, options under which no problem can meet the rules."""
    check_values(options)


def _answer(statistics: Statistics) -> tuple:
    mean, variance = statistics.prediction
    return mean[0], variance[0]


def parts(statistics: Statistics) -> tuple[Part, ...]:
    """The unit's mean and its variance, both the answer."""
    mean, variance = statistics.prediction
    return (Part("unit_mean", mean[0], answer=0), Part("unit_variance", variance[0], answer=1))


KIND = Kind(
    name="variance",
    title="the mean and variance of a unit under dropout",
    shaped=False,
    draw=draw,
    rules=RULES,
    mistakes=mistakes,
    derive=derive,
    read_answer=_answer,
    compute_answer=answer,
    code_text=code_text,
    check_options=check_options,
    templates={"problem": "problem-variance", "answer": "answer-variance", "solution": "solution-variance"},
    restates_question=True,
    intro="intro-variance",
    uses_keep=True,
    parts=parts,
    gives_masks=False,
    graded_by_entry=True,
)


def alone(network: Network) -> tuple:
    """Var(S) alone: the answer of the option "alone"."""
    return answer(network)[1:]


def alone_mistakes(network: Network) -> tuple[Mistake, ...]:
    """The mistakes whose variance differs from the right one, with their variance alone (a
    mistake of the mean alone, or the keep/drop confusion of plain masks, whose q(1 - q) is
    (1 - q) q, is no mistake here)."""
    return _alone_mistakes(network)


@lru_cache(maxsize=1024)
def _alone_mistakes(network: Network) -> tuple[Mistake, ...]:
    return applicable(alone(network), [replace(m, answer=m.answer[1:]) for m in mistakes(network)])


def _variance_alone(statistics: Statistics) -> tuple:
    return _answer(statistics)[1:]


ALONE = replace(
    KIND,
    name="variance:alone",
    title="the variance of a unit under dropout",
    rules={**RULES, "mistakes_distinct": rules.mistakes_distinct(alone, alone_mistakes),
           "decimal_answers": rules.decimal_answers(alone, alone_mistakes)},
    mistakes=alone_mistakes,
    read_answer=_variance_alone,
    compute_answer=alone,
    code_text=lambda network, options: spec_text("variance:alone", network),
    intro="intro-variance-alone",
    parts=lambda statistics: (replace(parts(statistics)[0], answer=None), replace(parts(statistics)[1], answer=0)),
    key_values=lambda statistics: {"mean": _answer(statistics)[:1]},
    graded_by_entry=False,
)
