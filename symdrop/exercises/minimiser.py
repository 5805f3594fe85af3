"""The penalty kind's option "minimiser" (kind penalty:minimiser): the weights that minimise the
expected loss E[L] of the penalty kind's linear model over its batch, the bias held.

E[L] = L(mean model) + penalty is a quadratic in w whose gradient vanishes where A w = r, with
A = m^2 G + v D (G = X^T X, D its diagonal, m = q and v = q (1 - q) for plain masks, m = 1 and
v = (1 - q)/q inverted) and r = m X^T (t - b). Scaled, both are K w = c with K = q G + (1 - q) D,
whose diagonal is D itself, and c = X^T (t - b) (plain) or q X^T (t - b) (inverted): a 2 x 2
system a student solves by Cramer's rule. The answer is w, two exact fractions.
"""

import random
from collections import Counter
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache

import sympy

from ..errors import SymdropError
from ..core.penalty import NormalEquations, normal_equations, solve
from ..model.batch import Batch
from ..model.conventions import Dropout
from ..model.network import Network, build
from ..numbers import to_sympy
from . import penalty, rules
from .drawing import grids_of, terminating
from .kind import Kind, Part, spec_text
from .mistakes import Mistake, applicable
from .options import Options, check_values

MAX_DENOMINATOR = 100  # of every number written
MAX_ANSWER_DENOMINATOR = 30  # of w: a system drawn for small fractions
X_MAX = 2  # |x_ij| at most this (zeros allowed): sums of squares a student adds at a glance


@dataclass(frozen=True)
class Minimising:
    """What the worked solution shows: the batch and its scaled normal equations, solved."""

    batch: Batch
    equations: NormalEquations
    masks_given = False  # over every mask: a picture marks none (a class attribute, not a field)

    @property
    def network(self) -> Network:
        return self.batch.examples[0]


@lru_cache(maxsize=1024)
def equations(batch: Batch) -> NormalEquations:
    return normal_equations(batch)


def derive(batch: Batch) -> Minimising:
    return Minimising(batch, equations(batch))


def answer(batch: Batch) -> tuple:
    """w minimising E[L] (the bias held), from the core's normal equations."""
    return equations(batch).w


def formula(batch: Batch, *, keep=None, factor=None, mean_keep: bool = True, shared: bool = False, sign: int = 1,
            bias: bool = True) -> tuple | None:
    """w solving A w = r as a student sets them up, with the changes a mistake makes: another
    keep probability (``keep``), another variance factor (``factor``), the mean model's weights w
    for q w (``mean_keep``), one mask shared by an example's inputs (``shared``: the penalty's D
    becomes all of G), the penalty with another sign (``sign``: 0 leaves it out), the bias left
    out of the residuals (``bias``). None where A is singular."""
    found = equations(batch)
    xs, ts, _, b, q, divides = penalty._data(batch)
    q = q if keep is None else keep
    m = 1 if divides or not mean_keep else q
    v = (factor or (lambda q: penalty.factor_of(q, divides)))(q)
    G = found.gram
    A = tuple(tuple(m * m * G[j][l] + sign * v * (G[j][l] if shared or j == l else 0) for l in range(len(G)))
              for j in range(len(G)))
    targets = [t - b if bias else t for t in ts]
    r = tuple(m * sum((t * x[j] for t, x in zip(targets, xs)), Fraction(0)) for j in range(len(G)))
    return solve(A, r)[1]


def mistakes(batch: Batch) -> tuple[Mistake, ...]:
    """The mistakes of docs/dropout.md one can make on the minimiser (those that change it)."""
    return _mistakes(batch)


@lru_cache(maxsize=1024)
def _mistakes(batch: Batch) -> tuple[Mistake, ...]:
    *_, b, q, divides = penalty._data(batch)
    found = [
        ("no_penalty", "minimised the mean model's loss alone: the penalty left out", formula(batch, sign=0)),
        ("penalty_sign", "subtracted the penalty: " + ("$(G - v D) w = X^T (t - b)$" if divides  # as the solution
                                                        else "$(q^2 G - v D) w = q X^T (t - b)$"),  # writes its system
         formula(batch, sign=-1)),
        ("shared_mask", "took one mask shared by an example's inputs: the penalty's $v D$ became $v X^T X$",
         formula(batch, shared=True)),
        ("swapped_variance_factor",
         r"used $q(1 - q)$, the variance of plain masks, for $\operatorname{Var}(\mu/q) = (1 - q)/q$" if divides
         else r"used $(1 - q)/q$, inverted dropout's variance, for $\operatorname{Var}(\mu) = q(1 - q)$",
         formula(batch, factor=lambda q: penalty.factor_of(q, not divides))),
        ("drop_for_keep", "used the drop probability $p = 1 - q$ for the keep probability", formula(batch, keep=1 - q)),
        ("forgot_bias", "left the bias out: $X^T t$ for $X^T (t - b)$", formula(batch, bias=False)),
    ]
    if not divides:
        found.append(("mean_without_q", "took $w$ for the mean model's weights, not $q w$ (plain masks)",
                      formula(batch, mean_keep=False)))
    return applicable(answer(batch), [Mistake(name, label, w) for name, label, w in found if w is not None])


def written(batch: Batch) -> list:
    """Every number the worked solution writes: G, X^T (t - b), K, c, det(K), Cramer's
    numerators and w."""
    e = equations(batch)
    values = [v for row in e.gram for v in row] + list(e.centred) + [v for row in e.K for v in row] + list(e.c) + [e.det]
    return values + [w * e.det for w in e.w] + list(e.w)


