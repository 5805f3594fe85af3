"""symdrop moments as a user sees it: the worked solution's numbers (worked by hand below), the
fast path against the plain one, NWGM and MC dropout in expect, refusals, and the same bytes in
every process. The values of every unit are compared with an independent reference in
tests/test_moments.py; here the numbers are worked by hand in the comments."""

import json
import math
import random
from fractions import Fraction

import pytest

from symdrop import parse_spec
from symdrop.cli import main
from symdrop.core.distribution import carried, linear_moments
from symdrop.core.moments import stats

from .conftest import ROOT, run_symdrop, write_spec

PER_UNIT = ROOT / "examples" / "keep-per-unit.yaml"
PENALTY = ROOT / "examples" / "linear-penalty.yaml"


def run(capsys, *args) -> str:
    assert main(list(args)) == 0
    return capsys.readouterr().out


def test_first_layer_term_by_term(capsys):
    # x = (1, 2, -1), q0 = (1/2, 2/3, 4/5), inverted: E[mu/q] = 1 and Var(mu/q) = (1 - q)/q = 1, 1/2, 1/4.
    # z1 = 0 + 1 x1 - x2 + 2 x3: E = 1 - 2 - 2 = -3; Var = 1*1*1 + 1*4*(1/2) + 4*1*(1/4) = 4.
    # z2 = 1 + 2 x1 + x2: E = 5; Var = 4*1*1 + 1*4*(1/2) = 6.   z3 = -1 + x2 + x3: E = 0; Var = 4/2 + 1/4 = 9/4.
    text = run(capsys, "moments", str(PER_UNIT))
    assert r"E[z^{(1)}_{1}] &= 0 + 1 \cdot 1 + \left(-1\right) \cdot 2 + 2 \cdot \left(-1\right) = -3" in text
    assert r"\operatorname{Var}(z^{(1)}_{1}) &= 1^2 \cdot 1^2 \cdot 1 + \left(-1\right)^2 \cdot 2^2 \cdot \frac{1}{2}" \
           r" + 2^2 \cdot \left(-1\right)^2 \cdot \frac{1}{4} = 4" in text
    assert r"= 6" in text and r"= \frac{9}{4}" in text
    assert "E[\\mu] = E[\\mu^2] = q" in text and "law of total variance" in text


def test_penalty_identity_by_hand(capsys):
    # X = (1, 2), (2, -1), (0, 1); t = 1, 0, 2; W = (1, -1), b = 1; inverted, q = 1/2, so v = 1 and
    # the mean model is W x + b = 0, 4, 0: L(mean) = (1/2)(1 + 16 + 4)/3 = 7/2. Penalty:
    # (1/2)(1/3)(1 * (1 + 4 + 0) + 1 * (4 + 1 + 1)) = 11/6, so E[L] = 16/3. Gradient: (2c)(sum_i r_i x_ij
    # + w_j v sum_i x_ij^2), c = 1/6, r = (-1, 4, -2): (1/3)(7 + 5, -8 - 6) = (4, -14/3). Minimiser:
    # [[10, 0], [0, 12]] w = (sum (t - b) x) = (-2, 2): w = (-1/5, 1/6).
    data = json.loads(run(capsys, "moments", str(PENALTY), "--format", "json"))
    penalty = data["penalty"]
    assert (penalty["loss_of_mean_model"], penalty["penalty"], penalty["expected_loss"]) == ("7/2", "11/6", "16/3")
    assert penalty["expected_gradient"] == penalty["penalised_gradient"] == [["4", "-14/3"]]
    assert penalty["minimiser"] == {"weights": [["-1/5", "1/6"]], "bias": ["1"]}
    text = run(capsys, "moments", str(PENALTY))
    assert r"E[L] = \frac{16}{3} = \frac{7}{2} + \frac{11}{6}" in text
    assert r"W^{*} = \begin{pmatrix}- \frac{1}{5} & \frac{1}{6}\end{pmatrix}" in text


def _random_network(seed: int, connections: bool):
    rng = random.Random(seed)
    sizes = [rng.randint(1, 3) for _ in range(rng.randint(2, 3))] + [rng.randint(1, 2)]
    number = lambda: f"{rng.randint(-5, 5)}/{rng.choice((1, 2, 3))}"  # noqa: E731
    spec = {
        "input": [number() for _ in range(sizes[0])],
        "layers": [{"weights": [[number() for _ in range(sizes[l - 1])] for _ in range(sizes[l])],
                    "bias": [number() for _ in range(sizes[l])],
                    "activation": rng.choice(("relu", "identity", "leaky_relu"))} for l in range(1, len(sizes))],
        "dropout": {"convention": rng.choice(("plain", "inverted", "weight-scaling")),
                    "keep": rng.choice(("1/2", "2/3", "3/4"))},
    }
    spec["layers"][-1]["activation"] = "identity"
    if connections:
        spec["dropout"]["kind"] = "dropconnect"
    return parse_spec(spec, require_masks=False)


