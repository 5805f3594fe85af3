"""The backward pass's documents: golden worked solutions (Markdown and LaTeX) of the tutorial with a
target, of inverted dropout and of a sigmoid output with binary cross-entropy; what they point out."""


import re

import mpmath
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


SIGMOID_HIDDEN = {  # one sigmoid layer, both units kept: z^(1) = (0, 4), y = 2 sigma(4) + 1/2
    "input": [1, 1], "masks": [[1, 1], [1, 1]], "target": [1],
    "layers": [{"weights": [[1, -1], [2, 1]], "bias": [0, 1], "activation": "sigmoid"},
               {"weights": [[1, 2]], "bias": [0]}],
}
NESTED = {  # a tanh of a sigmoid: every value from layer 2 on is too long to write out
    "input": [1, 2], "masks": [[1, 1], [0, 1], [1, 1]], "target": [0, 1],
    "layers": [{"weights": [[1, -1], ["1/2", 1]], "bias": [0, 1], "activation": "sigmoid"},
               {"weights": [[1, 2], [-1, 1]], "bias": [1, 0], "activation": "tanh"},
               {"weights": [[2, -1], [1, 1]], "bias": [0, "-1/2"]}],
}
DECIMAL = re.compile(r"(?<![\w.])-?\d+\.\d+")
RELATION = re.compile(r"\\approx(?![a-z])|(?<![\\{_^<>!])=")


def _math(markdown: str) -> list[str]:
    """Every formula of a Markdown document: each line of a display, each inline formula."""
    displays = re.findall(r"\$\$(.*?)\$\$", markdown, flags=re.S)
    inline = re.findall(r"(?<!\$)\$([^$\n]+)\$(?!\$)", re.sub(r"\$\$.*?\$\$", "", markdown, flags=re.S))
    return [line for block in displays for line in block.splitlines() if line.strip()] + inline


def _equal_to_a_decimal(markdown: str) -> list[str]:
    """The formulas (a box's equations each on its own) in which '=' stands beside a side that
    shows a decimal."""
    wrong = []
    for formula in (part for whole in _math(markdown) for part in re.split(r"\\qquad", whole)):
        sides, relations = RELATION.split(formula), RELATION.findall(formula)
        for i, side in enumerate(sides):
            beside = relations[max(i - 1, 0):i + 1]
            if DECIMAL.search(side) and "=" in beside:
                wrong.append(formula)
    return wrong


@pytest.mark.parametrize("spec", ["hidden", "hidden-sse", "hidden-mse", "nested", "nested-cross-entropy", "bce",
                                  "dropconnect"])
@pytest.mark.parametrize("digits", [None, 4])
def test_a_decimal_standing_for_an_exact_value_is_never_said_equal_to_anything(spec, digits):
    """A rounded value follows '≈' wherever a backward pass shows one: in the forward table, the
    loss, each layer's rows, the gradients and a step (7 - 4 decimals: never '=')."""
    data = {"hidden": SIGMOID_HIDDEN, "hidden-sse": {**SIGMOID_HIDDEN, "loss": "sse"},
            "hidden-mse": {**SIGMOID_HIDDEN, "loss": "mse"}, "nested": NESTED,
            "nested-cross-entropy": {**NESTED, "loss": "cross_entropy"}, "bce": CASES["backprop-bce"][0],
            "dropconnect": {**DROPCONNECT_SIGMOIDS, "target": [1]}}[spec]
    if digits:
        data = {**data, "digits": digits}
    text = render_backprop(derive_backprop(parse_spec(data), "1/10"), "markdown")
    assert DECIMAL.search(text)  # the case shows decimals at all
    assert _equal_to_a_decimal(text) == []


