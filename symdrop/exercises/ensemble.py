"""The kind "ensemble": the exact mean prediction over all masks, beside the test-time approximation."""

import random
from collections import Counter
from fractions import Fraction
from functools import lru_cache

from ..core.ensemble import Ensemble, check_maskable, expect, list_masks, maskable_units
from ..core.forward import forward, prediction
from ..core.passnumbers import network_numbers
from ..model.conventions import INVERTED, PLAIN, WEIGHT_SCALING
from ..model.network import Network
from . import rules
from .drawing import HALF, allowed, draw_network
from .kind import Kind, Part, spec_text
from .mistakes import Mistake, applicable, drop_numbers, with_keep
from .options import Options, check_hidden_layers, check_keep, check_values
from ..errors import SymdropError
from ..limits import MAX_LISTED

DRAWN = (WEIGHT_SCALING, INVERTED)  # the conventions its problems are drawn with
MASKABLE = (2, 3)  # units of the one masked hidden layer: 4 or 8 masks to list by hand
MASKABLE_AT_MOST = 4  # where no hidden layer is that small: 16 masks


def thinned(network: Network, keep=None) -> tuple[tuple[tuple, Fraction, tuple], ...]:
    """Every mask with its probability and output (the core's listing, :func:`.core.ensemble.list_masks`,
    within the limits of the exact mean: keep probabilities given, not too many entries to drop)."""
    network.dropout.require_keep("for the ensemble mean")
    n = maskable_units(network)
    if n > MAX_LISTED:
        what = "weights" if network.dropout.connections else "units"
        raise SymdropError(f"the ensemble kind: {n} maskable {what} (keep q < 1); it passes every mask one by one, "
                           f"the limit is {MAX_LISTED} (2^{MAX_LISTED} masks)")
    check_maskable(network)  # fewer with sigmoid or tanh
    return list_masks(network, keep)


def mean(listed, weights=None) -> tuple:
    """sum P(mu) y(mu) over ``listed`` thinned networks (``weights`` replacing P)."""
    weights = [p for _, p, _ in listed] if weights is None else weights
    outputs = [y for _, _, y in listed]
    return tuple(sum((w * y[i] for w, y in zip(weights, outputs)), Fraction(0)) for i in range(len(outputs[0])))


def answer(network: Network) -> tuple:
    """The exact mean E[y] over every mask, each weighted by its probability."""
    return mean(thinned(network))


def dropout_matters(network: Network, options: Options) -> bool:
    """The thinned networks do not all predict the same: the mean needs their probabilities."""
    return len({y for _, _, y in thinned(network)}) > 1


def gap_unless_by_structure(network: Network, options: Options) -> bool:
    """The exact mean differs from the test-time value, unless dropout acts only before the
    linear output (then they agree whatever the numbers, which the solution explains): so the
    gap is there to find wherever a ReLU follows the mask."""
    by_structure = all(q == 1 for q in network_numbers(network).keep[:-1]) and network.layers[-1].activation == "identity"
    return by_structure or answer(network) != prediction(network, "test")


def hand_computable(network: Network, options: Options) -> bool:
    """Every number of every thinned network's pass and of the test-time pass is small (rule 1
    of the forward kind; denominators at most 16 or 4 decimal places where q scales)."""
    passes = [forward(network, masks=masks) for masks, _, _ in thinned(network)] + [forward(network, "test")]
    return all(allowed(v, options, True) for layers in passes for layer in layers for v in rules.written(layer))


def mistakes(network: Network) -> tuple[Mistake, ...]:
    """The mistakes of docs/dropout.md one can make on the exact mean."""
    return _mistakes(network)


@lru_cache(maxsize=1024)
def _mistakes(network: Network) -> tuple[Mistake, ...]:
    listed = thinned(network)
    inverted = network.dropout.convention.divides
    drop = drop_numbers(network_numbers(network).keep)
    what = "weight" if network.dropout.connections else "unit"
    found = [
        Mistake("weight_scaling_mean",
                "took the test-time pass, no masks and no scaling, for the exact mean" if inverted
                else "took the weight-scaling value $q W$ for the exact mean",
                prediction(with_keep(network, network.dropout.keep, network.dropout.convention.approximation), "test")),
        Mistake("unweighted_mean", "averaged the thinned networks without their probabilities",
                mean(listed, [Fraction(1, len(listed))] * len(listed))),
        Mistake("swapped_keep_drop", f"weighed each mask with $p = 1 - q$ for a kept {what}, $q$ for a dropped one",
                mean(thinned(network, drop))),
    ]
    if inverted:
        plain = with_keep(network, network.dropout.keep, PLAIN)
        found.append(Mistake("forgot_scale", "forgot the $1/q$ scale in the thinned networks", mean(thinned(plain))))
    else:
        found.append(Mistake("forgot_masks", "ignored dropout: the pass without masks or scaling",
                             prediction(network, "off")))
    return applicable(answer(network), found)


