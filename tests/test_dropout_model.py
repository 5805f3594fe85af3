"""Issue 23's dropout model through solve, backprop and expect JSON, against tests/reference_model.py.

Every expected number comes from tests/reference_model.py (plain Fractions, written from the
mathematics, never from symdrop's code) or is worked by hand in the comments below. Today's
features (one example, unit dropout with one keep value or one per mask, squared loss) must agree
now; per-unit keep, DropConnect, batches and the new losses fail until issue 23 lands.
"""

import dataclasses
import json
import re
from fractions import Fraction

import mpmath
import pytest
import sympy

from symdrop.cli import main

from . import reference_model as ref
from .conftest import require_torch, run_symdrop, write_spec

QUICK = range(30)  # seeds per feature in the quick suite
SLOW = range(30, 230)  # more seeds, and everything at once, in the whole suite


# ---------------------------------------------------------------------------------------------
# helpers

def run_json(capsys, *args: str) -> dict:
    """``symdrop ARGS`` in this process; its standard output read as JSON (exit 0 asserted)."""
    code = main(list(args))
    out = capsys.readouterr()
    assert code == 0, f"symdrop {' '.join(args)} exited {code}: {out.err}"
    return json.loads(out.out)


def exact(text: str) -> Fraction:
    """A JSON number string symdrop writes exactly: an integer or a reduced fraction."""
    assert isinstance(text, str), f"expected an exact number as a string, got {text!r}"
    return Fraction(text)


def decimal(text: str):
    """A JSON number string that may be an exact expression (log, exp): its value to 40 digits."""
    mpmath.mp.dps = 50
    return mpmath.mpf(str(sympy.N(sympy.sympify(text), 45)))


def same(actual, expected, where: str = "") -> None:
    """``actual`` (symdrop's JSON) equals ``expected`` (the reference) entry by entry: Fractions
    exactly, mpmath numbers to 1e-30, lists of equal length, dicts on the reference's keys, None
    as null, ints and strings equal."""
    if isinstance(expected, dict):
        assert isinstance(actual, dict), f"{where}: expected an object, got {actual!r}"
        for key, value in expected.items():
            assert key in actual, f"{where}: no {key!r} in {sorted(actual)}"
            same(actual[key], value, f"{where}.{key}" if where else key)
    elif isinstance(expected, (list, tuple)):
        assert isinstance(actual, list), f"{where}: expected a list of {len(expected)}, got {actual!r}"
        assert len(actual) == len(expected), f"{where}: {len(actual)} entries, expected {len(expected)}"
        for i, (a, e) in enumerate(zip(actual, expected)):
            same(a, e, f"{where}[{i}]")
    elif expected is None:
        assert actual is None, f"{where}: expected null, got {actual!r}"
    elif isinstance(expected, (str, int)) and not isinstance(expected, bool):
        assert actual == expected, f"{where}: symdrop {actual!r}, reference {expected!r}"
    elif isinstance(expected, Fraction):
        assert exact(actual) == expected, f"{where}: symdrop {actual}, reference {expected}"
    else:  # an irrational value (cross-entropy): compare decimals
        assert abs(decimal(actual) - expected) < mpmath.mpf("1e-30"), f"{where}: symdrop {actual}, reference {expected}"


def spec_file(tmp_path, spec: dict) -> str:
    return str(write_spec(tmp_path, spec))


def check_solve(tmp_path, capsys, spec: dict, mode: str) -> None:
    expected = ref.solve(ref.read(spec), mode)
    args = ["solve", spec_file(tmp_path, spec), "--format", "json"] + (["--mode", "test"] if mode == "test" else [])
    same(run_json(capsys, *args), expected)


def check_backprop(tmp_path, capsys, spec: dict) -> None:
    expected = ref.backprop(ref.read(spec))
    same(run_json(capsys, "backprop", spec_file(tmp_path, spec), "--format", "json"), expected)


