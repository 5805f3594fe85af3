"""symdrop check on specs with a keep probability per unit and with DropConnect: every kind's
right answer, each mistake's answer and an unrelated one, all computed by the independent
tests/reference_model.py (the mistake's change made to the reference's model or pass), never
read off symdrop; the CLI, its bad input, and the kind a spec poses."""

import itertools
from dataclasses import replace
from fractions import Fraction

import pytest
import yaml

from symdrop.cli import main
from symdrop.exercises.kinds import KINDS, of_spec
from symdrop.exercises.mistakes import clipping_layers
from symdrop.grading.check import check
from symdrop.model.spec import parse_spec

from . import reference_model as ref
from .conftest import ROOT, TUTORIAL, write_spec

EXAMPLES = ("keep-per-unit.yaml", "dropconnect.yaml")
SEEDS = range(30)


# ---------------------------------------------------------------------------------------------
# the reference's passes with a mistake's change

def y(model, mode="train", masks=None):
    return ref.prediction(model, 0, mode, masks)


def connections(model) -> bool:
    return model.kind == "dropconnect"


def spec_masks(model) -> tuple:
    return model.masks[0]


def filled(mask, value) -> tuple:
    """A mask of the same shape (a vector of units, or a matrix of weights), every entry ``value``."""
    if mask and isinstance(mask[0], tuple):
        return tuple(tuple(Fraction(value) for _ in row) for row in mask)
    return tuple(Fraction(value) for _ in mask)


def ones(model) -> tuple:
    return tuple(filled(mask, 1) for mask in spec_masks(model))


def off(model):
    """The pass without dropout: no masks, no scaling."""
    return y(replace(model, convention="plain"), masks=ones(model))


def with_activation(model, l: int, name: str):
    """Layer l (from 1) with another activation: identity (a ReLU forgotten) or relu."""
    slope = {"identity": Fraction(1), "relu": Fraction(0)}[name]
    layers = list(model.layers)
    layers[l - 1] = replace(layers[l - 1], activation=name, slope=slope)
    return replace(model, layers=tuple(layers))


def one_q(q):
    """The q of a layer's mask when it has one (every entry's equal), else None."""
    flat = [v for row in q for v in (row if isinstance(row, tuple) else (row,))]
    return flat[0] if len(set(flat)) == 1 else None


def bias_scaled(model, times_q: bool):
    """Each layer with one q: its bias times q (weight scaling at test time) or over q (inverted
    training), as the convention scales that layer's weights or input."""
    layers = []
    for layer, q in zip(model.layers, model.keep):
        q = one_q(q)
        factor = 1 if q is None else (q if times_q else 1 / q)
        layers.append(replace(layer, b=tuple(factor * v for v in layer.b)))
    return replace(model, layers=tuple(layers))


def dropped(model):
    """Every q < 1 replaced by the drop probability 1 - q, entry by entry."""
    def swap(q):
        return tuple(swap(v) for v in q) if isinstance(q, tuple) else (1 - q if q != 1 else q)
    return replace(model, keep=swap(model.keep))


def receiving(model) -> tuple:
    """Weight scaling at test time with layer l's own units' q: row i of W(l) times q(l)_i (output: 1)."""
    layers = []
    for l, layer in enumerate(model.layers, start=1):
        q = model.keep[l] if l < len(model.layers) else (Fraction(1),) * len(layer.W)
        layers.append(replace(layer, W=tuple(tuple(qi * w for w in row) for qi, row in zip(q, layer.W))))
    return off(replace(model, layers=tuple(layers)))


def column_masks(model) -> tuple:
    """DropConnect's masks read as masks of units: a weight dropped drops its input, so its column."""
    return tuple(tuple(tuple(min(row[j] for row in M) for j in range(len(M[0]))) for _ in M)
                 for M in spec_masks(model))


def output_dropped(model) -> tuple:
    """The output layer's inputs dropped (with DropConnect every weight of W(L)): y = g(b)."""
    masks = spec_masks(model)
    return y(model, masks=masks[:-1] + (filled(masks[-1], 0),))


