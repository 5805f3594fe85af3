"""Dropout conventions and modes: hand-checked cases, and random networks against plain fractions."""

import json
import random
from fractions import Fraction
from pathlib import Path

import pytest
import sympy

from symdrop import SpecError, derive, parse_spec, to_spec
from symdrop.cli import main

from .conftest import ROOT, TUTORIAL, lines_matching, name_compared, values
from .reference import forward, random_dropout_problem


def spec(masks, keep, convention):
    return {
        "input": [2, 1],
        "layers": [
            {"weights": [[1, -1], [1, 1], [-1, 2]], "bias": [0, -1, 1], "activation": "relu"},
            {"weights": [[1, 2, 1]], "bias": ["1/2"]},
        ],
        "masks": masks,
        "dropout": {"convention": convention, "keep": keep},
    }


# (masks, keep, convention, mode) -> (a^(1), prediction), worked out on paper.
# One keep value: mu^(0) keeps everything. a^(1) = ReLU(1, 2, 1) = (1, 2, 1) without input masks.
HAND = {
    # plain: a~1 = (1, 0, 1): y = 1 + 0 + 1 + 1/2
    "plain train": ([[1, 0, 1]], "2/3", "plain", "train", [1, 2, 1], "5/2"),
    # inverted: a~1 = (1, 0, 1) * 3/2: y = 3/2 + 3/2 + 1/2
    "inverted train": ([[1, 0, 1]], "2/3", "inverted", "train", [1, 2, 1], "7/2"),
    # weight scaling trains like plain masks
    "weight-scaling train": ([[1, 0, 1]], "2/3", "weight-scaling", "train", [1, 2, 1], "5/2"),
    # inverted at test time: no masks, no scaling: y = 1 + 4 + 1 + 1/2
    "inverted test": ([[1, 0, 1]], "2/3", "inverted", "test", [1, 2, 1], "13/2"),
    # weight scaling at test time: 2/3 W2 a1 + b2 = 2/3 * 6 + 1/2
    "weight-scaling test": ([[1, 0, 1]], "2/3", "weight-scaling", "test", [1, 2, 1], "9/2"),
    # input dropout, q0 = 1/2, q1 = 4/5; x~ = (0, 1): z1 = (-1, 0, 3), a~1 = (0, 0, 0): y = b2
    "plain train, input mask": ([[0, 1], [1, 1, 0]], ["1/2", "4/5"], "plain", "train", [0, 0, 3], "1/2"),
    # x~ = (0, 1) * 2: z1 = (-2, 1, 5); a~1 = (0, 1, 0) * 5/4: y = 2 * 5/4 + 1/2
    "inverted train, input mask": ([[0, 1], [1, 1, 0]], ["1/2", "4/5"], "inverted", "train", [0, 1, 5], "3"),
    # z1 = 1/2 W1 x + b1 = (1/2, 3/2, 0) + (0, -1, 1); y = 4/5 (1/2 + 1 + 1) + 1/2
    "weight-scaling test, input mask": ([[0, 1], [1, 1, 0]], ["1/2", "4/5"], "weight-scaling", "test", ["1/2", "1/2", 1], "5/2"),
    "inverted test, input mask": ([[0, 1], [1, 1, 0]], ["1/2", "4/5"], "inverted", "test", [1, 2, 1], "13/2"),
}


@pytest.mark.parametrize("name", HAND)
def test_hand_checked_conventions(name):
    masks, keep, convention, mode, a1, y = HAND[name]
    d = derive(parse_spec(spec(masks, keep, convention)), mode=mode)
    assert values(d.steps[0].activation.value) == [Fraction(v) for v in a1]
    assert values(d.prediction) == [Fraction(y)]


@pytest.mark.parametrize(
    "activation, x, expected",
    [
        ({"leaky_relu": "1/10"}, [-2, 3], ["-1/5", "3"]),
        ("leaky_relu", [-2, 3], ["-1/50", "3"]),  # PyTorch's default slope, 1/100
        ("relu", [-2, 3], ["0", "3"]),
    ],
)
def test_piecewise_linear_activations(activation, x, expected):
    data = {
        "input": [1],
        "layers": [{"weights": [[x[0]], [x[1]]], "bias": [0, 0], "activation": activation}, {"weights": [[1, 1]], "bias": [0]}],
        "masks": [[1, 1]],
    }
    d = derive(parse_spec(data))
    assert values(d.steps[0].activation.value) == [Fraction(v) for v in expected]


