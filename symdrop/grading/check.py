"""Checking one student's answer to one problem: right or not, which mistake gives it, where the
student went off track, and which later steps are right given the student's own earlier values."""

from dataclasses import dataclass, replace
from fractions import Fraction
from typing import Callable

import sympy

from ..core.forward import forward, layer_values
from ..core.passnumbers import network_numbers
from ..errors import BeyondExact, SymdropError, quote
from ..exercises.kind import Kind
from ..model.network import Network
from .answers import parse_vector


@dataclass(frozen=True)
class Part:
    """One value a student gave: its name (``z1``, ``a1``, ..., ``y``), the value, the right one,
    and whether it is right, or right given the student's own earlier values (carried forward)."""

    name: str
    given: tuple
    expected: tuple
    correct: bool
    carried_forward: bool  # wrong, but what the student's own earlier values give
    given_own: tuple | None = None  # what the student's earlier values give, where it differs
    # Where it is wrong and not carried forward: the named Mistakes whose pass, from the
    # student's own earlier values, gives it (the step where the student made them).
    mistakes: tuple = ()


@dataclass(frozen=True)
class Check:
    """The verdict on one answer (and the parts a student gave)."""

    kind: Kind
    answer: tuple
    expected: tuple
    correct: bool
    mistakes: tuple  # the Mistakes whose answer is the given one
    parts: tuple[Part, ...] = ()
    tolerance: Fraction | None = None
    network: Network | None = None  # the problem checked
    # Why the answer was not compared with the mistakes (a mistake's pass refused where the
    # problem's own did not), or None: the verdict stands, the diagnosis is left out.
    undiagnosed: str | None = None

    @property
    def first_wrong(self) -> Part | None:
        """The first part where the student's values differ from the right ones."""
        return next((p for p in self.parts if not p.correct), None)


def check(kind: Kind, network: Network, answer, values: dict | None = None, tolerance=None,
          fast: bool = True, recorded: Callable[[], tuple | None] | None = None, what: str = "answer") -> Check:
    """Check ``answer`` (numbers, or the text a student typed: read as grade reads a cell, the
    reading of its commas that gives the answer's count, :func:`.answers.parse_vector`; ``what``
    names it in a refusal) to ``network`` as a problem of ``kind``; ``values`` maps part
    names to the student's vectors (forward, inverted and test-time problems); ``tolerance``, if
    given, replaces the kind's own (a kind with irrational answers is graded within one).
    ``fast``: :func:`carried`'s and :func:`_by_rule`'s (the same verdicts: tests/test_check.py).
    ``recorded``: gives the kind's mistakes on ``network`` with their answers as a key recorded
    them, or None (:func:`.keys.recorded_mistakes`; asked only where the answer is wrong or a
    step off track): the answer is compared with those instead of computing them, and the steps
    are followed with the passes of those alone."""
    tolerance = kind.tolerance_for(network) if tolerance is None else tolerance
    expected = tuple(kind.compute_answer(network))
    answer = parse_vector(answer, what, len(expected)) if isinstance(answer, str) else tuple(answer)
    if len(answer) != len(expected):
        raise SymdropError(f"answer: expected {len(expected)} number{'s' if len(expected) > 1 else ''} for a problem of the "
                           f"kind {kind.name}, got {len(answer)} (another kind: --kind KIND)")
    right = equal(answer, expected, tolerance)
    recorded = None if recorded is None or (right and not values) else recorded()
    known, undiagnosed = ((), None) if right else (recorded, None) if recorded is not None else _mistakes(kind, network)
    mistakes = tuple(m for m in known if equal(answer, m.answer, tolerance))
    parts = ()
    if values:
        if not kind.has_layer_values:
            raise SymdropError(f"--values: the kind {kind.name} has no layer values to check (give --answer only)")
        values = {**values, "y": answer}
        parts = carried(kind, network, values, tolerance, fast)
        if any(not (p.correct or p.carried_forward) for p in parts):  # a step off track: which mistake?
            # asked once, not once a part: the mistakes, whether each one's pass is of Python's
            # numbers, and (fast) the layers it changes
            if right or recorded is not None:  # the mistakes' passes were not asked for the answer
                known, undiagnosed = _mistakes(kind, network, recorded)
            ruled = [(m, python, _changed_layers(m.rule, network, kind.mode) if python else None)
                     for m in known if m.rule is not None
                     for python in (fast and _python(m.rule[0]),)]
            try:  # a mistake's pass from the student's own values may meet an undecidable sign
                parts = tuple(_named(p, values, ruled, tolerance) for p in parts)
            except BeyondExact as error:
                undiagnosed = str(error)
    return Check(kind, answer, expected, right, mistakes, parts, tolerance, network, undiagnosed)


