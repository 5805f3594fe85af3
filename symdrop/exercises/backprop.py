"""The kind "backprop": the gradients of a training pass through dropout, worked back by hand."""

import random
from collections import Counter
from dataclasses import replace
from fractions import Fraction
from functools import lru_cache

from ..core import losses, rounding
from ..core.backprop import Backprop, derive_backprop
from ..core.backward import backward, first_weights
from ..core.forward import layer_values, prediction
from ..core.passnumbers import DECIMALS, carried, carrying, network_numbers, whole
from ..model.conventions import INVERTED, PLAIN
from ..model.network import Network
from ..numbers import to_sympy
from ..sympy_internals import entries, rational_matrix
from . import rules, smooth
from .drawing import allowed, draw_keep, draw_with_output
from .kind import Kind, Part, Smooth, layer_parts, spec_text
from .mistakes import Mistake, applicable, mask_changes, ones, unit_masks
from .options import SHAPE, Options, check_hidden_layers, check_keep, check_values, smooth_shaped

OWN_SHAPE = (2, 3, 2, 1)  # where --shape is left at the general default: a network small enough to go back through
DRAWN = (PLAIN, INVERTED)  # the conventions its problems are drawn with
TARGET_OFFSETS = (-3, -2, -1, 1, 2, 3)  # t = y - offset, so dL/dy = y - t is a small nonzero integer


def shaped(options: Options) -> Options:
    """The options this kind draws with: its own small shape unless --shape chose one (a smooth
    sheet's own, which is the same)."""
    return replace(options, shape=OWN_SHAPE) if options.shape == SHAPE else smooth_shaped(options)


def answer(network: Network, numeric: bool = False) -> tuple:
    """dL/dW^(1), row by row: the gradient that needs the whole chain back (``numeric``: as
    40-digit decimals)."""
    return _first_weights(backward(network, numeric=numeric))


def _first_weights(gradients) -> tuple:
    return tuple(v for row in gradients.layers[0].grad_weights for v in row)


def hand_computable(network: Network, options: Options) -> bool:
    """Every forward value and every gradient is small: within +-99, denominators at most 8
    (inverted dropout's 1/q) or as the forward kind allows. The loss is asked first: of the
    forward pass alone, it is what most candidates break (on an int sheet with plain masks, an
    odd sum of squares of y - t halves to a fraction), and then no gradient is needed."""
    scaled = network.dropout.convention.divides
    y, t = layer_values(network, "train")[-1].a, network_numbers(network).target
    if not allowed(losses.named(network.loss).value(y, t), options, scaled):
        return False
    g = backward(network)
    values = [v for layer in g.forward for v in (*layer.masked, *layer.z, *layer.a)]
    values += [v for layer in g.layers for v in (*layer.incoming, *layer.delta, *layer.upstream, *layer.grad_bias,
                                                   *(w for row in layer.grad_weights for w in row))]
    values += [*g.grad_input, g.loss]
    return all(allowed(v, options, scaled) for v in values)


def masks_matter_backward(network: Network, options: Options) -> bool:
    """Some mask drops a unit that was active (a > 0), so the mask matters going back."""
    values, passes = network_numbers(network), layer_values(network, "train")  # the passes backward goes back through
    return any(m == 0 and a > 0 for l in range(1, network.depth) for m, a in zip(values.masks[l], passes[l - 1].a))


def gradient_reaches_the_first_layer(network: Network, options: Options) -> bool:
    """dL/dW^(1) is not all 0 (else there is nothing to go back for)."""
    return any(v != 0 for v in answer(network))


def mistakes(network: Network) -> tuple[Mistake, ...]:
    """The backward-pass mistakes of docs/dropout.md, each as its dL/dW^(1) (with DropConnect,
    whose masks are on the weights, W for W~ going back instead of a for a~)."""
    return _mistakes(network)


@lru_cache(maxsize=1024)
def _mistakes(network: Network) -> tuple[Mistake, ...]:
    if smooth.is_smooth(network):
        return PASSES.mistakes(network)
    return applicable(answer(network), candidates(network))


