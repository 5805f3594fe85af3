"""Bounded work for sigmoid and tanh (issue 26): the same exact values, cheap to build and to
evaluate, a limit on their size counted as they grow, and every case of the issue finishing or
refused in one line. Timings are in benchmarks/smooth_work.py, not here."""

import io
import json

import mpmath
import pytest
import sympy

from symdrop import parse_spec
from symdrop.cli import main
from symdrop import limits
from symdrop.core import budget
from symdrop.core.backward import backward
from symdrop.core.forward import forward
from symdrop.io.progress import Progress
from symdrop.limits import MAX_CLOSED_FORM
from symdrop.errors import SymdropError
from symdrop.model import closedform
from symdrop.model.activations import sign
from symdrop.render.printer import latex

from .conftest import UNDECIDED, require_torch, write_spec


def spec(sizes, activations, *, keep="4/5", target=True, masks=None):
    """A network of fixed small weights (w_ij = ((3i + 5j + l) mod 9 - 4) / 4), every unit kept
    unless ``masks`` says otherwise, inverted dropout with ``keep``."""
    layers = [{"weights": [[f"{(3 * i + 5 * j + l) % 9 - 4}/4" for j in range(sizes[l - 1])] for i in range(sizes[l])],
               "bias": [f"{(i + l) % 5 - 2}/10" for i in range(sizes[l])], "activation": g}
              for l, g in enumerate(activations, start=1)]
    data = {"input": [f"{j % 3 + 1}/2" for j in range(sizes[0])], "layers": layers,
            "masks": masks or [[1] * n for n in sizes[:-1]]}
    if keep:
        data["dropout"] = {"convention": "inverted", "keep": keep}
    if target:
        data["target"] = ["1/2"] * sizes[-1]
    return data


def _number(text) -> mpmath.mpf:
    value = sympy.Rational(text)
    return mpmath.mpf(value.p) / value.q


def reference_pass(data, layers=None):
    """The activations of every layer in mpmath (at the caller's precision), written from the
    definitions (masked input mu a / q, z = W a~ + b, sigmoid 1/(1 + e^-z), tanh, ReLU), not
    from symdrop's code; ``layers`` (rows of W and b as mpf) replace the spec's weights. One keep
    probability q is every hidden layer's (the input is kept whole, q = 1)."""
    keep = _number(data["dropout"]["keep"])
    a = [_number(v) for v in data["input"]]
    if layers is None:
        layers = [([[_number(w) for w in row] for row in layer["weights"]], [_number(b) for b in layer["bias"]])
                  for layer in data["layers"]]
    out = []
    for l, ((W, b), layer) in enumerate(zip(layers, data["layers"])):
        masked = [m * v / (keep if l else 1) for m, v in zip(data["masks"][l], a)]
        z = [mpmath.fsum(w * v for w, v in zip(row, masked)) + bias for row, bias in zip(W, b)]
        g = {"sigmoid": lambda t: 1 / (1 + mpmath.exp(-t)), "tanh": mpmath.tanh, "identity": lambda t: t,
             "relu": lambda t: max(t, 0)}[layer["activation"]]
        a = [g(v) for v in z]
        out.append(a)
    return out


def reference_step(data, rate):
    """The prediction after one gradient-descent step on the squared loss, every derivative a
    central difference (h = 10^-30 at 80 digits: exact to some 55 digits)."""
    with mpmath.workdps(80):
        layers = [([[_number(w) for w in row] for row in layer["weights"]], [_number(b) for b in layer["bias"]])
                  for layer in data["layers"]]
        t, h = [_number(v) for v in data["target"]], mpmath.mpf(10) ** -30

        def loss():
            return mpmath.fsum((y - ti) ** 2 for y, ti in zip(reference_pass(data, layers)[-1], t)) / 2

        gradients = []
        for W, b in layers:
            for row in [*W, b]:
                for j in range(len(row)):
                    row[j] += h
                    up = loss()
                    row[j] -= 2 * h
                    down = loss()
                    row[j] += h
                    gradients.append((row, j, (up - down) / (2 * h)))
        for row, j, gradient in gradients:
            row[j] -= rate * gradient
        return reference_pass(data, layers)[-1]


