"""MC dropout: the mean of sampled thinned networks, exact, with its standard error."""

import random
from collections import Counter
from dataclasses import dataclass
from fractions import Fraction

import sympy
from sympy import ImmutableMatrix

from ..errors import SymdropError
from ..model.network import Network
from ..render.printing import decimal


@dataclass(frozen=True)
class MonteCarlo:
    """T sampled masks: the exact mean of their outputs and the exact variance of that mean.

    The standard error is the square root of ``variance_of_mean`` (``s^2 / T``, with the sample
    variance ``s^2``); it is shown as a decimal only, its exact square root being no help.
    """

    samples: int
    seed: int
    mean: ImmutableMatrix
    variance_of_mean: ImmutableMatrix
    distinct_masks: int

    @property
    def standard_error(self) -> tuple[str, ...]:
        """The standard error of every output, 15 significant digits."""
        return tuple(decimal(sympy.sqrt(v)) for v in self.variance_of_mean)


def fraction(value) -> Fraction:
    """A SymPy rational as a :class:`fractions.Fraction` (which is faster to add)."""
    value = sympy.Rational(value)
    return Fraction(int(value.p), int(value.q))


def sample_masks(network: Network, rng: random.Random) -> tuple[tuple[int, ...], ...]:
    """One draw of every mask: unit j of mask l is kept with probability q^(l) = m/n, exactly.

    ``rng.randrange(n) < m`` holds for m of the n equally likely values, so no float enters.
    """
    masks = []
    for l, mask in enumerate(network.masks):
        q = fraction(network.dropout.keep[l])
        masks.append(tuple(int(rng.randrange(q.denominator) < q.numerator) for _ in range(mask.rows)))
    return tuple(masks)


def thinned_pass(network: Network):
    """A fast function ``masks -> output`` of the training pass: Fractions, converted once, for
    piecewise linear activations; SymPy for sigmoid and tanh."""
    rational = all(layer.g.negative_slope is not None for layer in network.layers)
    number = fraction if rational else sympy.sympify
    inverted = network.dropout.convention == "inverted"
    x = [number(v) for v in network.x]
    layers = []
    for l, layer in enumerate(network.layers, start=1):
        q = number(network.dropout.keep[l - 1])
        W = [[number(w) for w in layer.W.row(i)] for i in range(layer.units)]
        b = [number(v) for v in layer.b]
        g = (lambda c: lambda v: v if v > 0 else c * v)(number(layer.g.negative_slope)) if rational else layer.g.apply
        layers.append((W, b, 1 / q if inverted else 1, g))

    def output(masks) -> tuple:
        a = x
        for (W, b, scale, g), mu in zip(layers, masks):
            masked = [v * scale if m else 0 for m, v in zip(mu, a)]
            a = [g(sum((w * v for w, v in zip(row, masked)), c)) for row, c in zip(W, b)]
        return tuple(sympy.Rational(v.numerator, v.denominator) for v in a) if rational else tuple(a)

    return output


def monte_carlo(network: Network, samples: int, seed: int) -> MonteCarlo:
    """The MC dropout estimate from ``samples`` masks drawn with ``random.Random(seed)``."""
    if samples < 2:
        raise SymdropError(f"--samples: expected at least 2 (the standard error needs two), got {samples}")
    network.dropout.require_keep("for Monte-Carlo sampling")
    rng = random.Random(seed)
    counts = Counter(sample_masks(network, rng) for _ in range(samples))
    output = thinned_pass(network)
    outputs = {masks: output(masks) for masks in counts}
    units = network.layers[-1].units
    mean = [sympy.Add(*(k * outputs[m][i] for m, k in counts.items())) / samples for i in range(units)]
    # sample variance s^2 = sum (y - mean)^2 / (T - 1); the variance of the mean is s^2 / T
    variance = [
        sympy.Add(*(k * (outputs[m][i] - mean[i]) ** 2 for m, k in counts.items())) / (samples - 1) / samples
        for i in range(units)
    ]
    return MonteCarlo(samples, seed, ImmutableMatrix(mean), ImmutableMatrix(variance), len(counts))
