"""What a self-check page asks on the way to a forward problem's answer (the kinds with layer
values: z^(l) and a^(l) of each layer, the parts ``check --values`` takes), each known mistake's
value at that layer (the mistake's own pass), and the data the page's script carries a student's
own values forward with: each layer's map from a^(l-1) to z^(l), which the problem states."""

import json
from dataclasses import dataclass
from fractions import Fraction

from ..core.forward import forward, layer_values
from ..core.passnumbers import network_numbers
from ..exercises.labels import plain
from ..exercises.kind import Part
from ..exercises.sheet import Exercise

WORDS = {"z": "pre-activations", "a": "activations"}


@dataclass(frozen=True)
class Asked:
    """One layer value asked before the answer: ``key`` as ``check --values`` names it (``z1``),
    its part (for its label), its right numbers and each mistake's (label, numbers) there."""

    key: str
    part: Part
    right: tuple
    wrong: tuple[tuple[str, tuple], ...]


def asked(e: Exercise) -> list[Asked]:
    """The layer values ``e`` asks before its answer, in the order they are computed: each z^(l)
    and a^(l) its worked solution shows (``kind.parts``: no z of a linear output, which is the
    prediction), but a^(L), the answer. None for a kind without layer values."""
    if not e.kind.has_layer_values:
        return []
    shown = {(p.name, p.l) for p in e.kind.parts(e.derivation) if p.name in WORDS}
    depth = e.network.depth
    right = layer_values(e.network, e.kind.mode)
    passes = [(plain(m.label), forward(*m.rule[:2], terms=False, **dict(m.rule[2]))) for m in e.mistakes if m.rule is not None]
    found = []
    for l in range(1, depth + 1):
        for name in WORDS:
            if (name, l) in shown and not (name == "a" and l == depth):
                pick = (lambda layer: layer.z) if name == "z" else (lambda layer: layer.a)
                found.append(Asked(f"{name}{l}", Part(name, None, l), tuple(pick(right[l - 1])),
                                   tuple((label, tuple(pick(values[l - 1]))) for label, values in passes)))
    return found


def carry(e: Exercise) -> str | None:
    """The problem's data the page's script carries a student's values forward with, as JSON:
    for each layer l the matrix A and vector c with z^(l) = A a^(l-1) + c (its weights, masks,
    keep probabilities and the convention's scaling, as the problem states them, folded in) and
    the slope g has below 0 (ReLU 0, identity 1). None where the kind has no layer values or a
    value is irrational (sigmoid or tanh layers): the page then checks each value on its own."""
    network, mode = e.network, e.kind.mode
    if not e.kind.has_layer_values or not network_numbers(network).python:
        return None
    layers = []
    for l, layer in enumerate(network.layers, start=1):
        n = layer.W.cols
        z = lambda a: forward(network, mode, inputs={l: a}, terms=False, depth=l)[l - 1].z  # noqa: E731
        c = z((0,) * n)
        columns = [[v - b for v, b in zip(z(tuple(int(i == j) for i in range(n))), c)] for j in range(n)]
        layers.append({"A": [[str(Fraction(col[i])) for col in columns] for i in range(len(c))],
                       "c": [str(Fraction(v)) for v in c], "slope": str(Fraction(int(layer.g.negative_slope.p),
                                                                                    int(layer.g.negative_slope.q)))})
    return json.dumps({"layers": layers}, separators=(",", ":"))
