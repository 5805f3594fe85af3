"""The kind "nwgm": one sigmoid unit y = sigma(S), S = b + sum_j w_j mu_j x_j (each kept x_j divided
by q when inverted), over every mask of its 2 or 3 inputs (4 or 8 masks). The answer is the pair
(E[sigma(S)], sigma(E[S])): the ensemble's arithmetic mean and its normalised weighted geometric
mean (NWGM), which is sigma(E[S]) exactly and differs from the arithmetic mean because sigma is not
linear. Both are irrational (1/(1 + e^{-3}) and sums of such), so they are graded within TOLERANCE,
which the key and every LMS export state.

A value of the answer (and of a mistake's) is named by a small descriptor, so that the rules
compare 40-digit decimals and only an accepted problem builds its exact SymPy values:
``("mean", law)`` E[sigma(S)] over a law of S, ``("sigma", s)`` sigma(s), ``("geometric", law)``
the unnormalised prod sigma(S)^P.
"""

import random
from collections import Counter
from fractions import Fraction
from functools import lru_cache

import sympy

from ..core import nwgm as core
from ..core.passnumbers import network_numbers
from ..model.conventions import INVERTED, PLAIN, Dropout
from ..model.network import Network, build
from ..numbers import to_fraction
from .drawing import grids_of, terminating
from .kind import Kind, Part, spec_text
from .mistakes import Mistake
from .options import Options, check_values

DRAWN = (PLAIN, INVERTED)
INPUTS = (2, 3)  # 4 or 8 masks: a table a student fills in by hand
TOLERANCE = Fraction(1, 1000)  # the answers are irrational: right within it (the key and the LMS say so)
APART = 3 * TOLERANCE  # two different values of an answer entry: farther apart than this
S_MAX = 4  # |S| at most this for every mask: sigma(S) between 0.018 and 0.982, its curve still bent
MAX_DENOMINATOR = 20  # of every S and E[S] (decimal sheets: terminating, at most 4 places)
MEANS_APART = Fraction(1, 100)  # |E[sigma(S)] - sigma(E[S])| at least this: the gap shows in two places
TERM_TRIES = 20  # draws of one input's (w_j, x_j) until |w_j x_j| <= S_MAX


@lru_cache(maxsize=4096)
def _law(network: Network, keep: tuple | None = None, divides: bool | None = None, uniform: bool = False) -> core.Law:
    return core.law(core.mask_rows(network, keep=keep, divides=divides, uniform=uniform))


def _mean(law: core.Law) -> tuple:
    """E[sigma(S)] over ``law`` (sigma(s) itself where S takes one value)."""
    return ("sigma", law[0][0]) if len(law) == 1 else ("mean", law)


def _nwgm(law: core.Law) -> tuple:
    return ("sigma", core.mean(law))


@lru_cache(maxsize=1024)
def described(network: Network) -> tuple[tuple, dict[str, tuple[str, tuple]]]:
    """The answer's descriptors, and every candidate mistake's (label, descriptors) by id."""
    law = _law(network)
    right = (_mean(law), _nwgm(law))
    divides = network.dropout.convention.divides
    q = core.keep_of(network)
    found = {
        "mean_for_nwgm": (r"took the NWGM to be the arithmetic mean: gave $E[\sigma(S)]$ for both",
                          (_mean(law), _mean(law))),
        "nwgm_for_mean": (r"took $E[\sigma(S)]$ to be $\sigma(E[S])$, the test-time pass's output (true of a linear unit, "
                          r"not through $\sigma$): gave $\sigma(E[S])$ for both", (_nwgm(law), _nwgm(law))),
        "swapped_means": (r"gave $\sigma(E[S])$ for the arithmetic mean and $E[\sigma(S)]$ for the NWGM",
                          (_nwgm(law), _mean(law))),
        "unnormalised_geometric": (r"gave the weighted geometric mean $G = \prod \sigma(S)^P$, not normalised by $G + G'$, "
                                   "for the NWGM", (_mean(law), ("geometric", law))),
    }
    dropped = _law(network, keep=tuple(1 - v if v != 1 else v for v in q))
    found["drop_for_keep"] = ("used the drop probability $p = 1 - q$ for the keep probability",
                              (_mean(dropped), _nwgm(dropped)))
    uniform = _law(network, uniform=True)
    found["unweighted_masks"] = ("averaged over the masks with equal weights, not their probabilities",
                                 (_mean(uniform), _nwgm(uniform)))
    if divides:
        plain = _law(network, divides=False)
        found["forgot_scale"] = ("forgot to divide the kept inputs by $q$ (plain masks)", (_mean(plain), _nwgm(plain)))
    else:  # inverted: the pass with every input kept is sigma(E[S]) itself, no mistake of its own
        every = ("sigma", _kept(network))
        found["forgot_masks"] = (r"forgot the masks: $\sigma(S)$ with every input kept", (every, every))
        found["mean_without_q"] = (r"left $q$ out of $E[S]$: $\sigma(b + \sum w x)$ for the NWGM", (_mean(law), every))
    return right, {name: value for name, value in found.items() if value[1] != right}


