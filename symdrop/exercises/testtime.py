"""The kind "test-time": the prediction of a network trained with dropout, at test time."""

import random
from collections import Counter
from functools import lru_cache

from ..core.derive import Derivation, derive
from ..core.forward import prediction
from ..model.conventions import INVERTED, PLAIN, WEIGHT_SCALING, Convention
from ..model.network import Network
from . import rules
from .drawing import HALF, draw_keep, draw_network
from .kind import Kind, prediction_answer, spec_text
from .mistakes import Mistake, activation_mistakes, applicable, drop_for_keep, ones, passed, receiving, with_keep
from .options import Options, check_hidden_layers, check_values

DRAWN = (WEIGHT_SCALING, INVERTED)  # the conventions drawn, in turn at random, and said explicitly
MODE = "test"  # the pass its problems are of, derived and graded


def answer(network: Network) -> tuple:
    """The convention's test-time prediction: q W with weight scaling, no masks and no scaling
    with inverted dropout."""
    return prediction(network, "test")


def convention_matters(network: Network, options: Options) -> bool:
    """The answer depends on the convention: with weight scaling it differs from the answer
    without scaling, with inverted dropout from the answer scaled by q all the same."""
    right = answer(network)
    if network.dropout.convention.approximation.scales_weights:
        return prediction(network, "off") != right
    return prediction(_as(network, WEIGHT_SCALING), "test") != right


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
    if network.dropout.convention.approximation.scales_weights:
        found = [
            passed("forgot_scale", "forgot to scale the weights by q", network, "off"),
            passed("applied_masks", "applied the training masks at test time", network),
            passed("scaled_bias", "scaled the bias by q too", network, "test", scale_bias=True),
        ]
        if not network.dropout.connections:  # DropConnect's q belong to the weights: no layer receives one
            found.append(passed("receiving_q", "used the receiving layer's q, of the layer's own units",
                                receiving(network), "off"))
        found += [
            passed("scaled_by_drop", "scaled by the drop probability p = 1 - q instead of q", drop_for_keep(network),
                   "test"),
            passed("divided_by_keep", "divided by q, the inverted rule, instead of multiplying",
                   _as(network, INVERTED), masks=ones(network)),
        ]
    else:
        found = [
            passed("scaled_twice", "scaled the weights by q at test time, though training already divided by q",
                   _as(network, WEIGHT_SCALING), "test"),
            passed("divided_at_test", "divided by q at test time as in training", network, masks=ones(network)),
            passed("applied_masks", "applied the training masks at test time", network),
            passed("applied_masks_unscaled", "applied the training masks at test time, without the 1/q",
                   _as(network, PLAIN), distinct=False),
        ]
    found += activation_mistakes(network, "test")
    return applicable(answer(network), found)


def _as(network: Network, convention: Convention) -> Network:
    return with_keep(network, network.dropout.keep, convention)


RULES = {  # in the order they are checked: cheapest first
    "keep_not_half": keep_not_half,
    "hand_computable": rules.hand_computable("test", scaled=True),
    "no_relu_zero": rules.no_relu_zero("test"),
    "relu_clips_negative": rules.relu_clips_negative("test"),
    "convention_matters": convention_matters,
    "mistakes_distinct": rules.mistakes_distinct(answer, mistakes),
    "decimal_answers": rules.decimal_answers(answer, mistakes),
}


def draw(rng: random.Random, options: Options, failures: Counter, flow: bool = True) -> Network | None:
    """One candidate: the convention, a keep probability for every hidden layer's mask (with
    weight scaling: not 1/2, and q = 1 on some layers), then x and layer by layer W, b for the
    test-time pass, and the masks of a training step (which the test-time pass does not use)."""
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
)
