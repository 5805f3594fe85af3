"""An independent plain-Fraction reference for issue 23's dropout model: per-unit keep, DropConnect, batches, losses.

Written from the mathematics of docs/dropout.md and issue 23 alone, never from symdrop's code: a spec
is read as the plain data YAML gives (numbers as ints or strings such as "1/2" or "0.1"), every pass
is a loop over lists of Fractions, and the ensemble mean visits every mask.

One layer's training or test pass, whatever the noise model, is

    ã = s ⊙ a                    s: the input's scale (mu, mu/q, or 1)
    W~ = F ⊙ W                   F: the weights' factor (M, M/Q, Q, or 1)
    z = W~ ã + b,  a' = g(z)

so the backward pass is one formula for all: dL/dW = (delta ã^T) ⊙ F, dL/db = delta,
dL/da = s ⊙ (W~^T delta).
"""

import itertools
import random
from dataclasses import dataclass
from fractions import Fraction

import mpmath

CONVENTIONS = ("plain", "inverted", "weight-scaling")
KEEPS = ("1/2", "2/3", "3/4", "4/5")


class NotModelled(ValueError):
    """A spec the reference cannot read (the tests only hand it valid specs)."""


def number(value) -> Fraction:
    """A spec's number as the exact Fraction a person reads: 2, "1/2", "0.1" (1/10), 0.25."""
    if isinstance(value, bool):
        raise NotModelled(f"not a number: {value!r}")
    if isinstance(value, (int, Fraction)):
        return Fraction(value)
    if isinstance(value, float):
        return Fraction(repr(value))  # 0.1 means 1/10, as written
    if isinstance(value, str):
        return Fraction(value.strip())
    raise NotModelled(f"not a number: {value!r}")


def is_number(value) -> bool:
    return isinstance(value, (int, float, str, Fraction)) and not isinstance(value, bool)


# ---------------------------------------------------------------------------------------------
# the model, read from plain data

@dataclass(frozen=True)
class Layer:
    W: tuple  # rows of Fractions, one per unit of this layer
    b: tuple
    activation: str  # relu | identity | leaky_relu
    slope: Fraction  # leaky ReLU's slope for z <= 0 (0 for relu, 1 for identity)

    def g(self, z: Fraction) -> Fraction:
        return z if z > 0 else self.slope * z

    def dg(self, z: Fraction) -> Fraction:
        return Fraction(1) if z > 0 else self.slope  # ReLU'(0) = 0, leaky ReLU'(0) = slope


@dataclass(frozen=True)
class Model:
    layers: tuple
    kind: str  # units | dropconnect
    convention: str
    keep: tuple  # units: q^(0)..q^(L-1), one vector each; dropconnect: Q(1)..Q(L), one matrix each
    inputs: tuple  # one row per example
    masks: tuple | None  # per example: units mu^(0)..mu^(L-1); dropconnect M(1)..M(L)
    targets: tuple | None  # per example: a row
    loss: str
    batch: bool

    @property
    def sizes(self) -> list[int]:
        return [len(self.layers[0].W[0])] + [len(layer.W) for layer in self.layers]


def read_activation(value, last: bool) -> tuple[str, Fraction]:
    if value is None:
        value = "identity" if last else "relu"
    if value == "relu":
        return "relu", Fraction(0)
    if value == "identity":
        return "identity", Fraction(1)
    if value == "leaky_relu":
        return "leaky_relu", Fraction(1, 100)  # PyTorch's default slope
    if isinstance(value, dict) and list(value) == ["leaky_relu"]:
        return "leaky_relu", number(value["leaky_relu"])
    raise NotModelled(f"activation the reference does not model: {value!r}")


def broadcast(entry, n: int) -> tuple:
    """A keep entry for a mask of n units: one number for all, or one per unit."""
    if is_number(entry):
        return (number(entry),) * n
    if len(entry) != n:
        raise NotModelled(f"keep entry of {len(entry)} for {n} units")
    return tuple(number(q) for q in entry)


