"""The kind "forward": the tutorial's problem, a training pass with plain masks, worked by hand."""

import random
from collections import Counter
from fractions import Fraction
from functools import lru_cache

import sympy

from ..core.derive import derive
from ..core.forward import prediction
from ..core.passnumbers import network_numbers
from ..model.network import Network
from . import rules, smooth
from .drawing import draw_network
from .kind import Kind, Smooth, prediction_answer, spec_text
from .mistakes import Mistake, activation_mistakes, applicable, mask_changes, masked_units, output_mistakes, passed
from .options import Options, check_hidden_layers, check_values, smooth_shaped


def answer(network: Network, numeric: bool = False) -> tuple:
    """The prediction of the training pass with plain masks (``numeric``: as 40-digit decimals)."""
    return prediction(network, numeric=numeric)


def dropout_matters(network: Network, options: Options) -> bool:
    """The answer differs from the answer without dropout (every mask all ones)."""
    return prediction(network, "off") != answer(network)


def mistakes(network: Network) -> tuple[Mistake, ...]:
    """Every mistake of docs/dropout.md one can make on a plain-mask training pass (whose
    answer differs from the correct one).

    "Forgot the ReLU" is listed for each hidden layer whose ReLU clips a kept unit (elsewhere that
    ReLU changes nothing a student writes on), and once for all hidden layers together.
    Not listed, because they cannot apply here: the scaling mistakes (1/q, 1/p_drop, scaled twice)
    and the test-time ones need a keep probability, and these problems give masks, not q. Nor
    "masked z instead of the input" where every masked layer has g(0) = 0, as ReLU: it then gives
    the correct prediction by construction; nor with DropConnect, whose masks are on the weights
    (there "masked the units instead of the weights" is listed). With sigmoid or tanh hidden
    layers, :func:`.mistakes.smooth_mistakes` stand for the ReLU's.
    """
    return _mistakes(network)


@lru_cache(maxsize=1024)  # asked by the rules, then again for the exercise's key
def _mistakes(network: Network) -> tuple[Mistake, ...]:
    if smooth.is_smooth(network):
        return PASSES.mistakes(network)
    return applicable(answer(network), candidates(network))


def candidates(network: Network, numeric: bool = False) -> list[Mistake]:
    """Every mistake of :func:`mistakes`, those that give the right answer too (``numeric``: the
    answers as 40-digit decimals)."""
    found = [passed("forgot_masks", "forgot the masks, so no dropout", network, "off", numeric=numeric, once=True)]
    if network.dropout.connections:  # masks on weights: z has none to take, units none to drop
        found.append(masked_units(network, numeric))
    elif any(layer.g.apply(sympy.S.Zero) != 0 for layer in network.layers[:-1]):  # sigmoid: g(0) = 1/2
        found.append(passed("masked_z", "masked $z$ instead of the input, dropping the bias too", network, masks_on="z",
                            numeric=numeric))
    found += [passed(name, label, network, masks=masks, distinct=False, numeric=numeric)
              for name, label, masks in mask_changes(network)]
    found += output_mistakes(network, numeric)
    found += activation_mistakes(network, numeric=numeric)
    return found


PASSES = smooth.Passes("train", answer, candidates, lambda network: [prediction(network, "off", numeric=True)])


RULES = {  # in the order they are checked: cheapest first
    "hand_computable": rules.hand_computable(),
    "no_relu_zero": rules.no_relu_zero(),
    "masks_drop_active_units": rules.masks_drop_active_units,
    "relu_clips_negative": rules.relu_clips_negative(),
    "dropout_matters": dropout_matters,
    "mistakes_distinct": rules.mistakes_distinct(answer, mistakes),
    # No rule decimal_answers: every number here is an integer, a half or a tenth times integers,
    # so every answer and every mistake's answer terminates (at most two places) anyway.
}
SMOOTH = Smooth(smooth.rules(PASSES, matters="dropout_matters"), PASSES.tolerance)


def draw(rng: random.Random, options: Options, failures: Counter, flow: bool = True) -> Network | None:
    """One candidate: x, then layer by layer W, b and the mask on the layer's output
    (:func:`.drawing.draw_network`, plain masks)."""
    return draw_network(rng, smooth_shaped(options), failures, flow)


@lru_cache(maxsize=1024)  # asked when a problem is drawn (rule 6) and again for its exercise
def code_text(network: Network, options: Options) -> str:
    """The text a variant code hashes: the problem as the generator first wrote it out, a Python
    repr of (x, layers as (W, b, g), masks) with fractions as F(p, q), the entries drawn from a
    grid of halves or tenths as fractions even where whole. Kept as it was, so that every code
    printed on a sheet still names the same problem. A sigmoid or tanh network, which has no
    older codes, is named by its spec as the other kinds are."""
    if smooth.is_smooth(network):
        return spec_text("forward", network)
    values = network_numbers(network)
    fine = options.values != "int"
    as_drawn = lambda v, drawn_fine: Fraction(v) if drawn_fine else v  # noqa: E731
    x = tuple(as_drawn(v, fine) for v in values.x)
    layers = tuple(
        (tuple(tuple(as_drawn(w, fine and l == 0 and options.values == "decimal") for w in row) for row in W),
         tuple(as_drawn(v, fine) for v in b), layer.activation)
        for l, ((W, b), layer) in enumerate(zip(values.layers, network.layers))
    )
    return repr((x, layers, values.masks)).replace("Fraction", "F")


def check_options(options: Options) -> None:
    """Refuse, in one line, options under which no problem can meet the rules."""
    options = smooth_shaped(options)
    check_values(options)
    check_hidden_layers(options)


KIND = Kind(
    name="forward",
    title="a forward pass with dropout masks",
    draw=draw,
    rules=RULES,
    mistakes=mistakes,
    candidates=candidates,
    derive=derive,
    read_answer=prediction_answer,
    compute_answer=answer,
    code_text=code_text,
    check_options=check_options,
    templates={"problem": "problem", "answer": "answer", "solution": "solution"},
    intro="intro-forward",
    has_layer_values=True,
    poses=lambda network: not network.dropout.convention.divides,
    smooth=SMOOTH,
    drawn_with=smooth_shaped,
)

