"""A mistake a student makes, the wrong answer it gives, and the mistakes every kind shares.

Every mistake is the core's pass with one change (to the network, the masks, the rule or the
activations), never a pass of its own; docs/dropout.md explains each in words.
"""

from dataclasses import dataclass, field, replace
from functools import cached_property

import sympy
from sympy import ImmutableMatrix, MatrixBase

from ..core.forward import layer_values, prediction
from ..core.passnumbers import network_numbers, with_dropout
from ..model.conventions import Convention
from ..model.network import Network
from ..numbers import to_sympy
from ..sympy_internals import entries, rational_matrix


@dataclass(frozen=True)
class Mistake:
    """A mistake on a problem and the answer it gives."""

    name: str  # stable identifier, e.g. "forgot_relu_2"
    label: str  # how the answer key names it: words, its formulas as TeX between $ signs (exercises/labels.py)
    answer: tuple  # exact numbers
    # The student's pass where the mistake is one (network, mode, changes to the core's forward
    # pass): check follows it from a student's own values, to name the mistake at the step where
    # it was made. None for the kinds whose answer is no forward pass.
    rule: tuple | None = field(default=None, compare=False, repr=False)
    # Whether the rule mistakes_distinct holds its answer apart from the other mistakes'. The
    # misreadings of the masks often give another mistake's answer by construction (every unit
    # clipped to 0 gives y = g(b), as dropping the output's inputs does): they stay listed, and
    # an answer that several mistakes give names them all.
    distinct: bool = field(default=True, compare=False)


class Passed(Mistake):
    """A :class:`Mistake` that is the core's forward pass with one change (its ``rule``), its
    answer computed when first asked: grade follows a working's steps with the rules of the
    mistakes its key lists, and asks none of their answers (``Kind.candidates``)."""

    def __init__(self, name: str, label: str, rule: tuple, distinct: bool = True, numeric: bool = False,
                 memo: bool = True, answer: tuple | None = None):
        self.__dict__.update(name=name, label=label, rule=rule, distinct=distinct, _how=(numeric, memo))  # frozen
        if answer is not None:  # dataclasses.replace passes every field, the answer computed
            self.__dict__["answer"] = answer

    def __eq__(self, other):
        """Equal to a :class:`Mistake` of the same name, label and answer, as ``passed`` made
        before answers were computed when asked (a dataclass's ``__eq__`` wants one class)."""
        if not isinstance(other, Mistake):
            return NotImplemented
        return (self.name, self.label, self.answer) == (other.name, other.label, other.answer)

    __hash__ = Mistake.__hash__

    @cached_property  # kept in the instance once computed: later reads are an attribute's
    def answer(self) -> tuple:
        network, mode, changes = self.rule
        numeric, memo = self._how
        return prediction(network, mode, numeric=numeric, memo=memo, **dict(changes))


def passed(name: str, label: str, network: Network, mode: str = "train", *, distinct: bool = True,
           numeric: bool = False, once: bool = False, **changes) -> Mistake:
    """A mistake that is the core's forward pass of ``network`` in ``mode`` with ``changes``
    (``numeric``: its answer as 40-digit decimals, what the rules of a sigmoid or tanh network
    compare; ``once``: no one asks for this pass again, a network made for the mistake by
    :func:`with_keep` or :func:`receiving` or the problem's own in a mode it is not graded in, and
    its exact pass is not memoized: it would push problems' own passes out of the memo). Its
    answer is computed when first asked (:class:`Passed`)."""
    return Passed(name, label, (network, mode, tuple(changes.items())), distinct, numeric, numeric or not once)


def answered(mistakes) -> tuple[Mistake, ...]:
    """``mistakes``, each one's answer computed now (:class:`Passed` computes it when asked):
    a pass that refuses (``errors.BeyondExact``) refuses the kind's mistakes, where it is caught."""
    found = tuple(mistakes)
    for m in found:
        m.answer  # noqa: B018 (asked for its side: the pass computed here)
    return found