def unit_keep(keep, sizes: list[int]) -> tuple:
    """q^(0)..q^(L-1), one vector of q's per mask (mu^(0) keeps every input unless a list says)."""
    L = len(sizes) - 1
    if keep is None:
        return tuple((Fraction(1),) * sizes[l] for l in range(L))
    if is_number(keep):
        return ((Fraction(1),) * sizes[0],) + tuple(broadcast(keep, sizes[l]) for l in range(1, L))
    keep = list(keep)
    if len(keep) == L - 1:
        keep = [1] + keep
    if len(keep) != L:
        raise NotModelled(f"keep list of {len(keep)} for {L} masks")
    return tuple(broadcast(entry, sizes[l]) for l, entry in enumerate(keep))


def matrix_of(entry, rows: int, cols: int) -> tuple:
    if is_number(entry):
        return tuple((number(entry),) * cols for _ in range(rows))
    if len(entry) != rows or any(len(r) != cols for r in entry):
        raise NotModelled("keep matrix of the wrong shape")
    return tuple(tuple(number(q) for q in r) for r in entry)


def weight_keep(keep, layers) -> tuple:
    """Q(1)..Q(L), one matrix of q's the shape of each W."""
    shapes = [(len(layer.W), len(layer.W[0])) for layer in layers]
    if keep is None:
        keep = 1
    if is_number(keep):
        keep = [keep] * len(layers)
    if len(keep) != len(layers):
        raise NotModelled(f"keep list of {len(keep)} for {len(layers)} weight matrices")
    return tuple(matrix_of(entry, r, c) for entry, (r, c) in zip(keep, shapes))


def read(spec: dict) -> Model:
    """The model a spec (plain data, as YAML or JSON gives it) describes."""
    raw_layers = spec["layers"]
    layers = []
    for i, raw in enumerate(raw_layers):
        name, slope = read_activation(raw.get("activation"), last=i == len(raw_layers) - 1)
        layers.append(Layer(W=tuple(tuple(number(w) for w in row) for row in raw["weights"]),
                            b=tuple(number(v) for v in raw["bias"]), activation=name, slope=slope))
    layers = tuple(layers)
    dropout = spec.get("dropout") or {}
    kind = dropout.get("kind", "units")
    convention = dropout.get("convention", "plain")
    batch = bool(spec["input"]) and isinstance(spec["input"][0], list)
    inputs = tuple(tuple(number(v) for v in row) for row in (spec["input"] if batch else [spec["input"]]))
    sizes = [len(inputs[0])] + [len(layer.W) for layer in layers]
    keep = unit_keep(dropout.get("keep"), sizes) if kind == "units" else weight_keep(dropout.get("keep"), layers)

    masks = None
    if spec.get("masks") is not None:
        per_example = spec["masks"] if batch else [spec["masks"]]
        if kind == "units":
            L = len(layers)
            masks = tuple(tuple(tuple(number(m) for m in mu) for mu in
                                ([[1] * sizes[0]] + list(ms) if len(ms) == L - 1 else ms))
                          for ms in per_example)
        else:
            masks = tuple(tuple(tuple(tuple(number(m) for m in row) for row in M) for M in ms)
                          for ms in per_example)
    targets = None
    if spec.get("target") is not None:
        rows = spec["target"] if batch else [spec["target"]]
        targets = tuple(row if isinstance(row, int) and not isinstance(row, bool) else
                        tuple(number(v) for v in row) for row in rows)
    return Model(layers=layers, kind=kind, convention=convention, keep=keep, inputs=inputs, masks=masks,
                 targets=targets, loss=spec.get("loss", "squared"), batch=batch)


# ---------------------------------------------------------------------------------------------
# the forward pass

@dataclass(frozen=True)
class Step:
    """One layer of one example's pass."""
    a_prev: tuple  # a^(l-1)
    scale: tuple  # s: ã = s ⊙ a^(l-1)
    factor: tuple  # F: W~ = F ⊙ W
    masked_input: tuple  # ã^(l-1)
    weights: tuple  # W~, the weights the pass multiplied by
    z: tuple
    a: tuple