@pytest.mark.parametrize("connections", [False, True], ids=["units", "dropconnect"])
@pytest.mark.parametrize("seed", range(25))
def test_fast_path_equals_the_carried_distribution(seed, connections):
    # The one fast path (a linear output's law of total variance) against the plain path: the
    # output layer's whole distribution, carried like every other layer's.
    network = _random_network(seed, connections)
    distributions = carried(network)
    inputs = distributions[-2].a if len(distributions) > 1 else {tuple(network_input(network)): 1}
    mean, covariance = linear_moments(network, inputs)
    plain = stats(distributions[-1].z)
    assert tuple(mean) == plain.mean
    assert tuple(covariance[i][i] for i in range(len(mean))) == plain.variance
    values = distributions[-1].z
    for i in range(len(mean)):
        for k in range(len(mean)):
            cov = sum(p * v[i] * v[k] for v, p in values.items()) - plain.mean[i] * plain.mean[k]
            assert covariance[i][k] == cov


def network_input(network):
    from symdrop.core.passnumbers import network_numbers
    return network_numbers(network).x


def test_expect_names_the_nwgm_of_a_sigmoid_unit(tmp_path, capsys):
    # x = (1, 2), q0 = 1/2 inverted: x~ in {(2, 4), (2, 0), (0, 4), (0, 0)}, each 1/4. z1 = (x1 - x2,
    # 2 x1 + x2 + 1): a1_1 = 0, 2, 0, 0 (mean 1/2), a1_2 = 9, 5, 5, 1 (mean 5). Inverted q1 = 2/3
    # keeps E[a~] = E[a], so E[S] = -1 + 1/2 + 5 = 9/2 and the NWGM is sigma(9/2).
    spec = write_spec(tmp_path, {"input": [1, 2], "layers": [
        {"weights": [[1, -1], [2, 1]], "bias": [0, 1]},
        {"weights": [[1, 1]], "bias": [-1], "activation": "sigmoid"}],
        "dropout": {"convention": "inverted", "keep": ["1/2", "2/3"]}})
    data = json.loads(run(capsys, "expect", str(spec), "--format", "json"))
    assert data["nwgm"]["mean_pre_activation"] == "9/2"
    assert float(data["nwgm"]["decimal"]) == pytest.approx(1 / (1 + math.exp(-4.5)), rel=1e-14)
    moments = json.loads(run(capsys, "moments", str(spec), "--format", "json"))
    assert moments["nwgm"]["mean_pre_activation"] == "9/2"
    assert "NWGM" in run(capsys, "expect", str(spec))


def test_mc_dropout_names_the_estimate_and_gives_the_exact_variance(capsys):
    # weight-scaling-gap.yaml: Var(y) = 3/64 over the masks (tests/test_reference_moments.py works it by
    # hand), so the variance of a mean of T = 100 samples is 3/6400.
    spec = ROOT / "examples" / "weight-scaling-gap.yaml"
    mc = json.loads(run(capsys, "expect", str(spec), "--samples", "100", "--format", "json"))["monte_carlo"]
    assert mc["exact_variance_of_mean"] == ["3/6400"]
    assert Fraction(mc["estimated_variance_of_mean"][0]) != Fraction(3, 6400)  # an estimate, not the value
    text = run(capsys, "expect", str(spec), "--samples", "100")
    assert "estimates the variance of that mean" in text and r"\operatorname{Var}(\hat{y}) / T = \frac{3}{6400}" in text


BAD = {
    "batch with bce": ({"input": [[1], [2]], "layers": [{"weights": [[1]], "bias": [0], "activation": "sigmoid"}],
                        "target": [[1], [0]], "loss": "bce", "dropout": {"convention": "inverted", "keep": ["1/2"]}},
                       "a batch's statistics are those of the expected loss of a linear model"),
    "batch with cross_entropy": ({"input": [[1, 2], [2, 1]], "layers": [{"weights": [[1, 0], [0, 1]], "bias": [0, 0],
                                  "activation": "identity"}], "target": [0, 1], "loss": "cross_entropy",
                                  "dropout": {"convention": "inverted", "keep": ["1/2"]}},
                                 "the cross_entropy loss has no closed-form expectation over masks"),
    "no keep below 1": ({"input": [1], "layers": [{"weights": [[1]], "bias": [0]}], "dropout": {"keep": [1]}},
                        "no mask can drop anything"),
}