NESTED = spec([2, 3, 3, 2, 1], ["sigmoid", "tanh", "sigmoid", "identity"], masks=[[1, 1], [1, 0, 1], [1, 1, 1], [0, 1]])


def test_nested_values_are_exact_and_built_with_the_memoized_functions():
    passes = forward(parse_spec(NESTED))
    with mpmath.workdps(50):
        reference = reference_pass(NESTED)
    for values, expected in zip(passes, reference):
        for value, truth in zip(values.a, expected):
            assert abs(mpmath.mpf(sympy.N(value, 45)._mpf_) - truth) < mpmath.mpf(10) ** -40
    deep = passes[2].a[0]  # a sigmoid of tanh values: an exponential of an irrational number
    assert any(type(e) is closedform.exp for e in sympy.preorder_traversal(deep))
    assert closedform.nested(deep) and not closedform.nested(passes[0].a[0])
    # no SymPy exponential of an irrational number is left inside a value (closed() made it this module's)
    assert not any(type(e) is sympy.exp and not e.args[0].is_Rational for v in passes[3].a
                   for e in sympy.preorder_traversal(v))


@pytest.mark.parametrize("prec", [10, 53, 200])
def test_memoized_functions_give_sympys_digits_and_print_as_sympys(prec):
    z = 2 / (1 + sympy.exp(sympy.Rational(-3, 10))) - sympy.Rational(7, 10)  # an irrational number
    for ours, theirs in ((closedform.exp(z), sympy.exp(z)), (closedform.tanh(z), sympy.tanh(z))):
        assert ours.evalf(prec_to_dps(prec)) == theirs.evalf(prec_to_dps(prec))
        assert str(ours) == str(theirs) and latex(ours) == latex(theirs)
        assert ours.is_real and ours.is_finite
    assert closedform.exp(z).is_positive
    # rational arguments stay SymPy's own (and simplify as SymPy does: exp(0) = 1)
    assert type(closedform.exponential(sympy.Rational(1, 3))) is sympy.exp
    assert closedform.exponential(sympy.S.Zero) == 1 and closedform.hyperbolic_tangent(sympy.S.Zero) == 0


def test_signs_decided_by_bounds_agree_with_50_digits_and_the_undecidable_are_refused():
    passes = forward(parse_spec(NESTED))
    values = [v for p in passes for v in (*p.z, *p.a)] + [-v for p in passes for v in p.z]
    for value in values:
        truth = sympy.N(value, 50)
        assert closedform.enclosed_sign(value) == (1 if truth > 0 else -1)
    assert closedform.enclosed_sign(1 - sympy.tanh(228)) == 1  # 2e-198: decided at 1024 bits
    assert closedform.enclosed_sign(sympy.sqrt(2) - 1) is None  # a function it does not enclose: SymPy decides
    tiny = 1 / (1 + sympy.exp(-10000)) - 1  # -e^-10000, about -10^-4343: beyond 4096 bits
    with pytest.raises(closedform.Undecided):
        closedform.enclosed_sign(tiny)
    with pytest.raises(SymdropError, match=r"cannot decide the sign of .*: it is within 2\^-4000 of 0"):
        sign(tiny)  # refused in one line, where SymPy's evaluation would raise its precision without end


def prec_to_dps(prec: int) -> int:
    return max(1, int(prec * 0.30103))


def test_closed_makes_sympys_exponentials_of_irrational_numbers_the_memoized_ones():
    z = 1 / (1 + sympy.exp(sympy.Rational(-1, 2)))
    value = sympy.Rational(5, 4) / (1 + sympy.exp(-z))  # as SymPy's own rewriting leaves it
    (made,) = closedform.closed((value,))
    assert abs(sympy.N(made - value, 30)) < 1e-25 and str(made) == str(value)
    assert [type(e) for e in sympy.preorder_traversal(made) if isinstance(e, sympy.exp)] == [closedform.exp, sympy.exp]


