"""Dropout's noise models on the input layer, where x is fixed: the counts of kept units,
Gaussian dropout, alpha dropout's affine constants, and one mask shared by the inputs (spatial
dropout) against one per input.

Gaussian dropout multiplies each input by noise of mean 1 and variance (1 - q)/q, the mean and
variance of inverted dropout's mu/q: z^(1) has the same first two moments either way, and so the
same expected squared loss of a linear layer. Alpha dropout sets a dropped input to alpha' (the
SELU's saturation value) and then applies a x + b with a and b chosen so that an input of mean 0
and variance 1 keeps them: E[x d + alpha'(1 - d)] = alpha'(1 - q) and its variance is
q + alpha'^2 q (1 - q), so a = (q + alpha'^2 q (1 - q))^(-1/2) and b = -a alpha' (1 - q); a^2
is rational when alpha' is.
"""

from dataclasses import dataclass

import sympy

from ..model.network import Network
from .passnumbers import Number, network_numbers

# PyTorch's and Keras's alpha' = -scale * alpha of the SELU, as their sources write it; read as
# written (a decimal is its exact value, 0.1 is 1/10), so a^2 is an exact rational.
ALPHA_WRITTEN = "-1.7580993408473766"
ALPHA_PRIME = sympy.Rational(ALPHA_WRITTEN)


@dataclass(frozen=True)
class Noise:
    """The noise models for the input's mask mu^(0), of one keep probability q over n inputs."""

    q: Number
    n: int
    all_dropped: Number  # (1 - q)^n
    expected_kept: Number  # n q
    noise_variance: Number  # (1 - q)/q, of Gaussian dropout's multiplicative noise
    z_mean: tuple  # of z^(1) under Gaussian dropout: b + W x
    z_variance: tuple  # sum_j W_ij^2 x_j^2 (1 - q)/q
    alpha_prime: sympy.Rational
    alpha_written: str  # alpha' as the spec (or PyTorch's source) writes it
    a_squared: sympy.Rational
    elementwise_variance: Number  # Var(sum_j mu_j x_j s), one mask per input
    shared_variance: Number  # Var(mu s sum_j x_j), one mask for them all
    scale: Number  # s: 1/q when inverted, else 1

    # a and b on demand: the square root of a^2 is slow to take for PyTorch's alpha' (a rational
    # of 16 decimal places), and an exercise on the other models never asks for it.
    @property
    def u_mean(self) -> sympy.Rational:
        """E[u] = alpha' (1 - q), u = x mu + alpha' (1 - mu) for an input of mean 0: b = -a E[u]."""
        return self.alpha_prime * (1 - sympy.Rational(self.q))

    @property
    def a(self) -> sympy.Expr:
        return sympy.sqrt(self.a_squared)

    @property
    def b(self) -> sympy.Expr:
        return -self.a * self.u_mean


def input_noise(network: Network) -> Noise | None:
    """The noise models of the input's mask, when it has one keep probability q < 1 (None else)."""
    numbers = network_numbers(network)
    q = numbers.keep[0] if numbers.keep is not None else 1
    if isinstance(q, tuple) or q == 1 or network.dropout.connections:
        return None
    x, (W, b) = numbers.x, numbers.layers[0]
    n = len(x)
    variance = (1 - q) / q
    given = network.dropout.alpha
    alpha = ALPHA_PRIME if given is None else given
    qs = sympy.Rational(q) if not isinstance(q, sympy.Basic) else q
    a_squared = 1 / (qs + alpha**2 * qs * (1 - qs))
    s = 1 / q if network.dropout.convention.divides else 1
    spread = q * (1 - q) * s * s
    return Noise(
        q=q, n=n, all_dropped=(1 - q) ** n, expected_kept=n * q, noise_variance=variance,
        z_mean=tuple(bias + sum((w * v for w, v in zip(row, x)), 0) for row, bias in zip(W, b)),
        z_variance=tuple(sum((w * w * v * v * variance for w, v in zip(row, x)), 0) for row in W),
        alpha_prime=alpha, alpha_written=ALPHA_WRITTEN if given is None else written(given), a_squared=a_squared,
        elementwise_variance=spread * sum((v * v for v in x), 0), shared_variance=spread * sum(x, 0) ** 2,
        scale=s,
    )


def written(value: sympy.Rational) -> str:
    """A rational as a spec writes it: a decimal where it terminates (-1.7580993408473766), else p/q."""
    places = next((k for k in range(41) if 10**k % value.q == 0), None)
    if places is None:
        return str(value)
    digits = str(abs(value.p) * 10**places // value.q).rjust(places + 1, "0")
    text = digits[: len(digits) - places] + ("." + digits[-places:] if places else "")
    return ("-" if value.p < 0 else "") + text
