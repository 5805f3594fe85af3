"""symdrop against real PyTorch (float64): a property test, and the verify command."""

import sys

import mpmath
import pytest
import sympy
from hypothesis import given, settings

import symdrop
from symdrop import derive, parse_spec, to_spec
from symdrop.cli import main

from .conftest import TUTORIAL, require_torch, run_symdrop, write_spec
from .strategies import HIDDEN, networks, spec_of



def torch_pass(torch, x, layers, masks, convention, keep, mode):
    """The convention's pass written directly with tensors (docs/dropout.md, "The three conventions")."""
    functions = {
        "relu": torch.relu, "identity": lambda z: z, "sigmoid": torch.sigmoid, "tanh": torch.tanh,
    }
    a = torch.tensor([float(v) for v in x], dtype=torch.float64)
    out = []
    for (W, b, g), mu, q in zip(layers, masks, keep):
        W = torch.tensor([[float(w) for w in row] for row in W], dtype=torch.float64)
        b = torch.tensor([float(v) for v in b], dtype=torch.float64)
        if mode == "train":
            masked = a * torch.tensor(mu, dtype=torch.float64)
            if convention == "inverted":
                masked = masked / float(q)
        else:
            masked = a
            if convention == "weight-scaling":
                W = W * float(q)
        z = W @ masked + b
        if isinstance(g, tuple):
            a = torch.nn.functional.leaky_relu(z, float(g[1]))
        else:
            a = functions[g](z)
        out.append((masked, z, a))
    return out


def relative_error(exact, tensor, scale=None) -> float:
    """The largest error over the layer's ``scale``: by default its largest exact value."""
    with mpmath.workdps(30):
        truth = [mpmath.mpf(sympy.N(v, 30)) for v in exact]
        error = max(abs(mpmath.mpf(t) - e) for t, e in zip(tensor.tolist(), truth))
        return float(error / (scale or max(abs(e) for e in truth) or 1))


def magnitudes(x, layers, masks, convention, keep, mode):
    """Per layer, the size of the numbers float64 adds up before any cancellation: for z,
    sum |w a~| + |b|; every activation here has slope at most 1, so a keeps z's size. A value
    like 4 - 4 tanh(28/3) = 6e-8, summed from terms of size 4, is only as exact as those terms."""
    a = [abs(float(v)) for v in x]
    out = []
    for (W, b, _), mu, q in zip(layers, masks, keep):
        if mode == "train":
            masked = [m * v / (float(q) if convention == "inverted" else 1) for m, v in zip(mu, a)]
        else:
            masked = a
        scale = float(q) if mode == "test" and convention == "weight-scaling" else 1
        z = [sum(abs(float(w)) * scale * v for w, v in zip(row, masked)) + abs(float(c)) for row, c in zip(W, b)]
        a = z
        out.append((max(masked), max(z), max(z)))
    return out


@pytest.mark.slow
@settings(max_examples=40, deadline=None)
@given(networks(max_maskable=16, hidden=HIDDEN + ["sigmoid", "tanh"]))
def test_exact_pass_equals_pytorch_float64(case):
    torch = require_torch()
    x, layers, keep, convention, masks = case
    network = parse_spec(spec_of(x, layers, keep, convention, masks))
    for mode in ("train",) if convention == "plain" else ("train", "test"):
        steps = derive(network, mode=mode).steps
        tensors = torch_pass(torch, x, layers, masks, convention, keep, mode)
        scales = magnitudes(x, layers, masks, convention, keep, mode)
        for step, layer_tensors, layer_scales in zip(steps, tensors, scales, strict=True):
            equations = (step.masked_input, step.pre_activation, step.activation)
            for equation, tensor, scale in zip(equations, layer_tensors, layer_scales):
                assert relative_error(equation.value, tensor, scale) <= 1e-9


def inverted_tutorial(keep="1/2"):
    data = to_spec(symdrop.example())
    data["dropout"] = {"convention": "inverted", "keep": keep}
    return data


