"""Drawing a random problem layer by layer: the grids numbers come from, masks, keep probabilities."""

import random
from collections import Counter
from dataclasses import dataclass, field, replace
from fractions import Fraction
from functools import lru_cache
from math import gcd, lcm

import sympy

from ..core.forward import affine
from ..core.passnumbers import Number, NetworkNumbers, carrying, to_decimal, whole
from ..model.activations import activation
from ..model.conventions import PLAIN, Convention, Dropout
from ..model.network import Network, build
from .options import DECIMAL_PLACES, MAX_MAGNITUDE, Options

LAYER_TRIES = 20  # draws of one layer's W and b before the candidate is given up
# A kind that scales (1/q, q W) writes fractions; their denominators stay at most this (int and
# half sheets; decimal sheets: at most DECIMAL_PLACES places).
MAX_DENOMINATOR = 8
HALF = Fraction(1, 2)
RELU, IDENTITY = activation("relu").number, activation("identity").number
# A sigmoid or tanh layer's pre-activations stay within +-Z_MAX: sigma(z) between 0.018 and 0.982,
# tanh(z) within +-0.9993, values a calculator shows with some digits that are not 0 or 9.
Z_MAX = 4


@dataclass(frozen=True)
class Grids:
    """The numbers each entry is drawn from; the kind of numbers keeps every value hand-computable:
    int: integers; half: x and b in halves, weights integers; decimal: x, b and the first layer's
    weights in tenths, later weights integers (so at most two decimal places anywhere)."""

    options: Options
    x: tuple = field(init=False)
    b: tuple = field(init=False)
    w_first: tuple = field(init=False)
    w: tuple = field(init=False)

    def __post_init__(self):
        low, high = self.options.low, self.options.high
        integers = tuple(range(low, high + 1))
        step = {"int": 1, "half": 2, "decimal": 10}[self.options.values]
        fine = integers if step == 1 else tuple(Fraction(k, step) for k in range(low * step, high * step + 1))
        nonzero = lambda values: tuple(v for v in values if v != 0)  # noqa: E731
        object.__setattr__(self, "x", nonzero(fine))
        object.__setattr__(self, "b", fine)
        object.__setattr__(self, "w_first", nonzero(fine if self.options.values == "decimal" else integers))
        object.__setattr__(self, "w", nonzero(integers))


_grids = grids_of = lru_cache(maxsize=64)(Grids)  # one per set of options: the same grids for every candidate


def draw_keep(rng: random.Random, options: Options, depth: int, *, avoid_half: bool,
              some: bool = False) -> tuple[Fraction, ...]:
    """A keep probability for every hidden layer's mask, from ``options.keep`` (q = 1/2 left out
    with ``avoid_half``), and q^(0) = 1: the input is kept, as in the tutorial. With ``some``,
    each hidden layer has dropout (q < 1) with chance 1/2, and at least one has."""
    usable = [q for q in options.keep if not (avoid_half and q == HALF)]
    keep = [rng.choice(usable) for _ in range(depth - 1)]
    if some:
        chosen = [rng.random() < 0.5 for _ in keep]
        if not any(chosen):
            chosen[rng.randrange(len(chosen))] = True
        keep = [q if c else Fraction(1) for q, c in zip(keep, chosen)]
    return (Fraction(1),) + tuple(keep)


def dropout(convention: Convention, keep) -> Dropout:
    """The Dropout of a drawn problem (its keep probabilities as SymPy rationals)."""
    return Dropout(convention, tuple(sympy.Rational(q.numerator, q.denominator) for q in map(Fraction, keep)))


def draw_network(rng: random.Random, options: Options, failures: Counter, flow: bool = True, **how) -> Network | None:
    """One candidate, layer by layer (see :func:`draw_with_output`)."""
    drawn = draw_with_output(rng, options, failures, flow, **how)
    return None if drawn is None else drawn[0]


