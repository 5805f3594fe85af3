"""The network picture: geometry, SVG, TikZ; counts checked against the spec, not the code."""

import re
import xml.etree.ElementTree as ET
from dataclasses import replace
from fractions import Fraction
from itertools import combinations

import pytest
import sympy
import yaml

import symdrop
from symdrop import derive, parse_spec
from symdrop.render.diagram import draw, label
from symdrop.cli import main
from symdrop.errors import RenderError
from symdrop.render.printer import latex
from symdrop.render.documents import render_svg
from symdrop.io.tex import compile_pdf

from .conftest import GOLDEN, TUTORIAL, golden, pdf_text, require, require_pdflatex

SVG = "{http://www.w3.org/2000/svg}"


def spec_of(sizes, dropped=lambda l, j: (l + 2 * j) % 3 == 1):
    """A spec with layer ``sizes`` (input first), small integer weights, and masks from ``dropped``."""
    return {
        "title": "sizes " + " ".join(map(str, sizes)),
        "input": [j % 3 - 1 for j in range(sizes[0])],
        "layers": [
            {"weights": [[(i + 2 * j + l) % 5 - 2 for j in range(sizes[l - 1])] for i in range(sizes[l])],
             "bias": [(i + l) % 3 - 1 for i in range(sizes[l])]}
            for l in range(1, len(sizes))
        ],
        "masks": [[0 if dropped(l, j) else 1 for j in range(sizes[l])] for l in range(len(sizes) - 1)],
    }


# Which units (from 0) a layer of n with these dropped units shows, by hand: all up to 8; else
# every dropped unit, the last, and the first kept ones while the column (each run left out one
# place, its "...") has at most 8 places.
DRAWN = {
    (10, ()): [0, 1, 2, 3, 4, 5, 9],  # 6 + ... + the last
    (9, (0, 6, 7)): [0, 1, 2, 3, 6, 7, 8],  # the 2-9-1: ... for units 5, 6 (from 1)
    (10, (0, 3, 6, 9)): [0, 1, 2, 3, 6, 9],  # ... for 5-6 and 8-9: 8 places
    (9, (1, 4, 7)): [0, 1, 2, 3, 4, 7, 8],  # ... for 6-7
    (12, (1, 7, 11)): [0, 1, 2, 3, 7, 11],  # ... for 5-7 and 9-11
}


def drawn(n, mask=None):
    dropped = tuple(j for j, m in enumerate(mask or [1] * n) if m == 0)
    return list(range(n)) if n <= 8 else DRAWN[n, dropped]


def classes(element):
    return element.get("class", "").split()


SHAPES = {
    "tutorial": yaml.safe_load(TUTORIAL.read_text()),
    "one unit": spec_of((1, 1)),
    "all dropped": spec_of((3, 2, 1), dropped=lambda l, j: True),
    "largest drawn whole": spec_of((8, 8, 8, 8, 8, 8, 8)),
    "ellipsis": spec_of((3, 10, 9, 2)),
    "wide input": spec_of((12, 2, 1), dropped=lambda l, j: j in (1, 7, 11)),
    "dropped past the sixth": spec_of((2, 9, 1), dropped=lambda l, j: l == 1 and j in (0, 6, 7)),
    "wide, none dropped": spec_of((10, 2, 1), dropped=lambda l, j: False),
}


def test_a_layer_that_drops_too_many_to_draw_is_not_drawn():
    """20 units, every other dropped: drawing each dropped unit needs 20 places, more than 14."""
    d = draw(parse_spec(spec_of((2, 20, 1), dropped=lambda l, j: l == 1 and j % 2 == 0)))
    assert d.too_large and d.units == ()
    text = derive(parse_spec(spec_of((2, 20, 1), dropped=lambda l, j: l == 1 and j % 2 == 0))).to_markdown()
    assert "A layer drops too many units to draw here" in text
    assert not draw(parse_spec(spec_of((2, 20, 1), dropped=lambda l, j: l == 1 and j < 5))).too_large


