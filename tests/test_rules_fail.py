"""Every rule of every kind (and of every kind with an option, variance:alone) can fail. For each rule either a candidate the kind itself draws that
the rule rejects, or, for the rules its draw meets by construction (it redraws a layer that would
break them), a drawn candidate changed by hand to break it; keep_not_half has hand-made cases in
tests/test_kinds.py. The breaks are checked with the fractions reference."""

from collections import Counter
from dataclasses import replace

import pytest
import sympy

from symdrop.exercises.generate import generate, stream
from symdrop.exercises.kinds import KINDS, get
from symdrop.exercises.kinds import OPTIONS as WITH_OPTIONS
from symdrop.exercises.options import Options
from symdrop.model.batch import Batch
from symdrop.model.spec import to_spec

from . import reference
from .reference import Spec

OPTIONS = {"decimal_answers": Options(answers="decimal")}
MODE = {"test-time": "test", "ensemble": "test"}


def zero_pre_activation(network, kind):
    """Hidden unit 1 of layer 1 gets the bias that makes its z exactly 0 (in the kind's pass)."""
    p = Spec(to_spec(network))
    z = reference.forward(p.x, p.layers, p.masks, p.convention, p.keep, MODE.get(kind, "train"))[0][1][0]
    layer = network.layers[0]
    b = layer.b.as_mutable()
    b[0] = b[0] - sympy.Rational(z.numerator, z.denominator)
    broken = replace(network, layers=(replace(layer, b=sympy.ImmutableMatrix(b)),) + network.layers[1:])
    q = Spec(to_spec(broken))
    assert reference.forward(q.x, q.layers, q.masks, q.convention, q.keep, MODE.get(kind, "train"))[0][1][0] == 0
    return broken


def keep_every_unit(network, kind):
    """Hidden masks all ones: no mask drops an active unit."""
    return replace(network, masks=network.masks[:1] + tuple(sympy.ImmutableMatrix.ones(m.rows, 1)
                                                            for m in network.masks[1:]))


def large_input(network, kind):
    """x times 40 (every example's, in a batch): the first layer's values leave +-99."""
    if isinstance(network, Batch):
        return replace(network, examples=tuple(replace(e, x=e.x * 40) for e in network.examples))
    return replace(network, x=network.x * 40)


def one_sign(network, kind):
    """Every first-layer term w_ij x_j positive: W_ij = |W_ij| sign(x_j)."""
    layer = network.layers[0]
    W = sympy.ImmutableMatrix(layer.W.rows, layer.W.cols, lambda i, j: abs(layer.W[i, j]) * sympy.sign(network.x[j]))
    return replace(network, layers=(replace(layer, W=W),) + network.layers[1:])


def targets_above_bias(batch, kind):
    """Every example's target 1 above the bias (penalty:minimiser: the targets on one side of b)."""
    b = batch.layers[0].b[0]
    return replace(batch, examples=tuple(replace(e, target=sympy.ImmutableMatrix([b + 1])) for e in batch.examples))


BY_HAND = {"no_relu_zero": zero_pre_activation, "masks_drop_active_units": keep_every_unit,
           "masks_matter_backward": keep_every_unit, "hand_computable": large_input, "signs_balanced": one_sign}
# A kind whose rule of that name means something else, broken its own way.
BY_KIND = {("penalty:minimiser", "signs_balanced"): targets_above_bias}
# Kinds whose draws break a rule of BY_HAND by themselves (their candidates show it failing).
DRAWN_BREAKING = {"signs_balanced": ("penalty", "noise"), "no_relu_zero": ("dropconnect:forward",)}
CASES = [(kind, rule) for kind in (*KINDS, *WITH_OPTIONS) for rule in get(kind).rules if rule != "keep_not_half"]


@pytest.mark.parametrize("kind, rule", CASES)
def test_each_rule_can_fail(kind, rule):
    k = get(kind)
    options = OPTIONS.get(rule, Options())
    check = k.rules[rule]
    if (kind, rule) in BY_KIND or (rule in BY_HAND and kind not in DRAWN_BREAKING.get(rule, ())):
        network = generate(stream(1, "break", rule), options, k)
        assert check(network, options)
        assert not check(BY_KIND.get((kind, rule), BY_HAND.get(rule))(network, kind), options)
        return
    for seed in range(3000):
        network = k.draw(stream(seed, "rule", rule), options, Counter(), False)
        if network is not None and not check(network, options):
            return
    pytest.fail(f"{kind}: rule {rule} accepted 3000 candidates")