def _kept(network: Network) -> Fraction:
    """S with every input kept and nothing divided."""
    return core.mask_rows(network, divides=False, uniform=True)[0].s


def exact(value: tuple) -> sympy.Expr:
    """The exact SymPy value a descriptor names."""
    what, data = value
    if what == "sigma":
        return core.sigmoid(data)
    return core.arithmetic(data) if what == "mean" else core.geometric(data)


def number(value: tuple):
    """A descriptor's value to 40 digits."""
    what, data = value
    if what == "sigma":
        return core.sigmoid_number(data)
    return core.arithmetic_number(data) if what == "mean" else core.geometric_number(data)


def answer(network: Network) -> tuple:
    """(E[sigma(S)], sigma(E[S])), exact."""
    return tuple(exact(v) for v in described(network)[0])


def mistakes(network: Network) -> tuple[Mistake, ...]:
    """The mistakes of docs/dropout.md one can make on the unit's two means, with exact answers."""
    return _mistakes(network)


@lru_cache(maxsize=1024)
def _mistakes(network: Network) -> tuple[Mistake, ...]:
    return tuple(Mistake(name, label, tuple(exact(v) for v in values))
                 for name, (label, values) in described(network)[1].items())


def signs_balanced(network: Network, options: Options) -> bool:
    """The sign-balance rule: some term w_j x_j is positive and some negative."""
    products = [w * x for w, x in _terms(network)]
    return any(p > 0 for p in products) and any(p < 0 for p in products)


def _terms(network: Network) -> list[tuple[Fraction, Fraction]]:
    numbers = network_numbers(network)
    return [(to_fraction(w), to_fraction(x)) for w, x in zip(numbers.layers[0][0][0], numbers.x)]


def hand_computable(network: Network, options: Options) -> bool:
    """Every mask's S within +-S_MAX, and every S and E[S] a fraction with a denominator of at most
    MAX_DENOMINATOR (decimal sheets: a terminating decimal of at most 4 places)."""
    law = _law(network)
    values = [s for s, _ in law] + [core.mean(law)]
    if any(abs(s) > S_MAX for s, _ in law):
        return False
    if options.values == "decimal":
        return all(terminating(v) for v in values)
    return all(v.denominator <= MAX_DENOMINATOR for v in values)


def means_differ(network: Network, options: Options) -> bool:
    """E[sigma(S)] and sigma(E[S]) differ by at least MEANS_APART: the point of the exercise shows
    in the second decimal place."""
    mean_, nwgm = (number(v) for v in described(network)[0])
    return abs(mean_ - nwgm) >= MEANS_APART.numerator / core.DIGITS.mpf(MEANS_APART.denominator)


def mistakes_distinct(network: Network, options: Options) -> bool:
    """Every listed mistake's answer differs from every other's (each already differs from the
    key's, or it is not listed), so a wrong answer names exactly one mistake."""
    answers = [values for _, values in described(network)[1].values()]
    return len(set(answers)) == len(answers)