def draw_with_output(rng: random.Random, options: Options, failures: Counter, flow: bool = True, *,
                     convention: Convention = PLAIN, keep=None, mode: str = "train", masked=None,
                     drop_input: bool = False) -> tuple[Network, tuple] | None:
    """One candidate and the output a^(L) of its pass as drawn (exact; 40-digit decimals on a
    smooth sheet), layer by layer, for the pass a student computes (``mode`` under
    ``convention`` with keep probabilities ``keep``, q^(0) first; none for plain masks).

    A layer's W and b are redrawn (a few times) until its values are small and, for a hidden
    layer, no pre-activation is 0 and two units are active, so that its mask drops one and keeps
    one and the signal reaches the output (``flow``; without it one active unit will do, except in
    the last hidden layer, where y = b would follow); for the output layer, until y != b. Hidden
    layers l in ``masked`` (default: all) get a mask dropping an active unit, the others all ones.
    With ``drop_input`` mu^(0) drops one input (else it keeps them all, as in the tutorial).
    The hidden layers are ReLU, or sigmoid or tanh on a smooth sheet (``options.activation``):
    there every unit whose a is not 0 is active, every hidden z within +-Z_MAX, and the values
    after the first layer are drawn by their 40-digit decimals; the network carries the places
    its answers are given to (``digits``). The kind's rules are checked afterwards.
    """
    grids = _grids(options)
    sizes = options.shape
    depth = len(sizes) - 1
    masked = range(1, depth) if masked is None else masked
    keep = (Fraction(1),) * depth if keep is None else tuple(keep)
    x = tuple(choices(rng, grids.x, sizes[0]))
    masks = [tuple(1 for _ in x)]  # mu^(0): the input is kept, as in the tutorial
    if drop_input and len(x) > 1:
        dropped = rng.randrange(len(x))
        masks = [tuple(0 if j == dropped else 1 for j in range(len(x)))]
    layers = []
    a = x
    scaled = convention.has_test_pass
    g = activation(options.activation)
    for l in range(1, depth + 1):
        hidden = l < depth
        q = keep[l - 1]
        inputs = _inputs(a, masks[-1], q, convention, mode)
        common = None if g.smooth and l > 1 else integer_inputs(inputs)  # the same for every W drawn
        scale = q if mode == "test" and convention.scales_weights and q != 1 else None
        weights = grids.w_first if l == 1 else grids.w
        for _ in range(LAYER_TRIES):
            drawn, n = choices(rng, weights, sizes[l] * sizes[l - 1]), sizes[l - 1]  # W row by row
            W = tuple([tuple(drawn[i : i + n]) for i in range(0, len(drawn), n)])
            b = tuple(choices(rng, grids.b, sizes[l]))
            used = W if scale is None else tuple(tuple(scale * w for w in row) for row in W)
            z, reason = _checked(used, b, inputs, hidden, 2 if flow or l == depth - 1 else 1, options, scaled,
                                 g if g.smooth and hidden else None, decimals=g.smooth and l > 1, common=common)
            if reason is None:
                break
            failures[reason] += 1
        else:
            return None
        layers.append((W, b, options.activation if hidden else "identity"))
        a = _activations(z, g if hidden else None)
        if hidden:
            masks.append(draw_mask(rng, a, zero=0 if g.smooth else None) if l in masked else tuple(1 for _ in a))
    network = build(x, layers, masks, dropout=dropout(convention, keep) if scaled else Dropout())
    if g.smooth:
        return replace(network, digits=options.places), a
    return carrying(network, drawn_numbers(x, layers, masks, keep if scaled else None)), a


def drawn_numbers(x, layers, masks, keep) -> NetworkNumbers:
    """The numbers of a network of ints and Fractions drawn so (``layers`` as (W rows, b, g)), as
    :func:`symdrop.core.passnumbers.network_numbers` reads them back: a whole Fraction as an int."""
    row = lambda values: tuple(map(whole, values))  # noqa: E731
    return NetworkNumbers(x=row(x), layers=tuple((tuple(map(row, W)), row(b)) for W, b, _ in layers),
                          masks=tuple(map(tuple, masks)), keep=None if keep is None else row(map(Fraction, keep)),
                          python=True)


