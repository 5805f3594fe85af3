"""The exact backward pass through dropout (symdrop.core.backward, derive_backprop, symdrop backprop).

Every expected value here is worked by hand (in the comments), computed by the independent
Fraction reference of tests/backprop_reference.py, by exact central differences, or by PyTorch's
autograd in float64 -- never copied from symdrop's own output.
"""

import json
import math
import random
from fractions import Fraction

import pytest
import sympy
import yaml

from symdrop import parse_spec
from symdrop.cli import main
from symdrop.core.backprop import derive_backprop
from symdrop.core.backward import backward, step
from symdrop.core.forward import prediction
from symdrop.errors import SpecError, SymdropError

from . import backprop_reference as ref
from .conftest import TUTORIAL as TUTORIAL_PATH
from .conftest import pdf_text, require_pdflatex, write_spec
from .reference import forward as ref_forward
from .reference import random_dropout_problem, written

TUTORIAL = yaml.safe_load(TUTORIAL_PATH.read_text())
F = Fraction


def tutorial(target=(5,)):
    return {**TUTORIAL, "target": list(target)}


def rows(matrix):
    """A SymPy matrix (or tuple of rows) as lists of Fractions, to compare with hand values."""
    if hasattr(matrix, "rows") and hasattr(matrix, "row"):
        return [[F(str(v)) for v in matrix.row(i)] for i in range(matrix.rows)]
    return [[F(v) for v in row] for row in matrix]


def flat(values):
    return [F(str(v)) if isinstance(v, sympy.Basic) else F(v) for v in values]


def exact_python(value):
    """symdrop promises int or Fraction for piecewise-linear rational networks (never a float)."""
    return isinstance(value, (int, Fraction)) and not isinstance(value, bool)


# ---------------------------------------------------------------------------------------------
# (a) Hand-checked cases
# ---------------------------------------------------------------------------------------------

# The tutorial, x = (1, 1), target t = 5. Forward (training pass, the spec's masks):
#   a~0 = mu0 * x = (1, 1);  z1 = (1+2+0, -1+1+1, 2-3-1) = (3, 1, -2);  a1 = (3, 1, 0)
#   a~1 = (1,0,1) * a1 = (3, 0, 0); z2 = (3+1, -6+2, 3+0) = (4, -4, 3);  a2 = (4, 0, 3)
#   a~2 = (0,1,1) * a2 = (0, 0, 3); z3 = (-3+2, 3-1) = (-1, 2);          a3 = (0, 2)
#   a~3 = (0,1) * a3 = (0, 2);      z4 = 0 + 6 + 1 = 7 = y
# Loss: 1/2 (7 - 5)^2 = 2.
# Backward:
#   delta4 = (y - t) * 1 = 2; dW4 = 2 (0, 2) = (0, 4); db4 = 2
#   W4^T delta4 = (-2, 6); through mu3 = (0, 1): (0, 6); ReLU'(z3 = (-1, 2)) = (0, 1)
#   delta3 = (0, 6); dW3 = delta3 a~2^T: row 2 = 6 (0, 0, 3) = (0, 0, 18), row 1 = 0
#   W3^T delta3 = 6 (2, -1, 1) = (12, -6, 6); through mu2 = (0, 1, 1): (0, -6, 6)
#   ReLU'(z2 = (4, -4, 3)) = (1, 0, 1): delta2 = (0, 0, 6); dW2 row 3 = 6 (3, 0, 0) = (18, 0, 0)
#   W2^T delta2 = 6 (1, 1, -1) = (6, 6, -6); through mu1 = (1, 0, 1): (6, 0, -6)
#   ReLU'(z1 = (3, 1, -2)) = (1, 1, 0): delta1 = (6, 0, 0); dW1 row 1 = 6 (1, 1) = (6, 6)
#   dL/dx = mu0 * W1^T delta1 = 6 (1, 2) = (6, 12)
TUTORIAL_GRADS = {
    "loss": F(2),
    "delta": [[6, 0, 0], [0, 0, 6], [0, 6], [2]],
    "grad_weights": [
        [[6, 6], [0, 0], [0, 0]],
        [[0, 0, 0], [0, 0, 0], [18, 0, 0]],
        [[0, 0, 0], [0, 0, 18]],
        [[0, 4]],
    ],
    "grad_bias": [[6, 0, 0], [0, 0, 6], [0, 6], [2]],
    "grad_input": [6, 12],
}
# One step of size 1/10 (W - dW/10, b - db/10):
#   W1 = [[2/5, 7/5], [-1, 1], [2, -3]], b1 = (-3/5, 1, -1)
#   W2 = [[1, -1, 2], [-2, 1, 1], [-4/5, 1, -1]], b2 = (1, 2, -3/5)
#   W3 = [[1, 2, -1], [2, -1, -4/5]], b3 = (2, -8/5)
#   W4 = [[-1, 13/5]], b4 = (4/5)
# Same masks again:
#   z1 = (2/5 + 7/5 - 3/5, 1, -2) = (6/5, 1, -2); a1 = (6/5, 1, 0); a~1 = (6/5, 0, 0)
#   z2 = (6/5 + 1, -12/5 + 2, -24/25 - 3/5) = (11/5, -2/5, -39/25); a2 = (11/5, 0, 0)
#   a~2 = (0, 1, 1) * a2 = (0, 0, 0); z3 = b3 = (2, -8/5); a3 = (2, 0); a~3 = (0, 1) * a3 = (0, 0)
#   y = z4 = b4 = 4/5
TUTORIAL_AFTER_STEP = {
    "weights": [
        [["2/5", "7/5"], ["-1", "1"], ["2", "-3"]],
        [["1", "-1", "2"], ["-2", "1", "1"], ["-4/5", "1", "-1"]],
        [["1", "2", "-1"], ["2", "-1", "-4/5"]],
        [["-1", "13/5"]],
    ],
    "bias": [["-3/5", "1", "-1"], ["1", "2", "-3/5"], ["2", "-8/5"], ["4/5"]],
    "prediction": F(4, 5),
}


