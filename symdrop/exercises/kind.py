"""What an exercise kind is: how to draw a problem, its rules, its mistakes, its derivation and answer."""

import json
import random
from collections import Counter
from dataclasses import dataclass, replace
from fractions import Fraction
from functools import lru_cache
from typing import Callable, Mapping

import sympy

from ..core.derive import Derivation
from ..core.ensemble import Ensemble
from ..model.network import Network
from ..model.spec import to_spec
from ..sympy_internals import entries
from .mistakes import Mistake
from .options import Options


@dataclass(frozen=True)
class Part:
    """One number a student computes on the way to an answer (an LMS's gap, ``--parts``).

    ``name`` says what it is: ``masked`` (an entry of a~^(l)), ``z``, ``a``, ``prediction``,
    ``thinned`` (the k-th thinned network's output), ``mean``, ``test_time``, ``gap``, ``loss``,
    ``delta``, ``grad_weights``, ``grad_bias`` or ``answer``; ``l`` its layer, ``index`` its entry
    (from 1: ``(j,)``, or ``(i, j)`` in a matrix); ``answer`` which number of the answer it is
    (None: a value on the way); ``detail`` what a label shows besides (a thinned network's masks).
    """

    name: str
    value: sympy.Expr
    l: int | None = None
    index: tuple[int, ...] = ()
    answer: int | None = None
    detail: tuple = ()


@dataclass(frozen=True)
class Quantity:
    """One quantity of an answer, as a key heads and writes it: what it is (``part``: the Part of
    its number, or for a whole matrix the Part of its entries without their index), which
    numbers of the answer it is (``numbers``, row by row) and its ``shape`` (rows, columns):
    (1, 1) for one number."""

    part: Part
    numbers: tuple[int, ...]
    shape: tuple[int, int] = (1, 1)

    @property
    def matrix(self) -> bool:
        return len(self.numbers) > 1


def written_rows(values, columns: int) -> list[tuple]:
    """An answer's ``values`` as the key, a feedback page and ``check`` write them: an answer that
    is one matrix (``columns``: :attr:`Kind.answer_columns`) row by row, ``[(0, 2), (0, 24)]``,
    as students write it; any other (``columns`` 0) as one row."""
    values = tuple(values)
    if not columns:
        return [values]
    return [values[i:i + columns] for i in range(0, len(values), columns)]


def answer_quantities(parts: tuple[Part, ...]) -> tuple[Quantity, ...]:
    """The quantities of an answer, from its parts (those with ``answer`` set), in the answer's
    order: the entries (i, j) of one matrix (a backprop's dL/dW^(1), every entry, row by row) are
    one quantity of its shape; any other number is a quantity of its own."""
    found: list[Quantity] = []
    answer = sorted((p for p in parts if p.answer is not None), key=lambda p: p.answer)
    k = 0
    while k < len(answer):
        first = answer[k]
        run = [first]
        while (k + len(run) < len(answer) and len(first.index) == 2
               and (answer[k + len(run)].name, answer[k + len(run)].l) == (first.name, first.l)):
            run.append(answer[k + len(run)])
        rows, columns = (max(p.index[0] for p in run), max(p.index[1] for p in run)) if len(first.index) == 2 else (1, 1)
        grid = [(i, j) for i in range(1, rows + 1) for j in range(1, columns + 1)]
        if len(run) > 1 and [p.index for p in run] == grid:
            found.append(Quantity(replace(first, index=(), value=None), tuple(p.answer for p in run), (rows, columns)))
        else:
            found += [Quantity(p, (p.answer,)) for p in run]
        k += len(run)
    return tuple(found)


@dataclass(frozen=True)
class Smooth:
    """What a kind does with sigmoid or tanh hidden layers (``--activation``, see ``smooth.py``):
    the rules its problems are drawn by, and the tolerance of a problem's answer (a student who
    carries values rounded to the network's ``digits`` places is within it)."""

    rules: Mapping[str, Callable[[Network, Options], bool]]
    tolerance: Callable[[Network], Fraction]


