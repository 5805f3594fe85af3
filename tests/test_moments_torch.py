"""`symdrop moments SPEC --format json` (issue 24, tests/MOMENTS_CONTRACT.md) against PyTorch
sampling. Every exact value comes from symdrop's JSON; every sampled value from torch, through a
forward pass written here from the spec's YAML (weights, bias, activations, keep per mask, per unit
or per weight, the convention), never from symdrop's code. A sampled mean must lie within 5
standard errors of the exact mean (the exact variance's SE, sqrt(var / N)); a sample variance or
covariance within 5 of its own SE, from the fourth moment (estimated from the sample, or exact from
the JSON's distribution of the prediction). Masks are drawn with torch.bernoulli, each entry with its
own q, in one tensor op, from a torch.Generator with a fixed seed: the tests are deterministic.

The quick suite samples 2*10^5 masks per spec; the slow one 10^6 (the issue's number). Noise models:
PyTorch's eager F.alpha_dropout (not torch._refs, whose mean is biased in 2.13) and Gaussian noise.
"""

import json
import math
import tempfile
from fractions import Fraction
from functools import lru_cache
from pathlib import Path

import pytest
import sympy
import yaml

from symdrop.cli import main

from .conftest import ROOT, TUTORIAL, require_torch

QUICK, SLOW = 200_000, 1_000_000  # masks per spec
GRAD_QUICK, GRAD_SLOW = 5_000, 100_000  # masks for autograd's per-mask gradients
NOISE = 1_000_000  # values of alpha dropout's standard normal input, draws of Gaussian noise
BOUND = 5  # standard errors
SLACK = 1e-12  # added to every bound: a value with variance 0 is sampled to float64's precision

PLAIN_TARGET = """\
title: Plain masks, a keep per unit, leaky ReLU, two outputs and a target
input: [1, -2, "1/2"]
layers:
  - weights: [[1, -1, 2], [2, 1, -1], [-1, "1/2", 1]]
    bias: [0, "1/2", 1]
    activation: {leaky_relu: "1/10"}
  - weights: [[1, 2, -1], [-1, 1, 1]]
    bias: [1, 0]
dropout: {convention: plain, keep: ["3/4", ["1/2", "2/3", "4/5"]]}
target: [1, -1]
loss: squared
"""


def _tutorial(keep) -> str:
    """The built-in tutorial spec (`symdrop example --spec`) with inverted dropout of ``keep``."""
    spec = yaml.safe_load(TUTORIAL.read_text(encoding="utf-8"))
    return yaml.safe_dump({**spec, "dropout": {"convention": "inverted", "keep": keep}}, sort_keys=False)


SPECS = {
    "keep-per-unit": (ROOT / "examples" / "keep-per-unit.yaml").read_text(encoding="utf-8"),
    "dropconnect": (ROOT / "examples" / "dropconnect.yaml").read_text(encoding="utf-8"),
    "weight-scaling-gap": (ROOT / "examples" / "weight-scaling-gap.yaml").read_text(encoding="utf-8"),
    "inverted-sigmoid": (ROOT / "examples" / "inverted-sigmoid.yaml").read_text(encoding="utf-8"),
    "cross-entropy": (ROOT / "examples" / "cross-entropy.yaml").read_text(encoding="utf-8"),
    "tutorial": _tutorial("1/2"),
    "tutorial-input-dropout": _tutorial(["1/2", "1/2", "1/2", "1/2"]),  # mu^(0) too: a noise block
    "plain-target": PLAIN_TARGET,
}
WITH_TARGET = ["keep-per-unit", "dropconnect", "cross-entropy", "plain-target"]
WITH_NOISE = ["inverted-sigmoid", "tutorial-input-dropout", "plain-target"]  # one q < 1 on every input


# ---------------------------------------------------------------------------------------------
# the exact side: symdrop's JSON

