"""The losses (symdrop/core/losses.py): sse and mse against a plain-fractions chain rule written
here, cross_entropy against PyTorch in float64 and the softmax written out in SymPy and mpmath;
the documents and JSON that show them; the spec rules, through the CLI."""

import json
import math
from fractions import Fraction as F

import mpmath
import pytest
import sympy
import yaml

from symdrop import parse_spec, to_spec
from symdrop.cli import main
from symdrop.core import losses
from symdrop.core.backprop import derive_backprop
from symdrop.core.backward import backward
from symdrop.render.documents import render_backprop

from .backprop_reference import activation, g_prime
from .conftest import ROOT, lines_matching, name_compared, pdf_text, require_pdflatex, require_torch, run_symdrop, write_spec
from .reference import Spec, forward

EXAMPLE = ROOT / "examples" / "cross-entropy.yaml"

# ---------------------------------------------------------------------------------------------
# The reference: the loss and its dL/dy from the formulas, then the chain rule in Fractions
# ---------------------------------------------------------------------------------------------


def reference_loss(name: str, y, t):
    """(L, dL/dy) of one example: sse = sum (y - t)^2, mse = that over n, squared = half of it."""
    n, r = len(y), [yi - F(ti) for yi, ti in zip(y, t)]
    total = sum((v * v for v in r), F(0))
    scale = {"squared": F(1, 2), "sse": F(1), "mse": F(1, n)}[name]
    return scale * total, [2 * scale * v for v in r]


def reference_backward(spec: dict) -> dict:
    """Every gradient of the spec's loss by the textbook chain rule on tests/reference.py's pass."""
    p = Spec(spec)
    p.layers = [(W, b, activation(g)) for W, b, g in p.layers]  # {leaky_relu: a} as the reference takes it
    values = forward(p.x, p.layers, p.masks, p.convention, p.keep)
    loss, dL = reference_loss(spec["loss"], values[-1][2], spec["target"])
    out = {"loss": loss, "prediction": list(values[-1][2]), "dy": dL, "delta": [], "grad_weights": [], "grad_bias": []}
    for l in range(len(p.layers) - 1, -1, -1):
        W, _, g = p.layers[l]
        masked, z, _ = values[l]
        delta = [d * g_prime(g, v) for d, v in zip(dL, z)]
        out["delta"].insert(0, delta)
        out["grad_weights"].insert(0, [[d * v for v in masked] for d in delta])
        out["grad_bias"].insert(0, delta)
        up = [sum((W[i][j] * delta[i] for i in range(len(delta))), F(0)) for j in range(len(masked))]
        dL = [m * v / (p.keep[l] if p.convention == "inverted" else 1) for m, v in zip(p.masks[l], up)]
    out["grad_input"] = dL
    return out


TWO_OUT = {  # x = (1, 2): z1 = (-1, 4, 1) -> a1 = (0, 4, 1); mu1 drops unit 3: a~1 = (0, 4, 0)
    "input": [1, 2],
    "layers": [{"weights": [[1, -1], [2, 1], [-1, 1]], "bias": [0, 0, 0], "activation": "relu"},
               {"weights": [[1, "1/2", 1], [-1, 1, 2]], "bias": [0, "1/3"], "activation": "identity"}],
    "masks": [[1, 1], [1, 1, 0]],
    "target": [1, "-1/2"],
}
INVERTED = {**TWO_OUT, "masks": [[1, 1], [0, 1, 1]], "dropout": {"convention": "inverted", "keep": [1, "2/3"]}}
LEAKY_ONE_OUT = {
    "input": ["1/2", -1],
    "layers": [{"weights": [[1, 2], [3, -1]], "bias": [0, "1/4"], "activation": {"leaky_relu": "1/10"}},
               {"weights": [[2, -1]], "bias": [1], "activation": "identity"}],
    "masks": [[1, 1], [1, 1]],
    "target": ["3/2"],
}
THREE_OUT = {
    "input": [2, -1, 1],
    "layers": [{"weights": [[1, 1, 0], [0, 2, 1]], "bias": [1, 0], "activation": "relu"},
               {"weights": [[1, -1], [2, 0], [0, 1]], "bias": [0, 1, -1], "activation": "relu"}],
    "masks": [[1, 0, 1], [1, 1]],
    "target": [0, 5, "1/3"],
}
CASES = {"two-outputs": TWO_OUT, "inverted": INVERTED, "leaky-one-output": LEAKY_ONE_OUT, "three-relu-outputs": THREE_OUT}


