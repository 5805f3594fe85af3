"""An independent reference for the kind penalty:minimiser, from a key entry's spec alone: the
expected loss E[L](w) by visiting every mask of every example with Fractions, and its minimiser
found from the quadratic itself (E at w = 0, +-e_j and e_1 + e_2 gives its Hessian H and linear
term g; H w = g by Cramer's rule). Each mistake is the minimiser of the wrong model it stands
for: visited mask by mask where it is a wrong model (one mask per example, the drop rate, no bias),
and the slips of a formula (the other convention's variance factor, the penalty's sign, w for q w)
as the loss a student writes."""

from fractions import Fraction
from itertools import product


def read(spec: dict):
    """(X rows, t, b, q, inverted) of a penalty:minimiser spec."""
    X = [[Fraction(v) for v in row] for row in spec["input"]]
    t = [Fraction(row[0]) for row in spec["target"]]
    b = Fraction(spec["layers"][0]["bias"][0])
    return X, t, b, Fraction(spec["dropout"]["keep"][0]), spec["dropout"].get("convention") == "inverted"


def expected_loss(w, X, t, b, q, inverted, *, shared=False) -> Fraction:
    """E[L] = (1/B) sum_i E[1/2 (y_i - t_i)^2] over every mask of each example (one mask for both
    inputs of an example with ``shared``)."""
    total = Fraction(0)
    for x, target in zip(X, t):
        masks = [(m, m) for m in (0, 1)] if shared else list(product((0, 1), repeat=len(x)))
        for mu in masks:
            p = Fraction(1)
            for bit in (mu[:1] if shared else mu):
                p *= q if bit else 1 - q
            y = b + sum(wj * m * xj / (q if inverted else 1) for wj, m, xj in zip(w, mu, x))
            total += p * (y - target) ** 2 / 2
    return total / len(X)


def minimiser(loss):
    """argmin of a quadratic ``loss`` of two weights, from its values (None if H is singular)."""
    e0 = loss((0, 0))
    at = {v: loss(v) for v in ((1, 0), (-1, 0), (0, 1), (0, -1), (1, 1))}
    H11 = at[1, 0] + at[-1, 0] - 2 * e0
    H22 = at[0, 1] + at[0, -1] - 2 * e0
    H12 = at[1, 1] - at[1, 0] - at[0, 1] + e0
    g1, g2 = (at[-1, 0] - at[1, 0]) / 2, (at[0, -1] - at[0, 1]) / 2
    det = H11 * H22 - H12 * H12
    if det == 0:
        return None
    return [(g1 * H22 - H12 * g2) / det, (H11 * g2 - H12 * g1) / det]


def answer(spec: dict) -> list[Fraction]:
    X, t, b, q, inverted = read(spec)
    return minimiser(lambda w: expected_loss(w, X, t, b, q, inverted))


def mean_model_loss(w, X, t, b, m) -> Fraction:
    return sum((b + m * sum(wj * xj for wj, xj in zip(w, x)) - target) ** 2 / 2 for x, target in zip(X, t)) / len(X)


def penalty(w, X, v) -> Fraction:
    return sum(wj * wj * v * sum(x[j] ** 2 for x in X) for j, wj in enumerate(w)) / (2 * len(X))


def mistakes(spec: dict) -> dict:
    """Each mistake's minimiser (None where its system is singular): id -> answer."""
    X, t, b, q, inverted = read(spec)
    m = 1 if inverted else q
    other = q * (1 - q) if inverted else (1 - q) / q
    own = (1 - q) / q if inverted else q * (1 - q)
    found = {
        "no_penalty": minimiser(lambda w: mean_model_loss(w, X, t, b, m)),
        "penalty_sign": minimiser(lambda w: mean_model_loss(w, X, t, b, m) - penalty(w, X, own)),
        "shared_mask": minimiser(lambda w: expected_loss(w, X, t, b, q, inverted, shared=True)),
        "swapped_variance_factor": minimiser(lambda w: mean_model_loss(w, X, t, b, m) + penalty(w, X, other)),
        "drop_for_keep": minimiser(lambda w: expected_loss(w, X, t, b, 1 - q, inverted)),
        "forgot_bias": minimiser(lambda w: expected_loss(w, X, t, 0, q, inverted)),
    }
    if not inverted:
        found["mean_without_q"] = minimiser(lambda w: mean_model_loss(w, X, t, b, 1) + penalty(w, X, own))
    return found
