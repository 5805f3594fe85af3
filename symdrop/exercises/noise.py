"""The kind "noise": one of four questions on dropout's other noise models at the input, x fixed
(core/noise.py): Gaussian dropout, alpha dropout's constants, spatial dropout, a layer's counts.

Which question a problem asks its title says, in words (``Problem 3 (variant K7Q2XM): Gaussian
dropout``): the title is the spec's one field that changes no computation, so every command
reads the problem as before, and key.json's spec alone tells ``check --key`` and ``grade`` what
was asked. A spec a teacher writes asks one by its title (``title: Gaussian dropout``).
"""

import random
from collections import Counter
from dataclasses import dataclass, replace
from fractions import Fraction
from functools import lru_cache
from typing import Callable

import sympy

from ..core.passnumbers import network_numbers
from ..core.noise import Noise, input_noise
from ..errors import SpecError
from ..model.conventions import INVERTED, PLAIN, Dropout
from ..model.network import Network
from ..numbers import to_sympy
from . import rules
from .drawing import HALF, build, grids_of, terminating
from .kind import Kind, Part, spec_text
from .mistakes import Mistake, applicable
from .options import MAX_MAGNITUDE, Options, check_values

ALPHAS = tuple(Fraction(-k, 4) for k in range(2, 13))  # alpha' from -1/2 to -3 in quarters (the SELU's is about -1.76)
CHANNEL = (3, 4)  # the values of a channel summed under spatial dropout
UNIT = (2, 3)  # the inputs of a Gaussian-dropout unit
LAYER = (3, 4, 5, 6)  # the units of a layer whose counts are asked


@dataclass(frozen=True)
class Question:
    """One of the kind's questions: ``name`` names its templates (``problem-noise-NAME``) and
    ``heading`` the words a problem's title ends with; ``parts`` the Part names of its answer,
    ``value`` the answer from the core's noise models; ``avoid_half``: q = 1/2 hides its main
    mistakes (q = 1 - q); ``max_denominator``: the largest denominator a student writes."""

    name: str
    heading: str
    parts: tuple[str, ...]
    value: Callable[[Noise], tuple]
    avoid_half: bool = False
    max_denominator: int = 100


GAUSSIAN = Question("gaussian", "Gaussian dropout", ("noise_variance", "z_variance"),
                    lambda n: (n.noise_variance, n.z_variance[0]), avoid_half=True)
ALPHA = Question("alpha", "Alpha dropout", ("a_squared", "b_over_a"), lambda n: (n.a_squared, -n.u_mean))  # b = -a E[u]
SPATIAL = Question("spatial", "Spatial dropout", ("elementwise_variance", "shared_variance"),
                   lambda n: (n.elementwise_variance, n.shared_variance))
# (1 - q)^n is a power: 1/243 is as easy to write as 1/3
COUNTS = Question("counts", "Counts of kept units", ("all_dropped", "expected_kept"),
                  lambda n: (n.all_dropped, n.expected_kept), avoid_half=True, max_denominator=1000)
QUESTIONS = (GAUSSIAN, ALPHA, SPATIAL, COUNTS)


def question(network: Network) -> Question:
    """The question a noise problem asks: the one whose heading its title is or ends with."""
    title = network.title.strip().lower()
    for q in QUESTIONS:
        if title == q.heading.lower() or title.endswith(": " + q.heading.lower()):
            return q
    raise SpecError("title", "a noise problem's title names its question: one of "
                    + ", ".join(repr(q.heading) for q in QUESTIONS))


def fraction(value) -> Fraction:
    value = to_sympy(value)
    return Fraction(int(value.p), int(value.q))


def answer(network: Network) -> tuple:
    """The answer of the problem's question, from the core's noise models (Fractions)."""
    return _answer(network)


@lru_cache(maxsize=1024)
def _answer(network: Network) -> tuple:
    return tuple(map(fraction, question(network).value(input_noise(network))))


def _data(network: Network):
    """(q, x, w, b, inverted) of the input layer's first unit, in Fractions (the core's numbers)."""
    numbers = network_numbers(network)
    (W, b) = numbers.layers[0]
    q = numbers.keep[0]
    return Fraction(q), list(map(Fraction, numbers.x)), list(map(Fraction, W[0])), Fraction(b[0]), network.dropout.convention.divides


