"""The forward pass as data: one Step per layer, each quantity as formula, numbers and value."""

from dataclasses import dataclass, replace
from functools import cached_property, lru_cache

import sympy
from sympy import HadamardProduct, ImmutableMatrix, MatAdd, MatMul, MatrixSymbol

from .network import Layer, Network

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

    # Cached: templates ask for these many times, and indexing a SymPy matrix entry by entry is slow.
    @cached_property
    def dropped(self) -> tuple[int, ...]:
        """Indices j of the units of layer l-1 the mask drops (mu_j = 0)."""
        return tuple(j for j, m in enumerate(self.mask.tolist()) if m[0] == 0)

    @cached_property
    def dropped_inactive(self) -> tuple[int, ...]:
        """Dropped units that were already 0: dropping them changes nothing."""
        previous = self.previous.tolist()
        return tuple(j for j in self.dropped if previous[j][0] == 0)

    def terms(self, i: int) -> tuple[list[tuple[sympy.Expr, sympy.Expr]], sympy.Expr]:
        """Unit ``i``'s sum ``z_i = sum_j w_ij a~_j + b_i`` as the pairs (w_ij, a~_j) and b_i."""
        W, a, b = self._entries
        return list(zip(W[i], a)), b[i]

    @cached_property
    def _entries(self):
        return self.layer.W.tolist(), [v for (v,) in self.masked_input.value.tolist()], [v for (v,) in self.layer.b.tolist()]


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
    # With symbolic masks: the masks the prediction depends on, and its value at the spec's masks.
    masks_in_prediction: tuple[sympy.Symbol, ...] = ()
    at_spec_masks: ImmutableMatrix | None = None

    @property
    def input_mask_is_ones(self) -> bool:
        return all(m == 1 for m in self.network.masks[0])

    def to_latex(self, **options) -> str:
        from .render import render_solution

        return render_solution(self, "latex", **options)

    def to_markdown(self, **options) -> str:
        from .render import render_solution

        return render_solution(self, "markdown", **options)

    def to_json(self) -> dict:
        from .render import solution_json

        return solution_json(self)

    def _repr_latex_(self) -> str:
        from .render import render_summary

        return render_summary(self)

    def _repr_markdown_(self) -> str:
        return self.to_markdown()


def derive(network: Network, symbolic: str | None = None) -> Derivation:
    """Derive the exact forward pass of ``network`` (``symbolic``: None, "all" or "masks")."""
    if symbolic not in (None,) + SYMBOLIC_MODES:
        raise ValueError(f"symbolic must be one of {SYMBOLIC_MODES}, not {symbolic!r}")
    if symbolic is None:
        steps = _forward(network)
        return Derivation(network, steps, steps[-1].activation.value, without_dropout=_without_dropout(network))
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
    steps = _forward(symbolic_network, local=True)
    prediction = steps[0].activation.value
    for step in steps[1:]:
        names = sympy.symbols(f"a{step.l - 1}_1:{step.previous.rows + 1}")
        prediction = step.activation.value.subs(dict(zip(names, prediction)), simultaneous=True)
    return Derivation(symbolic_network, steps, prediction, symbolic)


def symbolize(network: Network, which: str) -> tuple[Network, tuple[sympy.Symbol, ...]]:
    """``network`` with masks (and, for "all", weights, biases and inputs) made symbols.

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
        layers.append(Layer(W=W, b=b, activation=layer.activation))
    x = ImmutableMatrix(sympy.symbols(f"x_1:{network.x.rows + 1}"))
    return replace(network, x=x, layers=tuple(layers), masks=tuple(mu)), symbols


def _forward(network: Network, *, simplify=lambda e: e, local: bool = False) -> tuple[Step, ...]:
    steps = []
    a = network.x
    for l, (layer, mu) in enumerate(zip(network.layers, network.masks), start=1):
        if local and l > 1:
            a = ImmutableMatrix(sympy.symbols(f"a{l - 1}_1:{a.rows + 1}"))
        steps.append(_step(l, layer, mu, a, simplify, output=l == network.depth))
        a = steps[-1].activation.value
    return tuple(steps)


def _without_dropout(network: Network) -> ImmutableMatrix:
    """The prediction with every mask all ones: the values of ``_forward``, without the steps."""
    a = network.x
    for layer in network.layers:
        a = layer.g(layer.W * a + layer.b)
    return a


@lru_cache(maxsize=None)
def _names(l: int, n_in: int, n_out: int) -> tuple[MatrixSymbol, ...]:
    """The symbols of layer l's formulas (the same for every network of these sizes)."""
    return (
        MatrixSymbol("x" if l == 1 else f"a^{{({l - 1})}}", n_in, 1),
        MatrixSymbol(f"\\mu^{{({l - 1})}}", n_in, 1),
        MatrixSymbol(f"\\tilde{{a}}^{{({l - 1})}}", n_in, 1),
        MatrixSymbol(f"W^{{({l})}}", n_out, n_in),
        MatrixSymbol(f"b^{{({l})}}", n_out, 1),
        MatrixSymbol(f"z^{{({l})}}", n_out, 1),
        MatrixSymbol(f"a^{{({l})}}", n_out, 1),
    )


def _step(l, layer: Layer, mu: ImmutableMatrix, a: ImmutableMatrix, simplify, output: bool) -> Step:
    n_in, n_out = layer.W.cols, layer.W.rows
    a_name, mu_name, tilde, W_name, b_name, z_name, a_out = _names(l, n_in, n_out)

    masked = mu.multiply_elementwise(a)
    z = layer.W * masked + layer.b
    # Exact numbers are final already; the element-wise passes below would only copy them, at a
    # large share of the derivation's time. Symbols: expand products and simplify.
    numeric = not z.free_symbols and not masked.free_symbols
    if not numeric:
        masked = masked.applyfunc(simplify)
        z = z.applyfunc(lambda e: simplify(sympy.expand(e)))
    activated = layer.g(z) if numeric else layer.g(z).applyfunc(simplify)
    return Step(
        l=l,
        layer=layer,
        mask=mu,
        previous=a,
        output=output,
        masked_input=Equation(
            tilde,
            HadamardProduct(mu_name, a_name, evaluate=False),
            HadamardProduct(mu, a, evaluate=False),
            masked,
        ),
        pre_activation=Equation(
            z_name,
            MatAdd(MatMul(W_name, tilde, evaluate=False), b_name, evaluate=False),
            MatAdd(MatMul(layer.W, masked, evaluate=False), layer.b, evaluate=False),
            z,
        ),
        activation=Equation(a_out, layer.g.formula(z_name), layer.g.formula(z), activated),
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
