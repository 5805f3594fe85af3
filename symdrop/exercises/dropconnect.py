"""The kind "dropconnect": the means, variances and covariance of a layer of two units under
DropConnect, z_i = b_i + sum_j M_ij w_ij x_j (each kept weight divided by q when inverted), x fixed.

Every weight has a mask of its own, so the terms are independent, within a unit and across the
two: E[z_i] = b_i + sum_j q s w_ij x_j, Var(z_i) = sum_j w_ij^2 x_j^2 v with v = q(1 - q) (plain)
or (1 - q)/q (inverted), and Cov(z_1, z_2) = 0: the units share no mask. Masking the units (the
inputs) instead shares mu_j between the rows and gives Cov = sum_j w_1j w_2j x_j^2 v, with the same
means and variances. The answer is (E[z_1], E[z_2], Var(z_1), Var(z_2), Cov(z_1, z_2)).
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
from ..model.conventions import DROPCONNECT, INVERTED, PLAIN, Dropout
from ..model.network import Layer, Network
from ..numbers import to_sympy
from ..sympy_internals import rational_matrix
from . import rules
from .drawing import LAYER_TRIES, grids_of, terminating
from .kind import Kind, Part, spec_text
from .mistakes import Mistake, applicable
from .options import Options, check_values

DRAWN = (PLAIN, INVERTED)  # the conventions its problems are drawn with
INPUTS = (2, 3)  # inputs of the layer: sums a student writes out term by term
UNITS = 2  # the layer's units: two, so that their covariance is asked


@lru_cache(maxsize=1024)
def answer(network: Network) -> tuple:
    """(E[z_1], E[z_2], Var(z_1), Var(z_2), Cov(z_1, z_2)) over every weight mask, from the core."""
    found = moments(network)
    prediction = found.prediction
    return prediction.mean + prediction.variance + (found.covariance[0][1],)


def _numbers(network: Network, keep=None):
    """(b, W, x, q) in Fractions; ``keep`` replaces the one q."""
    numbers = network_numbers(network)
    (W, b) = numbers.layers[0]
    q = Fraction(numbers.keep[0] if keep is None else keep)
    return [Fraction(v) for v in b], [[Fraction(w) for w in row] for row in W], [Fraction(v) for v in numbers.x], q


def formula(network: Network, *, keep=None, factor=None, term=None, mask_bias: bool = False,
            mean_keep: bool = True, units: bool = False) -> tuple:
    """The answer by the closed form, with the changes a mistake makes: another q (``keep``),
    another variance factor v(q) (``factor``), another variance of a term (``term(w, x, v)``),
    each bias behind a mask of its own (``mask_bias``), the mean without q (``mean_keep``), one
    mask per input shared by the two units (``units``: their covariance)."""
    divides = network.dropout.convention.divides
    b, W, x, q = _numbers(network, keep)
    s = 1 / q if divides else Fraction(1)
    v = (factor or ((lambda q: (1 - q) / q) if divides else (lambda q: q * (1 - q))))(q)
    term = term or (lambda w, x, v: (w * x) ** 2 * v)
    kept = q * s if mean_keep else 1
    means = [bi + kept * sum((w * xj for w, xj in zip(row, x)), Fraction(0)) for bi, row in zip(b, W)]
    variances = [sum((term(w, xj, v) for w, xj in zip(row, x)), Fraction(0)) for row in W]
    if mask_bias:
        means = [m + (q * s - 1) * bi for m, bi in zip(means, b)]
        variances = [var + bi * bi * v for var, bi in zip(variances, b)]
    covariance = sum((w1 * w2 * xj * xj * v for w1, w2, xj in zip(W[0], W[1], x)), Fraction(0)) if units else Fraction(0)
    return tuple(means) + tuple(variances) + (covariance,)


def mistakes(network: Network) -> tuple[Mistake, ...]:
    """The mistakes of docs/dropout.md one can make on the layer's means, variances and covariance."""
    return _mistakes(network)