@pytest.mark.parametrize("name", SHAPES)
def test_svg_has_one_unit_element_per_unit_and_one_dropped_per_zero(name):
    spec = SHAPES[name]
    sizes = [len(spec["input"])] + [len(layer["bias"]) for layer in spec["layers"]]
    masks = spec["masks"] if len(spec["masks"]) == len(sizes) - 1 else [[1] * sizes[0]] + spec["masks"]
    svg = render_svg(derive(parse_spec(spec)))
    root = ET.fromstring(svg)
    masks = masks + [None]  # the output has no mask
    shown = [drawn(n, mask) for n, mask in zip(sizes, masks)]
    units = [e for e in root.iter() if "unit" in classes(e)]
    assert [u.get("id") for u in units] == [f"u{l}-{j + 1}" for l, s in enumerate(shown) for j in s]
    zeros = sum(1 for l, mask in enumerate(masks[:-1]) for j in range(sizes[l]) if mask[j] == 0)
    assert sum("dropped" in classes(e) for e in units) == zeros  # every dropped unit is drawn
    # each dropped unit's outgoing connections are dashed: one per drawn unit of the next layer
    dashed = [e for e in root.iter(f"{SVG}line") if classes(e) == ["edge", "dropped"]]
    assert len(dashed) == sum(len(shown[l + 1]) for l, mask in enumerate(masks[:-1]) for m in mask if m == 0)
    edges = [e for e in root.iter(f"{SVG}line") if "edge" in classes(e)]
    assert len(edges) == sum(len(m) * (len(n) + 1) for n, m in zip(shown, shown[1:]))
    assert len([e for e in root.iter() if classes(e) == ["bias"]]) == len(sizes) - 1


def test_tutorial_units_are_labelled_and_masked_as_in_the_spec():
    root = ET.fromstring(render_svg(derive(symdrop.example())))
    units = [e for e in root.iter() if "unit" in classes(e)]
    names = [[t.text for t in u.iter(f"{SVG}text") if t.get("class") == "name"][0] for u in units]
    assert names == ["x₁", "x₂", "a⁽¹⁾₁", "a⁽¹⁾₂", "a⁽¹⁾₃", "a⁽²⁾₁", "a⁽²⁾₂", "a⁽²⁾₃", "a⁽³⁾₁", "a⁽³⁾₂", "ŷ"]
    masks = [[t.text for t in u.iter(f"{SVG}text") if t.get("class") == "mask"] for u in units]
    # tutorial.yaml: [1, 1], [1, 0, 1], [0, 1, 1], [0, 1]; the output has no mask
    expected = ["1", "1", "1", "0", "1", "0", "1", "1", "0", "1"]
    assert masks == [[f"μ = {m}"] for m in expected] + [[]]
    assert [u.get("id") for u in units if "dropped" in classes(u)] == ["u1-2", "u2-1", "u3-1"]


def test_edge_weights_are_the_specs_exact_numbers():
    spec = spec_of((2, 3, 1))
    spec["layers"][0]["weights"][1][0] = "-3/4"
    spec["layers"][0]["bias"][2] = 0.1
    root = ET.fromstring(render_svg(derive(parse_spec(spec)), edge_weights=True))
    written = sorted(t.text for t in root.iter(f"{SVG}text") if t.get("class") == "weight")
    rows = [row for layer in spec["layers"] for row in layer["weights"] + [layer["bias"]]]
    numbers = [Fraction(str(v)) for row in rows for v in row]
    assert written == sorted(str(v).replace("-", "−") for v in numbers)
    assert "−3/4" in written and "1/10" in written


@pytest.mark.parametrize(
    "l, j, sizes, symbol, text",
    [
        (0, 0, (2, 3, 1), r"x_{1}", "x₁"),
        (0, 11, (12, 1), r"x_{12}", "x₁₂"),
        (1, 1, (2, 3, 1), r"a^{(1)}_{2}", "a⁽¹⁾₂"),
        (10, 0, (1,) * 12, r"a^{(10)}_{1}", "a⁽¹⁰⁾₁"),
        (2, 0, (2, 3, 1), r"\hat{y}", "ŷ"),
        (2, 1, (2, 3, 2), r"\hat{y}_{2}", "ŷ₂"),
    ],
)
def test_labels(l, j, sizes, symbol, text):
    s, t = label(l, j, sizes)
    assert (latex(s), t) == (symbol, text)


