"""The exact ensemble mean: against brute force, the approximation, symbols, and Monte Carlo."""

import json
import math
from fractions import Fraction

import pytest
import sympy
from hypothesis import given, settings

import symdrop
from symdrop import parse_spec, to_spec
from symdrop.cli import main
from symdrop.core.ensemble import expect
from symdrop.core.mean import _mean_exact, exact_mean

from .conftest import ROOT, values, write_spec
from .reference import brute_force_mean, from_spec
from .strategies import networks, spec_of

# docs/dropout.md ("The ensemble mean"): two ReLU hidden layers, q = 1/2; by hand:
# y = 1/2 relu(2 mu1 - 1) mu2, so E[y] = 1/2 * P(mu1 = 1) * P(mu2 = 1) = 1/8, while weight scaling
# gives 1/2 * 1/2 * relu(2 * 1/2 - 1) = 0.
GAP = {
    "input": [1],
    "layers": [
        {"weights": [[1]], "bias": [0]},
        {"weights": [[2]], "bias": [-1]},
        {"weights": [["1/2"]], "bias": [0]},
    ],
    "masks": [[1], [1]],
    "dropout": {"convention": "weight-scaling", "keep": "1/2"},
}


@pytest.mark.parametrize(
    "convention, exact, approximation",
    [
        ("weight-scaling", "1/8", "0"),
        ("plain", "1/8", "0"),  # plain masks are compared with weight scaling
        # inverted: y = 1/2 * 2 mu2 relu(2 * 2 mu1 - 1): E = 1/2 * 2 * 1/2 * (1/2 * 3) = 3/4; test: relu(1) = 1 -> 1/2
        ("inverted", "3/4", "1/2"),
    ],
)
def test_constructed_gap(convention, exact, approximation):
    data = json.loads(json.dumps(GAP))
    data["dropout"]["convention"] = convention
    e = expect(parse_spec(data))
    assert values(e.exact_mean) == [Fraction(exact)]
    assert values(e.approximation) == [Fraction(approximation)]
    assert values(e.difference) == [Fraction(exact) - Fraction(approximation)]
    assert e.maskable_units == 2 and not e.exact_by_structure


def test_constructed_gap_with_symbolic_q():
    e = expect(parse_spec(GAP), symbolic_q=True)
    q1, q2 = sympy.symbols("q1 q2", positive=True)
    assert sympy.simplify(e.exact_mean[0] - q1 * q2 / 2) == 0  # by hand, as above
    assert e.approximation[0].subs({q1: sympy.Rational(1, 2), q2: sympy.Rational(1, 2)}) == 0
    assert e.approximation[0].subs({q1: sympy.Rational(3, 4), q2: 1}) == sympy.Rational(1, 4)
    assert values(e.at_keep) == [Fraction(1, 8)]


def test_tutorial_with_every_mask_random_matches_brute_force():
    data = to_spec(symdrop.example())
    data["dropout"] = {"convention": "plain", "keep": ["1/2"] * 4}
    network = parse_spec(data)
    x, layers = from_spec(data)
    mean, _ = exact_mean(network)
    assert values(mean) == brute_force_mean(x, layers, [Fraction(1, 2)] * 4)
    assert expect(network).maskable_units == 10


@settings(max_examples=40, deadline=None)
@given(networks(max_maskable=12))
def test_fast_ensemble_equals_brute_force(case):
    x, layers, keep, convention, masks = case
    network = parse_spec(spec_of(x, layers, keep, convention, masks))
    mean, _ = exact_mean(network)
    assert values(mean) == brute_force_mean(x, layers, keep, convention)


@settings(max_examples=15, deadline=None)
@given(networks(max_maskable=5, max_depth=3))
def test_sympy_ensemble_equals_brute_force(case):
    """The SymPy path (for sigmoid, tanh, symbols) gives the same means on rational networks."""
    x, layers, keep, convention, masks = case
    network = parse_spec(spec_of(x, layers, keep, convention, masks))
    mean, _ = _mean_exact(network)
    assert values(mean) == brute_force_mean(x, layers, keep, convention)