def _mistakes(kind: Kind, network: Network, recorded: tuple | None = None) -> tuple[tuple, str | None]:
    """The kind's mistakes on ``network``, or none and the reason where following them refuses: a
    mistake's pass may meet what the problem's own does not (forgetting a mask lets a value
    through a ReLU whose sign is within 2^-4000 of 0). The verdict does not need them. Where a
    key ``recorded`` them and the kind has ``candidates``: those it records, their answers not
    computed (their rules followed from the student's values)."""
    try:
        if recorded is not None and kind.candidates is not None:
            names = {m.name for m in recorded}
            return tuple(m for m in kind.candidates(network) if m.name in names), None
        return tuple(kind.mistakes(network)), None
    except BeyondExact as error:
        return (), str(error)


def _named(part: Part, values: dict, ruled, tolerance) -> Part:
    """``part`` with the mistakes made at its step: where it is wrong and not carried forward,
    those whose pass, with the student's own earlier values put in, gives the value written
    (``ruled``: each mistake with a rule, the ``python`` of :func:`_by_rule`, and the layers
    :func:`_changed_layers` finds it changes). A mistake that changes none of the layers its pass
    computes for a z or a part, from the last a^(k) the student gave, is not followed: its pass is
    then the problem's own from the student's values, which gives what :func:`carried` found,
    not the value written (the part is not carried forward). tests/test_fast_paths.py checks
    the mistakes named against following every one."""
    if part.correct or part.carried_forward:
        return part
    l = None if part.name == "y" else int(part.name[1:])  # y: the pass's a^(L), not what carried compares
    first = None if l is None else max((k + 1 for k in range(1, l) if f"a{k}" in values), default=1)
    found = tuple(m for m, python, changed in ruled
                  if (changed is None or l is None or any(first <= k <= l for k in changed))
                  and equal(part.given, _by_rule(m.rule, values, part.name, python), tolerance))
    return replace(part, mistakes=found) if found else part


def _changed_layers(rule, network: Network, mode: str) -> frozenset | None:
    """The layers whose step a mistake's pass (network, mode, changes) does otherwise than the
    problem's own pass of ``network`` in ``mode``: where it is that pass with other masks or
    activations only, the layers whose input mask (or DropConnect's weight mask) or activation
    differs, and the last where it masks the output; None (any layer) for another network (not
    ``network`` itself: a mistake of the memo made for an equal one is followed), mode or change."""
    own, own_mode, changes = rule
    changes = dict(changes)
    if own is not network or own_mode != mode or not changes.keys() <= {"masks", "activations"}:
        return None
    layers = set()
    if "masks" in changes:
        masks, mine = changes["masks"], network_numbers(network).masks
        if len(masks) < len(mine):
            return None
        layers.update(l for l, (m, o) in enumerate(zip(masks, mine), start=1) if m != o)
        if len(masks) > network.depth:
            layers.add(network.depth)
    if "activations" in changes:
        layers.update(l for l, (a, layer) in enumerate(zip(changes["activations"], network.layers), start=1)
                      if a != layer.activation)
    return frozenset(layers)


def _by_rule(rule, values: dict, name: str, python: bool = False) -> tuple:
    """Part ``name`` of a mistake's pass (network, mode, changes), every a^(k) and z^(k) the
    student gave before it put in place of the pass's own (``python``: as they are, see :func:`_exact`)."""
    network, mode, changes = rule
    l = network.depth if name == "y" else int(name[1:])
    inputs = {k + 1: _exact(values[f"a{k}"], python) for k in range(1, l) if f"a{k}" in values}
    zs = {k: _exact(values[f"z{k}"], python) for k in range(1, l if name[0] == "z" else l + 1) if f"z{k}" in values}
    layer = forward(network, mode, inputs=inputs or None, zs=zs or None, terms=False, depth=l,
                    start=max(inputs, default=1), **dict(changes))[l - 1]
    return layer.z if name[0] == "z" else layer.a


def carried(kind: Kind, network: Network, values: dict, tolerance, fast: bool = True) -> tuple[Part, ...]:
    """Every part the student gave, in order, checked against the right value and against what
    the student's own earlier values give (error carried forward): z^(l) from their a^(l-1)
    (the right one where they gave none), a^(l) = g(their z^(l)). ``fast``: where the student's
    a^(l-1) (or z^(l)) is the right one, rational entry by entry, the pass's own z^(l) (or a^(l))
    is taken rather than computed again, and the student's numbers go into a pass of Python's
    numbers as they are (:func:`_exact`): the same verdicts (tests/test_check.py)."""
    names, mode = kind.part_names(network), kind.mode
    unknown = [name for name in values if name not in names]
    if unknown:
        raise SymdropError(f"values: unknown part {quote(unknown[0])} (expected {', '.join(names)})")
    right = layer_values(network, mode)
    python = fast and _python(network)
    parts = []
    own_a = None  # the student's a^(l-1) as far as they gave it (None: the pass's own)
    for l, layer in enumerate(right, start=1):
        # Layer l alone, from their a^(l-1) (the right one where they gave none): the same values
        # as the pass from x (see forward's start).
        before = own_a if own_a is not None or l == 1 else right[l - 2].a
        inputs = None if before is None else {l: before}
        one = dict(inputs=inputs, terms=False, depth=l, start=l)
        if fast and (l == 1 or _same(before, right[l - 2].a)):  # on track so far: the pass's own
            own_z = layer.z
        else:
            own_z = forward(network, mode, **one)[l - 1].z  # z^(l) from their a^(l-1)
        z = _given(values, f"z{l}", len(layer.z))
        if z is not None:
            parts.append(_part(f"z{l}", z, layer.z, own_z, tolerance))
            own_z = _exact(z, python)
        if fast and _same(own_z, layer.z):
            own_a_l = layer.a
        else:
            own_a_l = forward(network, mode, zs={l: own_z}, **one)[l - 1].a  # g(their z)
        for name in (f"a{l}",) + (("y",) if l == network.depth else ()):
            a = _given(values, name, len(layer.a))
            if a is not None:
                parts.append(_part(name, a, layer.a, own_a_l, tolerance))
                own_a_l = _exact(a, python)
        own_a = own_a_l
    return tuple(parts)