def _flipped(network: Network) -> tuple:
    """The answer with the drop probability 1 - q for the keep probability q (the core's models)."""
    q = network.dropout.keep[0]
    return _answer(replace(network, dropout=replace(network.dropout, keep=(1 - q,))))


def _gaussian(network: Network) -> list[Mistake]:
    q, x, w, _, _ = _data(network)
    v = (1 - q) / q
    squares = sum((wj * xj) ** 2 for wj, xj in zip(w, x))
    plain = q * (1 - q)
    return [
        Mistake("other_rate", r"took $\text{rate}/(1 - \text{rate})$ with the keep probability as the rate (or $(1 - \text{rate})/\text{rate}$ "
                "with the drop probability): $q/(1 - q)$", _flipped(network)),
        Mistake("plain_mask_variance", "used $q(1 - q)$, the variance of a plain mask, for the noise's $(1 - q)/q$",
                (plain, squares * plain)),
        Mistake("forgot_square", r"forgot to square $w x$: $\sum w x (1 - q)/q$", (v, v * sum(wj * xj for wj, xj in zip(w, x)))),
        Mistake("shared_mask", r"took one noise shared by every input: $(\sum w x)^2 (1 - q)/q$",
                (v, v * sum(wj * xj for wj, xj in zip(w, x)) ** 2)),
    ]


def _alpha(network: Network) -> list[Mistake]:
    q, alpha = _data(network)[0], fraction(network.dropout.alpha)
    a2, ratio = _answer(network)
    return [
        Mistake("drop_for_keep", "used the drop probability $p = 1 - q$ for the keep probability", _flipped(network)),
        Mistake("second_moment", r"took $E[u^2] = q + {\alpha'}^2 (1 - q)$ for $\operatorname{Var}(u)$, $E[u]^2$ not subtracted",
                (1 / (q + alpha**2 * (1 - q)), ratio)),
        Mistake("not_inverted", r"gave $\operatorname{Var}(u)$ for $a^2 = 1/\operatorname{Var}(u)$", (1 / a2, ratio)),
        Mistake("sign_of_b", r"lost the sign of $b$: $b = a \alpha' (1 - q)$", (a2, -ratio)),
    ]


def _spatial(network: Network) -> list[Mistake]:
    q, x, _, _, divides = _data(network)
    elementwise, shared = _answer(network)
    other = ((1 - q) / q) / (q * (1 - q)) if not divides else (q * (1 - q)) / ((1 - q) / q)
    return [
        Mistake("shared_for_elementwise", r"took one shared mask for element-wise masks too: $(\sum x)^2$ in both",
                (shared, shared)),
        Mistake("elementwise_for_shared", r"took independent masks under spatial dropout too: $\sum x^2$ in both",
                (elementwise, elementwise)),
        Mistake("swapped", r"swapped the two: $(\sum x)^2$ for element-wise masks, $\sum x^2$ for one mask", (shared, elementwise)),
        Mistake("swapped_variance_factor",
                r"used $q(1 - q)$, the variance of plain masks, for $\operatorname{Var}(\mu/q) = (1 - q)/q$" if divides
                else r"used $(1 - q)/q$, inverted dropout's variance, for $\operatorname{Var}(\mu) = q(1 - q)$",
                (elementwise * other, shared * other)),
        Mistake("drop_for_keep", "used the drop probability $p = 1 - q$ for the keep probability", _flipped(network)),
    ]


def _counts(network: Network) -> list[Mistake]:
    q, n = _data(network)[0], len(network.x)
    return [
        Mistake("drop_for_keep", "used the drop probability $p = 1 - q$ for the keep probability: $q^n$ and $n(1 - q)$",
                _flipped(network)),
        Mistake("all_kept", "gave $q^n$, the probability that all are kept, for $(1 - q)^n$", (q**n, n * q)),
        Mistake("expected_dropped", "gave $n(1 - q)$, the expected number dropped, for $n q$", ((1 - q) ** n, n * (1 - q))),
        Mistake("shared_mask", "took one mask for the whole layer: all dropped with probability $1 - q$", (1 - q, n * q)),
    ]


