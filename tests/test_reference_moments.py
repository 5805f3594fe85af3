"""The moments reference itself (tests/reference_moments.py, reference_penalty.py, reference_noise.py)
against values worked by hand, and against identities it must satisfy but does not use."""

from fractions import Fraction as F

import mpmath
import pytest
import yaml

from . import reference_model as ref
from . import reference_moments as rm
from . import reference_noise as rn
from . import reference_penalty as rp
from .conftest import ROOT, TUTORIAL

SEEDS = range(15)
TINY = mpmath.mpf("1e-40")


def close(a, b) -> bool:
    """Equal: exactly for Fractions, to 1e-40 for mpmath numbers."""
    if isinstance(a, F) and isinstance(b, F):
        return a == b
    return abs(rm.mp(a) - rm.mp(b)) < TINY


def sigma(s):
    return 1 / (1 + mpmath.exp(-rm.mp(s)))


def test_one_linear_unit_by_hand():
    # S = b + w1 mu1 x1 + w2 mu2 x2 with b = 1, w = (2, -1), x = (1, 3), q = (1/2, 2/3), plain:
    # E[S] = b + sum w_i q_i x_i = 1 + 1 - 2 = 0; Var(S) = sum w_i^2 x_i^2 q_i (1 - q_i) = 4/4 + 9 (2/9) = 3.
    # Masks (mu1, mu2) -> S: (0,0) 1 with P 1/6, (1,0) 3 with 1/6, (0,1) -2 with 1/3, (1,1) 0 with 1/3.
    spec = {"input": [1, 3], "layers": [{"weights": [[2, -1]], "bias": [1]}],
            "dropout": {"keep": [["1/2", "2/3"]]}}
    out = rm.moments(spec)
    assert (out["maskable"], out["masks"], out["scheme"], out["convention"]) == (2, 4, "units", "plain")
    assert out["prediction"]["mean"] == [0] and out["prediction"]["variance"] == [3]
    assert out["prediction"]["covariance"] == [[3]]
    assert out["layers"][0]["z"] == out["layers"][0]["a"] == {"mean": [0], "variance": [3]}
    assert out["prediction"]["distribution"] == [{"value": [-2], "probability": F(1, 3)},
                                                 {"value": [0], "probability": F(1, 3)},
                                                 {"value": [1], "probability": F(1, 6)},
                                                 {"value": [3], "probability": F(1, 6)}]
    # the masked input mu_j x_j: mean q_j x_j = (1/2, 2), variance q_j (1 - q_j) x_j^2 = (1/4, 2)
    assert out["masked"] == [{"mean": [F(1, 2), 2], "variance": [F(1, 4), 2]}]
    assert "noise" not in out and "penalty" not in out and "loss" not in out  # two q's; no target
    # inverted: E[S] = b + sum w_i x_i = 1 + 2 - 3 = 0; Var(S) = sum w_i^2 x_i^2 (1 - q_i)/q_i = 4 + 9/2 = 17/2
    inverted = rm.moments({**spec, "dropout": {"convention": "inverted", "keep": [["1/2", "2/3"]]}})
    assert inverted["prediction"]["mean"] == [0] and inverted["prediction"]["variance"] == [F(17, 2)]