@dataclass(frozen=True, eq=False)  # one object per kind: compared and hashed by identity
class Kind:
    """One kind of exercise, as R/exams has them: a data-generating process, named acceptance
    rules, the mistakes students make, the derivation a worked solution shows, and the answer
    (the meta of the key). Adding a kind is one module (see ``forward.py``), its line in
    ``kinds.py`` and its templates.

    ``draw(rng, options, failures, flow)`` gives one candidate or None (counting in ``failures``
    why a part was drawn again); ``rules`` are checked in order, cheapest first, on candidates
    that were drawn; ``code_text`` is the text whose SHA-256 names a problem (its variant code).
    ``templates`` names the template of each part: the question, the key entry, the solution;
    ``compute_answer`` gives the answer that ``read_answer`` reads off the derivation, from the
    core's pass alone (no derivation: what the rules, check, grade and ``--stats`` ask);
    ``intro`` the paragraph a sheet says once about every kind it holds; ``uses_keep`` whether
    its problems draw keep probabilities (``--keep``); ``parts`` every number a student computes
    on the way, the answer among them (an LMS question's gaps with ``--parts``).

    What code outside the exercises asks of a kind, it asks these, never the name: ``mode``, the
    pass its problems are of (``"test"``: the test-time pass); ``has_layer_values``, whether a student
    may give its layer values z1, a1, ..., y (checked and graded with error carried forward);
    ``key_values``, what its key entry holds beside the answer; ``poses``, whether it is the kind
    of a spec's problem in its mode (``solve --format moodle``, ``check`` without ``--kind``).
    """

    name: str
    title: str
    draw: Callable[[random.Random, Options, Counter, bool], Network | None]
    rules: Mapping[str, Callable[[Network, Options], bool]]
    mistakes: Callable[[Network], tuple[Mistake, ...]]
    derive: Callable[[Network], Derivation | Ensemble]
    read_answer: Callable[[Derivation | Ensemble], tuple]
    compute_answer: Callable[[Network], tuple]  # the answer from the core alone: no derivation
    code_text: Callable[[Network, Options], str]
    check_options: Callable[[Options], None]
    templates: Mapping[str, str]
    intro: str
    uses_keep: bool = False
    # The options its problems are drawn with (a kind may keep a shape of its own, see backprop.py).
    drawn_with: Callable[[Options], Options] = lambda options: options
    parts: Callable[[Derivation | Ensemble], tuple[Part, ...]] = lambda derivation: layer_parts(derivation)
    # the parts that are the answer, as ``parts`` has them, made alone (None: read off ``parts``)
    answer_parts: Callable[[Derivation | Ensemble], tuple[Part, ...]] | None = None
    mode: str = "train"
    has_layer_values: bool = False
    key_values: Callable[[Derivation | Ensemble], dict[str, tuple]] = lambda derivation: {}
    poses: Callable[[Network], bool] = lambda network: False  # by default never a spec's kind
    gives_masks: bool = True  # its problems give one training step's masks (the ensemble's are every mask)
    # Its worked solution begins with its question, restated under a problem's heading (the
    # question holds the data: one unit, a batch, a noise; a forward pass's solution states its
    # network itself).
    restates_question: bool = False
    # The columns of an answer that is one matrix, written row by row as a student writes it
    # (backprop's dL/dW^(1): as many as the network has inputs); 0 for any other answer.
    answer_columns: Callable[[Network], int] = lambda network: 0
    batches: bool = False  # its problems are batches of examples (a Batch, its spec's input a list of rows)
    # its answer is several quantities (a mean and a variance): grade gives each right one its
    # share of the answer's points, where a vector of one quantity is right or wrong as a whole
    graded_by_entry: bool = False
    # its answers are irrational (sigma of a number): right within this tolerance, which check and
    # grade take unless --tolerance gives another, and the key and every LMS export state; None: exact
    tolerance: Fraction | None = None
    # its problems with sigmoid or tanh hidden layers (None: ReLU only)
    smooth: Smooth | None = None
    # Its problems are networks of the sheet's --shape (or of ``drawn_with``'s) with hidden layers;
    # False: a unit, a layer or a batch of its own size (the statistics kinds), for which the
    # shape and the hidden layers' activation mean nothing.
    shaped: bool = True
    # Every mistake ``mistakes`` chooses from, those that give the right answer too, each a pass
    # whose answer is computed when asked (mistakes.Passed): grade follows a working's steps with
    # the rules of those its key lists, no answer computed (None: ``mistakes`` alone).
    candidates: Callable[[Network], list[Mistake]] | None = None

    def rules_for(self, options: Options) -> Mapping[str, Callable[[Network, Options], bool]]:
        """The rules a problem drawn with ``options`` meets (a smooth sheet's own)."""
        return self.smooth.rules if options.smooth and self.smooth is not None else self.rules

    def tolerance_for(self, network: Network) -> Fraction | None:
        """What an answer to ``network`` is right within: the kind's tolerance, or where its
        answer is irrational through sigmoid or tanh layers and the network says to how many
        places (spec key digits, as every smooth sheet's problem does) the tolerance a student
        who carries values rounded to them needs; None: exact."""
        if self.tolerance is not None or self.smooth is None or network.digits is None:
            return self.tolerance
        if not any(layer.g.smooth for layer in network.layers):
            return None
        return self.smooth.tolerance(network)

    def parts_of_answer(self, derivation) -> tuple[Part, ...]:
        """The parts of ``derivation`` that are its answer (``answer`` set), in ``parts``' order."""
        if self.answer_parts is not None:
            return self.answer_parts(derivation)
        return tuple(p for p in self.parts(derivation) if p.answer is not None)

    def part_names(self, network: Network) -> tuple[str, ...]:
        """The values a student can give, in the order they are computed: z1, a1, ..., y (only y
        where the kind has no layer values)."""
        if not self.has_layer_values:
            return ("y",)
        return _layer_parts(len(network.layers))

    def failed_rules(self, network: Network, options: Options) -> list[str]:
        """The names of the rules ``network`` breaks (empty: acceptable)."""
        return [name for name, rule in self.rules_for(options).items() if not rule(network, options)]

    def first_failed_rule(self, network: Network, options: Options) -> str | None:
        """The first rule ``network`` breaks, the later ones not checked (None: acceptable)."""
        return next((name for name, rule in self.rules_for(options).items() if not rule(network, options)), None)