def applicable(answer: tuple, candidates) -> tuple[Mistake, ...]:
    """The mistakes one can make on a problem: those whose answer differs from ``answer`` (a
    mistake that gives the right answer is not one a student can make there).

    Two mistakes give the same answer by construction in places, and there the key names the
    one a student more likely made: with every output negative, ReLU on the output gives 0, as
    dropping the output unit does ("ReLU on the output" is listed); and forgetting every ReLU
    gives the answer of forgetting one layer's where only that one acts (the layer is listed).
    Any other two mistakes with one answer make the kind's rule mistakes_distinct reject the
    problem."""
    found = [m for m in candidates if m.answer != answer]
    answers = {m.name: m.answer for m in found}
    singles = {m.answer for m in found if m.name.startswith("forgot_relu_")}
    return tuple(
        m for m in found
        if not (m.name == "forgot_all_relus" and m.answer in singles)
        and not (m.name == "dropped_output" and answers.get("relu_on_output") == m.answer)
    )


def distinct(mistakes) -> bool:
    """No two mistakes give the same answer (the misreadings of the masks aside, see
    :attr:`Mistake.distinct`): a wrong answer names exactly one of the others."""
    answers = [m.answer for m in mistakes if m.distinct]
    return len(set(answers)) == len(answers)


def grouped(mistakes) -> list[tuple[list[str], tuple]]:
    """The mistakes' answers, one entry per distinct answer with the labels of all that give it."""
    by_answer: dict[tuple, list[str]] = {}
    for m in mistakes:
        by_answer.setdefault(m.answer, []).append(m.label)
    return list(by_answer.items())


def clipping_layers(network: Network, mode: str = "train") -> list[int]:
    """The hidden layers (from 0) whose ReLU acts in the pass of ``mode``: it clips a negative
    pre-activation of a unit the next layer uses (in training: keeps, or with DropConnect reads
    through some kept weight). Forgetting such a ReLU is a mistake one can make; elsewhere the
    student's values are the right ones."""
    values = layer_values(network, mode)
    masks = network_numbers(network).masks
    return [
        l for l in range(network.depth - 1)
        if network.layers[l].activation == "relu"
        and any(z < 0 and (mode != "train" or used) for z, used in zip(values[l].z, _used(network, masks[l + 1])))
    ]


def _used(network: Network, mask) -> tuple[bool, ...]:
    """Whether the layer a mask reads uses each unit of its input in training: the unit's mask
    keeps it, or (DropConnect, a mask the shape of W) some weight of its column is kept."""
    if network.dropout.connections:
        return tuple(any(row[j] == 1 for row in mask) for j in range(len(mask[0])))
    return tuple(m == 1 for m in mask)


def activation_mistakes(network: Network, mode: str = "train", **changes) -> list[Mistake]:
    """Forgot a hidden layer's ReLU (each layer where it acts), forgot every ReLU, and ReLU on a
    linear output, in the pass of ``mode`` (with ``changes`` to the core's pass); of a network
    whose hidden layers are sigmoid or tanh, :func:`smooth_mistakes`."""
    names = [layer.activation for layer in network.layers]
    if any(layer.g.smooth for layer in network.layers[:-1]):
        return smooth_mistakes(network, mode, **changes)
    found = []
    for l in clipping_layers(network, mode):
        skipped = names[:l] + ["identity"] + names[l + 1:]
        found.append(passed(f"forgot_relu_{l + 1}", f"forgot the ReLU on hidden layer {l + 1}", network, mode,
                            activations=tuple(skipped), **changes))
    relu_layers = [l for l in range(network.depth - 1) if names[l] == "relu"]
    if len(relu_layers) > 1:
        linear = ["identity" if l in relu_layers else g for l, g in enumerate(names)]
        found.append(passed("forgot_all_relus", "forgot every ReLU", network, mode, activations=tuple(linear),
                            **changes))
    if names[-1] == "identity":
        found.append(passed("relu_on_output", "applied ReLU on the linear output", network, mode,
                            activations=tuple(names[:-1] + ["relu"]), **changes))
    return found


