"""The dropconnect kind's option "forward" (kind dropconnect:forward): a training pass under
DropConnect with given weight masks, W~ = M . W (each kept weight divided by its layer's q when
inverted), z = W~ a + b, a = g(z), worked by hand. The answer is the prediction.

Its network is drawn as the forward kind's (a 2-3-1 network unless --shape chooses another), then
each weight matrix gets a mask that drops some of its weights and keeps others. Its mistakes are
those of the forward kind (plain masks) or of the inverted kind, which take DropConnect as it is:
the masks forgotten, the weights' masks read as the units' (masked_units), the 1/q forgotten or
taken with the drop probability, the bias scaled, the output's weights all dropped, a ReLU skipped.
"""

import random
from collections import Counter
from dataclasses import replace

import sympy

from ..core.derive import derive
from ..core.forward import layer_values
from ..core.passnumbers import network_numbers
from ..model.conventions import DROPCONNECT, INVERTED, PLAIN, Dropout
from ..model.network import Network
from ..sympy_internals import rational_matrix
from . import forward, inverted, rules
from .drawing import HALF, draw_network
from .kind import Kind, prediction_answer, spec_text
from .mistakes import Mistake
from .options import SHAPE, Options, check_hidden_layers, check_keep, check_values

OWN_SHAPE = (2, 3, 1)  # where --shape is left at the general default: 9 weights, each with its mask entry
DRAWN = (PLAIN, INVERTED)
ONE, ZERO = sympy.Integer(1), sympy.Integer(0)


def shaped(options: Options) -> Options:
    """The options this kind draws with: its own small shape unless --shape chose one."""
    return replace(options, shape=OWN_SHAPE) if options.shape == SHAPE else options


def answer(network: Network) -> tuple:
    """The prediction of the training pass with the weight masks."""
    return forward.answer(network)


def mistakes(network: Network) -> tuple[Mistake, ...]:
    """The forward kind's mistakes (plain masks) or the inverted kind's, on DropConnect."""
    return (inverted if network.dropout.convention.divides else forward).mistakes(network)


def keep_not_half(network: Network, options: Options) -> bool:
    """Inverted DropConnect: no q is 1/2 (dividing by p = 1 - q would give the right answer)."""
    return not network.dropout.convention.divides or rules.keep_not_half(network, options)


def masks_matter(network: Network, options: Options) -> bool:
    """Every weight mask drops a weight whose input is not 0 in the training pass (so each layer's
    mask shows in the answer) and keeps one."""
    masks = network_numbers(network).masks
    inputs = [network_numbers(network).x] + [layer.a for layer in layer_values(network)[:-1]]
    return all(any(m == 0 and a != 0 for row in M for m, a in zip(row, values)) and any(1 in row for row in M)
               for M, values in zip(masks, inputs))


def dropout_matters(network: Network, options: Options) -> bool:
    """The answer differs from the pass without dropout (and, inverted, from the pass without 1/q)."""
    return (inverted if network.dropout.convention.divides else forward).dropout_matters(network, options)


RULES = {  # in the order they are checked: cheapest first
    "keep_not_half": keep_not_half,
    "hand_computable": rules.hand_computable(scaled=True),
    "no_relu_zero": rules.no_relu_zero(),
    "masks_matter": masks_matter,
    "relu_clips_negative": rules.relu_clips_negative(),
    "dropout_matters": dropout_matters,
    "mistakes_distinct": rules.mistakes_distinct(answer, mistakes),
    "decimal_answers": rules.decimal_answers(answer, mistakes),
}


def draw(rng: random.Random, options: Options, failures: Counter, flow: bool = True) -> Network | None:
    """One candidate: x, W and b layer by layer as the forward kind draws them (no unit masks),
    then the convention (inverted: a keep probability per weight matrix, never 1/2; plain masks
    need none) and a mask on each weight matrix, every weight kept with probability 2/3, at least
    one dropped and one kept."""
    drawn = draw_network(rng, shaped(options), failures, flow, masked=())
    if drawn is None:
        return None
    convention = rng.choice(DRAWN)
    keep = None  # plain masks given: the pass needs no q
    if convention.divides:
        usable = [q for q in options.keep if q != HALF]
        if not usable:
            return None
        keep = tuple(sympy.Rational(q.numerator, q.denominator) for q in (rng.choice(usable) for _ in drawn.layers))
    masks = []
    for layer in drawn.layers:
        cells = layer.W.rows * layer.W.cols
        bits = [0 if rng.random() < 1 / 3 else 1 for _ in range(cells)]
        if len(set(bits)) == 1:  # all kept or all dropped: one weight the other way
            bits[rng.randrange(cells)] = 1 - bits[0]
        masks.append(rational_matrix(layer.W.rows, layer.W.cols, [ONE if bit else ZERO for bit in bits]))
    return replace(drawn, masks=tuple(masks), dropout=Dropout(convention, keep, scheme=DROPCONNECT))


def code_text(network: Network, options: Options) -> str:
    return spec_text("dropconnect:forward", network)


def check_options(options: Options) -> None:
    """Refuse, in one line, options under which no problem can meet the rules."""
    options = shaped(options)
    check_values(options)
    check_hidden_layers(options)
    check_keep(options, "dropconnect:forward", avoid_half=False)


KIND = Kind(
    name="dropconnect:forward",
    title="a forward pass with DropConnect's weight masks",
    draw=draw,
    rules=RULES,
    mistakes=mistakes,
    derive=derive,
    read_answer=prediction_answer,
    compute_answer=answer,
    code_text=code_text,
    check_options=check_options,
    templates={"problem": "problem-dropconnect-forward", "answer": "answer", "solution": "solution"},
    intro="intro-dropconnect-forward",
    uses_keep=True,
    drawn_with=shaped,
    has_layer_values=True,
)