@pytest.mark.parametrize("name", BAD)
def test_refusals_are_one_line_and_write_nothing(name, tmp_path, capsys):
    data, message = BAD[name]
    out = tmp_path / "m.tex"
    assert main(["moments", str(write_spec(tmp_path, data)), "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("symdrop: error: moments: ") and message in err
    assert not out.exists()


def test_the_python_api(capsys):
    import symdrop

    found = symdrop.moments(symdrop.load_spec(str(PER_UNIT), require_masks=False))
    assert found.to_json()["prediction"]["mean"] == ["71/15"]  # as tests/test_moments.py's reference gives
    assert found.to_markdown() == run(capsys, "moments", str(PER_UNIT))
    assert "\\documentclass" in found.to_latex()


def test_the_same_bytes_in_every_process(tmp_path):
    outputs = []
    for hashseed in (0, 1):
        for fmt in ("json", "latex", "markdown"):
            out = tmp_path / f"{hashseed}.{fmt}"
            run_symdrop("moments", str(PER_UNIT), "--format", fmt, "-o", str(out), hashseed=hashseed, check=True)
            outputs.append(out.read_bytes())
    assert outputs[:3] == outputs[3:]


DROPCONNECT = ROOT / "examples" / "dropconnect.yaml"


@pytest.mark.parametrize("spec", ["example", "linear"])
def test_dropconnect_names_its_masks_m_ij_throughout(tmp_path, capsys, spec):
    """DropConnect's pass and the README name a weight's mask M_ij; the masks section, the sums and
    (a linear model) the penalty's sum use that one name, never a unit's mu."""
    path = DROPCONNECT
    if spec == "linear":  # one identity layer with a target: the penalty section is written too
        path = write_spec(tmp_path, {"input": [1, 2], "layers": [{"weights": [[1, -1]], "bias": [1], "activation": "identity"}],
                                     "target": [1], "dropout": {"kind": "dropconnect", "convention": "inverted", "keep": ["1/2"]}})
    text = run(capsys, "moments", str(path))
    assert r"\mu" not in text
    assert r"kept ($M_{ij} = 1$)" in text and r"E[M_{ij}] = E[M_{ij}^2] = q" in text
    assert r"\operatorname{Var}\!\left(\frac{M_{ij}}{q}\right) = \frac{1 - q}{q}" in text
    if spec == "linear":
        assert r"\hat{y}_{k} = b_k + \sum_j w_{kj} M_{kj} x_{j} / q_{kj}" in text


def test_penalty_of_a_batch_indexes_each_example(tmp_path, capsys):
    """A batch's penalty section writes example i's output with i (x_ij, as its penalty sums), says
    "of every example" only of a batch, and writes the one bias b = 1 as solve does, not (1)."""
    text = run(capsys, "moments", str(PENALTY))
    assert r"\hat{y}_{ik} = b_k + \sum_j w_{kj} \mu_{ij} x_{ij} / q_{j}" in text
    assert r"E[\hat{y}_{ik}] = b_k + \sum_j w_{kj} x_{ij}" in text
    assert r"\operatorname{Var}(\hat{y}_{ik}) = \sum_j w_{kj}^2 x_{ij}^2 v_{j}" in text
    assert "the left one over every mask of every example:" in text
    assert r"With the bias held at $b = 1$," in text and r"\hat{y}_k" not in text
    # One example, x = (1, 2), W = (1, -1), b = 2, t = 1: its sums keep their subscripts k and j alone.
    path = write_spec(tmp_path, {"input": [1, 2], "layers": [{"weights": [[1, -1]], "bias": [2], "activation": "identity"}],
                                 "target": [1], "dropout": {"convention": "inverted", "keep": ["1/2"]}})
    text = run(capsys, "moments", str(path))
    assert r"\hat{y}_{k} = b_k + \sum_j w_{kj} \mu_{j} x_{j} / q_{j}" in text
    assert "the left one over every mask:" in text and "every example" not in text
    assert r"With the bias held at $b = 2$," in text


def test_the_first_layer_works_out_each_masks_variance_factor(tmp_path, capsys):
    """As the variance kind's solution: each distinct q's factor before the sums use it (a bare
    "1" for q = 1/2 inverted said nothing). keep-per-unit.yaml, inverted, q = 1/2, 2/3, 4/5:
    (1 - q)/q = 1, 1/2, 1/4. Plain q = 3/4 (x = (1, 2), W = (1, -1)): q(1 - q) = 3/16, and
    Var(z_1) = 1 * 1 * 3/16 + 1 * 4 * 3/16 = 15/16."""
    text = run(capsys, "moments", str(PER_UNIT)).replace("&=", "=")
    for q, v in ((r"\frac{1}{2}", "1"), (r"\frac{2}{3}", r"\frac{1}{2}"), (r"\frac{4}{5}", r"\frac{1}{4}")):
        row = rf"\frac{{1 - q}}{{q}} = \frac{{1 - {q}}}{{{q}}} = {v}"
        assert row in text and text.index(row) < text.index(r"\operatorname{Var}(z^{(1)}_{1}) = 1^2")
    path = write_spec(tmp_path, {"input": [1, 2], "layers": [{"weights": [[1, -1]], "bias": [0], "activation": "identity"}],
                                 "dropout": {"convention": "plain", "keep": ["3/4"]}})
    text = run(capsys, "moments", str(path)).replace("&=", "=")
    row = r"q (1 - q) = \frac{3}{4} \cdot \left(1 - \frac{3}{4}\right) = \frac{3}{16}"
    assert row in text and text.index(row) < text.index(r"= \frac{15}{16}")


def test_dropconnects_mask_moments_break_where_the_line_is_full(tmp_path, capsys):
    """E[M_ij], Var(M_ij), E[M_ij/q] and Var(M_ij/q) on one display ran 39pt past the margin
    (pdflatex's Overfull hbox, examples/dropconnect.yaml): the inverted mask's moments go below."""
    out = tmp_path / "m.tex"
    assert main(["moments", str(DROPCONNECT), "-o", str(out)]) == 0
    capsys.readouterr()
    assert "q\\,(1 - q),\n\\]\n\\[\nE\\!\\left[\\frac{M_{ij}}{q}\\right] = 1" in out.read_text()


def test_gaussian_dropout_writes_one_units_moments_as_numbers(tmp_path):
    """One identity unit z = -2 + 2 x_1 xi_1 + 1 x_2 xi_2 at x = (1, 2), Gaussian noise of mean 1
    and variance (1 - q)/q = 1 (q = 1/2): by hand E[z] = -2 + 2 + 2 = 2 and Var(z) = 2^2 1^2 + 1^2 2^2
    = 8, written as numbers (as solve writes b = 1), not as the 1-entry vectors (2) and (8)."""
    spec = tmp_path / "one.yaml"
    spec.write_text("title: One unit\ninput: [1, 2]\nlayers:\n  - weights: [[2, 1]]\n    bias: [-2]\n"
                    "    activation: identity\nmasks: [[1, 1]]\ndropout: {convention: inverted, keep: [\"1/2\"]}\n",
                    encoding="utf-8")
    for suffix in ("md", "tex"):
        assert main(["moments", str(spec), "-o", str(tmp_path / f"one.{suffix}")]) == 0
        text = (tmp_path / f"one.{suffix}").read_text(encoding="utf-8")
        assert r"$E[z^{(1)}] = 2$ and $\operatorname{Var}(z^{(1)}) = 8$" in text, suffix


@pytest.mark.parametrize("fmt", ["markdown", "latex", "html"])
def test_alpha_a_squared_too_long_is_written_after_approx(tmp_path, capsys, fmt):
    # PyTorch's alpha' = -1.7580993408473766 read as written, q = 2/3: a^2 = 1/(q + alpha'^2 q (1 - q))
    # is an exact fraction of 32 digits over 32 (a line of tiny digits on the page); a document
    # writes such a value after "≈" to 6 significant digits, as the README says (JSON keeps it exact).
    alpha = Fraction("-1.7580993408473766")
    q = Fraction(2, 3)
    a_squared = 1 / (q + alpha * alpha * q * (1 - q))
    assert len(str(a_squared.numerator)) == 32  # the exact value that must not be printed
    spec = write_spec(tmp_path, {"input": [1, -2, 3], "layers": [{"weights": [[2, 1, -1]], "bias": [1]}],
                                 "dropout": {"convention": "plain", "keep": ["2/3"]}})
    text = run(capsys, "moments", str(spec), "--format", fmt)
    assert str(a_squared.numerator) not in text and str(a_squared.denominator) not in text
    assert f"{float(a_squared):.6g}" == "0.738805"
    assert "0.738805" in text
    if fmt != "html":  # HTML writes MathML
        assert "a^2 \\approx 0.738805" in text
    data = json.loads(run(capsys, "moments", str(spec), "--format", "json"))
    assert Fraction(data["noise"]["alpha"]["a_squared"]) == a_squared


def test_linear_output_under_inverted_dropout_divides_by_q(capsys):
    # examples/keep-per-unit.yaml is inverted: the output layer's terms are mu_j a_j w_j / q_j
    # (q^(1) = 3/4), so the worked text's y = b + sum_j mu_j a_j w_.j must say, as the first
    # layer's sum does, that each kept term is divided by its q.
    text = run(capsys, "moments", str(PER_UNIT))
    sentence = text[text.index("The output layer is linear"):]
    sentence = sentence[:sentence.index("law of total variance")]
    assert "(each kept term divided by its $q$)" in sentence
