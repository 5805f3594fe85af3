"""The backward pass's documents: golden worked solutions (Markdown and LaTeX) of the tutorial with a
target, of inverted dropout and of a sigmoid output with binary cross-entropy; what they point out."""


import pytest
import yaml

from symdrop import derive, parse_spec
from symdrop.core.backprop import derive_backprop
from symdrop.render.documents import render_backprop

from .conftest import ROOT
from .conftest import TUTORIAL as TUTORIAL_PATH
from .conftest import golden

TUTORIAL = yaml.safe_load(TUTORIAL_PATH.read_text())

CASES = {
    "backprop-tutorial": ({**TUTORIAL, "target": [5]}, "1/10"),
    "backprop-inverted": ({
        "input": [2, -1], "masks": [[1, 1], [0, 1, 1]], "target": [1],
        "layers": [{"weights": [[1, 1], [2, 1], [-1, 1]], "bias": [0, 1, 1], "activation": "relu"},
                   {"weights": [[1, -1, 2]], "bias": [1]}],
        "dropout": {"convention": "inverted", "keep": [1, "3/4"]},
    }, None),
    "backprop-bce": ({
        "input": [1, 2], "masks": [[1, 1], [0, 1]], "target": [1], "loss": "bce",
        "layers": [{"weights": [[1, -1], [1, 1]], "bias": [0, -1], "activation": "relu"},
                   {"weights": [[2, 1]], "bias": [-1], "activation": "sigmoid"}],
    }, None),
}


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("fmt, suffix", [("markdown", "md"), ("latex", "tex")])
def test_golden_worked_solutions(case, fmt, suffix):
    """Refresh: SYMDROP_REFRESH_GOLDEN=1 python3 -m pytest tests/test_backprop_documents.py."""
    spec, rate = CASES[case]
    text = render_backprop(derive_backprop(parse_spec(spec), rate), fmt)
    assert text == golden(f"{case}.{suffix}", text)


def test_the_solution_names_why_each_gradient_is_zero():
    text = render_backprop(derive_backprop(parse_spec(CASES["backprop-tutorial"][0])), "markdown")
    # hidden layer 3: unit 1 is dropped by mu^(3) = (0, 1) and ReLU clipped it (z = -1)
    assert "Unit 1 of the third hidden layer is dropped by $\\mu^{(3)}$ and its ReLU clipped it" in text
    # hidden layer 2: unit 1 dropped by mu^(2) = (0, 1, 1) (z = 4 > 0), unit 2 clipped (z = -4)
    assert "Unit 1 of the second hidden layer is dropped by $\\mu^{(2)}$: no gradient" in text
    assert "Unit 2 of the second hidden layer was clipped by ReLU" in text
    inverted = render_backprop(derive_backprop(parse_spec(CASES["backprop-inverted"][0])), "markdown")
    assert "Inverted dropout divides the kept gradients by $q^{(1)} = \\frac{3}{4}$" in inverted
    bce = render_backprop(derive_backprop(parse_spec(CASES["backprop-bce"][0])), "markdown")
    assert "the sigmoid's derivative cancels" in bce and "\\approx" in bce


def test_zero_columns_from_a_relu_clip_are_named_too():
    """The tutorial: mu^(2) = (0, 1, 1) keeps unit 2 of hidden layer 2, but a^(2)_2 = ReLU(-4) = 0,
    so column 2 of dL/dW^(3) is 0; mu^(1) keeps unit 3 of hidden layer 1, a^(1)_3 = ReLU(-2) = 0."""
    text = render_backprop(derive_backprop(parse_spec(CASES["backprop-tutorial"][0])), "markdown")
    assert "Column 2 of $\\partial L / \\partial W^{(3)}$ is 0 as well" in text
    assert "Column 3 of $\\partial L / \\partial W^{(2)}$ is 0 as well" in text


def test_json_gives_decimals_of_every_irrational_gradient():
    import json

    from symdrop.render.values import backprop_json

    data = json.loads(json.dumps(backprop_json(derive_backprop(parse_spec(CASES["backprop-bce"][0]), "1/10"))))
    # delta^(2) = sigma(1) - 1 = -1 / (1 + e) = -0.268941421369995; dL/dW^(2) = delta (0, 2)
    assert data["decimal"]["layers"][1]["delta"] == ["-0.268941421369995"]
    assert data["decimal"]["layers"][1]["grad_weights"] == [["0", "-0.53788284273999"]]
    assert "after_step" in data["decimal"]


