"""Batches of examples: every number against a plain-fractions reference (and by hand, and PyTorch),
bad input through the CLI, and the documents."""

import json
import math
from fractions import Fraction

import pytest

from symdrop import load_spec, parse_spec, to_spec
from symdrop.cli import main
from symdrop.model.batch import Batch

from .conftest import ROOT, require_pdflatex, require_torch, run_symdrop, write_spec

EXAMPLE = ROOT / "examples" / "batch.yaml"


# --- The independent reference: one example at a time, in Fractions ----------------------------

def reference(spec: dict) -> dict:
    """Each example's forward and backward pass (ReLU/identity, plain or inverted masks, the
    squared loss), the mean loss and the mean gradients, all in Fractions."""
    keep = spec.get("dropout", {}).get("keep")
    inverted = spec.get("dropout", {}).get("convention") == "inverted"
    layers = [([[Fraction(w) for w in row] for row in layer["weights"]], [Fraction(v) for v in layer["bias"]],
               layer.get("activation", "identity" if i == len(spec["layers"]) - 1 else "relu"))
              for i, layer in enumerate(spec["layers"])]
    out = {"prediction": [], "losses": [], "delta": [], "grad_input": [], "grad_weights": None, "grad_bias": None}
    size = len(spec["input"])
    for e, x in enumerate(spec["input"]):
        masks = spec["masks"][e]
        if len(masks) == len(layers) - 1:
            masks = [[1] * len(x)] + masks
        q = [Fraction(1)] + [Fraction(keep)] * (len(layers) - 1) if inverted else [Fraction(1)] * len(layers)
        a, kept, zs = [Fraction(v) for v in x], [], []
        for (W, b, g), mu, ql in zip(layers, masks, q):
            a = [m * v / ql for m, v in zip(mu, a)]
            kept.append(a)
            z = [sum(w * v for w, v in zip(row, a)) + bi for row, bi in zip(W, b)]
            zs.append(z)
            a = [max(v, 0) for v in z] if g == "relu" else z
        t = [Fraction(v) for v in spec["target"][e]]
        out["prediction"].append(a)
        out["losses"].append(sum((y - ti) ** 2 for y, ti in zip(a, t)) / 2)
        incoming = [y - ti for y, ti in zip(a, t)]
        grads_W, grads_b, deltas = [], [], []
        for l in range(len(layers) - 1, -1, -1):
            W, b, g = layers[l]
            delta = [d * (1 if g != "relu" else int(z > 0)) for d, z in zip(incoming, zs[l])]
            deltas.insert(0, delta)
            grads_W.insert(0, [[d * v for v in kept[l]] for d in delta])
            grads_b.insert(0, delta)
            up = [sum(W[i][j] * delta[i] for i in range(len(delta))) for j in range(len(kept[l]))]
            incoming = [m * u / q[l] for m, u in zip(masks[l], up)]
        out["delta"].append(deltas)
        out["grad_input"].append([v / size for v in incoming])
        if out["grad_weights"] is None:
            out["grad_weights"] = [[[v / size for v in row] for row in gw] for gw in grads_W]
            out["grad_bias"] = [[v / size for v in gb] for gb in grads_b]
        else:
            for l in range(len(layers)):
                out["grad_weights"][l] = [[s + v / size for s, v in zip(srow, row)]
                                          for srow, row in zip(out["grad_weights"][l], grads_W[l])]
                out["grad_bias"][l] = [s + v / size for s, v in zip(out["grad_bias"][l], grads_b[l])]
    out["loss"] = sum(out["losses"]) / size
    return out


def fractions(texts):
    """JSON's exact strings (nested lists of them) as Fractions."""
    return [fractions(t) for t in texts] if isinstance(texts, list) else Fraction(texts)


def run_json(capsys, *args) -> dict:
    assert main([*args, "--format", "json"]) == 0
    return json.loads(capsys.readouterr().out)


