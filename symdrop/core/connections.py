"""DropConnect's exact mean over every mask of the weights, layer by layer.

Each unit's weights have masks of their own, independent of every other unit's, so given the
layer's input the units are independent: the distribution of each unit's value is built from its
row of masks (equal values merged), and the layer's vectors are their products. A linear output
layer takes the mean of its input instead, its own masks by their mean E[M] = Q (or W itself when
inverted dropout divides each kept weight by its q).
"""

from itertools import product

from sympy import ImmutableMatrix

from ..model.network import Network
from ..numbers import to_sympy
from .passnumbers import network_numbers


def connections_mean(network: Network) -> tuple[ImmutableMatrix, int]:
    """``E[y]`` over every weight mask of a DropConnect network (keep probabilities given), and
    the most distinct activation vectors held at a layer."""
    values = network_numbers(network)
    divides = network.dropout.convention.divides
    gs = [layer.g.number if values.python else layer.g.apply for layer in network.layers]
    states, most = {values.x: 1}, 1
    for l, ((W, b), g, layer) in enumerate(zip(values.layers, gs, network.layers), start=1):
        Q = _keep_rows(values.keep[l - 1], len(W), len(W[0]))
        last = l == network.depth
        if last and layer.activation == "identity":
            mean = [sum(p * A[j] for A, p in states.items()) for j in range(len(W[0]))]
            y = [bias + sum(w * (1 if divides else q) * a for w, q, a in zip(row, qrow, mean))
                 for row, qrow, bias in zip(W, Q, b)]
            return _matrix(y), most
        if last:  # sigmoid or tanh (or ReLU) on the output: each unit's mean, one at a time
            y = [sum(p * sum(u * g(z) for z, u in _unit(row, qrow, bias, A, divides).items())
                     for A, p in states.items()) for row, qrow, bias in zip(W, Q, b)]
            return _matrix(y), most
        new = {}
        for A, p in states.items():
            units = [_merge((g(z), u) for z, u in _unit(row, qrow, bias, A, divides).items())
                     for row, qrow, bias in zip(W, Q, b)]
            for combination in product(*(unit.items() for unit in units)):
                vector = tuple(a for a, _ in combination)
                weight = p
                for _, u in combination:
                    weight *= u
                new[vector] = new.get(vector, 0) + weight
        states, most = new, max(most, len(new))
    raise AssertionError("unreachable: the last layer returns")


def _unit(row, qrow, bias, A, divides: bool) -> dict:
    """The distribution of one unit's z = b + sum_j m_j w_j a_j (each kept weight over its q when
    inverted) over its row of masks: {z: probability}."""
    sums = {bias: 1}
    for w, q, a in zip(row, qrow, A):
        term = w * a
        if term == 0 or q == 1:
            sums = {z + term: u for z, u in sums.items()}
            continue
        kept = term / q if divides else term
        grown = {}
        for z, u in sums.items():
            grown[z] = grown.get(z, 0) + u * (1 - q)
            grown[z + kept] = grown.get(z + kept, 0) + u * q
        sums = grown
    return sums


def _merge(pairs) -> dict:
    merged = {}
    for value, u in pairs:
        merged[value] = merged.get(value, 0) + u
    return merged


def _keep_rows(q, rows: int, cols: int):
    """The q of every weight, row by row: one q repeated, or the rows given."""
    if isinstance(q, tuple):
        return q
    return ((q,) * cols,) * rows


def _matrix(values) -> ImmutableMatrix:
    return ImmutableMatrix([to_sympy(v) for v in values])
