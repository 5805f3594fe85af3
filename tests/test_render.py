"""Rendering: the committed gallery is current, LaTeX compiles, Markdown shows every step."""

import random
import re
from pathlib import Path

import pytest

import symdrop
from symdrop import derive, parse_spec
from symdrop.render.documents import render_svg
from symdrop.io.tex import compile_pdf

from .conftest import pdf_text, require_pdflatex
from .reference import forward, random_problem

OUTPUT = Path(__file__).resolve().parent.parent / "output"


GALLERY = {
    "tutorial.tex": lambda d: d.to_latex(),
    "tutorial.md": lambda d: d.to_markdown(svg="tutorial.svg"),
    "tutorial.svg": render_svg,  # also the golden file of the example's picture
}


@pytest.mark.parametrize("name", GALLERY)
def test_committed_gallery_matches_the_code(name):
    """output/ holds the example as generated now (refresh: `symdrop example --pdf`)."""
    current = GALLERY[name](derive(symdrop.example()))
    assert (OUTPUT / name).read_text(encoding="utf-8") == current


def test_markdown_shows_the_tutorials_steps():
    md = derive(symdrop.example()).to_markdown()
    for heading in ("The first hidden layer", "The second hidden layer", "The third hidden layer", "The output layer"):
        assert f"## {heading}\n" in md
    assert r"\boxed{\hat{y} = a^{(4)} = 7}" in md
    assert "The input mask $\\mu^{(0)}$ is all ones, so it has no effect" in md
    assert "but ReLU has already made it 0, so dropping it changes nothing" in md
    assert "prediction would be $27$" in md
    # formula = substituted = value, with the dropped entry in red
    assert (
        r"\tilde{a}^{(1)} &= \mu^{(1)} \odot a^{(1)} = \begin{pmatrix}1\\\textcolor{red}{0}\\1\end{pmatrix}"
        r" \odot \begin{pmatrix}3\\\textcolor{red}{1}\\0\end{pmatrix} = \begin{pmatrix}3\\\textcolor{red}{0}\\0\end{pmatrix}"
    ) in md
    assert r"z^{(2)}_{2} &= \left(-2\right) \cdot 3 + 1 \cdot 0 + 1 \cdot 0 + 2 = -4" in md


def test_tutorial_latex_compiles(tmp_path):
    require_pdflatex()
    pdf = compile_pdf(derive(symdrop.example()).to_latex())
    assert pdf.startswith(b"%PDF")
    text = pdf_text(pdf, tmp_path)
    assert "The output layer" in text and "Dropout toy example" in text


@pytest.mark.parametrize("seed", [3, 11])
def test_random_problem_latex_compiles_with_its_prediction(seed, tmp_path):
    require_pdflatex()
    data, x, layers, masks = random_problem(random.Random(seed))
    data["title"] = r"Seed & 100% $x_1$ #1 {\input{/etc/passwd}} ~^\ <|>"
    pdf = compile_pdf(derive(parse_spec(data)).to_latex())
    text = pdf_text(pdf, tmp_path)
    assert r"Seed & 100% $x_1$ #1 {\input{/etc/passwd}} ~^\ <|>" in text.replace("\n", " ")
    assert "root:" not in text
    # The boxed prediction is the reference's: its numerators and denominators, in order.
    boxed = text[text.index("The prediction"):text.index("Without dropout")]
    shown = boxed.split("=")[-1]
    y = forward(x, layers, masks)[-1][2]
    expected = []
    for v in y:
        expected += [str(abs(v.numerator))] + ([str(v.denominator)] if v.denominator != 1 else [])
    assert re.findall(r"\d+", shown) == expected, boxed
    assert shown.count("\N{MINUS SIGN}") == sum(v < 0 for v in y), boxed


@pytest.mark.parametrize("mode", ["all", "masks"])
def test_symbolic_latex_compiles(mode, tmp_path):
    require_pdflatex()
    pdf = compile_pdf(derive(symdrop.example(), symbolic=mode).to_latex())
    assert "The prediction" in pdf_text(pdf, tmp_path)


def test_broken_latex_is_a_clear_error():
    require_pdflatex()
    with pytest.raises(symdrop.RenderError, match=r"pdflatex failed: .*Undefined control sequence"):
        compile_pdf("\\documentclass{article}\\begin{document}\\nosuchmacro\\end{document}\n")


