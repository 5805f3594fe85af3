"""The ensemble over all dropout masks: its exact mean beside the test-time approximation, the masks listed, limits."""

from dataclasses import dataclass, replace
from functools import lru_cache
from itertools import product

import sympy
from sympy import ImmutableMatrix

from .symbols import keep_symbols
from ..errors import SymdropError
from ..limits import MAX_MASKABLE, MAX_MASKABLE_NESTED, MAX_MASKABLE_SYMBOLIC, MAX_MASKABLE_WEIGHTS, MAX_SAMPLES
from ..numbers import to_sympy
from .everymask import maskable_units
from .fixedsigns import fixed_signs, mean_at_expected_masks
from .budget import Budget
from .forward import forward, prediction
from .passnumbers import network_numbers
from .mean import exact_mean, tidy as _tidy
from .montecarlo import MonteCarlo, monte_carlo
from ..model.conventions import Convention
from ..model.network import Network

LIST_MASKS_UP_TO = 4  # maskable units; the worked solution lists every mask up to 2^4 = 16


@dataclass(frozen=True)
class Thinned:
    """One thinned network: its masks mu^(0) .. mu^(L-1), their probability, and its output."""

    masks: tuple[ImmutableMatrix, ...]
    probability: sympy.Expr
    output: ImmutableMatrix


@dataclass(frozen=True)
class Ensemble:
    """The exact mean prediction ``E[y] = sum P(mask) y(mask)`` beside the test-time approximation."""

    network: Network
    keep: tuple[sympy.Expr, ...]  # q per mask: numbers, or symbols with ``symbolic_q``
    exact_mean: ImmutableMatrix
    approximation: ImmutableMatrix  # the test-time pass (weight scaling for plain masks)
    maskable_units: int
    distinct_vectors: int  # the most distinct activation vectors held at one layer
    thinned: tuple[Thinned, ...] = ()  # every mask, when there are at most LIST_MASKS_UP_TO units
    symbolic_q: bool = False
    at_keep: ImmutableMatrix | None = None  # with symbolic_q: the mean at the spec's q
    monte_carlo: MonteCarlo | None = None
    # one sigmoid output unit: E[S] of its pre-activation and sigma(E[S]), the normalised weighted
    # geometric mean over the masks (NWGM), beside the arithmetic mean E[sigma(S)]
    nwgm: tuple[sympy.Expr, sympy.Expr] | None = None
    # the fast path: no ReLU input changes sign over the masks, so E[y] = y(E[mu]), one pass
    fixed_signs: bool = False

    @property
    def difference(self) -> ImmutableMatrix:
        """``E[y]`` minus the approximation, exact."""
        return (self.exact_mean - self.approximation).applyfunc(_tidy)

    @property
    def keep_values(self) -> tuple[tuple[sympy.Symbol, sympy.Rational], ...]:
        """With ``symbolic_q``: each symbol q^(l) and the spec's value of it."""
        return tuple((q, value) for q, value in zip(self.keep, self.network.dropout.keep) if q.free_symbols)

    @property
    def approximation_rule(self) -> Convention:
        """The convention whose test-time rule is used: inverted (no masks, no scaling) or weight scaling."""
        return self.network.dropout.convention.approximation

    @property
    def masked_layers(self) -> tuple[int, ...]:
        """The l of every mask mu^(l) that can drop a unit (q < 1)."""
        return tuple(l for l in range(self.network.depth) if self.network.dropout.maskable(l))

    @property
    def exact_by_structure(self) -> bool:
        """The approximation is exact whatever the numbers: only the last mask drops, output linear."""
        network = self.network
        return network.layers[-1].activation == "identity" and set(self.masked_layers) <= {network.depth - 1}


