"""One sigmoid unit y = sigma(S), S = b + sum_j w_j mu_j x_j (s_j), over every mask of its inputs:
each mask's S and probability, the arithmetic mean E[sigma(S)], E[S] and sigma(E[S]), and the
weighted geometric means G = prod sigma(S)^P and G' = prod (1 - sigma(S))^P, whose normalised
ratio G / (G + G') is sigma(E[S]) exactly. Exact SymPy values, and the same to 40 digits (mpmath)
for rules that compare them with a tolerance.
"""

from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from itertools import product

import mpmath
import sympy

from ..errors import SymdropError
from ..model.network import Network
from ..numbers import to_fraction, to_sympy
from .passnumbers import network_numbers
from .statistics import Unit, first_units

# The rules' decimals: 40 digits in a context of their own (mpmath's global one is left alone).
DIGITS = mpmath.MPContext()
DIGITS.dps = 40

Law = tuple[tuple[Fraction, Fraction], ...]  # S's distinct values and their probabilities, S increasing


@dataclass(frozen=True)
class MaskRow:
    """One mask of the inputs: mu, its probability P(mu), S and sigma(S)."""

    mu: tuple[int, ...]
    p: Fraction
    s: Fraction

    @property
    def sigma(self) -> sympy.Expr:
        return sigmoid(self.s)


@dataclass(frozen=True)
class SigmoidMeans:
    """What a worked solution of the unit's means shows: every mask, E[S], the arithmetic mean,
    sigma(E[S]) (the NWGM), and G, G' (the weighted geometric means of sigma(S) and 1 - sigma(S))."""

    network: Network
    rows: tuple[MaskRow, ...]
    masks_given = False  # over every mask: a picture marks none (a class attribute, not a field)
    output_name = "y"  # the unit y = sigma(S), as its problems name it (a picture's label)

    @property
    def law(self) -> Law:
        return law(self.rows)

    @property
    def mean_s(self) -> sympy.Rational:
        return to_sympy(mean(self.law))

    @property
    def arithmetic(self) -> sympy.Expr:
        return arithmetic(self.law)

    @property
    def nwgm(self) -> sympy.Expr:
        return sigmoid(mean(self.law))

    @property
    def geometric(self) -> sympy.Expr:
        return geometric(self.law)

    @property
    def complement(self) -> sympy.Expr:
        return geometric(self.law, complement=True)

    @property
    def gap(self) -> sympy.Expr:
        """E[sigma(S)] - sigma(E[S])."""
        return self.arithmetic - self.nwgm

    @property
    def arithmetic_above(self) -> bool:
        """Whether the arithmetic mean is the larger of the two (decided on 40 digits)."""
        return arithmetic_number(self.law) > sigmoid_number(mean(self.law))

    @property
    def unit(self) -> Unit:
        """S as a sum of independent terms, for the worked E[S]."""
        return first_units(self.network)[0]

    @property
    def inverted(self) -> bool:
        return self.network.dropout.convention.divides

    @property
    def keep(self) -> tuple[Fraction, ...]:
        return keep_of(self.network)


def sigmoid_means(network: Network) -> SigmoidMeans:
    """The unit's every mask and means (refused in one line unless ``network`` is one sigmoid unit)."""
    return SigmoidMeans(network, mask_rows(network))


def check_unit(network: Network) -> None:
    """Refuse, in one line, a network that is not one sigmoid unit whose inputs are masked."""
    layer = network.layers[0]
    if network.depth != 1 or layer.units != 1 or layer.activation != "sigmoid" or network.dropout.connections:
        raise SymdropError("nwgm: expected one sigmoid unit (one layer of one unit, activation sigmoid) with dropout "
                           f"on its inputs; got {network.depth} layer(s), {layer.units} unit(s), {layer.activation}")
    if network.dropout.keep is None or all(q == 1 for q in keep_of(network)):
        raise SymdropError("nwgm: expected a keep probability below 1 on the inputs (dropout: keep: [\"1/2\"]), "
                           "the means are over their masks")