def test_tutorial_by_hand():
    g = backward(parse_spec(tutorial()))
    assert g.loss == 2 and exact_python(g.loss)
    assert list(g.prediction) == [7]
    assert len(g.layers) == 4
    for l, layer in enumerate(g.layers):
        assert list(layer.delta) == TUTORIAL_GRADS["delta"][l], l
        assert rows(layer.grad_weights) == TUTORIAL_GRADS["grad_weights"][l], l
        assert list(layer.grad_bias) == TUTORIAL_GRADS["grad_bias"][l], l
        assert all(exact_python(v) for row in layer.grad_weights for v in row)
    assert list(g.grad_input) == [6, 12]
    # the intermediate quantities of the comments
    assert list(g.layers[3].incoming) == [2] and list(g.layers[3].upstream) == [-2, 6]
    assert list(g.layers[2].incoming) == [0, 6] and list(g.layers[2].derivative) == [0, 1]
    assert list(g.layers[2].upstream) == [12, -6, 6]
    assert list(g.layers[1].incoming) == [0, -6, 6] and list(g.layers[1].derivative) == [1, 0, 1]
    assert list(g.layers[1].upstream) == [6, 6, -6]
    assert list(g.layers[0].incoming) == [6, 0, -6] and list(g.layers[0].derivative) == [1, 1, 0]
    assert list(g.layers[0].upstream) == [6, 12]


def test_tutorial_step_by_hand():
    g = backward(parse_spec(tutorial()))
    after = step(g, Fraction(1, 10))
    for l, layer in enumerate(after.layers):
        assert rows(layer.W) == [[F(v) for v in row] for row in TUTORIAL_AFTER_STEP["weights"][l]], l
        assert flat(layer.b) == [F(v) for v in TUTORIAL_AFTER_STEP["bias"][l]], l
    assert list(after.masks) == list(parse_spec(tutorial()).masks)
    assert flat(prediction(after)) == [TUTORIAL_AFTER_STEP["prediction"]]
    # and the reference's forward pass agrees with the stepped network
    stepped = ref.gradient_step(_tutorial_layers(), ref.backward(*_tutorial_reference_args()), F(1, 10))
    assert ref_forward([1, 1], stepped, TUTORIAL["masks"])[-1][2] == [F(4, 5)]


def _tutorial_layers():
    return [([[F(w) for w in row] for row in layer["weights"]], [F(v) for v in layer["bias"]],
             layer.get("activation", "identity")) for layer in TUTORIAL["layers"]]


def _tutorial_reference_args():
    return [F(1), F(1)], _tutorial_layers(), TUTORIAL["masks"], [F(5)]


def test_reference_agrees_with_the_hand_values():
    """The reference itself, on the hand-checked tutorial (so the random tests test something)."""
    r = ref.backward(*_tutorial_reference_args())
    assert r["loss"] == 2
    for key in ("delta", "grad_weights", "grad_bias"):
        assert r[key] == TUTORIAL_GRADS[key]
    assert r["grad_input"] == [6, 12]