def expect(network: Network, *, symbolic_q: bool = False, samples: int | None = None, seed: int = 0,
           progress=None) -> Ensemble:
    """The exact ensemble mean of ``network`` over all masks of its units with keep q < 1.

    ``symbolic_q`` makes every q < 1 a symbol ``q^(l)``; ``samples`` adds a Monte-Carlo estimate
    from that many sampled masks drawn with ``random.Random(seed)`` (at the spec's q).
    ``progress(label, done, total)``, if given, hears how far the propagation is in each layer
    (a long run shows a bar: the CLI's).
    """
    dropout = network.dropout
    keep = dropout.require_keep("for the ensemble mean")
    if samples is not None and samples > MAX_SAMPLES:
        raise SymdropError(f"--samples: {samples} samples; the limit is {MAX_SAMPLES:,} samples")
    one_q = not (dropout.per_unit or dropout.connections)  # one keep probability per mask
    if symbolic_q and not one_q:
        what = "DropConnect" if dropout.connections else "a keep probability per unit"
        raise SymdropError(f"--symbolic-q: expected one keep probability per mask, got {what} (the exact mean "
                           f"needs neither)")
    if symbolic_q:
        keep = keep_symbols(dropout)
    model = replace(network, dropout=replace(dropout, keep=keep))
    one_pass = not symbolic_q and fixed_signs(model)
    if one_pass:  # no limit: the work is one pass
        mean, distinct = ImmutableMatrix([to_sympy(v) for v in mean_at_expected_masks(model)]), 1
    else:
        check_maskable(model, symbolic_q)
        mean, distinct = exact_mean(model, progress)
    n = maskable_units(model)
    approximation = test_time(model).applyfunc(_tidy)
    thinned = tuple(thinned_networks(model)) if n <= LIST_MASKS_UP_TO and one_q else ()
    at_keep = None
    if symbolic_q:
        values = dict(zip(keep, dropout.keep))
        at_keep = mean.subs(values).applyfunc(_tidy)
    mc = monte_carlo(network, samples, seed) if samples is not None else None
    return Ensemble(
        network, keep, mean, approximation, n, distinct, thinned, symbolic_q, at_keep, mc,
        None if symbolic_q else geometric_mean(model), one_pass,
    )


def geometric_mean(network: Network) -> tuple[sympy.Expr, sympy.Expr] | None:
    """For one sigmoid output unit y = sigma(S): E[S] and the NWGM, G / (G + G') with G = prod
    sigma(S)^P and G' = prod (1 - sigma(S))^P, which is sigma(E[S]) since log((1 - sigma(S)) /
    sigma(S)) = -S (Baldi and Sadowski 2013); None for any other output."""
    last = network.layers[-1]
    if last.activation != "sigmoid" or last.units != 1:
        return None
    linear = replace(network, layers=network.layers[:-1] + (replace(last, activation="identity"),))
    mean_s = exact_mean(linear)[0][0]
    return mean_s, last.g.apply(mean_s)


def check_maskable(network: Network, symbolic_q: bool = False) -> None:
    """Refuse, before any work, more maskable units than the mean can go through where every
    distinct value is a whole expression (sigmoid, tanh, symbolic q) or DropConnect's (the
    ensemble kind lists every mask, within the same limits). Piecewise linear networks have no
    limit of units: their propagation counts the vectors it carries (``MAX_CARRIED``)."""
    n = maskable_units(network)
    if network.dropout.connections:
        if n > MAX_MASKABLE_WEIGHTS:
            raise SymdropError(f"expect: {n} maskable weights (DropConnect, keep q < 1); the limit is "
                               f"{MAX_MASKABLE_WEIGHTS} (up to 2^{MAX_MASKABLE_WEIGHTS} masks)")
        return
    piecewise_linear = all(layer.g.negative_slope is not None for layer in network.layers[:-1])
    smooth = sum(layer.g.negative_slope is None for layer in network.layers)  # sigmoid and tanh layers
    if piecewise_linear and not symbolic_q:
        # in SymPy, no count of vectors: a sigmoid or tanh output (a term for each distinct z), or a q per unit
        why = "a sigmoid or tanh output" if smooth else "a keep probability per unit" if network.dropout.per_unit else None
        if why and n > MAX_MASKABLE:
            raise SymdropError(f"expect: {n} maskable units (keep q < 1); the limit with {why} is {MAX_MASKABLE} "
                               f"(up to 2^{MAX_MASKABLE} masks)")
    elif smooth >= 2 and n > MAX_MASKABLE_NESTED:
        raise SymdropError(f"expect: {n} maskable units (keep q < 1); the limit with {smooth} sigmoid or tanh "
                           f"layers is {MAX_MASKABLE_NESTED} (every mask's value is an expression in expressions)")
    elif n > MAX_MASKABLE_SYMBOLIC:
        why = "--symbolic-q" if symbolic_q else "sigmoid or tanh"
        raise SymdropError(f"expect: {n} maskable units (keep q < 1); the limit with {why} is "
                           f"{MAX_MASKABLE_SYMBOLIC} (every mask's value is an expression)")


