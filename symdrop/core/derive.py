"""The forward pass as data: one Step per layer, each quantity as formula, numbers and value."""

import math
from dataclasses import dataclass
from functools import cached_property, lru_cache

import sympy
from sympy import ImmutableMatrix, MatAdd, MatMul, MatrixSymbol

from ..errors import BeyondExact, SymdropError
from ..limits import MAX_SYMBOLIC_PATHS
from ..model.conventions import MODES, Rule
from ..model.network import Layer, Network
from ..names import SYMBOLIC_MODES
from ..sympy_internals import entries, rational_matrix, unchecked
from ..numbers import to_sympy
from .formulas import Equation, input_equation, masked_weights
from .forward import layer_rules, layer_values
from .symbols import binary, symbolize
from .forward import prediction as output_of

# Why a dropped unit j of a^(l-1) matters or not, as Step.dropped_reasons gives it: an input x_j
# ("input"), a unit ReLU had already made 0 ("relu"), a unit that was 0 anyway ("zero"), or a
# nonzero value the mask removes ("removed"). A solution says one sentence for each.
DROP_REASONS = ("input", "relu", "zero", "removed")


@dataclass(frozen=True)
class Step:
    """Layer ``l``: its masked input, pre-activation and activation, with the numbers used."""

    l: int
    layer: Layer
    mask: ImmutableMatrix
    masked_input: Equation
    pre_activation: Equation
    activation: Equation
    previous: ImmutableMatrix  # a^(l-1) before the mask (x for the first layer)
    output: bool = False
    W: ImmutableMatrix | None = None  # the weights this pass multiplies by: q W when weight scaling
    rule: Rule = Rule(masked=True, input_scale=None, weight_scale=None)
    keep: sympy.Expr | None = None  # q of the mask mu^(l-1), when the spec gives it
    previous_activation: str | None = None  # the activation that made a^(l-1); None when it is x
    # DropConnect: the mask M^(l) on the weights, and W~^(l), the weights the pass multiplies by
    weight_mask: ImmutableMatrix | None = None
    masked_weights: Equation | None = None

    @property
    def equations(self) -> tuple[Equation, ...]:
        """What the step computes before the unit sums: the masked input (or with DropConnect the
        masked weights) and z."""
        first = self.masked_input if self.masked_weights is None else self.masked_weights
        return first, self.pre_activation

    @cached_property
    def dropped_weights(self) -> tuple[tuple[int, int], ...]:
        """DropConnect: the (row, column) of every weight of W^(l) the mask drops."""
        if self.weight_mask is None or not self.rule.weights_masked:
            return ()
        cols = self.weight_mask.cols
        return tuple(divmod(k, cols) for k, m in enumerate(entries(self.weight_mask)) if m == 0)

    @property
    def marked(self) -> tuple:
        """The entries the first equation shows in red: dropped units, or dropped weights."""
        return self.dropped_weights or self.dropped

    # Cached: templates ask for these many times, and indexing a SymPy matrix entry by entry is slow.
    @cached_property
    def dropped(self) -> tuple[int, ...]:
        """Indices j of the units of layer l-1 the mask drops (mu_j = 0)."""
        return tuple(j for j, m in enumerate(entries(self.mask)) if m == 0)

    @cached_property
    def dropped_inactive(self) -> tuple[int, ...]:
        """Dropped units that were already 0: dropping them changes nothing."""
        return tuple(j for j in self.dropped if self.previous_values[j] == 0)

    @cached_property
    def dropped_reasons(self) -> tuple[tuple[int, str], ...]:
        """``(j, reason)`` for every dropped unit j, the reason one of :data:`DROP_REASONS`."""
        inactive = set(self.dropped_inactive)

        def reason(j: int) -> str:
            if self.previous_activation is None:
                return "input"
            if j in inactive:
                return "relu" if self.previous_activation == "relu" else "zero"
            return "removed"

        return tuple((j, reason(j)) for j in self.dropped)

    @cached_property
    def previous_values(self) -> tuple[sympy.Expr, ...]:
        """The entries of a^(l-1) before the mask (of x for the first layer)."""
        return entries(self.previous)

    def terms(self, i: int) -> tuple[list[tuple[sympy.Expr, sympy.Expr]], sympy.Expr, sympy.Expr]:
        """Unit ``i``'s sum ``z_i = sum_j w_ij a~_j + b_i``: the pairs (w_ij, a~_j), b_i and z_i."""
        W, a, b, z = self._entries
        row = W[i * len(a) : (i + 1) * len(a)]
        return list(zip(row, a)), b[i], z[i]

    @cached_property
    def _entries(self):
        return tuple(entries(m) for m in (self.W, self.masked_input.value, self.layer.b, self.pre_activation.value))


