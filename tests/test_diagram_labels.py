"""The picture's labels: whole inside the picture's box (TikZ and SVG), by the layout's numbers
worked by hand; the output named as the problem names it."""

import re
import subprocess
import xml.etree.ElementTree as ET
from dataclasses import replace

import pytest
import sympy

from symdrop import derive, parse_spec
from symdrop.exercises.dropconnect import network_of
from symdrop.exercises.kinds import parse_kinds
from symdrop.exercises.options import Options
from symdrop.exercises.sheet import build_sheet
from symdrop.io.tex import compile_pdf
from symdrop.render.alttext import describe
from symdrop.render.diagram import draw
from symdrop.render.documents import render_svg
from symdrop.render.sheets import render_documents

from .conftest import pdf_text, require, require_pdflatex

SVG = "{http://www.w3.org/2000/svg}"
CM = 72.27 / 2.54  # TeX points in a centimetre

# Two inputs, one output (the one-layer kinds' shape). Its layout by hand (render/diagram.py's
# constants): rows 1.3 cm apart; the input column's two units and its bias one row above them,
# the output's one unit, all centred on one line: the top is the bias square's top edge,
# -(1/2)(1.3) - 1.3 - 0.5/2 = -2.2 cm from that line, so the line is at 0.7 + 2.2 = 2.9 cm (a
# 0.7 cm margin); the bias at 2.9 - 1.5(1.3) = 0.95 (top edge 0.70), x_2 at 2.9 + 0.65 = 3.55,
# the captions 0.4 + 0.3 + 0.6 cm below x_2's centre, at 4.85; the SVG 0.7 - 0.2 below them,
# 5.35 cm high, and 0.7 + 3.2 + 0.7 = 4.6 cm wide.
ONE_LAYER = {"input": [1, -1], "layers": [{"weights": [[2, 1]], "bias": [1]}], "masks": [[1, 1]]}
TOP, CAPTION, HEIGHT, WIDTH = 0.70, 4.85, 5.35, 4.6

# The captions, "input" and "output", in \footnotesize of the 11pt documents: Latin Modern
# Roman at 9 pt, from its font metrics (tftopl rm-lmr9.tfm): i 0.632723 high (the tallest letter
# of "input"), t 0.604 (of "output"), p 0.194445 deep, in units of the 9 pt design size.
INPUT_HEIGHT, OUTPUT_HEIGHT, P_DEPTH = 0.632723 * 9, 0.604 * 9, 0.194445 * 9  # 5.695, 5.436, 1.750 pt
LINE = 0.4  # pt, pgf's line width: a stroke's half outside a path counts in the picture's box


def test_latex_picture_box_holds_the_captions_descenders(tmp_path):
    """The TikZ picture's box (what a sheet's saved picture, a PDF form, is clipped to) reaches
    below each caption's baseline by at least a p's depth. A label is centred at its point: the
    box of "input" runs from CAPTION - (h + d)/2 to CAPTION + (h + d)/2, its baseline d above
    its bottom. pgf's \\pgftext counts a box's depth above its baseline instead of below it, so
    the picture ended 2d = 3.5 pt above the p's bottom, at CAPTION + h/2 - 3d/2 (118.50 pt high),
    and the p's of "input" and "output" were cut off in a sheet."""
    require_pdflatex()
    source = derive(parse_spec(ONE_LAYER)).to_latex()
    assert source.count(r"\begin{tikzpicture}") == 1
    source = source.replace(r"\begin{tikzpicture}", r"\setbox0=\hbox{\begin{tikzpicture}")
    source = source.replace(r"\end{tikzpicture}", r"\end{tikzpicture}}PICTUREBOX \the\ht0{} \the\dp0{} \box0{}")
    found = re.search(r"PICTUREBOX ([\d.]+)pt ([\d.]+)pt", pdf_text(compile_pdf(source), tmp_path))
    height, depth = float(found[1]), float(found[2])
    assert depth == 0  # a TikZ picture's baseline is its bottom
    input_baseline = CAPTION * CM + (INPUT_HEIGHT - P_DEPTH) / 2
    output_baseline = CAPTION * CM + (OUTPUT_HEIGHT - P_DEPTH) / 2
    bottom = TOP * CM - LINE / 2 + height  # the top: the bias square's, its stroke half out of it
    assert bottom >= input_baseline + P_DEPTH - 0.01 and bottom >= output_baseline + P_DEPTH - 0.01, (height, bottom)
    # ... and no lower: the bottom of "input", 141.72 pt down, the picture 122.00 pt high
    assert bottom == pytest.approx(CAPTION * CM + (INPUT_HEIGHT + P_DEPTH) / 2, abs=0.01)