def test_no_shell_escape():
    require_pdflatex()
    source = "\\documentclass{article}\\begin{document}\\immediate\\write18{touch pwned}ok\\end{document}\n"
    pdf = compile_pdf(source)
    assert pdf.startswith(b"%PDF") and not Path("pwned").exists()


def test_jupyter_reprs():
    d = derive(symdrop.example())
    assert d._repr_markdown_() == d.to_markdown()
    latex = d._repr_latex_()
    assert latex.startswith("$$") and r"\hat{y} &= 7" in latex


SIGMOID_INVERTED = {
    "title": "Sigmoid, leaky ReLU and tanh with inverted dropout",
    "input": [1, -1],
    "layers": [
        {"weights": [[1, 2], [-1, 1]], "bias": [0, 1], "activation": "sigmoid"},
        {"weights": [[1, 1], [2, -1]], "bias": [0, 0], "activation": {"leaky_relu": "1/10"}},
        {"weights": [[1, -1]], "bias": [0], "activation": "tanh"},
    ],
    "masks": [[1, 1], [1, 0], [1, 1]],
    "dropout": {"convention": "inverted", "keep": ["4/5", "1/2", "1/2"]},
}


@pytest.mark.parametrize("mode", ["train", "test"])
def test_sigmoid_inverted_solution_compiles(mode, tmp_path):
    require_pdflatex()
    pdf = compile_pdf(derive(parse_spec(SIGMOID_INVERTED), mode=mode).to_latex())
    text = pdf_text(pdf, tmp_path)
    assert "Dropout convention: inverted dropout" in text
    assert "PyTorch p =" in text.replace("\n", " ")


def test_expect_document_compiles(tmp_path):
    require_pdflatex()
    from symdrop import expect

    data = dict(SIGMOID_INVERTED, layers=[dict(layer) for layer in SIGMOID_INVERTED["layers"]])
    data["layers"][0]["activation"] = "relu"
    pdf = compile_pdf(expect(parse_spec(data), samples=20, seed=1).to_latex())
    text = pdf_text(pdf, tmp_path)
    for heading in ("Exact ensemble mean", "The exact mean", "The approximation", "The gap", "Monte-Carlo estimate"):
        assert heading in text


@pytest.mark.parametrize("depth, forward_masks, connect_masks", [
    (1, r"dropout mask $\mu^{(0)}$.", r"DropConnect mask $M^{(1)}$ on"),
    (2, r"dropout masks $\mu^{(0)}, \mu^{(1)}$.", r"DropConnect masks $M^{(1)}, M^{(2)}$ on"),
    (3, r"dropout masks $\mu^{(0)}, \dots, \mu^{(2)}$.", r"DropConnect masks $M^{(1)}, \dots, M^{(3)}$ on"),
])
def test_a_networks_masks_are_named_as_many_as_it_has(depth, forward_masks, connect_masks):
    """A network of one layer has the mask mu^(0), not "mu^(0), ..., mu^(0)"; two are both named;
    three or more run with dots (written by hand). The same for DropConnect's M^(l) and the
    backward pass's masks."""
    from symdrop.core.backprop import derive_backprop
    from symdrop.render.documents import render_backprop, render_solution

    layers = [{"weights": [[1, 1], [1, -1]], "bias": [0, 1], "activation": "relu"}] * (depth - 1)
    layers = layers + [{"weights": [[1, 2]], "bias": [1]}]
    spec = {"input": [1, 2], "layers": layers, "masks": [[1, 0]] + [[0, 1]] * (depth - 1), "target": [1]}
    joined = lambda text: " ".join(text.split())  # noqa: E731 (the sentences wrap)
    assert forward_masks in joined(render_solution(derive(parse_spec(spec)), "markdown"))
    back = joined(render_backprop(derive_backprop(parse_spec(spec)), "markdown"))
    assert forward_masks[:-1] + ": the same " + ("mask thins" if depth == 1 else "masks thin") in back
    connect = {**{k: v for k, v in spec.items() if k != "masks"}, "dropout": {"kind": "dropconnect"},
               "masks": [[[1] * len(layer["weights"][0])] * len(layer["weights"]) for layer in layers]}
    assert connect_masks in joined(render_solution(derive(parse_spec(connect)), "markdown"))