@lru_cache(maxsize=None)
def moments(name: str) -> dict:
    """`symdrop moments SPEC --format json` of SPECS[name], through the CLI (exit 0 asserted)."""
    with tempfile.TemporaryDirectory() as folder:
        spec, out = Path(folder) / "spec.yaml", Path(folder) / "moments.json"
        spec.write_text(SPECS[name], encoding="utf-8")
        assert main(["moments", str(spec), "--format", "json", "-o", str(out)]) == 0
        return json.loads(out.read_text(encoding="utf-8"))


def value(text: str) -> float:
    """A JSON number string as a float: an exact rational, or an exact expression (sigmoid, tanh,
    log, sqrt) evaluated to 30 digits first."""
    assert isinstance(text, str), f"expected a number as a string, got {text!r}"
    try:
        return float(Fraction(text))
    except ValueError:
        return float(sympy.N(sympy.sympify(text), 30))


def values(data) -> list:
    """``value`` of every string in a (nested) list."""
    return [values(v) for v in data] if isinstance(data, list) else value(data)


# ---------------------------------------------------------------------------------------------
# the sampled side: the spec's network in torch, read from its YAML here

def number(text) -> Fraction:
    return Fraction(str(text))


class Network:
    """A spec's network as float64 tensors: weights, biases, activations, loss and target, and the
    keep probability q of every mask entry (a vector per unit mask mu^(0..L-1), or a W-shaped matrix
    per DropConnect layer); ``inverted`` divides every kept value (or weight) by its q."""

    def __init__(self, torch, text: str):
        self.torch = torch
        spec = yaml.safe_load(text)
        tensor = lambda data: torch.tensor(self._floats(data), dtype=torch.float64)  # noqa: E731
        layers = spec["layers"]
        self.x = tensor(spec["input"])
        self.W = [tensor(layer["weights"]) for layer in layers]
        self.b = [tensor(layer["bias"]) for layer in layers]
        self.g = [self._activation(layer.get("activation", "identity" if l == len(layers) - 1 else "relu"))
                  for l, layer in enumerate(layers)]
        dropout = spec["dropout"]
        self.inverted = dropout.get("convention", "plain") == "inverted"
        self.dropconnect = dropout.get("kind", "units") == "dropconnect"
        keep = dropout["keep"]
        if self.dropconnect:
            shapes = [tuple(W.shape) for W in self.W]
            keep = keep if isinstance(keep, list) else [keep] * len(layers)
            self.q = [tensor(q) if isinstance(q, list) else torch.full(shape, float(number(q)), dtype=torch.float64)
                      for q, shape in zip(keep, shapes)]
        else:
            sizes = [len(self.x)] + [len(b) for b in self.b[:-1]]  # mu^(0) .. mu^(L-1)
            if not isinstance(keep, list):
                keep = [1] + [keep] * (len(layers) - 1)  # one value: the hidden masks, mu^(0) keeps x
            elif len(keep) == len(layers) - 1:
                keep = [1] + keep  # mu^(0)'s left out: it keeps x
            self.q = [tensor(q) if isinstance(q, list) else torch.full((n,), float(number(q)), dtype=torch.float64)
                      for q, n in zip(keep, sizes)]
            self.input_keep = {number(q) for q in (keep[0] if isinstance(keep[0], list) else [keep[0]])}
        self.loss_name = spec.get("loss", "squared")
        self.target = None
        if "target" in spec:
            target = spec["target"]
            if not isinstance(target, list):  # a class index: one-hot, 0-based
                target = [1 if i == int(target) else 0 for i in range(len(self.b[-1]))]
            self.target = tensor(target)

    @staticmethod
    def _floats(data):
        return [Network._floats(v) for v in data] if isinstance(data, list) else float(number(data))

    def _activation(self, data):
        torch = self.torch
        if isinstance(data, dict):
            (name, slope), = data.items()
            assert name == "leaky_relu", data
            return lambda z: torch.nn.functional.leaky_relu(z, float(number(slope)))
        return {"identity": lambda z: z, "relu": torch.relu, "sigmoid": torch.sigmoid, "tanh": torch.tanh,
                "leaky_relu": lambda z: torch.nn.functional.leaky_relu(z, 0.01)}[data]

    def masks(self, n: int, generator) -> list:
        """``n`` independent masks: every entry kept with its own q (one torch.bernoulli per mask)."""
        return [self.torch.bernoulli(q.expand(n, *q.shape).contiguous(), generator=generator) for q in self.q]

    def forward(self, masks, W=None, b=None) -> dict:
        """The training pass of every mask at once: z^(l), a^(l) (l = 1..L) and the masked inputs
        ã^(l-1), each (N, units). ``W``, ``b``: the weights and biases to use (per mask, for
        autograd's per-mask gradients), the spec's by default."""
        W, b = W or self.W, b or self.b
        a = self.x.expand(masks[0].shape[0], len(self.x))
        out = {"z": [], "a": [], "masked": []}
        for l in range(len(W)):
            weights = W[l]
            if self.dropconnect:
                weights = masks[l] * weights / (self.q[l] if self.inverted else 1)
                masked = a
            else:
                masked = masks[l] * a / (self.q[l] if self.inverted else 1)
                out["masked"].append(masked)
            z = self.torch.matmul(weights, masked.unsqueeze(-1)).squeeze(-1) + b[l]
            a = self.g[l](z)
            out["z"].append(z)
            out["a"].append(a)
        return out

    def loss(self, y):
        """The loss of each pass (one per row of y), for the spec's loss and target."""
        torch, t = self.torch, self.target
        if self.loss_name == "squared":
            return 0.5 * ((y - t) ** 2).sum(dim=-1)
        if self.loss_name == "sse":
            return ((y - t) ** 2).sum(dim=-1)
        if self.loss_name == "mse":
            return ((y - t) ** 2).mean(dim=-1)
        if self.loss_name == "cross_entropy":
            return torch.logsumexp(y, dim=-1) - (y * t).sum(dim=-1)
        raise AssertionError(f"no sampled loss {self.loss_name}")