def test_weight_scaling_gap_by_hand():
    # x = 1; z1 = 1, a1 = 1; z2 = 2 mu1 - 1, a2 = relu(z2) = mu1; y = mu2 a2 / 2 (plain masks in training):
    # y = 1/2 when mu1 = mu2 = 1 (P 1/4), else 0: E[y] = 1/8, Var(y) = 1/16 - 1/64 = 3/64
    spec = yaml.safe_load((ROOT / "examples" / "weight-scaling-gap.yaml").read_text())
    out = rm.moments(spec)
    assert out["maskable"] == 2 and out["convention"] == "weight-scaling"
    assert out["prediction"]["distribution"] == [{"value": [0], "probability": F(3, 4)},
                                                 {"value": [F(1, 2)], "probability": F(1, 4)}]
    assert out["prediction"]["mean"] == [F(1, 8)] and out["prediction"]["variance"] == [F(3, 64)]
    assert out["layers"][0]["z"] == {"mean": [1], "variance": [0]}
    assert out["layers"][1]["z"] == {"mean": [0], "variance": [1]}  # +-1
    assert out["layers"][1]["a"] == {"mean": [F(1, 2)], "variance": [F(1, 4)]}
    # masked inputs: x (q = 1), mu1 a1 = mu1, mu2 a2 (1 with P 1/4)
    assert out["masked"] == [{"mean": [1], "variance": [0]}, {"mean": [F(1, 2)], "variance": [F(1, 4)]},
                             {"mean": [F(1, 4)], "variance": [F(3, 16)]}]
    assert "noise" not in out


def test_gradients_by_hand():
    # x = 1, W1 = 2 (relu), mu1 with q = 1/2, W2 = 1 (identity), t = 1, squared. y = 2 mu1.
    # mu1 = 1: y = 2, L = 1/2, dL/dy = 1: dW2 = a~1 = 2, db2 = 1, delta1 = 1, dW1 = x = 1, db1 = 1.
    # mu1 = 0: y = 0, L = 1/2, dL/dy = -1: dW2 = 0, db2 = -1, delta1 = 0, dW1 = 0, db1 = 0.
    spec = {"input": [1], "layers": [{"weights": [[2]], "bias": [0]}, {"weights": [[1]], "bias": [0]}],
            "dropout": {"keep": "1/2"}, "target": [1]}
    out = rm.moments(spec)
    assert out["loss"] == {"mean": F(1, 2), "variance": 0}
    assert out["gradients"][1] == {"weights": {"mean": [[1]], "variance": [[1]]}, "bias": {"mean": [0], "variance": [1]}}
    assert out["gradients"][0] == {"weights": {"mean": [[F(1, 2)]], "variance": [[F(1, 4)]]},
                                   "bias": {"mean": [F(1, 2)], "variance": [F(1, 4)]}}
    assert out["prediction"]["mean"] == [1] and out["prediction"]["variance"] == [1]
    assert "penalty" not in out  # two layers: not a linear model


def test_penalty_by_hand():
    # W = (1, -2), b = 0, q = 1/2 plain on both inputs, squared loss, B = 3:
    # x = (1, 0), t = 1: y = mu1, L in {0, 1/2}: E = 1/4
    # x = (0, 1), t = 0: y = -2 mu2, L = 2 mu2: E = 1
    # x = (1, 1), t = 2: y = mu1 - 2 mu2: (1,1) 9/2, (1,0) 1/2, (0,1) 8, (0,0) 2: E = 15/4
    # E[loss] = (1/4 + 1 + 15/4)/3 = 5/3. Mean model y = W (x/2): 1/2, -1, -1/2: losses 1/8, 1/2, 25/8: 5/4.
    # Penalty c q(1-q) sum_j W_j^2 sum_i x_ij^2 = (1/2)(1/3)(1/4)(1*2 + 4*2) = 5/12 = 5/3 - 5/4.
    # Minimiser: (1/6) sum_i E(w.x~ - t)^2, sum_i E[x~ x~^T] = [[1, 1/4], [1/4, 1]], sum_i t_i E[x~_i] = (3/2, 1):
    # w = (4/3, 2/3). Expected gradient at W: (1/3)(A w - r) = (1/3)((1/2, -7/4) - (3/2, 1)) = (-1/3, -11/12).
    spec = {"input": [[1, 0], [0, 1], [1, 1]], "layers": [{"weights": [[1, -2]], "bias": [0], "activation": "identity"}],
            "dropout": {"keep": ["1/2"]}, "target": [[1], [0], [2]]}
    out = rm.moments(spec)["penalty"]
    assert out["expected_loss"] == F(5, 3) and out["loss_of_mean_model"] == F(5, 4) and out["penalty"] == F(5, 12)
    assert rp.closed_form(ref.read(spec)) == F(5, 12)
    assert out["minimiser"] == {"weights": [[F(4, 3), F(2, 3)]], "bias": [0]}
    assert out["expected_gradient"] == out["penalised_gradient"] == [[F(-1, 3), F(-11, 12)]]