def layer_noise(model: Model, l: int, masks, mode: str) -> tuple[tuple, tuple]:
    """(s, F) of layer l (1-based) for one example's masks in this mode."""
    layer = model.layers[l - 1]
    rows, cols = len(layer.W), len(layer.W[0])
    ones_s = (Fraction(1),) * cols
    ones_F = tuple((Fraction(1),) * cols for _ in range(rows))
    if mode == "test":
        if model.convention == "plain":
            raise NotModelled("plain masks have no test-time pass")
        if model.convention == "inverted":
            return ones_s, ones_F
        if model.kind == "units":  # weight scaling: column j times the q of input unit j
            q = model.keep[l - 1]
            return ones_s, tuple(tuple(q[j] for j in range(cols)) for _ in range(rows))
        return ones_s, model.keep[l - 1]
    divide = model.convention == "inverted"
    if model.kind == "units":
        mu, q = masks[l - 1], model.keep[l - 1]
        return tuple(m / qj if divide else m for m, qj in zip(mu, q)), ones_F
    M, Q = masks[l - 1], model.keep[l - 1]
    return ones_s, tuple(tuple(m / q if divide else m for m, q in zip(mrow, qrow)) for mrow, qrow in zip(M, Q))


def forward(model: Model, example: int = 0, mode: str = "train", masks=None) -> list[Step]:
    """Every layer of one example's pass; ``masks`` replaces the spec's (the ensemble's masks)."""
    if masks is None and mode == "train":
        if model.masks is None:
            raise NotModelled("the training pass needs masks")
        masks = model.masks[example]
    a = model.inputs[example]
    steps = []
    for l, layer in enumerate(model.layers, start=1):
        s, F = layer_noise(model, l, masks, mode)
        masked = tuple(sj * aj for sj, aj in zip(s, a))
        Wt = tuple(tuple(f * w for f, w in zip(frow, wrow)) for frow, wrow in zip(F, layer.W))
        z = tuple(sum((w * x for w, x in zip(row, masked)), Fraction(0)) + bi for row, bi in zip(Wt, layer.b))
        out = tuple(layer.g(zi) for zi in z)
        steps.append(Step(a_prev=a, scale=s, factor=F, masked_input=masked, weights=Wt, z=z, a=out))
        a = out
    return steps


def prediction(model: Model, example: int = 0, mode: str = "train", masks=None) -> tuple:
    return forward(model, example, mode, masks)[-1].a


def solve(model: Model, mode: str = "train") -> dict:
    """What ``symdrop solve --format json`` should hold, as Fractions: per example, or rows per
    example in a batch."""
    passes = [forward(model, e, mode) for e in range(len(model.inputs))]
    layers = []
    for l in range(len(model.layers)):
        entry = {"masked_input": [p[l].masked_input for p in passes],
                 "pre_activation": [p[l].z for p in passes],
                 "activation": [p[l].a for p in passes]}
        if model.kind == "dropconnect":
            entry["masked_weights"] = [p[l].weights for p in passes]
        layers.append(entry)
    result = {"prediction": [p[-1].a for p in passes], "layers": layers}
    return result if model.batch else unbatch(result)


def unbatch(value):
    """A batch of one example's values, as the single example's own."""
    if isinstance(value, dict):
        return {k: unbatch(v) for k, v in value.items()}
    if isinstance(value, list) and value and isinstance(value[0], dict):
        return [unbatch(v) for v in value]
    if isinstance(value, list):
        assert len(value) == 1
        return value[0]
    return value


# ---------------------------------------------------------------------------------------------
# losses and the backward pass

def one_hot(target, n: int) -> tuple:
    if isinstance(target, int):
        return tuple(Fraction(int(k == target)) for k in range(n))
    return tuple(target)


def loss_value(loss: str, y: tuple, t):
    """One example's loss: exact for squared, sse, mse; an mpmath number (50 digits) for
    cross_entropy."""
    if loss == "cross_entropy":
        mpmath.mp.dps = 50
        t = one_hot(t, len(y))
        logits = [mpmath.mpf(v.numerator) / v.denominator for v in y]
        top = max(logits)
        lse = top + mpmath.log(sum(mpmath.exp(v - top) for v in logits))
        return sum((mpmath.mpf(tk.numerator) / tk.denominator) * (lse - v) for tk, v in zip(t, logits))
    squares = sum(((yi - ti) ** 2 for yi, ti in zip(y, t)), Fraction(0))
    return {"squared": squares / 2, "sse": squares, "mse": squares / len(y)}[loss]