@dataclass(frozen=True)
class Derivation:
    """A whole forward pass: the steps, the prediction and what it would be without dropout.

    With ``symbolic`` set, ``network`` is the network as derived: symbols in place of numbers.
    """

    network: Network
    steps: tuple[Step, ...]
    prediction: ImmutableMatrix
    symbolic: str | None = None
    without_dropout: ImmutableMatrix | None = None
    mode: str = "train"
    at_test_time: ImmutableMatrix | None = None  # the test-time prediction, beside a training pass
    # With symbolic masks: the masks the prediction depends on, and its value at the spec's masks.
    masks_in_prediction: tuple[sympy.Symbol, ...] = ()
    at_spec_masks: ImmutableMatrix | None = None
    # With symbolic "all": the prediction in terms of a^(k), for k = 0 (x: the closed form, the
    # prediction itself) to L - 1 (the output layer's formula).
    composed: tuple[ImmutableMatrix, ...] = ()
    # The passes beside the solution left out, each with why: (("off", reason), ("test", reason))
    # where the exact values of the pass without dropout or at test time go past a limit the
    # pass itself keeps within (through sigmoids, or a ReLU input within 2^-4000 of 0).
    left_out: tuple[tuple[str, str], ...] = ()

    @cached_property
    def local_values(self) -> tuple[ImmutableMatrix, ...]:
        """With symbolic "masks": each layer's activations in terms of the previous layer's
        symbols a^(l-1), for a value too wide to write out whole (derived when asked); else ()."""
        if self.symbolic != "masks":
            return ()
        mu = tuple(s for mask in self.network.masks for s in entries(mask))
        return tuple(step.activation.value for step in _symbolic_steps(self.network, simplify=binary(mu), local=True))

    @property
    def activations(self) -> tuple[ImmutableMatrix, ...]:
        """Each step's activation a^(l), the first layer's first (the prediction last)."""
        return tuple(step.activation.value for step in self.steps)

    @property
    def input_mask_is_ones(self) -> bool:
        return all(m == 1 for m in entries(self.network.masks[0]))

    @property
    def input_mask_changes_nothing(self) -> bool:
        """mu^(0) is all ones and nothing scales x (inverted dropout would divide it by q^(0)):
        the first layer's masked input is x itself."""
        return self.input_mask_is_ones and self.steps[0].rule.input_scale is None


def derive(network: Network, symbolic: str | None = None, mode: str = "train") -> Derivation:
    """Derive the exact forward pass of ``network`` (``symbolic``: None, "all" or "masks").

    ``mode`` is "train" (the masks, with the convention's scaling) or "test" (the convention's
    test-time pass: no masks; weight scaling multiplies W by q).
    """
    if symbolic not in (None,) + SYMBOLIC_MODES:
        raise ValueError(f"symbolic must be one of {SYMBOLIC_MODES}, not {symbolic!r}")
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
    if mode == "test":
        network.dropout.check_test_time()
        if symbolic == "masks":
            raise SymdropError("--symbolic masks: the test-time pass has no masks (use --symbolic all)")
    if symbolic is None:
        steps = _numeric_steps(network, mode)
        if mode == "test":
            return Derivation(network, steps, steps[-1].activation.value, mode=mode)
        tested = network.dropout.keep is not None  # plain masks too: tested as weight scaling
        off, test = _beside(network, "off"), _beside(network, "test") if tested else (None, None)
        left_out = tuple((which, why) for which, (_, why) in (("off", off), ("test", test)) if why)
        return Derivation(network, steps, steps[-1].activation.value, without_dropout=off[0], at_test_time=test[0],
                          left_out=left_out)
    dropout = network.dropout
    if dropout.connections or dropout.per_unit:
        what = "DropConnect" if dropout.connections else "a keep probability per unit"
        raise SymdropError(f"--symbolic {symbolic}: expected one keep probability per mask of units, got {what} "
                           f"(the worked solution without --symbolic derives it)")
    paths = math.prod(network.sizes)
    if paths > MAX_SYMBOLIC_PATHS:
        sizes = " x ".join(map(str, network.sizes))
        raise SymdropError(f"--symbolic {symbolic}: {sizes} = {paths} paths through the network, each a term of the "
                           f"closed form; the limit is {MAX_SYMBOLIC_PATHS} paths")
    symbolic_network, mu = symbolize(network, symbolic)
    if symbolic == "masks":
        steps = _symbolic_steps(symbolic_network, simplify=binary(mu))
        prediction = steps[-1].activation.value
        values = dict(zip(mu, (v for mask in network.masks for v in mask)))
        return Derivation(
            symbolic_network, steps, prediction, symbolic,
            masks_in_prediction=tuple(s for s in mu if prediction.has(s)),
            at_spec_masks=prediction.subs(values),
        )
    # "all": each layer in terms of the previous layer's symbols; the prediction composed from
    # the output layer down, one layer at a time.
    steps = _symbolic_steps(symbolic_network, local=True, mode=mode)
    composed = [steps[-1].activation.value]
    for step in reversed(steps[:-1]):
        names = sympy.symbols(f"a{step.l}_1:{step.activation.value.rows + 1}")
        composed.append(composed[-1].subs(dict(zip(names, step.activation.value)), simultaneous=True))
    composed.reverse()
    return Derivation(symbolic_network, steps, composed[0], symbolic, mode=mode, composed=tuple(composed))