# ---------------------------------------------------------------------------------------------
# comparing

class Tally:
    """Every comparison's z-score (|sampled - exact| / SE); ``check`` fails listing each one beyond
    BOUND (a value with SE 0 must match to SLACK)."""

    def __init__(self, title: str):
        self.title, self.rows = title, []

    def add(self, what: str, sampled: float, exact: float, se: float) -> None:
        error = abs(sampled - exact)
        ok = error <= BOUND * se + SLACK
        z = error / se if se > 0 else (0.0 if error <= SLACK else math.inf)
        self.rows.append((what, sampled, exact, se, z, ok))

    def max_z(self, prefix: str = "") -> float:
        return max((z for what, *_, z, _ in self.rows if what.startswith(prefix)), default=0.0)

    def check(self) -> None:
        worst = max(self.rows, key=lambda row: row[4])
        print(f"\n{self.title}: {len(self.rows)} comparisons, max z {worst[4]:.2f} ({worst[0]})")
        bad = [f"{what}: sampled {s!r}, exact {e!r}, SE {se:.3g}, z {z:.2f}"
               for what, s, e, se, z, ok in self.rows if not ok]
        assert not bad, f"{self.title}: beyond {BOUND} standard errors:\n" + "\n".join(bad)


def covariance_se(n: int, mu22: float, var_x: float, var_y: float, cov: float) -> float:
    """The standard error of the unbiased sample covariance of n iid pairs (the sample variance
    when x = y): Var = mu22/n - (n-2)/(n(n-1)) cov^2 + var_x var_y/(n(n-1)), mu22 = E[dx^2 dy^2]
    (for x = y: (m4 - var^2 (n-3)/(n-1))/n). The second-order terms matter where m4 = var^2, a
    symmetric two-point distribution (a unit kept or dropped with q = 1/2): there the first-order
    sqrt((m4 - var^2)/n) is 0 (exactly, from the distribution) or a tiny estimate, the sample
    variance still misses by about var^2 sqrt(2)/n, and 5 such SE would fail a correct value."""
    return math.sqrt(max(mu22 / n - (n - 2) / (n * (n - 1)) * cov ** 2 + var_x * var_y / (n * (n - 1)), 0.0))


