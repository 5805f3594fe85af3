"""The forward pass as data: one Step per layer, each quantity as formula, numbers and value."""

from dataclasses import dataclass, replace
from functools import cached_property, lru_cache

import sympy
from sympy import HadamardProduct, ImmutableMatrix, MatAdd, MatMul, MatrixSymbol

from ..model.conventions import MODES, Rule
from ..errors import SymdropError
from ..model.network import Layer, Network
from ..numbers import entries, rational_matrix

SYMBOLIC_MODES = ("all", "masks")


@dataclass(frozen=True)
class Equation:
    """One quantity the way handcalcs shows it: ``lhs = symbolic = substituted = value``."""

    lhs: sympy.Basic
    symbolic: sympy.Basic
    substituted: sympy.Basic
    value: ImmutableMatrix


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

    @property
    def input_mask_is_ones(self) -> bool:
        return all(m == 1 for m in entries(self.network.masks[0]))

    def to_latex(self, **options) -> str:
        from ..render.documents import render_solution

        return render_solution(self, "latex", **options)

    def to_markdown(self, **options) -> str:
        from ..render.documents import render_solution

        return render_solution(self, "markdown", **options)

    def to_json(self) -> dict:
        from ..render.documents import solution_json

        return solution_json(self)

    def _repr_latex_(self) -> str:
        from ..render.documents import render_summary

        return render_summary(self)

    def _repr_markdown_(self) -> str:
        return self.to_markdown()


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
        steps = _forward(network, mode=mode)
        if mode == "test":
            return Derivation(network, steps, steps[-1].activation.value, mode=mode)
        test = network.dropout.convention != "plain"
        return Derivation(
            network, steps, steps[-1].activation.value,
            without_dropout=_without_dropout(network),
            at_test_time=_forward(network, mode="test")[-1].activation.value if test else None,
        )
    symbolic_network, mu = symbolize(network, symbolic)
    if symbolic == "masks":
        steps = _forward(symbolic_network, simplify=_binary(mu))
        prediction = steps[-1].activation.value
        values = dict(zip(mu, (v for mask in network.masks for v in mask)))
        return Derivation(
            symbolic_network, steps, prediction, symbolic,
            masks_in_prediction=tuple(s for s in mu if prediction.has(s)),
            at_spec_masks=prediction.subs(values),
        )
    # "all": each layer in terms of the previous layer's symbols; the prediction composed.
    steps = _forward(symbolic_network, local=True, mode=mode)
    prediction = steps[0].activation.value
    for step in steps[1:]:
        names = sympy.symbols(f"a{step.l - 1}_1:{step.previous.rows + 1}")
        prediction = step.activation.value.subs(dict(zip(names, prediction)), simultaneous=True)
    return Derivation(symbolic_network, steps, prediction, symbolic, mode=mode)


def symbolize(network: Network, which: str) -> tuple[Network, tuple[sympy.Symbol, ...]]:
    """``network`` with masks (and, for "all", weights, biases, inputs and keep probabilities
    below 1) made symbols.

    Also returns the mask symbols, mu^(0) first; they are nonnegative, as masks are 0 or 1.
    """
    mu = [
        ImmutableMatrix(sympy.symbols(f"mu{l}_1:{m.rows + 1}", nonnegative=True))
        for l, m in enumerate(network.masks)
    ]
    symbols = tuple(s for m in mu for s in m)
    if which == "masks":
        return replace(network, masks=tuple(mu)), symbols
    layers = []
    for l, layer in enumerate(network.layers, start=1):
        W = ImmutableMatrix(
            layer.W.rows, layer.W.cols, lambda i, j: sympy.Symbol(f"w{l}_{i + 1}_{j + 1}")
        )
        b = ImmutableMatrix(sympy.symbols(f"b{l}_1:{layer.units + 1}"))
        layers.append(replace(layer, W=W, b=b))
    x = ImmutableMatrix(sympy.symbols(f"x_1:{network.x.rows + 1}"))
    dropout = network.dropout
    if dropout.keep is not None:
        dropout = replace(dropout, keep=keep_symbols(dropout))
    return replace(network, x=x, layers=tuple(layers), masks=tuple(mu), dropout=dropout), symbols