def test_a_sigmoids_delta_is_written_exactly_then_its_decimals():
    """SIGMOID_HIDDEN by hand: dL/dy = y - t = 2 s - 1/2 with s = sigma(4); g'(z^(1)) = (1/4, s (1 - s)),
    so delta^(1) = (s/2 - 1/8, s (1 - s) (4 s - 1)), exactly, then to 15 digits (mpmath at 30);
    the forward table's a^(1) = (1/2, s) to 6 digits after its approx."""
    with mpmath.workdps(30):  # (mpmath's precision is global: set here alone)
        s = 1 / (1 + mpmath.exp(-4))
        delta = (s / 2 - mpmath.mpf(1) / 8, s * (1 - s) * (4 * s - 1))
    text = render_backprop(derive_backprop(parse_spec(SIGMOID_HIDDEN)), "markdown")
    row = next(line for line in text.splitlines() if line.startswith(r"\delta^{(1)} &="))
    exact = r"\begin{pmatrix}\frac{1}{2} \sigma(4) - \frac{1}{8}\\\sigma(4) \left(1 - \sigma(4)\right) \left(4 \sigma(4) - 1\right)\end{pmatrix}"
    decimals = r"\approx \begin{pmatrix}%s\\%s\end{pmatrix}\\" % tuple(mpmath.nstr(v, 15) for v in delta)
    assert row.endswith(f"= {exact} {decimals}")
    assert r"| $a^{(1)}$ | $\approx (\frac{1}{2}, %s)$ |" % mpmath.nstr(s, 6) in text
    assert _equal_to_a_decimal(text) == []


@pytest.mark.parametrize("activation", ["sigmoid", "tanh"])
def test_a_smooth_sheets_key_and_solutions_say_approx_of_every_decimal(activation, tmp_path):
    """A sheet of sigmoid (tanh) networks, forward and backward: no '=' beside a rounded value in
    its worked solutions or key, and every cell of the key's tables that shows one opens with '≈'."""
    from symdrop.cli import main

    assert main(["sheet", "--seed", "5", "--activation", activation, "--kinds", "forward,backprop", "--problems", "2",
                 "--format", "markdown", "--no-diagram", "--out", str(tmp_path)]) == 0
    for name in ("solutions.md", "key.md"):
        text = (tmp_path / name).read_text(encoding="utf-8")
        assert DECIMAL.search(text) and _equal_to_a_decimal(text) == [], name
    key = (tmp_path / "key.md").read_text(encoding="utf-8")
    cells = [cell.strip() for line in key.splitlines() if line.startswith("| ") for cell in line.split(" | ")]
    shown = [cell for cell in cells if cell.startswith("$") and DECIMAL.search(cell)]
    assert len(shown) >= 12 and [cell for cell in shown if not cell.startswith(r"$\approx ")] == []


def test_cross_entropy_subtracts_a_negative_logit_in_parentheses():
    """z = W x = (1 + 1, -1 - 2) = (2, -3) by hand, class 2: L = log(e^2 + e^-3) - (-3), never
    '- -3'; its value 3 + log(e^2 + e^-3) (about 5.00672) to 15 digits, by mpmath."""
    spec = {"input": [1, 1], "masks": [[1, 1]], "target": [0, 1], "loss": "cross_entropy",
            "layers": [{"weights": [[1, 1], [-1, -2]], "bias": [0, 0]}]}
    md = render_backprop(derive_backprop(parse_spec(spec)), "markdown")
    line = next(line for line in md.splitlines() if line.startswith(("L = ", "L &= ")))  # one row, or aligned rows
    with mpmath.workdps(30):
        value = mpmath.nstr(3 + mpmath.log(mpmath.e ** 2 + mpmath.e ** -3), 15)
    assert r"\log\left(e^{2} + e^{-3}\right) - \left(-3\right)" in line and line.endswith(rf"\approx {value}.")
    assert "- -" not in md