def test_written_size_counts_the_tree_written_out():
    a = 1 / (1 + sympy.exp(sympy.Rational(-1, 3)))
    b = sympy.tanh(3 * a - 1)
    for expr in (a, b, a * b + b ** 2 - a, sympy.Integer(7)):
        assert budget.written_size(expr, {}) == len(list(sympy.preorder_traversal(expr)))


def _parts(values) -> int:
    """The limit's count, done here from SymPy's own traversal: every irrational value written out."""
    return sum(len(list(sympy.preorder_traversal(v))) for v in values if not sympy.sympify(v).is_Rational)


def forgotten() -> None:
    """The memoized passes of this process forgotten, so that a command counts them again."""
    from symdrop.core import backward as backward_module, forward as forward_module

    forward_module._layer_values.cache_clear()
    backward_module._unchanged.cache_clear()


COMMANDS = {"solve": ["solve", "--format", "json"], "backprop": ["backprop", "--format", "json"],
            "step": ["backprop", "--format", "json", "--step", "1/10"], "expect": ["expect", "--format", "json"],
            "moments": ["moments", "--format", "json"]}
LIMITED = {"solve": ("MAX_CLOSED_FORM", "the limit on a pass's exact values"),
           "backprop": ("MAX_CLOSED_FORM", "the limit on a pass's exact values"),
           "step": ("MAX_STEP_CLOSED_FORM", "the limit on a step's new weights and the pass after it"),
           "expect": ("MAX_MEAN_CLOSED_FORM", "the limit on that pass for expect and moments"),
           "moments": ("MAX_MEAN_CLOSED_FORM", "the limit on that pass for expect and moments")}


@pytest.mark.parametrize("command", COMMANDS)
def test_the_limit_on_exact_values_passes_just_inside_and_refuses_just_outside(command, monkeypatch, tmp_path, capsys):
    """Each pass a command makes is counted (the forward passes of training, without dropout and
    at test time; the backward pass; against limits of their own, the step's new weights and its
    pass, and expect's pass with every unit kept): at the limit the command passes, one part less
    refuses in one line naming the limit (solve: at its own pass's)."""
    from symdrop.core.backward import step

    data = spec([2, 2, 2, 1], ["sigmoid", "tanh", "identity"], masks=[[1, 1], [1, 0], [1, 1]],
                target=command != "moments")  # moments refuses a target behind smooth hidden layers
    net = parse_spec(data)
    monkeypatch.setattr(limits, "MAX_CLOSED_FORM", 10 ** 9)
    counted = [_parts(v for p in forward(net, mode) for v in p.a) for mode in ("train", "off", "test")]
    if command in ("expect", "moments"):  # the pass with every unit kept, before the mean starts
        counted.append(_parts(v for p in forward(net, "off") for v in p.a))
    if command in ("backprop", "step"):
        gradients = backward(net)
        counted.append(_parts(v for g in gradients.layers for row in (g.delta, *g.grad_weights) for v in row))
    if command == "step":
        after = step(gradients, sympy.Rational(1, 10))
        counted.append(_parts(v for layer in after.layers for m in (layer.W, layer.b) for v in m)
                       + _parts(v for p in forward(after) for v in p.a))
    path = tmp_path / "net.json"
    path.write_text(json.dumps(data))
    argv = [COMMANDS[command][0], str(path), *COMMANDS[command][1:]]
    name, what = LIMITED[command]
    # solve's own pass is training's: those beside it (without dropout, at test time) are left
    # out of the document past the limit, not refused (test_a_solution_leaves_out_...)
    limit = counted.pop() if command in ("step", "expect", "moments") else counted[0] if command == "solve" \
        else max(counted)
    monkeypatch.setattr(limits, "MAX_CLOSED_FORM", 10 ** 9 if command in ("expect", "moments") else max(counted))
    monkeypatch.setattr(limits, name, limit)
    forgotten()  # the passes are memoized in a process: counted again
    assert main(argv) == 0
    capsys.readouterr()
    monkeypatch.setattr(limits, name, limit - 1)
    forgotten()
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("symdrop: error: ")
    assert what in err and f" is {limit - 1:,} parts" in err