def check_expect(tmp_path, capsys, spec: dict, counts: bool = False) -> None:
    """exact_mean against the brute-force mean; the approximation against the convention's
    test-time pass (weight scaling for plain masks, whose training pass they share)."""
    model = ref.read(spec)
    out = run_json(capsys, "expect", spec_file(tmp_path, spec), "--format", "json")
    mean = ref.ensemble_mean(model)
    same(out["exact_mean"], mean, "exact_mean")
    test_model = model if model.convention != "plain" else dataclasses.replace(model, convention="weight-scaling")
    approximation = ref.prediction(test_model, 0, "test")
    same(out["approximation"], approximation, "approximation")
    if counts:
        same(out["difference"], tuple(m - a for m, a in zip(mean, approximation)), "difference")
        assert out["maskable_units"] == len(ref.maskable(model))


def with_test_pass(make):
    """A generator of specs whose convention has a test-time pass (inverted, weight-scaling)."""
    return lambda seed: make(seed, conventions=("inverted", "weight-scaling"))


# ---------------------------------------------------------------------------------------------
# the reference itself, by hand

def test_reference_per_unit_inverted_by_hand():
    spec = {"input": [1, 1],
            "layers": [{"weights": [[1, 1], [1, -1]], "bias": [0, 0]},  # relu
                       {"weights": [[1, 1]], "bias": [0]}],  # identity
            "dropout": {"convention": "inverted", "keep": [["1/2", "1/4"], 1]},
            "masks": [[1, 1], [1, 1]], "target": [4]}
    model = ref.read(spec)
    # a~(0) = (1/(1/2), 1/(1/4)) = (2, 4); z(1) = (2 + 4, 2 - 4) = (6, -2); a(1) = (6, 0); y = 6
    steps = ref.forward(model)
    assert steps[0].masked_input == (2, 4)
    assert steps[0].z == (6, -2) and steps[0].a == (6, 0)
    assert steps[1].masked_input == (6, 0) and steps[1].a == (6,)
    # weight scaling at test time: W(1) columns times (1/2, 1/4): z(1) = (1/2 + 1/4, 1/2 - 1/4)
    ws = ref.read({**spec, "dropout": {"convention": "weight-scaling", "keep": [["1/2", "1/4"], 1]}})
    test = ref.forward(ws, mode="test")
    assert test[0].masked_input == (1, 1) and test[0].z == (Fraction(3, 4), Fraction(1, 4))
    assert test[1].a == (1,)
    # inverted at test time: no masks, no scaling: z(1) = (2, 0), a(1) = (2, 0), y = 2
    assert ref.prediction(model, mode="test") == (2,)
    # backward, squared, t = 4: L = (6-4)^2/2 = 2; delta(2) = 2; dL/dW(2) = 2 (6, 0) = (12, 0);
    # dL/da(1) = W(2)^T 2 = (2, 2), q = 1; delta(1) = (2, 2) ⊙ relu'(6, -2) = (2, 0);
    # dL/dW(1) = (2, 0)^T (2, 4) = [[4, 8], [0, 0]]; dL/da~(0) = W(1)^T (2, 0) = (2, 2);
    # dL/dx = mu ⊙ (2, 2) / q = (4, 8)
    out = ref.backprop(model)
    assert out["loss"] == 2
    assert out["layers"][1]["delta"] == (2,) and out["layers"][1]["grad_weights"] == ((12, 0),)
    assert out["layers"][0]["delta"] == (2, 0) and out["layers"][0]["grad_weights"] == ((4, 8), (0, 0))
    assert out["grad_input"] == (4, 8)
    # ensemble (inverted): the input units (q = 1/2, 1/4) are the only maskable places; y is
    # relu(2 m1 + 4 m2) + relu(2 m1 - 4 m2): masks (m1, m2) -> y: (0,0) 0, (1,0) 4, (0,1) 4, (1,1) 6;
    # P = (1/2 * 3/4, 1/2 * 3/4, 1/2 * 1/4, 1/2 * 1/4); E[y] = 4 * 3/8 + 4 * 1/8 + 6 * 1/8 = 11/4
    assert ref.maskable(model) == [(0, 0), (0, 1)]
    assert ref.ensemble_mean(model) == (Fraction(11, 4),)