def test_dropconnect_one_weight_by_hand():
    # y = 2 (m / (1/3)) 3 + 1 = 18 m + 1, P(m = 1) = 1/3: E[y] = 7, Var(y) = 18^2 (1/3)(2/3) = 72.
    # t = 7, squared: E[L] = Var/2 = 36, mean model y = 7: 0; penalty 36 = (1/2) W^2 ((1-q)/q) x^2 = 4 * 9.
    # f(w) = E[(9 w m - 6)^2]/2 = (27 w^2 - 36 w + 36)/2: minimiser 2/3, gradient at 2: 27*2 - 18 = 36.
    spec = {"input": [3], "layers": [{"weights": [[2]], "bias": [1]}], "target": [7],
            "dropout": {"kind": "dropconnect", "convention": "inverted", "keep": ["1/3"]}}
    out = rm.moments(spec)
    assert out["prediction"]["mean"] == [7] and out["prediction"]["variance"] == [72]
    assert "masked" not in out and "noise" not in out
    assert out["loss"]["mean"] == 36
    penalty = out["penalty"]
    assert (penalty["expected_loss"], penalty["loss_of_mean_model"], penalty["penalty"]) == (36, 0, 36)
    assert penalty["minimiser"]["weights"] == [[F(2, 3)]] and penalty["expected_gradient"] == [[36]]


def test_nwgm_by_hand():
    # S = 2 mu x, x = 1, q = 1/2: S in {2, 0}, E[S] = 1; G/(G + G') = 1/(1 + sqrt((1 - s(2)) (1/2) / (s(2) (1/2))))
    # = 1/(1 + sqrt(e^-2)) = sigma(1); E[sigma(S)] = (sigma(2) + 1/2)/2
    spec = {"input": [1], "layers": [{"weights": [[2]], "bias": [0], "activation": "sigmoid"}], "dropout": {"keep": ["1/2"]}}
    out = rm.moments(spec)
    nwgm = out["nwgm"]
    assert abs(nwgm["geometric"] - sigma(1)) < TINY and abs(nwgm["sigmoid_of_mean"] - sigma(1)) < TINY
    assert abs(nwgm["arithmetic_mean"] - (sigma(2) + mpmath.mpf(1) / 2) / 2) < TINY
    assert abs(out["prediction"]["mean"][0] - nwgm["arithmetic_mean"]) < TINY
    assert out["layers"][0]["z"] == {"mean": [1], "variance": [1]}
    # noise: n = 1, q = 1/2: P(all dropped) 1/2, E[kept] 1/2; spatial Var(mu x) = 1/4 both ways
    noise = out["noise"]
    assert noise["kept"] == {"all_dropped": F(1, 2), "expected_kept": F(1, 2)}
    assert noise["spatial"] == {"elementwise_variance": F(1, 4), "shared_variance": F(1, 4)}
    assert noise["gaussian"] == {"noise_variance": 1, "z_mean": [2], "z_variance": [4]}