TWO_OUTPUTS = {
    "input": [["1/2", -1, 2], [0, 3, "-1/4"]],
    "layers": [{"weights": [[1, -1, "1/2"], [2, 1, -1]], "bias": [0, "1/3"]},
               {"weights": [[1, -2], ["1/2", 1]], "bias": [1, -1]}],
    "masks": [[[1, 0, 1], [1, 1]], [[1, 1, 1], [0, 1]]],
    "target": [[1, 0], ["1/2", 2]],
}
ONE_ROW = {"input": [[1, 2]], "layers": [{"weights": [[1, -1], [2, 1]], "bias": [0, 1]}, {"weights": [[1, 1]], "bias": [0]}],
           "masks": [[[1, 0]]], "dropout": {"convention": "inverted", "keep": "2/3"}, "target": [[3]]}
CASES = {"example": None, "two outputs, plain": TWO_OUTPUTS, "one row": ONE_ROW}


def case_spec(name: str) -> dict:
    import yaml

    return CASES[name] or yaml.safe_load(EXAMPLE.read_text())


@pytest.mark.parametrize("name", CASES)
def test_forward_and_backward_match_the_fractions_reference(name, tmp_path, capsys):
    spec = case_spec(name)
    path = write_spec(tmp_path, spec)
    expected = reference(json.loads(json.dumps(spec, default=str)))
    solved = run_json(capsys, "solve", str(path))
    assert fractions(solved["prediction"]) == expected["prediction"]
    back = run_json(capsys, "backprop", str(path))
    assert Fraction(back["loss"]) == expected["loss"]
    assert fractions(back["losses"]) == expected["losses"]
    assert fractions(back["prediction"]) == expected["prediction"]
    assert fractions(back["grad_input"]) == expected["grad_input"]
    for l, layer in enumerate(back["layers"]):
        assert fractions(layer["grad_weights"]) == expected["grad_weights"][l]
        assert fractions(layer["grad_bias"]) == expected["grad_bias"][l]
        assert fractions(layer["delta"]) == [deltas[l] for deltas in expected["delta"]]


def test_the_example_by_hand(capsys):
    """examples/batch.yaml worked by hand: z^(1) of example 1 is (1 - 2, 2 + 2 + 1, -1 + 6 + 1/2),
    ReLU (0, 5, 11/2), mask (1, 0, 1) over q = 1/2: (0, 0, 11), y = 11 + 1 = 12; likewise 10 and
    -15; losses 121/2, 50, 289/2, mean 85; dL/db^(2) = (11 + 10 - 17)/3 = 4/3."""
    back = run_json(capsys, "backprop", str(EXAMPLE))
    assert back["prediction"] == [["12"], ["10"], ["-15"]]
    assert back["losses"] == ["121/2", "50", "289/2"] and back["loss"] == "85"
    assert back["layers"][1]["grad_bias"] == ["4/3"]
    assert back["layers"][1]["grad_weights"] == [["-68/3", "-170/3", "211/3"]]  # (11*0 + 10*0 - 17*4)/3, ...


def test_gradient_is_the_mean_of_delta_times_masked_input(capsys):
    """dL/dW^(l) = (1/B) Delta^(l) A~^(l-1)T, with the matrices of the JSON."""
    back = run_json(capsys, "backprop", str(EXAMPLE))
    solved = run_json(capsys, "solve", str(EXAMPLE))
    for l, layer in enumerate(back["layers"]):
        delta, masked = fractions(layer["delta"]), fractions(solved["layers"][l]["masked_input"])
        mean = [[sum(d[i] * a[j] for d, a in zip(delta, masked)) / len(delta) for j in range(len(masked[0]))]
                for i in range(len(delta[0]))]
        assert fractions(layer["grad_weights"]) == mean


def test_a_batch_of_one_row_is_the_single_example(tmp_path, capsys):
    single = {**ONE_ROW, "input": ONE_ROW["input"][0], "masks": ONE_ROW["masks"][0], "target": ONE_ROW["target"][0]}
    batch = run_json(capsys, "backprop", str(write_spec(tmp_path, ONE_ROW, "batch.json")))
    alone = run_json(capsys, "backprop", str(write_spec(tmp_path, single, "single.json")))
    assert batch["loss"] == alone["loss"] and batch["prediction"] == [alone["prediction"]]
    assert [layer["grad_weights"] for layer in batch["layers"]] == [layer["grad_weights"] for layer in alone["layers"]]