def compare_unit(tally: Tally, what: str, sample, mean: float, variance: float, m4: float | None = None) -> None:
    """One unit's sample (N,) against its exact mean and variance."""
    n = sample.numel()
    m = sample.mean().item()
    dev = sample - m
    s2 = (dev * dev).sum().item() / (n - 1)
    m4 = (dev ** 4).mean().item() if m4 is None else m4
    tally.add(f"{what} mean", m, mean, math.sqrt(variance / n))
    tally.add(f"{what} variance", s2, variance, covariance_se(n, m4, variance, variance, variance))


def compare_covariance(tally: Tally, what: str, y, covariance) -> None:
    """Every entry of the sample covariance of y (N, k) against the exact covariance matrix."""
    n, k = y.shape
    dev = y - y.mean(dim=0)
    for i in range(k):
        for j in range(k):
            s = (dev[:, i] * dev[:, j]).sum().item() / (n - 1)
            mu22 = (dev[:, i] ** 2 * dev[:, j] ** 2).mean().item()
            se = covariance_se(n, mu22, covariance[i][i], covariance[j][j], covariance[i][j])
            tally.add(f"{what}[{i}][{j}]", s, covariance[i][j], se)


def compare_distribution(tally: Tally, y, distribution) -> None:
    """The share of the passes giving each listed prediction vector against its probability, and
    every pass giving one of them."""
    n = y.shape[0]
    seen = 0
    for i, entry in enumerate(distribution):
        p = value(entry["probability"])
        v = y.new_tensor(values(entry["value"]))
        count = int(((y - v).abs() <= 1e-9 * (1 + v.abs())).all(dim=-1).sum())
        seen += count
        tally.add(f"prediction.distribution[{i}] probability", count / n, p, math.sqrt(p * (1 - p) / n))
    assert seen == n, f"{n - seen} of {n} sampled predictions are none of the distribution's values"


def exact_m4(distribution, k: int) -> float:
    """E[(y_k - E y_k)^4] from the prediction's exact distribution."""
    pairs = [(value(e["probability"]), value(e["value"][k])) for e in distribution]
    mean = sum(p * v for p, v in pairs)
    return sum(p * (v - mean) ** 4 for p, v in pairs)


def column(t, j: int):
    return t[:, j]


# ---------------------------------------------------------------------------------------------
# every unit of every layer, the prediction's covariance and distribution, the loss

def sample_forward(name: str, n: int, seed: int) -> Tally:
    torch = require_torch()
    exact = moments(name)
    net = Network(torch, SPECS[name])
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        passes = net.forward(net.masks(n, generator))
    tally = Tally(f"{name}, {n} masks")
    assert exact["scheme"] == ("dropconnect" if net.dropconnect else "units")
    assert len(exact["layers"]) == len(net.W)
    for l, layer in enumerate(exact["layers"], start=1):
        for key in ("z", "a"):
            sample, means, variances = passes[key][l - 1], values(layer[key]["mean"]), values(layer[key]["variance"])
            assert sample.shape[1] == len(means) == len(variances)
            for j in range(len(means)):
                compare_unit(tally, f"{key}^({l})_{j + 1}", column(sample, j), means[j], variances[j])
    if not net.dropconnect:
        assert len(exact["masked"]) == len(passes["masked"])
        for l, masked in enumerate(exact["masked"]):
            for j, (mean, variance) in enumerate(zip(values(masked["mean"]), values(masked["variance"]))):
                compare_unit(tally, f"masked^({l})_{j + 1}", column(passes["masked"][l], j), mean, variance)
    y, prediction = passes["a"][-1], exact["prediction"]
    distribution = prediction["distribution"]
    for j, (mean, variance) in enumerate(zip(values(prediction["mean"]), values(prediction["variance"]))):
        m4 = exact_m4(distribution, j) if distribution is not None else None
        compare_unit(tally, f"prediction_{j + 1}", column(y, j), mean, variance, m4)
    compare_covariance(tally, "prediction.covariance", y, values(prediction["covariance"]))
    if distribution is not None:
        compare_distribution(tally, y, distribution)
    if net.target is not None:
        loss = exact["loss"]
        compare_unit(tally, "loss", net.loss(y), value(loss["mean"]), value(loss["variance"]))
    else:
        assert "loss" not in exact and "gradients" not in exact
    return tally