def flipped(model) -> tuple:
    """Every mask read as 1 = drop where dropout acts: each entry whose q < 1 flipped, 1 - m; where
    the spec gives no keep probabilities (every q 1), every entry of a mask that drops one."""
    def flip(m, q):
        return tuple(flip(a, b) for a, b in zip(m, q)) if isinstance(m, tuple) else (1 - m if q < 1 else m)

    def flat(m):
        return [v for row in m for v in (row if isinstance(row, tuple) else (row,))]
    if all(q == 1 for Q in model.keep for q in flat(Q)):  # plain masks, no keep: where a mask drops
        return tuple(flip(m, filled(m, 0 if 0 in flat(m) else 1)) for m in spec_masks(model))
    return tuple(flip(m, q) for m, q in zip(spec_masks(model), model.keep))


def mask_mistakes(model, answer) -> dict:
    """The misreadings of the masks, each as ``answer(masks)``: every mask flipped, and any two
    masks of layers where dropout acts, of one shape, that differ, swapped (DropConnect's
    numbered by their weight matrix, from 1; units' by their layer, the input 0)."""
    masks, flips = spec_masks(model), flipped(model)
    found = {"masks_flipped": answer(flips)} if flips != masks else {}
    acting = [l for l, (m, f) in enumerate(zip(masks, flips)) if m != f]
    first = 1 if connections(model) else 0
    for k, l in itertools.combinations(acting, 2):
        if len(masks[k]) == len(masks[l]) and len(masks[k][0] if connections(model) else ()) == len(
                masks[l][0] if connections(model) else ()) and masks[k] != masks[l]:
            swapped = list(masks)
            swapped[k], swapped[l] = masks[l], masks[k]
            found[f"swapped_masks_{k + first}_{l + first}"] = answer(tuple(swapped))
    return found


def activation_mistakes(model, mode: str) -> dict:
    names = [layer.activation for layer in model.layers]
    relus = [l for l, g in enumerate(names[:-1], start=1) if g == "relu"]
    found = {f"forgot_relu_{l}": y(with_activation(model, l, "identity"), mode) for l in relus}
    if len(relus) > 1:
        linear = model
        for l in relus:
            linear = with_activation(linear, l, "identity")
        found["forgot_all_relus"] = y(linear, mode)
    if names[-1] == "identity":
        found["relu_on_output"] = y(with_activation(model, len(names), "relu"), mode)
    return found


def over_masks(model, probability) -> tuple:
    """sum over every mask of the places with q < 1 of probability(bits, qs) y(mask)."""
    places = ref.maskable(model)
    total = [Fraction(0)] * len(model.layers[-1].W)
    for bits in itertools.product((0, 1), repeat=len(places)):
        masks = [[list(row) for row in m] if connections(model) else list(m) for m in ones(model)]
        qs = []
        for bit, place in zip(bits, places):
            if connections(model):
                l, i, j = place
                masks[l][i][j], q = Fraction(bit), model.keep[l][i][j]
            else:
                l, j = place
                masks[l][j], q = Fraction(bit), model.keep[l][j]
            qs.append(q)
        masks = tuple(tuple(map(tuple, m)) if connections(model) else tuple(m) for m in masks)
        p = probability(bits, qs)
        total = [t + p * v for t, v in zip(total, y(model, masks=masks))]
    return tuple(total)


def product(values) -> Fraction:
    result = Fraction(1)
    for v in values:
        result *= v
    return result


# ---------------------------------------------------------------------------------------------
# each kind's answer and mistakes, by the reference

def forward_by_reference(model) -> tuple:
    found = {"forgot_masks": off(model), "dropped_output_bias": output_dropped(model)}
    if connections(model):
        found["masked_units"] = y(model, masks=column_masks(model))
    else:
        found["dropped_output"] = (Fraction(0),) * len(model.layers[-1].W)
    found.update(mask_mistakes(model, lambda masks: y(model, masks=masks)))
    return y(model), {**found, **activation_mistakes(model, "train")}


def inverted_by_reference(model) -> tuple:
    right, found = forward_by_reference(model)
    found.update({
        "forgot_scale": y(replace(model, convention="plain")),
        "scaled_by_drop": y(dropped(model)),
        "scaled_bias": y(bias_scaled(model, times_q=False)),
        "scaled_without_masks": y(model, masks=ones(model)),
    })
    return right, found


def at_test_time_by_reference(model) -> tuple:
    mode = "test"
    if model.convention == "weight-scaling":
        found = {
            "forgot_scale": off(model),
            "applied_masks": y(model),  # weight scaling trains with plain masks
            "scaled_bias": y(bias_scaled(model, times_q=True), mode),
            "scaled_by_drop": y(dropped(model), mode),
            "divided_by_keep": y(replace(model, convention="inverted"), masks=ones(model)),
        }
        if not connections(model):
            found["receiving_q"] = receiving(model)
    else:
        found = {
            "scaled_twice": y(replace(model, convention="weight-scaling"), mode),
            "divided_at_test": y(model, masks=ones(model)),
            "applied_masks": y(model),
            "applied_masks_unscaled": y(replace(model, convention="plain")),
        }
    return y(model, mode), {**found, **activation_mistakes(model, mode)}