def _same(mine, right) -> bool:
    """Whether ``mine`` are the pass's values ``right``: rationals, equal entry by entry."""
    if mine is right:
        return True
    if len(mine) != len(right):
        return False
    for m, r in zip(mine, right):
        if type(m) in _PYTHON and type(r) in _PYTHON:  # ints and Fractions as they are (_rational's)
            if m == r:
                continue
            return False
        m, r = _rational(m), _rational(r)
        if m is None or r is None or m != r:
            return False
    return True


def _given(values: dict, name: str, size: int):
    if name not in values:
        return None
    value = tuple(values[name])
    if len(value) != size:
        raise SymdropError(f"values.{name}: expected {size} number{'s' if size > 1 else ''}, got {len(value)}")
    return value


def _part(name, given, expected, own, tolerance) -> Part:
    correct = equal(given, expected, tolerance)
    forward_ok = not correct and equal(given, own, tolerance)
    return Part(name, given, tuple(expected), correct, forward_ok, None if equal(own, expected, None) else tuple(own))


def _exact(values, python: bool = False) -> tuple:
    """A student's numbers as the core's pass takes them: SymPy's (a sigmoid of a Fraction
    fails); with ``python``, a pass in int and Fraction (:func:`_python`), as they are (int and
    Fraction: the same values, some 25 times faster to compute with)."""
    return tuple(values) if python else tuple(map(_sym, values))


def _python(network: Network) -> bool:
    """Whether the core's pass of ``network`` computes in int and Fraction (every number rational,
    every activation piecewise linear): a student's rationals then go in as they are."""
    return network_numbers(network).python


def _sym(value) -> sympy.Expr:
    """An exact number (int, Fraction or SymPy) as SymPy's."""
    return sympy.Rational(value.numerator, value.denominator) if isinstance(value, (int, Fraction)) else value


def equal(given, exact, tolerance: Fraction | None = None) -> bool:
    """``given`` equals ``exact`` entry by entry, within ``tolerance`` where one is given (an
    irrational exact value is compared only within a tolerance)."""
    if len(given) != len(exact):
        return False
    for g, e in zip(given, exact):
        if tolerance is None and type(g) in _PYTHON and type(e) in _PYTHON:  # ints and Fractions: ==
            if g == e:
                continue
            return False
        fast = _equal_rationals(g, e, tolerance)
        if fast is not None:
            if not fast:
                return False
            continue
        if not _equal_plain(g, e, tolerance):
            return False
    return True


_PYTHON = frozenset({int, Fraction})  # Python's rationals, compared as they are


def _rational(value) -> int | Fraction | None:
    """``value`` as an int or Fraction where it is one (or a SymPy rational), else None."""
    if type(value) is int or type(value) is Fraction:
        return value
    return Fraction(int(value.p), int(value.q)) if isinstance(value, sympy.Rational) else None


def _equal_rationals(g, e, tolerance) -> bool | None:
    """:func:`_equal_plain` for two rationals without SymPy's sympify (the most of grading's
    comparisons: a student's Fractions against the pass's); None where either is not one."""
    g, e = _rational(g), _rational(e)
    if g is None or e is None:
        return None
    return g == e if tolerance is None else abs(g - e) <= tolerance


def _equal_plain(g, e, tolerance) -> bool:
    """One entry of :func:`equal`: ``g`` equals ``e``, within ``tolerance`` where one is given."""
    e = sympy.sympify(e) if not isinstance(e, (int, Fraction)) else e
    g = sympy.sympify(g) if not isinstance(g, (int, Fraction)) else g
    if any(isinstance(v, sympy.Basic) and not v.is_Rational for v in (g, e)):
        # An irrational value on either side (a key's, or a student's own values recomputed
        # through a sigmoid): within the tolerance, or without one equal to 50 digits.
        off = abs(sympy.N(_sym(e) - _sym(g), 50))
        return not off > (sympy.Rational(1, 10**40) if tolerance is None else tolerance)
    g = Fraction(int(g.p), int(g.q)) if isinstance(g, sympy.Basic) else g
    e = Fraction(int(e.p), int(e.q)) if isinstance(e, sympy.Basic) else Fraction(e)
    return not ((g != e) if tolerance is None else abs(Fraction(g) - e) > tolerance)
