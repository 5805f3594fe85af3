"""An independent brute-force reference for issue 24's `symdrop moments` (tests/MOMENTS_CONTRACT.md).

Written from the mathematics alone, never from symdrop's code: every mask (of units, or of weights
with DropConnect) is visited, each place kept independently with its own q, the mask's probability
the product of q or 1 - q; the training pass of that mask (tests/reference_model.py's masking, with
sigmoid and tanh added here as 50-digit mpmath numbers) gives every value, and every mean,
variance, covariance and distribution is a sum over the masks:

    E[X] = sum_m P(m) X(m),   Var(X) = sum_m P(m) (X(m) - E[X])^2,
    Cov(X, Y) = sum_m P(m) (X(m) - E[X]) (Y(m) - E[Y]).

Rationals stay Fractions; anything after a sigmoid or tanh is an mpmath number (irrational).
The linear model's penalty block is in tests/reference_penalty.py, the noise block in
tests/reference_noise.py.
"""

import dataclasses
import random
from dataclasses import dataclass
from fractions import Fraction

import mpmath

from . import reference_model as ref

mpmath.mp.dps = 50
SMOOTH = ("sigmoid", "tanh")
DISTINCT = 16  # the prediction's distribution is given for at most this many distinct values
VISIT = 16  # the reference visits at most 2^VISIT masks


def mp(value):
    """A Fraction (or mpmath number) as a 50-digit mpmath number."""
    mpmath.mp.dps = 50
    if isinstance(value, Fraction):
        return mpmath.mpf(value.numerator) / value.denominator
    return mpmath.mpf(value)


@dataclass(frozen=True)
class Net:
    """reference_model's Model (sigmoid and tanh layers read there as identity) and, per layer,
    "sigmoid", "tanh" or None (reference_model's piecewise-linear activation holds)."""
    model: ref.Model
    smooth: tuple

    @property
    def piecewise_linear(self) -> bool:
        return not any(self.smooth)


def read(spec: dict) -> Net:
    smooth = tuple(raw.get("activation") if raw.get("activation") in SMOOTH else None for raw in spec["layers"])
    layers = [{**raw, "activation": "identity"} if name else raw for raw, name in zip(spec["layers"], smooth)]
    return Net(ref.read({**spec, "layers": layers}), smooth)


def places(model: ref.Model) -> list[tuple]:
    return ref.maskable(model)


def every_mask(model: ref.Model):
    """(P(mask), masks) for every mask: units mu^(0)..mu^(L-1), or weights M(1)..M(L)."""
    where = places(model)
    if len(where) > VISIT:
        raise ref.NotModelled(f"{len(where)} maskable places: too many to visit")
    yield from ref.every_mask(model)


def activate(net: Net, l: int, z):
    name = net.smooth[l - 1]
    if name == "sigmoid":
        return 1 / (1 + mpmath.exp(-mp(z)))
    if name == "tanh":
        return mpmath.tanh(mp(z))
    return net.model.layers[l - 1].g(z)


def forward(net: Net, masks, example: int = 0) -> list[tuple]:
    """(masked input ã^(l-1), z^(l), a^(l)) of every layer of one example's training pass."""
    model = net.model
    a = model.inputs[example]
    out = []
    for l, layer in enumerate(model.layers, start=1):
        s, F = ref.layer_noise(model, l, masks, "train")
        masked = tuple(sj * aj for sj, aj in zip(s, a))
        z = tuple(sum((f * w * x for f, w, x in zip(frow, wrow, masked)), Fraction(0)) + bi
                  for frow, wrow, bi in zip(F, layer.W, layer.b))
        a = tuple(activate(net, l, zi) for zi in z)
        out.append((masked, z, a))
    return out


# ---------------------------------------------------------------------------------------------
# statistics over (probability, value) pairs

def mean(pairs):
    return sum((p * v for p, v in pairs), Fraction(0))


def variance(pairs):
    m = mean(pairs)
    return sum((p * (v - m) ** 2 for p, v in pairs), Fraction(0))


def moments_of(pairs) -> dict:
    return {"mean": mean(pairs), "variance": variance(pairs)}


def entrywise(runs, get, n: int) -> dict:
    """Mean and variance of entry j of the vector ``get(run)``, for j < n."""
    columns = [[(p, get(run)[j]) for p, run in runs] for j in range(n)]
    return {"mean": [mean(c) for c in columns], "variance": [variance(c) for c in columns]}


def covariance(runs, get, n: int) -> list:
    means = [mean([(p, get(run)[j]) for p, run in runs]) for j in range(n)]
    return [[sum((p * (get(run)[i] - means[i]) * (get(run)[j] - means[j]) for p, run in runs), Fraction(0))
             for j in range(n)] for i in range(n)]


def key(value) -> str:
    return mpmath.nstr(mp(value), 40)


def distribution(runs, get):
    """Every distinct vector ``get(run)`` with its probability, ascending; None beyond DISTINCT."""
    groups = {}
    for p, run in runs:
        y = get(run)
        k = tuple(key(v) for v in y)
        if k in groups:
            groups[k] = (groups[k][0], groups[k][1] + p)
        else:
            groups[k] = (y, p)
    if len(groups) > DISTINCT:
        return None
    ordered = sorted(groups.values(), key=lambda entry: tuple(mp(v) for v in entry[0]))
    return [{"value": list(y), "probability": p} for y, p in ordered]


# ---------------------------------------------------------------------------------------------
# one example's moments