def test_reference_dropconnect_inverted_by_hand():
    spec = {"input": [2, 1],
            "layers": [{"weights": [[1, 2], [3, -1]], "bias": [1, 0]},  # relu
                       {"weights": [[1, 1]], "bias": [0]}],
            "dropout": {"kind": "dropconnect", "convention": "inverted", "keep": ["1/2", 1]},
            "masks": [[[1, 0], [0, 1]], [[1, 1]]], "target": [3], "loss": "sse"}
    model = ref.read(spec)
    # W~(1) = M ⊙ W / (1/2) = [[2, 0], [0, -2]]; z(1) = (4 + 1, -2) = (5, -2); a(1) = (5, 0); y = 5
    steps = ref.forward(model)
    assert steps[0].weights == ((2, 0), (0, -2)) and steps[0].masked_input == (2, 1)
    assert steps[0].z == (5, -2) and steps[1].a == (5,)
    # weight scaling at test time: Q ⊙ W = [[1/2, 1], [3/2, -1/2]]: z(1) = (1 + 1 + 1, 3 - 1/2) = (3, 5/2); y = 11/2
    ws = ref.read({**spec, "dropout": {"kind": "dropconnect", "convention": "weight-scaling", "keep": ["1/2", 1]}})
    assert ref.forward(ws, mode="test")[0].weights == ((Fraction(1, 2), 1), (Fraction(3, 2), Fraction(-1, 2)))
    assert ref.prediction(ws, mode="test") == (Fraction(11, 2),)
    # backward, sse, t = 3: L = (5-3)^2 = 4; dL/dy = 2 (5-3) = 4 = delta(2); dL/dW(2) = 4 (5, 0) ⊙ M(2) = (20, 0);
    # dL/da(1) = W~(2)^T 4 = (4, 4); delta(1) = (4, 0); dL/dW(1) = (4, 0)^T (2, 1) ⊙ M/Q
    # = [[8, 4], [0, 0]] ⊙ [[2, 0], [0, 2]] = [[16, 0], [0, 0]]; dL/dx = W~(1)^T (4, 0) = (8, 0)
    out = ref.backprop(model)
    assert out["loss"] == 4
    assert out["layers"][1]["grad_weights"] == ((20, 0),)
    assert out["layers"][0]["delta"] == (4, 0) and out["layers"][0]["grad_weights"] == ((16, 0), (0, 0))
    assert out["grad_input"] == (8, 0)
    # ensemble (inverted): z(1) = (4 m11 + 4 m12 + 1, 12 m21 - 2 m22); the first is >= 1, mean 2 + 2 + 1 = 5;
    # relu of the second over (m21, m22): 0, 0, 12, 10 -> mean 22/4 = 11/2; E[y] = 5 + 11/2 = 21/2
    assert len(ref.maskable(model)) == 4
    assert ref.ensemble_mean(model) == (Fraction(21, 2),)


def test_reference_batch_mse_by_hand():
    spec = {"input": [[1, 0], [0, 1]],
            "layers": [{"weights": [[1, 2], [0, 1]], "bias": [0, 1], "activation": "identity"}],
            "masks": [[[1, 1]], [[1, 1]]], "target": [[0, 1], [2, 0]], "loss": "mse"}
    model = ref.read(spec)
    # y1 = (1, 1), y2 = (2, 2); mse1 = (1 + 0)/2 = 1/2, mse2 = (0 + 4)/2 = 2; the batch's loss 5/4
    # dL/dy1 = 2 (1, 0) / 2 = (1, 0), dL/dy2 = (0, 2); dL/dW: [[1, 0], [0, 0]] and [[0, 0], [0, 2]],
    # mean [[1/2, 0], [0, 1]]; dL/db mean (1/2, 1); each example's own dL/dx1 = W^T (1, 0) = (1, 2),
    # dL/dx2 = W^T (0, 2) = (0, 2), and the batch loss (their mean) has half of each
    out = ref.backprop(model)
    assert out["prediction"] == [(1, 1), (2, 2)]
    assert out["losses"] == [Fraction(1, 2), 2] and out["loss"] == Fraction(5, 4)
    assert out["layers"][0]["delta"] == [(1, 0), (0, 2)]
    assert out["layers"][0]["grad_weights"] == ((Fraction(1, 2), 0), (0, 1))
    assert out["layers"][0]["grad_bias"] == (Fraction(1, 2), 1)
    assert out["grad_input"] == [(Fraction(1, 2), 1), (0, 1)]
    assert ref.solve(model)["layers"][0]["pre_activation"] == [(1, 1), (2, 2)]