DROPCONNECT_SIGMOIDS = {  # three smooth layers: layer 3's input a^(2) is too wide to stand in its sums
    "input": ["1/2", "-3/4", 2],
    "layers": [{"weights": [["1/3", "-2/5", 1], ["3/7", "1/2", "-1/3"], [-1, "2/3", "1/4"]],
                "bias": ["1/2", "-1/3", "1/5"], "activation": "sigmoid"},
               {"weights": [["2/3", -1, "1/2"], ["-1/4", "3/5", 1], ["1/2", "1/2", "-2/3"]],
                "bias": ["-1/2", "1/3", 0], "activation": "tanh"},
               {"weights": [[1, "-1/2", "3/4"]], "bias": [0]}],
    "masks": [[[1, 0, 1], [1, 1, 1], [0, 1, 1]], [[1, 1, 0], [1, 0, 1], [1, 1, 1]], [[1, 1, 0]]],
    "dropout": {"kind": "dropconnect", "convention": "inverted", "keep": "4/5"},
}


@pytest.mark.parametrize("fmt", ["markdown", "latex"])
def test_dropconnect_masks_no_input_so_no_value_is_named_a_tilde(fmt):
    """DropConnect's layers read a^(l-1) itself: the backward pass's forward table heads its input
    column a, and a sum of values too wide to write names them a^(l-1)_j; unit dropout keeps ã."""
    path = ROOT / "examples"
    dropconnect = render_backprop(derive_backprop(parse_spec(yaml.safe_load((path / "dropconnect.yaml").read_text()))), fmt)
    assert "$a^{(l-1)}$" in dropconnect and "\\tilde{a}" not in dropconnect
    units = render_backprop(derive_backprop(parse_spec(yaml.safe_load((path / "keep-per-unit.yaml").read_text()))), fmt)
    assert "$\\tilde{a}^{(l-1)}$" in units
    solved = derive(parse_spec(DROPCONNECT_SIGMOIDS))
    text = solved.to_markdown() if fmt == "markdown" else solved.to_latex()
    assert "a^{(2)}_{1}" in text and "\\tilde{a}" not in text


def test_the_bce_delta_writes_its_value_only_where_it_reads_otherwise():
    """backprop-bce: z^(2) = 2 * 0 + 1 * 2 - 1 = 1, so delta = sigma(1) - 1, its own value: written
    once (it read sigma(1) - 1 = -1 + sigma(1)). With b^(2) = -2, z^(2) = 0 and y = sigma(0) = 1/2:
    delta = 1/2 - 1 = -1/2, written out."""
    spec = CASES["backprop-bce"][0]
    bce = render_backprop(derive_backprop(parse_spec(spec)), "markdown")
    assert r"\delta^{(2)} &= \hat{y} - t = \sigma(1) - 1 \approx -0.268941421369995 \quad" in bce
    half = {**spec, "layers": [spec["layers"][0], {**spec["layers"][1], "bias": [-2]}]}
    text = render_backprop(derive_backprop(parse_spec(half)), "markdown")
    assert r"\delta^{(2)} &= \hat{y} - t = \frac{1}{2} - 1 = - \frac{1}{2} \quad" in text


@pytest.mark.parametrize("loss, factor", [("squared", r"\frac{1}{2} "), ("sse", ""), ("mse", r"\frac{1}{1} ")])
def test_a_negative_target_is_subtracted_in_parentheses_in_the_loss(loss, factor):
    """The tutorial's y = 7 (by hand, tests/test_check.py) against t = -5: the loss line writes
    7 - (-5), never 7 - -5 (L = 144/2 = 72 for the squared loss, 144 for sse and mse)."""
    data = yaml.safe_load(TUTORIAL_PATH.read_text(encoding="utf-8"))
    data.update(target=[-5], loss=loss)
    md = render_backprop(derive_backprop(parse_spec(data)), "markdown")
    line = next(line for line in md.splitlines() if line.startswith("L = "))
    assert rf"{factor}\left\lVert 7 - \left(-5\right) \right\rVert^2 = {72 if loss == 'squared' else 144}." in line
    assert "- -" not in md