def loss_gradient(loss: str, y: tuple, t) -> tuple:
    """dL/dy of one example (cross_entropy: softmax(y) - one-hot, 50-digit mpmath numbers)."""
    if loss == "cross_entropy":
        mpmath.mp.dps = 50
        t = one_hot(t, len(y))
        logits = [mpmath.mpf(v.numerator) / v.denominator for v in y]
        top = max(logits)
        e = [mpmath.exp(v - top) for v in logits]
        total = sum(e)
        return tuple(ek / total - mpmath.mpf(tk.numerator) / tk.denominator for ek, tk in zip(e, t))
    diff = tuple(yi - ti for yi, ti in zip(y, t))
    factor = {"squared": Fraction(1), "sse": Fraction(2), "mse": Fraction(2, len(y))}[loss]
    return tuple(factor * d for d in diff)


def field(value, like):
    """A Fraction as the kind of number ``like`` is (mpmath numbers for cross_entropy)."""
    if isinstance(like, Fraction) or isinstance(value, type(like)):
        return value
    return mpmath.mpf(value.numerator) / value.denominator


@dataclass(frozen=True)
class Backward:
    loss: object
    prediction: tuple
    target: tuple
    deltas: tuple  # delta^(1)..delta^(L)
    grad_weights: tuple  # dL/dW(1)..dL/dW(L)
    grad_bias: tuple
    grad_input: tuple  # dL/da^(0)


def backward_example(model: Model, example: int = 0) -> Backward:
    """One example's exact backward pass of the training pass with its masks."""
    steps = forward(model, example, "train")
    y = steps[-1].a
    t = model.targets[example]
    grad_a = loss_gradient(model.loss, y, t)
    like = grad_a[0]
    deltas, gws, gbs = [], [], []
    for l in range(len(model.layers), 0, -1):
        layer, step = model.layers[l - 1], steps[l - 1]
        delta = tuple(g * field(layer.dg(zi), like) for g, zi in zip(grad_a, step.z))
        gw = tuple(tuple(d * field(x * f, like) for x, f in zip(step.masked_input, frow))
                   for d, frow in zip(delta, step.factor))
        back = [sum((field(step.weights[i][j], like) * delta[i] for i in range(len(delta))), field(Fraction(0), like))
                for j in range(len(step.masked_input))]
        grad_a = tuple(field(s, like) * v for s, v in zip(step.scale, back))
        deltas.append(delta)
        gws.append(gw)
        gbs.append(delta)
    return Backward(loss=loss_value(model.loss, y, t), prediction=y,
                    target=one_hot(t, len(y)) if isinstance(t, int) else t, deltas=tuple(reversed(deltas)),
                    grad_weights=tuple(reversed(gws)), grad_bias=tuple(reversed(gbs)), grad_input=grad_a)


def mean(values):
    return sum(values[1:], values[0]) / len(values)


def backprop(model: Model) -> dict:
    """What ``symdrop backprop --format json`` should hold: per example, or for a batch the mean
    loss, the per-example losses, rows per example, and the mean gradients."""
    runs = [backward_example(model, e) for e in range(len(model.inputs))]
    n = len(runs)
    layers = []
    for l in range(len(model.layers)):
        gw = runs[0].grad_weights[l]
        rows, cols = len(gw), len(gw[0])
        layers.append({
            "delta": [r.deltas[l] for r in runs],
            "grad_weights": tuple(tuple(sum((r.grad_weights[l][i][j] for r in runs[1:]), runs[0].grad_weights[l][i][j]) / n
                                        for j in range(cols)) for i in range(rows)),
            "grad_bias": tuple(sum((r.grad_bias[l][i] for r in runs[1:]), runs[0].grad_bias[l][i]) / n
                               for i in range(rows)),
        })
    result = {"loss": mean([r.loss for r in runs]), "prediction": [r.prediction for r in runs],
              "target": [r.target for r in runs], "layers": layers,
              # the gradient of the batch's mean loss with respect to each example's input: 1/B of
              # that example's own dL/dx (as autograd gives x.grad under reduction="mean")
              "grad_input": [tuple(g / n for g in r.grad_input) for r in runs]}
    if model.batch:
        result["losses"] = [r.loss for r in runs]
        return result
    return {"loss": result["loss"], "prediction": runs[0].prediction, "target": runs[0].target,
            "layers": [{"delta": layer["delta"][0], "grad_weights": layer["grad_weights"],
                        "grad_bias": layer["grad_bias"]} for layer in layers],
            "grad_input": runs[0].grad_input}