def test_spec_round_trips_and_reads_as_a_batch():
    batch = load_spec(EXAMPLE)
    assert isinstance(batch, Batch) and batch.size == 3 and batch.sizes == (2, 3, 1)
    assert parse_spec(to_spec(batch)) == batch


def test_test_mode_and_step(capsys):
    solved = run_json(capsys, "solve", str(EXAMPLE), "--mode", "test")
    assert solved["prediction"] == [["-7/2"], ["11/2"], ["-7"]]  # no masks, no scaling
    back = run_json(capsys, "backprop", str(EXAMPLE), "--step", "1/10")
    assert back["after_step"]["layers"][1]["bias"] == ["13/15"]  # 1 - (1/10)(4/3)


def test_expect_gives_each_examples_mean(capsys):
    mean = run_json(capsys, "expect", str(EXAMPLE))
    # One ReLU layer before a linear output: the mean is the test-time pass, example by example.
    assert mean["exact_mean"] == mean["approximation"] == [["-7/2"], ["11/2"], ["-7"]]


# --- Bad input: one line naming the field, exit 2, nothing written -------------------------------

BAD = [
    ({"input": [[1, 2], [1]]}, "input[1]: expected 2 entries like input[0], got 1"),
    ({"masks": [[[1, 1], [1, 0, 1]], [[1, 1], [0, 1, 1]]]}, "masks: expected 3 mask lists (one per example), got 2"),
    ({"target": [[1], [0]]}, "target: expected 3 rows (one per example), got 2"),
    ({"masks": [[[1, 1], [1, 0, 1]], [[1, 1], [0, 1, 1]], [[1, 1], [1, 2, 0]]]}, "masks[2][1][1]: expected 0 or 1"),
    ({"masks": [[[1, 1], [1, 0, 1]], [[1, 1], [0, 1]], [[1, 1], [1, 1, 0]]]}, "masks[1][1]: expected 3 entries"),
    ({"target": [[1], [0], [1, 2]]}, "target[2]: expected 1 values"),
    ({"input": [[1, 2], [1, "x"], [0, 0]]}, "input[1][1]:"),
    ({"input": [[1, 2]] * 33, "masks": [[[1, 1], [1, 1, 1]]] * 33, "target": [[1]] * 33},
     "input: 33 examples; the limit is 32 examples in a batch"),
]


@pytest.mark.slow
@pytest.mark.parametrize("change, message", BAD)
def test_bad_batches_are_refused_in_one_line(change, message, tmp_path):
    import yaml

    spec = {**yaml.safe_load(EXAMPLE.read_text()), **change}
    out = tmp_path / "out.tex"
    result = run_symdrop("solve", str(write_spec(tmp_path, spec)), "-o", str(out))
    assert result.returncode == 2 and not out.exists()
    assert result.stderr.startswith("symdrop: error: " + message) and result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr


@pytest.mark.slow
@pytest.mark.parametrize("args", [("check", "{spec}", "--answer", "1"), ("solve", "{spec}", "--format", "moodle")])
def test_commands_that_take_one_example_refuse_a_batch(args):
    result = run_symdrop(*(a.format(spec=EXAMPLE) for a in args))
    assert result.returncode == 2 and "expected a spec of one example" in result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr


# --- PyTorch: verify, and numpy's 16-digit floats to 1e-8 ----------------------------------------

@pytest.mark.slow
def test_verify_against_pytorch():
    require_torch()
    result = run_symdrop("verify", str(EXAMPLE))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "autograd, nn.Dropout (loss)" in result.stdout and "example 3: mu^(0)" in result.stdout


# The well-known course's dropout test case, shaped so: X 3 x 5 of numpy's randn (seed 1) as numpy
# prints it to 16 digits, a ReLU layer of 2 units then a sigmoid output, keep 0.7, inverted, masks given.
X = [[1.6243453636632417, -0.6117564136500754, -0.5281717522634557, -1.0729686221561705, 0.8654076293246785],
     [-2.3015386968802827, 1.7448117642164800, -0.7612069008951028, 0.3190390960570986, -0.2493703754774101],
     [1.4621079370449741, -2.0601407094976540, -0.3224172040135075, -0.3840543546684156, 1.1337694423354374]]