@settings(max_examples=40, deadline=None)
@given(networks(max_maskable=12, only_last=True, output="identity"))
def test_approximation_is_exact_with_dropout_only_on_the_last_hidden_layer(case):
    x, layers, keep, convention, masks = case
    e = expect(parse_spec(spec_of(x, layers, keep, convention, masks)))
    assert e.exact_by_structure
    assert e.exact_mean == e.approximation
    assert values(e.exact_mean) == brute_force_mean(x, layers, keep, convention)


@settings(max_examples=15, deadline=None)
@given(networks(max_maskable=4, max_depth=3))
def test_symbolic_q_at_the_specs_q_is_the_mean(case):
    x, layers, keep, convention, masks = case
    network = parse_spec(spec_of(x, layers, keep, convention, masks))
    e = expect(network, symbolic_q=True)
    values_at = dict(zip(e.keep, network.dropout.keep))
    assert values(e.exact_mean.subs(values_at)) == brute_force_mean(x, layers, keep, convention)
    assert values(e.at_keep) == brute_force_mean(x, layers, keep, convention)


def test_thinned_networks_listed_with_probabilities():
    e = expect(parse_spec(GAP))
    assert len(e.thinned) == 4
    assert sum(t.probability for t in e.thinned) == 1
    assert sum(t.probability * t.output[0] for t in e.thinned) == e.exact_mean[0]
    # by hand: only mu1 = mu2 = 1 gives 1/2
    assert sorted(values(t.output)[0] for t in e.thinned) == [0, 0, 0, Fraction(1, 2)]


def _float_forward(x, layers, masks, convention, keep):
    a = [float(v) for v in x]
    for (W, b, g), mu, q in zip(layers, masks, keep):
        scale = 1 / float(q) if convention == "inverted" else 1.0
        masked = [m * v * scale for m, v in zip(mu, a)]
        z = [sum(float(w) * v for w, v in zip(row, masked)) + float(c) for row, c in zip(W, b)]
        a = [{"sigmoid": lambda t: 1 / (1 + math.exp(-t)), "tanh": math.tanh, "relu": lambda t: max(0.0, t),
              "identity": lambda t: t}[g](t) for t in z]
    return a


@pytest.mark.parametrize("hidden, output", [("sigmoid", "identity"), ("tanh", "identity"), ("relu", "sigmoid")])
def test_sigmoid_and_tanh_means_match_a_float_brute_force(hidden, output):
    x = [Fraction(1), Fraction(-1, 2)]
    W1, b1 = [[Fraction(1), Fraction(2)], [Fraction(-1), Fraction(1, 2)], [Fraction(1, 3), Fraction(-1)]], [Fraction(0)] * 3
    W2, b2 = [[Fraction(1), Fraction(-2), Fraction(1, 2)]], [Fraction(1, 4)]
    layers = [(W1, b1, hidden), (W2, b2, output)]
    keep = [Fraction(1), Fraction(2, 3)]
    e = expect(parse_spec(spec_of(x, layers, keep, "inverted")))
    total = 0.0
    for bits in range(8):
        mask = [(bits >> k) & 1 for k in range(3)]
        p = math.prod(2 / 3 if m else 1 / 3 for m in mask)
        total += p * _float_forward(x, layers, [[1, 1], mask], "inverted", keep)[0]
    assert abs(float(e.exact_mean[0]) - total) < 1e-12
    assert not e.exact_mean[0].is_Rational


CASES_MC = [GAP, {**json.loads(json.dumps(GAP)), "dropout": {"convention": "inverted", "keep": ["1/2", "2/3", "3/4"]}}]


@pytest.mark.parametrize("data", CASES_MC)
@pytest.mark.parametrize("seed", [0, 7])
def test_monte_carlo_within_four_standard_errors(data, seed):
    e = expect(parse_spec(data), samples=2000, seed=seed)
    mc = e.monte_carlo
    for mean, exact, variance in zip(mc.mean, e.exact_mean, mc.estimated_variance_of_mean):
        assert mean.is_Rational and variance.is_Rational  # exact arithmetic throughout
        assert variance > 0
        assert (mean - exact) ** 2 <= 16 * variance  # |MC - E| <= 4 standard errors, exactly
    assert expect(parse_spec(data), samples=2000, seed=seed).monte_carlo == mc  # the seed decides