def test_svg_height_holds_the_captions_descenders():
    """The SVG's viewBox is the layout's width and height, worked by hand; a caption (font-size
    0.3, its baseline 0.35 em below its y) ends a p's depth (at most 0.25 em in a serif font:
    Latin Modern's 0.19, Times's 0.22, DejaVu Serif's 0.24) below its baseline, inside it."""
    svg = ET.fromstring(render_svg(derive(parse_spec(ONE_LAYER))))
    assert svg.get("viewBox") == f"0 0 {WIDTH:.3f} {HEIGHT:.3f}" and svg.get("height") == f"{HEIGHT:.3f}cm"
    style = svg.find(f"{SVG}style").text
    size = float(re.search(r"\.caption \{ font-size: ([\d.]+)", style)[1])
    captions = [t for t in svg.iter(f"{SVG}text") if t.get("class") == "caption"]
    assert [t.text for t in captions] == ["input", "output"] and size == 0.3
    for t in captions:
        assert float(t.get("y")) == CAPTION and t.get("dy") == "0.35em"
        assert CAPTION + 0.35 * size + 0.25 * size <= HEIGHT - 0.2  # 5.03 cm, the box 5.35 high


def _rows(pdf: bytes, tmp_path, name: str) -> list[bytes]:
    """The rows of pixels of every page, top to bottom, at 300 dpi in grey levels."""
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-gray", "-r", "300", str(path), str(tmp_path / name)], check=True)
    rows = []
    for page in sorted(tmp_path.glob(f"{name}-*.pgm")):
        magic, size, depth, pixels = page.read_bytes().split(b"\n", 3)
        width = int(size.split()[0])
        rows += [pixels[i:i + width] for i in range(0, len(pixels), width)]
    return rows


@pytest.mark.slow
def test_sheet_pictures_are_drawn_whole(tmp_path):
    """A sheet draws each picture once, into a PDF form that is clipped to the picture's box;
    drawn in place instead (the same TeX, not saved), nothing is clipped. The two are the same
    to the pixel (with the captions' p's cut off, 15 rows of pixels differed: the p's bottoms,
    3.5 pt at 300 dpi)."""
    require_pdflatex()
    require("pdftoppm", install="apt-get install poppler-utils")
    sheet = build_sheet(3, Options(), 1, kinds=parse_kinds("variance"))
    source = render_documents(sheet, ("latex",))["sheet.tex"]
    assert source.count(r"\savedpicture{1}") == 1
    drawn = source.replace(r"\savedpicture{1}", r"\leavevmode\csname symdrop picture 1\endcsname\unskip")
    saved, whole = _rows(compile_pdf(source), tmp_path, "saved"), _rows(compile_pdf(drawn), tmp_path, "drawn")
    assert len(saved) == len(whole) > 3000  # an A4 page at least
    assert [k for k, (a, b) in enumerate(zip(saved, whole)) if a != b] == []


