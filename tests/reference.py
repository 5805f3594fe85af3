"""An independent forward pass in plain ``fractions``, random problems to feed it, and each kind's
answer and mistakes computed by it from a spec."""

import itertools
import random
from fractions import Fraction

import mpmath

SMOOTH = ("sigmoid", "tanh")
DIGITS = mpmath.MPContext()  # sigmoid and tanh values: 50-digit mpmath numbers, in a context of their own
DIGITS.dps = 50


def g(activation, v: Fraction) -> Fraction:
    """relu, identity, or ("leaky_relu", slope), on one Fraction; sigmoid and tanh on a Fraction or a
    50-digit mpmath number (their values are the latter)."""
    if activation == "relu":
        return max(Fraction(0), v)
    if activation == "identity":
        return v
    if activation in SMOOTH:
        v = DIGITS.mpf(v.numerator) / v.denominator if isinstance(v, (int, Fraction)) else DIGITS.mpf(v)
        return 1 / (1 + DIGITS.exp(-v)) if activation == "sigmoid" else DIGITS.tanh(v)
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


def from_spec(spec: dict):
    """A spec's input and layers (the strings ``symdrop solve`` reads) as plain Fractions: (x, layers)."""
    x = [Fraction(v) for v in spec["input"]]
    layers = [([[Fraction(w) for w in row] for row in layer["weights"]], [Fraction(v) for v in layer["bias"]],
               layer["activation"]) for layer in spec["layers"]]
    return x, layers


class Spec:
    """A problem as plain Fractions read off its spec (the strings ``symdrop solve`` reads)."""

    def __init__(self, spec: dict):
        self.spec = spec
        self.x, self.layers = from_spec(spec)
        self.masks = spec["masks"]
        dropout = spec.get("dropout", {})
        self.convention = dropout.get("convention", "plain")
        self.keep = [Fraction(q) for q in dropout["keep"]] if "keep" in dropout else None

    def run(self, *, layers=None, masks=None, convention=None, keep=None, mode="train", scale_bias=False):
        return forward(self.x, layers or self.layers, masks or self.masks, convention or self.convention,
                       keep or self.keep, mode, scale_bias)

    def y(self, **changes):
        return self.run(**changes)[-1][2]

    def ones(self):
        return [[1] * len(m) for m in self.masks]

    def drop_for_keep(self):
        return [1 - q if q != 1 else q for q in self.keep]

    def mean(self, convention=None, probability=None):
        return brute_force_mean(self.x, self.layers, self.keep, convention or self.convention, probability)


def answer(kind: str, p: Spec):
    """The right answer of each kind by the reference (brute force for the ensemble)."""
    if kind in ("forward", "inverted"):
        return p.y()
    if kind == "test-time":
        return p.y(mode="test")
    return p.mean()


def relu_mistakes(p: Spec, mode: str) -> dict:
    """The activation mistakes, by the reference with the activations changed (a network of
    sigmoid or tanh hidden layers: :func:`smooth_mistakes`)."""
    found = {}
    names = [g for _, _, g in p.layers]
    if any(name in SMOOTH for name in names[:-1]):
        return smooth_mistakes(p, mode)
    for l, g in enumerate(names[:-1]):
        if g == "relu":
            layers = [(W, b, "identity" if k == l else h) for k, (W, b, h) in enumerate(p.layers)]
            found[f"forgot_relu_{l + 1}"] = p.y(layers=layers, mode=mode)
    linear = [(W, b, "identity" if g == "relu" else g) for W, b, g in p.layers[:-1]] + [p.layers[-1]]
    found["forgot_all_relus"] = p.y(layers=linear, mode=mode)
    found["relu_on_output"] = p.y(layers=p.layers[:-1] + [(*p.layers[-1][:2], "relu")], mode=mode)
    return found


def smooth_mistakes(p: Spec, mode: str) -> dict:
    """Forgot a sigmoid or tanh hidden layer's activation (a = z), and applied it to the linear output."""
    found = {}
    names = [g for _, _, g in p.layers]
    for l, g in enumerate(names[:-1]):
        if g in SMOOTH:
            layers = [(W, b, "identity" if k == l else h) for k, (W, b, h) in enumerate(p.layers)]
            found[f"forgot_{g}_{l + 1}"] = p.y(layers=layers, mode=mode)
    smooth = next(g for g in names if g in SMOOTH)
    found[f"{smooth}_on_output"] = p.y(layers=p.layers[:-1] + [(*p.layers[-1][:2], smooth)], mode=mode)
    return found


def flipped_masks(p: Spec) -> list:
    """Every mask read as 1 = drop, where dropout acts: each mask of a layer whose q < 1 or,
    without keep probabilities, each mask that drops a unit (an input mask of ones stays)."""
    acting = [q < 1 for q in p.keep] if p.keep is not None else [0 in mask for mask in p.masks]
    return [[1 - m for m in mask] if acts else list(mask) for mask, acts in zip(p.masks, acting)]