def test_monte_carlo_on_a_wider_network():
    data = to_spec(symdrop.example())
    data["dropout"] = {"convention": "inverted", "keep": "1/2"}
    data["masks"] = [[1, 1], [1, 1, 1], [1, 1, 1], [1, 1]]
    e = expect(parse_spec(data), samples=3000, seed=1)
    assert (e.monte_carlo.mean[0] - e.exact_mean[0]) ** 2 <= 16 * e.monte_carlo.estimated_variance_of_mean[0]
    assert float(e.monte_carlo.standard_error[0]) == pytest.approx(math.sqrt(float(e.monte_carlo.estimated_variance_of_mean[0])))


def test_expect_json_shape(tmp_path, capsys):
    assert main(["expect", str(write_spec(tmp_path, GAP)), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data == {
        "exact_mean": ["1/8"],
        "approximation": ["0"],
        "difference": ["1/8"],
        "maskable_units": 2,
        "convention": "weight-scaling",
    }


def test_expect_json_with_samples_and_symbolic_q(tmp_path, capsys):
    path = write_spec(tmp_path, GAP)
    assert main(["expect", str(path), "--format", "json", "--symbolic-q", "--samples", "50", "--seed", "2"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["keep"] == {"q1": "1/2", "q2": "1/2"}
    assert data["exact_mean_at_keep"] == ["1/8"]
    assert sympy.simplify(sympy.sympify(data["exact_mean"][0], locals={"q1": sympy.Symbol("q1"), "q2": sympy.Symbol("q2")})
                          - sympy.Symbol("q1") * sympy.Symbol("q2") / 2) == 0
    assert set(data["monte_carlo"]) == {"samples", "seed", "mean", "estimated_variance_of_mean", "exact_variance_of_mean",
                                          "standard_error", "distinct_masks"}
    assert data["monte_carlo"]["samples"] == 50 and data["monte_carlo"]["seed"] == 2


def test_expect_markdown_explains_the_gap_and_lists_masks(tmp_path, capsys):
    assert main(["expect", str(write_spec(tmp_path, GAP)), "--samples", "100"]) == 0
    md = capsys.readouterr().out
    assert r"\boxed{E[\hat{y}] = \frac{1}{8} \approx 0.125}" in md
    assert r"\hat{y}_{\text{test}} = 0." in md
    assert r"E[g(z)] \ne g(E[z])" in md
    assert "| $\\mu^{(1)} = (1)$, $\\mu^{(2)} = (1)$ | $\\frac{1}{4}$ | $\\frac{1}{2}$ |" in md
    assert "## Monte-Carlo estimate (MC dropout)" in md
    assert r"$q^{(1)} = \frac{1}{2}$ (PyTorch $p = \frac{1}{2}$)" in md


def test_expect_when_the_approximation_is_exact(tmp_path, capsys):
    data = json.loads(json.dumps(GAP))
    data["dropout"]["keep"] = [1, 1, "1/2"]
    assert main(["expect", str(write_spec(tmp_path, data))]) == 0
    md = capsys.readouterr().out
    assert "the approximation is exact, whatever the numbers" in md


@pytest.mark.parametrize(
    "args, message",
    [
        ([], "spec.json: dropout.keep: missing (the ensemble mean needs the keep probabilities)"),  # naming the file
        (["--samples", "1"], "--samples: expected at least 2"),
    ],
)
def test_expect_errors(args, message, tmp_path, capsys):
    data = json.loads(json.dumps(GAP))
    if not args:
        data["dropout"] = {"convention": "plain"}
    assert main(["expect", str(write_spec(tmp_path, data)), *args]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err


def test_symbolic_q_wording(capsys):
    """P(mu) as the product it is (q1 (1 - q2)), the spec's values separated, PyTorch's p = 1 - q."""
    assert main(["expect", str(ROOT / "examples" / "weight-scaling-gap.yaml"), "--symbolic-q"]) == 0
    text = capsys.readouterr().out
    rows = [line.split(" | ")[1] for line in text.splitlines() if line.startswith(r"| $\mu^{(1)}")]
    assert rows == [r"$q^{(1)} q^{(2)}$", r"$q^{(1)} \left(1 - q^{(2)}\right)$",
                    r"$q^{(2)} \left(1 - q^{(1)}\right)$", r"$\left(1 - q^{(1)}\right) \left(1 - q^{(2)}\right)$"]
    assert r"$q^{(1)} = \frac{1}{2}$ and $q^{(2)} = \frac{1}{2}$ it is" in text
    assert main(["expect", str(ROOT / "examples" / "inverted-sigmoid.yaml"), "--symbolic-q"]) == 0
    assert r"$q^{(0)} = \frac{4}{5}$, $q^{(1)} = \frac{1}{2}$ and $q^{(2)} = \frac{1}{2}$ it is" in capsys.readouterr().out


def test_symbolic_keep_is_not_written_as_equal_to_itself(capsys):
    assert main(["solve", str(ROOT / "examples" / "inverted-sigmoid.yaml"), "--symbolic", "all"]) == 0
    text = capsys.readouterr().out
    for l in range(3):
        assert f"$q^{{({l})}}$ (PyTorch $p = 1 - q^{{({l})}}$)" in text
    assert "q^{(0)} = q^{(0)}" not in text and "+ 1$)" not in text


def test_expect_needs_no_masks(tmp_path, capsys):
    """The mean visits every mask: a spec without masks: gives the same mean as with them."""
    spec = (ROOT / "examples" / "weight-scaling-gap.yaml").read_text(encoding="utf-8")
    without = tmp_path / "no-masks.yaml"
    without.write_text("\n".join(line for line in spec.splitlines() if not line.startswith("masks:")) + "\n")
    assert main(["expect", str(without), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["exact_mean"] == ["1/8"]  # GAP: 1/8 by hand
    assert main(["solve", str(without)]) == 2  # a single pass still needs its masks
    assert "masks: missing" in capsys.readouterr().err


def test_expect_reports_its_progress_layer_by_layer_and_the_bar_draws_on_a_terminal():
    import io

    from symdrop import parse_spec
    from symdrop.core.ensemble import expect
    from symdrop.io.progress import Progress

    # x -> 5 tanh units, dropped with q = 1/2 -> 2 tanh units -> 1 tanh unit -> linear output. Layer
    # 2 takes one state (a1) and its 2^5 = 32 masks, which give 32 distinct a2 (the weights 1, 2,
    # 4, 8, 16 of the second row tell every subset apart): layer 3 goes through 32 states.
    spec = {"input": [1, 2], "dropout": {"keep": [1, "1/2", 1, 1]},
            "layers": [{"weights": [[1, 2], [2, 1], [1, -1], [3, 1], [1, 3]], "bias": [0] * 5, "activation": "tanh"},
                       {"weights": [[1, 1, 1, 1, 1], [1, 2, 4, 8, 16]], "bias": [0, 0], "activation": "tanh"},
                       {"weights": [[1, 1]], "bias": [0], "activation": "tanh"},
                       {"weights": [[1]], "bias": [0], "activation": "identity"}]}
    heard = []
    expect(parse_spec(spec, require_masks=False), progress=lambda label, done, total: heard.append((label, done, total)))
    assert heard == [("layer 1 of 4", 0, 1), ("layer 2 of 4", 0, 1)] + [("layer 3 of 4", k, 32) for k in range(32)]
    terminal = io.StringIO()
    bar = Progress(0, "x", terminal, enabled=True)
    bar.show("symdrop expect: layer 3 of 4", 16, 32)
    assert terminal.getvalue().endswith("symdrop expect: layer 3 of 4 [" + "#" * 15 + "." * 15 + "] 16/32")
    bar.show("small", 1, 3)  # a step of a few states draws nothing
    assert "small" not in terminal.getvalue()


def test_the_mean_counts_the_vectors_it_carries_and_refuses_beyond_the_limit(monkeypatch):
    """10 inputs of 1 dropped with q = 1/2 into one ReLU unit z = -1 + sum_j 2^j mu_j (1024 values
    of z, one negative: no fast path), then a ReLU output. Layer 1 forms 1 + 2 + ... + 1024 = 2047
    partial sums, layer 2 takes the 1023 distinct a = relu(z) (3070 vectors): within a limit of
    4,000 the mean is the brute force's; with 500 the refusal names the limit."""
    spec = {"input": [1] * 10, "dropout": {"convention": "plain", "keep": ["1/2", 1]},
            "layers": [{"weights": [[2**j for j in range(10)]], "bias": [-1], "activation": "relu"},
                       {"weights": [[1]], "bias": [0], "activation": "relu"}]}
    network = parse_spec(spec, require_masks=False)
    monkeypatch.setattr("symdrop.core.mean.MAX_CARRIED", 4000)
    mean, _ = exact_mean(network)
    assert values(mean) == brute_force_mean(*from_spec(spec), [Fraction(1, 2), Fraction(1)])
    monkeypatch.setattr("symdrop.core.mean.MAX_CARRIED", 3069)
    with pytest.raises(symdrop.SymdropError, match=r"^expect: more than 3,069 vectors carried over the masks "
                                                   r"\(at layer 2 of 2\); the limit is 3,069 \(fewer"):
        expect(network)


def test_the_documents_standard_error_has_three_significant_digits(tmp_path, capsys):
    path = write_spec(tmp_path, GAP)
    assert main(["expect", str(path), "--format", "markdown", "--samples", "1000", "--seed", "1"]) == 0
    md = capsys.readouterr().out
    assert main(["expect", str(path), "--format", "json", "--samples", "1000", "--seed", "1"]) == 0
    mc = json.loads(capsys.readouterr().out)["monte_carlo"]
    variance = Fraction(mc["estimated_variance_of_mean"][0])
    assert f"\\text{{standard error}} \\approx {float(f'{math.sqrt(variance):.3g}')}." in md
    assert len(mc["standard_error"][0].rstrip("0").split(".")[1]) > 6  # JSON keeps its 15 digits


def test_expect_says_how_a_nonlinear_output_layer_is_taken(capsys):
    """examples/inverted-sigmoid.yaml ends in a tanh unit: the method is not the linear output's."""
    from .conftest import ROOT

    assert main(["expect", str(ROOT / "examples" / "inverted-sigmoid.yaml")]) == 0
    md = capsys.readouterr().out
    assert "applies the output's $\\tanh$ exactly once to each distinct value of its $z$." in md
    assert "the output layer is linear" not in md


def test_expect_names_a_leaky_relu_output_in_words_latex_can_set(tmp_path, capsys):
    """A leaky ReLU output layer: the method's sentence names it as the network's rows do, in math,
    not by the spec's key leaky_relu, whose underscore was outside math ('Missing $ inserted'):
    the document compiles."""
    from symdrop.io.tex import compile_pdf

    from .conftest import require_pdflatex

    require_pdflatex()
    spec = write_spec(tmp_path, {
        "input": [1, -1],
        "layers": [{"weights": [[1, 2], [-1, 1]], "bias": [0, 1], "activation": "relu"},
                   {"weights": [[1, -1]], "bias": [0], "activation": {"leaky_relu": "1/10"}}],
        "masks": [[0, 1], [1, 0]], "dropout": {"convention": "inverted", "keep": ["4/5", "1/2"]}})
    assert main(["expect", str(spec), "--format", "latex"]) == 0
    tex = capsys.readouterr().out
    assert r"applies the output's $\operatorname{LeakyReLU}_{\frac{1}{10}}$ exactly once" in tex
    assert "leaky_relu" not in tex
    assert compile_pdf(tex).startswith(b"%PDF")