@pytest.mark.parametrize("name", list(SPECS))
def test_every_moment_within_5_standard_errors_of_torch_sampling(name):
    sample_forward(name, QUICK, seed=list(SPECS).index(name)).check()


@pytest.mark.slow
@pytest.mark.parametrize("name", list(SPECS))
def test_every_moment_within_5_standard_errors_of_a_million_masks(name):
    sample_forward(name, SLOW, seed=1000 + list(SPECS).index(name)).check()


# ---------------------------------------------------------------------------------------------
# the gradients, by autograd: a copy of every weight and bias per mask, one backward pass

def sample_gradients(name: str, n: int, seed: int) -> Tally:
    torch = require_torch()
    exact = moments(name)
    net = Network(torch, SPECS[name])
    generator = torch.Generator().manual_seed(seed)
    W = [w.expand(n, *w.shape).clone().requires_grad_(True) for w in net.W]
    b = [v.expand(n, *v.shape).clone().requires_grad_(True) for v in net.b]
    passes = net.forward(net.masks(n, generator), W, b)
    net.loss(passes["a"][-1]).sum().backward()  # each mask's loss reaches only its own copy
    tally = Tally(f"{name} gradients, {n} masks")
    assert len(exact["gradients"]) == len(W)
    for l, gradient in enumerate(exact["gradients"], start=1):
        for key, leaf in (("weights", W[l - 1]), ("bias", b[l - 1])):
            grads = leaf.grad.reshape(n, -1)
            means = [v for row in values(gradient[key]["mean"]) for v in (row if isinstance(row, list) else [row])]
            variances = [v for row in values(gradient[key]["variance"]) for v in (row if isinstance(row, list) else [row])]
            assert grads.shape[1] == len(means) == len(variances)
            for k in range(len(means)):
                sample = grads[:, k]
                m = sample.mean().item()
                dev = sample - m
                s2 = (dev * dev).sum().item() / (n - 1)
                m4 = (dev ** 4).mean().item()
                tally.add(f"dL/d{key}^({l})[{k}] mean", m, means[k], math.sqrt(s2 / n))  # the sample's own SE
                tally.add(f"dL/d{key}^({l})[{k}] variance", s2, variances[k], covariance_se(n, m4, s2, s2, s2))
    return tally


@pytest.mark.parametrize("name", WITH_TARGET)
def test_gradient_means_within_5_standard_errors_of_autograd(name):
    sample_gradients(name, GRAD_QUICK, seed=100 + WITH_TARGET.index(name)).check()


@pytest.mark.slow
@pytest.mark.parametrize("name", WITH_TARGET)
def test_gradient_means_within_5_standard_errors_of_autograd_many_masks(name):
    sample_gradients(name, GRAD_SLOW, seed=2000 + WITH_TARGET.index(name)).check()


# ---------------------------------------------------------------------------------------------
# noise models on the input layer: PyTorch's alpha dropout, Gaussian noise

def input_keep(name: str) -> Fraction:
    """The one q of every input (read from the spec), checked against the JSON's noise.q."""
    torch = require_torch()
    net = Network(torch, SPECS[name])
    (q,) = net.input_keep
    assert Fraction(moments(name)["noise"]["q"]) == q
    return q


