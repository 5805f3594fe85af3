"""The kind "forward": the tutorial's problem, a training pass with plain masks, worked by hand."""

import random
from collections import Counter
from dataclasses import dataclass, field
from fractions import Fraction
from functools import lru_cache

from ..core.derive import Derivation, derive
from ..core.forward import Number, affine, numbers, passes, prediction
from ..model.activations import activation
from ..model.network import Network, build
from .kind import Kind
from .mistakes import Mistake
from .options import MAX_MAGNITUDE, Options, check_hidden_layers, check_values

LAYER_TRIES = 20  # draws of one layer's W and b before the candidate is given up
RELU, IDENTITY = activation("relu").number, activation("identity").number


# --- The acceptance rules; each is a small named function of a candidate. ---------------------


def hand_computable(network: Network, options: Options) -> bool:
    """Rule 1: integers (int), denominators at most 2 (half) or at most two decimal places
    (decimal) for every number written down, inputs to prediction, all within +-99."""
    values = numbers(network)
    written = list(values.x)
    for (W, b), layer in zip(values.layers, passes(network)):
        written += [w for row in W for w in row] + list(b) + list(layer.masked) + list(layer.z) + list(layer.a)
        for terms, bias in zip(layer.terms, b):
            partial = 0
            for t in terms:  # each product and each running sum of z_i = w_i1 a~_1 + ... + b_i
                partial += t
                written += [t, partial]
    return all(_allowed(v, options.values) for v in written)


def no_relu_zero(network: Network, options: Options) -> bool:
    """Rule 2: no ReLU pre-activation is exactly 0 (nobody should wonder about relu(0))."""
    return all(
        v != 0 for layer, values in zip(network.layers, passes(network)) if layer.activation == "relu"
        for v in values.z
    )


def masks_drop_active_units(network: Network, options: Options) -> bool:
    """Rule 3: every hidden-layer mask drops a unit and keeps one, and every dropped unit is
    active (a > 0), so forgetting the mask changes the answer."""
    values = numbers(network)
    for l in range(1, network.depth):
        mu, a = values.masks[l], passes(network)[l - 1].a
        if 0 not in mu or 1 not in mu or any(m == 0 and v <= 0 for m, v in zip(mu, a)):
            return False
    return True


def relu_clips_negative(network: Network, options: Options) -> bool:
    """Rule 4: some kept ReLU unit clips a negative pre-activation to 0."""
    return bool(_clipping_layers(network))


def differs_from_mistakes(network: Network, options: Options) -> bool:
    """Rule 5: the answer differs from every applicable mistake's (no dropout included)."""
    answer = passes(network)[-1].a
    return all(m.answer != answer for m in mistakes(network))


RULES = {  # in the order they are checked: cheapest first
    "hand_computable": hand_computable,
    "no_relu_zero": no_relu_zero,
    "masks_drop_active_units": masks_drop_active_units,
    "relu_clips_negative": relu_clips_negative,
    "differs_from_mistakes": differs_from_mistakes,
}


# --- The mistakes: each one change handed to the core's pass. ----------------------------------


def mistakes(network: Network) -> tuple[Mistake, ...]:
    """Every mistake of docs/dropout.md that applies to a plain-mask training pass.

    "Forgot the ReLU" is listed for each hidden layer whose ReLU clips a kept unit (elsewhere that
    ReLU changes nothing a student writes on), and once for all hidden layers together.
    Not listed, because they cannot apply here: the scaling mistakes (1/q, 1/p_drop, scaled twice)
    and the test-time ones need a keep probability, and these problems give masks, not q. Nor
    "masked z instead of the input" where every masked layer has g(0) = 0, as ReLU: it then gives
    the correct prediction by construction.
    """
    return _mistakes(network)


@lru_cache(maxsize=1024)  # asked by rule 5, then again for the exercise's key
def _mistakes(network: Network) -> tuple[Mistake, ...]:
    values = numbers(network)
    L = network.depth
    found = [Mistake("forgot_masks", "forgot the masks (no dropout)", prediction(network, "off"))]
    if any(layer.g.number(0) != 0 for layer in network.layers[:-1]):
        found.append(Mistake("masked_z", "masked z instead of the input (bias dropped too)",
                             prediction(network, masks_on="z")))
    outputs = network.layers[-1].units
    found.append(Mistake("dropped_output", "dropped the output unit (0)",
                         prediction(network, masks=values.masks + ((0,) * outputs,))))
    inputs = tuple(0 for _ in values.masks[-1])
    found.append(Mistake("dropped_output_bias", "dropped the output unit (its bias left)",
                         prediction(network, masks=values.masks[:-1] + (inputs,))))
    names = [layer.activation for layer in network.layers]
    relu_layers = [l for l in range(L - 1) if names[l] == "relu"]
    for l in _clipping_layers(network):
        skipped = names[:l] + ["identity"] + names[l + 1:]
        found.append(Mistake(f"forgot_relu_{l + 1}", f"forgot the ReLU on hidden layer {l + 1}",
                             prediction(network, activations=skipped)))
    if len(relu_layers) > 1:
        linear = ["identity" if l in relu_layers else g for l, g in enumerate(names)]
        found.append(Mistake("forgot_all_relus", "forgot every ReLU", prediction(network, activations=linear)))
    if names[-1] == "identity":
        found.append(Mistake("relu_on_output", "applied ReLU on the linear output",
                             prediction(network, activations=names[:-1] + ["relu"])))
    return tuple(found)