def _beside(network: Network, mode: str) -> tuple[ImmutableMatrix | None, str | None]:
    """The prediction of the pass ``mode`` ("off": without dropout; "test") that a solution gives
    beside its own, or None and the refusal that leaves it out: what a solution only mentions
    does not refuse the solution."""
    try:
        return values_matrix(output_of(network, mode)), None
    except BeyondExact as error:
        return None, str(error)


def _symbolic_steps(network: Network, *, simplify=lambda e: e, local: bool = False, mode: str = "train") -> tuple[Step, ...]:
    """The steps of a network with symbols, in SymPy's matrix arithmetic (``local``: each layer
    in terms of the previous layer's symbols)."""
    steps = []
    a = network.x
    for l, (layer, mu) in enumerate(zip(network.layers, network.masks), start=1):
        if local and l > 1:
            a = ImmutableMatrix(sympy.symbols(f"a{l - 1}_1:{a.rows + 1}"))
        rule = network.dropout.rule(l, mode)
        computed = _expression_pass(layer, mu, a, rule, simplify)
        steps.append(_step(network, l, a, computed, rule))
        a = steps[-1].activation.value
    return tuple(steps)


def numeric_step(network: Network, l: int, mode: str = "train") -> Step:
    """Step ``l`` of ``derive(network, mode=mode)`` (a network of numbers) alone, the same step: what
    a feedback page shows, without the other steps nor the passes without dropout and at test time."""
    return _numeric_steps(network, mode, only=l)[0]


def _numeric_steps(network: Network, mode: str, only: int | None = None) -> tuple[Step, ...]:
    """The steps of a network of numbers: the core's pass (:func:`.forward.forward`), each
    layer's values as the matrices the formulas print (``only``: step ``only`` alone)."""
    steps = []
    a = network.x
    rules = layer_rules(network.dropout, network.depth, mode)
    for l, (layer, values) in enumerate(zip(network.layers[:only], layer_values(network, mode)), start=1):
        if only is not None and l < only:  # the one before's activation is the step's input, no more
            if l == only - 1:
                a = values_matrix(values.a)
            continue
        z = values_matrix(values.z)
        rule = rules[l - 1]
        mu = network.masks[l - 1] if rule.masked else _ones(layer.W.cols)
        changed = rule.weight_scale is not None or rule.weights_masked
        W = values_matrix(values.weights, layer.W.cols) if changed else layer.W
        computed = (mu, values_matrix(values.masked, like=a), W, z, values_matrix(values.a, like=z))
        steps.append(_step(network, l, a, computed, rule))
        a = steps[-1].activation.value
    return tuple(steps)


