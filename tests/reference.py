"""An independent forward pass in plain ``fractions``, and random problems to feed it."""

import random
from fractions import Fraction


def forward(x, layers, masks):
    """Every layer's (masked input, pre-activation, activation) with plain Fractions."""
    values = []
    a = list(x)
    for (W, b, activation), mu in zip(layers, masks):
        masked = [m * v for m, v in zip(mu, a)]
        z = [sum((w * v for w, v in zip(row, masked)), Fraction(0)) + bias for row, bias in zip(W, b)]
        a = [max(Fraction(0), v) for v in z] if activation == "relu" else list(z)
        values.append((masked, z, a))
    return values


def written(value: Fraction, rng: random.Random):
    """One of the ways a spec may write ``value``: int, "p/q", decimal text or YAML float."""
    if value.denominator == 1 and rng.random() < 0.5:
        return int(value)
    decimal = _as_decimal(value)
    if decimal is not None and rng.random() < 0.5:
        return decimal if rng.random() < 0.5 else float(decimal)
    return f"{value.numerator}/{value.denominator}"


def _as_decimal(value: Fraction):
    for places in range(4):
        scaled = value * 10**places
        if scaled.denominator == 1:
            text = f"{abs(int(scaled)) / 10**places:.{places}f}" if places else str(abs(int(scaled)))
            return ("-" if value < 0 else "") + text
    return None


def random_problem(rng: random.Random):
    """A random network as (spec dict, x, layers, masks) with Fraction values."""
    depth = rng.randint(1, 4)
    sizes = [rng.randint(1, 4) for _ in range(depth + 1)]
    sizes[-1] = rng.randint(1, 2)

    def number():
        return Fraction(rng.randint(-9, 9), rng.choice([1, 1, 2, 3, 4, 5, 10]))

    x = [number() for _ in range(sizes[0])]
    layers = []
    for l in range(1, depth + 1):
        W = [[number() for _ in range(sizes[l - 1])] for _ in range(sizes[l])]
        b = [number() for _ in range(sizes[l])]
        layers.append((W, b, "identity" if l == depth else "relu"))
    masks = [[rng.choice([0, 1, 1]) for _ in range(sizes[l])] for l in range(depth)]
    spec = {
        "input": [written(v, rng) for v in x],
        "layers": [
            {
                "weights": [[written(v, rng) for v in row] for row in W],
                "bias": [written(v, rng) for v in b],
                "activation": activation,
            }
            for W, b, activation in layers
        ],
        "masks": masks,
    }
    return spec, x, layers, masks