# ---------------------------------------------------------------------------------------------
# the ensemble mean, by visiting every mask

def maskable(model: Model) -> list[tuple]:
    """Every place with q < 1: (l, j) for units (mask mu^(l)), (l, i, j) for weights of W(l+1)."""
    if model.kind == "units":
        return [(l, j) for l, q in enumerate(model.keep) for j, qj in enumerate(q) if qj < 1]
    return [(l, i, j) for l, Q in enumerate(model.keep) for i, row in enumerate(Q) for j, q in enumerate(row) if q < 1]


def every_mask(model: Model):
    """(P(mask), masks) for every mask of the places a mask can drop, each kept with its own q:
    units mu^(0)..mu^(L-1) as lists, or weights M(1)..M(L) as lists of rows."""
    places = maskable(model)
    for bits in itertools.product((0, 1), repeat=len(places)):
        if model.kind == "units":
            masks = [[Fraction(1)] * len(q) for q in model.keep]
        else:
            masks = [[[Fraction(1)] * len(row) for row in Q] for Q in model.keep]
        p = Fraction(1)
        for bit, place in zip(bits, places):
            if model.kind == "units":
                l, j = place
                q = model.keep[l][j]
                masks[l][j] = Fraction(bit)
            else:
                l, i, j = place
                q = model.keep[l][i][j]
                masks[l][i][j] = Fraction(bit)
            p *= q if bit else 1 - q
        yield p, masks


def ensemble_mean(model: Model, example: int = 0) -> tuple:
    """E[y] = sum over every mask of P(mask) y(mask), each place kept with its own q."""
    places = maskable(model)
    if len(places) > 16:
        raise NotModelled(f"{len(places)} maskable places: too many to visit")
    n_out = len(model.layers[-1].W)
    total = [Fraction(0)] * n_out
    for p, masks in every_mask(model):
        y = prediction(model, example, "train", masks)
        total = [acc + p * v for acc, v in zip(total, y)]
    return tuple(total)


# ---------------------------------------------------------------------------------------------
# random hand-sized specs, seeded and deterministic

def draw_value(rng: random.Random, ints_only: bool = False):
    """An int in -3..3, or (a third of the time) a half or a decimal as a string."""
    if ints_only or rng.random() < 2 / 3:
        return rng.randint(-3, 3)
    return rng.choice(["1/2", "-1/2", "3/2", "-3/2", "0.5", "-2.5", "1/3", "-2/3"])


def draw_activation(rng: random.Random, last: bool):
    if last:
        return rng.choice([None, "identity", "identity", "relu", {"leaky_relu": "1/10"}])
    return rng.choice([None, "relu", "relu", {"leaky_relu": "1/10"}, {"leaky_relu": "1/5"}, "identity"])


def draw_layers(rng: random.Random, sizes: list[int]) -> list[dict]:
    layers = []
    for l in range(1, len(sizes)):
        layer = {"weights": [[draw_value(rng) for _ in range(sizes[l - 1])] for _ in range(sizes[l])],
                 "bias": [draw_value(rng) for _ in range(sizes[l])]}
        activation = draw_activation(rng, last=l == len(sizes) - 1)
        if activation is not None:
            layer["activation"] = activation
        layers.append(layer)
    return layers


def draw_sizes(rng: random.Random, outputs: tuple[int, int] = (1, 2)) -> list[int]:
    hidden = [rng.randint(1, 3) for _ in range(rng.randint(1, 2))]
    return [rng.randint(1, 3)] + hidden + [rng.randint(*outputs)]


def draw_q(rng: random.Random, one: float = 0.0):
    return 1 if rng.random() < one else rng.choice(KEEPS)


def draw_unit_mask(rng: random.Random, q: list[Fraction]) -> list[int]:
    return [rng.randint(0, 1) if qj < 1 else 1 for qj in q]