def values_matrix(values, cols: int = 1, *, like: ImmutableMatrix | None = None) -> ImmutableMatrix:
    """The matrix of a pass's values (row by row, ``cols`` per row; nested rows are flattened);
    ``like`` itself when it holds the same values (one object, printed once)."""
    if values and isinstance(values[0], tuple):
        values = [v for row in values for v in row]
    exact = [to_sympy(v) for v in values]
    if like is not None and entries(like) == tuple(exact):
        return like
    if all(isinstance(v, sympy.Rational) for v in exact):
        return rational_matrix(len(exact) // cols, cols, exact)
    return ImmutableMatrix(len(exact) // cols, cols, exact)


@lru_cache(maxsize=None)
def _names(l: int, n_in: int, n_out: int) -> tuple[sympy.Basic, ...]:
    """The symbols of layer l's formulas (the same for every network of these sizes): the matrix
    names, and q^(l-1)."""
    return (
        MatrixSymbol("x" if l == 1 else f"a^{{({l - 1})}}", n_in, 1),
        MatrixSymbol(f"\\mu^{{({l - 1})}}", n_in, 1),
        MatrixSymbol(f"\\tilde{{a}}^{{({l - 1})}}", n_in, 1),
        MatrixSymbol(f"W^{{({l})}}", n_out, n_in),
        MatrixSymbol(f"b^{{({l})}}", n_out, 1),
        MatrixSymbol(f"z^{{({l})}}", n_out, 1),
        MatrixSymbol(f"a^{{({l})}}", n_out, 1),
        sympy.Symbol(f"q{l - 1}", positive=True),  # the keep probability of mu^(l-1)
    )


def _step(network: Network, l: int, a: ImmutableMatrix, computed, rule: Rule) -> Step:
    """Layer ``l``'s step: its formulas, the numbers put in, and the values ``computed`` (the
    mask as applied, the masked input, the weights multiplied by, z and the activation)."""
    layer = network.layers[l - 1]
    n_in, n_out = layer.W.cols, layer.W.rows
    a_name, mu_name, tilde, W_name, b_name, z_name, a_out, q_name = _names(l, n_in, n_out)
    mu, masked, W, z, activated = computed
    keep = network.dropout.keep
    masked_input = input_equation(_names(l, n_in, n_out), a, computed[:2], rule, None if keep is None else keep[l - 1])
    weights = None
    if network.dropout.connections:
        weights = masked_weights(network, l, W, rule)
        Wx = unchecked(MatMul, W_name if weights is None else weights.lhs, a_name)
        Wx_values = (W, masked)
    elif rule.weight_scale is None:
        Wx, Wx_values = unchecked(MatMul, W_name, tilde), (layer.W, masked)
    elif isinstance(rule.weight_scale, sympy.MatrixBase):  # a q per input unit: W diag(q), the bias unscaled
        Wx = unchecked(MatMul, W_name, MatrixSymbol(rf"\operatorname{{diag}}(q^{{({l - 1})}})", n_in, n_in), tilde)
        Wx_values = (layer.W, ImmutableMatrix(sympy.diag(*rule.weight_scale)), masked)
    else:  # weight scaling at test time: q W, the bias unscaled
        Wx = unchecked(MatMul, q_name, W_name, tilde)
        Wx_values = (rule.weight_scale, layer.W, masked)
    keep = network.dropout.keep
    return Step(
        weight_mask=network.masks[l - 1] if network.dropout.connections else None,
        masked_weights=weights,
        l=l,
        layer=layer,
        mask=mu,
        previous=a,
        output=l == network.depth,
        W=W,
        rule=rule,
        keep=None if keep is None else keep[l - 1],
        previous_activation=network.layers[l - 2].activation if l > 1 else None,
        masked_input=masked_input,
        pre_activation=Equation(
            z_name,
            unchecked(MatAdd, Wx, b_name),
            unchecked(MatAdd, unchecked(MatMul, *Wx_values), layer.b),
            z,
        ),
        activation=Equation(a_out, layer.g.formula(z_name), layer.g.formula(z), activated),
    )


def _expression_pass(layer: Layer, mu, a, rule: Rule, simplify):
    """The layer's mask, masked input, weights, z and activation with SymPy's matrix arithmetic,
    for symbols (``--symbolic``); ``simplify`` knows what SymPy cannot (a mask is 0 or 1)."""
    if not rule.masked:
        mu, masked = mu.applyfunc(lambda _: 1), a
    elif rule.input_scale is None:
        masked = mu.multiply_elementwise(a)
        if masked.free_symbols:
            masked = masked.applyfunc(simplify)
    else:
        masked = (rule.input_scale * mu.multiply_elementwise(a)).applyfunc(lambda e: simplify(sympy.expand(e)))
    W = layer.W if rule.weight_scale is None else (rule.weight_scale * layer.W).applyfunc(sympy.expand)
    z = W * masked + layer.b
    if z.free_symbols:  # expand products and simplify; exact numbers are final already
        z = z.applyfunc(lambda e: simplify(sympy.expand(e)))
    activated = layer.g(z).applyfunc(simplify) if z.free_symbols else layer.g(z)
    return mu, masked, W, z, activated


@lru_cache(maxsize=None)
def _ones(n: int) -> ImmutableMatrix:
    return rational_matrix(n, 1, [sympy.S.One] * n)
