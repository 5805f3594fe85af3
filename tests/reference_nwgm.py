"""An independent reference for the exercise kind "nwgm", from a key entry's spec alone: every mask
of the inputs visited with Fractions (its probability and S, exact), then each mean as a decimal with
math.exp (floats: good to some 1e-15, far inside the kind's tolerance of 1/1000), and each mistake
by the wrong model it stands for. Each value is one function of a law of S (its values and
probabilities, merged and sorted), so the same value computed twice is the same float."""

import math
from fractions import Fraction
from itertools import product


def read(spec: dict):
    """(x, w, b, q, inverted) of an nwgm problem's spec: one q for every input."""
    x = [Fraction(v) for v in spec["input"]]
    layer = spec["layers"][0]
    w = [Fraction(v) for v in layer["weights"][0]]
    b = Fraction(layer["bias"][0])
    q = Fraction(spec["dropout"]["keep"][0])
    return x, w, b, q, spec["dropout"].get("convention") == "inverted"


def masks(x, w, b, q, inverted, *, uniform=False):
    """[(mu, P, S)] over every mask of the inputs (each kept with probability q, or every mask
    equally likely with ``uniform``)."""
    n = len(x)
    found = []
    for mu in product((1, 0), repeat=n):
        p = Fraction(1, 2**n) if uniform else math.prod((q if bit else 1 - q for bit in mu), start=Fraction(1))
        s = b + sum((w[j] * mu[j] * x[j] / (q if inverted else 1) for j in range(n)), Fraction(0))
        found.append((mu, p, s))
    return found


def law(rows) -> tuple:
    merged = {}
    for _, p, s in rows:
        merged[s] = merged.get(s, Fraction(0)) + p
    return tuple(sorted((s, p) for s, p in merged.items() if p))


def sigma(s: Fraction) -> float:
    return 1 / (1 + math.exp(-s))


def mean_of_sigma(law_) -> float:
    return math.fsum(float(p) * sigma(s) for s, p in law_) if len(law_) > 1 else sigma(law_[0][0])


def sigma_of_mean(law_) -> float:
    return sigma(sum((p * s for s, p in law_), Fraction(0)))


def geometric(law_) -> float:
    return math.exp(math.fsum(float(p) * math.log(sigma(s)) for s, p in law_))


def answer(spec: dict) -> list[Fraction]:
    """(E[sigma(S)], sigma(E[S])) as Fractions of their floats."""
    x, w, b, q, inverted = read(spec)
    dist = law(masks(x, w, b, q, inverted))
    return [Fraction(mean_of_sigma(dist)), Fraction(sigma_of_mean(dist))]


def mistakes(spec: dict) -> dict:
    """Each mistake's (E[sigma(S)], NWGM) as the wrong model gives it: id -> answer (Fractions of
    floats); those that give the key's answer too (q = 1/2 hides two) are left in, for the caller."""
    x, w, b, q, inverted = read(spec)
    dist = law(masks(x, w, b, q, inverted))
    mean, nwgm = mean_of_sigma(dist), sigma_of_mean(dist)
    dropped = law(masks(x, w, b, 1 - q, inverted))
    uniform = law(masks(x, w, b, q, inverted, uniform=True))
    found = {
        "mean_for_nwgm": [mean, mean],
        "nwgm_for_mean": [nwgm, nwgm],
        "swapped_means": [nwgm, mean],
        "unnormalised_geometric": [mean, geometric(dist)],
        "drop_for_keep": [mean_of_sigma(dropped), sigma_of_mean(dropped)],
        "unweighted_masks": [mean_of_sigma(uniform), sigma_of_mean(uniform)],
    }
    if inverted:
        plain = law(masks(x, w, b, q, False))
        found["forgot_scale"] = [mean_of_sigma(plain), sigma_of_mean(plain)]
    else:
        every = sigma(b + sum(wj * xj for wj, xj in zip(w, x)))
        found["forgot_masks"] = [every, every]
        found["mean_without_q"] = [mean, every]
    return {name: [Fraction(v) for v in values] for name, values in found.items()}
