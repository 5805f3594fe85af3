"""Bad input: exit status 2, one line naming the field, no traceback, no file left behind."""

import json
import subprocess
import sys

import pytest
import sympy
import yaml

import symdrop
from symdrop import parse_spec, to_spec
from symdrop.cli import main

GOOD = yaml.safe_load(
    """
input: [1, 1]
layers:
  - weights: [[1, 2], [-1, 1], [2, -3]]
    bias: [0, 1, -1]
    activation: relu
  - weights: [[1, -1, 2]]
    bias: [1]
    activation: identity
masks:
  - [1, 1]
  - [1, 0, 1]
"""
)


def changed(path, value):
    """GOOD with the entry at ``path`` (a tuple of keys) replaced, or removed for DELETE."""
    data = json.loads(json.dumps(GOOD))
    target = data
    for key in path[:-1]:
        target = target[key]
    if value is DELETE:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return yaml.safe_dump(data)


DELETE = object()

BAD_SPECS = {
    "missing input": (changed(("input",), DELETE), "input: missing (required)"),
    "missing layers": (changed(("layers",), DELETE), "layers: missing (required)"),
    "missing masks": (changed(("masks",), DELETE), "masks: missing (required)"),
    "missing weights": (changed(("layers", 1, "weights"), DELETE), "layers[1].weights: missing (required)"),
    "missing bias": (changed(("layers", 0, "bias"), DELETE), "layers[0].bias: missing (required)"),
    "unknown key": (changed(("mask",), [[1, 1]]), "mask: unknown key (expected one of title, input, layers, masks, dropout, target, loss, digits)"),
    "wrong columns": (
        changed(("layers", 1, "weights"), [[1, 2]]),
        "layers[1].weights: expected 3 columns (the previous layer has 3 units), got 2",
    ),
    "ragged matrix": (
        changed(("layers", 0, "weights"), [[1, 2], [1], [2, -3]]),
        "layers[0].weights[1]: expected 2 entries like row 0 (ragged matrix), got 1",
    ),
    "bias length": (
        changed(("layers", 0, "bias"), [0, 1]),
        "layers[0].bias: expected 3 entries (one per row of weights), got 2",
    ),
    "mask not 0/1": (changed(("masks", 1), [1, 2, 1]), "masks[1][1]: expected 0 or 1, got 2"),
    "mask 1/2": (changed(("masks", 1), [1, "1/2", 1]), "masks[1][1]: expected 0 or 1, got 1/2"),
    "mask wrong length": (
        changed(("masks", 1), [1, 0]),
        "masks[1]: expected 3 entries (layer 1 has 3 units), got 2",
    ),
    "input mask wrong length": (
        changed(("masks", 0), [1, 1, 1]),
        "masks[0]: expected 2 entries (the input has 2 units), got 3",
    ),
    # mu^(0) left out: the spec's masks[0] is mu^(1), and an error names the entry as the file numbers it
    "mask wrong length, mu^(0) left out": (
        changed(("masks",), [[1, 0]]),
        "masks[0]: expected 3 entries (layer 1 has 3 units), got 2",
    ),
    "mask not 0/1, mu^(0) left out": (changed(("masks",), [[1, 0, 2]]), "masks[0][2]: expected 0 or 1, got 2"),
    "mask drops where q = 1, mu^(0) left out": (
        changed(("masks",), [[1, 0, 1]]) + "dropout: {keep: ['1/2', 1]}\n",
        "masks[0][1]: expected 1: mu^(1) has keep probability 1",
    ),
    "too many masks": (
        changed(("masks",), [[1, 1], [1, 1, 1], [1]]),
        "masks: expected 2 masks (mu^(0) .. mu^(1)) or 1 (mu^(1), mu^(0) all ones), got 3",
    ),
    "unknown activation": (
        changed(("layers", 0, "activation"), "tanhh"),
        "layers[0].activation: expected one of identity, leaky_relu, relu, sigmoid, tanh or {leaky_relu: slope}, got 'tanhh'",
    ),
    "not a number": (changed(("input", 1), "one"), 'input[1]: expected a number such as 2, "-3/4" or 0.1, got \'one\''),
    "weight not a number": (
        changed(("layers", 0, "weights", 2, 1), [3]),
        "layers[0].weights[2][1]: expected a number, got a list",
    ),
    "division by zero": (changed(("layers", 0, "bias", 2), "1/0"), "layers[0].bias[2]: division by zero in '1/0'"),
    "empty input": (changed(("input",), []), "input: expected a non-empty list of numbers, got an empty list"),
    "layers not a list": (changed(("layers",), "many"), "layers: expected a non-empty list of layers, got 'many'"),
    "not YAML": ("input: [1, 2\nlayers: {", "not valid YAML or JSON"),
    "keep above 1": (
        changed(("dropout",), {"convention": "inverted", "keep": ["1/2", "3/2"]}),
        "dropout.keep[1]: expected a probability 0 < q <= 1, got 3/2",
    ),
    "keep 0": (changed(("dropout",), {"keep": 0}), "dropout.keep: expected a probability 0 < q <= 1, got 0"),
    "keep not a number": (
        changed(("dropout",), {"keep": "half"}),
        'dropout.keep: expected a number such as 2, "-3/4" or 0.1, got \'half\'',
    ),
    "keep list length": (
        changed(("dropout",), {"keep": ["1/2", "1/2", "1/2"]}),
        "dropout.keep: expected 2 keep probabilities (mu^(0) .. mu^(1)) or 1 (mu^(1), mu^(0) keeping everything), got 3",
    ),
    "keep list length, two hidden layers": (
        yaml.safe_dump({"input": [1, 2], "layers": [{"weights": [[1, 2], [0, 1]], "bias": [0, 0]},
                                                     {"weights": [[1, 1], [1, 0]], "bias": [0, 0]},
                                                     {"weights": [[1, -1]], "bias": [1]}],
                        "masks": [[1, 1], [1, 1], [1, 1]], "dropout": {"keep": ["1/2", "1/2", "1/2", "1/2"]}}),
        "dropout.keep: expected 3 keep probabilities (mu^(0) .. mu^(2)) or 2 (mu^(1) .. mu^(2), mu^(0) keeping "
        "everything), got 4",
    ),
    "keep list length, no hidden layer": (
        yaml.safe_dump({"input": [1, 2], "layers": [{"weights": [[1, 2]], "bias": [0]}], "masks": [[1, 1]],
                        "dropout": {"convention": "inverted", "keep": ["1/2", "1/2"]}}),
        "dropout.keep: expected 1 keep probability (the input's mask mu^(0): the network has no hidden layer), got 2",
    ),
    "keep per unit of a one-unit layer": (
        yaml.safe_dump({"input": [1], "layers": [{"weights": [[1]], "bias": [0]}], "masks": [[1]],
                        "dropout": {"keep": [["1/2", "1/2"]]}}),
        "dropout.keep[0]: expected 1 keep probability, one per unit (the input has 1 unit), got 2",
    ),
    "mask list length, no hidden layer": (
        yaml.safe_dump({"input": [1, 2], "layers": [{"weights": [[1, 2]], "bias": [0]}], "masks": [[1, 1], [1]]}),
        "masks: expected 1 mask (mu^(0)) or 0 (mu^(0) all ones), got 2",
    ),
    "DropConnect keep of a one-row W": (
        yaml.safe_dump({"input": [1, 2], "layers": [{"weights": [[1, 2]], "bias": [0]}], "masks": [[[1, 1]]],
                        "dropout": {"kind": "dropconnect", "keep": [[["1/2", "1/2"], ["1/2", "1/2"]]]}}),
        "dropout.keep[0]: expected 1 row (W(1) has 1 row), got 2",
    ),
    "unknown convention": (
        changed(("dropout",), {"convention": "pytorch", "keep": "1/2"}),
        "dropout.convention: expected one of plain, inverted, weight-scaling, got 'pytorch'",
    ),
    "inverted without keep": (
        changed(("dropout",), {"convention": "inverted"}),
        "dropout.keep: missing (required for the inverted convention)",
    ),
    "dropout not a mapping": (
        changed(("dropout",), "inverted"),
        "dropout: expected a mapping with keys kind, convention, keep, alpha, got 'inverted'",
    ),
    "dropout unknown key": (
        changed(("dropout",), {"keep": "1/2", "p": "1/2"}),
        "dropout.p: unknown key (expected one of kind, convention, keep, alpha)",
    ),
    "mask drops where q = 1": (
        changed(("dropout",), {"keep": ["1/2", 1]}),
        "masks[1][1]: expected 1: mu^(1) has keep probability 1",
    ),
    "leaky slope": (
        changed(("layers", 0, "activation"), {"leaky_relu": 2}),
        "layers[0].activation.leaky_relu: expected a slope 0 < a < 1, got 2",
    ),
    "leaky slope not a number": (
        changed(("layers", 0, "activation"), {"leaky_relu": [1]}),
        "layers[0].activation.leaky_relu: expected a number, got a list",
    ),
    "activation mapping": (
        changed(("layers", 0, "activation"), {"relu": 1}),
        "layers[0].activation: expected one of identity, leaky_relu, relu, sigmoid, tanh or {leaky_relu: slope}, got a mapping",
    ),
    "not a mapping": ("- 1\n- 2\n", "spec: expected a mapping with keys title, input, layers, masks, dropout, target, loss, digits, got a list"),
}


