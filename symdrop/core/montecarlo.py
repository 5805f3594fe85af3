"""MC dropout: the mean of sampled thinned networks, exact, with its standard error."""

import random
from collections import Counter
from dataclasses import dataclass

import sympy
from sympy import ImmutableMatrix

from ..errors import SymdropError
from ..model.network import Network
from ..numbers import to_fraction, to_sympy
from .forward import prediction


@dataclass(frozen=True)
class MonteCarlo:
    """T sampled masks: the exact mean of their outputs and the exact variance of that mean.

    The standard error is the square root of ``variance_of_mean`` (``s^2 / T``, with the sample
    variance ``s^2``); documents show it as a decimal only, its exact square root being no help.
    """

    samples: int
    seed: int
    mean: ImmutableMatrix
    variance_of_mean: ImmutableMatrix
    distinct_masks: int

    @property
    def standard_error(self) -> tuple[sympy.Expr, ...]:
        """The standard error of every output, exact: the square root of the variance of the mean."""
        return tuple(sympy.sqrt(v) for v in self.variance_of_mean)


def sample_masks(network: Network, rng: random.Random) -> tuple[tuple[int, ...], ...]:
    """One draw of every mask: unit j of mask l is kept with probability q^(l) = m/n, exactly.

    ``rng.randrange(n) < m`` holds for m of the n equally likely values, so no float enters.
    """
    masks = []
    for l, mask in enumerate(network.masks):
        q = to_fraction(network.dropout.keep[l])
        masks.append(tuple(int(rng.randrange(q.denominator) < q.numerator) for _ in range(mask.rows)))
    return tuple(masks)


def monte_carlo(network: Network, samples: int, seed: int) -> MonteCarlo:
    """The MC dropout estimate from ``samples`` masks drawn with ``random.Random(seed)``."""
    if samples < 2:
        raise SymdropError(f"--samples: expected at least 2 (the standard error needs two), got {samples}")
    network.dropout.require_keep("for Monte-Carlo sampling")
    rng = random.Random(seed)
    counts = Counter(sample_masks(network, rng) for _ in range(samples))
    outputs = {masks: tuple(map(to_sympy, prediction(network, masks=masks))) for masks in counts}
    units = network.layers[-1].units
    mean = [sympy.Add(*(k * outputs[m][i] for m, k in counts.items())) / samples for i in range(units)]
    # sample variance s^2 = sum (y - mean)^2 / (T - 1); the variance of the mean is s^2 / T
    variance = [
        sympy.Add(*(k * (outputs[m][i] - mean[i]) ** 2 for m, k in counts.items())) / (samples - 1) / samples
        for i in range(units)
    ]
    return MonteCarlo(samples, seed, ImmutableMatrix(mean), ImmutableMatrix(variance), len(counts))
