"""An independent reference for the exercise kind "noise", from a key entry's spec alone: the
question its title names, and its answer by the definitions (every mask visited, with Fractions;
alpha dropout's constants from u's moments summed over the mask, as tests/reference_noise.py has
them), and each mistake's answer by the wrong model it stands for."""

from fractions import Fraction
from itertools import product

from . import reference_noise as ref
from .reference_variance import moments

HEADINGS = {"gaussian dropout": "gaussian", "alpha dropout": "alpha", "spatial dropout": "spatial",
            "counts of kept units": "counts"}


def question(spec: dict) -> str:
    """The question a title such as "Problem 3 (variant K7Q2XM): Gaussian dropout" names."""
    asked = spec["title"].rsplit(": ", 1)[-1].strip().lower()
    return HEADINGS[asked]


def read(spec: dict):
    """(q, x, w, b, inverted, alpha') of a noise problem's spec."""
    layer = spec["layers"][0]
    dropout = spec["dropout"]
    return (Fraction(dropout["keep"][0]), [Fraction(v) for v in spec["input"]], [Fraction(v) for v in layer["weights"][0]],
            Fraction(layer["bias"][0]), dropout.get("convention") == "inverted", Fraction(dropout.get("alpha", "0")))


def unit_variance(x, w, q, inverted: bool, shared: bool = False) -> Fraction:
    """Var(sum_j w_j mu_j s x_j) over every mask (one shared by all with ``shared``)."""
    n = len(x)
    s = 1 / q if inverted else Fraction(1)
    masks = [(bit,) * n for bit in (0, 1)] if shared else product((0, 1), repeat=n)
    values = []
    for mu in masks:
        p = Fraction(1)
        for bit in (mu[:1] if shared else mu):
            p *= q if bit else 1 - q
        values.append((sum(wj * m * s * xj for wj, m, xj in zip(w, mu, x)), p))
    return moments(values)[1]


def gaussian(spec: dict, q=None) -> list:
    """sigma^2 = Var(mu/q) and Var(z): inverted dropout's, whose moments Gaussian dropout takes."""
    q0, x, w, _, _, _ = read(spec)
    q = q0 if q is None else q
    return [moments([(1 / q, q), (Fraction(0), 1 - q)])[1], unit_variance(x, w, q, True)]


def alpha_constants(q: Fraction, alpha: Fraction) -> list:
    """(a^2, b/a): a^2 = 1/Var(u) and, as b = -a E[u], b/a = -E[u], E[u] summed over the mask."""
    mean = sum((p * (Fraction(0) * d + alpha * (1 - d)) for p, d in ((q, 1), (1 - q, 0))), Fraction(0))
    return [ref.alpha(q, alpha)["a_squared"], -mean]


def answer(spec: dict) -> list:
    q, x, w, _, inverted, alpha = read(spec)
    asked = question(spec)
    if asked == "gaussian":
        return gaussian(spec)
    if asked == "alpha":
        return alpha_constants(q, alpha)
    if asked == "spatial":
        found = ref.spatial(tuple(x), q, inverted)
        return [found["elementwise_variance"], found["shared_variance"]]
    found = ref.counts(len(x), q)
    return [found["all_dropped"], found["expected_kept"]]


def mistakes(spec: dict) -> dict:
    """Each mistake's answer: id -> answer."""
    q, x, w, _, inverted, alpha = read(spec)
    asked = question(spec)
    right = answer(spec)
    if asked == "gaussian":
        plain = unit_variance(x, w, q, False)  # a plain mask's variance q(1 - q) in every term
        return {"other_rate": gaussian(spec, 1 - q), "plain_mask_variance": [q * (1 - q), plain],
                "forgot_square": [right[0], sum(wj * xj for wj, xj in zip(w, x)) * right[0]],
                "shared_mask": [right[0], unit_variance(x, w, q, True, shared=True)]}
    if asked == "alpha":
        mean, second = alpha * (1 - q), q + alpha * alpha * (1 - q)  # E[u], E[u^2] (E[x] = 0, E[x^2] = 1)
        return {"drop_for_keep": alpha_constants(1 - q, alpha),
                "second_moment": [1 / second, right[1]], "not_inverted": [second - mean * mean, right[1]],
                "sign_of_b": [right[0], -right[1]]}
    if asked == "spatial":
        other = ref.spatial(tuple(x), q, not inverted)  # the other convention's mask variance
        flipped = ref.spatial(tuple(x), 1 - q, inverted)
        e, s = right
        return {"shared_for_elementwise": [s, s], "elementwise_for_shared": [e, e], "swapped": [s, e],
                "swapped_variance_factor": [other["elementwise_variance"], other["shared_variance"]],
                "drop_for_keep": [flipped["elementwise_variance"], flipped["shared_variance"]]}
    n = len(x)
    flipped = ref.counts(n, 1 - q)
    all_kept = sum((p for p, mu in ref.input_masks(n, q) if all(mu)), Fraction(0))
    dropped = sum((p * (n - sum(mu)) for p, mu in ref.input_masks(n, q)), Fraction(0))
    return {"drop_for_keep": [flipped["all_dropped"], flipped["expected_kept"]], "all_kept": [all_kept, right[1]],
            "expected_dropped": [right[0], dropped], "shared_mask": [1 - q, right[1]]}
