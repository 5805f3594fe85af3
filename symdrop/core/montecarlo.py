"""MC dropout: the mean of sampled thinned networks, exact, with its standard error."""

import random
from collections import Counter
from dataclasses import dataclass, replace
from functools import lru_cache

import sympy
from sympy import ImmutableMatrix

from ..errors import SymdropError
from ..model.network import Network
from ..numbers import to_fraction, to_sympy
from .forward import prediction
from .moments import moments


@dataclass(frozen=True)
class MonteCarlo:
    """T sampled masks: the exact mean of their outputs, the sample's estimate of that mean's
    variance, and the mean's true variance over the masks.

    ``estimated_variance_of_mean`` is ``s^2 / T`` with the sample variance ``s^2``: computed exactly from
    the sample, but an estimate of the variance of the mean, which is ``Var(y) / T`` over every
    mask (``exact_variance_of_mean``, None beyond the limits of ``symdrop moments``). The
    standard error is the square root of the estimate; documents show it as a decimal only.
    """

    samples: int
    seed: int
    mean: ImmutableMatrix
    estimated_variance_of_mean: ImmutableMatrix
    distinct_masks: int
    exact_variance_of_mean: ImmutableMatrix | None = None

    @property
    def standard_error(self) -> tuple[sympy.Expr, ...]:
        """The standard error of every output, exact: the square root of the variance of the mean."""
        return tuple(sympy.sqrt(v) for v in self.estimated_variance_of_mean)


def sample_masks(network: Network, rng: random.Random) -> tuple[tuple, ...]:
    """One draw of every mask, in the core's format: entry i of mask l (a unit, or with
    DropConnect a weight, row by row) is kept with its own probability q = m/n, exactly.

    ``rng.randrange(n) < m`` holds for m of the n equally likely values, so no float enters;
    a mask of units is a tuple of bits, a DropConnect mask a tuple of rows.
    """
    return tuple(
        tuple(tuple(int(rng.randrange(n) < m) for m, n in row) for row in rows) if connections
        else tuple(int(rng.randrange(n) < m) for (m, n), in rows)
        for rows, connections in _entries(network)
    )


@lru_cache(maxsize=64)
def _entries(network: Network) -> tuple:
    """Every mask's (m, n) of each entry's q = m/n, row by row, read once (a draw asks 10^5 times)."""
    found = []
    for l, mask in enumerate(network.masks):
        keep = network.dropout.keep_of(l, mask.shape)
        fractions = [[to_fraction(q) for q in keep.row(i)] for i in range(keep.rows)]
        found.append((tuple(tuple((q.numerator, q.denominator) for q in row) for row in fractions),
                      network.dropout.connections))
    return tuple(found)


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
    return MonteCarlo(samples, seed, ImmutableMatrix(mean), ImmutableMatrix(variance), len(counts),
                      exact_variance_of_mean(network, samples))


def exact_variance_of_mean(network: Network, samples: int) -> ImmutableMatrix | None:
    """Var(y) / T over every mask, exact (None where ``symdrop moments`` would refuse the network)."""
    try:
        found = moments(replace(network, target=None))
    except SymdropError:
        return None
    return ImmutableMatrix([to_sympy(v) / samples for v in found.prediction.variance])
