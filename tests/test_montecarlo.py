"""MC dropout (expect --samples) with a keep probability per unit and with DropConnect, against
an independent draw and the plain-Fraction reference (tests/reference_model.py)."""

import json
import random
from fractions import Fraction
from pathlib import Path

import pytest
import yaml

from symdrop.cli import main

from . import reference_model as ref
from .conftest import write_spec

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def run_json(capsys, *args: str) -> dict:
    assert main([*args, "--format", "json"]) == 0
    return json.loads(capsys.readouterr().out)


def draw(model: ref.Model, rng: random.Random) -> tuple:
    """One draw of every mask, as the issue asks: each place kept with its own q = m/n when
    ``rng.randrange(n) < m``, places in order (mask by mask, row by row), q = 1 places too."""
    def bit(q: Fraction) -> int:
        return int(rng.randrange(q.denominator) < q.numerator)

    if model.kind == "units":
        return tuple(tuple(bit(q) for q in qs) for qs in model.keep)
    return tuple(tuple(tuple(bit(q) for q in row) for row in Q) for Q in model.keep)


def reference_mc(spec: dict, samples: int, seed: int) -> tuple[Fraction, Fraction]:
    """The MC mean and s^2 / T of the single output, from the reference's passes."""
    model = ref.read(spec)
    rng = random.Random(seed)
    ys = [ref.prediction(model, masks=draw(model, rng))[0] for _ in range(samples)]
    mean = sum(ys, Fraction(0)) / samples
    variance = sum(((y - mean) ** 2 for y in ys), Fraction(0)) / (samples - 1) / samples
    return mean, variance


@pytest.mark.parametrize("name", ["keep-per-unit.yaml", "dropconnect.yaml"])
@pytest.mark.parametrize("seed", [0, 7])
def test_samples_reproduce_an_independent_draw(name, seed, capsys):
    spec = yaml.safe_load((EXAMPLES / name).read_text(encoding="utf-8"))
    mc = run_json(capsys, "expect", str(EXAMPLES / name), "--samples", "300", "--seed", str(seed))["monte_carlo"]
    mean, variance = reference_mc(spec, 300, seed)
    assert Fraction(mc["mean"][0]) == mean
    assert Fraction(mc["estimated_variance_of_mean"][0]) == variance


@pytest.mark.parametrize("name", ["keep-per-unit.yaml", "dropconnect.yaml"])
def test_sample_mean_within_five_standard_errors_of_the_exact_mean(name, capsys):
    data = run_json(capsys, "expect", str(EXAMPLES / name), "--samples", "4000", "--seed", "11")
    exact, mc = Fraction(data["exact_mean"][0]), data["monte_carlo"]
    # the exact mean is also the reference's, over every mask
    assert (exact,) == ref.ensemble_mean(ref.read(yaml.safe_load((EXAMPLES / name).read_text(encoding="utf-8"))))
    gap = Fraction(mc["mean"][0]) - exact
    assert gap * gap <= 25 * Fraction(mc["estimated_variance_of_mean"][0])
    assert mc["samples"] == 4000 and mc["seed"] == 11 and mc["distinct_masks"] > 1


def test_tiny_dropconnect_draw_by_hand(tmp_path, capsys):
    # one weight w = 1 from x = 1, no bias, q = 1/2, plain masks: y is the mask bit itself, so
    # the MC mean of T = 6 draws is the share of randrange(2) < 1 among Random(5)'s six draws
    spec = {"input": [1], "layers": [{"weights": [[1]], "bias": [0], "activation": "identity"}],
            "masks": [[[1]]], "dropout": {"kind": "dropconnect", "convention": "plain", "keep": ["1/2"]}}
    rng = random.Random(5)
    bits = [int(rng.randrange(2) < 1) for _ in range(6)]
    mc = run_json(capsys, "expect", str(write_spec(tmp_path, spec)), "--samples", "6", "--seed", "5")["monte_carlo"]
    assert Fraction(mc["mean"][0]) == Fraction(sum(bits), 6)
    assert mc["distinct_masks"] == len(set(bits))


def test_tiny_per_unit_draw_by_hand(tmp_path, capsys):
    # y = x1 mu1 + x2 mu2 with x = (1, 10), q = (1/3, 3/4), plain: each draw is
    # randrange(3) < 1 for unit 1, then randrange(4) < 3 for unit 2
    spec = {"input": [1, 10], "layers": [{"weights": [[1, 1]], "bias": [0], "activation": "identity"}],
            "masks": [[1, 1]], "dropout": {"convention": "plain", "keep": [["1/3", "3/4"]]}}
    rng = random.Random(2)
    ys = []
    for _ in range(8):
        mu1 = int(rng.randrange(3) < 1)
        mu2 = int(rng.randrange(4) < 3)
        ys.append(mu1 + 10 * mu2)
    mc = run_json(capsys, "expect", str(write_spec(tmp_path, spec)), "--samples", "8", "--seed", "2")["monte_carlo"]
    assert Fraction(mc["mean"][0]) == Fraction(sum(ys), 8)


@pytest.mark.parametrize("name", ["keep-per-unit.yaml", "dropconnect.yaml"])
def test_same_seed_same_bytes(name, capsys):
    args = ("expect", str(EXAMPLES / name), "--samples", "200", "--seed", "4")
    assert main([*args]) == 0
    first = capsys.readouterr().out
    assert main([*args]) == 0
    assert capsys.readouterr().out == first and "Monte-Carlo" in first