LAYOUTS = [(8,) * 7, (1, 8, 1, 8, 1, 8, 1), (3, 10, 9, 2), (2, 3, 3, 2, 1), (1, 1)]


@pytest.mark.parametrize("sizes", LAYOUTS)
def test_nothing_overlaps_and_everything_is_inside(sizes):
    d = draw(parse_spec(spec_of(sizes)))
    r, half = d.radius, d.bias_size / 2
    circles = [(u.x, u.y) for u in d.units]
    for (x1, y1), (x2, y2) in combinations(circles, 2):
        assert (x1 - x2) ** 2 + (y1 - y2) ** 2 >= (2 * r + 0.3) ** 2
    for b in d.biases:  # a square's corner is half * sqrt(2) from its centre
        assert all((b.x - x) ** 2 + (b.y - y) ** 2 >= (r + half * 2**0.5 + 0.2) ** 2 for x, y in circles)
    for u in d.units:  # a mask label (0.3 cm high) between its unit and the next one down
        below = [v.y for v in (*d.units, *d.gaps) if v.x == u.x and v.y > u.y]
        assert u.mask_y - 0.15 >= u.y + r
        assert all(u.mask_y + 0.15 <= y - r for y in below)
    xs = [u.x for u in d.units] + [b.x for b in d.biases]
    ys = [u.y for u in d.units] + [b.y for b in d.biases]
    assert min(xs) - 0.45 >= 0 and max(xs) + r <= d.width - 0.2  # a mask label is 0.9 cm wide
    assert min(ys) - r >= 0.3 and max(u.mask_y for u in d.units) < d.caption_y - 0.3 < d.height
    assert d.width <= 16  # the text width of the A4 page is 16.6 cm


@pytest.mark.parametrize("sizes", [(2, 3, 3, 2, 1), (3, 3, 3, 3, 3), (1, 3, 1), (3, 1)])
def test_edge_weights_do_not_overlap(sizes):
    d = draw(parse_spec(spec_of(sizes)), edge_weights=True)
    labels = [(e.label_x, e.label_y) for e in d.edges]
    for (x1, y1), (x2, y2) in combinations(labels, 2):
        assert abs(x1 - x2) >= 0.55 or abs(y1 - y2) >= 0.3, ((x1, y1), (x2, y2))
    for x, y in labels:  # clear of every unit
        assert all((x - u.x) ** 2 + (y - u.y) ** 2 >= (d.radius + 0.3) ** 2 for u in d.units)


@pytest.mark.parametrize(
    "sizes, message",
    [
        ((2, 4, 1), "this network has 2 layers and up to 4 units in one"),
        ((1,) * 6, "this network has 5 layers and up to 1 units in one"),
    ],
)
def test_edge_weights_on_a_large_network_is_an_error(sizes, message):
    with pytest.raises(RenderError, match=re.escape(message)):
        draw(parse_spec(spec_of(sizes)), edge_weights=True)


def test_too_deep_to_draw_says_so():
    d = derive(parse_spec(spec_of((2,) * 8)))
    assert render_svg(d) is None
    assert r"\emph{The network has 7 layers, too many to draw here: pictures show at most 6.}" in d.to_latex()
    assert "tikzpicture" not in d.to_latex()
    assert "*The network has 7 layers, too many to draw here: pictures show at most 6.*" in d.to_markdown()
    assert d.to_latex(diagram=False).count("too many to draw") == 0


def test_latex_picture_draws_each_zero_as_dropped():
    d = derive(symdrop.example())
    tex = d.to_latex()
    # The units' labels: 8 kept, 3 dropped (greyed), and 3 crossed-out circles.
    assert tex.count(r"{\small\color{black!65}$") == 3 and tex.count(r"{\small$") == 8
    dropped = tex[tex.index(r"\pgfsetstrokecolor{red!70!black}"):]
    assert dropped[:dropped.index(r"\pgfusepath")].count(r"\symdropcircle") == 3
    dashed = tex[tex.index(r"\pgfsetdash"):]
    dashed = dashed[:dashed.index(r"\pgfusepath")]
    assert dashed.count(r"\symdropline") == 3 + 2 + 1  # from a(1)_2, a(2)_1, a(3)_1 to the next layer
    assert tex.count(r"\symdropline") == 3 * 3 + 3 * 4 + 2 * 4 + 1 * 3 + 3  # every connection, and 3 crosses of 2 lines
    assert tex.index(r"\subsection*{The network}") < tex.index(r"\begin{tikzpicture}") < tex.index("Layer sizes")
    assert "tikzpicture" not in d.to_latex(diagram=False)
    weights = d.to_latex(edge_weights=True)
    assert weights.count(r"\node[font=\scriptsize") == 3 * 3 + 3 * 4 + 2 * 4 + 1 * 3


