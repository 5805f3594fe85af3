"""A network's numbers as the core's pass computes with them: Python's int and Fraction, SymPy's
numbers, or 40-digit decimals; read from the network's SymPy matrices once (or carried by a
network drawn in them)."""

from dataclasses import dataclass, replace
from fractions import Fraction
from functools import cached_property, lru_cache
from math import lcm
from typing import Union

import mpmath
import sympy

from ..model.network import Network
from ..numbers import as_python, python_entries
from ..sympy_internals import all_rational, entries

# Exact numbers only, a float never: Python's int and Fraction where every number of a network is
# rational and every activation piecewise linear (most networks, every generated problem: their
# arithmetic is some 25 times faster than SymPy's); SymPy numbers otherwise (sigmoid, tanh).
Number = Union[int, Fraction, sympy.Expr]
# The decimals of a pass with ``numeric``: 40 digits in a context of their own (mpmath's global one
# is left alone), what rules compare with a tolerance before any exact value is built.
DECIMALS = mpmath.MPContext()
DECIMALS.dps = 40


@dataclass(frozen=True)
class NetworkNumbers:
    """A network's numbers as the pass computes with them: x, each layer's W rows and b, each
    mask (a weight mask of DropConnect as rows) and each keep probability (one number, one per
    unit, or as rows one per weight)."""

    x: tuple[Number, ...]
    layers: tuple[tuple[tuple[tuple[Number, ...], ...], tuple[Number, ...]], ...]
    masks: tuple[tuple, ...]
    keep: tuple | None
    python: bool  # int and Fraction (else SymPy numbers)
    target: tuple[Number, ...] | None = None  # t, for the backward pass
    numeric: bool = False  # 40-digit decimals (DECIMALS), masks as ints: see numeric_numbers

    @cached_property
    def scales(self) -> tuple:
        """Each layer's 1/q, as inverted dropout scales a kept input by it: one number, or a tuple
        of one per unit (a whole number as an int: 1/q = 2), None for a keep of rows (DropConnect's,
        which scales no input) or without keep probabilities. Made once per network's numbers,
        not in every pass (a problem's mistakes make some ten)."""
        if self.keep is None:
            return None
        return tuple(None if isinstance(q, tuple) and q and isinstance(q[0], tuple)
                     else tuple(whole(1 / v) for v in q) if isinstance(q, tuple) else whole(1 / q) for q in self.keep)

    @cached_property
    def integer_layers(self) -> tuple:
        """Each layer's numbers as a pass in integers takes them (``core.wholepass``): W's rows
        where every weight is an int (else None), and b, 1/q and q each as integers over one
        denominator (see :func:`integer_form`; None where there is none). Made once."""
        depth = len(self.layers)
        scales, keep = self.scales or (None,) * depth, self.keep or (None,) * depth
        return tuple(weights + (integer_form(s), integer_form(q))
                     for weights, s, q in zip(self.integer_weights, scales, keep))

    @cached_property
    def integer_weights(self) -> tuple:
        """The weights and biases of :attr:`integer_layers` (a mistake's network with other keep
        probabilities has the problem's: see :func:`with_dropout`)."""
        return tuple((W if all(type(w) is int for row in W for w in row) else None, integer_form(b))
                     for W, b in self.layers)