W1 = [[-1.0998912673140309, -0.1724282075504358, -0.8778584179213718],
      [0.0422137467155928, 0.5828152137158222, -1.1006191772129212]]
B1 = [1.1447237098396141, 0.9015907205927955]
W2 = [[0.5024943389018682, 0.9008559492644118]]
B2 = [-0.6837278591743331]
D1 = [[1, 1, 0, 1, 1], [1, 1, 1, 1, 1]]
COURSE = {
    "input": [[repr(X[i][e]) for i in range(3)] for e in range(5)],
    "layers": [{"weights": [[repr(w) for w in row] for row in W1], "bias": [repr(v) for v in B1], "activation": "relu"},
               {"weights": [[repr(w) for w in row] for row in W2], "bias": [repr(v) for v in B2],
                "activation": "sigmoid"}],
    "masks": [[[D1[0][e], D1[1][e]]] for e in range(5)],
    "dropout": {"convention": "inverted", "keep": "0.7"},
}


@pytest.mark.slow
def test_sixteen_digit_floats_reproduce_float64_to_1e_8(tmp_path, capsys):
    torch = require_torch()
    x = torch.tensor(X, dtype=torch.float64)
    a1 = torch.relu(torch.tensor(W1, dtype=torch.float64) @ x + torch.tensor(B1, dtype=torch.float64).reshape(-1, 1))
    a1 = a1 * torch.tensor(D1, dtype=torch.float64) / 0.7
    a2 = torch.sigmoid(torch.tensor(W2, dtype=torch.float64) @ a1 + torch.tensor(B2, dtype=torch.float64).reshape(-1, 1))
    solved = run_json(capsys, "solve", str(write_spec(tmp_path, COURSE)))
    decimals = solved["decimal"]
    for e in range(5):
        assert math.isclose(float(decimals["prediction"][e][0]), a2[0, e].item(), rel_tol=0, abs_tol=1e-8)
        for i in range(2):
            assert math.isclose(float(decimals["layers"][1]["masked_input"][e][i]), a1[i, e].item(), abs_tol=1e-8)


@pytest.mark.slow
@pytest.mark.parametrize("command", ["solve", "backprop", "expect"])
def test_latex_compiles_and_stays_on_the_page(command, tmp_path):
    require_pdflatex()
    spec = EXAMPLE if command != "solve" else write_spec(tmp_path, COURSE, "course.json")
    out = tmp_path / "out.tex"
    result = run_symdrop(command, str(spec), "-o", str(out), "--pdf")
    assert result.returncode == 0, result.stderr
    assert out.with_suffix(".pdf").read_bytes().startswith(b"%PDF")
    from .test_page_fit import MARGIN, PAGE_WIDTH, TOLERANCE, _words  # the page-fit corpus's reading of a PDF

    outside = [word for _, x0, _, x1, _, word in _words(out.with_suffix(".pdf"))
               if x0 < MARGIN - TOLERANCE or x1 > PAGE_WIDTH - MARGIN + TOLERANCE]
    assert outside == []