# Inverted dropout, worked by hand. x = (2, 1), q0 = q1 = 1/2, mu0 = (1, 0), mu1 = (1, 1)
#   a~0 = mu0 * x / q0 = (4, 0)
#   W1 = [[1, 3], [-1, 1]], b1 = 0, relu: z1 = (4, -4), a1 = (4, 0)
#   a~1 = mu1 * a1 / q1 = (8, 0)
#   W2 = [[1, 2]], b2 = 1, identity: y = 8 + 1 = 9; t = 3; L = 1/2 36 = 18
#   delta2 = 6; dW2 = 6 (8, 0) = (48, 0); db2 = 6
#   W2^T delta2 = (6, 12); / q1 (mu1 = 1): (12, 24); ReLU'(z1) = (1, 0): delta1 = (12, 0)
#   dW1 = delta1 a~0^T = [[48, 0], [0, 0]]; db1 = (12, 0)
#   W1^T delta1 = (12, 36); mu0 / q0: dL/dx = (24, 0)
# (Check by calculus: y = 2 * (1 * 2 x0) + 1 = 4 x0 + 1 near x, so dL/dx0 = 6 * 4 = 24.)
INVERTED = {
    "input": [2, 1],
    "layers": [{"weights": [[1, 3], [-1, 1]], "bias": [0, 0], "activation": "relu"},
               {"weights": [[1, 2]], "bias": [1], "activation": "identity"}],
    "masks": [[1, 0], [1, 1]],
    "dropout": {"convention": "inverted", "keep": ["1/2", "1/2"]},
    "target": [3],
}


def test_inverted_by_hand():
    g = backward(parse_spec(INVERTED))
    assert g.loss == 18
    assert list(g.prediction) == [9]
    assert list(g.layers[1].delta) == [6]
    assert rows(g.layers[1].grad_weights) == [[48, 0]]
    assert list(g.layers[1].grad_bias) == [6]
    assert list(g.layers[1].upstream) == [6, 12]
    assert list(g.layers[0].incoming) == [12, 24]
    assert list(g.layers[0].delta) == [12, 0]
    assert rows(g.layers[0].grad_weights) == [[48, 0], [0, 0]]
    assert list(g.layers[0].grad_bias) == [12, 0]
    assert list(g.grad_input) == [24, 0]


def test_weight_scaling_trains_with_plain_masks():
    """The same network with weight scaling: no 1/q in training. By hand:
    a~0 = (2, 0); z1 = (2, -2); a1 = (2, 0); a~1 = (2, 0); y = 3 = t: L = 0, every gradient 0."""
    spec = {**INVERTED, "dropout": {"convention": "weight-scaling", "keep": ["1/2", "1/2"]}}
    g = backward(parse_spec(spec))
    assert g.loss == 0 and list(g.prediction) == [3]
    assert all(v == 0 for layer in g.layers for row in layer.grad_weights for v in row)
    assert list(g.grad_input) == [0, 0]
    # t = 1 instead: delta2 = 2, dW2 = (4, 0), W2^T delta2 = (2, 4) (no 1/q), delta1 = (2, 0),
    # dW1 = [[4, 0], [0, 0]], dL/dx = mu0 * W1^T delta1 = (1, 0) * (2, 6) = (2, 0)
    g = backward(parse_spec({**spec, "target": [1]}))
    assert g.loss == 2
    assert rows(g.layers[1].grad_weights) == [[4, 0]]
    assert rows(g.layers[0].grad_weights) == [[4, 0], [0, 0]]
    assert list(g.grad_input) == [2, 0]


# Two outputs, worked by hand. x = (1, 2), no dropout (masks all ones)
#   W1 = [[1, -1], [2, 1]], b1 = (1, 0), relu: z1 = (1 - 2 + 1, 2 + 2) = (0, 4); a1 = (0, 4)
#   W2 = [[1, 1], [2, -1]], b2 = (0, 1), identity: y = (4, -4 + 1) = (4, -3); t = (1, 1)
#   L = 1/2 (3^2 + 4^2) = 25/2
#   delta2 = (3, -4); dW2 = [[0, 12], [0, -16]]; db2 = (3, -4)
#   W2^T delta2 = (3 - 8, 3 + 4) = (-5, 7); ReLU'(z1 = (0, 4)) = (0, 1)  [ReLU'(0) = 0]
#   delta1 = (0, 7); dW1 = [[0, 0], [7, 14]]; db1 = (0, 7); dL/dx = W1^T delta1 = (14, 7)
VECTOR = {
    "input": [1, 2],
    "layers": [{"weights": [[1, -1], [2, 1]], "bias": [1, 0], "activation": "relu"},
               {"weights": [[1, 1], [2, -1]], "bias": [0, 1]}],
    "masks": [[1, 1], [1, 1]],
    "target": [1, 1],
}


def test_vector_output_by_hand():
    g = backward(parse_spec(VECTOR))
    assert g.loss == F(25, 2)
    assert list(g.prediction) == [4, -3]
    assert list(g.layers[1].delta) == [3, -4]
    assert rows(g.layers[1].grad_weights) == [[0, 12], [0, -16]]
    assert list(g.layers[1].grad_bias) == [3, -4]
    assert list(g.layers[1].upstream) == [-5, 7]
    assert list(g.layers[0].derivative) == [0, 1]
    assert list(g.layers[0].delta) == [0, 7]
    assert rows(g.layers[0].grad_weights) == [[0, 0], [7, 14]]
    assert list(g.grad_input) == [14, 7]