def mistakes_outside_tolerance(network: Network, options: Options) -> bool:
    """In each entry of the answer, any two different values (the key's and the mistakes') lie
    more than 3 tolerances apart: a mistake's answer, rounded, is never within the key's
    tolerance, nor within another mistake's, and the LMS intervals never touch."""
    right, found = described(network)
    limit = APART.numerator / core.DIGITS.mpf(APART.denominator)
    for i in range(len(right)):
        values = sorted({right[i], *(values[i] for _, values in found.values())}, key=number)
        numbers = [number(v) for v in values]
        if any(b - a <= limit for a, b in zip(numbers, numbers[1:])):
            return False
    return True


RULES = {  # in the order they are checked: cheapest first
    "signs_balanced": signs_balanced,
    "hand_computable": hand_computable,
    "means_differ": means_differ,
    "mistakes_distinct": mistakes_distinct,
    "mistakes_outside_tolerance": mistakes_outside_tolerance,
}


def draw(rng: random.Random, options: Options, failures: Counter, flow: bool = True) -> Network | None:
    """One candidate: the convention, one keep probability for every input, 2 or 3 inputs each
    with |w_j x_j (/q)| <= S_MAX (an input that breaks it is drawn again), terms of both signs
    (else the candidate is given up), and a bias b that keeps every mask's S within +-S_MAX."""
    grids = grids_of(options)
    n = rng.choice(INPUTS)
    convention = rng.choice(DRAWN)
    q = rng.choice(options.keep)
    scale = 1 / q if convention.divides else 1
    x, w, terms = [], [], []
    for _ in range(n):
        for _ in range(TERM_TRIES):
            xj, wj = rng.choice(grids.x), rng.choice(grids.w_first)
            if abs(xj * wj * scale) <= S_MAX:
                break
            failures["hand_computable"] += 1
        else:
            return None
        x.append(xj)
        w.append(wj)
        terms.append(xj * wj * scale)
    if all(t > 0 for t in terms) or all(t < 0 for t in terms):
        failures["signs_balanced"] += 1
        return None
    low, high = sum(t for t in terms if t < 0), sum(t for t in terms if t > 0)
    biases = [b for b in grids.b if -S_MAX <= low + b and high + b <= S_MAX]
    if not biases:
        failures["hand_computable"] += 1
        return None
    b = rng.choice(biases)
    keep = sympy.Rational(q.numerator, q.denominator)
    return build(tuple(x), [(tuple([tuple(w)]), (b,), "sigmoid")], [(1,) * n], dropout=Dropout(convention, (keep,)))


def code_text(network: Network, options: Options) -> str:
    return spec_text("nwgm", network)


def check_options(options: Options) -> None:
    """Refuse, in one line, options under which no problem can meet the rules."""
    check_values(options)


def _answer(means: core.SigmoidMeans) -> tuple:
    return means.arithmetic, means.nwgm


def parts(means: core.SigmoidMeans) -> tuple[Part, ...]:
    """sigma(S) of every mask (with the mask and its probability), E[S], then the two means."""
    found = [Part("thinned", row.sigma, index=(k,), detail=(sympy.ImmutableMatrix(row.mu), sympy.Rational(row.p)))
             for k, row in enumerate(means.rows, start=1)]
    return tuple(found) + (Part("mean_s", means.mean_s), Part("arithmetic_mean", means.arithmetic, answer=0),
                           Part("nwgm", means.nwgm, answer=1))


KIND = Kind(
    name="nwgm",
    title="a sigmoid unit's arithmetic mean over the masks against its NWGM",
    shaped=False,
    draw=draw,
    rules=RULES,
    mistakes=mistakes,
    derive=core.sigmoid_means,
    read_answer=_answer,
    compute_answer=answer,
    code_text=code_text,
    check_options=check_options,
    templates={"problem": "problem-nwgm", "answer": "answer-nwgm", "solution": "solution-nwgm"},
    restates_question=True,
    intro="intro-nwgm",
    uses_keep=True,
    parts=parts,
    gives_masks=False,
    graded_by_entry=True,
    tolerance=TOLERANCE,
)