def test_time(network: Network) -> ImmutableMatrix:
    """The usual approximation of the mean: the convention's test-time pass (plain: weight scaling)."""
    rule = network.dropout.convention.approximation
    if rule is not network.dropout.convention:  # plain masks have no test-time pass of their own
        network = replace(network, dropout=replace(network.dropout, convention=rule))
    return ImmutableMatrix([to_sympy(v) for v in prediction(network, "test")])


def thinned_networks(network: Network):
    """Every mask of the maskable units with its probability and the training pass's output."""
    for masks, probability, output in list_masks(network):
        # Not expanded: with keep probabilities as symbols P(mu) reads as the product it is, q1 (1 - q2).
        yield Thinned(tuple(ImmutableMatrix(m) for m in masks), to_sympy(probability),
                      ImmutableMatrix([to_sympy(v) for v in output]))


def list_masks(network: Network, keep=None) -> tuple[tuple[tuple, object, tuple], ...]:
    """Every mask of the entries whose keep q < 1 (units, one q per mask or per unit; with
    DropConnect weights), one by one: (the masks, as the core's numbers give them (see
    :func:`.passnumbers.network_numbers`), their probability, the core's training pass's output).
    ``keep`` replaces the q's of the probabilities only (a student who weighs the masks wrongly),
    not of the pass; it has the shape of the core's keep probabilities."""
    return _list_masks(network, None if keep is None else tuple(keep))


@lru_cache(maxsize=1024)  # the ensemble kind asks for a candidate's masks in several rules
def _list_masks(network: Network, keep) -> tuple:
    keep = network_numbers(network).keep if keep is None else keep
    places, listed = _thinned(network)
    return tuple((masks, p, output) for (masks, output), p in zip(listed, _probabilities(keep, places)))


@lru_cache(maxsize=1024)
def _thinned(network: Network) -> tuple:
    """The places (l, index) of the entries with q < 1, and every mask of them with the training
    pass's output, in the order of ``product((1, 0), repeat=len(places))``."""
    values = network_numbers(network)
    places = [(l, index) for l, mask in enumerate(values.masks) if network.dropout.maskable(l)
              for index in _indices(mask) if _entry(values.keep[l], index) != 1]
    listed = []
    for bits in product((1, 0), repeat=len(places)):
        masks = [[list(row) for row in mask] if _rows(mask) else list(mask) for mask in values.masks]
        for (l, index), bit in zip(places, bits):
            if len(index) == 2:
                masks[l][index[0]][index[1]] = bit
            else:
                masks[l][index[0]] = bit
        masks = tuple(tuple(map(tuple, m)) if _rows(values.masks[l]) else tuple(m) for l, m in enumerate(masks))
        listed.append((masks, prediction(network, masks=masks)))
    return tuple(places), tuple(listed)


def _probabilities(keep, places) -> list:
    """P(mask) of every mask in :func:`_thinned`'s order: q of every kept entry, 1 - q of every
    dropped one (a product of n factors for each of the 2^n masks, built place by place)."""
    probabilities = [1]
    for l, index in places:
        q = _entry(keep[l], index)
        probabilities = [p * f for p in probabilities for f in (q, 1 - q)]
    return probabilities


def _rows(mask) -> bool:
    """Whether a mask is a weight mask (rows), not a vector of units."""
    return bool(mask) and isinstance(mask[0], tuple)


def _indices(mask) -> list[tuple[int, ...]]:
    if _rows(mask):
        return [(i, j) for i, row in enumerate(mask) for j in range(len(row))]
    return [(j,) for j in range(len(mask))]


def _entry(q, index):
    """The q of one entry: one q for the whole mask, or the entry's own."""
    if not isinstance(q, tuple):
        return q
    return q[index[0]][index[1]] if len(index) == 2 else q[index[0]]


def check_mean(*networks) -> None:
    """Refuse, before the ensemble mean or the statistics over every mask start, networks (one,
    or a batch's examples together) whose passes with every unit kept (what each mask's pass is
    at most) pass :data:`~symdrop.limits.MAX_MEAN_CLOSED_FORM` parts (see :mod:`.budget`): the
    mean carries such values through every layer for every mask, at some 1.4 ms a part."""
    budget = Budget("the pass with every unit kept", "MAX_MEAN_CLOSED_FORM")
    for e, network in enumerate(networks):
        budget.what = "the pass with every unit kept" + (f" (input[{e}])" if len(networks) > 1 else "")
        forward(network, "off", terms=False, count=budget)