@pytest.mark.slow
def test_verify_tutorial(capsys):
    require_torch()
    assert main(["verify", str(TUTORIAL)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith(f"symdrop verify {TUTORIAL}: convention plain, PyTorch ")
    assert [line.split()[:4] for line in out[2:6]] == [["train,", "spec", "masks", str(l)] for l in (1, 2, 3, 4)]
    assert out[-1] == "ok: all 4 checks within 1e-09 relative (1 pass, a check per pass and layer)"  # 4 layers


@pytest.mark.slow
@pytest.mark.parametrize("convention, passes", [
    ("weight-scaling", ["train, spec masks", "test, q W"]),
    ("inverted", ["train, spec masks", "nn.Dropout, train()", "nn.Dropout, eval()"]),
])
def test_verify_runs_every_pass_of_the_convention(convention, passes, tmp_path, capsys):
    require_torch()
    data = inverted_tutorial(["4/5", "1/2", "1/2", "2/3"])
    data["dropout"]["convention"] = convention
    assert main(["verify", str(write_spec(tmp_path, data)), "--seed", "3"]) == 0
    out = capsys.readouterr().out
    for name in passes:
        assert sum(line.startswith(name) for line in out.splitlines()) == 4
    # the verdict counts those rows: each pass at the tutorial's 4 layers
    assert out.splitlines()[-1] == (f"ok: all {4 * len(passes)} checks within 1e-09 relative "
                                    f"({len(passes)} passes, a check per pass and layer)")
    assert ("nn.Dropout drew (torch.manual_seed(3)): mu^(0) = (" in out) == (convention == "inverted")


@pytest.mark.slow
def test_masks_nn_dropout_drew_give_its_output():
    """The masks read back from nn.Dropout, put into the exact pass, give PyTorch's output."""
    torch = require_torch()
    from symdrop.core.verify import verify

    network = parse_spec(inverted_tutorial())
    seen = set()
    for seed in range(6):
        report = verify(network, seed=seed)
        assert report.ok
        seen.add(tuple(tuple(int(v) for v in m) for m in report.drawn))
        # independently: the same seed in one nn.Dropout draws mu^(1) (mu^(0) keeps everything);
        # on ones the draw shows every unit, also the one whose value a^(1)_3 = 0 hides
        torch.manual_seed(seed)
        ones = torch.nn.Dropout(p=0.5)(torch.ones(1, 3, dtype=torch.float64)).reshape(-1).tolist()
        torch.manual_seed(seed)
        a1 = torch.tensor([[3.0, 1.0, 0.0]], dtype=torch.float64)
        out = torch.nn.Dropout(p=0.5)(a1).reshape(-1).tolist()
        assert [int(v) for v in report.drawn[1]] == [int(o != 0) for o in ones]
        assert out == [2.0 * v * int(m) for v, m in zip((3, 1, 0), report.drawn[1])]  # the same draw
        assert list(report.drawn[0]) == [1, 1]
    assert len(seen) > 1  # the seed matters


@pytest.mark.slow
def test_verify_fails_beyond_tolerance(tmp_path, capsys, monkeypatch):
    require_torch()
    import symdrop.core.verify as module

    def off(network, **options):  # the "exact" side off by one part in a million
        layers = list(network.layers)
        layers[0] = type(layers[0])(layers[0].W * sympy.Rational(1000001, 1000000), layers[0].b, layers[0].activation)
        from dataclasses import replace

        return derive(replace(network, layers=tuple(layers)), **options)

    monkeypatch.setattr(module, "derive", off)
    assert main(["verify", str(TUTORIAL)]) == 1
    assert capsys.readouterr().out.splitlines()[-1].startswith("FAILED: ")


def test_verify_without_torch_says_how_to_install(monkeypatch, capsys):
    """An install command that works: symdrop is on no package index, so not symdrop[torch]."""
    monkeypatch.setitem(sys.modules, "torch", None)  # import torch raises ImportError
    assert main(["verify", str(TUTORIAL)]) == 2
    assert capsys.readouterr().err == (
        "symdrop: error: verify needs PyTorch, which is not installed: pip install torch "
        "(the CPU build: pip install torch --index-url https://download.pytorch.org/whl/cpu)\n"
    )


@pytest.mark.slow
def test_verify_prints_no_numpy_warning(tmp_path):
    """PyTorch warns "Failed to initialize NumPy" on import without NumPy; verify's users see none."""
    require_torch()
    done = run_symdrop("verify", str(TUTORIAL))
    assert done.returncode == 0 and done.stderr == ""
    assert "ok: all" in done.stdout


@pytest.mark.parametrize("ci, outcome", [("1", pytest.fail.Exception), ("", pytest.skip.Exception)])
def test_missing_torch_fails_in_ci_and_skips_elsewhere(ci, outcome, monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)
    monkeypatch.setenv("CI", ci)
    with pytest.raises(outcome):
        require_torch()


@pytest.mark.slow
def test_verify_measures_against_the_numbers_float64_summed(tmp_path, capsys):
    """z2 = 4 - 4 tanh(28/3) is 6.25e-8, summed from terms of size 4: float64 gets it to about
    2e-16, which is 3e-9 of z2 itself but 3e-17 of the terms. verify must not call that a failure."""
    require_torch()
    spec = {
        "input": [1],
        "layers": [
            {"weights": [["28/3"]], "bias": [0], "activation": "tanh"},
            {"weights": [[-4]], "bias": [4], "activation": "identity"},
        ],
        "masks": [[1], [1]],
    }
    z2 = 4 - 4 * sympy.tanh(sympy.Rational(28, 3))
    assert 6e-8 < float(z2) < 7e-8
    assert main(["verify", str(write_spec(tmp_path, spec))]) == 0
    out = capsys.readouterr().out
    assert "ok: all 2 checks within 1e-09 relative (1 pass, a check per pass and layer)" in out  # 2 layers


@pytest.mark.slow
@pytest.mark.parametrize("batch", [False, True])
def test_verify_measures_gradients_against_the_numbers_float64_took(tmp_path, capsys, batch):
    """A saturated tanh, the textbook vanishing gradient: z1 = -3 * 3 - 1 = -10, y = 2 tanh(-10),
    dL/dx = W1 W2 (y - t) (1 - tanh(10)^2) = -3 * 2 * 2 tanh(-10) sech(10)^2, about 9.9e-8.
    PyTorch takes tanh' as 1 - a^2 from a = tanh(-10) = -0.99999999588: float64's 1e-16 in terms
    of size 1 is 1e-8 of that gradient. verify must compare it with the sizes float64 took, as it
    does going forward, and not call PyTorch wrong; a gradient really off must still fail."""
    torch = require_torch()
    exact = -12 * mpmath.tanh(10) * mpmath.sech(10) ** 2 * -1
    with torch.no_grad():
        a = torch.tanh(torch.tensor(-10.0, dtype=torch.float64))
        computed = -3 * 2 * 2 * a.item() * (1 - a.item() ** 2)  # autograd's formula
    assert abs(computed - exact) / abs(exact) > 1e-9  # the case is real: float64 cannot do better
    spec = {"input": [3], "layers": [{"weights": [[-3]], "bias": [-1], "activation": "tanh"},
                                     {"weights": [[2]], "bias": [0], "activation": "identity"}],
            "masks": [[1], [1]], "target": [0]}
    if batch:
        spec = {**spec, "input": [[3], [3]], "masks": [[[1], [1]], [[1], [1]]], "target": [[0], [0]]}
    path = write_spec(tmp_path, spec)
    assert main(["verify", str(path)]) == 0, capsys.readouterr().out
    assert capsys.readouterr().out.splitlines()[-1].startswith("ok: all 6 checks")
    spec["layers"][1]["weights"] = [["2.0000001"]]  # the exact side now 5e-8 off in every gradient
    torch_spec = write_spec(tmp_path, spec, "other.json")
    import symdrop.core.verify as module
    import symdrop.core.batchverify as batch_module

    target = batch_module if batch else module
    real = target._autograd
    wrong = symdrop.load_spec(torch_spec)
    target_autograd = (lambda torch, network, *rest: real(torch, wrong, *rest))
    import unittest.mock
    with unittest.mock.patch.object(target, "_autograd", target_autograd):
        assert main(["verify", str(path)]) == 1
    assert capsys.readouterr().out.splitlines()[-1].startswith("FAILED: ")
