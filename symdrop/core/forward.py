"""The one exact forward pass: every layer's masked input, products, pre-activation and activation."""

from fractions import Fraction
from functools import lru_cache
from typing import NamedTuple

import sympy

from ..model.activations import activation
from ..model.closedform import closed, nested
from ..model.network import Network
from .budget import Budget
from .passnumbers import NetworkNumbers, Number, network_numbers, numeric_numbers, whole
from .wholepass import integer_output

PASSES = {"train": "the forward pass", "off": "the pass without dropout", "test": "the test-time pass"}  # refusals

class LayerValues(NamedTuple):
    """Layer l of a pass: its masked input a~^(l-1), the products w_ij a~_j of every unit, z^(l)
    and a^(l). ``weights`` are the rows the pass multiplied by (q W when weight scaling). (A
    named tuple: made some ten times for every generated problem, it must be cheap to make.)"""

    masked: tuple[Number, ...]
    weights: tuple[tuple[Number, ...], ...]
    terms: tuple[tuple[Number, ...], ...]
    z: tuple[Number, ...]
    a: tuple[Number, ...]


def forward(network: Network, mode: str = "train", *, masks=None, activations=None,
            masks_on: str = "input", scale_bias: bool = False, inputs=None, zs=None,
            terms: bool = True, numeric: bool = False, depth: int | None = None,
            count: "bool | Budget" = True, start: int = 1) -> tuple[LayerValues | None, ...]:
    """Every layer's values of ``network`` in ``mode``: "train" (its masks, with its convention's
    scaling), "test" (the convention's test-time pass) or "off" (no dropout at all).

    The other arguments are the changes a mistake makes (each a student's wrong pass): ``masks`` replaces mu^(0) ..
    mu^(L-1) (with DropConnect M^(1) .. M^(L), as rows), and an L+1-th mask multiplies the output a^(L);
    ``activations`` replaces each layer's activation (names, as ``Layer.activation``); ``masks_on="z"`` applies
    mu^(l) to z^(l) of the layer it belongs to, bias and all, instead of to the next layer's input (mu^(0) still
    masks x; units only); ``scale_bias`` scales each bias as the convention scales that layer (b/q with inverted
    training, q b with weight scaling at test time), in a layer with one q only (a bias has no unit or weight whose
    q it could take). ``inputs`` and ``zs`` map a layer l to the a^(l-1) it takes and the z^(l) it passes on instead
    of the computed ones: a student's own values, carried forward when grading. ``terms=False`` keeps no products
    (they are then empty): what a mistake's answer needs, and a third of the work. ``numeric`` computes with
    40-digit decimals (:func:`numeric_numbers`): what the rules of a sigmoid or tanh network compare, some 20 times
    faster than its exact values; ``depth`` stops after that many layers. With SymPy numbers the activations'
    written size is counted layer by layer (see :mod:`.budget`; ``count`` False counts nothing, a
    :class:`.budget.Budget` counts on from what it holds): past :data:`~symdrop.limits.MAX_CLOSED_FORM` the pass
    stops in one line. ``start``, a layer whose a^(l-1) ``inputs`` gives: the layers before it are None, uncomputed
    in Python numbers (a student's values checked one layer at a time; SymPy's closed forms follow the layers
    before).
    """
    values = numeric_numbers(network) if numeric else network_numbers(network)
    masks = values.masks if masks is None else masks
    functions = _functions(network, "numeric" if numeric else values.python, activations)
    rules = layer_rules(network.dropout, last := len(network.layers), mode)  # (len: the depth property is a call)
    kept = None if values.python or values.numeric else {}  # SymPy numbers: the nodes closed() has seen (see below)
    budget = (count if isinstance(count, Budget) else Budget(PASSES[mode])) if count and kept is not None else None
    skip = start - 1 if kept is None and start in (inputs or ()) else 0  # layers left None
    a, out, keep = values.x, [None] * skip, values.keep  # read once a pass
    for l, ((W, b), rule, g) in enumerate(zip(values.layers[skip:depth], rules[skip:], functions[skip:]), skip + 1):
        mu = masks[l - 1]
        if inputs is not None and l in inputs:
            a = inputs[l]
        masked = a if masks_on == "z" and l > 1 else _mask(a, mu, rule, values, l)
        if kept is not None:  # SymPy's expand may have written an exponential SymPy's way: made cheap again
            masked = closed(masked, kept)
        q = None if keep is None else keep[l - 1]
        W = _weights(W, rule, mu, q)
        if scale_bias and not isinstance(q, tuple):  # a mistake of one q per layer
            if rule.input_scale is not None or (rule.weights_masked and rule.weight_scale is not None):
                b = tuple(v / q for v in b)  # inverted training: kept values (DropConnect: weights) over q
            elif rule.weight_scale is not None:
                b = tuple(q * v for v in b)
        products, z = affine(W, b, masked) if terms else ((), _sums(W, b, masked))
        if kept is not None:  # expressions in symbols (keep probabilities q) expanded, as a student sums them
            z = tuple(sympy.expand(v) if v.free_symbols else v for v in z)
        if masks_on == "z" and l < len(masks):
            z = tuple(m * v for m, v in zip(masks[l], z))
        if zs is not None and l in zs:
            z = zs[l]
        a = tuple(map(g, z)) if kept is None else closed(tuple(map(g, z)), kept)
        if l == last and len(masks) > last:
            a = tuple(m * v for m, v in zip(masks[-1], a))
        if budget is not None:
            budget.count(a, f"layers[{l - 1}]")
        out.append(LayerValues(masked, W, products, z, a))
    return tuple(out)