def spec_text(kind: str, network: Network) -> str:
    """A kind's name and a network's spec (exact strings) as one canonical line: the text whose
    SHA-256 names a problem of the kinds that have no older code text to keep (all but forward)."""
    return kind + "\x1f" + json.dumps(to_spec(network), sort_keys=True, separators=(",", ":"))


def prediction_answer(derivation: Derivation) -> tuple:
    """The answer of the kinds whose answer is the derivation's prediction."""
    return tuple(derivation.prediction)


def layer_parts(derivation: Derivation) -> tuple[Part, ...]:
    """What a forward pass asks for, layer by layer: the masked (or scaled) input where it
    differs from the layer's input, z (not of a linear output, where it is the prediction), a of
    each hidden layer, and the prediction (the answer)."""
    found = []
    for step in derivation.steps:
        masked, previous = entries(step.masked_input.value), entries(step.previous)
        if masked != previous:
            found += [Part("masked", v, step.l - 1, (j,)) for j, v in enumerate(masked, 1)]
        if not (step.output and step.layer.activation == "identity"):
            found += [Part("z", v, step.l, (j,)) for j, v in enumerate(entries(step.pre_activation.value), 1)]
        if not step.output:
            found += [Part("a", v, step.l, (j,)) for j, v in enumerate(entries(step.activation.value), 1)]
    prediction = tuple(derivation.prediction)
    return tuple(found) + tuple(Part("prediction", v, derivation.network.depth, (j,) if len(prediction) > 1 else (), answer=j - 1)
                                for j, v in enumerate(prediction, 1))


@lru_cache(maxsize=None)
def _layer_parts(depth: int) -> tuple[str, ...]:
    """z1, a1, ..., z<depth>, a<depth>, y: made once a depth (grade asks twice a problem)."""
    return tuple(n for l in range(1, depth + 1) for n in (f"z{l}", f"a{l}")) + ("y",)