def test_noise_by_hand():
    # x = (1, 2), W = (1, -1), b = 3, q = 1/2 inverted: P(all dropped) = 1/4, E[kept] = 1;
    # Gaussian: Var(xi) = (1-q)/q = 1, E[z] = 1 - 2 + 3 = 2, Var(z) = 1 + 4 = 5 (= inverted dropout's);
    # spatial, inverted: q(1-q)/q^2 = 1 times sum x^2 = 5 elementwise, (sum x)^2 = 9 shared;
    # alpha' = -1: Var(u) = q + alpha'^2 q (1 - q) = 3/4, a^2 = 4/3, a = 2/sqrt(3), b = -a alpha' (1-q) = 1/sqrt(3)
    spec = {"input": [1, 2], "layers": [{"weights": [[1, -1]], "bias": [3]}],
            "dropout": {"convention": "inverted", "keep": ["1/2"], "alpha": -1}}
    out = rm.moments(spec)
    noise = out["noise"]
    assert noise["q"] == F(1, 2) and noise["kept"] == {"all_dropped": F(1, 4), "expected_kept": 1}
    assert noise["gaussian"] == {"noise_variance": 1, "z_mean": [2], "z_variance": [5]}
    assert out["layers"][0]["z"] == {"mean": [2], "variance": [5]}
    assert noise["spatial"] == {"elementwise_variance": 5, "shared_variance": 9}
    alpha = noise["alpha"]
    assert alpha["alpha_prime"] == -1 and alpha["a_squared"] == F(4, 3)
    assert abs(alpha["a"] - 2 / mpmath.sqrt(3)) < TINY and abs(alpha["b"] - 1 / mpmath.sqrt(3)) < TINY
    # plain, same q: spatial q(1-q) sum x^2 = 5/4, q(1-q) (sum x)^2 = 9/4; the Gaussian block is the same
    plain = rm.moments({**spec, "dropout": {"keep": ["1/2"]}})["noise"]
    assert plain["spatial"] == {"elementwise_variance": F(5, 4), "shared_variance": F(9, 4)}
    assert plain["gaussian"] == noise["gaussian"]
    assert plain["alpha"]["alpha_prime"] == F("-1.7580993408473766")
    assert rn.rational_sqrt(F(4, 9)) == F(2, 3)


@pytest.mark.parametrize("q", ["1/2", "2/3", "4/5", "0.9"])
def test_alpha_dropout_standardises_and_matches_pytorch_formula(q):
    q = F(q)
    out = rn.alpha(q, F(rn.ALPHA_PRIME))
    a, b, ap = out["a"], out["b"], rm.mp(out["alpha_prime"])
    qm = rm.mp(q)
    # a u + b, u = x d + alpha' (1 - d), E[x] = 0, E[x^2] = 1: mean a alpha' (1-q) + b, E[u^2] = q + alpha'^2 (1-q)
    assert abs(a * ap * (1 - qm) + b) < TINY
    assert abs(a ** 2 * (qm + ap ** 2 * (1 - qm)) + 2 * a * b * ap * (1 - qm) + b ** 2 - 1) < TINY
    assert out["a_squared"] == 1 / (q + F(rn.ALPHA_PRIME) ** 2 * q * (1 - q))  # the contract's closed form
    p = 1 - float(q)  # torch.nn.functional.alpha_dropout: a = ((1 - p) (1 + p alpha'^2))^(-1/2), b = -a alpha' p
    a_torch = ((1 - p) * (1 + p * 1.7580993408473766 ** 2)) ** -0.5
    assert abs(float(a) - a_torch) < 1e-12 and abs(float(b) - a_torch * 1.7580993408473766 * p) < 1e-12


def test_the_tutorial_without_a_keep_is_refused():
    spec = yaml.safe_load(TUTORIAL.read_text())
    assert rm.refusal(spec) == "no keep below 1"
    assert rm.refusal({**spec, "dropout": {"keep": "1/2"}}) is None
    wide = {"input": [1] * 20, "layers": [{"weights": [[1] * 20] * 20, "bias": [0] * 20}, {"weights": [[1] * 20], "bias": [0]}],
            "dropout": {"keep": ["1/2", "1/2"]}}
    assert rm.refusal(wide) == "40 maskable places"


# ---------------------------------------------------------------------------------------------
# identities over random specs