def smooth_mistakes(network: Network, mode: str = "train", **changes) -> list[Mistake]:
    """Forgot a sigmoid or tanh hidden layer's activation (a = z, each such layer), and applied
    the hidden layers' activation on a linear output (ReLU's mistakes mean nothing here)."""
    names = [layer.activation for layer in network.layers]
    found = []
    for l, name in enumerate(names[:-1]):
        if network.layers[l].g.smooth:
            skipped = names[:l] + ["identity"] + names[l + 1:]
            found.append(passed(f"forgot_{name}_{l + 1}", f"forgot the {name} on hidden layer {l + 1} (took $a = z$)",
                                network, mode, activations=tuple(skipped), **changes))
    smooth = next((name for layer, name in zip(network.layers, names) if layer.g.smooth), None)
    if names[-1] == "identity":
        found.append(passed(f"{smooth}_on_output", f"applied the {smooth} on the linear output", network, mode,
                            activations=tuple(names[:-1] + [smooth]), **changes))
    return found


def output_mistakes(network: Network, numeric: bool = False) -> list[Mistake]:
    """Dropped the output unit (a mask on y), or dropped the output layer's inputs (y = g(b)).

    With DropConnect, which masks no unit, the first has no meaning; the second drops every
    weight of the output layer (its bias left). ``numeric``: the answers as 40-digit decimals."""
    masks = network_numbers(network).masks
    if network.dropout.connections:
        dropped = tuple(tuple(0 for _ in row) for row in masks[-1])
        return [passed("dropped_output_bias", "dropped every weight of the output layer, its bias left", network,
                       masks=masks[:-1] + (dropped,), numeric=numeric)]
    outputs = network.layers[-1].units
    inputs = tuple(0 for _ in masks[-1])
    return [
        passed("dropped_output", "dropped the output unit: $y = 0$", network, masks=masks + ((0,) * outputs,),
               numeric=numeric),
        passed("dropped_output_bias", "dropped the output unit's inputs, its bias left", network,
               masks=masks[:-1] + (inputs,), numeric=numeric),
    ]


def mask_changes(network: Network) -> list[tuple[str, str, tuple]]:
    """Two misreadings of the masks, as (id, label, the masks the student used): every mask read
    as 1 = drop (``masks_flipped``), and the masks of two layers swapped (``swapped_masks_k_l``,
    any two of one shape that differ; with DropConnect the weight masks M^(k), M^(l)). Only
    entries where dropout acts are read so: with keep probabilities those whose q < 1, without
    them every entry of a mask that drops one (the tutorial's input mask of ones is no dropout)."""
    values = network_numbers(network)
    masks, keep = values.masks, values.keep
    flipped = tuple(_flip(mask, None if keep is None else keep[l], keep is None and 0 in _flat(mask))
                    for l, mask in enumerate(masks))
    found = []
    if flipped != masks:
        found.append(("masks_flipped", "read the masks as 1 = drop: dropped the kept units and kept the dropped ones",
                      flipped))
    acting = [l for l, (mask, flip) in enumerate(zip(masks, flipped)) if mask != flip]
    for i, k in enumerate(acting):
        for l in acting[i + 1:]:
            if _shape(masks[k]) == _shape(masks[l]) and masks[k] != masks[l]:
                swapped = list(masks)
                swapped[k], swapped[l] = masks[l], masks[k]
                found.append(_swap(network, k, l, tuple(swapped)))
    return found


def _swap(network: Network, k: int, l: int, masks: tuple) -> tuple[str, str, tuple]:
    if network.dropout.connections:  # M^(1) .. M^(L): the masks of the weight matrices
        return f"swapped_masks_{k + 1}_{l + 1}", f"swapped the weight masks of layers {k + 1} and {l + 1}", masks
    which = f"the input and hidden layer {l}" if k == 0 else f"hidden layers {k} and {l}"
    return f"swapped_masks_{k}_{l}", f"swapped the masks of {which}", masks