E = sympy.E


@pytest.mark.parametrize(
    "activation, z, exact",
    [
        ("sigmoid", 3, 1 / (1 + E**-3)),
        ("sigmoid", 0, sympy.Rational(1, 2)),
        ("sigmoid", "-1/2", 1 / (1 + sympy.exp(sympy.Rational(1, 2)))),
        ("tanh", "1/2", sympy.tanh(sympy.Rational(1, 2))),
        ("tanh", 0, sympy.Integer(0)),
    ],
)
def test_sigmoid_and_tanh_are_exact_symbols(activation, z, exact):
    data = {"input": [1], "layers": [{"weights": [[z]], "bias": [0], "activation": activation}], "masks": [[1]]}
    d = derive(parse_spec(data))
    assert sympy.simplify(d.prediction[0] - exact) == 0
    assert d.prediction[0].is_Rational == exact.is_Rational  # never a float


def test_plain_without_keep_has_no_test_time_pass(tmp_path, capsys):
    path = tmp_path / "p.yaml"
    path.write_text("input: [1]\nlayers: [{weights: [[1]], bias: [0]}]\nmasks: [[1]]\n")
    assert main(["solve", str(path), "--mode", "test", "-o", str(tmp_path / "out.md")]) == 2
    err = capsys.readouterr().err
    assert err == (
        "symdrop: error: dropout.keep: missing (required for the test-time pass of plain masks, which scales "
        "each W by its input's q (weight scaling))\n"
    )
    assert not (tmp_path / "out.md").exists()