# A keep per unit and DropConnect in a batch: verify ran each through the spec's masks as tensors
# for one example, but crashed (TypeError, a traceback) on a batch. z2 of each example by hand:
# KEEP_PER_UNIT example 2: x~ = (2/(1/2), 1/(2/3), 1/(4/5)) = (4, 3/2, 5/4), z1 = (5, 21/2, 7/4),
# a~1 = (0, 21/2 / (3/4), 7/4 / (3/4)) = (0, 14, 7/3), z2 = 14 - 14/3 + 1 = 31/3 (example 1: 23/3).
# DROPCONNECT example 1: W~1 = M1 . W1 / (1/2) = [[2, 0], [4, 2], [0, 2]], z1 = (2, 9, 3),
# W~2 = (1/(1/2), 1/(2/3), 0) = (2, 3/2, 0), z2 = 4 + 27/2 + 1 = 37/2; example 2: W~1 = 2 W1,
# z1 = (-2, 3, 1), a1 = (0, 3, 1), W~2 = (2, 0, -2/(3/4)), z2 = -8/3 + 1 = -5/3.
BATCH_KEEP_PER_UNIT = {
    "input": [[1, 2, -1], [2, 1, 1]],
    "layers": [{"weights": [[1, -1, 2], [2, 1, 0], [0, 1, 1]], "bias": [0, 1, -1]},
               {"weights": [[1, 1, -2]], "bias": [1]}],
    "masks": [[[1, 0, 1], [1, 1, 0]], [[1, 1, 1], [0, 1, 1]]],
    "dropout": {"convention": "inverted", "keep": [["1/2", "2/3", "4/5"], "3/4"]},
    "target": [[1], [2]],
}
BATCH_DROPCONNECT = {
    "input": [[1, 2], [0, 1]],
    "layers": [{"weights": [[1, -1], [2, 1], [0, 1]], "bias": [0, 1, -1]},
               {"weights": [[1, 1, -2]], "bias": [1]}],
    "masks": [[[[1, 0], [1, 1], [0, 1]], [[1, 1, 0]]], [[[1, 1], [1, 1], [1, 1]], [[1, 0, 1]]]],
    "dropout": {"kind": "dropconnect", "convention": "inverted", "keep": ["1/2", [["1/2", "2/3", "3/4"]]]},
    "target": [[1], [0]],
}


@pytest.mark.slow
@pytest.mark.parametrize("spec, z2", [(BATCH_KEEP_PER_UNIT, ["23/3", "31/3"]), (BATCH_DROPCONNECT, ["37/2", "-5/3"])])
@pytest.mark.parametrize("convention", ["inverted", "weight-scaling"])
def test_verify_takes_a_batch_with_a_keep_per_unit_or_dropconnect(spec, z2, convention, tmp_path, capsys, monkeypatch):
    torch = require_torch()
    from symdrop.core import batchverify

    path = write_spec(tmp_path, {**spec, "dropout": {**spec["dropout"], "convention": convention}})
    assert main(["verify", str(path)]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[-1].startswith("ok: all") and "autograd, spec masks (grad)" in out
    assert ("test, q W" in out) == (convention == "weight-scaling")
    if convention == "inverted":  # PyTorch's side of the comparison, against the values by hand
        layers, _ = batchverify._pass(torch, load_spec(path), "train")
        assert layers[-1][1].reshape(-1).tolist() == pytest.approx([float(Fraction(v)) for v in z2], rel=1e-15)
    # and a wrong exact side is caught
    monkeypatch.setattr(batchverify, "derive_batch_backprop", lambda batch: off_by_one(batch))
    assert main(["verify", str(path)]) == 1
    assert capsys.readouterr().out.splitlines()[-1].startswith("FAILED: ")


def off_by_one(batch):
    """The exact backward pass of ``batch`` with its loss off by 1."""
    from dataclasses import replace

    from symdrop.core.batch import derive_batch_backprop

    exact = derive_batch_backprop(batch)
    return replace(exact, loss=exact.loss + 1)


@pytest.mark.slow
def test_verify_tests_a_plain_batch_with_a_keep_as_weight_scaling(tmp_path, capsys):
    """Plain masks are tested with q W (as one example's verify does). examples/batch.yaml as
    plain, keep 1/2 on mu^(1): z2 = (1/2) W2 relu(W1 x + b1) + b2 by hand, per example:
    x = (1, 2): a1 = (0, 5, 11/2), z2 = (1/2)(-10 + 11/2) + 1 = -5/4; x = (-1, 1): a1 = (0, 0, 9/2),
    z2 = 13/4; x = (2, 0): a1 = (2, 5, 0), z2 = (1/2)(2 - 10) + 1 = -3."""
    torch = require_torch()
    from symdrop.core import batchverify

    spec = load_spec(EXAMPLE)
    path = write_spec(tmp_path, {**to_spec(spec), "dropout": {"convention": "plain", "keep": "1/2"}})
    assert main(["verify", str(path)]) == 0
    out = capsys.readouterr().out
    assert [line.split()[-3] for line in out.splitlines() if line.startswith("test, q W")] == ["1", "2"]
    layers, _ = batchverify._pass(torch, load_spec(path), "test")
    assert layers[-1][1].reshape(-1).tolist() == [-1.25, 3.25, -3.0]
