"""A DropConnect batch's worked documents (solve, backprop, expect): every number of the JSON output
(itself checked against tests/reference_model.py) stands in the Markdown and the LaTeX."""

import json
import re

import pytest
import sympy

from symdrop.cli import main

from . import reference_model as ref
from .conftest import require_pdflatex, write_spec

SPEC = {
    "title": "DropConnect over a batch",
    "input": [[1, 2], [0, -1], [2, 1]],
    "layers": [{"weights": [[1, -1], [2, 1], [0, 1]], "bias": [0, 1, -1]},
               {"weights": [[1, 1, -2]], "bias": [1]}],
    "masks": [[[[1, 0], [1, 1], [0, 1]], [[1, 1, 0]]],
              [[[1, 1], [0, 1], [1, 1]], [[0, 1, 1]]],
              [[[0, 1], [1, 1], [1, 0]], [[1, 1, 1]]]],
    "dropout": {"kind": "dropconnect", "convention": "inverted", "keep": ["1/2", [["1/2", "2/3", "3/4"]]]},
    "target": [[1], [0], [2]],
}


def latex(value: str) -> str:
    return sympy.latex(sympy.Rational(value))


def pmatrix(rows) -> str:
    """A matrix of exact strings as the documents print it (one entry: the number alone)."""
    if len(rows) == 1 and len(rows[0]) == 1:
        return latex(rows[0][0])
    return r"\begin{pmatrix}" + r"\\".join(" & ".join(latex(v) for v in row) for row in rows) + r"\end{pmatrix}"


def transpose(rows):
    return [list(column) for column in zip(*rows)]


def run(capsys, tmp_path, *args) -> tuple[str, dict]:
    spec = write_spec(tmp_path, SPEC)
    assert main([args[0], str(spec), *args[1:]]) == 0
    text = capsys.readouterr().out
    assert main([args[0], str(spec), *args[1:], "--format", "json"]) == 0
    # the dropped weights stand in red: their numbers are what is compared
    return re.sub(r"\\textcolor\{red\}\{([^{}]*(?:\{[^{}]*\}[^{}]*)*)\}", r"\1", text), json.loads(capsys.readouterr().out)


@pytest.mark.parametrize("fmt", ["markdown", "latex"])
def test_solve_shows_every_example_s_masked_weights_and_columns(fmt, tmp_path, capsys):
    text, data = run(capsys, tmp_path, "solve", "--format", fmt)
    # JSON rows are examples; the documents' matrices have examples as columns
    assert pmatrix(transpose(data["prediction"])) in text
    for layer in data["layers"]:
        for W in layer["masked_weights"]:
            assert pmatrix(W) in text
        assert pmatrix(transpose(layer["pre_activation"])) in text
        assert pmatrix(transpose(layer["activation"])) in text
    assert r"\tilde{W}^{(2)}_{3}" in text and "Z^{(1)}[{:}, 2]" in text
    # and the JSON's numbers are the reference's
    expected = [ref.prediction(ref.read(SPEC), e) for e in range(3)]
    assert [[sympy.Rational(v) for v in row] for row in data["prediction"]] == [list(y) for y in expected]


def test_dropped_weights_are_marked(tmp_path, capsys):
    spec = write_spec(tmp_path, SPEC)
    assert main(["solve", str(spec)]) == 0
    text = capsys.readouterr().out
    # example 1's W~(2) drops its third weight (-2): red in M, in W and in W~
    assert r"\begin{pmatrix}1 & 1 & \textcolor{red}{-2}\end{pmatrix}" in text
    assert r"\begin{pmatrix}2 & \frac{3}{2} & \textcolor{red}{0}\end{pmatrix}" in text


@pytest.mark.parametrize("fmt", ["markdown", "latex"])
def test_backprop_shows_the_json_numbers(fmt, tmp_path, capsys):
    text, data = run(capsys, tmp_path, "backprop", "--format", fmt, "--step", "1/10")
    assert latex(data["loss"]) in text
    for layer in data["layers"]:
        assert pmatrix(layer["grad_weights"]) in text
        assert pmatrix(transpose(layer["delta"])) in text
        assert pmatrix([[v] for v in layer["grad_bias"]]) in text
    assert pmatrix(transpose(data["grad_input"])) in text
    assert pmatrix(transpose(data["after_step"]["prediction"])) in text
    # each example's own gradient, whose mean is the batch's: dL_1/dW(2) = (35/2 (2, 9, 3)) ⊙ (2, 3/2, 0)
    assert r"\begin{pmatrix}70 & \frac{945}{4} & 0\end{pmatrix}" in text
    reference = ref.backprop(ref.read(SPEC))
    assert sympy.Rational(data["loss"]) == reference["loss"]


@pytest.mark.parametrize("fmt", ["markdown", "latex"])
def test_expect_shows_the_json_numbers(fmt, tmp_path, capsys):
    text, data = run(capsys, tmp_path, "expect", "--format", fmt)
    for key in ("exact_mean", "approximation", "difference"):
        assert pmatrix(transpose(data[key])) in text
    assert "9 maskable weights" in text
    assert [[sympy.Rational(v) for v in row] for row in data["exact_mean"]] == [
        list(ref.ensemble_mean(ref.read(SPEC), e)) for e in range(3)]


@pytest.mark.parametrize("convention", ["inverted", "weight-scaling"])
def test_test_mode(convention, tmp_path, capsys):
    spec = write_spec(tmp_path, {**SPEC, "dropout": {**SPEC["dropout"], "convention": convention}})
    assert main(["solve", str(spec), "--mode", "test", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert main(["solve", str(spec), "--mode", "test"]) == 0
    assert pmatrix(transpose(data["prediction"])) in capsys.readouterr().out


@pytest.mark.parametrize("command", [["solve"], ["backprop", "--step", "1/10"], ["expect"], ["solve", "--mode", "test"]])
def test_latex_compiles(command, tmp_path):
    require_pdflatex()
    spec = write_spec(tmp_path, SPEC)
    pdf = tmp_path / "x.pdf"
    assert main([command[0], str(spec), *command[1:], "-o", str(pdf)]) == 0
    assert pdf.read_bytes().startswith(b"%PDF")