def affine(W, b, masked) -> tuple[tuple[tuple[Number, ...], ...], tuple[Number, ...]]:
    """The products ``w_ij a~_j`` of every unit (W as rows) and ``z = W a~ + b``, bias first."""
    # List comprehensions, not generators: this is the inner loop of every pass.
    terms = tuple([tuple([w * v for w, v in zip(row, masked)]) for row in W])
    return terms, tuple([_total(t, bias) for t, bias in zip(terms, b)])


def _sums(W, b, masked) -> tuple[Number, ...]:
    """``z = W a~ + b`` as :func:`affine` computes it, without keeping the products."""
    if b and isinstance(b[0], sympy.Basic) and all(w.is_Rational for row in W for w in row):
        return tuple([_combination(row, masked, bias) for row, bias in zip(W, b)])
    return tuple([_total([w * v for w, v in zip(row, masked)], bias) for row, bias in zip(W, b)])


def _total(terms, bias) -> Number:
    """``bias + sum(terms)``: SymPy numbers as one sum (the same expression as adding them one by
    one, which takes a sum of sums of 16 terms apart 16 times over), Python numbers one by one."""
    if isinstance(bias, sympy.Basic):
        return sympy.Add(bias, *terms)
    return whole(sum(terms, bias))


def _combination(row, values, bias) -> sympy.Expr:
    """``bias + sum_j w_j v_j`` of SymPy numbers, each ``v_j`` a sum of rational multiples of
    terms (a ReLU layer after a sigmoid layer: every value a combination of its activations):
    the coefficients of each term summed first, then one SymPy sum built. The same expression
    as multiplying each ``v_j`` out and adding (SymPy multiplies a number into a sum, and
    collects equal terms), at a sixteenth of the work for 16 units. Only for rational weights."""
    coefficients = {}
    for w, v in zip(row, values):
        if w != 0 and v != 0:
            for term, c in v.as_coefficients_dict().items():
                coefficients[term] = coefficients.get(term, 0) + w * c
    return sympy.Add(bias, *(c * term for term, c in coefficients.items() if c != 0))


