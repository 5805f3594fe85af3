"""An independent forward pass in plain ``fractions``, and random problems to feed it."""

import itertools
import random
from fractions import Fraction


def g(activation, v: Fraction) -> Fraction:
    """relu, identity, or ("leaky_relu", slope), on one Fraction."""
    if activation == "relu":
        return max(Fraction(0), v)
    if activation == "identity":
        return v
    name, slope = activation
    assert name == "leaky_relu"
    return v if v > 0 else slope * v


def forward(x, layers, masks, convention="plain", keep=None, mode="train", scale_bias=False):
    """Every layer's (masked input, pre-activation, activation) with plain Fractions.

    The table of docs/dropout.md ("The three conventions"): train masks the input (inverted also
    divides by q); test uses no masks, and weight scaling multiplies W (not b) by the q of the mask
    on the layer's input. ``scale_bias`` is the mistake of scaling b as well (b/q, q b).
    """
    values = []
    a = list(x)
    for l, ((W, b, activation), mu) in enumerate(zip(layers, masks)):
        q = keep[l] if keep is not None else Fraction(1)
        scale_w = Fraction(1)
        if mode == "test":
            masked = list(a)
            if convention == "weight-scaling":
                scale_w = q
        else:
            masked = [m * v for m, v in zip(mu, a)]
            if convention == "inverted":
                masked = [v / q for v in masked]
        scale_b = Fraction(1)
        if scale_bias and mode == "test" and convention == "weight-scaling":
            scale_b = q
        elif scale_bias and mode == "train" and convention == "inverted":
            scale_b = 1 / q
        z = [sum((scale_w * w * v for w, v in zip(row, masked)), Fraction(0)) + scale_b * bias
             for row, bias in zip(W, b)]
        a = [g(activation, v) for v in z]
        values.append((masked, z, a))
    return values


def brute_force_mean(x, layers, keep, convention="plain", probability=None):
    """E[y] by visiting every mask of the units with q < 1, one by one. ``probability(masks, p)``
    replaces the weight of a mask (p: its probability), for the mistakes that weigh them wrong."""
    sizes = [len(x)] + [len(W) for W, _, _ in layers[:-1]]
    units = [(l, j) for l, q in enumerate(keep) if q != 1 for j in range(sizes[l])]
    mean = None
    for bits in itertools.product((0, 1), repeat=len(units)):
        masks = [[1] * n for n in sizes]
        p = Fraction(1)
        for (l, j), bit in zip(units, bits):
            masks[l][j] = bit
            p *= keep[l] if bit else 1 - keep[l]
        y = forward(x, layers, masks, convention, keep)[-1][2]
        if probability is not None:
            p = probability(bits, p)
        mean = [p * v for v in y] if mean is None else [m + p * v for m, v in zip(mean, y)]
    return mean


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


KEEPS = [Fraction(1, 2), Fraction(2, 3), Fraction(4, 5), Fraction(1, 4), Fraction(9, 10), Fraction(1)]


def random_dropout_problem(rng: random.Random, conventions=("plain", "inverted", "weight-scaling")):
    """A random network with a convention and keep probabilities, as (spec, x, layers, masks, convention, keep).

    Hidden layers use relu, identity or leaky ReLU; masks drop only where q < 1.
    """
    spec, x, layers, _ = random_problem(rng)
    convention = rng.choice(conventions)
    depth = len(layers)
    sizes = [len(x)] + [len(W) for W, _, _ in layers]
    chosen = []
    for l, (W, b, activation) in enumerate(layers, start=1):
        if l < depth:
            activation = rng.choice(["relu", "relu", "identity", ("leaky_relu", rng.choice([Fraction(1, 10), Fraction(1, 3)]))])
        else:
            activation = rng.choice(["identity", "identity", "relu"])
        chosen.append((W, b, activation))
        spec["layers"][l - 1]["activation"] = (
            {"leaky_relu": str(activation[1])} if isinstance(activation, tuple) else activation
        )
    if rng.random() < 0.5:
        q = rng.choice(KEEPS[:-1])
        keep = [Fraction(1)] + [q] * (depth - 1)
        spec["dropout"] = {"convention": convention, "keep": written(q, rng)}
    else:
        keep = [rng.choice(KEEPS) for _ in range(depth)]
        spec["dropout"] = {"convention": convention, "keep": [written(q, rng) for q in keep]}
    masks = [[rng.choice([0, 1, 1]) if keep[l] != 1 else 1 for _ in range(sizes[l])] for l in range(depth)]
    spec["masks"] = masks
    return spec, x, chosen, masks, convention, keep