def check_consistent(spec: dict) -> None:
    model = rm.read(spec).model
    out = rm.moments(spec)
    prediction = out["prediction"]
    if rm.read(spec).piecewise_linear:  # reference_model's own ensemble mean, a separate loop
        assert tuple(prediction["mean"]) == ref.ensemble_mean(model)
    n = len(prediction["mean"])
    for i in range(n):
        assert close(prediction["covariance"][i][i], prediction["variance"][i])
        for j in range(n):
            assert close(prediction["covariance"][i][j], prediction["covariance"][j][i])
    if prediction["distribution"] is not None:
        entries = prediction["distribution"]
        assert sum(e["probability"] for e in entries) == 1
        for i in range(n):
            assert close(sum(e["probability"] * e["value"][i] for e in entries), prediction["mean"][i])
    assert prediction["mean"] == out["layers"][-1]["a"]["mean"]
    assert out["masks"] == 2 ** out["maskable"]


@pytest.mark.parametrize("make", [ref.old_spec, ref.per_unit_spec, ref.dropconnect_spec, rm.smooth_spec])
def test_the_reference_is_consistent(make):
    for seed in SEEDS:
        spec = make(seed)
        if rm.refusal(spec) is None:
            check_consistent(spec)


def test_nwgm_is_the_sigmoid_of_the_mean():
    checked = 0
    for seed in SEEDS:
        out = rm.moments(rm.smooth_spec(seed))
        if "nwgm" in out:
            checked += 1
            assert abs(out["nwgm"]["geometric"] - out["nwgm"]["sigmoid_of_mean"]) < TINY
    assert checked >= 5


@pytest.mark.parametrize("kind", ["units", "dropconnect"])
def test_linear_penalty_identities(kind):
    for seed in SEEDS:
        spec = rp.linear_spec(seed, kind)
        model = ref.read(spec)
        out = rm.moments(spec)["penalty"]
        if kind == "units":  # the contract's closed form, and Var(S) = sum w^2 x^2 v for one example
            assert out["penalty"] == rp.closed_form(model)
        g, H = rp.quadratic(model)
        flat = [w for row in model.layers[0].W for w in row]
        gradient = [gk + sum(h * w for h, w in zip(row, flat)) for gk, row in zip(g, H)]
        assert gradient == [v for row in out["expected_gradient"] for v in row]
        if out["minimiser"] is not None:  # the expected gradient vanishes there
            at = rp.with_weights(model, out["minimiser"]["weights"])
            assert all(v == 0 for row in rp.expected_gradient(at) for v in row)
            assert rp.expected_loss(at) <= out["expected_loss"]


def test_linear_variance_formula():
    for seed in SEEDS:
        spec = rp.linear_spec(seed)
        model = ref.read(spec)
        if model.batch:
            continue
        x, q, (W, b) = model.inputs[0], model.keep[0], (model.layers[0].W, model.layers[0].b)
        inverted = model.convention == "inverted"
        v = [(1 - qj) / qj if inverted else qj * (1 - qj) for qj in q]
        m = [qj if not inverted else 1 for qj in q]
        out = rm.moments(spec)["prediction"]
        assert out["mean"] == [sum(w * mj * xj for w, mj, xj in zip(row, m, x)) + bk for row, bk in zip(W, b)]
        assert out["variance"] == [sum(w ** 2 * xj ** 2 * vj for w, xj, vj in zip(row, x, v)) for row in W]


def test_gaussian_noise_matches_inverted_dropout():
    checked = 0
    for make in (ref.old_spec, ref.per_unit_spec, rm.smooth_spec):
        for seed in SEEDS:
            spec = make(seed)
            if rm.refusal(spec) is not None or not rn.applies(rm.read(spec)):
                continue
            checked += 1
            gaussian = rm.moments(spec)["noise"]["gaussian"]
            first = {"convention": "inverted", "keep": [spec["dropout"]["keep"][0]]}
            linear = {"input": spec["input"], "layers": [{**spec["layers"][0], "activation": "identity"}], "dropout": first}
            z = rm.moments(linear)["layers"][0]["z"]
            assert (gaussian["z_mean"], gaussian["z_variance"]) == (z["mean"], z["variance"])
    assert checked >= 5