def test_reference_cross_entropy_and_sums_by_hand():
    # logits (0, 0), class 0: softmax (1/2, 1/2), L = log 2, dL/dz = (1/2 - 1, 1/2)
    loss = ref.loss_value("cross_entropy", (Fraction(0), Fraction(0)), (1, 0))
    assert abs(loss - mpmath.log(2)) < mpmath.mpf("1e-45")
    grad = ref.loss_gradient("cross_entropy", (Fraction(0), Fraction(0)), 0)  # a class index
    assert abs(grad[0] + mpmath.mpf(1) / 2) < mpmath.mpf("1e-45") and abs(grad[1] - mpmath.mpf(1) / 2) < mpmath.mpf("1e-45")
    # y = (1, 3), t = (0, 0): squared 5, sse 10, mse 5; dL/dy (1, 3), (2, 6), (1, 3)
    y, t = (Fraction(1), Fraction(3)), (Fraction(0), Fraction(0))
    assert [ref.loss_value(k, y, t) for k in ("squared", "sse", "mse")] == [5, 10, 5]
    assert [ref.loss_gradient(k, y, t) for k in ("squared", "sse", "mse")] == [(1, 3), (2, 6), (1, 3)]
    # numbers as a spec writes them
    assert [ref.number(v) for v in (2, "1/2", "0.1", 0.1, "-2.5", "1e-3")] == [
        2, Fraction(1, 2), Fraction(1, 10), Fraction(1, 10), Fraction(-5, 2), Fraction(1, 1000)]


@pytest.mark.parametrize("seed", QUICK)
def test_reference_ensemble_is_the_test_pass_for_linear_networks(seed):
    """Identity layers: y is multilinear in the masks, so E[y] = y(E[mu]): weight scaling's pass
    (plain masks) and the unscaled pass (inverted) are exact; for units and DropConnect alike."""
    for make in (ref.per_unit_spec, ref.dropconnect_spec):
        spec = make(seed)
        for layer in spec["layers"]:
            layer["activation"] = "identity"
        for convention in ("weight-scaling", "inverted"):
            model = ref.read({**spec, "dropout": {**spec["dropout"], "convention": convention}})
            assert ref.ensemble_mean(model) == ref.prediction(model, mode="test")


def test_generators_are_deterministic_and_draw_what_they_promise():
    assert ref.dropconnect_spec(7) == ref.dropconnect_spec(7) and ref.batch_spec(7) == ref.batch_spec(7)
    assert any(isinstance(e, list) for s in map(ref.per_unit_spec, QUICK) for e in s["dropout"]["keep"])
    assert all(ref.read(ref.batch_spec(s)).batch and len(ref.batch_spec(s)["input"]) >= 2 for s in QUICK)
    assert {ref.batch_spec(s).get("loss", "squared") for s in QUICK} == {"squared", "sse", "mse"}
    for s in QUICK:  # a mask drops only where q < 1, and the ensemble has something to visit
        model = ref.read(ref.dropconnect_spec(s))
        assert all(m == 1 or q < 1 for M, Q in zip(model.masks[0], model.keep)
                   for mr, qr in zip(M, Q) for m, q in zip(mr, qr))
        assert len(ref.maskable(model)) <= 10


# ---------------------------------------------------------------------------------------------
# today's features: one example, one keep value or one per mask, squared loss (pass now)

@pytest.mark.parametrize("seed", QUICK)
def test_old_solve_train_matches_reference(tmp_path, capsys, seed):
    check_solve(tmp_path, capsys, ref.old_spec(seed), "train")


@pytest.mark.parametrize("seed", QUICK)
def test_old_solve_test_mode_matches_reference(tmp_path, capsys, seed):
    check_solve(tmp_path, capsys, with_test_pass(ref.old_spec)(seed), "test")


@pytest.mark.parametrize("seed", QUICK)
def test_old_backprop_matches_reference(tmp_path, capsys, seed):
    check_backprop(tmp_path, capsys, ref.old_spec(seed))


@pytest.mark.parametrize("seed", QUICK)
def test_old_expect_matches_brute_force_mean(tmp_path, capsys, seed):
    check_expect(tmp_path, capsys, ref.old_spec(seed), counts=True)


