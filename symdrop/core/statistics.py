"""The derivation of dropout's statistics that a worked solution shows: the first layer's unit
sums term by term (its input x is fixed, so its terms are independent and their variances add),
then every layer's moments, the prediction's, the loss's and the gradients', as SymPy values.
"""

from dataclasses import dataclass

import sympy
from sympy import ImmutableMatrix

from ..model.batch import Batch
from ..model.network import Network
from ..numbers import to_sympy
from .passnumbers import network_numbers
from .moments import Moments, moments as moments_of


@dataclass(frozen=True)
class Term:
    """One term w_j mu_j x_j (times s_j = 1/q_j when inverted) of a first-layer unit's sum."""

    j: int
    w: sympy.Expr
    x: sympy.Expr
    q: sympy.Expr
    s: sympy.Expr

    @property
    def mean(self) -> sympy.Expr:
        """E[w mu x s] = q s w x."""
        return self.q * self.s * self.w * self.x

    @property
    def variance(self) -> sympy.Expr:
        """Var(w mu x s) = w^2 x^2 v."""
        return self.w**2 * self.x**2 * self.v

    @property
    def v(self) -> sympy.Expr:
        """Var(mu s): q (1 - q), or (1 - q)/q when inverted."""
        return self.s**2 * self.q * (1 - self.q)

    @property
    def factor(self) -> sympy.Expr:
        """E[mu s]: q, or 1 when inverted."""
        return self.q * self.s


@dataclass(frozen=True)
class Unit:
    """z^(1)_i = b_i + sum_j w_ij mu_j x_j (s_j): its terms (x_j != 0, w_ij != 0), mean and variance."""

    i: int
    bias: sympy.Expr
    terms: tuple[Term, ...]

    @property
    def mean(self) -> sympy.Expr:
        return self.bias + sum((t.mean for t in self.terms), sympy.Integer(0))

    @property
    def variance(self) -> sympy.Expr:
        return sum((t.variance for t in self.terms), sympy.Integer(0))

    @property
    def factors(self) -> tuple[tuple[sympy.Expr, sympy.Expr], ...]:
        """(q, v) for each distinct q of the terms a mask reaches, in the terms' order: the
        variance factor v = Var(mu s) a worked solution works out before the sum uses it."""
        return variance_factors(self.terms)


def variance_factors(terms) -> tuple[tuple[sympy.Expr, sympy.Expr], ...]:
    """(q, v = Var(mu s)) for each distinct q of ``terms`` a mask reaches, in their order."""
    seen = {}
    for t in terms:
        if t.v != 0:
            seen.setdefault(t.q, t.v)
    return tuple(seen.items())


@dataclass(frozen=True)
class Layer:
    """Layer l's moments as vectors (column matrices); ``masked`` those of a~^(l-1) (units only)."""

    l: int
    masked: tuple[ImmutableMatrix, ImmutableMatrix] | None
    z: tuple[ImmutableMatrix, ImmutableMatrix]
    a: tuple[ImmutableMatrix, ImmutableMatrix]
    values: int | None
    output: bool


@dataclass(frozen=True)
class Statistics:
    """Everything a worked solution of ``symdrop moments`` shows, as SymPy values."""

    moments: Moments
    network: Network
    units: tuple[Unit, ...]  # of the first layer
    layers: tuple[Layer, ...]
    covariance: ImmutableMatrix | None
    distribution: tuple[tuple[ImmutableMatrix, sympy.Expr], ...] | None
    loss: tuple[sympy.Expr, sympy.Expr] | None
    gradients: tuple[tuple[ImmutableMatrix, ImmutableMatrix, ImmutableMatrix, ImmutableMatrix], ...] | None
    batch: Batch | None = None  # a batch's examples (its statistics: the penalty identity)
    # the name its problem gives the network's output (a kind's: S, a unit's sum; z, a layer's),
    # as the printer's symbol: a picture labels the output units with it
    output_name: str = "yhat"
    masks_given = False  # over every mask: a picture marks none (a class attribute, not a field)

    @property
    def first_layer_random(self) -> bool:
        """Whether some mask can change the first layer (else z^(1) = W x + b, variance 0)."""
        return any(t.v != 0 for u in self.units for t in u.terms)

    @property
    def inverted(self) -> bool:
        return self.network.dropout.convention.divides

    @property
    def factors(self) -> tuple[tuple[sympy.Expr, sympy.Expr], ...]:
        """(q, v) for each distinct q of the first layer's terms, unit by unit (Unit.factors)."""
        return variance_factors(t for u in self.units for t in u.terms)

    @property
    def prediction(self) -> tuple[ImmutableMatrix, ImmutableMatrix]:
        return self.layers[-1].a


def derive_statistics(model: Network | Batch) -> Statistics:
    """The worked statistics of ``model`` (a batch: its penalty identity only)."""
    found = moments_of(model)
    network = found.network
    if found.examples > 1 or not found.layers:
        return Statistics(found, network, (), (), None, None, (sym(found.loss.mean), sym(found.loss.variance)), None,
                          batch=model if isinstance(model, Batch) else None)
    layers = tuple(Layer(m.l, _pair(m.masked) if m.masked else None, _pair(m.z), _pair(m.a), m.values,
                         m.l == network.depth) for m in found.layers)
    covariance = ImmutableMatrix([[to_sympy(v) for v in row] for row in found.covariance])
    distribution = None if found.distribution is None else tuple(
        (ImmutableMatrix([to_sympy(v) for v in value]), to_sympy(p)) for value, p in found.distribution)
    loss = None if found.loss is None else (sym(found.loss.mean), sym(found.loss.variance))
    gradients = None if found.gradients is None else tuple(
        (matrix(w.mean), matrix(w.variance), column(b.mean), column(b.variance)) for w, b in found.gradients)
    return Statistics(found, network, first_units(network), layers, covariance, distribution, loss, gradients)


def first_units(network: Network) -> tuple[Unit, ...]:
    """The first layer's units as sums of independent terms (x is fixed): w_ij mu_j x_j, or with
    DropConnect w_ij m_ij x_j, each with its own q."""
    numbers = network_numbers(network)
    W, b = network.layers[0].W, network.layers[0].b
    keep = network.dropout.keep_of(0, network.masks[0].shape)
    divides = network.dropout.convention.divides
    units = []
    for i in range(W.rows):
        terms = []
        for j, x in enumerate(numbers.x):
            x = to_sympy(x)
            q = keep[i, j] if network.dropout.connections else keep[j]
            if x != 0 and W[i, j] != 0:
                terms.append(Term(j, W[i, j], x, q, 1 / q if divides else sympy.Integer(1)))
        units.append(Unit(i, b[i], tuple(terms)))
    return tuple(units)


def sym(value) -> sympy.Expr:
    return sympy.sympify(to_sympy(value))


def column(values) -> ImmutableMatrix:
    return ImmutableMatrix([sym(v) for v in values])


def matrix(rows) -> ImmutableMatrix:
    return ImmutableMatrix([[sym(v) for v in row] for row in rows])


def _pair(stats) -> tuple[ImmutableMatrix, ImmutableMatrix]:
    return column(stats.mean), column(stats.variance)