def test_markdown_links_the_svg_right_after_the_heading():
    md = derive(symdrop.example()).to_markdown(svg="my solution.svg")
    # The example's masks (1, 1), (1, 0, 1), (0, 1, 1), (0, 1): every dropped unit named in the alt text.
    image = ("![The network, layer sizes 2 → 3 → 3 → 2 → 1 (input first), each layer fed by a bias node, which is never "
             "dropped. Masks of the input layer: (1, 1), no unit dropped. Masks of hidden layer 1: (1, 0, 1), dropped, "
             "crossed out: unit 2 (a⁽¹⁾₂). Masks of hidden layer 2: (0, 1, 1), dropped, crossed out: unit 1 (a⁽²⁾₁). "
             "Masks of hidden layer 3: (0, 1), dropped, crossed out: unit 1 (a⁽³⁾₁). The output layer is never masked. "
             "The weights and biases are not in the picture: they are given in the text.](my%20solution.svg)")
    assert f"## The network\n\n{image}\n" in md
    assert "](" not in derive(symdrop.example()).to_markdown()


def test_hostile_title_is_escaped_in_the_svg():
    spec = spec_of((2, 1))
    spec["title"] = "<b>&amp; \"x\" ]]> </title>"
    root = ET.fromstring(render_svg(derive(parse_spec(spec))))
    assert root.find(f"{SVG}title").text.startswith(spec["title"] + ". The network, layer sizes 2 → 1")


@pytest.mark.parametrize("name, edge_weights", [("tutorial-edge-weights.svg", True)])
def test_golden_svg(name, edge_weights):
    """Also output/tutorial.svg, checked by test_render. Refresh: SYMDROP_REFRESH_GOLDEN=1 pytest."""
    current = render_svg(derive(symdrop.example()), edge_weights=edge_weights)
    assert current == golden(name, current)


def test_pictures_compile(tmp_path):
    """One PDF with an ellipsis, dropped inputs and two outputs, and the tutorial with weights."""
    require_pdflatex()
    text = pdf_text(compile_pdf(derive(parse_spec(spec_of((3, 10, 9, 2)))).to_latex()), tmp_path)
    text = text.replace("\n", " ")
    assert "hidden 1" in text and "Units 5 and 6 of the first hidden layer are left out" in text
    assert "Units 8 and 9 of the first hidden layer are left out" in text
    assert "Units 6 and 7 of the second hidden layer are left out" in text
    text = pdf_text(compile_pdf(derive(symdrop.example()).to_latex(edge_weights=True)), tmp_path)
    assert "The numbers on the connections are the weights and biases." in text.replace("\n", " ")


def test_layout_numbers_are_fixed_precision():
    svg = render_svg(derive(symdrop.example()), edge_weights=True)
    numbers = re.findall(r'(?:x|y|x1|y1|x2|y2|r)="(-?[0-9.]+)"', svg)
    assert numbers and all(re.fullmatch(r"-?\d+\.\d{3}", n) for n in numbers)
    assert not any(isinstance(e.weight, sympy.Float) for e in draw(symdrop.example(), edge_weights=True).edges)


# The command line: where the pictures go.

