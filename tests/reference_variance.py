"""An independent reference for the exercise kind "variance", from a key entry's spec alone:
the unit's mean and variance by visiting every mask with Fractions, and each mistake's answer by
the wrong model it stands for (visited mask by mask where the mistake is a wrong model; the
slips of a formula, a factor swapped or a square forgotten, as the formula a student writes)."""

from fractions import Fraction
from itertools import product


def read(spec: dict):
    """(x, w, b, q per input, inverted) of a variance problem's spec."""
    x = [Fraction(v) for v in spec["input"]]
    layer = spec["layers"][0]
    w = [Fraction(v) for v in layer["weights"][0]]
    b = Fraction(layer["bias"][0])
    keep = spec["dropout"]["keep"][0]
    q = [Fraction(v) for v in keep] if isinstance(keep, list) else [Fraction(keep)] * len(x)
    return x, w, b, q, spec["dropout"].get("convention") == "inverted"


def moments(values: list[tuple[Fraction, Fraction]]) -> tuple[Fraction, Fraction]:
    """(mean, variance) of a distribution given as (value, probability) pairs."""
    mean = sum(p * v for v, p in values)
    return mean, sum(p * v * v for v, p in values) - mean * mean


def visit(x, w, b, q, inverted, *, shared=False, bias_masked=False):
    """S over every mask: independent masks (or one shared by every input), the bias masked too
    where asked (by the first input's mask's q: one q for all)."""
    n = len(x)
    masks = [(bit,) * n for bit in (0, 1)] if shared else list(product((0, 1), repeat=n))
    values = []
    for mu in masks:
        p = Fraction(1)
        for j, bit in enumerate(mu[:1] if shared else mu):
            p *= q[j] if bit else 1 - q[j]
        scale = [(1 / q[j] if inverted else 1) for j in range(n)]
        s = sum(w[j] * mu[j] * scale[j] * x[j] for j in range(n))
        if bias_masked:
            for bit in (0, 1):
                pb = q[0] if bit else 1 - q[0]
                values.append((s + b * bit * scale[0], p * pb))
        else:
            values.append((s + b, p))
    return moments(values)


def answer(spec: dict) -> list[Fraction]:
    x, w, b, q, inverted = read(spec)
    return list(visit(x, w, b, q, inverted))


def mistakes(spec: dict) -> dict:
    """Each mistake's (mean, variance): id -> answer."""
    x, w, b, q, inverted = read(spec)
    mean, variance = visit(x, w, b, q, inverted)
    other = [(1 - qj) / qj if not inverted else qj * (1 - qj) for qj in q]  # the other convention's factor
    own = [qj * (1 - qj) if not inverted else (1 - qj) / qj for qj in q]
    found = {
        "swapped_variance_factor": [mean, sum((w[j] * x[j]) ** 2 * other[j] for j in range(len(x)))],
        "forgot_square": [mean, sum(w[j] * x[j] * own[j] for j in range(len(x)))],
        "drop_for_keep": list(visit(x, w, b, [1 - qj for qj in q], inverted)),
        "masked_bias": list(visit(x, w, b, q, inverted, bias_masked=True)),
        "shared_mask": list(visit(x, w, b, q, inverted, shared=True)),
    }
    if not inverted:
        found["mean_without_q"] = [b + sum(w[j] * x[j] for j in range(len(x))), variance]
    return found