def test_leaky_relu_slope_at_zero_by_hand():
    """The vector case with leaky ReLU (slope 1/10): z1 = (0, 4) so a1 = (0, 4) still, and y, L,
    delta2 are unchanged; but leaky'(0) = 1/10: delta1 = (-5/10, 7) = (-1/2, 7),
    dW1 = [[-1/2, -1], [7, 14]], dL/dx = W1^T delta1 = (-1/2 + 14, 1/2 + 7) = (27/2, 15/2)."""
    spec = json.loads(json.dumps(VECTOR))
    spec["layers"][0]["activation"] = {"leaky_relu": "1/10"}
    g = backward(parse_spec(spec))
    assert g.loss == F(25, 2)
    assert list(g.layers[0].derivative) == [F(1, 10), 1]
    assert list(g.layers[0].delta) == [F(-1, 2), 7]
    assert rows(g.layers[0].grad_weights) == [[F(-1, 2), -1], [7, 14]]
    assert list(g.grad_input) == [F(27, 2), F(15, 2)]


def test_derive_backprop_matches_the_hand_values():
    b = derive_backprop(parse_spec(tutorial()), Fraction(1, 10))
    assert F(str(b.loss)) == 2
    assert [s.l for s in b.steps] == [4, 3, 2, 1] and b.steps[0].output
    for l, s in enumerate(b.by_layer):
        assert flat(s.delta) == TUTORIAL_GRADS["delta"][l]
        assert rows(s.grad_weights) == TUTORIAL_GRADS["grad_weights"][l]
        assert flat(s.grad_bias) == TUTORIAL_GRADS["grad_bias"][l]
    assert flat(b.grad_input) == [6, 12]
    assert flat(b.prediction_after_step) == [F(4, 5)]


def test_backward_needs_a_target():
    with pytest.raises(SymdropError, match="target"):
        backward(parse_spec(TUTORIAL))


# ---------------------------------------------------------------------------------------------
# (b) Random networks against the independent reference
# ---------------------------------------------------------------------------------------------


def random_case(rng: random.Random):
    """A random dropout problem (tests/reference.py) with an identity output and a random target.

    random_dropout_problem returns (spec, x, layers, masks, convention, keep): hidden layers relu,
    identity or ("leaky_relu", slope); its output may be relu, which is replaced by identity here.
    """
    spec, x, layers, masks, convention, keep = random_dropout_problem(rng)
    W, b, _ = layers[-1]
    layers = layers[:-1] + [(W, b, "identity")]
    spec["layers"][-1]["activation"] = "identity"
    target = [Fraction(rng.randint(-9, 9), rng.choice([1, 1, 2, 3, 5])) for _ in b]
    spec["target"] = [written(t, rng) for t in target]
    return spec, x, layers, masks, convention, keep, target


def _compare_with_reference(g, r):
    assert g.loss == r["loss"] and exact_python(g.loss)
    assert list(g.prediction) == r["prediction"]
    for l, layer in enumerate(g.layers):
        assert list(layer.incoming) == r["incoming"][l], ("incoming", l)
        assert list(layer.derivative) == r["derivative"][l], ("derivative", l)
        assert list(layer.delta) == r["delta"][l], ("delta", l)
        assert [list(row) for row in layer.grad_weights] == r["grad_weights"][l], ("grad_weights", l)
        assert list(layer.grad_bias) == r["grad_bias"][l], ("grad_bias", l)
        assert list(layer.upstream) == r["upstream"][l], ("upstream", l)
        assert all(exact_python(v) for row in layer.grad_weights for v in row)
        assert all(exact_python(v) for v in layer.delta)
    assert list(g.grad_input) == r["grad_input"]
    assert all(exact_python(v) for v in g.grad_input)


def test_random_networks_match_the_reference():
    rng = random.Random(20240611)
    conventions, activations = set(), set()
    for n in range(300):
        spec, x, layers, masks, convention, keep, target = random_case(rng)
        conventions.add(convention)
        activations.update(a if isinstance(a, str) else a[0] for _, _, a in layers[:-1])
        g = backward(parse_spec(spec))
        r = ref.backward(x, layers, masks, target, convention, keep)
        try:
            _compare_with_reference(g, r)
            # one step of 1/10: the new weights and the new prediction (same masks)
            after = step(g, Fraction(1, 10))
            stepped = ref.gradient_step(layers, r, Fraction(1, 10))
            for layer, (W, b, _) in zip(after.layers, stepped):
                assert rows(layer.W) == W
                assert flat(layer.b) == b
            y = ref_forward(x, stepped, masks, convention, keep, mode="train")[-1][2]
            assert flat(prediction(after)) == y
        except AssertionError as error:
            raise AssertionError(f"network {n}: {json.dumps(spec)}") from error
    assert conventions == {"plain", "inverted", "weight-scaling"}
    assert activations == {"relu", "identity", "leaky_relu"}