def keep_symbols(dropout) -> tuple[sympy.Expr, ...]:
    """The keep probabilities with every q < 1 a positive symbol ``q^(l)``; q = 1 stays 1."""
    return tuple(
        sympy.Symbol(f"q{l}", positive=True) if dropout.maskable(l) else q for l, q in enumerate(dropout.keep)
    )


def _forward(
    network: Network, *, simplify=lambda e: e, local: bool = False, mode: str = "train"
) -> tuple[Step, ...]:
    steps = []
    a = network.x
    keep = network.dropout.keep
    for l, (layer, mu) in enumerate(zip(network.layers, network.masks), start=1):
        if local and l > 1:
            a = ImmutableMatrix(sympy.symbols(f"a{l - 1}_1:{a.rows + 1}"))
        rule = network.dropout.rule(l, mode)
        q = None if keep is None else keep[l - 1]
        steps.append(_step(l, layer, mu, a, simplify, output=l == network.depth, rule=rule, keep=q))
        a = steps[-1].activation.value
    return tuple(steps)


def _without_dropout(network: Network) -> ImmutableMatrix:
    """The prediction with every mask all ones: the values of ``_forward``, without the steps."""
    if _rational(network.x, *(m for layer in network.layers for m in (layer.W, layer.b))):
        values = entries(network.x)  # entries alone, one matrix at the end
        for layer in network.layers:
            values = _affine(layer, entries(layer.W), values)[1]
            if not _rational(*values):
                break  # a sigmoid or tanh: the general pass below
        else:
            return rational_matrix(len(values), 1, values)
    a = network.x
    for layer, mu in zip(network.layers, network.masks):
        a = _pass(layer, mu, a, _UNMASKED)[-1]
    return a


_UNMASKED = Rule(masked=False, input_scale=None, weight_scale=None)


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


def _step(
    l, layer: Layer, mu: ImmutableMatrix, a: ImmutableMatrix, simplify, output: bool,
    rule: Rule = Rule(True, None, None), keep=None,
) -> Step:
    n_in, n_out = layer.W.cols, layer.W.rows
    a_name, mu_name, tilde, W_name, b_name, z_name, a_out, q_name = _names(l, n_in, n_out)
    mu, masked, W, z, activated = _pass(layer, mu, a, rule, simplify)

    if not rule.masked:  # test time: the input as it is
        masked_input = Equation(tilde, a_name, a, masked)
    elif rule.input_scale is None:
        masked_input = Equation(
            tilde, _written(HadamardProduct, mu_name, a_name), _written(HadamardProduct, mu, a), masked
        )
    else:  # inverted dropout: kept values divided by q
        masked_input = Equation(
            tilde,
            _written(MatMul, 1 / q_name, _written(HadamardProduct, mu_name, a_name)),
            _written(MatMul, rule.input_scale, _written(HadamardProduct, mu, a)),
            masked,
        )
    if rule.weight_scale is None:
        Wx, Wx_values = _written(MatMul, W_name, tilde), (layer.W, masked)
    else:  # weight scaling at test time: q W, the bias unscaled
        Wx = _written(MatMul, q_name, W_name, tilde)
        Wx_values = (rule.weight_scale, layer.W, masked)
    return Step(
        l=l,
        layer=layer,
        mask=mu,
        previous=a,
        output=output,
        W=W,
        rule=rule,
        keep=keep,
        masked_input=masked_input,
        pre_activation=Equation(
            z_name,
            _written(MatAdd, Wx, b_name),
            _written(MatAdd, _written(MatMul, *Wx_values), layer.b),
            z,
        ),
        activation=Equation(a_out, layer.g.formula(z_name), layer.g.formula(z), activated),
    )


def _written(cls, *args):
    """``cls(*args, evaluate=False)`` for a formula's matrix sum or product, built as SymPy builds
    it but without its shape checks: the shapes are right by construction, and checking them
    took a third of a derivation's time. ``tests/test_derive.py`` checks both give the same."""
    return sympy.Basic.__new__(cls, *args)


