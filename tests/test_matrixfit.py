"""A wide network's x, W and b on the page (render.matrixfit): every number read back from the document."""

import json
import random
import re
from fractions import Fraction

import pytest
import yaml

from symdrop.cli import main
from symdrop.model.spec import load_spec, parse_spec
from symdrop.render.matrixfit import EM_PER_CHARACTER, MATRIX_ROWS, network_layout
from symdrop.render.texwidth import width

from .conftest import TUTORIAL


def wide_spec(n: int, seed: int) -> dict:
    """An n-n-1 network of two-digit fractions, as a reviewer drew one (not every one reduced:
    96/10 is written 48/5); every second hidden unit dropped."""
    rng = random.Random(seed)

    def number():
        return f"{rng.randint(-99, 99)}/{rng.randint(1, 99)}"

    return {"title": f"wide {n}", "input": [number() for _ in range(n)],
            "layers": [{"weights": [[number() for _ in range(n)] for _ in range(n)], "bias": [number() for _ in range(n)]},
                       {"weights": [[number() for _ in range(n)]], "bias": [number()], "activation": "identity"}],
            "masks": [[1] * n, [1, 0] * (n // 2)]}


# An entry as the document writes it: -\tfrac{65}{74}, \frac{3}{8}, -23.
_ENTRY = re.compile(r"(-\s*)?\\t?frac\{(\d+)\}\{(\d+)\}|(-?\d+)")


def _numbers(text: str) -> list[Fraction]:
    out = []
    for sign, p, q, whole in _ENTRY.findall(text):
        out.append(Fraction(int(whole)) if whole else (-1 if sign else 1) * Fraction(int(p), int(q)))
    return out


def _network_rows(markdown: str) -> dict[str, list[Fraction]]:
    """The numbers of each named piece of the network's rows (x, W^{(1)}_{:,\\,1\\ldots 8}, ...),
    in the order written, from the Markdown's first aligned block."""
    block = markdown.split("\\begin{aligned}\n", 1)[1].split("\\end{aligned}", 1)[0]
    pieces = {}
    for line in block.splitlines():
        name, _, body = line.removeprefix("\\\\ ").partition(" &= ")
        pieces[name] = _numbers(body.replace("^{\\top}", ""))
    return pieces


def _solve(tmp_path, spec: dict, fmt: str = "markdown") -> str:
    path, out = tmp_path / "spec.json", tmp_path / f"out.{fmt}"
    path.write_text(json.dumps(spec), encoding="utf-8")
    assert main(["solve", str(path), "--format", fmt, "-o", str(out)]) == 0
    return out.read_text(encoding="utf-8")


def test_a_small_network_is_written_as_before_without_measuring():
    assert network_layout(load_spec(TUTORIAL)) is None  # x, then W, b, g side by side
    # Ten units of two-digit fractions: past the bound, measured, and still whole and side by side.
    layout = network_layout(parse_spec(wide_spec(10, 2)))
    assert layout is not None and [p.matrix is not None for p in layout.x] == [True]
    assert [len(layer.W) for layer in layout.layers] == [1, 1]


@pytest.mark.parametrize("text", ["-3", r"- \frac{65}{74}", "0.25", r"\textcolor{red}{0}", r"\sigma(\frac{1}{2})",
                                  r"- \frac{2685309189445726798066201807}{27781609581519220665638400}", r"\frac{1}{1 + e^{-2}}"])
def test_no_entry_is_wider_than_the_bound_per_character(text):
    assert width(text, "text") <= EM_PER_CHARACTER * len(text)
    assert width(text) <= EM_PER_CHARACTER * len(text)


def test_sixteen_units_columns_in_two_blocks_and_x_as_a_row(tmp_path):
    spec = wide_spec(16, 3)
    text = _solve(tmp_path, spec)
    pieces = _network_rows(text)
    # W^(2), one row of 16, in blocks too: a row, never a list that reads as a column
    assert list(pieces) == ["x", r"W^{(1)}_{:,\,1\ldots 8}", r"W^{(1)}_{:,\,9\ldots 16}", "b^{(1)}", "g^{(1)}",
                            r"W^{(2)}_{:,\,1\ldots 8}", r"W^{(2)}_{:,\,9\ldots 16}", "b^{(2)}", "g^{(2)}"]
    x = [Fraction(v) for v in spec["input"]]
    W = [[Fraction(v) for v in row] for row in spec["layers"][0]["weights"]]
    assert pieces["x"] == x
    # Each block row by row: rows 1..16 of columns 1..8, then of columns 9..16.
    assert pieces[r"W^{(1)}_{:,\,1\ldots 8}"] == [w for row in W for w in row[:8]]
    assert pieces[r"W^{(1)}_{:,\,9\ldots 16}"] == [w for row in W for w in row[8:]]
    assert pieces["b^{(1)}"] == [Fraction(v) for v in spec["layers"][0]["bias"]]
    assert pieces[r"W^{(2)}_{:,\,1\ldots 8}"] + pieces[r"W^{(2)}_{:,\,9\ldots 16}"] == [
        Fraction(v) for v in spec["layers"][1]["weights"][0]]
    # The first sentence refers to the rows instead of writing 16 entries TeX cannot break.
    first = text.split("\n\n")[1]
    assert "for the input $x$ (its 16 entries are given with the network)" in first.replace("\n", " ")
    assert "x = (" not in first


def test_sixty_four_units_row_by_row(tmp_path):
    spec = wide_spec(64, 5)
    pieces = _network_rows(_solve(tmp_path, spec))
    W = [[Fraction(v) for v in row] for row in spec["layers"][0]["weights"]]
    assert 64 > MATRIX_ROWS
    for i in range(64):
        assert pieces[f"W^{{(1)}}_{{{i + 1},:}}"] == W[i]
    assert pieces["x"] == [Fraction(v) for v in spec["input"]]
    assert pieces["b^{(1)}"] == [Fraction(v) for v in spec["layers"][0]["bias"]]


def test_the_tutorial_still_writes_its_input_in_the_sentence(tmp_path):
    text = _solve(tmp_path, yaml.safe_load(TUTORIAL.read_text(encoding="utf-8")))
    assert "for the input $x = (1, 1)$" in text


def _backprop(tmp_path, spec: dict) -> tuple[str, str]:
    """backprop's Markdown of ``spec`` (no picture), and its first paragraph on one line."""
    path = tmp_path / "wide.json"
    path.write_text(json.dumps(spec), encoding="utf-8")
    assert main(["backprop", str(path), "-o", str(tmp_path / "wide.md"), "--no-diagram"]) == 0
    text = (tmp_path / "wide.md").read_text(encoding="utf-8")
    return text, " ".join(text.split("\n\n")[1].split())


def test_the_backward_pass_refers_to_a_long_input_too(tmp_path):
    """backprop's first sentence, as solve's: 16 inputs are given with the network's rows (read
    back from them), the 2 of the tutorial-sized network in the sentence."""
    spec = {**wide_spec(16, 3), "target": ["1"]}
    text, first = _backprop(tmp_path, spec)
    path = tmp_path / "wide.json"
    assert "on the input $x$ (its 16 entries are given with the network) with target" in first
    assert _network_rows(text)["x"] == [Fraction(v) for v in spec["input"]]
    spec = {"input": [1, 2], "layers": [{"weights": [[1, 1]], "bias": [0]}], "masks": [[1, 1]], "target": [1]}
    path.write_text(json.dumps(spec), encoding="utf-8")
    assert main(["backprop", str(path), "-o", str(tmp_path / "small.md"), "--no-diagram"]) == 0
    assert "on the input $x = (1, 2)$ with target" in (tmp_path / "small.md").read_text(encoding="utf-8")


def test_an_input_stays_in_its_sentence_only_where_its_line_has_room():
    """x = (1, 1) after the first sentence's words fits its line; twelve one-digit fractions, some
    16 em (a reviewer's PDF: past the margin by 18 pt after those words), do not, though a line of
    their own would hold them."""
    import sympy

    from symdrop.render.matrixfit import in_sentence

    lead = "We predict with the fully connected network below for the input"
    twelve = sympy.ImmutableMatrix([sympy.Rational(v) for v in
                                    ("-9/8", "7/4", "7/5", "2", "6/7", "9/5", "7/8", "6/7", "4/7", "-9/7", "5/2", "-1/2")])
    assert in_sentence(sympy.ImmutableMatrix([1, 1]), lead)
    assert not in_sentence(twelve, lead) and in_sentence(twelve)


# 16 outputs with fractional targets (a reviewer's network): t and each 16-entry vector of the
# backward pass ran past the margin, t in the first sentence.
SIXTEEN_OUTPUTS = {"input": [1, -1, 2], "masks": [[1, 1, 0], [1, 0, 1, 1]],
                   "layers": [{"weights": [[-2, 1, 1], [-2, -1, 1], [0, 2, 1], [-3, 1, -3]], "bias": [1, 0, 2, -1]},
                              {"weights": [[(i * 5 + j * 3) % 7 - 3 for j in range(4)] for i in range(16)],
                               "bias": [i % 5 - 2 for i in range(16)], "activation": "identity"}],
                   "target": [f"{(i * 7) % 19 - 9}/{i % 6 + 2}" for i in range(16)]}


def _aligned(text: str, heading: str) -> dict[str, list[Fraction]]:
    """The numbers of each row ``name &= ...`` (with its continued rows) of the first aligned
    block after ``heading``."""
    block = text.split(heading, 1)[1].split("\\begin{aligned}\n", 1)[1].split("\\end{aligned}", 1)[0]
    rows, name = {}, None
    for line in block.replace("\\\\ &", "\n&").splitlines():
        head, _, body = line.removesuffix("\\\\").partition("&")
        name = head.strip() or name
        rows[name] = rows.get(name, []) + _numbers(body.replace("^{\\top}", "").lstrip("= "))
    return rows


def test_a_wide_target_is_given_with_the_loss_and_the_forward_pass_in_rows(tmp_path):
    """backprop of 16 outputs: the first sentence refers to t, which the loss's section gives
    (every entry read back); the forward pass, a table whose rows would leave the page, is a row
    per vector, each read back and checked against the pass computed here with fractions."""
    text, first = _backprop(tmp_path, SIXTEEN_OUTPUTS)
    path = tmp_path / "wide.json"
    assert "with target $t$ (its 16 entries are given with the loss) and" in first
    assert "t = (" not in first
    target = [Fraction(v) for v in SIXTEEN_OUTPUTS["target"]]
    loss = text.split("The target, one value per output:", 1)[1].split("$$", 2)[1]
    assert _numbers(loss.replace("\\\\ &", " ").split("=", 1)[1]) == target
    # the pass by hand: z1 = W1 (mu0 * x) + b1, a1 = ReLU(z1), z2 = W2 (mu1 * a1) + b2
    (W1, b1), (W2, b2) = [([[Fraction(w) for w in row] for row in layer["weights"]], [Fraction(v) for v in layer["bias"]])
                          for layer in SIXTEEN_OUTPUTS["layers"]]
    mu0, mu1 = SIXTEEN_OUTPUTS["masks"]
    a0 = [m * Fraction(v) for m, v in zip(mu0, SIXTEEN_OUTPUTS["input"])]
    z1 = [sum(w * a for w, a in zip(row, a0)) + b for row, b in zip(W1, b1)]
    a1 = [m * max(z, 0) for m, z in zip(mu1, z1)]
    z2 = [sum(w * a for w, a in zip(row, a1)) + b for row, b in zip(W2, b2)]
    rows = _aligned(text, "The forward pass")
    assert rows == {r"\tilde{a}^{(0)}": a0, "z^{(1)}": z1, "a^{(1)}": [max(z, 0) for z in z1],
                    r"\tilde{a}^{(1)}": a1, "z^{(2)}": z2, "a^{(2)}": z2}
    # the tutorial's network with one output keeps its table and its t = (5) in the sentence
    path.write_text(json.dumps({**yaml.safe_load(TUTORIAL.read_text(encoding="utf-8")), "target": [5]}), encoding="utf-8")
    assert main(["backprop", str(path), "-o", str(tmp_path / "small.md"), "--no-diagram"]) == 0
    small = (tmp_path / "small.md").read_text(encoding="utf-8")
    assert "with target $t = (5)$ and" in " ".join(small.split()) and "| $l$ |" in small