def test_random_networks_derive_backprop_matches_the_reference():
    """The SymPy-matrix view (derive_backprop) on a smaller sample (it is slower)."""
    rng = random.Random(7)
    for _ in range(25):
        spec, x, layers, masks, convention, keep, target = random_case(rng)
        b = derive_backprop(parse_spec(spec))
        r = ref.backward(x, layers, masks, target, convention, keep)
        assert F(str(b.loss)) == r["loss"]
        for l, s in enumerate(b.by_layer):
            assert flat(s.delta) == r["delta"][l]
            assert rows(s.grad_weights) == r["grad_weights"][l]
            assert flat(s.grad_bias) == r["grad_bias"][l]
        assert flat(b.grad_input) == r["grad_input"]


# ---------------------------------------------------------------------------------------------
# (c) Exact central differences
# ---------------------------------------------------------------------------------------------

H = Fraction(1, 10**6)


def _pattern(x, layers, masks, convention, keep):
    """The sign of every ReLU / leaky ReLU pre-activation (-1, 0, 1)."""
    values = ref_forward(x, layers, masks, convention, keep, mode="train")
    return [[(z > 0) - (z < 0) for z in zs] for (_, zs, _), (_, _, act) in zip(values, layers) if act != "identity"]


def _linear_between(patterns):
    """No piecewise unit changes its piece between w - h and w + h: every unit keeps one strict sign
    at w - h, w and w + h, or is 0 at all three. Then, layer by layer, every z is affine in w on
    [w - h, w + h] (an affine function that keeps its sign at both ends keeps it in between), so L is
    quadratic there and the central difference is exact."""
    flattened = [[sign for layer in pattern for sign in layer] for pattern in patterns]
    return all(len(set(signs)) == 1 for signs in zip(*flattened, strict=True))


def _central(x, layers, masks, convention, keep, target, change):
    """(L(w + h) - L(w - h)) / 2h where ``change(x, layers, d)`` adds d to one parameter, or None
    when a ReLU pre-activation changes its piece in between."""
    plus, minus = change(x, layers, H), change(x, layers, -H)
    patterns = [_pattern(*plus, masks, convention, keep), _pattern(x, layers, masks, convention, keep),
                _pattern(*minus, masks, convention, keep)]
    if not _linear_between(patterns):
        return None
    return (ref.loss(*plus, masks, target, convention, keep) - ref.loss(*minus, masks, target, convention, keep)) / (2 * H)


def _weight(l, i, j):
    def change(x, layers, d):
        new = [([list(row) for row in W], list(b), a) for W, b, a in layers]
        new[l][0][i][j] += d
        return x, new
    return change


def _bias(l, i):
    def change(x, layers, d):
        new = [([list(row) for row in W], list(b), a) for W, b, a in layers]
        new[l][1][i] += d
        return x, new
    return change


def _input(j):
    def change(x, layers, d):
        new = list(x)
        new[j] += d
        return new, layers
    return change


def test_central_differences_equal_the_exact_gradients():
    rng = random.Random(31415)
    checked = skipped = 0
    for _ in range(30):
        spec, x, layers, masks, convention, keep, target = random_case(rng)
        g = backward(parse_spec(spec))
        args = (x, layers, masks, convention, keep, target)
        cases = [(g.grad_input[j], _input(j)) for j in range(len(x))]
        for l, (layer, (W, b, _)) in enumerate(zip(g.layers, layers)):
            cases += [(layer.grad_weights[i][j], _weight(l, i, j)) for i in range(len(W)) for j in range(len(W[i]))]
            cases += [(layer.grad_bias[i], _bias(l, i)) for i in range(len(b))]
        for exact, change in cases:
            numeric = _central(*args, change)
            if numeric is None:
                skipped += 1
                continue
            checked += 1
            assert numeric == exact, json.dumps(spec)
    assert checked > 500 and skipped < checked / 10, (checked, skipped)


# ---------------------------------------------------------------------------------------------
# (d) PyTorch autograd, float64
# ---------------------------------------------------------------------------------------------


