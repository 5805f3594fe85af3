"""Issue 24's `symdrop moments SPEC --format json` (tests/MOMENTS_CONTRACT.md) against an independent
brute-force reference (tests/reference_moments.py, reference_penalty.py, reference_noise.py: every
mask enumerated with Fractions, never symdrop's code) and against values worked by hand below.
Rationals must agree exactly; irrational values (after sigmoid or tanh) to 1e-30, and the
"decimal" copy beside them to 15 significant digits.
"""

import time
from fractions import Fraction as F

import mpmath
import pytest
import yaml

from symdrop.cli import main

from . import reference_model as ref
from . import reference_moments as rm
from . import reference_penalty as rp
from .conftest import ROOT, TUTORIAL, write_spec
from .test_dropout_model import exact, run_json, same

QUICK = range(12)  # seeds per generator in the quick suite
SLOW = range(12, 40)  # the whole suite's: some 170 specs more (its time budget, not the reference's, limits them)
EXAMPLES = ["keep-per-unit.yaml", "dropconnect.yaml", "inverted-sigmoid.yaml", "weight-scaling-gap.yaml"]
GENERATORS = {"old": ref.old_spec, "per-unit": ref.per_unit_spec, "dropconnect": ref.dropconnect_spec,
              "smooth": rm.smooth_spec, "linear": rp.linear_spec,
              "linear-dropconnect": lambda seed: rp.linear_spec(seed, "dropconnect")}


# ---------------------------------------------------------------------------------------------
# helpers

def irrational_leaves(value, path=()):
    if isinstance(value, dict):
        for key, entry in value.items():
            yield from irrational_leaves(entry, path + (key,))
    elif isinstance(value, (list, tuple)):
        for i, entry in enumerate(value):
            yield from irrational_leaves(entry, path + (i,))
    elif isinstance(value, mpmath.mpf):
        yield path, value


def check_decimals(out: dict, expected: dict) -> None:
    """Every irrational value has its 15-significant-digit decimal at the same place in "decimal"."""
    leaves = [(path, value) for path, value in irrational_leaves(expected) if not _rational_text(_at(out, path))]
    if not leaves:  # after sigmoid or tanh a value may still be exactly rational: tanh(0) = 0
        return
    assert "decimal" in out, "irrational values but no decimal object"
    for path, value in leaves:
        entry = out["decimal"]
        for step in path:
            entry = entry[step]
        assert abs(mpmath.mpf(entry) - value) <= mpmath.mpf("1e-14") * abs(value) + mpmath.mpf("1e-30"), (path, entry)


def _at(data, path):
    for step in path:
        data = data[step]
    return data


def _rational_text(text: str) -> bool:
    try:
        F(text)
    except ValueError:
        return False
    return True


def moments_json(tmp_path, capsys, spec: dict) -> dict:
    return run_json(capsys, "moments", str(write_spec(tmp_path, spec)), "--format", "json")


def refused(capsys, path) -> str:
    """``symdrop moments PATH --format json`` exits 2 with one line on stderr; the line."""
    code = main(["moments", str(path), "--format", "json"])
    captured = capsys.readouterr()
    assert code == 2, f"exit {code}: {captured.err}"
    assert captured.out == ""
    assert captured.err.count("\n") == 1 and captured.err.startswith("symdrop: error:"), captured.err
    assert "Traceback" not in captured.err
    return captured.err


def check_moments(tmp_path, capsys, spec: dict, path=None) -> None:
    """The command's JSON against the reference; a spec with no keep below 1 must be refused."""
    if rm.refusal(spec) is not None:
        refused(capsys, path or write_spec(tmp_path, spec))
        return
    expected = rm.moments(spec)
    out = run_json(capsys, "moments", str(path), "--format", "json") if path else moments_json(tmp_path, capsys, spec)
    blocks = ("penalty",) if rm.read(spec).model.batch else rm.OPTIONAL
    for block in blocks:
        assert (block in out) == (block in expected), f"{block}: in symdrop {block in out}, in the reference {block in expected}"
    same(out, expected)
    check_decimals(out, expected)


# ---------------------------------------------------------------------------------------------
# the examples

@pytest.mark.parametrize("name", EXAMPLES)
def test_example(tmp_path, capsys, name):
    path = ROOT / "examples" / name
    check_moments(tmp_path, capsys, yaml.safe_load(path.read_text(encoding="utf-8")), path)


def test_tutorial_with_a_keep(tmp_path, capsys):
    spec = {**yaml.safe_load(TUTORIAL.read_text(encoding="utf-8")), "dropout": {"keep": "1/2"}}
    assert len(ref.maskable(ref.read(spec))) == 8  # mu^(1), mu^(2), mu^(3): 3 + 3 + 2 units
    check_moments(tmp_path, capsys, spec)


def test_tutorial_as_it_is_is_refused(capsys):
    # no dropout section: every q is 1, there are no statistics to take
    refused(capsys, TUTORIAL)