def ensemble_by_reference(model) -> tuple:
    inverted = model.convention == "inverted"
    approximation = model if model.convention != "plain" else replace(model, convention="weight-scaling")
    n = len(ref.maskable(model))
    found = {
        "weight_scaling_mean": y(approximation, "test"),
        "unweighted_mean": over_masks(model, lambda bits, qs: Fraction(1, 2 ** n)),
        "swapped_keep_drop": over_masks(model, lambda bits, qs: product(1 - q if b else q for b, q in zip(bits, qs))),
    }
    if inverted:
        found["forgot_scale"] = ref.ensemble_mean(replace(model, convention="plain"))
    else:
        found["forgot_masks"] = off(model)
    return ref.ensemble_mean(model), found


def gradients(model, *, mask_back=True, scale_back=True, unmasked_input=False, unmasked_weights=False,
              relu_one=False, sign_flipped=False) -> tuple:
    """dL/dW(1), rows flattened, of the squared loss by the chain rule over the reference's
    forward steps, with a backward mistake's change."""
    steps = ref.forward(model, 0, "train")
    divide = model.convention == "inverted"
    grad = ref.loss_gradient(model.loss, steps[-1].a, model.targets[0])
    if sign_flipped:
        grad = tuple(-g for g in grad)
    for l in range(len(model.layers), 0, -1):
        layer, step, q = model.layers[l - 1], steps[l - 1], model.keep[l - 1]
        slope = [Fraction(1) if relu_one and layer.activation == "relu" else layer.dg(z) for z in step.z]
        delta = [g * s for g, s in zip(grad, slope)]
        inputs = step.a_prev if unmasked_input else step.masked_input
        factor = step.factor
        if connections(model):
            M = spec_masks(model)[l - 1]
            factor = tuple(tuple(Fraction(m if mask_back else 1) / (qij if divide and scale_back else 1)
                                 for m, qij in zip(mrow, qrow)) for mrow, qrow in zip(M, q))
        first = [d * x * f for d, frow in zip(delta, factor) for x, f in zip(inputs, frow)]
        W = layer.W if unmasked_weights else step.weights
        back = [sum((W[i][j] * delta[i] for i in range(len(delta))), Fraction(0)) for j in range(len(inputs))]
        scale = step.scale
        if not connections(model):
            mu = spec_masks(model)[l - 1]
            scale = [Fraction(m if mask_back else 1) / (qj if divide and scale_back else 1) for m, qj in zip(mu, q)]
        grad = tuple(s * v for s, v in zip(scale, back))
    return tuple(first)


def backprop_by_reference(model) -> tuple:
    found = {
        "backward_forgot_mask": gradients(model, mask_back=False),
        "relu_derivative_one": gradients(model, relu_one=True),
        "sign_flipped": gradients(model, sign_flipped=True),
        "forward_forgot_mask": gradients(replace(model, masks=(ones(model),))),
        **mask_mistakes(model, lambda masks: gradients(replace(model, masks=(masks,)))),
    }
    if model.convention == "inverted":
        found["backward_forgot_scale"] = gradients(model, scale_back=False)
    if connections(model):
        found["backward_unmasked_weights"] = gradients(model, unmasked_weights=True)
        found["masked_units"] = gradients(replace(model, masks=(column_masks(model),)))
    else:
        found["unmasked_input"] = gradients(model, unmasked_input=True)
    return gradients(model), found


BY_REFERENCE = {"forward": forward_by_reference, "inverted": inverted_by_reference, "test-time": at_test_time_by_reference,
                "ensemble": ensemble_by_reference, "backprop": backprop_by_reference}


def kinds_of(spec: dict) -> list[str]:
    """The kinds a spec's problem can be posed as: a training pass always (inverted where the
    convention divides by q); test time where the convention has one; the mean and the gradients
    (keep and target are given)."""
    convention = spec["dropout"].get("convention", "plain")
    found = ["forward"] + (["inverted"] if convention == "inverted" else [])
    if convention != "plain":
        found.append("test-time")
    return found + ["ensemble", "backprop"]