def _clipping_layers(network: Network) -> list[int]:
    # Forgetting a layer's ReLU is a mistake one can make only where that ReLU acts: where it
    # clips a unit the next layer keeps. (Elsewhere the student's values are the right ones.)
    masks, values = numbers(network).masks, passes(network)
    return [
        l for l in range(network.depth - 1)
        if network.layers[l].activation == "relu"
        and any(z < 0 and keep for z, keep in zip(values[l].z, masks[l + 1]))
    ]


# --- Drawing problems ---------------------------------------------------------------------------


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


def draw(rng: random.Random, options: Options, failures: Counter, flow: bool = True) -> Network | None:
    """One candidate, layer by layer: a layer's W and b are redrawn (a few times) until its values
    are small and, for a hidden layer, no pre-activation is 0 and two units are active, so that
    its mask drops one and keeps one and the signal reaches the output (``flow``; without it one
    active unit will do, except in the last hidden layer, where y = b would follow); for the
    output layer, until some output is negative and y != b. The rules are checked afterwards."""
    grids = _grids(options)
    sizes = options.shape
    depth = len(sizes) - 1
    x = tuple(rng.choice(grids.x) for _ in range(sizes[0]))
    masks = [tuple(1 for _ in x)]  # mu^(0): the input is kept, as in the tutorial
    layers = []
    a = x
    for l in range(1, depth + 1):
        hidden = l < depth
        masked = tuple(m * v for m, v in zip(masks[-1], a))
        weights = grids.w_first if l == 1 else grids.w
        for _ in range(LAYER_TRIES):
            W = tuple(tuple(rng.choice(weights) for _ in range(sizes[l - 1])) for _ in range(sizes[l]))
            b = tuple(rng.choice(grids.b) for _ in range(sizes[l]))
            terms, z = affine(W, b, masked)
            reason = _redraw(terms, z, b, hidden, need=2 if flow or l == depth - 1 else 1)
            if reason is None:
                break
            failures[reason] += 1
        else:
            return None
        layers.append((W, b, "relu" if hidden else "identity"))
        a = tuple(map(RELU if hidden else IDENTITY, z))
        if hidden:
            masks.append(_draw_mask(rng, a))
    return build(x, layers, masks)


def _redraw(terms, z, b, hidden: bool, need: int) -> str | None:
    """Why a drawn layer is drawn again (the rule it would break), or None to keep it."""
    if not _small(terms, z):
        return "hand_computable"
    if hidden and 0 in z:
        return "no_relu_zero"
    if hidden and sum(v > 0 for v in z) < need:
        return "masks_drop_active_units"
    if not hidden and (all(v >= 0 for v in z) or z == b):  # ReLU on y, or y = b, is visible
        return "differs_from_mistakes"
    return None


_grids = lru_cache(maxsize=64)(Grids)  # one per set of options: the same grids for every candidate


def _draw_mask(rng: random.Random, a) -> tuple[int, ...]:
    """Drop one or more active units and keep at least one unit, an active one where there are
    two (so the signal goes on)."""
    active = [j for j, v in enumerate(a) if v > 0]
    count = rng.randint(1, len(active) - 1 if len(active) > 1 else 1)
    dropped = set(rng.sample(active, count))
    return tuple(0 if j in dropped else 1 for j in range(len(a)))


def _small(terms, z) -> bool:
    for row in terms:
        partial = 0
        for t in row:
            partial += t
            if abs(t) > MAX_MAGNITUDE or abs(partial) > MAX_MAGNITUDE:
                return False
    return all(abs(v) <= MAX_MAGNITUDE for v in z)


def _allowed(value: Number, kind: str) -> bool:
    if abs(value) > MAX_MAGNITUDE:
        return False
    denominator = value.denominator  # int and Fraction alike
    if kind == "int":
        return denominator == 1
    if kind == "half":
        return denominator <= 2
    return 100 % denominator == 0  # at most two decimal places: the denominator divides 100


@lru_cache(maxsize=1024)  # asked when a problem is drawn (rule 6) and again for its exercise
def code_text(network: Network, options: Options) -> str:
    """The text a variant code hashes: the problem as the generator first wrote it out, a Python
    repr of (x, layers as (W, b, g), masks) with fractions as F(p, q), the entries drawn from a
    grid of halves or tenths as fractions even where whole. Kept as it was, so that every code
    printed on a sheet still names the same problem."""
    values = numbers(network)
    fine = options.values != "int"
    as_drawn = lambda v, drawn_fine: Fraction(v) if drawn_fine else v  # noqa: E731
    x = tuple(as_drawn(v, fine) for v in values.x)
    layers = tuple(
        (tuple(tuple(as_drawn(w, fine and l == 0 and options.values == "decimal") for w in row) for row in W),
         tuple(as_drawn(v, fine) for v in b), layer.activation)
        for l, ((W, b), layer) in enumerate(zip(values.layers, network.layers))
    )
    return repr((x, layers, values.masks)).replace("Fraction", "F")


def check_options(options: Options) -> None:
    """Refuse, in one line, options under which no problem can meet the rules."""
    check_values(options)
    check_hidden_layers(options)


def _answer(derivation: Derivation) -> tuple:
    return tuple(derivation.prediction)


KIND = Kind(
    name="forward",
    title="a forward pass with dropout masks",
    draw=draw,
    rules=RULES,
    mistakes=mistakes,
    derive=derive,
    answer=_answer,
    code_text=code_text,
    check_options=check_options,
    templates={"problem": "problem", "answer": "answer", "solution": "solution"},
)