def keep_of(network: Network) -> tuple[Fraction, ...]:
    """q_j of every input, as Fractions."""
    numbers = network_numbers(network)
    q = numbers.keep[0] if numbers.keep is not None else 1
    return tuple(map(to_fraction, q)) if isinstance(q, tuple) else (to_fraction(q),) * len(numbers.x)


def mask_rows(network: Network, *, keep=None, divides: bool | None = None, uniform: bool = False) -> tuple[MaskRow, ...]:
    """Every mask of the inputs whose q < 1 (the others kept), with its probability and S, kept
    masks first; the changes a mistake makes: other keep probabilities (``keep``), dividing by q
    or not (``divides``), every mask equally likely (``uniform``)."""
    check_unit(network)
    numbers = network_numbers(network)
    (w,), (b,) = numbers.layers[0]
    q = keep_of(network) if keep is None else tuple(keep)
    divides = network.dropout.convention.divides if divides is None else divides
    # each input's term w_j x_j (/ q_j), computed once: S of a mask sums the kept ones
    terms = [to_fraction(wj) * to_fraction(xj) / (qj if divides else 1) for wj, xj, qj in zip(w, numbers.x, q)]
    maskable = [j for j, qj in enumerate(keep_of(network)) if qj != 1]
    always = to_fraction(b) + sum((t for j, t in enumerate(terms) if j not in maskable), Fraction(0))
    rows = []
    for bits in product((1, 0), repeat=len(maskable)):
        mu = [1] * len(terms)
        p, s = Fraction(1, 2 ** len(maskable)) if uniform else Fraction(1), always
        for j, bit in zip(maskable, bits):
            mu[j] = bit
            if bit:
                s += terms[j]
            if not uniform:
                p *= q[j] if bit else 1 - q[j]
        rows.append(MaskRow(tuple(mu), p, s))
    return tuple(rows)


def law(rows) -> Law:
    """S's distribution over ``rows``: equal values merged, those of probability 0 left out."""
    found: dict[Fraction, Fraction] = {}
    for row in rows:
        if row.p:
            found[row.s] = found.get(row.s, Fraction(0)) + row.p
    return tuple(sorted(found.items()))


def mean(law_: Law) -> Fraction:
    """E[S]."""
    return sum((p * s for s, p in law_), Fraction(0))


@lru_cache(maxsize=4096)
def sigmoid(s: Fraction) -> sympy.Expr:
    """sigma(s) = 1/(1 + e^{-s}), exact."""
    return 1 / (1 + sympy.exp(-to_sympy(s)))


@lru_cache(maxsize=4096)
def arithmetic(law_: Law) -> sympy.Expr:
    """E[sigma(S)] = sum P sigma(S), exact."""
    return sympy.Add(*[to_sympy(p) * sigmoid(s) for s, p in law_])


@lru_cache(maxsize=4096)
def geometric(law_: Law, complement: bool = False) -> sympy.Expr:
    """G = prod sigma(S)^P, or G' = prod (1 - sigma(S))^P, exact."""
    return sympy.Mul(*[(sigmoid(-s) if complement else sigmoid(s)) ** to_sympy(p) for s, p in law_])


def _number(s: Fraction):
    return DIGITS.mpf(s.numerator) / s.denominator


@lru_cache(maxsize=4096)
def sigmoid_number(s: Fraction):
    """sigma(s) to 40 digits."""
    return 1 / (1 + DIGITS.exp(-_number(s)))


@lru_cache(maxsize=4096)
def arithmetic_number(law_: Law):
    """E[sigma(S)] to 40 digits."""
    return DIGITS.fsum(_number(p) * sigmoid_number(s) for s, p in law_)


@lru_cache(maxsize=4096)
def geometric_number(law_: Law):
    """G = prod sigma(S)^P to 40 digits."""
    return DIGITS.exp(DIGITS.fsum(_number(p) * DIGITS.log(sigmoid_number(s)) for s, p in law_))