def candidates(network: Network, numeric: bool = False) -> list[Mistake]:
    """Every mistake of :func:`mistakes`, those that give the right answer too (``numeric``: the
    answers as 40-digit decimals). With sigmoid or tanh hidden layers, two mistakes of g' stand
    for ReLU' = 1: g' taken as 1, and g' taken as g itself (sigma'(z) = sigma(z))."""
    connections = network.dropout.connections
    back = lambda **changes: tuple(v for row in first_weights(network, numeric=numeric, **changes) for v in row)  # noqa: E731
    if connections:  # DropConnect masks no input (a~ is a), but going back W~ may be taken for W
        unmasked = Mistake("backward_unmasked_weights", r"used $W$ instead of the masked weights $\tilde{W}$ going back",
                           back(unmasked_weights=True))
    else:
        unmasked = Mistake("unmasked_input", r"used $a$ instead of the masked input in $\partial L/\partial W$", back(unmasked_input=True))
    found = [
        Mistake("backward_forgot_mask", r"forgot the weights' mask in $\partial L/\partial W$ going back" if connections
                else "forgot the mask in the backward pass", back(mask_backward=False)),
        unmasked,
    ]
    smooth_names = [layer.activation for layer in network.layers if layer.g.smooth]
    if smooth_names:
        name = smooth_names[0]
        g = rf"\operatorname{{{name}}}"  # the labels' math
        found += [Mistake(f"{name}_derivative_one", f"took ${g}' = 1$, leaving the {name}'s derivative out",
                          back(smooth_slope="one")),
                  Mistake(f"{name}_derivative_value", f"took ${g}'(z) = {g}(z)$, the value for its derivative",
                          back(smooth_slope="value"))]
    else:
        found.append(Mistake("relu_derivative_one", r"took $\operatorname{ReLU}' = 1$ everywhere", back(relu_derivative_one=True)))
    found += [
        Mistake("sign_flipped", "used $t - y$ instead of $y - t$", back(sign_flipped=True)),
        Mistake("forward_forgot_mask", "forgot the masks in the forward pass, and so going back", back(masks=ones(network))),
    ]
    found += [Mistake(name, f"{label}, forward and back", back(masks=masks), distinct=False)
              for name, label, masks in mask_changes(network)]
    if network.dropout.convention.divides:
        found.append(Mistake("backward_forgot_scale", "forgot the $1/q$ in the backward pass", back(scale_backward=False)))
    if connections:
        found.append(Mistake("masked_units", "masked the units instead of the weights, forward and back",
                             back(masks=unit_masks(network))))
    return found


PASSES = smooth.Passes("train", answer, candidates, lambda network: [tuple(0 for _ in answer(network, True))],
                       lambda network: rounding.gradient_tolerance(network, network.digits))


RULES = {  # in the order they are checked: cheapest first
    "keep_not_half": rules.keep_not_half,
    "no_relu_zero": rules.no_relu_zero(),
    "relu_clips_negative": rules.relu_clips_negative(),
    "masks_matter_backward": masks_matter_backward,
    "hand_computable": hand_computable,
    "gradient_reaches_the_first_layer": gradient_reaches_the_first_layer,
    "mistakes_distinct": rules.mistakes_distinct(answer, mistakes),
    "decimal_answers": rules.decimal_answers(answer, mistakes),
}
SMOOTH = Smooth(smooth.rules(PASSES, matters="gradient_reaches_the_first_layer", keep=rules.keep_not_half,
                             scaled=True), PASSES.tolerance)