def swapped_masks(p: Spec) -> dict:
    """id -> the masks with two swapped: any two masks of layers where dropout acts, of one
    length, that differ (mu^(k) used for mu^(l) and the reverse)."""
    flipped = flipped_masks(p)
    acting = [l for l, mask in enumerate(p.masks) if flipped[l] != list(mask)]
    found = {}
    for k, l in itertools.combinations(acting, 2):
        if len(p.masks[k]) == len(p.masks[l]) and list(p.masks[k]) != list(p.masks[l]):
            masks = [list(m) for m in p.masks]
            masks[k], masks[l] = masks[l], masks[k]
            found[f"swapped_masks_{k}_{l}"] = masks
    return found


def mask_mistakes(p: Spec) -> dict:
    """The misreadings of the masks in a training pass: id -> answer."""
    found = {"masks_flipped": p.y(masks=flipped_masks(p))}
    return {**found, **{name: p.y(masks=masks) for name, masks in swapped_masks(p).items()}}


def forward_mistakes(p: Spec) -> dict:
    """The forward kind's mistakes, done by the reference: id -> answer (with sigmoid hidden
    layers also masked_z: each hidden layer's dropped units given W and b rows of 0, so their z is
    0 and their a is sigma(0) = 1/2, and the next layer's input unmasked)."""
    found = {
        "forgot_masks": p.y(masks=p.ones()),
        "dropped_output": [Fraction(0)] * len(p.layers[-1][1]),
        "dropped_output_bias": p.y(masks=p.masks[:-1] + [[0] * len(p.masks[-1])]),
        **mask_mistakes(p),
        **relu_mistakes(p, "train"),
    }
    if any(g == "sigmoid" for _, _, g in p.layers[:-1]):
        layers = [(W if l + 1 >= len(p.masks) else [r if p.masks[l + 1][i] else [0] * len(r) for i, r in enumerate(W)],
                   b if l + 1 >= len(p.masks) else [v if p.masks[l + 1][i] else 0 for i, v in enumerate(b)], g)
                  for l, (W, b, g) in enumerate(p.layers)]
        found["masked_z"] = p.y(layers=layers, masks=[p.masks[0]] + [[1] * len(m) for m in p.masks[1:]])
    return found


def expected_mistakes(kind: str, p: Spec) -> dict:
    """What each mistake's label says, done by the reference: id -> answer."""
    if kind == "inverted":
        found = {
            "forgot_masks": p.y(masks=p.ones(), convention="plain"),
            "forgot_scale": p.y(convention="plain"),
            "scaled_by_drop": p.y(keep=p.drop_for_keep()),
            "scaled_bias": p.y(scale_bias=True),
            "scaled_without_masks": p.y(masks=p.ones()),
            "dropped_output": [Fraction(0)] * len(p.layers[-1][1]),
            "dropped_output_bias": p.y(masks=p.masks[:-1] + [[0] * len(p.masks[-1])]),
        }
        return {**found, **mask_mistakes(p), **relu_mistakes(p, "train")}
    if kind == "test-time" and p.convention == "weight-scaling":
        found = {
            "forgot_scale": p.y(mode="test", convention="inverted"),  # no masks, no scaling
            "applied_masks": p.y(convention="plain"),
            "scaled_bias": p.y(mode="test", scale_bias=True),
            "receiving_q": p.y(mode="test", keep=p.keep[1:] + [Fraction(1)]),
            "scaled_by_drop": p.y(mode="test", keep=p.drop_for_keep()),
            "divided_by_keep": p.y(convention="inverted", masks=p.ones()),
        }
        return {**found, **relu_mistakes(p, "test")}
    if kind == "test-time":
        found = {
            "scaled_twice": p.y(mode="test", convention="weight-scaling"),
            "divided_at_test": p.y(masks=p.ones()),
            "applied_masks": p.y(),
            "applied_masks_unscaled": p.y(convention="plain"),
        }
        return {**found, **relu_mistakes(p, "test")}
    q = next(q for q in p.keep if q != 1)
    n = sum(len(m) for m, k in zip(p.masks, p.keep) if k != 1)
    found = {
        "weight_scaling_mean": p.y(mode="test"),
        "unweighted_mean": p.mean(probability=lambda bits, _: Fraction(1, 2**n)),
        "swapped_keep_drop": p.mean(probability=lambda bits, _: _product([(1 - q) if b else q for b in bits])),
    }
    if p.convention == "inverted":
        found["forgot_scale"] = p.mean(convention="plain")
    else:
        found["forgot_masks"] = p.y(masks=p.ones(), convention="plain")
    return found


def _product(values):
    result = Fraction(1)
    for v in values:
        result *= v
    return result