def _flip(mask, q, drops: bool):
    """``mask`` with 1 - m where dropout acts on the entry: its q < 1 (``q`` one number, one per
    unit, or rows of one per weight), or without keep probabilities, where the mask ``drops``."""
    if isinstance(mask, tuple):
        qs = q if isinstance(q, tuple) else (q,) * len(mask)
        return tuple(_flip(m, s, drops) for m, s in zip(mask, qs))
    acts = drops if q is None else bool(q < 1)
    return 1 - mask if acts else mask


def _flat(mask) -> list:
    return [v for row in mask for v in row] if mask and isinstance(mask[0], tuple) else list(mask)


def _shape(mask) -> tuple:
    return (len(mask), len(mask[0])) if mask and isinstance(mask[0], tuple) else (len(mask),)


def masked_units(network: Network, numeric: bool = False) -> Mistake:
    """DropConnect: masked the units instead of the weights (the training pass with :func:`unit_masks`)."""
    return passed("masked_units", "masked the units instead of the weights: a dropped weight taken to drop its input",
                  network, masks=unit_masks(network), numeric=numeric)


def unit_masks(network: Network) -> tuple:
    """DropConnect's weight masks as a student who masks units instead reads them: a dropped
    weight drops its input unit, so every weight of a column with a 0 is dropped (M'_ij =
    min_k M_kj), each kept one still divided by its own q where the convention divides."""
    return tuple(tuple(tuple(min(row[j] for row in mask) for j in range(len(row))) for row in mask)
                 for mask in network_numbers(network).masks)


def with_keep(network: Network, keep, convention: Convention | None = None) -> Network:
    """``network`` with other keep probabilities (and convention): the network a student who
    mixed them up computes with."""
    dropout = replace(network.dropout, keep=tuple(map(to_sympy, keep)),
                      convention=convention or network.dropout.convention)
    return with_dropout(network, replace(network, dropout=dropout))


def drop_for_keep(network: Network) -> Network:
    """The keep/drop confusion: every q < 1 replaced by the drop probability p = 1 - q (each q
    of a mask that has one per unit or per weight)."""
    keep = network.dropout.require_keep("for the keep/drop confusion")
    return with_keep(network, [q.applyfunc(_drop) if isinstance(q, MatrixBase) else _drop(q) for q in keep])


def drop_numbers(keep: tuple) -> tuple:
    """The keep/drop confusion on the core's keep probabilities (:func:`symdrop.core.passnumbers.network_numbers`:
    one number, or a tuple per unit, or rows per weight): every q < 1 replaced by 1 - q."""
    return tuple(drop_numbers(q) if isinstance(q, tuple) else _drop(q) for q in keep)


def _drop(q):
    return 1 - q if q != 1 else q


def ones(network: Network) -> tuple:
    """Masks that keep every unit (with DropConnect every weight), as the core's numbers."""
    return tuple(tuple(tuple(1 for _ in row) for row in mask) if network.dropout.connections else tuple(1 for _ in mask)
                 for mask in network_numbers(network).masks)


def receiving(network: Network) -> Network:
    """The network whose pass without dropout is weight scaling with the receiving layer's q:
    W^(l) scaled by the keep of layer l's own units, row i by its q_i (the output: by 1)."""
    keep = network.dropout.require_keep("for the receiving layer's q")
    layers = []
    for l, layer in enumerate(network.layers, start=1):
        q = keep[l] if l < network.depth else 1
        scales = entries(q) if isinstance(q, MatrixBase) else (sympy.sympify(q),) * layer.units
        rows, cols = layer.W.rows, layer.W.cols
        scaled = [scales[i] * w for i in range(rows) for w in entries(layer.W)[i * cols:(i + 1) * cols]]
        # Rationals (every generated problem) made as SymPy holds them (SymPy's general constructor
        # took 2 ms a network); a symbol q the general way.
        W = rational_matrix(rows, cols, scaled) if all(v.is_Rational for v in scaled) else ImmutableMatrix(rows, cols, scaled)
        layers.append(replace(layer, W=W))
    return replace(network, layers=tuple(layers))
