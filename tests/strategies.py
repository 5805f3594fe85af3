"""Hypothesis strategies: small random networks with a convention and keep probabilities."""

from fractions import Fraction

from hypothesis import strategies as st

NUMBERS = sorted({Fraction(n, d) for n in range(-4, 5) for d in (1, 2, 3)})
KEEPS = [Fraction(1, 2), Fraction(2, 3), Fraction(1, 4), Fraction(4, 5), Fraction(1)]
HIDDEN = ["relu", "relu", "identity", ("leaky_relu", Fraction(1, 10))]


def spec_of(x, layers, keep, convention, masks=None):
    """The spec dict of Fraction data; ``layers`` as (W, b, activation) like tests/reference.py."""
    sizes = [len(x)] + [len(W) for W, _, _ in layers[:-1]]
    return {
        "input": [str(v) for v in x],
        "layers": [
            {
                "weights": [[str(w) for w in row] for row in W],
                "bias": [str(v) for v in b],
                "activation": {"leaky_relu": str(g[1])} if isinstance(g, tuple) else g,
            }
            for W, b, g in layers
        ],
        "masks": masks if masks is not None else [[1] * n for n in sizes],
        "dropout": {"convention": convention, "keep": [str(q) for q in keep]},
    }


@st.composite
def networks(draw, max_maskable=12, only_last=False, output=None, hidden=HIDDEN, max_depth=4):
    """(x, layers, keep, convention, masks) with at most ``max_maskable`` units of q < 1.

    ``only_last``: every mask but the last hidden layer's keeps everything. ``masks`` drop
    only where q < 1.
    """
    depth = draw(st.integers(1 if not only_last else 2, max_depth))
    sizes = [draw(st.integers(1, 4)) for _ in range(depth)] + [draw(st.integers(1, 2))]
    numbers = st.sampled_from(NUMBERS)
    x = [draw(numbers) for _ in range(sizes[0])]
    layers = []
    for l in range(1, depth + 1):
        W = [[draw(numbers) for _ in range(sizes[l - 1])] for _ in range(sizes[l])]
        b = [draw(numbers) for _ in range(sizes[l])]
        if l < depth:
            g = draw(st.sampled_from(hidden))
        else:
            g = output or draw(st.sampled_from(["identity", "identity", "relu"]))
        layers.append((W, b, g))
    keep = [draw(st.sampled_from(KEEPS)) for _ in range(depth)]
    if only_last:
        keep = [Fraction(1)] * (depth - 1) + [draw(st.sampled_from(KEEPS[:-1]))]
    budget = max_maskable
    for l in reversed(range(depth)):  # the budget goes to the later masks first
        if keep[l] != 1:
            if sizes[l] > budget:
                keep[l] = Fraction(1)
            else:
                budget -= sizes[l]
    convention = draw(st.sampled_from(["plain", "inverted", "weight-scaling"]))
    masks = [[draw(st.sampled_from([0, 1])) if keep[l] != 1 else 1 for _ in range(sizes[l])] for l in range(depth)]
    return x, layers, keep, convention, masks