# ---------------------------------------------------------------------------------------------
# keep per unit, DropConnect, batches of examples: each command against the reference

FEATURES = {"per-unit keep": ref.per_unit_spec, "dropconnect": ref.dropconnect_spec, "batch": ref.batch_spec}
CASES = [(name, seed) for name in FEATURES for seed in QUICK]


@pytest.mark.parametrize("feature, seed", CASES)
def test_solve_train_matches_reference(tmp_path, capsys, feature, seed):
    check_solve(tmp_path, capsys, FEATURES[feature](seed), "train")


@pytest.mark.parametrize("feature, seed", CASES)
def test_solve_test_mode_matches_reference(tmp_path, capsys, feature, seed):
    check_solve(tmp_path, capsys, with_test_pass(FEATURES[feature])(seed), "test")


@pytest.mark.parametrize("feature, seed", CASES)
def test_backprop_matches_reference(tmp_path, capsys, feature, seed):
    """A batch's loss and gradients are the means over its examples."""
    check_backprop(tmp_path, capsys, FEATURES[feature](seed))


@pytest.mark.parametrize("feature, seed", [case for case in CASES if case[0] != "batch"])
def test_expect_matches_brute_force_mean(tmp_path, capsys, feature, seed):
    check_expect(tmp_path, capsys, FEATURES[feature](seed))


# ---------------------------------------------------------------------------------------------
# losses

@pytest.mark.parametrize("seed", QUICK)
def test_sse_and_mse_backprop_match_reference(tmp_path, capsys, seed):
    check_backprop(tmp_path, capsys, ref.loss_spec(seed))


@pytest.mark.parametrize("seed", range(15))
def test_cross_entropy_loss_and_gradients_match_reference_decimals(tmp_path, capsys, seed):
    check_backprop(tmp_path, capsys, ref.cross_entropy_spec(seed))


# ---------------------------------------------------------------------------------------------
# everything at once, and many more seeds (the whole suite)

@pytest.mark.slow
@pytest.mark.parametrize("seed", SLOW)
def test_mixed_batch_per_unit_dropconnect_solve_and_backprop(tmp_path, capsys, seed):
    spec = ref.mixed_spec(seed)
    check_solve(tmp_path, capsys, spec, "train")
    check_backprop(tmp_path, capsys, spec)
    if spec["dropout"]["convention"] != "plain":
        check_solve(tmp_path, capsys, spec, "test")


@pytest.mark.slow
@pytest.mark.parametrize("seed", SLOW)
def test_every_feature_on_more_seeds(tmp_path, capsys, seed):
    for make in (ref.per_unit_spec, ref.dropconnect_spec):
        spec = make(seed)
        check_solve(tmp_path, capsys, spec, "train")
        check_backprop(tmp_path, capsys, spec)
        check_expect(tmp_path, capsys, spec)
    check_backprop(tmp_path, capsys, ref.batch_spec(seed))
    check_backprop(tmp_path, capsys, ref.loss_spec(seed))


# ---------------------------------------------------------------------------------------------
# bad input: exit 2, one line naming the field, nothing written

NET = [{"weights": [[1, 2], [-1, 1], [2, -3]], "bias": [0, 1, -1]},
       {"weights": [[1, -1, 2], [-2, 1, 1], [1, 1, -1]], "bias": [1, 2, 0]},
       {"weights": [[1, 2, -1]], "bias": [2]}]  # 2-3-3-1
UNITS = {"input": [1, 1], "layers": NET, "masks": [[1, 1], [1, 0, 1], [0, 1, 1]], "target": [5],
         "dropout": {"convention": "inverted", "keep": [1, ["1/2", "2/3", "3/4"], "1/2"]}}
CONNECT = {"input": [1, 1], "layers": NET, "target": [5],
           "dropout": {"kind": "dropconnect", "convention": "inverted", "keep": "1/2"},
           "masks": [[[1, 0], [1, 1], [0, 1]], [[1, 1, 0], [0, 1, 1], [1, 1, 1]], [[1, 0, 1]]]}