def draw_weight_masks(rng: random.Random, keep: tuple) -> list[list[list[int]]]:
    return [[[rng.randint(0, 1) if q < 1 else 1 for q in row] for row in Q] for Q in keep]


def draw_input(rng: random.Random, n: int) -> list:
    return [draw_value(rng) for _ in range(n)]


def draw_target(rng: random.Random, n: int, loss: str) -> list:
    if loss == "cross_entropy":
        c = rng.randrange(n)
        return [int(k == c) for k in range(n)]
    return [draw_value(rng, ints_only=True) for _ in range(n)]


def _units_masks(rng, spec, sizes, examples: int):
    model_keep = unit_keep(spec["dropout"].get("keep"), sizes)
    def one():
        masks = [draw_unit_mask(rng, list(q)) for q in model_keep]
        return masks[1:] if rng.random() < 0.25 and all(m == 1 for m in masks[0]) else masks
    return [one() for _ in range(examples)]


def old_spec(seed: int, conventions=CONVENTIONS) -> dict:
    """Today's spec: one example, units, one keep value or one per mask, squared loss (a target)."""
    rng = random.Random(f"old-{seed}")
    sizes = draw_sizes(rng)
    L = len(sizes) - 1
    convention = rng.choice(conventions)
    form = rng.choice(["scalar", "list-L", "list-L-1"])
    if form == "scalar":
        keep = draw_q(rng)
    elif form == "list-L":
        keep = [draw_q(rng, one=0.3) for _ in range(L)]
    else:
        keep = [draw_q(rng, one=0.2) for _ in range(L - 1)] if L > 1 else draw_q(rng)
    spec = {"title": f"old {seed}", "input": draw_input(rng, sizes[0]), "layers": draw_layers(rng, sizes),
            "dropout": {"convention": convention, "keep": keep}}
    spec["masks"] = _units_masks(rng, spec, sizes, 1)[0]
    spec["target"] = draw_target(rng, sizes[-1], "squared")
    return spec


def per_unit_keep(rng: random.Random, sizes: list[int]) -> object:
    """A keep list with at least one per-unit entry: L or L-1 entries, each a number or a list."""
    L = len(sizes) - 1
    def entry(n):
        return [draw_q(rng, one=0.25) for _ in range(n)] if rng.random() < 0.6 else draw_q(rng, one=0.2)
    first = 0 if rng.random() < 0.7 else 1
    keep = [entry(sizes[l]) for l in range(first, L)]
    if not any(isinstance(k, list) for k in keep):
        keep[-1] = [draw_q(rng) for _ in range(sizes[first + len(keep) - 1])]
    return keep


def per_unit_spec(seed: int, conventions=CONVENTIONS) -> dict:
    """One example, unit dropout with a q per unit somewhere."""
    rng = random.Random(f"per-unit-{seed}")
    sizes = draw_sizes(rng)
    spec = {"title": f"per-unit {seed}", "input": draw_input(rng, sizes[0]), "layers": draw_layers(rng, sizes),
            "dropout": {"convention": rng.choice(conventions), "keep": per_unit_keep(rng, sizes)}}
    spec["masks"] = _units_masks(rng, spec, sizes, 1)[0]
    spec["target"] = draw_target(rng, sizes[-1], "squared")
    return spec


def dropconnect_keep(rng: random.Random, sizes: list[int], budget: int = 10):
    """One value, or one entry per weight matrix (a number or a matrix of q's), with at most
    ``budget`` weights of q < 1 (the ensemble visits 2^n masks)."""
    shapes = [(sizes[l], sizes[l - 1]) for l in range(1, len(sizes))]
    if rng.random() < 0.2 and sum(r * c for r, c in shapes) <= budget:
        return draw_q(rng)
    keep = []
    for r, c in shapes:
        if rng.random() < 0.4 and r * c <= budget:
            keep.append(draw_q(rng))
            budget -= r * c
            continue
        matrix = []
        for _ in range(r):
            row = []
            for _ in range(c):
                q = draw_q(rng, one=0.4) if budget > 0 else 1
                budget -= q != 1
                row.append(q)
            matrix.append(row)
        keep.append(1 if all(q == 1 for row in matrix for q in row) and rng.random() < 0.5 else matrix)
    return keep