def _torch_gradients(torch, x, layers, masks, convention, keep, target):
    """dL/dW, dL/db of every layer and dL/dx by torch.autograd, written from the formulas; and the
    float pre-activations of the piecewise units (to tell a float sign from an exact one)."""
    tx = torch.tensor([float(v) for v in x], dtype=torch.float64, requires_grad=True)
    params, zs, a = [], [], tx
    for l, ((W, b, act), mu) in enumerate(zip(layers, masks)):
        tW = torch.tensor([[float(w) for w in row] for row in W], dtype=torch.float64, requires_grad=True)
        tb = torch.tensor([float(v) for v in b], dtype=torch.float64, requires_grad=True)
        params.append((tW, tb))
        masked = a * torch.tensor([float(m) for m in mu], dtype=torch.float64)
        if convention == "inverted":
            masked = masked / float(keep[l])
        z = tW @ masked + tb
        zs.append((act, z.detach().tolist()))
        if act == "relu":
            a = torch.relu(z)
        elif act == "identity":
            a = z
        else:
            a = torch.nn.functional.leaky_relu(z, float(act[1]))
    t = torch.tensor([float(v) for v in target], dtype=torch.float64)
    (((a - t) ** 2).sum() / 2).backward()
    return [(tW.grad.tolist(), tb.grad.tolist()) for tW, tb in params], tx.grad.tolist(), zs


def _close(got, exact, tolerance=1e-9):
    """Every float within ``tolerance`` relative of the exact values (relative to their largest
    magnitude, 1 when all are 0: an exact 0 computed as 1e-17 is not infinitely wrong)."""
    scale = max((abs(v) for v in exact), default=0) or 1
    return all(abs(F(c) - e) <= F(tolerance) * scale for c, e in zip(got, exact, strict=True))


@pytest.mark.slow
def test_torch_autograd_agrees_within_1e_9():
    torch = pytest.importorskip("torch")
    rng = random.Random(2718)
    compared = 0
    while compared < 50:
        spec, x, layers, masks, convention, keep, target = random_case(rng)
        g = backward(parse_spec(spec))
        grads, grad_x, zs = _torch_gradients(torch, x, layers, masks, convention, keep, target)
        exact_z = [z for _, z, _ in ref_forward(x, layers, masks, convention, keep, mode="train")]
        # float64 may put an exactly-0 pre-activation at 1e-17 (or the other way): then ReLU' differs
        # by design, not by error; such networks are drawn again.
        if any(act != "identity" and ((fz > 0) != (ez > 0))
               for (act, fzs), ezs in zip(zs, exact_z) for fz, ez in zip(fzs, ezs)):
            continue
        compared += 1
        assert _close(grad_x, list(g.grad_input)), json.dumps(spec)
        for layer, (dW, db) in zip(g.layers, grads):
            assert _close([v for row in dW for v in row], [v for row in layer.grad_weights for v in row]), json.dumps(spec)
            assert _close(db, list(layer.grad_bias)), json.dumps(spec)
        assert math.isclose(float(g.loss), float(ref.loss(x, layers, masks, target, convention, keep)))


@pytest.mark.slow
@pytest.mark.parametrize("spec", [tutorial(), INVERTED, VECTOR], ids=["tutorial", "inverted", "vector"])
def test_symdrop_verify_checks_gradients(spec, tmp_path, capsys):
    pytest.importorskip("torch")
    path = write_spec(tmp_path, spec)
    assert main(["verify", str(path)]) == 0
    out = capsys.readouterr().out
    grad_rows = [line for line in out.splitlines() if "(grad)" in line]
    # dL/dx (layer 0) and every layer
    assert len(grad_rows) >= len(spec["layers"]) + 1, out
    assert out.splitlines()[-1].startswith("ok:")


# ---------------------------------------------------------------------------------------------
# (e) The command line
# ---------------------------------------------------------------------------------------------


