"""An independent reference for the exercise kind "dropconnect", from a key entry's spec alone:
the two units' means, variances and covariance by visiting every weight mask with Fractions, and
each mistake's answer by the wrong model it stands for (visited mask by mask where the mistake is
a wrong model: the biases masked, the units masked, the drop rate taken for q; the slips of a
formula, a factor swapped, a square or x forgotten, the second moment for the variance, as the
formula a student writes)."""

from fractions import Fraction
from itertools import product


def read(spec: dict):
    """(x, W, b, q, inverted) of a dropconnect problem's spec."""
    x = [Fraction(v) for v in spec["input"]]
    layer = spec["layers"][0]
    W = [[Fraction(v) for v in row] for row in layer["weights"]]
    b = [Fraction(v) for v in layer["bias"]]
    assert spec["dropout"]["kind"] == "dropconnect"
    return x, W, b, Fraction(spec["dropout"]["keep"][0]), spec["dropout"].get("convention") == "inverted"


def statistics(values: list[tuple[tuple, Fraction]]) -> list[Fraction]:
    """(E[z_1], E[z_2], Var(z_1), Var(z_2), Cov(z_1, z_2)) of a distribution of (z, probability)."""
    assert sum(p for _, p in values) == 1
    e = [sum(p * z[i] for z, p in values) for i in (0, 1)]
    second = [[sum(p * z[i] * z[k] for z, p in values) for k in (0, 1)] for i in (0, 1)]
    return e + [second[0][0] - e[0] ** 2, second[1][1] - e[1] ** 2, second[0][1] - e[0] * e[1]]


def visit(x, W, b, q, inverted, *, units=False, bias_masked=False) -> list[Fraction]:
    """z over every mask: one per weight (or, ``units``, one per input shared by both rows), and
    with ``bias_masked`` one per bias too; each kept entry divided by q when inverted."""
    n = len(x)
    s = 1 / q if inverted else Fraction(1)
    slots = n if units else 2 * n
    values = []
    for bits in product((0, 1), repeat=slots + (2 if bias_masked else 0)):
        p = Fraction(1)
        for bit in bits:
            p *= q if bit else 1 - q
        mask = [bits[:n], bits[:n]] if units else [bits[:n], bits[n:2 * n]]
        kept_bias = bits[slots:] if bias_masked else None
        z = tuple((b[i] * kept_bias[i] * s if bias_masked else b[i]) + sum(W[i][j] * mask[i][j] * s * x[j] for j in range(n))
                  for i in (0, 1))
        values.append((z, p))
    return statistics(values)


def answer(spec: dict) -> list[Fraction]:
    return visit(*read(spec))


def mistakes(spec: dict) -> dict:
    """Each mistake's answer: id -> (E[z_1], E[z_2], Var(z_1), Var(z_2), Cov(z_1, z_2))."""
    x, W, b, q, inverted = read(spec)
    right = visit(x, W, b, q, inverted)
    means, n = right[:2], len(x)
    own = (1 - q) / q if inverted else q * (1 - q)
    other = q * (1 - q) if inverted else (1 - q) / q

    def variances(term):
        return [sum(term(W[i][j], x[j]) for j in range(n)) for i in (0, 1)]

    def with_variances(term):
        return means + variances(term) + [Fraction(0)]

    second = Fraction(1) / q if inverted else q  # E[(m/q)^2], E[m^2]: one mask's second moment, by its two values
    assert second == (q * (1 / q if inverted else 1) ** 2)
    found = {
        "masked_units": visit(x, W, b, q, inverted, units=True),
        "masked_bias": visit(x, W, b, q, inverted, bias_masked=True),
        "forgot_square": with_variances(lambda w, xj: w * xj * own),
        "forgot_x_squared": with_variances(lambda w, xj: w * w * own),
        "second_moment": with_variances(lambda w, xj: (w * xj) ** 2 * second),
        "swapped_variance_factor": with_variances(lambda w, xj: (w * xj) ** 2 * other),
        "drop_for_keep": visit(x, W, b, 1 - q, inverted),
    }
    if not inverted:
        found["mean_without_q"] = [b[i] + sum(W[i][j] * x[j] for j in range(n)) for i in (0, 1)] + right[2:]
    return {k: v for k, v in found.items() if v != right}