def _pass(layer: Layer, mu, a, rule: Rule, simplify=lambda e: e):
    """Layer ``layer`` applied to ``a`` under ``mu`` and ``rule``: the mask as applied (all ones
    at test time), the masked input, the weights multiplied by, z and the activation."""
    scales = [s for s in (rule.input_scale, rule.weight_scale) if s is not None]
    if _rational(a, mu, layer.W, layer.b, *scales):
        return _rational_pass(layer, mu, a, rule)
    return _expression_pass(layer, mu, a, rule, simplify)


def _expression_pass(layer: Layer, mu, a, rule: Rule, simplify):
    """The layer's mask, masked input, weights, z and activation with SymPy's matrix arithmetic:
    for symbols, and for irrational values (after a sigmoid or tanh)."""
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
    # Exact numbers are final already; the element-wise passes below would only copy them.
    # Symbols: expand products and simplify.
    if z.free_symbols:
        z = z.applyfunc(lambda e: simplify(sympy.expand(e)))
    activated = layer.g(z).applyfunc(simplify) if z.free_symbols else layer.g(z)
    return mu, masked, W, z, activated


def _rational_pass(layer: Layer, mu, a, rule: Rule):
    """The same as :func:`_expression_pass` when every number is rational (every generated
    problem, and most specs), entry by entry in SymPy rationals: the same exact values, and one
    matrix per result instead of the intermediate matrices of matrix arithmetic, which made up
    most of the time of a derivation."""
    n_out, n_in = layer.W.shape
    scale = sympy.S.One if rule.input_scale is None else rule.input_scale
    if not rule.masked:
        mu, masked = _ones(n_in), a
    elif scale == 1 and all(m == 1 for m in entries(mu)):
        masked = a  # the same values: the same matrix (printed once, compared by identity)
    else:
        masked = rational_matrix(n_in, 1, [scale * m * v for m, v in zip(entries(mu), entries(a))])
    W = layer.W
    if rule.weight_scale is not None:
        W = rational_matrix(n_out, n_in, [rule.weight_scale * w for w in entries(W)])
    z, activated = _affine(layer, entries(W), entries(masked))
    z_matrix = rational_matrix(n_out, 1, z)
    if all(g is v for g, v in zip(activated, z)):
        activated = z_matrix  # g changed nothing (identity, or ReLU of nothing negative): one matrix
    elif all(isinstance(v, sympy.Rational) for v in activated):
        activated = rational_matrix(n_out, 1, activated)
    else:  # a sigmoid or tanh: irrational values
        activated = ImmutableMatrix(activated)
    return mu, masked, W, z_matrix, activated


def _affine(layer: Layer, weights, inputs) -> tuple[list, list]:
    """``z = W a + b`` and ``g(z)`` entry by entry, for W's entries (row by row) and a's."""
    n_in = len(inputs)
    z = [
        sum((w * v for w, v in zip(weights[i * n_in : (i + 1) * n_in], inputs)), start=bias)
        for i, bias in enumerate(entries(layer.b))
    ]
    return z, [layer.g.apply(v) for v in z]


@lru_cache(maxsize=None)
def _ones(n: int) -> ImmutableMatrix:
    return rational_matrix(n, 1, [sympy.S.One] * n)


def _rational(*values) -> bool:
    """Whether every value, number or matrix entry, is a SymPy rational."""
    return all(
        isinstance(e, sympy.Rational)
        for v in values
        for e in (entries(v) if isinstance(v, sympy.MatrixBase) else (v,))
    )


def _binary(mask_symbols):
    """Simplify with what SymPy cannot know: a mask is 0 or 1, so mu**k = mu."""
    masks = set(mask_symbols)

    def simplify(expr):
        return expr.replace(
            lambda e: e.is_Pow and e.base in masks and e.exp.is_Integer and e.exp > 0,
            lambda e: e.base,
        )

    return simplify