def integer_form(value) -> tuple | None:
    """An int or Fraction, or a tuple of them, as integers over one denominator: (numerator or
    numerators, denominator); None for anything else (a float, SymPy's, rows of rows)."""
    if type(value) is int or type(value) is Fraction:
        return value.numerator, value.denominator
    if isinstance(value, tuple) and all(type(v) is int or type(v) is Fraction for v in value):
        common = lcm(*(v.denominator for v in value))
        return tuple(v.numerator * (common // v.denominator) for v in value), common
    return None


def network_numbers(network: Network) -> NetworkNumbers:
    """The numbers of ``network`` as the pass computes with them (see :data:`Number`), read once
    (a drawn network carries them as drawn: see :func:`carrying`; each matrix is read once: a
    mistake's network, with other keep probabilities or another convention, has the same weights,
    masks and input); a network read once keeps them (Network's hash, by which the memo finds them,
    is a Python call, and every pass asks)."""
    own = network.__dict__
    numbers = own.get("_numbers") or own.get("_read")  # carried (see carried), or read before: asked at once
    if numbers is None:
        numbers = _network_numbers(network)
        object.__setattr__(network, "_read", numbers)  # (not carried: carried() says what a network was drawn in)
    return numbers


def carrying(network: Network, numbers: NetworkNumbers) -> Network:
    """``network`` itself, made to carry ``numbers`` (in place: a new network, of
    ``dataclasses.replace``, carries none), its own as :func:`network_numbers` reads them (a drawn
    candidate's, made from the Python numbers it was drawn in: tests/test_fast_paths.py checks
    them against those read back from SymPy, values and types). Its rules then do not read them."""
    object.__setattr__(network, "_numbers", numbers)
    return network


def carried(network: Network) -> NetworkNumbers | None:
    """The numbers ``network`` carries (see :func:`carrying`), or None."""
    return network.__dict__.get("_numbers")


@lru_cache(maxsize=1024)
def _network_numbers(network: Network) -> NetworkNumbers:
    return as_read(network) or read_back(network)


def as_read(network: Network) -> NetworkNumbers | None:
    """The numbers of a network read from a spec, as its matrices carry them
    (:func:`~symdrop.numbers.python_entries`: Python's numbers, made from the spec's texts
    as they were read), not read back from SymPy; None where a matrix carries none (a network
    not read from a spec) or the pass is not of Python's numbers, and with DropConnect. The fast
    path of :func:`network_numbers` (tests/test_fast_paths.py checks it against :func:`read_back`,
    values and types)."""
    dropout = network.dropout
    if dropout.connections or not _rational_keep(dropout.keep) or \
            any(layer.g.negative_slope is None for layer in network.layers):
        return None
    x, target = python_entries(network.x), None if network.target is None else python_entries(network.target)
    masks = tuple([python_entries(mask) for mask in network.masks])
    layers = []
    for layer in network.layers:
        W, b, n = python_entries(layer.W), python_entries(layer.b), layer.W.cols
        if W is None or b is None:
            return None
        layers.append((tuple([W[i:i + n] for i in range(0, len(W), n)]), b))
    if x is None or None in masks or (target is None and network.target is not None):
        return None
    return NetworkNumbers(x=x, layers=tuple(layers), masks=masks, keep=_keep_numbers(dropout.keep, True, False),
                          python=True, target=target)


def read_back(network: Network) -> NetworkNumbers:
    """The numbers of ``network`` read back from its SymPy matrices (the plain path)."""
    python = _python(network)
    keep = network.dropout.keep
    connections = network.dropout.connections
    return NetworkNumbers(
        x=_matrix_numbers(network.x, python),
        layers=tuple((_matrix_numbers(layer.W, python, rows=True), _matrix_numbers(layer.b, python))
                     for layer in network.layers),
        masks=tuple(_matrix_numbers(mask, "mask", rows=connections) for mask in network.masks),
        keep=_keep_numbers(keep, python, connections),
        python=python,
        target=None if network.target is None else _matrix_numbers(network.target, python),
    )


def _keep_numbers(keep, python: bool, connections: bool) -> tuple | None:
    # q's per unit or per weight as Fractions, 1 too: a kept value is divided by its own q
    return None if keep is None else tuple(_matrix_numbers(q, python and "fraction", rows=connections)
                                           if isinstance(q, sympy.MatrixBase) else _scalar(q, python) for q in keep)


def with_dropout(network: Network, made: Network) -> Network:
    """``made``, ``network`` with another dropout (keep probabilities, convention: a mistake's
    network), made to carry ``network``'s numbers (see :func:`carrying`) with its own keep
    probabilities: x, the weights, biases and masks are ``network``'s, not read again (a mistake's
    network is read once, some 50 us; only where every number is rational and the pass of
    Python's numbers, else read as it is). tests/test_fast_paths.py checks them against those read
    back from SymPy, values and types."""
    numbers = network_numbers(network)
    if not (numbers.python and _rational_keep(made.dropout.keep)):
        return made  # SymPy's numbers (or symbols q): read as they are
    own = replace(numbers, keep=_keep_numbers(made.dropout.keep, True, made.dropout.connections))
    own.__dict__["integer_weights"] = numbers.integer_weights  # the same W and b (a cached_property's own place)
    return carrying(made, own)


@lru_cache(maxsize=4096)
def _matrix_numbers(matrix, how, rows: bool = False) -> tuple:
    """A matrix's entries as the pass computes with them, a vector's as a tuple, a matrix's (or with
    ``rows`` any) as rows: ``how`` True int and Fraction, False as SymPy holds them, "fraction"
    every entry a Fraction, "mask" an integer as an int (a mask symbol stays one)."""
    values = entries(matrix)
    if how == "mask":
        values = tuple(int(m) if m.is_Integer else m for m in values)
    elif how == "fraction":
        values = tuple(Fraction(int(v.p), int(v.q)) for v in values)
    elif how:
        values = tuple(map(as_python, values))
    if not rows:
        return tuple(values)
    n = matrix.cols
    return tuple(tuple(values[i * n:(i + 1) * n]) for i in range(matrix.rows))


def _scalar(value, python: bool):
    return as_python(value) if python else value


@lru_cache(maxsize=1024)
def numeric_numbers(network: Network) -> NetworkNumbers:
    """The numbers of ``network`` as 40-digit decimals (DECIMALS; masks as ints): a numeric pass's."""
    exact = network_numbers(network)
    decimal = lambda v: v if isinstance(v, int) else to_decimal(v)  # noqa: E731 (masks stay ints)
    nested = lambda v: tuple(nested(u) for u in v) if isinstance(v, tuple) else decimal(v)  # noqa: E731
    return NetworkNumbers(x=nested(exact.x), layers=nested(exact.layers), masks=exact.masks,
                          keep=None if exact.keep is None else nested(exact.keep), python=False,
                          target=None if exact.target is None else nested(exact.target), numeric=True)


def to_decimal(value) -> mpmath.mpf:
    """An exact number (int, Fraction, SymPy rational or not) as a 40-digit decimal (a decimal as it is)."""
    if hasattr(value, "_mpf_"):
        return value
    if isinstance(value, sympy.Basic):
        if not value.is_Rational:
            return DECIMALS.mpf(str(sympy.N(value, DECIMALS.dps + 5)))
        value = Fraction(int(value.p), int(value.q))
    value = Fraction(value)
    return DECIMALS.mpf(value.numerator) / value.denominator


def _python(network: Network) -> bool:
    """Whether the pass may compute in int and Fraction: every number rational, every activation
    piecewise linear."""
    if any(layer.g.negative_slope is None for layer in network.layers):
        return False
    return (_rational_keep(network.dropout.keep) and _rational(network.x)
            and all(_rational(layer.W) and _rational(layer.b) for layer in network.layers))


def _rational_keep(keep) -> bool:
    """Every keep probability (none, one a mask, or a matrix of them) is a SymPy rational."""
    return all(_rational(q) if isinstance(q, sympy.MatrixBase) else isinstance(q, sympy.Rational) for q in keep or ())


def _rational(matrix) -> bool:
    """Every entry of ``matrix`` is a SymPy rational: a matrix SymPy holds over ZZ or QQ at once
    (:func:`~symdrop.sympy_internals.all_rational`, no memo's look-up of a new matrix), any
    other entry by entry."""
    return all_rational(matrix) or all(isinstance(v, sympy.Rational) for v in entries(matrix))


def whole(value: Number) -> Number:
    """``value``, a Fraction that is a whole number as an int (the same number): the next layer's
    products are then of ints where its weights are, some five times faster than of Fractions."""
    return value.numerator if type(value) is Fraction and value.denominator == 1 else value