def dropconnect_spec(seed: int, conventions=CONVENTIONS) -> dict:
    """One example, DropConnect with a weight mask per layer."""
    rng = random.Random(f"dropconnect-{seed}")
    sizes = draw_sizes(rng)
    layers = draw_layers(rng, sizes)
    keep = dropconnect_keep(rng, sizes)
    spec = {"title": f"dropconnect {seed}", "input": draw_input(rng, sizes[0]), "layers": layers,
            "dropout": {"kind": "dropconnect", "convention": rng.choice(conventions), "keep": keep}}
    Q = weight_keep(keep, read({**spec, "masks": None}).layers)
    spec["masks"] = draw_weight_masks(rng, Q)
    spec["target"] = draw_target(rng, sizes[-1], "squared")
    return spec


def batch_spec(seed: int, conventions=CONVENTIONS, losses=("squared", "sse", "mse")) -> dict:
    """A batch of 2 to 4 examples, unit dropout with one keep value or one per mask."""
    rng = random.Random(f"batch-{seed}")
    sizes = draw_sizes(rng)
    L = len(sizes) - 1
    examples = rng.randint(2, 4)
    keep = draw_q(rng) if rng.random() < 0.5 else [draw_q(rng, one=0.3) for _ in range(L)]
    spec = {"title": f"batch {seed}", "input": [draw_input(rng, sizes[0]) for _ in range(examples)],
            "layers": draw_layers(rng, sizes), "dropout": {"convention": rng.choice(conventions), "keep": keep}}
    spec["masks"] = _units_masks(rng, spec, sizes, examples)
    loss = rng.choice(losses)
    if loss != "squared" or rng.random() < 0.5:
        spec["loss"] = loss
    spec["target"] = [draw_target(rng, sizes[-1], loss) for _ in range(examples)]
    return spec


def loss_spec(seed: int, losses=("sse", "mse")) -> dict:
    """One example, today's unit dropout, a loss other than squared."""
    spec = old_spec(seed)
    rng = random.Random(f"loss-{seed}")
    spec["title"] = f"loss {seed}"
    spec["loss"] = rng.choice(losses)
    return spec


def cross_entropy_spec(seed: int) -> dict:
    """One example, 2 or 3 linear outputs (the logits), a one-hot target."""
    rng = random.Random(f"cross-entropy-{seed}")
    sizes = draw_sizes(rng, outputs=(2, 3))
    layers = draw_layers(rng, sizes)
    layers[-1]["activation"] = "identity"
    keep = draw_q(rng)
    spec = {"title": f"cross-entropy {seed}", "input": draw_input(rng, sizes[0]), "layers": layers,
            "dropout": {"convention": rng.choice(CONVENTIONS), "keep": keep}, "loss": "cross_entropy"}
    spec["masks"] = _units_masks(rng, spec, sizes, 1)[0]
    spec["target"] = draw_target(rng, sizes[-1], "cross_entropy")
    return spec


def mixed_spec(seed: int) -> dict:
    """Everything at once: a batch, per-unit keep or DropConnect, any exact loss."""
    rng = random.Random(f"mixed-{seed}")
    sizes = draw_sizes(rng)
    examples = rng.randint(2, 3)
    layers = draw_layers(rng, sizes)
    convention = rng.choice(CONVENTIONS)
    if rng.random() < 0.5:
        dropout = {"kind": "dropconnect", "convention": convention, "keep": dropconnect_keep(rng, sizes)}
        spec = {"input": [draw_input(rng, sizes[0]) for _ in range(examples)], "layers": layers, "dropout": dropout}
        Q = weight_keep(dropout["keep"], read({**spec, "masks": None}).layers)
        spec["masks"] = [draw_weight_masks(rng, Q) for _ in range(examples)]
    else:
        dropout = {"convention": convention, "keep": per_unit_keep(rng, sizes)}
        spec = {"input": [draw_input(rng, sizes[0]) for _ in range(examples)], "layers": layers, "dropout": dropout}
        spec["masks"] = _units_masks(rng, spec, sizes, examples)
    spec["title"] = f"mixed {seed}"
    spec["loss"] = rng.choice(["squared", "sse", "mse"])
    spec["target"] = [draw_target(rng, sizes[-1], spec["loss"]) for _ in range(examples)]
    return spec