@lru_cache(maxsize=1024)
def _mistakes(network: Network) -> tuple[Mistake, ...]:
    divides = network.dropout.convention.divides
    q = _numbers(network)[3]
    second = (lambda q: 1 / q) if divides else (lambda q: q)  # E[(M_ij s)^2] = q s^2  # noqa: E731
    v = r"\operatorname{Var}(M_{ij}/q)" if divides else r"\operatorname{Var}(M_{ij})"  # a mask's variance factor, as the labels name it
    found = [
        Mistake("masked_units", "masked the inputs (units) instead of the weights: one mask per input, shared "
                r"by both units, so $\operatorname{Cov}(z_1, z_2) = \sum_j w_{1j} w_{2j} x_j^2 " + v + "$", formula(network, units=True)),
        Mistake("masked_bias", "masked the biases too, each with a mask of its own", formula(network, mask_bias=True)),
        Mistake("forgot_square", r"forgot to square $w x$: $\operatorname{Var}(z_i) = \sum_j w_{ij} x_j " + v + "$", formula(
            network, term=lambda w, x, v: w * x * v)),
        Mistake("forgot_x_squared", r"took the variance of the masked weight alone: $\operatorname{Var}(z_i) = \sum_j w_{ij}^2 " + v + "$ "
                "($x_j^2$ left out)", formula(network, term=lambda w, x, v: w * w * v)),
        Mistake("second_moment", r"took $E[(M_{ij}/q)^2] = 1/q$ for $\operatorname{Var}(M_{ij}/q)$: the mean's square, 1, not subtracted" if divides
                else r"took $E[M_{ij}^2] = q$ for $\operatorname{Var}(M_{ij})$: the mean's square, $q^2$, not subtracted", formula(network, factor=second)),
        Mistake("swapped_variance_factor",
                r"used $q(1 - q)$, the variance of plain masks, for $\operatorname{Var}(M_{ij}/q) = (1 - q)/q$" if divides
                else r"used $(1 - q)/q$, inverted DropConnect's variance, for $\operatorname{Var}(M_{ij}) = q(1 - q)$",
                formula(network, factor=(lambda q: q * (1 - q)) if divides else (lambda q: (1 - q) / q))),
        Mistake("drop_for_keep", "used the drop probability $p = 1 - q$ for the keep probability",
                formula(network, keep=1 - q)),
    ]
    if not divides:
        found.append(Mistake("mean_without_q", r"left $q$ out of the means: $E[z_i] = b_i + \sum_j w_{ij} x_j$",
                             formula(network, mean_keep=False)))
    return applicable(answer(network), found)


MAX_DENOMINATOR = 100  # q(1 - q) with q = 4/5 is 4/25: a student writes such fractions


def hand_computable(network: Network, options: Options) -> bool:
    """Every term's mean and variance, and the answer, within +-99 with denominators at most
    100 (decimal sheets: terminating decimals of at most 4 places)."""
    divides = network.dropout.convention.divides
    b, W, x, q = _numbers(network)
    v = (1 - q) / q if divides else q * (1 - q)
    values = list(b) + [t for row in W for w, xj in zip(row, x) for t in (w * xj * (1 if divides else q), (w * xj) ** 2 * v)]
    values += list(answer(network))
    if options.values == "decimal":
        return all(abs(t) <= 99 and terminating(t) for t in values)
    return all(abs(t) <= 99 and Fraction(t).denominator <= MAX_DENOMINATOR for t in values)


def signs_balanced(network: Network, options: Options) -> bool:
    """The sign-balance rule: in each unit some term w_ij x_j is positive and some negative, so
    neither a mean nor forgetting a square can be guessed from the signs alone."""
    _, W, x, _ = _numbers(network)
    return all(_mixed([w * xj for w, xj in zip(row, x)]) for row in W)


def _mixed(products) -> bool:
    return any(p > 0 for p in products) and any(p < 0 for p in products)


def units_overlap(network: Network, options: Options) -> bool:
    """Masking the units instead of the weights would correlate the two units: sum_j w_1j w_2j x_j^2
    is not 0, so the covariance of 0 is something a student has to know, not a coincidence."""
    _, W, x, _ = _numbers(network)
    return sum(w1 * w2 * xj * xj for w1, w2, xj in zip(W[0], W[1], x)) != 0


