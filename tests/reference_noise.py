"""The noise block of `symdrop moments` (tests/MOMENTS_CONTRACT.md, "noise"), from the definitions.

The input layer, x fixed, one q for all n inputs:

- counts: every mask of the n inputs enumerated: P(all dropped), E[number kept];
- Gaussian dropout: z = W (xi * x) + b with xi_j independent, E[xi] = 1 and Var(xi) the variance of
  inverted dropout's factor mu / q (enumerated over mu); the mean and the variance of a sum of
  independent terms, E[z_k] = sum_j W_kj E[xi_j] x_j + b_k, Var(z_k) = sum_j W_kj^2 x_j^2 Var(xi_j);
- alpha dropout: u = x d + alpha' (1 - d), d ~ Bernoulli(q) independent of x with E[x] = 0 and
  E[x^2] = 1; E[u] and E[u^2] by summing over d, and a, b such that a u + b has mean 0 and
  variance 1: a = Var(u)^(-1/2) (the positive root), b = -a E[u];
- spatial: Var(sum_j s_j x_j) with an independent mask per input against one mask shared by all
  (s = mu, divided by q when inverted), each by enumerating the masks.
"""

import math
from fractions import Fraction

import mpmath

from . import reference_model as ref
from .reference_moments import mean, mp, variance

ALPHA_PRIME = "-1.7580993408473766"  # PyTorch's and Keras's alpha' = -lambda alpha of SELU, as written


def applies(net) -> bool:
    model = net.model
    q = model.keep[0] if model.kind == "units" else ()
    return model.kind == "units" and not model.batch and len(set(q)) == 1 and q[0] < 1


def input_masks(n: int, q: Fraction):
    """(P(mu), mu) for every mask of n inputs, each kept with q."""
    for bits in range(2 ** n):
        mu = [Fraction((bits >> j) & 1) for j in range(n)]
        p = Fraction(1)
        for m in mu:
            p *= q if m else 1 - q
        yield p, mu


def counts(n: int, q: Fraction) -> dict:
    masks = list(input_masks(n, q))
    return {"all_dropped": sum((p for p, mu in masks if not any(mu)), Fraction(0)),
            "expected_kept": mean([(p, sum(mu)) for p, mu in masks])}


def gaussian(model: ref.Model, q: Fraction) -> dict:
    factor = [(q, 1 / q), (1 - q, Fraction(0))]  # mu / q over mu = 1, 0
    assert mean(factor) == 1
    v = variance(factor)
    x, layer = model.inputs[0], model.layers[0]
    return {"noise_variance": v,
            "z_mean": [sum((w * 1 * xj for w, xj in zip(row, x)), Fraction(0)) + bk for row, bk in zip(layer.W, layer.b)],
            "z_variance": [sum((w ** 2 * xj ** 2 * v for w, xj in zip(row, x)), Fraction(0)) for row in layer.W]}


def rational_sqrt(value: Fraction):
    """The exact square root of a positive Fraction when it is rational, else a 50-digit number."""
    n, d = value.numerator, value.denominator
    rn, rd = math.isqrt(n), math.isqrt(d)
    if rn * rn == n and rd * rd == d:
        return Fraction(rn, rd)
    return mpmath.sqrt(mp(value))


def alpha(q: Fraction, alpha_prime: Fraction) -> dict:
    Ex, Ex2 = Fraction(0), Fraction(1)
    ds = [(q, 1), (1 - q, 0)]
    Eu = sum((p * (Ex * d + alpha_prime * (1 - d)) for p, d in ds), Fraction(0))
    Eu2 = sum((p * (Ex2 * d * d + 2 * Ex * d * alpha_prime * (1 - d) + alpha_prime ** 2 * (1 - d) ** 2) for p, d in ds),
              Fraction(0))
    a_squared = 1 / (Eu2 - Eu ** 2)
    a = rational_sqrt(a_squared)
    return {"alpha_prime": alpha_prime, "a_squared": a_squared, "a": a, "b": -a * Eu}


def spatial(x: tuple, q: Fraction, inverted: bool) -> dict:
    scale = 1 / q if inverted else Fraction(1)
    elementwise = [(p, sum((m * scale * xj for m, xj in zip(mu, x)), Fraction(0))) for p, mu in input_masks(len(x), q)]
    shared = [(p, sum((mu[0] * scale * xj for xj in x), Fraction(0))) for p, mu in input_masks(1, q)]
    return {"elementwise_variance": variance(elementwise), "shared_variance": variance(shared)}


def noise(net, spec: dict) -> dict:
    model = net.model
    q = model.keep[0][0]
    x = model.inputs[0]
    alpha_prime = ref.number((spec.get("dropout") or {}).get("alpha", ALPHA_PRIME))
    return {"q": q, "kept": counts(len(x), q), "gaussian": gaussian(model, q), "alpha": alpha(q, alpha_prime),
            "spatial": spatial(x, q, model.convention == "inverted")}