def test_cli_backprop_json_tutorial(tmp_path, capsys):
    path = write_spec(tmp_path, tutorial(), "spec.yaml")
    assert main(["backprop", str(path), "--format", "json", "--step", "1/10"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["loss"] == "2"
    assert data["prediction"] == ["7"]
    assert data["target"] == ["5"]
    assert len(data["layers"]) == 4
    for l, layer in enumerate(data["layers"]):
        assert layer["delta"] == [str(v) for v in TUTORIAL_GRADS["delta"][l]]
        assert layer["grad_weights"] == [[str(v) for v in row] for row in TUTORIAL_GRADS["grad_weights"][l]]
        assert layer["grad_bias"] == [str(v) for v in TUTORIAL_GRADS["grad_bias"][l]]
    assert data["grad_input"] == ["6", "12"]
    after = data["after_step"]
    assert after["rate"] == "1/10"
    assert [layer["weights"] for layer in after["layers"]] == TUTORIAL_AFTER_STEP["weights"]
    assert [layer["bias"] for layer in after["layers"]] == TUTORIAL_AFTER_STEP["bias"]
    assert after["prediction"] == ["4/5"]
    assert "decimal" not in data  # every value rational


def test_cli_backprop_json_without_step_has_no_after_step(tmp_path, capsys):
    path = write_spec(tmp_path, INVERTED, "inverted.json")
    assert main(["backprop", str(path), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert "after_step" not in data
    assert data["loss"] == "18" and data["grad_input"] == ["24", "0"]
    assert data["layers"][0]["grad_weights"] == [["48", "0"], ["0", "0"]]


@pytest.mark.parametrize("extra", [[], ["--format", "json"], ["--step", "1/10"]])
def test_cli_backprop_without_target_is_one_line_exit_2(extra, capsys):
    assert main(["backprop", str(TUTORIAL_PATH), *extra]) == 2
    captured = capsys.readouterr()
    lines = captured.err.splitlines()
    assert len(lines) == 1, captured.err
    assert lines[0].startswith("symdrop: error:") and "target" in lines[0]
    assert "Traceback" not in captured.err and captured.out == ""


@pytest.mark.parametrize("rate", ["0", "-1/10", "abc"])
def test_cli_backprop_refuses_a_bad_step(rate, tmp_path, capsys):
    path = write_spec(tmp_path, tutorial(), "spec.yaml")
    assert main(["backprop", str(path), f"--step={rate}"]) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and "--step" in err and "Traceback" not in err


BCE_BAD = [
    {**VECTOR, "loss": "bce"},  # identity output, two of them
    {**VECTOR, "loss": "bce", "target": [1],
     "layers": [VECTOR["layers"][0], {"weights": [[1, 1]], "bias": [0], "activation": "relu"}]},
    {**VECTOR, "loss": "bce", "target": [0, 1],
     "layers": [VECTOR["layers"][0], {"weights": [[1, 1], [1, 0]], "bias": [0, 0], "activation": "sigmoid"}]},
]


@pytest.mark.parametrize("spec", BCE_BAD, ids=["identity-2", "relu-1", "sigmoid-2"])
def test_bce_needs_one_sigmoid_output(spec, tmp_path, capsys):
    with pytest.raises(SpecError) as error:
        parse_spec(spec)
    assert error.value.field == "loss"
    path = write_spec(tmp_path, spec, "bce.json")
    assert main(["backprop", str(path)]) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and err.startswith("symdrop: error: loss:"), err


# x = (1, 2), mu0 = (1, 1): W1 = [[1, -1], [1, 1]], b1 = (0, -1), relu: z1 = (-1, 2), a1 = (0, 2)
# mu1 = (1, 1): W2 = [[2, 1]], b2 = -1, sigmoid: z2 = 0 + 2 - 1 = 1, y = sigma(1); t = 1/4
# With bce, dL/dz2 = y - t =: d (the sigmoid's derivative cancels);
#   dW2 = d (0, 2); W2^T d = (2d, d); ReLU'(z1) = (0, 1): delta1 = (0, d)
#   dW1 = [[0, 0], [d, 2d]]; dL/dx = W1^T delta1 = (d, d)
#   L = -(1/4 log y + 3/4 log(1 - y))
BCE = {
    "input": [1, 2],
    "layers": [{"weights": [[1, -1], [1, 1]], "bias": [0, -1], "activation": "relu"},
               {"weights": [[2, 1]], "bias": [-1], "activation": "sigmoid"}],
    "masks": [[1, 1], [1, 1]],
    "target": ["1/4"],
    "loss": "bce",
}


def _same(a, b):
    return sympy.simplify(sympy.sympify(a) - sympy.sympify(b)) == 0


def test_bce_sigmoid_output_delta_is_y_minus_t():
    g = backward(parse_spec(BCE))
    t = sympy.Rational(1, 4)
    y = 1 / (1 + sympy.exp(-1))
    d = y - t
    assert _same(g.prediction[0], y)
    assert _same(g.layers[1].delta[0], d)
    assert [_same(v, e) for v, e in zip(g.layers[1].grad_weights[0], (0, 2 * d))] == [True, True]
    assert _same(g.layers[1].grad_bias[0], d)
    assert [_same(v, e) for v, e in zip(g.layers[0].delta, (0, d))] == [True, True]
    expected_W1 = ((0, 0), (d, 2 * d))
    assert all(_same(v, e) for row, erow in zip(g.layers[0].grad_weights, expected_W1) for v, e in zip(row, erow))
    assert [_same(v, d) for v in g.grad_input] == [True, True]
    assert _same(g.loss, -(t * sympy.log(y) + (1 - t) * sympy.log(1 - y)))
    # and the chain rule the long way: dL/dy * sigma'(z) = (y - t) / (y (1 - y)) * y (1 - y)
    z = sympy.Symbol("z")
    sigma = 1 / (1 + sympy.exp(-z))
    L = -(t * sympy.log(sigma) + (1 - t) * sympy.log(1 - sigma))
    assert _same(sympy.diff(L, z).subs(z, 1), g.layers[1].delta[0])


def test_cli_bce_json(tmp_path, capsys):
    path = write_spec(tmp_path, BCE, "bce.json")
    assert main(["backprop", str(path), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    d = 1 / (1 + math.exp(-1)) - 0.25
    assert math.isclose(float(sympy.sympify(data["layers"][1]["delta"][0])), d, rel_tol=1e-12)
    assert _same(sympy.sympify(data["layers"][1]["delta"][0]), 1 / (1 + sympy.exp(-1)) - sympy.Rational(1, 4))
    loss = -(0.25 * math.log(d + 0.25) + 0.75 * math.log(0.75 - d))
    assert math.isclose(float(data["decimal"]["loss"]), loss, rel_tol=1e-12)


@pytest.mark.slow
def test_bce_verify_against_torch(tmp_path, capsys):
    pytest.importorskip("torch")
    path = write_spec(tmp_path, BCE, "bce.json")
    assert main(["verify", str(path)]) == 0
    assert "(grad)" in capsys.readouterr().out


# ---------------------------------------------------------------------------------------------
# (f) LaTeX
# ---------------------------------------------------------------------------------------------


def test_cli_backprop_latex_pdf(tmp_path):
    # target -19: y - t = 7 + 19 = 26, L = 26^2 / 2 = 338 (a number nothing else in the document is)
    require_pdflatex()
    path = write_spec(tmp_path, tutorial((-19,)), "spec.yaml")
    out = tmp_path / "out.tex"
    assert main(["backprop", str(path), "-o", str(out), "--pdf", "--step", "1/10"]) == 0
    assert out.read_text().startswith("% !TeX program = pdflatex\n\\documentclass")
    pdf = (tmp_path / "out.pdf").read_bytes()
    assert pdf.startswith(b"%PDF")
    text = pdf_text(pdf, tmp_path)
    assert "338" in text


# ---------------------------------------------------------------------------------------------
# Bugs found (symdrop verify reports FAILED although the exact backward pass is right)
# ---------------------------------------------------------------------------------------------

# Inverted dropout on an input with a 0 entry: x_1 = 0 with q0 = 1/2. By hand with mu0 = (1, 1):
# a~0 = (0, 2), z1 = (1 + 4, 1 - 2) = (5, -1), a1 = (5, 0), y = 5, delta2 = 5; delta1 = (5, 0);
# dL/dx = mu0 * W1^T delta1 / q0 = (10, 20): nonzero for x_1 although x_1 = 0.
ZERO_INPUT = {
    "input": [0, 1],
    "layers": [{"weights": [[1, 2], [3, -1]], "bias": [1, 1], "activation": "relu"},
               {"weights": [[1, 1]], "bias": [0]}],
    "masks": [[1, 1], [1, 1]],
    "dropout": {"convention": "inverted", "keep": ["1/2", 1]},
    "target": [0],
}


def test_zero_input_by_hand():
    assert list(backward(parse_spec(ZERO_INPUT)).grad_input) == [10, 20]


@pytest.mark.slow
def test_verify_inverted_with_a_zero_input(tmp_path, capsys):
    """A dropped unit whose value is 0 (x_1 = 0) still reads as dropped: the mask nn.Dropout drew
    is read from the same draw applied to ones, so dL/dx_1 is compared for the right mask."""
    pytest.importorskip("torch")
    path = write_spec(tmp_path, ZERO_INPUT, "zero.json")
    codes = [main(["verify", str(path), "--seed", str(seed)]) for seed in range(8)]
    out = capsys.readouterr().out
    assert codes == [0] * 8, out


@pytest.mark.slow
def test_verify_bce_with_a_large_logit(tmp_path, capsys):
    """bce is compared through binary_cross_entropy_with_logits: PyTorch's plain bce clamps
    y (1 - y) at 1e-12 and gets dL/dz wrong for a saturated sigmoid."""
    pytest.importorskip("torch")
    # x = 4, W = 7, b = 0: z = 28, y = sigma(28), t = 0: dL/dz = y - t = 1 - 6.9e-13, dL/dW = 4 (y - t)
    spec = {"input": [4], "layers": [{"weights": [[7]], "bias": [0], "activation": "sigmoid"}],
            "masks": [[1]], "target": [0], "loss": "bce"}
    g = backward(parse_spec(spec))
    assert _same(g.layers[0].delta[0], 1 / (1 + sympy.exp(-28)))
    path = write_spec(tmp_path, spec, "bce-28.json")
    assert main(["verify", str(path)]) == 0, capsys.readouterr().out