def choices(rng: random.Random, values, n: int) -> list:
    """``[rng.choice(values) for _ in range(n)]``: the same draws, the stream left where
    ``rng.choice`` leaves it. The fast path (tests/test_generate.py checks it against
    ``rng.choice``): the bits ``random.Random.choice`` asks for, asked here at once without its two
    calls per number (most of the numbers a sheet draws: every entry of every W and b drawn again)."""
    if type(rng) is not random.Random or random.Random._randbelow is not random.Random._randbelow_with_getrandbits:
        return [rng.choice(values) for _ in range(n)]  # a stream of another kind draws its own way
    size = len(values)
    if not size:
        raise IndexError("Cannot choose from an empty sequence")
    bits, k, found = rng.getrandbits, size.bit_length(), []
    for _ in range(n):
        r = bits(k)
        while r >= size:
            r = bits(k)
        found.append(values[r])
    return found


def _inputs(a, mu, q, convention: Convention, mode: str) -> tuple:
    """A layer's input as the pass of ``mode`` takes it: masked (and over q when inverted) in training."""
    if mode != "train":
        return a
    inputs = tuple(m * v for m, v in zip(mu, a))
    return tuple(v / q for v in inputs) if convention.divides and q != 1 else inputs


def _activations(z, g) -> tuple:
    """a = g(z) of a hidden layer (ReLU; sigmoid or tanh as 40-digit decimals), or z (g None: the output)."""
    if g is None:
        return tuple(map(IDENTITY, z))
    if not g.smooth:
        return tuple(map(RELU, z))
    return tuple(g.decimal(to_decimal(v)) for v in z)


def _checked(W, b, inputs, hidden: bool, need: int, options: Options, scaled: bool, smooth=None,
             decimals: bool = False, common=None) -> tuple:
    """A drawn layer's z and why it is drawn again (None: kept), as :func:`_redraw` tells: exact
    numbers through :func:`layer_z` (no product made where they are too large; ``common``: the
    inputs' :func:`integer_inputs`), decimals (a sigmoid or tanh sheet's later layers) through
    :func:`affine`."""
    if decimals:
        terms, z = affine(W, b, inputs)
        return z, _redraw(terms, z, b, hidden, need, options, scaled, smooth, decimals=True)
    z = layer_z(W, b, inputs, options, scaled, common)
    return z, "hand_computable" if z is None else _unit_reason(z, b, hidden, need, smooth)


def _redraw(terms, z, b, hidden: bool, need: int, options: Options, scaled: bool, smooth=None,
            decimals: bool = False) -> str | None:
    """Why a drawn layer is drawn again (the rule it would break), or None to keep it. ``smooth``:
    the activation of a sigmoid or tanh hidden layer (its z within +-Z_MAX; a unit active where
    g(z) is not 0, as a ReLU unit where z > 0); ``decimals``: its values are decimals, no
    denominators to check."""
    if not (within(terms, z) if decimals else small(terms, z, options, scaled)):
        return "hand_computable"
    return _unit_reason(z, b, hidden, need, smooth, decimals)


def _unit_reason(z, b, hidden: bool, need: int, smooth=None, decimals: bool = False) -> str | None:
    """:func:`_redraw` once the layer's values are small: why its units make it drawn again."""
    if smooth is not None:
        if any(abs(v) > Z_MAX for v in z):
            return "hand_computable"
        active = sum(smooth.decimal(to_decimal(v)) != 0 for v in z)
        return "masks_drop_units" if active < need else None
    if hidden and 0 in z:
        return "no_relu_zero"
    if hidden and sum(v > 0 for v in z) < need:
        return "masks_drop_active_units"
    if not hidden and not decimals and z == b:  # y = b: dropping the output's inputs would go unnoticed
        return "mistakes_distinct"
    return None


def draw_mask(rng: random.Random, a, zero=None) -> tuple[int, ...]:
    """Drop one or more active units (a > 0; with ``zero`` given, a != zero) and keep at least one
    unit, an active one where there are two (so the signal goes on)."""
    active = [j for j, v in enumerate(a) if (v > 0 if zero is None else v != zero)]
    count = rng.randint(1, len(active) - 1 if len(active) > 1 else 1)
    dropped = set(rng.sample(active, count))
    return tuple(0 if j in dropped else 1 for j in range(len(a)))


def small(terms, z, options: Options, scaled: bool = False) -> bool:
    """Every product, running sum and z of a layer allowed (see :func:`allowed`); the
    denominators are checked only where a kind scales (elsewhere the grids keep them small)."""
    for row in terms:
        partial = 0
        for t in row:
            partial += t
            if abs(t) > MAX_MAGNITUDE or abs(partial) > MAX_MAGNITUDE:
                return False
            if scaled and not (allowed(t, options, True) and allowed(partial, options, True)):
                return False
    return all(abs(v) <= MAX_MAGNITUDE and (not scaled or allowed(v, options, True)) for v in z)