RULES = {  # in the order they are checked: cheapest first
    "keep_not_half": rules.keep_not_half,
    "no_relu_zero": rules.no_relu_zero("test"),
    "hand_computable": hand_computable,
    "dropout_matters": dropout_matters,
    "gap_unless_by_structure": gap_unless_by_structure,
    "mistakes_distinct": rules.mistakes_distinct(answer, mistakes),
    "decimal_answers": rules.decimal_answers(answer, mistakes),
}


def masked_layers(options: Options) -> list[int]:
    """The hidden layers whose mask the ensemble may drop: 2 or 3 units (else 4)."""
    hidden = list(enumerate(options.shape[1:-1], start=1))
    small = [l for l, n in hidden if n in MASKABLE]
    return small or [l for l, n in hidden if n == MASKABLE_AT_MOST]


def draw(rng: random.Random, options: Options, failures: Counter, flow: bool = True) -> Network | None:
    """One candidate: the convention, one hidden layer whose mask drops (2 or 3 units, so 4 or 8
    masks to list; the last hidden layer, where weight scaling is exact, a quarter of the time)
    and its keep probability (not 1/2), every other q = 1; then x and layer by layer W and b,
    masks all ones (the mean is over every mask)."""
    convention = rng.choice(DRAWN)
    layers = masked_layers(options)
    last = len(options.shape) - 2  # the last hidden layer: there the gap is 0 by structure
    # The last hidden layer a quarter of the time (where there is another), the others evenly.
    others = [l for l in layers if l != last]
    masked = last if last in layers and (not others or rng.random() < 0.25) else rng.choice(others)
    q = rng.choice([q for q in options.keep if q != HALF])
    keep = tuple(q if l == masked else Fraction(1) for l in range(len(options.shape) - 1))
    return draw_network(rng, options, failures, flow, convention=convention, keep=keep, mode="test", masked=())


def code_text(network: Network, options: Options) -> str:
    """The text a variant code hashes: the kind and the problem's spec."""
    return spec_text("ensemble", network)


def check_options(options: Options) -> None:
    """Refuse, in one line, options under which no problem can meet the rules."""
    check_values(options)
    check_hidden_layers(options)
    check_keep(options, "ensemble")
    if not masked_layers(options):
        raise SymdropError(
            f"--shape {'-'.join(map(str, options.shape))}: the ensemble kind lists every mask of one "
            f"hidden layer by hand, so it needs a hidden layer of 2 to {MASKABLE_AT_MOST} units"
        )


def _answer(ensemble: Ensemble) -> tuple:
    return tuple(ensemble.exact_mean)


def parts(ensemble: Ensemble) -> tuple[Part, ...]:
    """Each thinned network's prediction (its mask of the masked layer beside it), then the mean
    (the answer), the test-time prediction and the gap."""
    layer = ensemble.masked_layers[0]
    found = []
    for k, t in enumerate(ensemble.thinned, 1):
        found += [Part("thinned", v, index=(k,) + j, detail=(t.masks[layer], t.probability)) for j, v in _entries(t.output)]
    for name, values in (("mean", ensemble.exact_mean), ("test_time", ensemble.approximation), ("gap", ensemble.difference)):
        found += [Part(name, v, index=j, answer=i if name == "mean" else None) for i, (j, v) in enumerate(_entries(values))]
    return tuple(found)


def _entries(vector) -> list[tuple[tuple[int, ...], object]]:
    # (index, value) of each entry, the index (j,) from 1, or () for a vector of one entry
    values = tuple(vector)
    return [((j,) if len(values) > 1 else (), v) for j, v in enumerate(values, 1)]

KIND = Kind(
    name="ensemble",
    title="the exact ensemble mean over all masks",
    draw=draw,
    rules=RULES,
    mistakes=mistakes,
    derive=expect,
    read_answer=_answer,
    compute_answer=answer,
    code_text=code_text,
    check_options=check_options,
    templates={"problem": "problem-ensemble", "answer": "answer-ensemble", "solution": "expect"},
    intro="intro-ensemble",
    uses_keep=True,
    parts=parts,
    key_values=lambda ensemble: {"test_time": ensemble.approximation, "gap": ensemble.difference},
    gives_masks=False,
)