@pytest.mark.parametrize("name", WITH_NOISE)
def test_alpha_dropout_constants_are_pytorchs(name):
    """PyTorch's eager F.alpha_dropout with p = 1 - q: kept values come out a x + b, dropped ones
    a alpha' + b, with the JSON's a, b and alpha' (PyTorch's constants seen only through its output);
    a standard normal input keeps mean 0 and variance 1 within 5 SE."""
    torch = require_torch()
    q = input_keep(name)
    p = float(1 - q)
    alpha = moments(name)["noise"]["alpha"]
    a, b, alpha_prime = value(alpha["a"]), value(alpha["b"]), value(alpha["alpha_prime"])
    decimal = moments(name)["decimal"]["noise"]["alpha"]
    assert abs(float(decimal["a"]) - a) <= 1e-14 and abs(float(decimal["b"]) - b) <= 1e-14
    assert value(alpha["a_squared"]) == pytest.approx(a * a, rel=1e-15)
    x = torch.randn(NOISE, dtype=torch.float64, generator=torch.Generator().manual_seed(7))
    with torch.random.fork_rng(devices=[]):  # one mask for both inputs; the global RNG left as it was
        torch.manual_seed(11)
        out = torch.nn.functional.alpha_dropout(x, p, training=True)
        torch.manual_seed(11)
        shifted = torch.nn.functional.alpha_dropout(x + 1, p, training=True)
    dropped = out == shifted  # a dropped value does not depend on x
    kept = ~dropped
    tally = Tally(f"alpha dropout, q = {q}, {NOISE} values")
    tally.add("dropped share", dropped.double().mean().item(), p, math.sqrt(p * (1 - p) / NOISE))
    # kept: out = a x + b, the slope and intercept fitted from PyTorch's output alone
    xs, ys = x[kept], out[kept]
    slope = ((xs - xs.mean()) * (ys - ys.mean())).sum().item() / ((xs - xs.mean()) ** 2).sum().item()
    intercept = (ys - slope * xs).mean().item()
    assert abs(slope - a) <= 1e-12 and abs(float(decimal["a"]) - slope) <= 1e-12, (slope, a)
    assert abs(intercept - b) <= 1e-12 and abs(float(decimal["b"]) - intercept) <= 1e-12, (intercept, b)
    assert (ys - (a * xs + b)).abs().max().item() <= 1e-12
    # dropped: one value, a alpha' + b (so alpha' = -1.7580993408473766 is PyTorch's)
    constant = out[dropped]
    assert (constant == constant[0]).all()
    assert abs(constant[0].item() - (a * alpha_prime + b)) <= 1e-12
    assert abs((constant[0].item() - b) / a - alpha_prime) <= 1e-12
    assert float(Fraction(alpha["alpha_prime"])) == -1.7580993408473766
    # a standardised input keeps mean 0 and variance 1
    compare_unit(tally, "output", out, 0.0, 1.0)
    tally.check()


@pytest.mark.parametrize("name", WITH_NOISE)
def test_gaussian_dropout_moments_of_z1(name):
    """z^(1) = W^(1) (xi * x) + b^(1), xi ~ N(1, (1 - q)/q) sampled by torch: its mean and variance
    against noise.gaussian's z_mean and z_variance."""
    torch = require_torch()
    q = input_keep(name)
    gaussian = moments(name)["noise"]["gaussian"]
    assert Fraction(gaussian["noise_variance"]) == (1 - q) / q
    net = Network(torch, SPECS[name])
    generator = torch.Generator().manual_seed(13)
    xi = torch.normal(1.0, math.sqrt((1 - q) / q), size=(NOISE, len(net.x)), generator=generator, dtype=torch.float64)
    z = (xi * net.x) @ net.W[0].T + net.b[0]
    tally = Tally(f"gaussian noise, q = {q}, {NOISE} draws")
    for j, (mean, variance) in enumerate(zip(values(gaussian["z_mean"]), values(gaussian["z_variance"]))):
        compare_unit(tally, f"z^(1)_{j + 1}", z[:, j], mean, variance)
    tally.check()