def test_keep_of_one_everywhere_is_refused(tmp_path, capsys):
    spec = {"input": [1, 2], "layers": [{"weights": [[1, 1]], "bias": [0]}], "dropout": {"keep": [1]}, "target": [1]}
    refused(capsys, write_spec(tmp_path, spec))


def test_too_many_maskable_units_are_refused_up_front(tmp_path, capsys):
    # 20 inputs and 20 ReLU units, q = 1/2 on both masks: 40 maskable units, 2^40 masks
    spec = {"input": [1] * 20, "layers": [{"weights": [[(i + j) % 3 - 1 for j in range(20)] for i in range(20)], "bias": [0] * 20},
                                          {"weights": [[1] * 20], "bias": [0]}],
            "dropout": {"keep": ["1/2", "1/2"]}}
    start = time.monotonic()
    refused(capsys, write_spec(tmp_path, spec))
    assert time.monotonic() - start < 5


# ---------------------------------------------------------------------------------------------
# worked by hand (the same values test_reference_moments.py checks the reference against)

def test_one_linear_unit(tmp_path, capsys):
    # S = b + w1 mu1 x1 + w2 mu2 x2, b = 1, w = (2, -1), x = (1, 3), q = (1/2, 2/3), plain:
    # E[S] = b + sum q_i w_i x_i = 1 + 1 - 2 = 0; Var(S) = sum w_i^2 x_i^2 q_i (1 - q_i) = 1 + 2 = 3;
    # S over (mu1, mu2): (0,0) 1 P 1/6, (1,0) 3 P 1/6, (0,1) -2 P 1/3, (1,1) 0 P 1/3
    spec = {"input": [1, 3], "layers": [{"weights": [[2, -1]], "bias": [1]}], "dropout": {"keep": [["1/2", "2/3"]]}}
    out = moments_json(tmp_path, capsys, spec)
    assert (out["maskable"], out["masks"], out["scheme"], out["convention"]) == (2, 4, "units", "plain")
    same(out["prediction"], {"mean": [F(0)], "variance": [F(3)], "covariance": [[F(3)]],
                              "distribution": [{"value": [F(-2)], "probability": F(1, 3)}, {"value": [F(0)], "probability": F(1, 3)},
                                               {"value": [F(1)], "probability": F(1, 6)}, {"value": [F(3)], "probability": F(1, 6)}]})
    same(out["masked"], [{"mean": [F(1, 2), F(2)], "variance": [F(1, 4), F(2)]}])  # q x, q(1-q) x^2
    # inverted: E[S] = b + sum w_i x_i = 0; Var(S) = sum w_i^2 x_i^2 (1 - q_i)/q_i = 4 + 9/2 = 17/2
    spec["dropout"]["convention"] = "inverted"
    same(moments_json(tmp_path, capsys, spec)["prediction"], {"mean": [F(0)], "variance": [F(17, 2)]})


def test_weight_scaling_gap(tmp_path, capsys):
    # y = 1/2 when mu1 = mu2 = 1 (P 1/4), else 0: E[y] = 1/8 (weight scaling's 0 is the gap), Var 3/64
    out = run_json(capsys, "moments", str(ROOT / "examples" / "weight-scaling-gap.yaml"), "--format", "json")
    same(out["prediction"], {"mean": [F(1, 8)], "variance": [F(3, 64)],
                              "distribution": [{"value": [F(0)], "probability": F(3, 4)}, {"value": [F(1, 2)], "probability": F(1, 4)}]})


def test_penalty_of_a_batch(tmp_path, capsys):
    # W = (1, -2), b = 0, q = 1/2 plain, squared, x = (1,0), (0,1), (1,1), t = 1, 0, 2:
    # E[loss] = (1/4 + 1 + 15/4)/3 = 5/3; mean model W (q x): losses 1/8, 1/2, 25/8, mean 5/4;
    # penalty (1/2)(1/3) q(1-q) (1*(1+0+1) + 4*(0+1+1)) = 5/12; the regularised normal equations
    # [[1, 1/4], [1/4, 1]] w = (3/2, 1) give w = (4/3, 2/3); the expected gradient (-1/3, -11/12)
    spec = {"input": [[1, 0], [0, 1], [1, 1]], "layers": [{"weights": [[1, -2]], "bias": [0], "activation": "identity"}],
            "dropout": {"keep": ["1/2"]}, "target": [[1], [0], [2]]}
    out = moments_json(tmp_path, capsys, spec)["penalty"]
    same(out, {"expected_loss": F(5, 3), "loss_of_mean_model": F(5, 4), "penalty": F(5, 12),
                "minimiser": {"weights": [[F(4, 3), F(2, 3)]], "bias": [F(0)]},
                "expected_gradient": [[F(-1, 3), F(-11, 12)]], "penalised_gradient": [[F(-1, 3), F(-11, 12)]]})