def prediction(network: Network, mode: str = "train", numeric: bool = False, memo: bool = True,
               **changes) -> tuple[Number, ...]:
    """The output of :func:`forward`: a^(L) (of the memoized pass when nothing is changed).
    ``memo`` False: ``network`` is asked once (a mistake's network, made for it: other keep
    probabilities or another convention), its pass computed alone, without its products, and not
    memoized (where it would push out a problem's own pass)."""
    if memo and not changes:
        return layer_values(network, mode, numeric)[-1].a
    start = first_changed(network, numeric, **changes) if memo else 1
    # the layers before are the memoized pass's: the changed pass goes on from its a^(start-1)
    a = layer_values(network, mode, numeric)[start - 2].a if start > 1 else None
    fast = None if numeric else output(network, mode, a, start, **changes)
    if fast is not None:
        return fast
    if start > 1:
        changes.update(inputs={start: a}, start=start)
    return forward(network, mode, terms=False, numeric=numeric, **changes)[-1].a


def output(network: Network, mode: str, a, start: int, masks=None, activations=None, scale_bias: bool = False,
           **others) -> tuple | None:
    """a^(L) of :func:`forward`'s pass with these changes, from layer ``start`` whose input is
    ``a`` (None: x), in integers over a common denominator (:mod:`.wholepass`), or None where
    that does not apply: the fast path of a mistake's answer (tests/test_fast_paths.py)."""
    values = network_numbers(network)
    if others or not values.python:
        return None
    return integer_output(values, layer_rules(network.dropout, len(network.layers), mode),
                          _functions(network, True, activations), values.masks if masks is None else masks,
                          values.x if a is None else a, start, scale_bias)


def first_changed(network: Network, numeric: bool = False, masks=None, activations=None, **others) -> int:
    """The first layer whose values ``changes`` (of :func:`forward`) can change, where they are
    only masks and activations and the pass is of Python numbers or decimals (else 1): the layer
    of the first mask or activation that differs (the output layer where none does). The fast
    path of a mistake's pass (most change a late layer: a ReLU forgotten, the output's mask);
    ``tests/test_fast_paths.py`` checks it against the whole pass."""
    values = numeric_numbers(network) if numeric else network_numbers(network)
    if others or not (values.python or values.numeric):
        return 1
    first = len(network.layers)
    if masks is not None:
        own = values.masks
        first = next((l for l, (m, o) in enumerate(zip(masks, own), start=1) if m != o), first)
        if len(masks) < len(own):  # not a change a mistake makes: the whole pass
            return 1
    if activations is not None:
        names = tuple(layer.activation for layer in network.layers)
        first = min(first, next((l for l, (a, o) in enumerate(zip(activations, names), start=1) if a != o), first))
    return first


def layer_values(network: Network, mode: str = "train", numeric: bool = False) -> tuple[LayerValues, ...]:
    """``forward(network, mode, numeric=numeric)``, memoized: a problem's rules, mistakes,
    derivation and key all ask for it. 2,048 passes: grade's 300 students make some 1,800 (two
    modes of 900 problems), and a feedback page asks again for one of them. (The memo is keyed
    by all three, however they are passed: ``layer_values(n)`` and ``layer_values(n, "train",
    False)`` are one pass, not two.)"""
    return _layer_values(network, mode, bool(numeric))


@lru_cache(maxsize=2048)
def _layer_values(network: Network, mode: str, numeric: bool) -> tuple[LayerValues, ...]:
    return forward(network, mode, numeric=numeric)


def input_scales(network: Network, mode: str = "train") -> tuple[tuple, ...]:
    """Each layer's s, with a~^(l-1) = s * a^(l-1) entry by entry in the pass of ``mode``: mu/q,
    mu or 1 (as 40-digit decimals)."""
    values = numeric_numbers(network)
    rules = layer_rules(network.dropout, network.depth, mode)
    return tuple(_mask((1,) * len(W[0]), values.masks[l - 1], rule, values, l)
                 for l, ((W, _), rule) in enumerate(zip(values.layers, rules), start=1))


def _mask(a, mu, rule, values: NetworkNumbers, l: int):
    """The layer's input under the convention's rule: masked (and divided by q when inverted)."""
    if not rule.masked:
        return a
    if rule.input_scale is None:
        if values.python or values.numeric:
            return tuple([v if m == 1 else m * v for m, v in zip(mu, a)])
        return tuple([v if m == 1 else sympy.S.Zero if m == 0 else m * v for m, v in zip(mu, a)])
    scale = values.scales[l - 1]  # 1/q = 2: ints
    scales = scale if isinstance(scale, tuple) else (scale,) * len(a)
    if values.python:
        # a kept unit's scale is 1/q itself (scale * 1, the same number and type, not made again)
        return tuple([whole(times(scale if m == 1 else times(scale, m), v)) for scale, m, v in zip(scales, mu, a)])
    if values.numeric:
        return tuple([scale * m * v for scale, m, v in zip(scales, mu, a)])
    return tuple(_scaled(scale * m, v) for scale, m, v in zip(scales, mu, a))


