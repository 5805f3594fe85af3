"""`solve --symbolic` from the command line: exact expressions as text, usable elsewhere."""

import json
import re

import sympy

from symdrop.cli import main

from .conftest import ROOT, THREE_SMOOTH, TUTORIAL, TWO_SIGMOIDS

TUTORIAL_MASKS = [[1, 1], [1, 0, 1], [0, 1, 1], [0, 1]]


def test_masks_json_is_an_expression_that_gives_7_at_the_tutorials_masks(capsys):
    assert main(["solve", str(TUTORIAL), "--symbolic", "masks", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    prediction = sympy.sympify(data["prediction"][0])
    values = {f"mu{l}_{j + 1}": v for l, mask in enumerate(TUTORIAL_MASKS) for j, v in enumerate(mask)}
    assert prediction.subs({s: values[s.name] for s in prediction.free_symbols}) == 7
    # with every mask 1 it is the no-dropout prediction, 27 (issue #2)
    assert prediction.subs({s: 1 for s in prediction.free_symbols}) == 27
    assert len(data["layers"]) == 4


def test_all_markdown_has_the_closed_form(capsys):
    assert main(["solve", str(TUTORIAL), "--symbolic", "all", "--format", "markdown"]) == 0
    md = capsys.readouterr().out
    assert "The closed form of the prediction" in md
    assert "for the input $x = (x_{1}, x_{2})$" in md  # the network as derived, not its numbers
    assert r"w^{(4)}_{12} \mu^{(3)}_{2} \max(0, " in md


def test_all_through_two_sigmoids_is_the_closed_form_in_sigmas(capsys, tmp_path):
    """Through two sigmoid layers the full closed form, written with sigma (no e^{...} in an
    exponent, which TeX could not break), breaks between its terms and is substituted down to x;
    the JSON gives it too, in x and no a^(1). (The page test checks it lies inside the text area.)"""
    spec = tmp_path / "two-sigmoids.yaml"
    spec.write_text(TWO_SIGMOIDS, encoding="utf-8")
    assert main(["solve", str(spec), "--symbolic", "all", "--format", "markdown"]) == 0
    md = capsys.readouterr().out
    prediction = md[md.index("## The prediction"):]
    assert "The closed form of the prediction, layer by layer substituted" in prediction
    assert r"\sigma(" in prediction and "x_{1}" in prediction and "e^{" not in prediction
    assert main(["solve", str(spec), "--symbolic", "all", "--format", "json"]) == 0
    full = sympy.sympify(json.loads(capsys.readouterr().out)["prediction"][0])
    names = {s.name for s in full.free_symbols}
    assert {"x_1", "x_2", "x_3"} <= names and not any(n.startswith("a") for n in names)

    sigmoid = ROOT / "examples" / "inverted-sigmoid.yaml"
    assert main(["solve", str(sigmoid), "--symbolic", "all", "--format", "markdown"]) == 0
    assert "The closed form of the prediction, layer by layer substituted" in capsys.readouterr().out


def test_values_through_three_smooth_layers_are_named_in_the_sums_with_their_decimals(capsys, tmp_path):
    """Through three sigmoid/tanh layers the exact values are too wide to show: the third
    layer's sums name the earlier values (ã^(2)_j, a dropped one 0), and the prediction is its
    decimal, which a plain float pass of the network, written here, matches."""
    import math
    from fractions import Fraction

    import yaml

    spec = tmp_path / "three.yaml"
    spec.write_text(THREE_SMOOTH, encoding="utf-8")
    assert main(["solve", str(spec), "--format", "markdown"]) == 0
    md = capsys.readouterr().out
    assert r"z^{(3)}_{1} &= 1 \cdot \tilde{a}^{(2)}_{1} + \left(- \frac{1}{2}\right) \cdot \tilde{a}^{(2)}_{2} + \frac{3}{4} \cdot 0 + 0" in md
    assert "(Exactly, the formulas above put together, too wide to read as one formula: " in md

    data = yaml.safe_load(THREE_SMOOTH)
    g = {"sigmoid": lambda v: 1 / (1 + math.exp(-v)), "tanh": math.tanh, None: lambda v: v}
    a = [float(Fraction(v)) for v in data["input"]]
    for layer, mask, q in zip(data["layers"], data["masks"], data["dropout"]["keep"]):
        a = [m * v / float(Fraction(q)) for m, v in zip(mask, a)]  # inverted dropout
        a = [g[layer.get("activation")](sum(float(Fraction(w)) * v for w, v in zip(row, a)) + float(Fraction(b)))
             for row, b in zip(layer["weights"], layer["bias"])]
    boxed = re.search(r"\\boxed\{\\hat\{y\} = a\^\{\(4\)\} \\approx ([0-9.]+)\}", md)
    assert boxed and abs(float(boxed[1]) - a[0]) < 1e-12


def test_masks_through_three_smooth_layers_are_written_in_the_layer_before(capsys, tmp_path):
    """--symbolic masks through three sigmoid/tanh layers: the output layer's value, too wide in
    the masks alone, is written in a^(3) (its formula: 3/2 a~1 - 2/3 a~2 + 1/4 a~3 + 1/7 with
    a~ = mu a / q, q = 3/5), and the JSON keeps it in the masks alone."""
    spec = tmp_path / "three.yaml"
    spec.write_text(THREE_SMOOTH, encoding="utf-8")
    assert main(["solve", str(spec), "--symbolic", "masks", "--format", "markdown"]) == 0
    md = capsys.readouterr().out
    output = md[md.index("## The output layer"):]
    assert r"a^{(4)}_{1} = \frac{5 \mu^{(3)}_{1} a^{(3)}_{1}}{2} - \frac{10 \mu^{(3)}_{2} a^{(3)}_{2}}{9} + \frac{5 \mu^{(3)}_{3} a^{(3)}_{3}}{12} + \frac{1}{7}" in output
    assert "as an expression in the masks alone it is too wide to read as one formula" in output
    assert main(["solve", str(spec), "--symbolic", "masks", "--format", "json"]) == 0
    prediction = sympy.sympify(json.loads(capsys.readouterr().out)["prediction"][0])
    assert not any(s.name.startswith("a") for s in prediction.free_symbols)


def test_a_wide_layers_weights_have_their_indices_apart(capsys, tmp_path):
    """A layer of 10 or more units writes every weight's indices apart, w_{1,1} beside w_{1,10}
    (w_{11} would read as unit 11 there); a layer of fewer units as the tutorial does, w_{11}.
    The JSON's names, and the values, are those of any symbol."""
    spec = tmp_path / "ten.json"
    spec.write_text(json.dumps({"input": [1, 2], "layers": [
        {"weights": [[1, 1]] * 10, "bias": [0] * 10},
        {"weights": [[1] * 10], "bias": [0], "activation": "identity"}], "masks": [[1, 1], [1] * 10]}), encoding="utf-8")
    assert main(["solve", str(spec), "--symbolic", "all", "--format", "markdown"]) == 0
    md = capsys.readouterr().out
    assert r"w^{(1)}_{1,1}" in md and r"w^{(1)}_{10,2}" in md and r"w^{(2)}_{1,10}" in md
    assert not re.search(r"w\^\{\(\d\)\}_\{\d\d\}", md)
    assert main(["solve", str(spec), "--symbolic", "all", "--format", "json"]) == 0
    prediction = sympy.sympify(json.loads(capsys.readouterr().out)["prediction"][0])
    assert {"w1_1_1", "w1_10_2", "w2_1_10"} <= {s.name for s in prediction.free_symbols}
