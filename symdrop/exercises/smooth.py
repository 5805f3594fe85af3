"""Sigmoid and tanh hidden layers (``--activation``) for the kinds forward, inverted, test-time and backprop:
their rules, their mistakes and the tolerance of their answers.

A smooth network's answer is irrational: a student gives it to K places (the network's ``digits``)
and it is right within the tolerance that accepts every student who carries values rounded to K
places (:func:`symdrop.core.rounding.tolerance`). The rules compare 40-digit decimals (the core's
numeric pass, some 20 times faster than exact values), and only an accepted problem builds its
exact SymPy values: its mistakes are those whose decimals differ from the answer's.
"""

from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from typing import Callable

from ..core import rounding
from ..core.forward import forward, layer_values
from ..core.passnumbers import network_numbers, to_decimal
from ..model.network import Network
from .drawing import Z_MAX, allowed, within
from .mistakes import Mistake, answered
from .options import Options
from .rules import written

SAME = to_decimal(Fraction(1, 10**20))  # two decimals this close are one value (one exact value, computed two ways)
APART = 3  # tolerances between any two different values of an answer entry


def is_smooth(network: Network) -> bool:
    """Some hidden layer is sigmoid or tanh (the answer is irrational)."""
    return any(layer.g.smooth for layer in network.layers[:-1])


@dataclass(frozen=True, eq=False)
class Passes:
    """What a kind computes of a problem, exact or as 40-digit decimals (``numeric``): the
    answer, every candidate mistake (before those that give the answer are left out), and the
    answers its rule ``matters`` (dropout_matters, convention_matters) keeps apart from it."""

    mode: str
    answer: Callable[[Network, bool], tuple]
    candidates: Callable[[Network, bool], list[Mistake]]
    matters: Callable[[Network], list[tuple]]
    # the tolerance of its answer (None: the prediction's, rounding.tolerance in the kind's mode)
    tolerance_of: Callable[[Network], Fraction] | None = None

    @lru_cache(maxsize=1024)
    def numeric_mistakes(self, network: Network) -> tuple[Mistake, ...]:
        """The candidates whose decimals differ from the answer's (the others give the answer)."""
        right = self.answer(network, True)
        return tuple(m for m in self.candidates(network, True) if not same(m.answer, right))

    def mistakes(self, network: Network) -> tuple[Mistake, ...]:
        """The mistakes one can make, exact: those :meth:`numeric_mistakes` keeps."""
        names = {m.name for m in self.numeric_mistakes(network)}
        return answered([m for m in self.candidates(network, False) if m.name in names])

    def tolerance(self, network: Network) -> Fraction:
        """What the answer is right within: a student who carries values rounded to the network's
        ``digits`` places is."""
        if self.tolerance_of is not None:
            return self.tolerance_of(network)
        return rounding.tolerance(network, self.mode, network.digits)


def same(a: tuple, b: tuple) -> bool:
    return all(abs(u - v) <= SAME for u, v in zip(a, b))


def rules(passes: Passes, *, matters: str, masks: bool = True, scaled: bool = False, keep=None) -> dict:
    """A kind's rules for a smooth sheet, in the order they are checked (cheapest first):
    ``keep`` (keep_not_half, where the kind has it), hand_computable, masks_drop_units (``masks``:
    a training pass's), ``matters`` (its name) and mistakes_outside_tolerance."""
    found = {"keep_not_half": keep} if keep is not None else {}
    found["hand_computable"] = hand_computable(passes.mode, scaled)
    if masks:
        found["masks_drop_units"] = masks_drop_units
    found[matters] = differs(passes)
    found["mistakes_outside_tolerance"] = outside_tolerance(passes)
    return found


def hand_computable(mode: str, scaled: bool):
    def hand_computable(network: Network, options: Options) -> bool:
        """x, W, b and every number the first layer's z needs as the ReLU kinds allow them (the
        first layer takes x, which is exact); every hidden z within +-Z_MAX (sigma and tanh not
        flat), every later product, running sum and z within +-99."""
        values = network_numbers(network)
        numbers = list(values.x) + [v for W, b in values.layers for v in (*(w for row in W for w in row), *b)]
        first = forward(network, mode, depth=1)[0]
        numbers += written(first, activations=False)
        if not all(allowed(v, options, scaled) for v in numbers):
            return False
        passes = layer_values(network, mode, True)
        return (all(abs(v) <= Z_MAX for layer in passes[:-1] for v in layer.z)
                and all(within(layer.terms, layer.z) for layer in passes[1:]))

    return hand_computable


def masks_drop_units(network: Network, options: Options) -> bool:
    """Every hidden-layer mask drops a unit and keeps one, and every dropped unit's a is not 0
    (tanh(0) = 0), so forgetting the mask changes the answer."""
    masks, passes = network_numbers(network).masks, layer_values(network, "train", True)
    for l in range(1, network.depth):
        mu, a = masks[l], passes[l - 1].a
        if 0 not in mu or 1 not in mu or any(m == 0 and v == 0 for m, v in zip(mu, a)):
            return False
    return True


def differs(passes: Passes):
    def matters(network: Network, options: Options) -> bool:
        """The answer lies more than 3 tolerances from each answer of ``passes.matters`` (without
        the masks, or the scale; the convention's other rule) in some entry: the point of the
        problem shows beyond the tolerance."""
        right, limit = passes.answer(network, True), to_decimal(APART * passes.tolerance(network))
        return all(any(abs(u - v) > limit for u, v in zip(right, other)) for other in passes.matters(network))

    return matters


def outside_tolerance(passes: Passes):
    def mistakes_outside_tolerance(network: Network, options: Options) -> bool:
        """No two mistakes give one answer (the misreadings of the masks aside, which may give
        another's, see :attr:`.mistakes.Mistake.distinct`), and in each entry of the answer any two
        different values (the key's and the mistakes') lie more than 3 tolerances apart: a
        mistake's answer, rounded to K places, is never within the key's tolerance, nor within
        another mistake's, and the LMS intervals never touch."""
        found = passes.numeric_mistakes(network)
        answers = [passes.answer(network, True)] + [m.answer for m in found]
        apart = answers[:1] + [m.answer for m in found if m.distinct]
        if any(same(a, b) for i, a in enumerate(apart) for b in apart[i + 1:]):
            return False
        limit = to_decimal(APART * passes.tolerance(network))
        for i in range(len(answers[0])):
            values = sorted(a[i] for a in answers)
            distinct = [v for k, v in enumerate(values) if k == 0 or v - values[k - 1] > SAME]
            if any(high - low <= limit for low, high in zip(distinct, distinct[1:])):
                return False
        return True

    return mistakes_outside_tolerance

