"""An independent reference for the exercise kind "penalty", from a key entry's spec alone: E[L]
of the batch by visiting every mask of every example with Fractions, the penalty as E[L] minus
the loss at the mean outputs (each E[y_i] itself a sum over the masks), and each mistake's answer
by the wrong model it stands for, visited the same way (the loss without 1/2, summed over the
examples, the drop probability for the keep, the mean model's w for q w), or as the formula a
student writes where it is a slip of the formula (the penalty's sign, the other variance factor)."""

from fractions import Fraction
from itertools import product


def read(spec: dict):
    """(xs, ts, w, b, q, inverted) of a penalty problem's spec (a batch: input a list of rows)."""
    xs = [[Fraction(v) for v in row] for row in spec["input"]]
    ts = [Fraction(row[0]) for row in spec["target"]]
    layer = spec["layers"][0]
    w = [Fraction(v) for v in layer["weights"][0]]
    b = Fraction(layer["bias"][0])
    q = Fraction(spec["dropout"]["keep"][0])
    assert spec.get("loss", "squared") == "squared"
    return xs, ts, w, b, q, spec["dropout"].get("convention") == "inverted"


def outputs(x, w, b, q, inverted):
    """(y, probability) of one example over every mask of its inputs."""
    found = []
    for mu in product((0, 1), repeat=len(x)):
        p = Fraction(1)
        for bit in mu:
            p *= q if bit else 1 - q
        found.append((b + sum(wj * m * (1 / q if inverted else 1) * xj for wj, m, xj in zip(w, mu, x)), p))
    return found


def expected_loss(xs, ts, w, b, q, inverted, *, half=Fraction(1, 2), mean=True) -> Fraction:
    """E over every mask of every example of (1/B) sum_i half (y_i - t_i)^2 (no 1/B unless ``mean``)."""
    total = sum(p * half * (y - t) ** 2 for x, t in zip(xs, ts) for y, p in outputs(x, w, b, q, inverted))
    return total / len(xs) if mean else total


def loss_at_mean(xs, ts, w, b, q, inverted, *, half=Fraction(1, 2), mean=True) -> Fraction:
    """The same loss at each example's mean output E[y_i] (a sum over its masks)."""
    total = sum(half * (sum(p * y for y, p in outputs(x, w, b, q, inverted)) - t) ** 2 for x, t in zip(xs, ts))
    return total / len(xs) if mean else total


def pair(xs, ts, w, b, q, inverted, **loss) -> list[Fraction]:
    """[E[L], E[L] - L(mean outputs)] by enumeration."""
    expected = expected_loss(xs, ts, w, b, q, inverted, **loss)
    return [expected, expected - loss_at_mean(xs, ts, w, b, q, inverted, **loss)]


def answer(spec: dict) -> list[Fraction]:
    return pair(*read(spec))


def mistakes(spec: dict) -> dict:
    """Each mistake's (E[L], penalty): id -> answer (the mistakes that give the answer left out)."""
    xs, ts, w, b, q, inverted = read(spec)
    expected, term = pair(xs, ts, w, b, q, inverted)
    of_mean = expected - term
    other = q * (1 - q) if inverted else (1 - q) / q  # the other convention's variance factor
    swapped = Fraction(1, 2 * len(xs)) * sum(wj ** 2 * other * sum(x[j] ** 2 for x in xs) for j, wj in enumerate(w))
    found = {
        "forgot_half": pair(xs, ts, w, b, q, inverted, half=Fraction(1)),
        "summed_examples": pair(xs, ts, w, b, q, inverted, mean=False),
        "penalty_sign": [of_mean - term, term],
        "swapped_variance_factor": [of_mean + swapped, swapped],
        "drop_for_keep": pair(xs, ts, w, b, 1 - q, inverted),
    }
    if not inverted:  # the mean model of every weight kept: q = 1 in the mean, the penalty as it is
        found["mean_without_q"] = [loss_at_mean(xs, ts, w, b, Fraction(1), False) + term, term]
    return {name: value for name, value in found.items() if value != [expected, term]}
