"""MC dropout: the mean of sampled thinned networks, exact, with its standard error."""

import random
from collections import Counter
from dataclasses import dataclass
from fractions import Fraction

import sympy
from sympy import ImmutableMatrix

from .errors import SymdropError
from .network import Network
from .printing import decimal


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


def thinned_output(network: Network, masks) -> tuple:
    """The training pass's output for ``masks``, fast: Fractions, or SymPy for sigmoid and tanh."""
    rational = all(layer.g.negative_slope is not None for layer in network.layers)
    number = fraction if rational else (lambda v: v)
    inverted = network.dropout.convention == "inverted"
    a = [number(v) for v in network.x]
    for l, (layer, mu) in enumerate(zip(network.layers, masks), start=1):
        q = number(network.dropout.keep[l - 1])
        scale = 1 / q if inverted else 1
        masked = [v * scale if m else 0 for m, v in zip(mu, a)]
        z = [
            sum((number(w) * v for w, v in zip(layer.W.row(i), masked)), number(0)) + number(layer.b[i])
            for i in range(layer.units)
        ]
        if rational:
            c = number(layer.g.negative_slope)
            a = [v if v > 0 else c * v for v in z]
        else:
            a = [layer.g.apply(sympy.expand(v)) for v in z]
    return tuple(sympy.Rational(v.numerator, v.denominator) if rational else v for v in a)


def monte_carlo(network: Network, samples: int, seed: int) -> MonteCarlo:
    """The MC dropout estimate from ``samples`` masks drawn with ``random.Random(seed)``."""
    if samples < 2:
        raise SymdropError(f"--samples: expected at least 2 (the standard error needs two), got {samples}")
    network.dropout.require_keep("for Monte-Carlo sampling")
    rng = random.Random(seed)
    counts = Counter(sample_masks(network, rng) for _ in range(samples))
    outputs = {masks: thinned_output(network, masks) for masks in counts}
    units = network.layers[-1].units
    mean = [sympy.Add(*(k * outputs[m][i] for m, k in counts.items())) / samples for i in range(units)]
    # sample variance s^2 = sum (y - mean)^2 / (T - 1); the variance of the mean is s^2 / T
    variance = [
        sympy.Add(*(k * (outputs[m][i] - mean[i]) ** 2 for m, k in counts.items())) / (samples - 1) / samples
        for i in range(units)
    ]
    return MonteCarlo(samples, seed, ImmutableMatrix(mean), ImmutableMatrix(variance), len(counts))
