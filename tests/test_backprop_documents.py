"""The backward pass's documents: golden worked solutions (Markdown and LaTeX) of the tutorial with a
target, of inverted dropout and of a sigmoid output with binary cross-entropy; what they point out."""

import os
from pathlib import Path

import pytest
import yaml

from symdrop import parse_spec
from symdrop.core.backprop import derive_backprop
from symdrop.render.documents import render_backprop

GOLDEN = Path(__file__).resolve().parent / "golden"
REFRESH = os.environ.get("SYMDROP_REFRESH_GOLDEN") == "1"
TUTORIAL = yaml.safe_load((Path(__file__).resolve().parent.parent / "symdrop" / "data" / "tutorial.yaml").read_text())

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
    path = GOLDEN / f"{case}.{suffix}"
    if REFRESH:
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8")


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
