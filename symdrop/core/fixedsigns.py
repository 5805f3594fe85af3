"""The exact mean's one fast path: where no ReLU input can change sign over the masks, E[y] = y(E[mu]).

Interval bounds carried layer by layer enclose every value a unit takes over every mask. Where
they show that the input z of every ReLU (and leaky ReLU) keeps its sign, each activation acts on
it as one linear map (slope 1, or its negative slope) whatever the masks, so y is a composition
of affine maps of the masked inputs: multilinear in the mask entries, each entry in at most one
factor of a term. The masks are independent, so E[y] = y(E[mu]): one exact pass with every mask
entry at its mean q (the pass divides by q where inverted dropout does: E[mu / q] = 1). That is
the test-time pass, so the gap is 0 there. Anything else (a unit that may change sign, sigmoid or
tanh, DropConnect, keep probabilities as symbols) takes the plain path, :func:`.mean.exact_mean`.
"""

from fractions import Fraction

from ..model.network import Network
from .forward import layer_rules, prediction
from .passnumbers import network_numbers


def fixed_signs(network: Network) -> bool:
    """Whether interval bounds, carried layer by layer over every mask, show that no input of a
    ReLU or leaky ReLU changes sign (rational networks of piecewise linear activations, units
    masked; otherwise False)."""
    numbers = network_numbers(network)
    if network.dropout.connections or not numbers.python or numbers.keep is None:
        return False
    rules = layer_rules(network.dropout, network.depth, "train")
    low = high = numbers.x  # a^(0) = x: no mask before it
    for (W, b), layer, rule, q in zip(numbers.layers, network.layers, rules, numbers.keep):
        qs = q if isinstance(q, tuple) else (q,) * len(low)
        low, high = _masked_bounds(low, high, qs, rule)
        z_low = [sum((w * (lo if w > 0 else hi) for w, lo, hi in zip(row, low, high)), bias)
                 for row, bias in zip(W, b)]
        z_high = [sum((w * (hi if w > 0 else lo) for w, lo, hi in zip(row, low, high)), bias)
                  for row, bias in zip(W, b)]
        slope = layer.g.negative_slope  # 1: the identity, no kink at 0
        if slope != 1 and any(lo < 0 < hi for lo, hi in zip(z_low, z_high)):
            return False
        c = Fraction(int(slope.p), int(slope.q))
        g = [(lambda z: z) if lo >= 0 else (lambda z: c * z) for lo in z_low]  # linear on each unit's interval
        low = [min(f(lo), f(hi)) for f, lo, hi in zip(g, z_low, z_high)]
        high = [max(f(lo), f(hi)) for f, lo, hi in zip(g, z_low, z_high)]
    return True


def _masked_bounds(low, high, qs, rule) -> tuple[list, list]:
    """Bounds of the masked input: a unit with q < 1 is 0 or its value (over q when inverted)."""
    if not rule.masked:
        return list(low), list(high)
    divides = rule.input_scale is not None
    bounds = []
    for lo, hi, q in zip(low, high, qs):
        if q == 1:
            bounds.append((lo, hi))
        else:
            s = 1 / Fraction(q) if divides else 1
            bounds.append((min(0, s * lo), max(0, s * hi)))
    return [lo for lo, _ in bounds], [hi for _, hi in bounds]


def mean_at_expected_masks(network: Network) -> tuple:
    """y(E[mu]): the core's training pass with every mask entry at its keep probability q (units
    whose q is 1 at 1). Equal to E[y] where :func:`fixed_signs` holds, and only there in general."""
    numbers = network_numbers(network)
    expected = tuple(q if isinstance(q, tuple) else (q,) * len(mask) for q, mask in zip(numbers.keep, numbers.masks))
    return prediction(network, masks=expected)