# The name each kind's question gives the output's value (templates/documents/problem-KIND.j2,
# read by hand), as the question writes it, and the picture's output labels: in the TikZ (the
# LaTeX printer's) and in the SVG (Unicode). A linear model's output is the question's y-hat.
OUTPUTS = [
    ("variance", r"Compute $E[S]$ and $\operatorname{Var}(S)$ over the masks.", ["S"], ["S"]),
    ("variance:alone", r"Compute the variance $\operatorname{Var}(S)$ over the masks.", ["S"], ["S"]),
    ("dropconnect", r"Compute $E[z_1]$, $E[z_2]$, $\operatorname{Var}(z_1)$", ["z_{1}", "z_{2}"], ["z₁", "z₂"]),
    ("nwgm", r"A sigmoid unit $y = \sigma(S)$ computes", ["y"], ["y"]),
    ("penalty", r"A linear model $\hat{y} = b + w_1", [r"\hat{y}"], ["ŷ"]),
]


@pytest.mark.parametrize("kind, asked, tex, svg", OUTPUTS)
def test_the_output_is_labelled_as_the_question_names_it(kind, asked, tex, svg):
    sheet = build_sheet(3, Options(), 1, kinds=parse_kinds(kind))
    source = render_documents(sheet, ("latex",))["sheet.tex"]
    assert asked in source
    labels = re.findall(r"\\symdroplabel\{([\d.]+)\}\{[\d.]+\}\{\\small\$(.*?)\$\}", source)  # a unit's name
    right = max(float(x) for x, _ in labels)  # the output column
    assert [name for x, name in labels if float(x) == right] == tex
    picture = ET.fromstring(render_svg(sheet.exercises[0].derivation))
    depth = len(sheet.exercises[0].network.layers)
    units = [g for g in picture.iter(f"{SVG}g") if g.get("id", "").startswith(f"u{depth}-")]
    assert [g.find(f"{SVG}text").text for g in units] == svg


# The noise kind's questions (problem-noise-NAME.j2, read by hand): Gaussian dropout's unit is
# z = b + sum_j w_j xi_j x_j (seed 2 draws one); spatial dropout's sum T = sum_j mu_j x_j has no
# bias and no weights (seed 0 draws one), so a picture of a unit fed by a bias square (the
# caption "The squares are the biases") would show what T has not: it has none, as alpha's and
# the counts' questions, whose values are no network's.
def test_a_gaussian_dropout_unit_is_labelled_z():
    sheet = build_sheet(2, Options(), 1, kinds=parse_kinds("noise"))
    assert sheet.exercises[0].derivation.question.name == "gaussian"
    source = render_documents(sheet, ("latex",))["sheet.tex"]
    assert r"a unit $z = b + \sum_j w_j \xi_j x_j$" in source
    labels = re.findall(r"\\symdroplabel\{([\d.]+)\}\{[\d.]+\}\{\\small\$(.*?)\$\}", source)
    right = max(float(x) for x, _ in labels)
    assert [name for x, name in labels if float(x) == right] == ["z"]
    picture = ET.fromstring(render_svg(sheet.exercises[0].derivation))
    units = [g for g in picture.iter(f"{SVG}g") if g.get("id", "").startswith("u1-")]
    assert [g.find(f"{SVG}text").text for g in units] == ["z"]


def test_a_spatial_dropout_question_draws_no_unit_with_a_bias():
    sheet = build_sheet(0, Options(), 1, kinds=parse_kinds("noise"))
    assert sheet.exercises[0].derivation.question.name == "spatial"
    documents = render_documents(sheet, ("latex", "markdown"))
    for name in ("sheet.tex", "solutions.tex", "sheet.md", "solutions.md"):
        assert "T = \\sum_j" in documents[name]
        assert "The squares are the biases" not in documents[name]
        assert not re.search(r"\\savedpicture\{|\\begin\{tikzpicture\}|figures/", documents[name])


def test_the_text_alternative_names_the_output_as_the_picture_does():
    """A DropConnect layer's dropped connection, said in words, ends at the output's own name
    (the weight of x_2 into the first unit dropped)."""
    network = network_of((1, 2), ((1, 1), (1, 1)), (0, 0), 1)
    network = replace(network, masks=(sympy.ImmutableMatrix([[1, 0], [1, 1]]),))
    said = describe(draw(network, output="z"))
    assert "Dropped connections (mask 0), dashed: x₂ to z₁." in said and "ŷ" not in said