def fractions(values):
    return [F(str(v)) for v in values]


@pytest.mark.parametrize("loss", ["sse", "mse", "squared"])
@pytest.mark.parametrize("case", CASES)
def test_squared_losses_match_the_fractions_reference(case, loss):
    spec = {**CASES[case], "loss": loss}
    got, want = backward(parse_spec(spec)), reference_backward(spec)
    assert F(str(got.loss)) == want["loss"]
    assert fractions(got.prediction) == want["prediction"]
    assert fractions(got.layers[-1].incoming) == want["dy"]
    for g, delta, dW, db in zip(got.layers, want["delta"], want["grad_weights"], want["grad_bias"], strict=True):
        assert fractions(g.delta) == delta
        assert [fractions(row) for row in g.grad_weights] == dW
        assert fractions(g.grad_bias) == db
    assert fractions(got.grad_input) == want["grad_input"]


@pytest.mark.parametrize("y, t, sse, mse", [
    ((F(3), F(-1)), (1, 1), (8, (4, -4)), (4, (2, -2))),  # r = (2, -2): sse 8, mse 8/2; 2r, 2r/2
    ((F(1, 2),), (0,), (F(1, 4), (1,)), (F(1, 4), (1,))),  # one output: sse = mse
    ((F(0), F(1), F(2)), (F(1), F(1), F(1)), (2, (-2, 0, 2)), (F(2, 3), (F(-2, 3), 0, F(2, 3)))),
])
def test_per_example_value_and_gradient(y, t, sse, mse):
    """What a batch averages: one example's loss and dL/dy, by hand."""
    for name, (value, gradient) in (("sse", sse), ("mse", mse)):
        loss = losses.named(name)
        assert loss.value(y, t) == value and tuple(loss.gradient(y, t)) == tuple(gradient)
        assert loss.delta is None  # g'(z) is applied going back


@pytest.mark.parametrize("loss", ["sse", "mse"])
def test_one_step_matches_the_reference(loss):
    spec = {**INVERTED, "loss": loss}
    result = derive_backprop(parse_spec(spec), "1/10")
    want = reference_backward(spec)
    p = Spec(spec)
    stepped = [([[w - F(1, 10) * d for w, d in zip(row, drow)] for row, drow in zip(W, dW)],
                [v - F(1, 10) * d for v, d in zip(b, db)], g)
               for (W, b, g), dW, db in zip(p.layers, want["grad_weights"], want["grad_bias"])]
    assert fractions(result.prediction_after_step) == forward(p.x, stepped, p.masks, p.convention, p.keep)[-1][2]


# ---------------------------------------------------------------------------------------------
# cross_entropy: the exact softmax, PyTorch float64, and the example
# ---------------------------------------------------------------------------------------------

CE = yaml.safe_load(EXAMPLE.read_text())


def logits(spec):
    p = Spec(spec)
    return forward(p.x, p.layers, p.masks, p.convention, p.keep)[-1][1]


def test_example_logits_and_loss_by_hand():
    """The example's comment: z2 = (1, 2, -2), class 0: L = log(e + e^2 + e^-2) - 1."""
    assert logits(CE) == [1, 2, -2]
    g = backward(parse_spec(CE))
    E = sympy.E
    assert sympy.simplify(g.loss - (sympy.log(E + E**2 + E**-2) - 1)) == 0
    with mpmath.workdps(30):
        by_mpmath = mpmath.log(mpmath.e + mpmath.e**2 + mpmath.e**-2) - 1
        assert abs(mpmath.mpf(sympy.N(g.loss, 30)._mpf_) - by_mpmath) < mpmath.mpf(10) ** -25
    assert math.isclose(float(g.loss), 1.3265626412674703, rel_tol=1e-15)