def test_singular_minimiser_is_null(tmp_path, capsys):
    # the second input is 0 in every example: f does not depend on W_12, no unique minimiser
    spec = {"input": [[1, 0], [2, 0]], "layers": [{"weights": [[1, 1]], "bias": [0]}],
            "dropout": {"keep": ["1/2"]}, "target": [[1], [1]]}
    assert moments_json(tmp_path, capsys, spec)["penalty"]["minimiser"] is None


def test_nwgm_of_one_sigmoid_unit(tmp_path, capsys):
    # S = 2 mu, q = 1/2: S in {2, 0}, E[S] = 1; G/(G + G') = 1/(1 + e^-1) = sigma(1) = sigma(E[S]);
    # E[sigma(S)] = (sigma(2) + 1/2)/2
    spec = {"input": [1], "layers": [{"weights": [[2]], "bias": [0], "activation": "sigmoid"}], "dropout": {"keep": ["1/2"]}}
    out = moments_json(tmp_path, capsys, spec)
    s = lambda v: 1 / (1 + mpmath.exp(-mpmath.mpf(v)))
    same(out["nwgm"], {"geometric": s(1), "sigmoid_of_mean": s(1), "arithmetic_mean": (s(2) + mpmath.mpf(1) / 2) / 2})


def test_noise_by_hand(tmp_path, capsys):
    # x = (1, 2), W = (1, -1), b = 3, q = 1/2 inverted, alpha' = -1: P(all dropped) 1/4, E[kept] 1;
    # Gaussian Var(xi) = 1, E[z] = 2, Var(z) = 1 + 4 = 5; spatial (inverted) 5 and 9;
    # alpha: a^2 = 1/(q + alpha'^2 q(1-q)) = 4/3, a = 2/sqrt(3), b = -a alpha'(1-q) = 1/sqrt(3)
    spec = {"input": [1, 2], "layers": [{"weights": [[1, -1]], "bias": [3]}],
            "dropout": {"convention": "inverted", "keep": ["1/2"], "alpha": -1}}
    out = moments_json(tmp_path, capsys, spec)["noise"]
    same(out, {"q": F(1, 2), "kept": {"all_dropped": F(1, 4), "expected_kept": F(1)},
                "gaussian": {"noise_variance": F(1), "z_mean": [F(2)], "z_variance": [F(5)]},
                "spatial": {"elementwise_variance": F(5), "shared_variance": F(9)},
                "alpha": {"alpha_prime": F(-1), "a_squared": F(4, 3), "a": 2 / mpmath.sqrt(3), "b": 1 / mpmath.sqrt(3)}})


def test_default_alpha_prime_is_read_exactly(tmp_path, capsys):
    spec = {"input": [1, 2], "layers": [{"weights": [[1, -1]], "bias": [3]}], "dropout": {"keep": ["4/5"]}}
    alpha = moments_json(tmp_path, capsys, spec)["noise"]["alpha"]
    assert exact(alpha["alpha_prime"]) == F("-1.7580993408473766")
    assert exact(alpha["a_squared"]) == 1 / (F(4, 5) + F("-1.7580993408473766") ** 2 * F(4, 5) * F(1, 5))


def test_masks_in_the_spec_are_ignored(tmp_path, capsys):
    spec = ref.per_unit_spec(3)
    with_masks = moments_json(tmp_path, capsys, spec)
    assert moments_json(tmp_path, capsys, {k: v for k, v in spec.items() if k != "masks"}) == with_masks


# ---------------------------------------------------------------------------------------------
# seeded random specs, every number against the reference

CASES = [(name, seed) for name in GENERATORS for seed in QUICK]
SLOW_CASES = [(name, seed) for name in GENERATORS for seed in SLOW]


@pytest.mark.parametrize(("name", "seed"), CASES)
def test_random_spec(tmp_path, capsys, name, seed):
    check_moments(tmp_path, capsys, GENERATORS[name](seed))


@pytest.mark.slow
@pytest.mark.parametrize(("name", "seed"), SLOW_CASES)
def test_random_spec_more_seeds(tmp_path, capsys, name, seed):
    spec = GENERATORS[name](seed)
    if seed % 2:  # a spec may omit masks
        spec.pop("masks", None)
    check_moments(tmp_path, capsys, spec)


def test_a_prediction_of_many_values_is_said_to_be_computed_from_every_mask(capsys):
    """examples/inverted-sigmoid.yaml's prediction takes more than 16 values: its mean and
    variance are shown as decimals (sums of sigmoids), and the page says they come from every
    mask, without calling those decimals exact."""
    from .conftest import ROOT

    assert main(["moments", str(ROOT / "examples" / "inverted-sigmoid.yaml")]) == 0
    md = capsys.readouterr().out
    assert r"E[\hat{y}] \approx" in md and "exact all the same" not in md
    assert "too many to list; its mean and variance above are still computed from every mask, not estimated." in md