MISTAKES = {GAUSSIAN: _gaussian, ALPHA: _alpha, SPATIAL: _spatial, COUNTS: _counts}


def mistakes(network: Network) -> tuple[Mistake, ...]:
    """The mistakes of docs/dropout.md one can make on the problem's question."""
    return _mistakes(network)


@lru_cache(maxsize=1024)
def _mistakes(network: Network) -> tuple[Mistake, ...]:
    return applicable(_answer(network), MISTAKES[question(network)](network))


def written(network: Network) -> list[Fraction]:
    """Every number a student writes on the way, the answer's among them."""
    q, x, w, b, divides = _data(network)
    asked = question(network)
    values = list(_answer(network))
    if asked is GAUSSIAN:
        values += [b] + [(wj * xj) ** 2 for wj, xj in zip(w, x)]
    elif asked is ALPHA:
        alpha = fraction(network.dropout.alpha)
        values += [alpha * (1 - q), q + alpha**2 * (1 - q), q + alpha**2 * q * (1 - q)]
    elif asked is SPATIAL:
        values += [sum(xj * xj for xj in x), sum(x) ** 2, (1 - q) / q if divides else q * (1 - q)]
    return values


def hand_computable(network: Network, options: Options) -> bool:
    """Every number written on the way and the answer within +-99, with denominators at most
    100 ((1 - q)^n of the counts: 1000; decimal sheets: terminating decimals of at most 4 places)."""
    bound = question(network).max_denominator
    if options.values == "decimal":
        return all(abs(v) <= MAX_MAGNITUDE and terminating(v) for v in written(network))
    return all(abs(v) <= MAX_MAGNITUDE and v.denominator <= bound for v in written(network))


def signs_balanced(network: Network, options: Options) -> bool:
    """The sign-balance rule where a sum is asked: Gaussian dropout's terms w_j x_j, spatial
    dropout's channel values x_j, both positive and negative, so that neither a forgotten square
    nor which mask gives the larger variance can be guessed from the signs alone."""
    asked = question(network)
    if asked not in (GAUSSIAN, SPATIAL):
        return True
    _, x, w, _, _ = _data(network)
    values = [wj * xj for wj, xj in zip(w, x)] if asked is GAUSSIAN else x
    return any(v > 0 for v in values) and any(v < 0 for v in values)


def masks_matter(network: Network, options: Options) -> bool:
    """Spatial dropout: the cross terms sum_{j < k} x_j x_k are not 0, so one mask for the channel
    and one per value give different variances (else which is which could not be told)."""
    if question(network) is not SPATIAL:
        return True
    _, x, _, _, _ = _data(network)
    return sum(x) ** 2 != sum(v * v for v in x)


def keep_not_half(network: Network, options: Options) -> bool:
    """Gaussian dropout and the counts avoid q = 1/2, where q = 1 - q: the keep/drop confusion
    (q/(1 - q), q^n, n(1 - q)) would give the right answer."""
    return not question(network).avoid_half or rules.keep_not_half(network, options)


RULES = {  # in the order they are checked: cheapest first
    "signs_balanced": signs_balanced,
    "keep_not_half": keep_not_half,
    "masks_matter": masks_matter,
    "hand_computable": hand_computable,
    "mistakes_distinct": rules.mistakes_distinct(answer, mistakes),
    "decimal_answers": rules.decimal_answers(answer, mistakes),
}


def draw(rng: random.Random, options: Options, failures: Counter, flow: bool = True) -> Network | None:
    """One candidate: the question (each as likely), then its numbers: x, w (no zeros) and b of
    a unit; alpha'; a channel's values; a layer's size; q from ``options.keep`` (not 1/2 where
    the question avoids it, unless it is the only one: then the rule keep_not_half rejects it)."""
    grids = grids_of(options)
    asked = rng.choice(QUESTIONS)
    usable = [q for q in options.keep if not (asked.avoid_half and q == HALF)] or options.keep
    q = sympy.Rational(str(rng.choice(usable)))
    alpha = None
    if asked is GAUSSIAN:
        n = rng.choice(UNIT)
        x, w, b = [rng.choice(grids.x) for _ in range(n)], [rng.choice(grids.w_first) for _ in range(n)], rng.choice(grids.b)
    elif asked is SPATIAL:
        x = [rng.choice(grids.x) for _ in range(rng.choice(CHANNEL))]
        w, b = [1] * len(x), 0  # the unit sums the channel
    elif asked is COUNTS:
        x = [1] * rng.choice(LAYER)
        w, b = x, 0  # the unit counts the kept units
    else:
        x, w, b, alpha = [1], [1], 0, sympy.Rational(str(rng.choice(ALPHAS)))
    convention = rng.choice((PLAIN, INVERTED)) if asked is SPATIAL else INVERTED if asked is GAUSSIAN else PLAIN
    return _network(tuple(x), tuple(w), b, asked.heading, convention, q, alpha)