@pytest.mark.parametrize("target", [0, 1, 2])
def test_delta_is_softmax_minus_one_hot_exactly(target):
    spec = {**CE, "target": target}
    g = backward(parse_spec(spec))
    z = [sympy.Rational(v.numerator, v.denominator) for v in logits(spec)]
    total = sum(sympy.exp(v) for v in z)
    for i, (d, v) in enumerate(zip(g.layers[-1].delta, z)):
        assert sympy.simplify(d - (sympy.exp(v) / total - (1 if i == target else 0))) == 0
    assert sympy.simplify(g.loss - (sympy.log(total) - z[target])) == 0


def torch_reference(torch, spec: dict):
    """The loss and every gradient of a plain-masks or inverted spec in float64, written here."""
    p = Spec(spec)
    x = torch.tensor([[float(v) for v in p.x]], dtype=torch.float64, requires_grad=True)
    params, a = [], x
    for l, (W, b, g) in enumerate(p.layers):
        W = torch.tensor([[float(w) for w in row] for row in W], dtype=torch.float64, requires_grad=True)
        b = torch.tensor([float(v) for v in b], dtype=torch.float64, requires_grad=True)
        params.append((W, b))
        scale = float(p.keep[l]) if p.convention == "inverted" else 1.0
        z = (a * torch.tensor([p.masks[l]], dtype=torch.float64) / scale) @ W.T + b
        a = torch.relu(z) if g == "relu" else z
    c = [int(v) for v in spec["target"]].index(1) if isinstance(spec["target"], list) else int(spec["target"])
    loss = torch.nn.CrossEntropyLoss()(a, torch.tensor([c]))
    loss.backward()
    return loss.item(), [(W.grad.tolist(), b.grad.tolist()) for W, b in params], x.grad[0].tolist()


def close(exact, value):
    return math.isclose(float(sympy.N(exact, 30)), value, rel_tol=1e-12, abs_tol=1e-15)


@pytest.mark.parametrize("target", [0, 2, [0, 1, 0]])
def test_cross_entropy_matches_pytorch(target):
    torch = require_torch()
    spec = {**CE, "target": target}
    g = backward(parse_spec(spec))
    loss, layers, grad_x = torch_reference(torch, spec)
    assert close(g.loss, loss)
    for mine, (dW, db) in zip(g.layers, layers, strict=True):
        assert all(close(e, v) for row, vrow in zip(mine.grad_weights, dW) for e, v in zip(row, vrow))
        assert all(close(e, v) for e, v in zip(mine.grad_bias, db))
    assert all(close(e, v) for e, v in zip(g.grad_input, grad_x))


def test_index_and_one_hot_targets_are_one_network_and_round_trip():
    by_index, one_hot = parse_spec({**CE, "target": 2}), parse_spec({**CE, "target": [0, 0, 1]})
    assert by_index == one_hot and list(by_index.target) == [0, 0, 1]
    for network in (by_index, one_hot):
        assert parse_spec(to_spec(network)) == network
    assert to_spec(by_index)["loss"] == "cross_entropy"


@pytest.mark.parametrize("loss", ["sse", "mse"])
def test_round_trip_keeps_the_loss(loss):
    network = parse_spec({**TWO_OUT, "loss": loss})
    assert network.loss == loss and parse_spec(to_spec(network)) == network
    assert parse_spec(TWO_OUT).loss == "squared" and "loss" not in to_spec(parse_spec(TWO_OUT))


# ---------------------------------------------------------------------------------------------
# Documents and JSON
# ---------------------------------------------------------------------------------------------


def test_markdown_says_each_formula_with_its_numbers():
    sse = render_backprop(derive_backprop(parse_spec({**TWO_OUT, "loss": "sse"})), "markdown")
    # y = (4/2 + 0, 4 + 1/3) = (2, 13/3), t = (1, -1/2): r = (1, 29/6); L = 1 + 841/36 = 877/36
    assert "L = \\sum_i (\\hat{y}_i - t_i)^2" in sse and "\\frac{877}{36}" in sse
    assert "2 (\\hat{y} - t) = 2 \\left(" in sse and "\\frac{29}{3}" in sse  # dL/dy = 2r
    mse = render_backprop(derive_backprop(parse_spec({**TWO_OUT, "loss": "mse"})), "markdown")
    assert "$n = 2$ outputs" in mse and "`nn.MSELoss`" in mse and "\\frac{877}{72}" in mse
    assert "\\frac{2}{2} \\left(" in mse and "\\frac{29}{6}" in mse  # dL/dy = 2r/2
    ce = render_backprop(derive_backprop(parse_spec(CE)), "markdown")
    assert "\\log\\left(e^{1} + e^{2} + e^{-2}\\right) - 1" in ce and "\\approx 1.32656264126747" in ce
    assert "class $c = 1$ (index 0 as PyTorch counts from 0" in ce and "`nn.CrossEntropyLoss`" in ce
    assert "\\operatorname{softmax}(z^{(2)}) - t" in ce and "$m = \\min_j z_j = -2$" in ce