BATCH = {"input": [[1, 1], [2, -1], [0, 1]], "layers": NET, "target": [[5], [1], [0]],
         "dropout": {"convention": "inverted", "keep": "1/2"},
         "masks": [[[1, 1], [1, 0, 1], [0, 1, 1]], [[1, 1], [0, 1, 1], [1, 1, 0]], [[1, 1], [1, 1, 1], [1, 0, 1]]]}

# case: (command, spec, the field named, what else the line must say: what was expected or given)
BAD = {
    "keep_list_wrong_length": ("solve", {**UNITS, "dropout": {"convention": "inverted", "keep": ["1/2"]}},
                               "dropout.keep", ["3", "got 1"]),
    "q_zero": ("solve", {**UNITS, "dropout": {"convention": "inverted", "keep": [1, ["1/2", "2/3", 0], "1/2"]}},
               "dropout.keep[1][2]", ["0"]),
    "q_above_one": ("solve", {**UNITS, "dropout": {"convention": "inverted", "keep": [1, ["1/2", "2/3", "3/2"], "1/2"]}},
                    "dropout.keep[1][2]", ["3/2"]),
    "per_unit_list_wrong_length": ("solve", {**UNITS, "dropout": {"convention": "inverted",
                                                                  "keep": [1, ["1/2", "2/3"], "1/2"]}},
                                   "dropout.keep[1]", ["3", "2"]),
    "dropconnect_mask_wrong_rows": ("solve", {**CONNECT, "masks": [CONNECT["masks"][0], [[1, 1, 0], [0, 1, 1]],
                                                                   CONNECT["masks"][2]]},
                                    "masks[1]", ["rows", "3", "2"]),
    "examples_of_different_lengths": ("solve", {**BATCH, "input": [[1, 1], [2], [0, 1]]}, "input[1]", ["2", "1"]),
    "mask_list_per_example_missing": ("solve", {**BATCH, "masks": BATCH["masks"][:2]}, "masks", ["3", "2"]),
    "target_row_missing": ("backprop", {**BATCH, "target": [[5], [1]]}, "target", ["3", "2"]),
}


def test_bad_specs_are_valid_but_for_the_one_fault(tmp_path, capsys):
    """The bad specs' sources are good specs: the refusals below are for the fault alone."""
    for good in (UNITS, CONNECT, BATCH):
        model = ref.read(good)
        assert ref.backprop(model)["loss"] >= 0
    # UNITS by hand: a~(0) = (1, 1); z(1) = (3, 1, -2), a(1) = (3, 1, 0); a~(1) = (3/(1/2), 0, 0) = (6, 0, 0)
    assert ref.forward(ref.read(UNITS))[1].masked_input == (6, 0, 0)


def refusal(err: str, tmp_path, field: str, says: list[str]) -> None:
    """``err`` is one line naming ``field`` (or an entry of it, ``masks[2]``) and saying each of
    ``says`` after the name; no traceback."""
    assert err.count("\n") == 1 and err.endswith("\n"), f"not one line: {err!r}"
    assert "Traceback" not in err
    line = err.replace(str(tmp_path), "")  # the path's digits are no answer
    named = re.search(re.escape(field) + r"(\[\d+\])*:(.*)", line)
    assert named, f"{field!r} not named in {err!r}"
    missing_words = [word for word in says if word not in named.group(2)]
    assert not missing_words, f"{missing_words} not said after {field} in {err!r}"


@pytest.mark.parametrize("case", list(BAD))
def test_bad_input_is_refused_naming_the_field(tmp_path, capsys, case):
    command, spec, field, says = BAD[case]
    out = tmp_path / "out.md"
    code = main([command, spec_file(tmp_path, spec), "-o", str(out)])
    captured = capsys.readouterr()
    assert code == 2, f"exit {code}: {captured.err}"
    refusal(captured.err, tmp_path, field, says)
    assert captured.out == "" and not out.exists() and sorted(p.name for p in tmp_path.iterdir()) == ["spec.json"]


@pytest.mark.slow
@pytest.mark.parametrize("case", list(BAD))
def test_bad_input_is_refused_in_a_process_of_its_own(tmp_path, case):
    command, spec, field, says = BAD[case]
    done = run_symdrop(command, spec_file(tmp_path, spec), "-o", str(tmp_path / "out.md"))
    assert done.returncode == 2 and done.stdout == "", done.stderr
    refusal(done.stderr, tmp_path, field, says)
    assert not (tmp_path / "out.md").exists()