@lru_cache(maxsize=4096)  # the few problems of a question with few variants (counts, alpha) recur
def _network(x, w, b, title, convention, q, alpha) -> Network:
    return build(x, [((w,), (b,), "identity")], [(1,) * len(x)], title=title, dropout=Dropout(convention, (q,), alpha=alpha))


def code_text(network: Network, options: Options) -> str:
    """The text a variant code hashes: the kind and the problem's spec (its title the question)."""
    return _code_text(network)


@lru_cache(maxsize=1024)  # asked when drawn, when kept and for the exercise
def _code_text(network: Network) -> str:
    return spec_text("noise", network)


def check_options(options: Options) -> None:
    """Refuse, in one line, options under which no problem can meet the rules."""
    check_values(options)


@dataclass(frozen=True)
class Posed:
    """A noise problem as its documents show it: the network, its question, the core's noise
    models (``noise``) and the values a worked solution writes (``values``, SymPy numbers)."""

    network: Network
    question: Question
    noise: Noise
    answer: tuple
    masks_given = False  # over every mask: a picture marks none (a class attribute, not a field)

    @property
    def pictured(self) -> bool:
        """Whether a picture of the network goes with the question: Gaussian dropout's unit only.
        Alpha dropout and the counts ask of no network, and a channel's sum T has no bias, where
        a picture draws a unit fed by a bias square ("The square is the bias")."""
        return self.question is GAUSSIAN

    @property
    def output_name(self) -> str:
        """The name the question gives the pictured unit's value: z (Gaussian dropout)."""
        return "z"

    @property
    def terms(self) -> tuple:
        """(w_j, x_j) of the unit's inputs."""
        return tuple(zip(self.network.layers[0].W.row(0), self.network.x))

    @property
    def mask_variance(self) -> sympy.Expr:
        """Var(mu s): q (1 - q), or (1 - q)/q when inverted (spatial dropout)."""
        q = to_sympy(self.noise.q)
        return (1 - q) / q if self.network.dropout.convention.divides else q * (1 - q)

    @property
    def alpha_values(self) -> tuple:
        """E[u] = alpha'(1 - q), E[u^2] = q + alpha'^2 (1 - q) and Var(u) (alpha dropout)."""
        q, alpha = to_sympy(self.noise.q), self.noise.alpha_prime
        return alpha * (1 - q), q + alpha**2 * (1 - q), q + alpha**2 * q * (1 - q)


def derive(network: Network) -> Posed:
    """The problem as its documents show it."""
    asked = question(network)
    noise = input_noise(network)
    return Posed(network, asked, noise, tuple(to_sympy(fraction(v)) for v in asked.value(noise)))


def parts(posed: Posed) -> tuple[Part, ...]:
    """The two numbers the question asks, both the answer."""
    return tuple(Part(name, value, answer=i) for i, (name, value) in enumerate(zip(posed.question.parts, posed.answer)))


KIND = Kind(
    name="noise",
    title="dropout's other noise models on the input",
    shaped=False,
    draw=draw,
    rules=RULES,
    mistakes=mistakes,
    derive=derive,
    read_answer=lambda posed: posed.answer,
    compute_answer=answer,
    code_text=code_text,
    check_options=check_options,
    templates={"problem": "problem-noise", "answer": "answer-noise", "solution": "solution-noise"},
    restates_question=True,
    intro="intro-noise",
    uses_keep=True,
    parts=parts,
    gives_masks=False,
    graded_by_entry=True,
)
