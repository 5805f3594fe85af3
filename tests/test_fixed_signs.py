"""The exact mean's fast path, E[y] = y(E[mu]) where no ReLU input changes sign, against the plain path."""

import itertools
import random
from fractions import Fraction

from symdrop import parse_spec
from symdrop.core.ensemble import expect
from symdrop.core.fixedsigns import fixed_signs, mean_at_expected_masks
from symdrop.core.mean import exact_mean

from .conftest import values
from .reference import forward
from .strategies import spec_of

KEEPS = [Fraction(1, 2), Fraction(2, 3), Fraction(1, 4), Fraction(4, 5), Fraction(1)]
HIDDEN = ["relu", "relu", "identity", ("leaky_relu", Fraction(1, 10))]
OUTPUT = ["identity", "relu", ("leaky_relu", Fraction(1, 5))]


def drawn(rng: random.Random, max_maskable: int):
    """A small network (x, layers, keep, convention): numbers from 0, -1 or -3 up to 4 (from 0 the
    signs are fixed; the others mix networks where they are and where they are not), one q per mask
    or (a third of the time) one per unit, at most ``max_maskable`` units of q < 1."""
    low = rng.choice((0, -1, -3))

    def number():
        return Fraction(rng.randint(low, 4), rng.choice((1, 2, 3)))

    depth = rng.randint(2, 4)
    sizes = [rng.randint(1, 4) for _ in range(depth)] + [rng.randint(1, 2)]
    x = [number() for _ in range(sizes[0])]
    layers = [([[number() for _ in range(sizes[l - 1])] for _ in range(sizes[l])], [number() for _ in range(sizes[l])],
               rng.choice(HIDDEN) if l < depth else rng.choice(OUTPUT)) for l in range(1, depth + 1)]
    per_unit = rng.random() < 1 / 3
    keep, budget = [], max_maskable
    for l in range(depth):
        q = [rng.choice(KEEPS) for _ in range(sizes[l])] if per_unit else rng.choice(KEEPS)
        maskable = sum(v != 1 for v in q) if per_unit else sizes[l] * (q != 1)
        if maskable > budget:
            q, maskable = ([Fraction(1)] * sizes[l] if per_unit else Fraction(1)), 0
        budget -= maskable
        keep.append(q)
    return x, layers, keep, rng.choice(["plain", "inverted", "weight-scaling"])


def network_of(x, layers, keep, convention):
    spec = spec_of(x, layers, [Fraction(1)] * len(keep), convention)
    spec["dropout"]["keep"] = [[str(v) for v in q] if isinstance(q, list) else str(q) for q in keep]
    return parse_spec(spec)


def signs_over_every_mask(x, layers, keep, convention) -> dict:
    """The signs (-1, 0, 1) each unit's z takes over every mask of the units with q < 1, by the
    reference pass (a mask of inverted dropout carries its 1/q itself, so that q may be per unit)."""
    sizes = [len(x)] + [len(W) for W, _, _ in layers[:-1]]
    qs = [q if isinstance(q, list) else [q] * n for q, n in zip(keep, sizes)]
    units = [(l, j) for l in range(len(sizes)) for j in range(sizes[l]) if qs[l][j] != 1]
    signs = {}
    for bits in itertools.product((0, 1), repeat=len(units)):
        masks = [[Fraction(1)] * n for n in sizes]
        for (l, j), bit in zip(units, bits):
            masks[l][j] = Fraction(bit)
        if convention == "inverted":
            masks = [[m / q for m, q in zip(mask, q_l)] for mask, q_l in zip(masks, qs)]
        for l, (_, z, _) in enumerate(forward(x, layers, masks, "plain")):
            for i, v in enumerate(z):
                signs.setdefault((l, i), set()).add((v > 0) - (v < 0))
    return signs


def test_fast_path_equals_the_plain_path_on_seeded_networks():
    """Where the bounds show fixed signs, y(E[mu]) is the plain path's exact mean; the bounds are
    sound (every mask's z, by the reference, keeps its sign); and where they do not hold, y(E[mu])
    misses the mean on some networks, so the guard is needed."""
    applied = refused = missed = 0
    for seed in range(100):
        x, layers, keep, convention = drawn(random.Random(seed), max_maskable=6)
        network = network_of(x, layers, keep, convention)
        plain, _ = exact_mean(network)
        at_mean = [Fraction(v) for v in mean_at_expected_masks(network)]
        if fixed_signs(network):
            applied += 1
            assert at_mean == values(plain), seed
            signs = signs_over_every_mask(x, layers, keep, convention)
            assert not any({-1, 1} <= signs[l, i] for l, i in signs if layers[l][2] != "identity"), seed
        else:
            refused += 1
            missed += at_mean != values(plain)
    assert applied >= 30 and refused >= 30 and missed >= 10, (applied, refused, missed)


def test_by_hand():
    """x = 1 masked with q = 1/2, y = 3 relu(z). z = 2 mu + 1 is 1 or 3: E[y] = (9 + 3) / 2 = 6, one
    pass. z = 2 mu - 1 is -1 or 1: E[y] = (0 + 3) / 2 = 3/2, but y(E[mu]) = 3 relu(0) = 0."""
    def spec(bias):
        return {"input": [1], "layers": [{"weights": [[2]], "bias": [bias]}, {"weights": [[3]], "bias": [0]}],
                "dropout": {"convention": "plain", "keep": ["1/2", 1]}}

    fixed, changing = parse_spec(spec(1), require_masks=False), parse_spec(spec(-1), require_masks=False)
    assert fixed_signs(fixed) and list(mean_at_expected_masks(fixed)) == [6]
    assert not fixed_signs(changing) and list(mean_at_expected_masks(changing)) == [0]
    assert values(exact_mean(changing)[0]) == [Fraction(3, 2)]  # (0 + 3 relu(1)) / 2
    e = expect(fixed)
    assert e.fixed_signs and values(e.exact_mean) == [6] and e.difference.is_zero_matrix
    assert not expect(changing).fixed_signs


def test_thirty_units_of_positive_weights_take_one_pass():
    """30 maskable units (refused before, at more than 20): one pass, the test-time value; with 6
    of them only (a q per unit) the brute force over their 64 masks agrees."""
    rng = random.Random(29)
    number = lambda: Fraction(rng.randint(1, 9), rng.choice((1, 2, 4)))  # noqa: E731
    sizes = [2, 10, 10, 10, 1]
    x = [number() for _ in range(2)]
    layers = [([[number() for _ in range(sizes[l - 1])] for _ in range(sizes[l])], [number() for _ in range(sizes[l])],
               "relu" if l < 4 else "identity") for l in range(1, 5)]
    e = expect(network_of(x, layers, [Fraction(1), Fraction(1, 2), Fraction(1, 2), Fraction(1, 2)], "inverted"))
    assert e.maskable_units == 30 and e.fixed_signs and e.difference.is_zero_matrix
    six = [Fraction(1), [Fraction(1, 2)] * 6 + [Fraction(1)] * 4, Fraction(1), Fraction(1)]
    e = expect(network_of(x, layers, six, "plain"))
    assert e.maskable_units == 6 and e.fixed_signs
    outputs = [forward(x, layers, [[1, 1], [*bits, 1, 1, 1, 1], [1] * 10, [1] * 10])[-1][2][0]
               for bits in itertools.product((0, 1), repeat=6)]
    assert values(e.exact_mean) == [sum(outputs) / 64]