@pytest.mark.parametrize("name", BAD_SPECS)
def test_bad_spec_is_one_clear_line_and_writes_nothing(name, tmp_path, capsys):
    text, message = BAD_SPECS[name]
    spec = tmp_path / "bad.yaml"
    spec.write_text(text)
    out = tmp_path / "out" / "solution.tex"
    assert main(["solve", str(spec), "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("symdrop: error: ")
    assert message in err
    assert not (tmp_path / "out").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.yaml"]


def test_bad_json_names_line_and_column(tmp_path, capsys):
    spec = tmp_path / "bad.json"
    spec.write_text('{"input": [1, 2],\n "layers": }')
    assert main(["solve", str(spec)]) == 2
    assert "bad.json: not valid JSON: Expecting value at line 2 column 12" in capsys.readouterr().err


def test_missing_file(tmp_path, capsys):
    assert main(["solve", str(tmp_path / "nope.yaml")]) == 2
    assert capsys.readouterr().err == f"symdrop: error: {tmp_path / 'nope.yaml'}: no such file\n"


def test_bad_input_from_a_real_process_has_no_traceback(tmp_path):
    spec = tmp_path / "bad.yaml"
    spec.write_text(BAD_SPECS["wrong columns"][0])
    result = subprocess.run(
        [sys.executable, "-m", "symdrop.cli", "solve", str(spec), "--format", "json", "-o", str(tmp_path / "x.json")],
        capture_output=True, text=True,
    )
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr == (
        "symdrop: error: layers[1].weights: expected 3 columns (the previous layer has 3 units), got 2\n"
    )
    assert not (tmp_path / "x.json").exists()


def test_json_spec_reads_decimals_exactly(tmp_path):
    spec = tmp_path / "p.json"
    spec.write_text('{"input": [0.1], "layers": [{"weights": [[0.2]], "bias": [0.3]}], "masks": [[1]]}')
    network = symdrop.load_spec(spec)
    assert str(network.x[0]) == "1/10" and str(network.layers[0].W[0]) == "1/5"
    assert network.layers[0].activation == "identity"  # the output layer's default


def test_default_activations_and_omitted_input_mask():
    data = json.loads(json.dumps(GOOD))
    for layer in data["layers"]:
        del layer["activation"]
    data["masks"] = data["masks"][1:]
    network = parse_spec(data)
    assert [layer.activation for layer in network.layers] == ["relu", "identity"]
    assert [list(m) for m in network.masks] == [[1, 1], [1, 0, 1]]


def test_to_spec_round_trips():
    network = symdrop.example()
    assert parse_spec(to_spec(network)) == network


def test_dropout_round_trips_and_one_keep_value_spares_the_input():
    data = json.loads(json.dumps(GOOD))
    data["dropout"] = {"convention": "weight-scaling", "keep": 0.8}
    data["layers"][0]["activation"] = {"leaky_relu": "1/10"}
    network = parse_spec(data)
    assert [str(q) for q in network.dropout.keep] == ["1", "4/5"]
    assert [str(p) for p in network.dropout.drop] == ["0", "1/5"]
    assert network.layers[0].slope == sympy.Rational(1, 10)
    assert parse_spec(to_spec(network)) == network