def test_plain_masks_are_tested_as_weight_scaling(tmp_path, capsys):
    # x = (1, 2), W1 = [[1, -1], [2, 1]], b1 = (0, 1), q0 = 1/2; W2 = (1, 1), b2 = 1, q1 = 3/4.
    # By hand: z1 = (1/2)(1 - 2, 2 + 2) + (0, 1) = (-1/2, 3), a1 = (0, 3); y = (3/4)(0 + 3) + 1 = 13/4.
    path = tmp_path / "p.yaml"
    path.write_text("input: [1, 2]\nlayers: [{weights: [[1, -1], [2, 1]], bias: [0, 1]}, "
                    "{weights: [[1, 1]], bias: [1]}]\nmasks: [[1, 1], [1, 0]]\ndropout: {keep: ['1/2', '3/4']}\n")
    assert main(["solve", str(path), "--mode", "test", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["prediction"] == ["13/4"]


@pytest.mark.parametrize("seed", range(240))
def test_random_networks_every_convention_and_mode(seed):
    data, x, layers, masks, convention, keep = random_dropout_problem(random.Random(seed))
    network = parse_spec(data)
    assert parse_spec(to_spec(network)) == network
    modes = ("train",) if convention == "plain" else ("train", "test")
    for mode in modes:
        d = derive(network, mode=mode)
        reference = forward(x, layers, masks, convention, keep, mode)
        for step, (masked, z, a) in zip(d.steps, reference, strict=True):
            assert values(step.masked_input.value) == masked
            assert values(step.pre_activation.value) == z
            assert values(step.activation.value) == a


def test_symbolic_masks_with_inverted_scaling():
    """The expression in the masks gives the inverted reference's output for every mask."""
    data = spec([[1, 0, 1]], "2/3", "inverted")
    d = derive(parse_spec(data), symbolic="masks")
    x = [Fraction(2), Fraction(1)]
    layers = [
        ([[1, -1], [1, 1], [-1, 2]], [0, -1, 1], "relu"),
        ([[1, 2, 1]], [Fraction(1, 2)], "identity"),
    ]
    layers = [([[Fraction(w) for w in row] for row in W], [Fraction(v) for v in b], g) for W, b, g in layers]
    mu = {s.name: s for s in d.prediction.free_symbols}
    for bits in range(8):
        mask = [(bits >> k) & 1 for k in range(3)]
        expected = forward(x, layers, [[1, 1], mask], "inverted", [Fraction(1), Fraction(2, 3)])[-1][2]
        at = {mu[f"mu1_{k + 1}"]: mask[k] for k in range(3) if f"mu1_{k + 1}" in mu}
        at.update({s: 1 for name, s in mu.items() if name.startswith("mu0_")})
        assert values(d.prediction.subs(at)) == expected


def test_symbolic_all_writes_q_as_a_symbol():
    d = derive(parse_spec(spec([[1, 0, 1]], "2/3", "inverted")), symbolic="all")
    names = {s.name for s in d.prediction.free_symbols}
    assert "q1" in names and "q0" not in names  # q0 = 1 scales nothing


def test_test_mode_with_symbolic_masks_is_an_error():
    with pytest.raises(Exception, match="test-time pass has no masks"):
        derive(parse_spec(spec([[1, 0, 1]], "2/3", "inverted")), symbolic="masks", mode="test")


@pytest.mark.parametrize(
    "convention, mode, phrases",
    [
        ("plain", "train", ["Dropout convention: plain masks"]),
        ("inverted", "train", ["Dropout convention: inverted dropout", r"\frac{1}{q^{(1)}}", "At test time"]),
        ("inverted", "test", ["inverted dropout at test time", "no masks and no scaling"]),
        ("weight-scaling", "train", ["Dropout convention: weight scaling"]),
        ("weight-scaling", "test", ["weight scaling at test time", r"q^{(1)} W^{(2)} \tilde{a}^{(1)}", "Biases are not scaled"]),
    ],
)
def test_worked_solution_states_convention_keep_and_pytorch_p(convention, mode, phrases):
    md = derive(parse_spec(spec([[1, 0, 1]], "4/5", convention)), mode=mode).to_markdown()
    assert r"$q^{(1)} = \frac{4}{5}$ (PyTorch $p = \frac{1}{5}$)" in md
    assert r"$q^{(0)} = 1$ (keeps everything)" in md
    for phrase in phrases:
        assert phrase in md
    if mode == "test":
        assert r"\mu^{(1)} = " not in md and "Dropped units" not in md


@pytest.mark.parametrize(
    "convention, mode, rows",
    [
        # no mask at test time: the input as it is, its numbers written once (not "= v = v")
        ("inverted", "test", [r"\tilde{a}^{(0)} &= x = \begin{pmatrix}2\\1\end{pmatrix}\\",
                              r"\tilde{a}^{(1)} &= a^{(1)} = \begin{pmatrix}1\\2\\1\end{pmatrix}\\"]),
        ("weight-scaling", "test", [r"\tilde{a}^{(0)} &= x = \begin{pmatrix}2\\1\end{pmatrix}\\",
                                    r"\tilde{a}^{(1)} &= a^{(1)} = \begin{pmatrix}1\\2\\1\end{pmatrix}\\"]),
        # a mask, even one that keeps everything, is an operation: mask, values and result
        ("plain", "train", [r"\tilde{a}^{(0)} &= \mu^{(0)} \odot x = \begin{pmatrix}1\\1\end{pmatrix} \odot "
                            r"\begin{pmatrix}2\\1\end{pmatrix} = \begin{pmatrix}2\\1\end{pmatrix}\\",
                            r"\tilde{a}^{(1)} &= \mu^{(1)} \odot a^{(1)} = \begin{pmatrix}1\\\textcolor{red}{0}\\1"
                            r"\end{pmatrix} \odot \begin{pmatrix}1\\\textcolor{red}{2}\\1\end{pmatrix} = "
                            r"\begin{pmatrix}1\\\textcolor{red}{0}\\1\end{pmatrix}\\"]),
    ],
)
def test_an_unmasked_input_is_written_once(convention, mode, rows):
    md = derive(parse_spec(spec([[1, 0, 1]], "4/5", convention)), mode=mode).to_markdown()
    assert [line for line in md.splitlines() if line.startswith(r"\tilde{a}")] == rows


def test_sigmoid_json_gives_exact_form_and_decimal(tmp_path, capsys):
    import json
    import math

    path = tmp_path / "s.yaml"
    path.write_text("input: [3]\nlayers: [{weights: [[1]], bias: [0], activation: sigmoid}, {weights: [[2]], bias: [-1]}]\nmasks: [[1]]\n")
    assert main(["solve", str(path), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["layers"][0]["activation"] == ["1/(exp(-3) + 1)"]
    assert sympy.simplify(sympy.sympify(data["prediction"][0]) - (2 / (1 + sympy.exp(-3)) - 1)) == 0
    decimal = float(data["decimal"]["layers"][0]["activation"][0])
    assert abs(decimal - 1 / (1 + math.exp(-3))) < 1e-14
    assert data["decimal"]["layers"][0]["pre_activation"] == ["3.0"]
    assert abs(float(data["decimal"]["prediction"][0]) - (2 / (1 + math.exp(-3)) - 1)) < 1e-14


def test_rational_json_has_no_decimal_part(capsys):
    assert main(["solve", str(TUTORIAL), "--format", "json"]) == 0
    import json

    assert set(json.loads(capsys.readouterr().out)) == {"prediction", "layers"}


def test_keep_probability_one_cannot_drop():
    with pytest.raises(SpecError, match=r"masks\[0\]\[0\]: expected 1: mu\^\(0\) has keep probability 1 \(one dropout.keep"):
        parse_spec(spec([[0, 1], [1, 1, 1]], "1/2", "inverted"))


# A comparison of a convention (or anything named so) with a convention's name, in Python or in a
# template: what only symdrop/model/ may do (it defines what each name means).
NAME_COMPARED = name_compared("convention", ("plain", "inverted", "weight-scaling"))


def names_compared(root: Path) -> list[str]:
    """Every line under ``root`` (but model/) that compares a convention with a name."""
    return lines_matching(root, NAME_COMPARED, "model")


def test_no_convention_name_is_compared_outside_the_model():
    found = names_compared(ROOT / "symdrop") + names_compared(ROOT / "templates")
    assert not found, "ask the convention (divides, scales_weights, has_test_pass):\n  " + "\n  ".join(found)


def test_the_search_finds_a_name_compared(tmp_path):
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "a.py").write_text('if network.dropout.convention == "inverted":\n    pass\n'
                                          'scaled = convention != "plain"\nok = convention.divides\n'
                                          'rule = d.approximation_rule == "inverted"\n')
    (tmp_path / "pkg" / "b.j2").write_text('\\BLOCK{ if dropout.convention == "plain" }\n')
    assert names_compared(tmp_path / "pkg") == ['pkg/a.py:1: if network.dropout.convention == "inverted":',
                                                'pkg/a.py:3: scaled = convention != "plain"',
                                                'pkg/a.py:5: rule = d.approximation_rule == "inverted"',
                                                'pkg/b.j2:1: \\BLOCK{ if dropout.convention == "plain" }']


def test_a_template_copy_that_compares_the_name_still_renders_its_convention(tmp_path, capsys):
    """A dropout.j2 copied before conventions said what they do: its comparisons of the name still
    choose the inverted paragraph for an inverted spec (a Convention equals its name)."""
    folder = tmp_path / "mine" / "documents"
    folder.mkdir(parents=True)
    (folder / "dropout.j2").write_text('\\BLOCK{ if network.dropout.convention == "inverted" }OLD-INVERTED'
                                       '\\BLOCK{ elif network.dropout.convention == "plain" }OLD-PLAIN\\BLOCK{ endif }\n'
                                       '\\BLOCK{ if 7 is named }NAMED-WIDE\\BLOCK{ endif }\n', encoding="utf-8")
    spec_file = tmp_path / "p.json"
    spec_file.write_text(json.dumps(spec([[1, 1], [1, 0, 1]], "1/2", "inverted")), encoding="utf-8")
    assert main(["solve", str(spec_file), "--templates", str(tmp_path / "mine"), "--format", "markdown"]) == 0
    out = capsys.readouterr().out
    assert "OLD-INVERTED" in out and "OLD-PLAIN" not in out and "NAMED-WIDE" not in out


def test_equal_dropouts_read_from_specs_are_one_object_and_hash_as_their_fields():
    """Two specs with the same dropout give one Dropout object (the memos then find it by
    identity); its memoized hash is the hash of its fields, as an equal one built anew has."""
    from symdrop.model.conventions import Dropout
    from symdrop.model.spec import parse_spec

    def spec(title):
        return {"title": title, "input": ["1", "2"], "layers": [{"weights": [["1", "-1"]], "bias": ["0"]}],
                "masks": [[1, 0]], "dropout": {"convention": "inverted", "keep": ["1/2"]}}

    first, second = parse_spec(spec("a")).dropout, parse_spec(spec("b")).dropout
    assert first is second
    built = Dropout("inverted", (sympy.Rational(1, 2),))
    assert built == first and hash(built) == hash(first) == hash((first.convention, first.keep, first.scheme, None))
    assert parse_spec({**spec("c"), "dropout": {"convention": "inverted", "keep": ["1/4"]}}).dropout != first