# ---------------------------------------------------------------------------------------------
# the reference against PyTorch's autograd (float64), independent of symdrop

def torch_backprop(torch, model: ref.Model) -> dict:
    """Loss, predictions and mean gradients by autograd: masks as tensors, DropConnect as M ⊙ W / Q,
    the batch's loss the mean of the examples' (PyTorch's default reduction)."""
    f = torch.nn.functional
    as_t = lambda rows: torch.tensor([[float(v) for v in row] for row in rows], dtype=torch.float64)  # noqa: E731
    W = [as_t(layer.W).requires_grad_() for layer in model.layers]
    b = [torch.tensor([float(v) for v in layer.b], dtype=torch.float64, requires_grad=True) for layer in model.layers]
    xs = [torch.tensor([float(v) for v in x], dtype=torch.float64, requires_grad=True) for x in model.inputs]
    divide = model.convention == "inverted"
    losses, predictions = [], []
    for e, x in enumerate(xs):
        a = x
        for l, layer in enumerate(model.layers):
            if model.kind == "units":
                mu = torch.tensor([float(m) for m in model.masks[e][l]], dtype=torch.float64)
                q = torch.tensor([float(v) for v in model.keep[l]], dtype=torch.float64)
                z = W[l] @ (a * mu / q if divide else a * mu) + b[l]
            else:
                M, Q = as_t(model.masks[e][l]), as_t(model.keep[l])
                z = (W[l] * M / Q if divide else W[l] * M) @ a + b[l]
            a = {"relu": torch.relu, "identity": lambda v: v,
                 "leaky_relu": lambda v, s=float(layer.slope): f.leaky_relu(v, s)}[layer.activation](z)
        t = model.targets[e]
        tt = torch.tensor([float(v) for v in t], dtype=torch.float64)
        loss = {"squared": lambda: 0.5 * ((a - tt) ** 2).sum(), "sse": lambda: ((a - tt) ** 2).sum(),
                "mse": lambda: f.mse_loss(a, tt),
                "cross_entropy": lambda: f.cross_entropy(a.unsqueeze(0), tt.unsqueeze(0))}[model.loss]()
        losses.append(loss)
        predictions.append(a.detach().tolist())
    total = torch.stack(losses).mean()
    total.backward()
    return {"loss": total.item(), "prediction": predictions, "grad_weights": [w.grad.tolist() for w in W],
            "grad_bias": [v.grad.tolist() for v in b],
            "grad_input": [x.grad.tolist() for x in xs]}  # the mean loss's gradient: 1/B of each example's own


def close(actual, expected, where: str) -> None:
    if isinstance(expected, (list, tuple)):
        assert len(actual) == len(expected), where
        for i, (a, e) in enumerate(zip(actual, expected)):
            close(a, e, f"{where}[{i}]")
    else:
        tolerance = 1e-9 * max(1.0, abs(float(expected)))
        assert abs(float(actual) - float(expected)) <= tolerance, f"{where}: torch {actual}, reference {expected}"


@pytest.mark.parametrize("seed", QUICK)
def test_reference_agrees_with_pytorch_autograd(seed):
    """Per-unit keep or DropConnect on a batch with every exact loss, and cross-entropy: the
    reference's loss, predictions and mean gradients are PyTorch's."""
    torch = require_torch()
    for spec in (ref.mixed_spec(seed), ref.cross_entropy_spec(seed), ref.dropconnect_spec(seed)):
        model = ref.read(spec)
        mine = ref.backprop(model)
        theirs = torch_backprop(torch, model)
        batch = lambda v: v if model.batch else [v]  # noqa: E731
        close(theirs["loss"], mine["loss"], "loss")
        close(theirs["prediction"], batch(mine["prediction"]), "prediction")
        close(theirs["grad_weights"], [layer["grad_weights"] for layer in mine["layers"]], "grad_weights")
        close(theirs["grad_bias"], [layer["grad_bias"] for layer in mine["layers"]], "grad_bias")
        close(theirs["grad_input"], batch(mine["grad_input"]), "grad_input")