def test_cli_json_of_the_example(capsys):
    assert main(["backprop", str(EXAMPLE), "--format", "json", "--step", "1/10"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["target"] == ["1", "0", "0"] and data["prediction"] == ["1", "2", "-2"]
    z = [1, 2, -2]
    total = sum(math.exp(v) for v in z)
    assert math.isclose(float(data["decimal"]["loss"]), math.log(total) - 1, rel_tol=1e-14)
    softmax = [math.exp(v) / total for v in z]
    assert [float(v) for v in data["decimal"]["layers"][1]["delta"]] == pytest.approx(
        [softmax[0] - 1, softmax[1], softmax[2]], rel=1e-14)
    assert math.isclose(float(sympy.sympify(data["loss"])), math.log(total) - 1, rel_tol=1e-14)
    assert "after_step" in data


@pytest.mark.slow
@pytest.mark.parametrize("name, spec", [("sse", {**INVERTED, "loss": "sse"}), ("mse", {**THREE_OUT, "loss": "mse"}),
                                        ("ce", CE)])
def test_latex_compiles(name, spec, tmp_path):
    require_pdflatex()
    path = write_spec(tmp_path, spec, f"{name}.yaml")
    assert main(["backprop", str(path), "-o", str(tmp_path / f"{name}.tex"), "--pdf", "--step", "1/10"]) == 0
    text = pdf_text((tmp_path / f"{name}.pdf").read_bytes(), tmp_path)
    assert "The loss" in text and ("1.32656264126747" in text if name == "ce" else True)


# ---------------------------------------------------------------------------------------------
# verify: every loss against its torch.nn loss and autograd
# ---------------------------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("spec", [{**INVERTED, "loss": "sse"}, {**TWO_OUT, "loss": "mse"}, CE,
                                  {**LEAKY_ONE_OUT, "loss": "mse"},
                                  {**THREE_OUT, "loss": "mse", "layers": [THREE_OUT["layers"][0], {
                                      **THREE_OUT["layers"][1], "activation": "sigmoid"}]}],
                         ids=["sse-inverted", "mse", "cross-entropy", "mse-one-output", "mse-sigmoid"])
def test_verify_against_torch(spec, tmp_path, capsys):
    require_torch()
    path = write_spec(tmp_path, spec, "spec.yaml")
    assert main(["verify", str(path)]) == 0
    out = capsys.readouterr().out
    assert "spec masks (loss)" in out and "(grad)" in out


@pytest.mark.slow
def test_verify_notices_a_wrong_gradient(tmp_path, capsys, monkeypatch):
    """mse with sse's gradient (2 (y - t), not over n): verify must say FAILED."""
    require_torch()
    wrong = losses.Loss("mse", "", value=losses.LOSSES["mse"].value, gradient=losses.LOSSES["sse"].gradient,
                        torch=losses.LOSSES["mse"].torch)
    from symdrop.core import backward

    monkeypatch.setitem(losses.LOSSES, "mse", wrong)
    backward._unchanged.cache_clear()  # the gradients are memoized by network: none of the right loss's may serve
    try:
        path = write_spec(tmp_path, {**TWO_OUT, "loss": "mse"}, "spec.yaml")
        assert main(["verify", str(path)]) == 1
        assert "FAILED" in capsys.readouterr().out
    finally:
        backward._unchanged.cache_clear()  # nor the wrong loss's serve a later test


# ---------------------------------------------------------------------------------------------
# Bad input: one line naming the field, exit 2, nothing written
# ---------------------------------------------------------------------------------------------

