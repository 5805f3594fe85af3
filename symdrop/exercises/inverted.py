"""The kind "inverted": a training pass of inverted dropout (PyTorch's), kept values divided by q."""

import random
from collections import Counter
from functools import lru_cache

from ..core.derive import derive
from ..core.forward import prediction
from ..model.conventions import INVERTED, PLAIN
from ..model.network import Network
from . import rules, smooth
from .drawing import draw_keep, draw_network
from .kind import Kind, Smooth, prediction_answer, spec_text
from .mistakes import (Mistake, activation_mistakes, applicable, drop_for_keep, mask_changes, masked_units, ones,
                       output_mistakes, passed, with_keep)
from .options import Options, check_hidden_layers, check_keep, check_values, smooth_shaped


def answer(network: Network, numeric: bool = False) -> tuple:
    """The prediction of the training pass: masked, kept values divided by q (``numeric``: as
    40-digit decimals)."""
    return prediction(network, numeric=numeric)


def dropout_matters(network: Network, options: Options) -> bool:
    """The answer differs from the answer without dropout and from the answer without the 1/q
    scale (plain masks): both the masks and the scale show in it."""
    right = answer(network)
    return prediction(network, "off") != right and prediction(_plain(network), memo=False) != right


def mistakes(network: Network) -> tuple[Mistake, ...]:
    """The mistakes of docs/dropout.md one can make on an inverted-dropout training pass (with
    DropConnect: kept weights divided by q, and the weights' masks read as the units')."""
    return _mistakes(network)


@lru_cache(maxsize=1024)
def _mistakes(network: Network) -> tuple[Mistake, ...]:
    network.dropout.require_keep("by the inverted kind, whose mistakes scale by q")
    if smooth.is_smooth(network):
        return PASSES.mistakes(network)
    return applicable(answer(network), candidates(network))


def candidates(network: Network, numeric: bool = False) -> list[Mistake]:
    """Every mistake of :func:`mistakes`, those that give the right answer too (``numeric``: the
    answers as 40-digit decimals)."""
    n = numeric
    found = [
        passed("forgot_masks", "forgot the masks and the scale: no dropout", network, "off", numeric=n, once=True),
        passed("forgot_scale", "forgot the $1/q$ scale: plain masks", _plain(network), numeric=n, once=True),
        passed("scaled_by_drop", "divided by the drop probability $p = 1 - q$ instead of $q$", drop_for_keep(network),
               numeric=n, once=True),
        passed("scaled_bias", "divided the bias by $q$ too", network, scale_bias=True, numeric=n),
        passed("scaled_without_masks", "divided by $q$ but forgot the masks", network, masks=ones(network), numeric=n),
    ]
    found += [passed(name, label, network, masks=masks, distinct=False, numeric=n)
              for name, label, masks in mask_changes(network)]
    if network.dropout.connections:
        found.append(masked_units(network, n))
    found += output_mistakes(network, n)
    found += activation_mistakes(network, numeric=n)
    return found


def _plain(network: Network) -> Network:
    return with_keep(network, network.dropout.keep, PLAIN)


PASSES = smooth.Passes("train", answer, candidates,
                       lambda network: [prediction(network, "off", numeric=True), prediction(_plain(network), numeric=True)])


RULES = {  # in the order they are checked: cheapest first
    "keep_not_half": rules.keep_not_half,
    "hand_computable": rules.hand_computable(scaled=True),
    "no_relu_zero": rules.no_relu_zero(),
    "masks_drop_active_units": rules.masks_drop_active_units,
    "relu_clips_negative": rules.relu_clips_negative(),
    "dropout_matters": dropout_matters,
    "mistakes_distinct": rules.mistakes_distinct(answer, mistakes),
    "decimal_answers": rules.decimal_answers(answer, mistakes),
}
SMOOTH = Smooth(smooth.rules(PASSES, matters="dropout_matters", scaled=True, keep=rules.keep_not_half), PASSES.tolerance)


def draw(rng: random.Random, options: Options, failures: Counter, flow: bool = True) -> Network | None:
    """One candidate: a keep probability for every hidden layer's mask (never 1/2), then x and
    layer by layer W, b and the mask, for the pass with kept values divided by q."""
    options = smooth_shaped(options)
    keep = draw_keep(rng, options, len(options.shape) - 1, avoid_half=True)
    return draw_network(rng, options, failures, flow, convention=INVERTED, keep=keep)


def code_text(network: Network, options: Options) -> str:
    """The text a variant code hashes: the kind and the problem's spec."""
    return spec_text("inverted", network)


def check_options(options: Options) -> None:
    """Refuse, in one line, options under which no problem can meet the rules."""
    options = smooth_shaped(options)
    check_values(options)
    check_hidden_layers(options)
    check_keep(options, "inverted")


KIND = Kind(
    name="inverted",
    title="a training pass with inverted dropout",
    draw=draw,
    rules=RULES,
    mistakes=mistakes,
    candidates=candidates,
    derive=derive,
    read_answer=prediction_answer,
    compute_answer=answer,
    code_text=code_text,
    check_options=check_options,
    templates={"problem": "problem-inverted", "answer": "answer", "solution": "solution"},
    intro="intro-inverted",
    uses_keep=True,
    has_layer_values=True,
    poses=lambda network: network.dropout.convention.divides,
    smooth=SMOOTH,
    drawn_with=smooth_shaped,
)