def test_solve_markdown_writes_the_svg_beside_it(tmp_path, capsys):
    assert main(["solve", str(TUTORIAL), "-o", str(tmp_path / "sol.md")]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sol.md", "sol.svg"]
    assert "](sol.svg)" in (tmp_path / "sol.md").read_text()
    assert (tmp_path / "sol.svg").read_text() == render_svg(derive(symdrop.example()))
    assert capsys.readouterr().out.splitlines() == [str(tmp_path / "sol.md"), str(tmp_path / "sol.svg")]


@pytest.mark.parametrize(
    "args, files, picture",
    [
        (["-o", "s.md", "--no-diagram"], ["s.md"], None),
        (["-o", "s.tex"], ["s.tex"], r"\begin{tikzpicture}"),
        (["-o", "s.tex", "--no-diagram"], ["s.tex"], None),
        (["-o", "s.json", "--edge-weights"], ["s.json"], None),
        (["-o", "s.txt", "--format", "markdown", "--edge-weights"], ["s.svg", "s.txt"], "](s.svg)"),
    ],
)
def test_solve_picture_options(args, files, picture, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["solve", str(TUTORIAL), *args]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == files
    text = (tmp_path / args[1]).read_text()
    assert (picture in text) if picture else ("tikzpicture" not in text and "](" not in text)


def test_solve_markdown_to_stdout_has_no_picture(capsys):
    assert main(["solve", str(TUTORIAL)]) == 0
    out = capsys.readouterr().out
    assert "## The network\n\nLayer sizes" in out and ".svg" not in out


def test_example_with_edge_weights(tmp_path):
    assert main(["example", "--out", str(tmp_path), "--edge-weights"]) == 0
    assert (tmp_path / "tutorial.svg").read_text() == (GOLDEN / "tutorial-edge-weights.svg").read_text()
    assert r"\node[font=\scriptsize" in (tmp_path / "tutorial.tex").read_text()


@pytest.mark.parametrize(
    "sizes, args, message",
    [
        ((2, 5, 1), ["-o", "out/s.md", "--edge-weights"], "edge weights: drawn for at most 4 layers of at most 3"),
        ((2, 1), ["-o", "out/s.svg", "--format", "markdown"], "the picture goes to FILE.svg"),
    ],
)
def test_picture_errors_are_one_line_and_write_nothing(sizes, args, message, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "p.yaml").write_text(yaml.safe_dump(spec_of(sizes)))
    assert main(["solve", "p.yaml", *args]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("symdrop: error: ") and message in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.yaml"]


def test_backprop_refuses_markdown_named_like_its_picture(tmp_path, monkeypatch, capsys):
    """-o FILE.svg would have the picture written over the Markdown (backprop did so until it
    wrote its files as solve does): refused in one line, nothing written."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "p.yaml").write_text(yaml.safe_dump({**spec_of((2, 1)), "target": [0]}))
    assert main(["backprop", "p.yaml", "-o", "b.svg", "--format", "markdown"]) == 2
    assert "the picture goes to FILE.svg" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.yaml"]


def test_too_deep_markdown_writes_no_svg(tmp_path):
    (tmp_path / "p.yaml").write_text(yaml.safe_dump(spec_of((2,) * 8)))
    assert main(["solve", str(tmp_path / "p.yaml"), "-o", str(tmp_path / "s.md")]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.yaml", "s.md"]
    assert "too many to draw here" in (tmp_path / "s.md").read_text()


def test_no_diagram_and_edge_weights_exclude_each_other(capsys):
    with pytest.raises(SystemExit) as caught:
        main(["solve", str(TUTORIAL), "--no-diagram", "--edge-weights"])
    assert caught.value.code == 2
    assert "not allowed with argument" in capsys.readouterr().err


def test_symbolic_masks_are_labelled_as_the_latex_writes_them():
    """--symbolic: the SVG writes mu^(0)_1 as μ⁽⁰⁾₁ (not SymPy's mu0_1), the TikZ picture $\\mu^{(0)}_{1}$."""
    d = derive(symdrop.example(), symbolic="masks")
    root = ET.fromstring(render_svg(d))
    masks = [t.text for t in root.iter(f"{SVG}text") if t.get("class") == "mask"]
    assert masks == ["μ⁽⁰⁾₁", "μ⁽⁰⁾₂", "μ⁽¹⁾₁", "μ⁽¹⁾₂", "μ⁽¹⁾₃", "μ⁽²⁾₁", "μ⁽²⁾₂", "μ⁽²⁾₃", "μ⁽³⁾₁", "μ⁽³⁾₂"]
    latex_text = d.to_latex()
    assert r"\colorbox{white}{$\mu^{(0)}_{1}$}}" in latex_text and "mu0_1" not in latex_text + render_svg(d)


@pytest.mark.parametrize("sizes", [(2, 3, 3, 2, 1), (8,) * 7, (2, 9, 1)])
def test_symbolic_mask_labels_clear_both_units(sizes):
    """A symbol's label hangs from just below its unit; at 0.45 cm (measured in the PDF:
    mu^(1)_1 in scriptsize with its super- and subscript) it ends above the unit below."""
    network = parse_spec(spec_of(sizes))
    symbols = tuple(sympy.ImmutableMatrix([sympy.Symbol(f"mu{l}_{j + 1}") for j in range(m.rows)])
                    for l, m in enumerate(network.masks))
    d = draw(replace(network, masks=symbols))
    r = d.radius
    for u in d.units:
        if u.mask is None:
            continue
        assert u.symbolic_mask
        below = [v.y for v in (*d.units, *d.gaps) if v.x == u.x and v.y > u.y]
        assert all(u.mask_top + 0.45 + 0.05 <= y - r for y in below), u


def test_text_after_a_picture_is_black(tmp_path):
    """The picture's grey and red labels keep their colour to themselves: page 2 of the
    tutorial's solution (the layers' equations, after the picture of page 1) has black text.
    Its darkest pixel, rendered in grey levels by pdftoppm, was 77 to 102 when a cached label's
    colour leaked (the captions' black!60 is 102)."""
    require_pdflatex()
    import subprocess

    from symdrop.io.tex import compile_pdf

    require("pdftoppm", install="apt-get install poppler-utils")
    pdf = tmp_path / "tutorial.pdf"
    pdf.write_bytes(compile_pdf(derive(symdrop.example()).to_latex()))
    subprocess.run(["pdftoppm", "-gray", "-r", "60", "-f", "2", "-l", "2", str(pdf), str(tmp_path / "p")], check=True)
    (page,) = tmp_path.glob("p*.pgm")
    data = page.read_bytes()
    magic, size, depth, pixels = data.split(b"\n", 3)
    assert magic == b"P5" and depth == b"255"
    assert min(pixels) < 40  # black text, anti-aliased at 60 dpi


def test_edge_weights_turn_with_their_lines_on_the_page():
    """TikZ's rotate turns counterclockwise on the page, whatever way the picture's y axis
    points: a weight on a line that rises to the right (its end higher on the page, a smaller y
    in the picture's coordinates) has a positive rotate, one on a falling line a negative one.
    (Checked by rendering labels of seven digits: with the signs the other way round each lay
    along the other line; a session's fix that flipped them was wrong and is undone.)"""
    import re

    d = derive(symdrop.example())
    edges = draw(d.network, edge_weights=True).edges
    labels = re.findall(r"rotate=([-\d.]+)\] at", d.to_latex(edge_weights=True))  # in the picture's edge order
    assert len(labels) == len(edges) == 3 * 3 + 3 * 4 + 2 * 4 + 1 * 3
    rising = [float(r) > 0 for r, e in zip(labels, edges) if e.y2 < e.y1]
    falling = [float(r) < 0 for r, e in zip(labels, edges) if e.y2 > e.y1]
    assert rising and falling and all(rising) and all(falling)


@pytest.mark.parametrize(("kind", "legend"), [
    # variance: one unit S fed by one bias square (3 -> 1); forward: a square per layer (seed 7: 2 -> 3 -> 3 -> 2 -> 1)
    ("variance", "The square is the bias (input $1$), which is never dropped."),
    ("forward", "The squares are the biases (input $1$), which are never dropped."),
])
def test_the_legend_counts_the_bias_squares(tmp_path, kind, legend):
    assert main(["sheet", "--seed", "7", "--kinds", kind, "--problems", "2", "--out", str(tmp_path)]) == 0
    text = (tmp_path / "sheet.md").read_text()
    assert text.count(legend) == 2
    other = "The squares are the biases" if kind == "variance" else "The square is the bias"
    assert other not in text