OUTPUT_LAYER = CE["layers"][1]
BAD = {
    "index-too-large": ({**CE, "target": 5}, "target: expected a class index 0 .. 2, got 5"),
    "index-negative": ({**CE, "target": -1}, "target: expected a class index 0 .. 2, got -1"),
    "index-not-integer": ({**CE, "target": 1.5}, "target: expected a class index 0 .. 2 or a one-hot list of 3"),
    "two-ones": ({**CE, "target": [1, 0, 1]}, "target[2]: expected a one-hot list (one 1, the rest 0), got a second 1"),
    "no-one": ({**CE, "target": [0, 0, 0]}, "target: expected a one-hot list (one 1, the rest 0), got no 1"),
    "half": ({**CE, "target": [0, "1/2", 1]}, "target[1]: expected a one-hot list (one 1, the rest 0), got 1/2"),
    "short": ({**CE, "target": [0, 1]}, "target: expected 3 values (one per output unit), got 2"),
    "sigmoid-logits": ({**CE, "layers": [CE["layers"][0], {**OUTPUT_LAYER, "activation": "sigmoid"}]},
                       "loss: cross_entropy takes the logits: the output layer's activation must be identity"),
    "one-class": ({**CE, "target": [1], "layers": [CE["layers"][0], {"weights": [[1, 0, 1]], "bias": [0]}]},
                  "loss: cross_entropy expects at least 2 output units"),
    "unknown-loss": ({**TWO_OUT, "loss": "hinge"}, "loss: expected one of squared, sse, mse, bce, cross_entropy"),
    "index-for-mse": ({**TWO_OUT, "loss": "mse", "target": 1}, "target: expected a non-empty list of numbers"),
}


@pytest.mark.parametrize("case", BAD)
def test_bad_input_is_one_line_and_writes_nothing(case, tmp_path, capsys):
    spec, message = BAD[case]
    path = write_spec(tmp_path, spec, "bad.yaml")
    assert main(["backprop", str(path), "-o", str(tmp_path / "out.tex")]) == 2
    out, err = capsys.readouterr()
    assert err.splitlines() == [err.strip()] and err.startswith(f"symdrop: error: {message}"), err
    assert not (tmp_path / "out.tex").exists() and out == ""


@pytest.mark.parametrize("case", ["index-too-large", "two-ones", "sigmoid-logits"])
def test_bad_input_in_a_process_of_its_own(case, tmp_path):
    """The same through ``python -m symdrop``: exit 2, one line, no traceback, no file."""
    spec, message = BAD[case]
    path = write_spec(tmp_path, spec, "bad.json")
    done = run_symdrop("backprop", str(path), "-o", "out.tex", cwd=tmp_path)
    assert done.returncode == 2 and done.stderr.count("\n") == 1, done.stderr
    assert done.stderr.startswith(f"symdrop: error: {message}") and "Traceback" not in done.stderr
    assert not (tmp_path / "out.tex").exists() and done.stdout == ""


# A comparison of a loss (or anything named so) with a loss's name, in Python or a template: what
# only symdrop/core/losses.py may do (templates look a loss's section up by its name instead).
LOSS_COMPARED = name_compared("loss", ("squared", "sse", "mse", "bce", "cross_entropy"))


def loss_names_compared(root) -> list[str]:
    return lines_matching(root, LOSS_COMPARED, "losses.py")


def test_no_loss_name_is_compared_outside_the_losses():
    found = loss_names_compared(ROOT / "symdrop") + loss_names_compared(ROOT / "templates")
    assert not found, "ask the loss (symdrop/core/losses.py):\n  " + "\n  ".join(found)


def test_the_search_finds_a_loss_name_compared(tmp_path):
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "a.py").write_text('if network.loss == "bce":\n    pass\nok = loss.delta is None\n'
                                          'other = "mse" != name\nfine = network.loss != losses.DEFAULT\n')
    (tmp_path / "pkg" / "b.j2").write_text('\\BLOCK{ if s.output and network.loss == "bce" }\n\\BLOCK{ if part == "loss" }\n')
    assert loss_names_compared(tmp_path / "pkg") == ['pkg/a.py:1: if network.loss == "bce":',
                                                     'pkg/a.py:4: other = "mse" != name',
                                                     'pkg/b.j2:1: \\BLOCK{ if s.output and network.loss == "bce" }']
