"""The distribution of every layer's values over every mask, carried layer by layer.

A layer's input a^(l-1) takes finitely many values over the masks before it, each with its
probability. Given one of them, z^(l) = b + sum_t mu_t d_t is a sum of independent terms: one
``Toggle`` per mask entry that can drop something (a unit of a^(l-1) that is not 0, or with
DropConnect one weight), d_t what that entry adds when kept (its column of W times the value,
divided by q when inverted). Equal vectors are merged with their probabilities added, so the
work is the number of distinct vectors, not of masks. This is the plain path of ``moments``;
the closed form of a linear output layer (:func:`linear_moments`) is its one fast path.
"""

from dataclasses import dataclass

from ..errors import SymdropError
from ..limits import MAX_DISTINCT_VALUES
from ..model.activations import activation
from ..model.network import Network
from .passnumbers import Number, network_numbers


@dataclass(frozen=True)
class Toggle:
    """One mask entry of a layer's input: kept with probability q, it adds ``delta`` to z."""

    q: Number
    delta: tuple[Number, ...]


@dataclass(frozen=True)
class LayerDistribution:
    """Layer l over every mask: each distinct z^(l) and a^(l) with its probability."""

    z: dict
    a: dict


def toggles(network: Network, l: int, a: tuple) -> tuple[tuple, list[Toggle]]:
    """z^(l) given the layer's input ``a``: the part no mask changes (b, and every kept-for-sure
    term) and one :class:`Toggle` per mask entry that can change it."""
    numbers = network_numbers(network)
    W, b = numbers.layers[l - 1]
    q = numbers.keep[l - 1] if numbers.keep is not None else 1
    divides = network.dropout.convention.divides
    base, found = list(b), []
    for j, value in enumerate(a):
        if value == 0:
            continue
        for i, row in enumerate(W) if network.dropout.connections else [(None, None)]:
            qs = _entry(q, i, j)
            if i is None:  # a unit: its column of W
                delta = tuple(r[j] * value for r in W)
            else:  # one weight: row i alone
                delta = tuple(row[j] * value if k == i else 0 for k in range(len(W)))
            if qs == 1:
                base = [v + d for v, d in zip(base, delta)]
            elif any(d != 0 for d in delta):
                found.append(Toggle(qs, tuple(d / qs for d in delta) if divides else delta))
    return tuple(base), found


def _entry(q, i, j):
    """The keep probability of unit j (i None) or of weight (i, j): one q, one per unit, or rows."""
    if not isinstance(q, tuple):
        return q
    return q[j] if i is None else q[i][j]


def spread(base: tuple, found: list[Toggle], cap: int | None = None) -> dict | None:
    """The distribution of ``base + sum_t mu_t delta_t`` over the toggles' masks: each distinct
    vector with its probability. With ``cap``: None as soon as more than ``cap`` values appear
    (each toggle may drop, so the values seen so far are all among the final ones)."""
    values = {base: 1}
    for t in found:
        grown = {}
        for v, p in values.items():
            grown[v] = grown.get(v, 0) + p * (1 - t.q)
            kept = tuple(x + d for x, d in zip(v, t.delta))
            grown[kept] = grown.get(kept, 0) + p * t.q
        values = grown
        if cap is not None and len(values) > cap:
            return None
    return values


def carried(network: Network, layers: int | None = None) -> tuple[LayerDistribution, ...]:
    """The distributions of layers 1 .. ``layers`` (all by default), each from the one before."""
    numbers = network_numbers(network)
    states = {numbers.x: 1}
    found = []
    for l, layer in enumerate(network.layers[:layers], start=1):
        g = activation(layer.activation, layer.slope)
        g = g.number if numbers.python else g.apply
        zs = {}
        for a, p in states.items():
            for z, pz in spread(*toggles(network, l, a)).items():
                zs[z] = zs.get(z, 0) + p * pz
            if len(zs) > MAX_DISTINCT_VALUES:
                raise SymdropError(f"moments: more than {MAX_DISTINCT_VALUES:,} distinct values of z^({l}) over "
                                   f"the masks; the limit is {MAX_DISTINCT_VALUES:,} (fewer maskable units or layers)")
        states = {}
        for z, p in zs.items():
            a = tuple(map(g, z))
            states[a] = states.get(a, 0) + p
        found.append(LayerDistribution(zs, states))
    return tuple(found)


def linear_moments(network: Network, inputs: dict) -> tuple[tuple, tuple]:
    """The fast path for a linear output layer: E[z^(L)] and its covariance, from the
    distribution of the layer's input alone. Given a, z = base + sum_t mu_t d_t with independent
    mu_t: E[z | a] = base + sum_t q_t d_t and Cov(z | a) = sum_t q_t (1 - q_t) d_t d_t^T; then
    E[z] = E[E[z | a]] and Cov(z) = E[Cov(z | a)] + Cov(E[z | a]) (the law of total variance)."""
    L = network.depth
    n = network.layers[-1].units
    mean = [0] * n
    second = [[0] * n for _ in range(n)]  # E[z z^T]
    for a, p in inputs.items():
        base, found = toggles(network, L, a)
        m = list(base)
        for t in found:
            m = [v + t.q * d for v, d in zip(m, t.delta)]
        for i in range(n):
            mean[i] += p * m[i]
            for k in range(n):
                conditional = sum((t.q * (1 - t.q) * t.delta[i] * t.delta[k] for t in found), 0)
                second[i][k] += p * (conditional + m[i] * m[k])
    covariance = tuple(tuple(second[i][k] - mean[i] * mean[k] for k in range(n)) for i in range(n))
    return tuple(mean), covariance


def output_values(network: Network, inputs: dict, cap: int) -> dict | None:
    """Every distinct z^(L) with its probability, from the distribution of the output layer's
    input; None when there are more than ``cap`` (found out after at most ``cap`` values of each)."""
    values = {}
    for a, p in inputs.items():
        spread_a = spread(*toggles(network, network.depth, a), cap=cap)
        if spread_a is None:
            return None
        for z, pz in spread_a.items():
            values[z] = values.get(z, 0) + p * pz
        if len(values) > cap:
            return None
    return values