RULES = {  # in the order they are checked: cheapest first
    "signs_balanced": signs_balanced,
    "units_overlap": units_overlap,
    "hand_computable": hand_computable,
    "mistakes_distinct": rules.mistakes_distinct(answer, mistakes),
    "decimal_answers": rules.decimal_answers(answer, mistakes),
}


def draw(rng: random.Random, options: Options, failures: Counter, flow: bool = True) -> Network | None:
    """One candidate: the convention, 2 or 3 inputs, x, W (2 rows, no zeros; a row whose terms
    w_ij x_j all have one sign is drawn again) and b, and one keep probability for every weight."""
    grids = grids_of(options)
    n = rng.choice(INPUTS)
    convention = rng.choice(DRAWN)
    x = [rng.choice(grids.x) for _ in range(n)]
    W = []
    for _ in range(UNITS):  # a row is drawn again until its terms take both signs (the rule signs_balanced)
        for _ in range(LAYER_TRIES):
            row = [rng.choice(grids.w_first) for _ in range(n)]
            if _mixed([w * xj for w, xj in zip(row, x)]):
                break
            failures["signs_balanced"] += 1
        else:
            return None
        W.append(row)
    b = [rng.choice(grids.b) for _ in range(UNITS)]
    q = sympy.Rational(str(rng.choice(options.keep)))
    return network_of(x, W, b, q, convention)


def network_of(x, W, b, q, convention=PLAIN) -> Network:
    """One identity layer under DropConnect with keep ``q`` for every weight (its masks all ones:
    the problem is over every mask)."""
    n, units = len(x), len(W)
    layer = Layer(W=rational_matrix(units, n, [to_sympy(w) for row in W for w in row]),
                  b=rational_matrix(units, 1, [to_sympy(v) for v in b]), activation="identity")
    return Network(x=rational_matrix(n, 1, [to_sympy(v) for v in x]), layers=(layer,),
                   masks=(sympy.ImmutableMatrix.ones(units, n),),
                   dropout=Dropout(convention, (sympy.Rational(q),), scheme=DROPCONNECT))


def derive(network: Network) -> Statistics:
    """The worked statistics, the outputs named z_1, z_2 as the problems name the units (their picture's labels)."""
    return replace(derive_statistics(network), output_name="z")


def code_text(network: Network, options: Options) -> str:
    """The text a variant code hashes: the kind and the problem's spec."""
    return spec_text("dropconnect", network)


def check_options(options: Options) -> None:
    """Refuse, in one line, options under which no problem can meet the rules."""
    check_values(options)


def _answer(statistics: Statistics) -> tuple:
    mean, variance = statistics.prediction
    return tuple(mean) + tuple(variance) + (statistics.covariance[0, 1],)


def parts(statistics: Statistics) -> tuple[Part, ...]:
    """Each unit's mean and variance, and their covariance: the five numbers of the answer."""
    mean, variance = statistics.prediction
    return (tuple(Part("mean_z", v, 1, (i,), answer=i - 1) for i, v in enumerate(mean, 1))
            + tuple(Part("variance_z", v, 1, (i,), answer=UNITS + i - 1) for i, v in enumerate(variance, 1))
            + (Part("covariance_z", statistics.covariance[0, 1], 1, (1, 2), answer=2 * UNITS),))


KIND = Kind(
    name="dropconnect",
    title="the means, variances and covariance of a layer under DropConnect",
    shaped=False,
    draw=draw,
    rules=RULES,
    mistakes=mistakes,
    derive=derive,
    read_answer=_answer,
    compute_answer=answer,
    code_text=code_text,
    check_options=check_options,
    templates={"problem": "problem-dropconnect", "answer": "answer-dropconnect", "solution": "solution-dropconnect"},
    restates_question=True,
    intro="intro-dropconnect",
    uses_keep=True,
    parts=parts,
    gives_masks=False,
    graded_by_entry=True,
)
