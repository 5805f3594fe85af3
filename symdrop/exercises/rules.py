"""Acceptance rules the kinds share: each a small named function of a candidate and the options.

A kind lists its rules in the order they are checked (cheapest first); the rules that depend on
the pass a student computes take its mode ("train" or "test") and return the rule itself.
"""

from fractions import Fraction

from ..core.forward import layer_values
from ..core.passnumbers import network_numbers
from ..model.network import Network
from .drawing import allowed, terminating
from .mistakes import clipping_layers
from .mistakes import distinct as answers_distinct
from .options import Options


def hand_computable(mode: str = "train", scaled: bool = False):
    def hand_computable(network: Network, options: Options) -> bool:
        """Every number written down is small: integers (int), denominators at most 2 (half) or
        at most two decimal places (decimal), within +-99; where the kind scales by q or 1/q,
        denominators at most 16 (int, half) or at most 4 decimal places (decimal). Checked for
        x, W, b, every masked input, product, running sum of z_i, z and a."""
        values = network_numbers(network)
        numbers_ = list(values.x)
        for (W, b), layer in zip(values.layers, layer_values(network, mode)):
            numbers_ += [w for row in W for w in row] + list(b) + written(layer)
        return all(allowed(v, options, scaled) for v in numbers_)

    return hand_computable


def written(layer, activations: bool = True) -> list:
    """Every number a student writes down for one layer of a pass (:class:`.core.forward.LayerValues`):
    the masked input, the weights multiplied by (q W when weight scaling), each product w_ij a~_j
    and each running sum of them, z (which adds the bias) and a (not with ``activations=False``)."""
    values = list(layer.masked) + [w for row in layer.weights for w in row] + list(layer.z)
    values += list(layer.a) if activations else []
    for terms in layer.terms:
        partial = 0
        for t in terms:
            partial += t
            values += [t, partial]
    return values


def no_relu_zero(mode: str = "train"):
    def no_relu_zero(network: Network, options: Options) -> bool:
        """No ReLU pre-activation is exactly 0 (nobody should wonder about relu(0))."""
        return all(
            v != 0 for layer, values in zip(network.layers, layer_values(network, mode)) if layer.activation == "relu"
            for v in values.z
        )

    return no_relu_zero


def masks_drop_active_units(network: Network, options: Options) -> bool:
    """Every hidden-layer mask drops a unit and keeps one, and every dropped unit is active
    (a > 0) in the training pass, so forgetting the mask changes the answer."""
    values = network_numbers(network)
    for l in range(1, network.depth):
        mu, a = values.masks[l], layer_values(network)[l - 1].a
        if 0 not in mu or 1 not in mu or any(m == 0 and v <= 0 for m, v in zip(mu, a)):
            return False
    return True


def relu_clips_negative(mode: str = "train"):
    def relu_clips_negative(network: Network, options: Options) -> bool:
        """Some ReLU unit the next layer uses clips a negative pre-activation to 0."""
        return bool(clipping_layers(network, mode))

    return relu_clips_negative


def keep_not_half(network: Network, options: Options) -> bool:
    """No keep probability is 1/2: there 1/q = 1/(1 - q) and q = 1 - q, which hides the
    keep/drop confusion (dividing by the drop probability gives the right answer)."""
    return all(q != Fraction(1, 2) for q in network_numbers(network).keep or ())


def mistakes_distinct(answer, mistakes):
    def mistakes_distinct(network: Network, options: Options) -> bool:
        """Every listed mistake's answer differs from every other's (each already differs from
        the correct answer, or it is not listed), so a wrong answer names exactly one mistake."""
        return answers_distinct(mistakes(network))

    return mistakes_distinct


def decimal_answers(answer, mistakes):
    def decimal_answers(network: Network, options: Options) -> bool:
        """With --answers decimal: the answer and every mistake's answer are terminating
        decimals of at most 4 places, so an LMS numerical question checks them exactly."""
        if options.answers != "decimal":
            return True
        values = list(answer(network)) + [v for m in mistakes(network) for v in m.answer]
        return all(terminating(v) for v in values)

    return decimal_answers