# The issue's cases refused at once, in one line (the ones that finish are slow: below).
REFUSED = {
    "six sigmoid layers of 4": (spec([2] + [4] * 6 + [1], ["sigmoid"] * 6 + ["identity"]), ["solve"]),
    "fifteen tanh layers of 16": (spec([2] + [16] * 15 + [1], ["tanh"] * 15 + ["identity"]), ["solve", "--mode", "test"]),
    "16 inputs, five sigmoid layers of 16": (spec([16] * 6 + [1], ["sigmoid"] * 5 + ["identity"]), ["backprop"]),
}


@pytest.mark.parametrize("name", REFUSED)
def test_the_issues_deep_smooth_networks_are_refused_in_one_line(name, tmp_path, capsys):
    data, command = REFUSED[name]
    path = tmp_path / "net.json"
    path.write_text(json.dumps(data))
    assert main([command[0], str(path), *command[1:], "-o", str(tmp_path / "out.md")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("symdrop: error: layers[")
    assert f"the limit on a pass's exact values is {MAX_CLOSED_FORM:,} parts" in err
    assert not (tmp_path / "out.md").exists()


ISSUE_NETWORK = spec([3, 4, 4, 2], ["sigmoid", "sigmoid", "identity"], keep="0.8",
                     masks=[[1, 1, 1], [1, 0, 1, 1], [1, 1, 1, 1]])  # its step: 68,705 parts
ISSUE_NETWORK["layers"][0]["weights"][0][:2] = ["0.1", "-0.3"]


@pytest.mark.slow
def test_a_3_4_4_2_sigmoid_network_with_decimals_takes_a_step(tmp_path, capsys):
    """The issue's backprop --step 0.1 (12 minutes before): the prediction after the step, against
    a step by central differences in mpmath."""
    path = tmp_path / "net.json"
    path.write_text(json.dumps(ISSUE_NETWORK))
    assert main(["backprop", str(path), "--step", "0.1", "--format", "json"]) == 0
    # the exact prediction's decimal (15 digits), beside the exact closed form JSON writes whole
    after = json.loads(capsys.readouterr().out)["decimal"]["after_step"]["prediction"]
    expected = reference_step(ISSUE_NETWORK, mpmath.mpf(1) / 10)
    for y, truth in zip(after, expected, strict=True):
        assert abs(mpmath.mpf(y) - truth) < 1e-13 * max(1, abs(truth))


@pytest.mark.slow
@pytest.mark.parametrize("command, status", [(["check", "--answer", "0; 0"], 1), (["verify"], 0)])
def test_the_3_4_4_2_network_checks_and_verifies(command, status, tmp_path, capsys):
    if command[0] == "verify":
        require_torch()  # a skip without PyTorch, as every verify test (a failure in CI)
    path = tmp_path / "net.json"
    path.write_text(json.dumps(ISSUE_NETWORK))
    assert main([command[0], str(path), *command[1:]]) == status  # verify: PyTorch agrees
    assert capsys.readouterr().out


@pytest.mark.slow
def test_one_sigmoid_layer_among_fifteen_relu_layers_of_16_finishes(tmp_path, capsys):
    data = spec([16] * 16 + [1], ["relu"] * 7 + ["sigmoid"] + ["relu"] * 7 + ["identity"])
    path = tmp_path / "net.json"
    path.write_text(json.dumps(data))
    assert main(["solve", str(path), "--format", "json"]) == 0
    (y,) = json.loads(capsys.readouterr().out)["prediction"]
    with mpmath.workdps(50):
        (truth,) = reference_pass(data)[-1]
        assert abs(mpmath.mpf(sympy.N(sympy.sympify(y), 50)._mpf_) - truth) < mpmath.mpf(10) ** -30


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_a_timed_bar_shows_the_step_under_way_only_once_the_work_is_slow():
    quick = Terminal()
    with Progress(2, "symdrop solve", quick, after=60) as bar:
        bar.stage("symdrop solve: the exact pass")
        bar.advance()
    assert quick.getvalue() == ""  # done before its time: nothing drawn
    slow = Terminal()
    bar = Progress(2, "symdrop solve", slow, after=0)
    bar.stage("symdrop solve: the exact pass")
    bar._timer.join()  # the time has come while the step runs
    assert slow.getvalue().endswith("symdrop solve: the exact pass [" + "." * 30 + "] 0/2")
    bar.advance()
    bar.close()
    assert slow.getvalue().endswith("\r\033[K")
    redirected = io.StringIO()
    with Progress(2, "x", redirected, after=0) as bar:
        bar.stage("y")
    assert redirected.getvalue() == ""  # never into a file or a pipe


def test_a_solution_leaves_out_a_pass_beside_it_that_refuses_and_says_why(tmp_path, capsys):
    """The worked solution of UNDECIDED (y = 0 by hand: the sigmoid unit is dropped) is written;
    the pass without dropout beside it, whose ReLU gets sigma(10000) - 1, is left out with the
    reason. A batch of it and an example whose pass without dropout is decided (input 1:
    sigma(100) - 1 = -e^-100 / (1 + e^-100) < 0, so y = 0 too) leaves out the batch's."""
    spec = write_spec(tmp_path, UNDECIDED)
    assert main(["solve", str(spec), "-o", str(tmp_path / "s.md")]) == 0
    md = (tmp_path / "s.md").read_text(encoding="utf-8")
    assert r"\boxed{\hat{y} = a^{(3)} = 0}" in md
    assert "Without dropout (every mask all ones) the prediction is left out: cannot decide the sign of " in md
    batch = {**UNDECIDED, "input": [[100], [1]], "masks": [UNDECIDED["masks"], [[1], [1], [1, 1]]]}
    assert main(["solve", str(write_spec(tmp_path, batch, "batch.json")), "-o", str(tmp_path / "b.md")]) == 0
    md = (tmp_path / "b.md").read_text(encoding="utf-8")
    assert "Without dropout (every mask all ones) the predictions are left out: example 1: cannot decide the sign of " in md
    assert r"\hat{Y}_{\text{no dropout}}" not in md
    # with keep 1/2 (inverted): at test time nothing is dropped or scaled, so the ReLU gets
    # sigma(10000) - 1 again and that pass is left out too; in a batch, even where the first
    # example's (input 1: sigma(100) - 1 < 0) is decided
    kept = {**UNDECIDED, "dropout": {"convention": "inverted", "keep": "1/2"}}
    assert main(["solve", str(write_spec(tmp_path, kept, "kept.json")), "-o", str(tmp_path / "k.md")]) == 0
    md = (tmp_path / "k.md").read_text(encoding="utf-8")
    assert r"\boxed{\hat{y} = a^{(3)} = 0}" in md
    assert "At test time (`symdrop solve --mode test`) the prediction is left out: cannot decide the sign of " in md
    batch = {**kept, "input": [[1], [100]], "masks": [[[1], [1], [1, 1]], UNDECIDED["masks"]]}
    assert main(["solve", str(write_spec(tmp_path, batch, "kept-batch.json")), "-o", str(tmp_path / "kb.md")]) == 0
    md = (tmp_path / "kb.md").read_text(encoding="utf-8")
    assert "At test time (`symdrop solve --mode test`) the predictions are left out: example 2: cannot decide the sign of " in md
    assert r"\hat{Y}_{\text{test}}" not in md
    capsys.readouterr()


def test_an_lms_question_of_a_spec_whose_mistakes_refuse_is_written_without_them(tmp_path, capsys):
    """solve --format gift of UNDECIDED (y = 0 by hand): the question and its answer are written,
    no mistake's feedback (forgetting the masks meets the undecided sign), and a warning says why."""
    spec = write_spec(tmp_path, UNDECIDED)
    assert main(["solve", str(spec), "--format", "gift", "-o", str(tmp_path / "q.gift")]) == 0
    err = capsys.readouterr().err
    assert err.startswith("symdrop: warning: --format gift: the question names no common mistake") and err.count("\n") == 1
    gift = (tmp_path / "q.gift").read_text(encoding="utf-8")
    assert "=0:0#Right" in gift and "=%0%" not in gift and "common mistake" not in gift