def preferred(found: dict, right: tuple) -> set[str]:
    """The mistakes a key lists, by the rules of symdrop.exercises.mistakes.applicable: those whose
    answer differs from the right one, but forgetting every ReLU where forgetting one gives its
    answer, and dropping the output where ReLU on the output gives its answer (the likelier named)."""
    listed = {name for name, answer in found.items() if tuple(answer) != tuple(right)}
    singles = {tuple(found[n]) for n in listed if n.startswith("forgot_relu_")}
    if "forgot_all_relus" in listed and tuple(found["forgot_all_relus"]) in singles:
        listed.discard("forgot_all_relus")
    if "dropped_output" in listed and tuple(found["dropped_output"]) == tuple(found.get("relu_on_output", ())):
        listed.discard("dropped_output")
    return listed


def unrelated(right: tuple, found: dict) -> tuple:
    """A wrong answer no mistake gives: the right one plus 1/7919 in every entry."""
    assert all(isinstance(v, Fraction) for v in right)  # exact, as every mistake's below
    answer = tuple(v + Fraction(1, 7919) for v in right)
    assert answer not in {tuple(v) for v in found.values()}
    return answer


def assert_checked(spec: dict, kind_name: str) -> set[str]:
    """The right answer is accepted, each mistake's answer names that mistake (and every other
    listed mistake that gives the same), an unrelated answer names none; the mistakes listed
    are those the reference finds. The names seen."""
    network, model, kind = parse_spec(spec), ref.read(spec), KINDS[kind_name]
    right, found = BY_REFERENCE[kind_name](model)
    assert all(isinstance(v, Fraction) for answer in found.values() for v in answer)
    assert check(kind, network, right).correct, (spec["title"], kind_name)
    listed = {m.name for m in kind.mistakes(network)}
    assert listed == preferred(found, right), (spec["title"], kind_name)
    for name in listed:
        result = check(kind, network, found[name])
        same = {n for n in listed if tuple(found[n]) == tuple(found[name])}
        assert not result.correct and {m.name for m in result.mistakes} == same, (spec["title"], kind_name, name)
    result = check(kind, network, unrelated(right, found))
    assert not result.correct and not result.mistakes
    return listed


def example(name: str) -> dict:
    return yaml.safe_load((ROOT / "examples" / name).read_text(encoding="utf-8"))


# ---------------------------------------------------------------------------------------------
# the tests

@pytest.mark.parametrize("name", EXAMPLES)
@pytest.mark.parametrize("kind", list(BY_REFERENCE))
def test_the_examples_every_kind(name, kind):
    assert assert_checked(example(name), kind)


@pytest.mark.parametrize("draw", [ref.per_unit_spec, ref.dropconnect_spec], ids=["per-unit", "dropconnect"])
def test_random_specs_every_kind_that_applies(draw):
    seen = set()
    for seed in SEEDS:
        spec = draw(seed)
        for kind in kinds_of(spec):
            seen |= assert_checked(spec, kind)
    # the sweep reaches the mistakes of this model (not only the shared ones)
    new = {"masked_units", "backward_unmasked_weights"} if draw is ref.dropconnect_spec else {"receiving_q", "unmasked_input"}
    assert new <= seen and {"scaled_by_drop", "swapped_keep_drop", "scaled_bias", "dropped_output_bias"} <= seen, seen
    docs = (ROOT / "docs" / "dropout.md").read_text(encoding="utf-8")
    assert all(f"`{name}`" in docs for name in seen if not name.startswith(("forgot_relu_", "swapped_masks_"))), seen


@pytest.mark.parametrize("second, used", [([[0, 1]], [0]), ([[1, 0]], [0]), ([[0, 0]], [])])
def test_a_relu_acts_where_some_kept_weight_reads_its_unit(second, used):
    """DropConnect: z(1) = (-1, -2), both clipped by ReLU; in training unit j of layer 1 is used
    where column j of M(2) keeps a weight: unit 2, then unit 1, then neither (a ReLU clipping
    only units no kept weight reads changes nothing a student writes). At test time every weight
    is there."""
    spec = {"input": [1], "layers": [{"weights": [[-1], [-2]], "bias": [0, 0]}, {"weights": [[1, 1]], "bias": [0]}],
            "masks": [[[1], [1]], second], "dropout": {"kind": "dropconnect", "convention": "weight-scaling", "keep": "1/2"}}
    assert clipping_layers(parse_spec(spec)) == used
    assert clipping_layers(parse_spec(spec), "test") == [0]