def run_of(net: Net, masks, example: int = 0) -> dict:
    """Everything the moments need from one mask's pass (and backward pass, with a target)."""
    passes = forward(net, masks, example)
    run = {"masked": [m for m, _, _ in passes], "z": [z for _, z, _ in passes], "a": [a for _, _, a in passes]}
    run["y"] = run["a"][-1]
    model = net.model
    if model.targets is not None:
        run["loss"] = ref.loss_value(model.loss, run["y"], model.targets[example])
        if net.piecewise_linear:
            back = ref.backward_example(dataclasses.replace(model, masks=(masks,) * len(model.inputs)), example)
            assert back.prediction == run["y"]
            run["gw"], run["gb"] = back.grad_weights, back.grad_bias
    return run


def layers_block(net: Net, runs) -> list:
    out = []
    for l, layer in enumerate(net.model.layers):
        n = len(layer.W)
        out.append({"z": entrywise(runs, lambda r, l=l: r["z"][l], n), "a": entrywise(runs, lambda r, l=l: r["a"][l], n)})
    return out


def gradients_block(net: Net, runs) -> list:
    out = []
    for l, layer in enumerate(net.model.layers):
        rows, cols = len(layer.W), len(layer.W[0])
        cells = [[[(p, r["gw"][l][i][j]) for p, r in runs] for j in range(cols)] for i in range(rows)]
        out.append({"weights": {"mean": [[mean(c) for c in row] for row in cells],
                                "variance": [[variance(c) for c in row] for row in cells]},
                    "bias": entrywise(runs, lambda r, l=l: r["gb"][l], rows)})
    return out


def sigmoid(s):
    return 1 / (1 + mpmath.exp(-mp(s)))


def nwgm_block(runs) -> dict:
    """One sigmoid output unit: E[sigma(S)], G / (G + G') with G = prod sigma(S)^P and
    G' = prod (1 - sigma(S))^P (taken through logarithms), and sigma(E[S])."""
    S = [(p, r["z"][-1][0]) for p, r in runs]
    log_g = sum(mp(p) * mpmath.log(sigmoid(s)) for p, s in S)
    log_g_prime = sum(mp(p) * mpmath.log(1 - sigmoid(s)) for p, s in S)
    return {"arithmetic_mean": sum(mp(p) * sigmoid(s) for p, s in S),
            "geometric": 1 / (1 + mpmath.exp(log_g_prime - log_g)),
            "sigmoid_of_mean": sigmoid(mean(S))}


def has_nwgm(net: Net) -> bool:
    return net.smooth[-1] == "sigmoid" and len(net.model.layers[-1].W) == 1


def prediction_block(net: Net, runs) -> dict:
    n = len(net.model.layers[-1].W)
    block = entrywise(runs, lambda r: r["y"], n)
    block["covariance"] = covariance(runs, lambda r: r["y"], n)
    block["distribution"] = distribution(runs, lambda r: r["y"])
    return block


def refusal(spec: dict):
    """Why `symdrop moments` must refuse this spec (exit 2), or None."""
    n = len(places(read(spec).model))
    if n == 0:
        return "no keep below 1"
    if n > VISIT:
        return f"{n} maskable places"
    return None


def moments(spec: dict) -> dict:
    """What `symdrop moments SPEC --format json` should hold (Fractions exact, mpmath irrational)."""
    from . import reference_noise, reference_penalty
    net = read(spec)
    model = net.model
    n = len(places(model))
    result = {"convention": model.convention, "scheme": model.kind, "maskable": n, "masks": 2 ** n}
    if reference_penalty.applies(net):
        result["penalty"] = reference_penalty.penalty(net)
    if model.batch:  # the contract gives a batch's penalty only; whether maskable counts one
        del result["maskable"], result["masks"]  # example's places or all B examples' is not said
        return result
    runs = [(p, run_of(net, masks)) for p, masks in every_mask(model)]
    result["layers"] = layers_block(net, runs)
    if model.kind == "units":
        result["masked"] = [entrywise(runs, lambda r, l=l: r["masked"][l], len(model.keep[l]))
                            for l in range(len(model.layers))]
    result["prediction"] = prediction_block(net, runs)
    if model.targets is not None:
        result["loss"] = moments_of([(p, r["loss"]) for p, r in runs])
        if net.piecewise_linear:
            result["gradients"] = gradients_block(net, runs)
    if has_nwgm(net):
        result["nwgm"] = nwgm_block(runs)
    if reference_noise.applies(net):
        result["noise"] = reference_noise.noise(net, spec)
    return result


OPTIONAL = ("masked", "loss", "gradients", "nwgm", "penalty", "noise")  # the contract's blocks present only sometimes


# ---------------------------------------------------------------------------------------------
# random specs with sigmoid and tanh (no target: reference_model's backward is piecewise-linear)

def smooth_spec(seed: int) -> dict:
    """One example, unit dropout, sigmoid or tanh somewhere; half of them one sigmoid output
    (the NWGM); at most 5 maskable units."""
    rng = random.Random(f"smooth-{seed}")
    sizes = [rng.randint(1, 2), rng.randint(1, 2)]
    one_sigmoid = rng.random() < 0.5
    sizes.append(1 if one_sigmoid else rng.randint(1, 2))
    layers = ref.draw_layers(rng, sizes)
    layers[0]["activation"] = rng.choice(["sigmoid", "tanh", "relu", {"leaky_relu": "1/10"}])
    layers[1]["activation"] = "sigmoid" if one_sigmoid else rng.choice(["sigmoid", "tanh"])
    keep = [rng.choice([1, ref.draw_q(rng)]), [ref.draw_q(rng, one=0.3) for _ in range(sizes[1])]]
    if all(q == 1 for q in keep[1]):
        keep[1][0] = "1/2"
    spec = {"title": f"smooth {seed}", "input": ref.draw_input(rng, sizes[0]), "layers": layers,
            "dropout": {"convention": rng.choice(ref.CONVENTIONS), "keep": keep}}
    return spec