def draw(rng: random.Random, options: Options, failures: Counter, flow: bool = True) -> Network | None:
    """One candidate: the convention (plain masks or inverted dropout with q, never 1/2), then
    x, for half the problems a mask dropping one input, layer by layer
    W, b and the masks, then the target t = y - d for a small d != 0."""
    options = shaped(options)
    convention = rng.choice(DRAWN)
    keep = None
    if convention.divides:
        keep = draw_keep(rng, options, len(options.shape) - 1, avoid_half=True)
        keep = (keep[1],) + keep[1:]  # the inputs may be dropped too: q^(0) = q^(1)
    # Half the problems drop an input, so that a~^(0) is not x and dL/dW^(1) shows it.
    drawn = draw_with_output(rng, options, failures, flow, convention=convention, keep=keep,
                             drop_input=rng.random() < 0.5)
    if drawn is None:
        return None
    network, output = drawn
    # t = y - d; with sigmoid or tanh layers y is irrational, and t = round(y) - d, dL/dy within 1/2 of d.
    if smooth.is_smooth(network):
        y = [Fraction(int(DECIMALS.nint(v))) for v in prediction(network, numeric=True)]
    else:  # y as the draw computed it: the training pass's (tests/test_fast_paths.py)
        y = [Fraction(v) for v in output]
    target = [v - rng.choice(TARGET_OFFSETS) for v in y]
    drawn = replace(network, target=rational_matrix(len(target), 1, [to_sympy(v) for v in target]))
    numbers = carried(network)  # (a smooth sheet's carries none)
    return drawn if numbers is None else carrying(drawn, replace(numbers, target=tuple(map(whole, target))))


def code_text(network: Network, options: Options) -> str:
    """The text a variant code hashes: the kind and the problem's spec (target included)."""
    return _code_text(network, network.title, network.digits)


@lru_cache(maxsize=1024)  # asked when drawn, when kept, and for the exercise once a sheet's 300 (or more) are drawn
def _code_text(network: Network, title: str, digits: int | None) -> str:  # (equal networks may differ in these two)
    return spec_text("backprop", network)


def check_options(options: Options) -> None:
    """Refuse, in one line, options under which no problem can meet the rules."""
    options = shaped(options)
    check_values(options)
    check_hidden_layers(options)
    check_keep(options, "backprop")


def _answer(backprop: Backprop) -> tuple:
    return entries(backprop.by_layer[0].grad_weights)


def parts(backprop: Backprop) -> tuple[Part, ...]:
    """The forward pass's values, the loss, then from the output back each layer's delta,
    dL/dW and dL/db; dL/dW^(1) is the answer."""
    found = [p if p.answer is None else replace(p, answer=None) for p in layer_parts(backprop.forward)]
    found.append(Part("loss", backprop.loss))
    for step in backprop.steps:
        found += [Part("delta", v, step.l, (j,)) for j, v in enumerate(entries(step.delta), 1)]
        found += _grad_weights_parts(step)
        found += [Part("grad_bias", v, step.l, (j,)) for j, v in enumerate(entries(step.grad_bias), 1)]
    return tuple(found)


def answer_parts(backprop: Backprop) -> tuple[Part, ...]:
    """The parts of :func:`parts` that are the answer, dL/dW^(1)'s, made alone (the key asks for
    them; tests/test_fast_paths.py checks them against those of :func:`parts`)."""
    return tuple(_grad_weights_parts(backprop.steps[-1]))


def _grad_weights_parts(step) -> list[Part]:
    """dL/dW^(l)'s entries, row by row; those of dL/dW^(1) are the answer."""
    W, values = step.grad_weights, entries(step.grad_weights)
    first = step.l == 1
    return [Part("grad_weights", values[i * W.cols + j], step.l, (i + 1, j + 1),
                 answer=i * W.cols + j if first else None) for i in range(W.rows) for j in range(W.cols)]


KIND = Kind(
    name="backprop",
    title="the gradients of a training pass through dropout",
    draw=draw,
    rules=RULES,
    mistakes=mistakes,
    derive=derive_backprop,
    read_answer=_answer,
    compute_answer=answer,
    code_text=code_text,
    check_options=check_options,
    templates={"problem": "problem-backprop", "answer": "answer-backprop", "solution": "backprop"},
    intro="intro-backprop",
    uses_keep=True,
    drawn_with=shaped,
    parts=parts,
    answer_parts=answer_parts,
    answer_columns=lambda network: network.layers[0].W.cols,  # dL/dW^(1): a column per input
    smooth=SMOOTH,
)