def test_what_is_said_once_is_said_where_it_holds(tmp_path):
    """A sigmoid network (z^(1) = (2 + 2, 1 - 1 + 1) = (4, 1) by hand, t = 1): no word of ReLU's
    derivative; with y = sigma(4), dL/dy written once, sigma(4) - 1 being its own value; with
    y = sigma(4) + sigma(1), y a sum in parentheses before '- 1', then its value. The tutorial
    (ReLU) says ReLU'(0) = 0; a batch's loss says what it is computed from."""
    spec = {"input": [1, 1], "masks": [[1, 1], [1, 1]], "target": [1],
            "layers": [{"weights": [[2, 2], [1, -1]], "bias": [0, 1], "activation": "sigmoid"},
                       {"weights": [[1, 0]], "bias": [0]}]}
    md = render_backprop(derive_backprop(parse_spec(spec)), "markdown")
    assert "ReLU}^{\\prime}" not in md
    assert "\\frac{\\partial L}{\\partial \\hat{y}} &= \\hat{y} - t = \\sigma(4) - 1\\\\\n" in md
    spec["layers"][1]["weights"] = [[1, 1]]
    md = render_backprop(derive_backprop(parse_spec(spec)), "markdown")
    assert ("\\hat{y} - t = \\left(\\sigma(1) + \\sigma(4)\\right) - 1 = \\sigma(1) + \\sigma(4) - 1\\\\\n") in md
    assert "\\left\\lVert \\left(\\sigma(1) + \\sigma(4)\\right) - 1 \\right\\rVert^2" in md
    tutorial = render_backprop(derive_backprop(parse_spec(CASES["backprop-tutorial"][0])), "markdown")
    assert "$\\operatorname{ReLU}^{\\prime}(z)$ is 1 for $z > 0$ and 0 otherwise" in tutorial
    from symdrop.cli import main

    assert main(["backprop", str(ROOT / "examples" / "batch.yaml"), "-o", str(tmp_path / "batch.md"), "--no-diagram"]) == 0
    batch = (tmp_path / "batch.md").read_text(encoding="utf-8")
    assert "$L_e = \\frac{1}{2} \\sum_i (\\hat{y}_i - t_i)^2$, from $\\hat{Y} - T$:\n" in batch
    # by hand: Y^ = (12, 10, -15) less T = (1, 0, 2), whole without brackets; in columns, each
    # (tanh hidden layer: too wide to stand whole) names its column of the bracketed difference
    assert "\n\\hat{Y} - T = \\begin{pmatrix}11 & 10 & -17\\end{pmatrix}\n" in batch
    spec = yaml.safe_load((ROOT / "examples" / "batch.yaml").read_text(encoding="utf-8"))
    spec["layers"][0]["activation"] = "tanh"
    (tmp_path / "tanh.yaml").write_text(yaml.safe_dump(spec), encoding="utf-8")
    assert main(["backprop", str(tmp_path / "tanh.yaml"), "-o", str(tmp_path / "tanh.md"), "--no-diagram"]) == 0
    columns = (tmp_path / "tanh.md").read_text(encoding="utf-8")
    assert "\n\\left(\\hat{Y} - T\\right)[{:}, 3] = " in columns and "\n\\hat{Y} - T" not in columns


def test_units_whose_delta_is_zero_for_one_reason_share_one_sentence():
    """Two units dropped by mu^(1) are said once, in the plural ("1 and 2"), and the unit ReLU clipped after
    them (by hand: x = (1, 1), z^(1) = (1, 1, -2), mu^(1) = (0, 0, 1)); two both dropped and
    clipped likewise (z^(1) = (1, -1, -2), mu^(1) = (1, 0, 0))."""
    def said(weights, mask):
        spec = {"input": [1, 1], "layers": [{"weights": weights, "bias": [0, 0, 0], "activation": "relu"},
                                            {"weights": [[1, 1, 1]], "bias": [0]}],
                "masks": [[1, 1], mask], "target": [1]}
        md = render_backprop(derive_backprop(parse_spec(spec)), "markdown")
        return [line[2:] for line in md.splitlines() if line.startswith(("- Unit", "- Columns"))]

    assert said([[1, 0], [0, 1], [-1, -1]], [0, 0, 1]) == [  # the output layer's first, then layer 1's
        "Columns 1 and 2 of $\\partial L / \\partial W^{(2)}$ are 0: $\\mu^{(1)}$ dropped those units of the first "
        "hidden layer, so their outgoing weights get no gradient.",
        "Units 1 and 2 of the first hidden layer are dropped by $\\mu^{(1)}$: no gradient comes back to them, their deltas "
        "are 0, so their incoming weights (rows 1 and 2 of $\\partial L / \\partial W^{(1)}$) and their biases get no update "
        "this step.",
        "Unit 3 of the first hidden layer was clipped by ReLU ($z^{(1)}_{3} < 0$, so $g' = 0$): it blocks the gradient "
        "as a dropped unit does; row 3 of $\\partial L / \\partial W^{(1)}$ is 0."]
    assert said([[1, 0], [0, -1], [-1, -1]], [1, 0, 0]) == [
        "Columns 2 and 3 of $\\partial L / \\partial W^{(2)}$ are 0: $\\mu^{(1)}$ dropped those units of the first "
        "hidden layer, so their outgoing weights get no gradient.",
        "Units 2 and 3 of the first hidden layer are dropped by $\\mu^{(1)}$ and their ReLU clipped them "
        "($z^{(1)}_{2}$, $z^{(1)}_{3} < 0$): their deltas are 0 for both reasons, so rows 2 and 3 of "
        "$\\partial L / \\partial W^{(1)}$ and their biases get no gradient this step."]