def layer_z(W, b, inputs, options: Options, scaled: bool = False, common=None) -> tuple | None:
    """z = W a~ + b of a drawn layer of ints and Fractions, or None where :func:`small` rejects
    its products, running sums or z. The fast path (tests/test_fast_paths.py checks it against
    :func:`plain_layer_z`): every product and running sum an integer over one denominator P (the
    weights' common denominator times the inputs'; 1 in most layers), its checks integer
    comparisons, so that a layer drawn again (most of those drawn) makes no Fraction. ``common``:
    :func:`integer_inputs` of ``inputs``, where the caller has it (the same for every W drawn)."""
    dv, values = common or integer_inputs(inputs)
    dw = lcm(*(w.denominator for row in W for w in row))
    P, found = dv * dw, []
    limit = MAX_MAGNITUDE * P
    for row, bias in zip(W, b):
        partial = 0
        for w, v in zip(row, values):
            t = w.numerator * v if dw == 1 else w.numerator * (dw // w.denominator) * v
            partial += t
            if not -limit <= t <= limit or not -limit <= partial <= limit:
                return None
            if scaled and not (_fits(t, P, options) and _fits(partial, P, options)):
                return None
        z = (partial if P == 1 else Fraction(partial, P)) + bias
        if abs(z.numerator) > MAX_MAGNITUDE * z.denominator or (scaled and not allowed(z, options, True)):
            return None
        found.append(z)
    return tuple(found)


def integer_inputs(inputs) -> tuple[int, list[int]]:
    """A layer's inputs (ints and Fractions) as integers over their common denominator: ``(d, [v * d])``."""
    dv = lcm(*(v.denominator for v in inputs))
    return dv, [v.numerator * (dv // v.denominator) for v in inputs]


def _fits(numerator: int, denominator: int, options: Options) -> bool:
    """:func:`allowed`'s denominator check (where a kind scales) of numerator / denominator."""
    reduced = denominator // gcd(numerator, denominator)
    return 10**DECIMAL_PLACES % reduced == 0 if options.values == "decimal" else reduced <= MAX_DENOMINATOR


def plain_layer_z(W, b, inputs, options: Options, scaled: bool = False, common=None) -> tuple | None:
    """:func:`layer_z` the plain way: every product and sum made, then :func:`small` asked
    (``common`` is not needed here)."""
    terms, z = affine(W, b, inputs)
    return z if small(terms, z, options, scaled) else None


def within(terms, z) -> bool:
    """Every product, running sum and z of a layer of decimals within +-MAX_MAGNITUDE."""
    partials = [p for row in terms for p in _running(row)]
    return all(abs(v) <= MAX_MAGNITUDE for v in (*partials, *(t for row in terms for t in row), *z))


def _running(row) -> list:
    total, found = 0, []
    for t in row:
        total += t
        found.append(total)
    return found


def allowed(value: Number, options: Options, scaled: bool = False) -> bool:
    """Rule 1 for one number: within +-MAX_MAGNITUDE, and integers (int), denominators at most 2
    (half) or at most two decimal places (decimal); where a kind scales by q or 1/q, denominators
    at most MAX_DENOMINATOR (int, half) or at most DECIMAL_PLACES places (decimal)."""
    denominator = value.denominator  # int and Fraction alike (d > 0)
    if abs(value.numerator) > MAX_MAGNITUDE * denominator:  # |n/d| > M, in integers: no Fraction made
        return False
    if scaled:
        if options.values == "decimal":
            return 10**DECIMAL_PLACES % denominator == 0
        return denominator <= MAX_DENOMINATOR
    if options.values == "int":
        return denominator == 1
    if options.values == "half":
        return denominator <= 2
    return 100 % denominator == 0  # at most two decimal places: the denominator divides 100


def terminating(value: Number, places: int = DECIMAL_PLACES) -> bool:
    """A decimal of at most ``places`` places: the denominator divides 10^places."""
    return 10**places % Fraction(value).denominator == 0