def test_the_example_mistakes_by_hand():
    """examples/dropconnect.yaml: x = (1, 2), W~(1) = M . W / (1/2) = [[2, 0], [4, 2], [0, 2]],
    z(1) = (2, 9, 3), a(1) = (2, 9, 3); W~(2) = [[1 * 2, 1 * 3/2, 0]], y = 4 + 27/2 + 1 = 37/2.
    Masking units: columns with a 0 (both) drop x, so z(1) = b, a(1) = (0, 1, 0); W(2)'s
    column 3 drops a(1)_3 = 0: y = 3/2 + 1 = 5/2."""
    network = parse_spec(example("dropconnect.yaml"))
    assert check(KINDS["inverted"], network, (Fraction(37, 2),)).correct
    assert [m.name for m in check(KINDS["inverted"], network, (Fraction(5, 2),)).mistakes] == ["masked_units"]


def as_text(values) -> str:
    return "; ".join(str(v) for v in values)


@pytest.mark.parametrize("name", EXAMPLES)
def test_check_from_the_command_line_default_and_every_kind(name, capsys):
    spec = example(name)
    model = ref.read(spec)
    default = "inverted" if spec["dropout"]["convention"] == "inverted" else "forward"
    for kind in [None] + kinds_of(spec):
        right, found = BY_REFERENCE[kind or default](model)
        args = ["check", str(ROOT / "examples" / name)] + ([] if kind is None else ["--kind", kind])
        assert main([*args, "--answer", as_text(right)]) == 0, kind
        assert "Correct" in capsys.readouterr().out
        wrong = sorted(preferred(found, right))[0]
        assert main([*args, "--answer", as_text(found[wrong]), "--format", "json"]) == 1
        assert wrong in capsys.readouterr().out


@pytest.mark.parametrize("convention, train, test", [
    ("plain", "forward", None), ("inverted", "inverted", "test-time"), ("weight-scaling", "forward", "test-time")])
@pytest.mark.parametrize("draw", [ref.per_unit_spec, ref.dropconnect_spec], ids=["per-unit", "dropconnect"])
def test_the_kind_a_spec_poses(draw, convention, train, test):
    network = parse_spec(draw(0, conventions=(convention,)))
    assert of_spec(network).name == train
    if test is not None:
        assert of_spec(network, "test").name == test


@pytest.mark.parametrize("spec, args, message", [
    (TUTORIAL, ["--kind", "ensemble"], "dropout.keep: missing (required for the ensemble mean)"),
    (TUTORIAL, ["--kind", "inverted"], "dropout.keep: missing (required by the inverted kind"),
    (TUTORIAL, ["--kind", "test-time"], "dropout.keep: missing (required for the test-time pass of plain masks"),
    (TUTORIAL, ["--kind", "backprop"], "target: missing"),
    (ROOT / "examples" / "dropconnect.yaml", ["--kind", "backprop"], "answer: expected 6 numbers for a problem of the kind backprop, got 1"),
    (ROOT / "examples" / "keep-per-unit.yaml", ["--kind", "nope"], "unknown exercise kind"),
])
def test_bad_check_input_is_one_line_exit_2(spec, args, message, capsys):
    assert main(["check", str(spec), *args, "--answer", "1"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err, err


@pytest.mark.parametrize("dropconnect, message", [
    (True, "the ensemble kind: 24 maskable weights (keep q < 1)"), (False, "the ensemble kind: 17 maskable units")])
def test_too_many_masks_to_list_is_one_line_exit_2(dropconnect, message, tmp_path, capsys):
    """The ensemble kind passes every mask one by one: at most 2^16 of them, else one line."""
    layers = [{"weights": [[1] * 9] * 8 if not dropconnect else [[1] * 5] * 4, "bias": [0] * (4 if dropconnect else 8)},
              {"weights": [[1] * (4 if dropconnect else 8)], "bias": [0]}]
    spec = {"input": [1] * (5 if dropconnect else 9), "layers": layers}
    if dropconnect:
        spec.update(masks=[[[1] * 5] * 4, [[1] * 4]], dropout={"kind": "dropconnect", "convention": "inverted", "keep": "1/2"})
    else:
        spec.update(masks=[[1] * 9, [1] * 8], dropout={"convention": "inverted", "keep": ["1/2", ["1/2"] * 7 + ["2/3"]]})
    assert main(["check", str(write_spec(tmp_path, spec)), "--kind", "ensemble", "--answer", "1"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err, err
