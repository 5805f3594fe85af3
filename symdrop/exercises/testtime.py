"""The kind "test-time": the prediction of a network trained with dropout, at test time."""

import random
from collections import Counter
from functools import lru_cache

from ..core.derive import Derivation, derive
from ..core.forward import prediction
from ..model.conventions import INVERTED, PLAIN, WEIGHT_SCALING, Convention
from ..model.network import Network
from . import rules, smooth
from .drawing import HALF, draw_keep, draw_network
from .kind import Kind, Smooth, prediction_answer, spec_text
from .mistakes import Mistake, activation_mistakes, applicable, drop_for_keep, ones, passed, receiving, with_keep
from .options import Options, check_hidden_layers, check_values, smooth_shaped

DRAWN = (WEIGHT_SCALING, INVERTED)  # the conventions drawn, in turn at random, and said explicitly
MODE = "test"  # the pass its problems are of, derived and graded


def answer(network: Network, numeric: bool = False) -> tuple:
    """The convention's test-time prediction: q W with weight scaling, no masks and no scaling
    with inverted dropout (``numeric``: as 40-digit decimals)."""
    return prediction(network, "test", numeric=numeric)


def convention_matters(network: Network, options: Options) -> bool:
    """The answer depends on the convention: with weight scaling it differs from the answer
    without scaling, with inverted dropout from the answer scaled by q all the same."""
    right = answer(network)
    return _other(network) != right


def _other(network: Network, numeric: bool = False) -> tuple:
    """The answer the convention's rule changes: without scaling (weight scaling), or scaled by q
    all the same (inverted dropout)."""
    if network.dropout.convention.approximation.scales_weights:
        return prediction(network, "off", numeric=numeric)
    return prediction(_as(network, WEIGHT_SCALING), "test", numeric=numeric, memo=False)


def keep_not_half(network: Network, options: Options) -> bool:
    """With weight scaling no keep probability is 1/2 (there q W = p W hides the keep/drop
    confusion); inverted dropout's test-time pass uses no q, so 1/2 is fine there."""
    return not network.dropout.convention.approximation.scales_weights or rules.keep_not_half(network, options)


def mistakes(network: Network) -> tuple[Mistake, ...]:
    """The test-time mistakes of docs/dropout.md for the network's convention (each q of a
    mask with one per unit or per weight its own; no receiving layer's q with DropConnect)."""
    return _mistakes(network)


@lru_cache(maxsize=1024)
def _mistakes(network: Network) -> tuple[Mistake, ...]:
    if smooth.is_smooth(network):
        return PASSES.mistakes(network)
    return applicable(answer(network), candidates(network))


def candidates(network: Network, numeric: bool = False) -> list[Mistake]:
    """Every mistake of :func:`mistakes`, those that give the right answer too (``numeric``: the
    answers as 40-digit decimals)."""
    n = numeric
    if network.dropout.convention.approximation.scales_weights:
        found = [
            passed("forgot_scale", "forgot to scale the weights by $q$", network, "off", numeric=n, once=True),
            passed("applied_masks", "applied the training masks at test time", network, numeric=n, once=True),
            passed("scaled_bias", "scaled the bias by $q$ too", network, "test", scale_bias=True, numeric=n),
        ]
        if not network.dropout.connections:  # DropConnect's q belong to the weights: no layer receives one
            found.append(passed("receiving_q", "used the receiving layer's $q$, of the layer's own units",
                                receiving(network), "off", numeric=n, once=True))
        found += [
            passed("scaled_by_drop", "scaled by the drop probability $p = 1 - q$ instead of $q$", drop_for_keep(network),
                   "test", numeric=n, once=True),
            passed("divided_by_keep", "divided by $q$, the inverted rule, instead of multiplying",
                   _as(network, INVERTED), masks=ones(network), numeric=n, once=True),
        ]
    else:
        found = [
            passed("scaled_twice", "scaled the weights by $q$ at test time, though training already divided by $q$",
                   _as(network, WEIGHT_SCALING), "test", numeric=n, once=True),
            passed("divided_at_test", "divided by $q$ at test time as in training", network, masks=ones(network),
                   numeric=n, once=True),
            passed("applied_masks", "applied the training masks at test time", network, numeric=n, once=True),
            passed("applied_masks_unscaled", "applied the training masks at test time, without the $1/q$",
                   _as(network, PLAIN), distinct=False, numeric=n, once=True),
        ]
    found += activation_mistakes(network, "test", numeric=n)
    return found


def _as(network: Network, convention: Convention) -> Network:
    return with_keep(network, network.dropout.keep, convention)


PASSES = smooth.Passes(MODE, answer, candidates, lambda network: [_other(network, True)])


RULES = {  # in the order they are checked: cheapest first
    "keep_not_half": keep_not_half,
    "hand_computable": rules.hand_computable("test", scaled=True),
    "no_relu_zero": rules.no_relu_zero("test"),
    "relu_clips_negative": rules.relu_clips_negative("test"),
    "convention_matters": convention_matters,
    "mistakes_distinct": rules.mistakes_distinct(answer, mistakes),
    "decimal_answers": rules.decimal_answers(answer, mistakes),
}
SMOOTH = Smooth(smooth.rules(PASSES, matters="convention_matters", masks=False, scaled=True, keep=keep_not_half),
                PASSES.tolerance)


def draw(rng: random.Random, options: Options, failures: Counter, flow: bool = True) -> Network | None:
    """One candidate: the convention, a keep probability for every hidden layer's mask (with
    weight scaling: not 1/2, and q = 1 on some layers), then x and layer by layer W, b for the
    test-time pass, and the masks of a training step (which the test-time pass does not use)."""
    options = smooth_shaped(options)
    # With only q = 1/2 to draw from, weight scaling (which avoids it) is left out.
    convention = rng.choice(DRAWN if any(q != HALF for q in options.keep) else (INVERTED,))
    scaling = convention.scales_weights
    # Weight scaling multiplies the denominators of q layer after layer: dropout on some layers.
    keep = draw_keep(rng, options, len(options.shape) - 1, avoid_half=scaling, some=scaling)
    masked = [l for l, q in enumerate(keep) if q != 1]
    return draw_network(rng, options, failures, flow, convention=convention, keep=keep, mode="test", masked=masked)


def code_text(network: Network, options: Options) -> str:
    """The text a variant code hashes: the kind and the problem's spec."""
    return spec_text("test-time", network)


def check_options(options: Options) -> None:
    """Refuse, in one line, options under which no problem can meet the rules."""
    options = smooth_shaped(options)
    check_values(options)
    check_hidden_layers(options)


def _derive(network: Network) -> Derivation:
    return derive(network, mode=MODE)


KIND = Kind(
    name="test-time",
    title="the test-time prediction of a network trained with dropout",
    draw=draw,
    rules=RULES,
    mistakes=mistakes,
    candidates=candidates,
    derive=_derive,
    read_answer=prediction_answer,
    compute_answer=answer,
    code_text=code_text,
    check_options=check_options,
    templates={"problem": "problem-test-time", "answer": "answer", "solution": "solution"},
    intro="intro-test-time",
    uses_keep=True,
    mode=MODE,
    has_layer_values=True,
    poses=lambda network: True,
    smooth=SMOOTH,
    drawn_with=smooth_shaped,
)