_ZERO = Fraction(0)


def times(a, b):
    """``a * b`` of two Python numbers (int, Fraction): a zero factor gives the product's own zero
    at once (0 of two ints, else Fraction(0), as ``*`` gives it) without Fraction's arithmetic.
    The fast path of a pass's products (tests/test_fast_paths.py checks it against ``*``): most
    of them have a zero factor, a dropped or clipped unit, a zero weight or delta."""
    if a and b:
        return a * b
    return 0 if isinstance(a, int) and isinstance(b, int) else _ZERO


def _scaled(factor, value):
    """A kept SymPy value times its scale: one term expanded, 5/(4 e^{-3} + 4) rather than
    5/(4 (e^{-3} + 1)), as before, an exponent kept whole (e^{-a-b}, not e^{-a} e^{-b}). A sum
    only multiplied term by term, its terms kept (expanding them would give each a denominator
    of its own, which the next layers' sums can no longer collect: 139 terms a value after seven
    ReLU layers of 16 behind a sigmoid layer, instead of 16); a value through two or more sigmoid
    or tanh layers kept as the product (expanding it would rewrite its whole closed form, some
    100 s for the second layer after a --step of a 3-4-4-2 network)."""
    if factor == 0:
        return sympy.S.Zero
    if value.is_Add or (not value.is_Rational and nested(value)):
        return factor * value
    return sympy.expand(factor * value, power_exp=False)


def _weights(W, rule, mask, q):
    """The weights the pass multiplies by: W itself; q W (weight scaling at test time, by the q of
    each column's input unit where there is one per unit); with DropConnect in training M . W,
    each kept weight divided by its q when inverted, and Q . W at test time."""
    if rule.weights_masked:
        W = tuple(tuple(m * w for m, w in zip(mrow, row)) for mrow, row in zip(mask, W))
    if rule.weight_scale is None:
        return W
    if not isinstance(q, tuple):  # one q for the whole mask
        q = 1 / q if rule.weights_masked else q
        return tuple(tuple(q * w for w in row) for row in W)
    if not isinstance(q[0], tuple):  # one per input unit: column j times q_j
        q = (q,) * len(W)
    if rule.weights_masked:  # inverted DropConnect: each kept weight over its q
        return tuple(tuple(w / s for s, w in zip(srow, row)) for srow, row in zip(q, W))
    return tuple(tuple(s * w for s, w in zip(srow, row)) for srow, row in zip(q, W))


@lru_cache(maxsize=2048)
def layer_rules(dropout, depth: int, mode: str) -> tuple:
    """The convention's rule for every layer's input in ``mode``: the one place the core asks it."""
    return tuple(dropout.rule(l, mode) for l in range(1, depth + 1))


def _functions(network: Network, python: bool | str, names):
    """Each layer's activation as a function of one number (``names`` replacing the network's);
    ``python``: int and Fraction, SymPy numbers (False) or "numeric" decimals."""
    layers = tuple([(layer.activation, layer.slope) for layer in network.layers])
    return _activation_functions(layers, python, None if names is None else tuple(names))


@lru_cache(maxsize=256)
def _activation_functions(layers: tuple, python: bool | str, names: tuple | None) -> tuple:
    # Memoized: every mistake's pass asks again, for the same few activations.
    if names is None:
        gs = [activation(name, slope) for name, slope in layers]
    else:
        gs = [activation(name, slope if name == own else None) for name, (own, slope) in zip(names, layers)]
    if python == "numeric":
        return tuple(g.decimal or g.number for g in gs)
    return tuple(g.number if python else g.apply for g in gs)