def hand_computable(batch: Batch, options: Options) -> bool:
    """Every number written (see :func:`written`) within +-99 with a denominator of at most 100,
    w's at most 30 (decimal sheets: terminating decimals of at most 4 places)."""
    if options.values == "decimal":
        return all(abs(v) <= 99 and terminating(v) for v in written(batch))
    return (all(abs(v) <= 99 and Fraction(v).denominator <= MAX_DENOMINATOR for v in written(batch))
            and all(w.denominator <= MAX_ANSWER_DENOMINATOR for w in answer(batch)))


def signs_balanced(batch: Batch, options: Options) -> bool:
    """The sign-balance rule: the targets lie above the bias on one example and below on
    another, so the signs of w cannot be guessed."""
    _, ts, _, b, _, _ = penalty._data(batch)
    return any(t > b for t in ts) and any(t < b for t in ts)


def coupled(batch: Batch, options: Options) -> bool:
    """The two inputs' cross sum is not 0: a true 2 x 2 system, not two equations of one unknown."""
    return equations(batch).gram[0][1] != 0


def weights_nonzero(batch: Batch, options: Options) -> bool:
    """No weight of the answer is 0 (nobody should guess a weight that vanishes)."""
    return all(w != 0 for w in answer(batch))


RULES = {  # in the order they are checked: cheapest first
    "signs_balanced": signs_balanced,
    "coupled": coupled,
    "weights_nonzero": weights_nonzero,
    "hand_computable": hand_computable,
    "mistakes_distinct": rules.mistakes_distinct(answer, mistakes),
    "decimal_answers": rules.decimal_answers(answer, mistakes),
}


def draw(rng: random.Random, options: Options, failures: Counter, flow: bool = True) -> Batch | None:
    """One candidate: the convention, q, B = 3 or 4 examples of 2 inputs within +-X_MAX (zeros
    allowed, but not in a whole example, which is drawn again, nor in a whole column), the bias b and a target for each example,
    on both sides of b (the last target drawn again until they are), and w (which the question
    does not need: the spec's model has weights)."""
    grids = grids_of(options)
    B = rng.choice(penalty.EXAMPLES)
    convention = rng.choice(penalty.DRAWN)
    q = sympy.Rational(str(rng.choice(list(options.keep))))
    xs_grid = [v for v in grids.b if abs(v) <= X_MAX]
    xs = []
    while len(xs) < B:  # an example of zeros only is drawn again: it adds nothing to any sum
        x = tuple(rng.choice(xs_grid) for _ in range(penalty.INPUTS))
        if any(x):
            xs.append(x)
    if any(all(x[j] == 0 for x in xs) for j in range(penalty.INPUTS)):
        failures["coupled"] += 1
        return None
    b = rng.choice(grids.b[1:-1])  # a target can lie on either side
    ts = [rng.choice(grids.b) for _ in range(B)]
    for _ in range(penalty.TRIES):
        if any(t > b for t in ts) and any(t < b for t in ts):
            break
        failures["signs_balanced"] += 1
        ts[-1] = rng.choice(grids.b)
    else:
        return None
    w = tuple(rng.choice(grids.w_first) for _ in range(penalty.INPUTS))
    dropout = Dropout(convention, (q,))
    return Batch(tuple(build(x, [((w,), (b,), "identity")], [(1,) * penalty.INPUTS], dropout=dropout, target=(t,))
                       for x, t in zip(xs, ts)))


def check_options(options: Options) -> None:
    """Refuse, in one line, options under which no problem can meet the rules: a range with no
    bias strictly inside it or no input to draw, a 2 x 2 system's solution seldom terminates, and
    inputs in tenths make its denominators large."""
    check_values(options)
    grids = grids_of(options)
    if len(grids.b) < 3 or not any(0 < abs(v) <= X_MAX for v in grids.b):
        raise SymdropError(f"--range {options.low}..{options.high}: the penalty:minimiser kind draws its bias strictly "
                           f"inside the range, targets on both sides of it and inputs from -{X_MAX} to {X_MAX}: give a "
                           f"range of at least 3 values that holds a nonzero number from -{X_MAX} to {X_MAX} "
                           f"(the default is -3..3)")
    if options.values == "decimal" or options.answers == "decimal":
        raise SymdropError("the penalty:minimiser kind solves a 2 x 2 system, whose solution is a fraction that seldom "
                           "terminates: give it --values int or half and exact answers (leave out --values decimal "
                           "and --answers decimal)")


def _answer(found: Minimising) -> tuple:
    return tuple(map(to_sympy, found.equations.w))


def parts(found: Minimising) -> tuple[Part, ...]:
    """det(K) on the way, then w_1 and w_2 (the answer)."""
    e = found.equations
    return (Part("det", to_sympy(e.det)),) + tuple(Part("minimiser", to_sympy(w), index=(j,), answer=j - 1)
                                                   for j, w in enumerate(e.w, 1))


KIND = Kind(
    name="penalty:minimiser",
    title="the weights that minimise a linear model's expected loss under dropout",
    shaped=False,
    draw=draw,
    rules=RULES,
    mistakes=mistakes,
    derive=derive,
    read_answer=_answer,
    compute_answer=answer,
    code_text=lambda batch, options: spec_text("penalty:minimiser", batch),
    check_options=check_options,
    templates={"problem": "problem-minimiser", "answer": "answer-minimiser", "solution": "solution-minimiser"},
    restates_question=True,
    intro="intro-minimiser",
    uses_keep=True,
    parts=parts,
    gives_masks=False,
    batches=True,
)
