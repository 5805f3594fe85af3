"""A step's formulas as data (:class:`Equation`), and those a keep probability per unit and
DropConnect add: a division entry by entry (``A \\oslash Q``) and the masked weights W~ = M . W."""

from dataclasses import dataclass

import sympy
from sympy import HadamardProduct, ImmutableMatrix, MatMul, MatrixSymbol

from ..model.conventions import Rule
from ..model.network import Network
from ..sympy_internals import unchecked


@dataclass(frozen=True)
class Equation:
    """One quantity the way handcalcs shows it: ``lhs = symbolic = substituted = value``."""

    lhs: sympy.Basic
    symbolic: sympy.Basic
    substituted: sympy.Basic
    value: ImmutableMatrix

    @property
    def as_is(self) -> bool:
        """Whether the numbers put in are the value itself (an input no mask changes, as at test
        time): a solution writes them once, ``lhs = symbolic = value``."""
        return self.substituted == self.value


class HadamardDivision(sympy.Basic):
    r"""``A \oslash Q``: entry by entry A over Q (a kept value over its own keep probability), as
    a formula writes it; never evaluated, only printed."""

    def __new__(cls, dividend, divisor):
        return sympy.Basic.__new__(cls, dividend, divisor)


def keep_name(l: int, rows: int, cols: int) -> MatrixSymbol:
    """The keep probabilities of mask l as a matrix: q^(l) (a column, one per unit) or Q^(l) (DropConnect)."""
    return MatrixSymbol(f"q^{{({l})}}" if cols == 1 else f"Q^{{({l})}}", rows, cols)


def masked_weights(network: Network, l: int, values: ImmutableMatrix, rule: Rule) -> Equation | None:
    """DropConnect: W~^(l) = M^(l) . W^(l) in training (each kept weight over its q when inverted),
    q W^(l) (or Q . W) with weight scaling at test time; None where the pass takes W itself."""
    layer = network.layers[l - 1]
    if not rule.weights_masked and rule.weight_scale is None:
        return None
    shape = layer.W.shape
    W_name = MatrixSymbol(f"W^{{({l})}}", *shape)
    q = None if network.dropout.keep is None else network.dropout.keep[l - 1]
    if rule.weights_masked:
        product = unchecked(HadamardProduct, MatrixSymbol(f"M^{{({l})}}", *shape), W_name)
        numbers = unchecked(HadamardProduct, network.masks[l - 1], layer.W)
        if rule.weight_scale is None:
            symbolic = product
        elif isinstance(q, sympy.MatrixBase):
            symbolic, numbers = HadamardDivision(product, keep_name(l, *shape)), HadamardDivision(numbers, q)
        else:
            symbolic = unchecked(MatMul, 1 / sympy.Symbol(f"q{l}", positive=True), product)
            numbers = unchecked(MatMul, 1 / q, numbers)
    elif isinstance(q, sympy.MatrixBase):
        symbolic = unchecked(HadamardProduct, keep_name(l, *shape), W_name)
        numbers = unchecked(HadamardProduct, q, layer.W)
    else:
        symbolic = unchecked(MatMul, sympy.Symbol(f"q{l}", positive=True), W_name)
        numbers = unchecked(MatMul, q, layer.W)
    return Equation(MatrixSymbol(rf"\tilde{{W}}^{{({l})}}", *shape), symbolic, numbers, values)


def input_equation(names, a: ImmutableMatrix, computed, rule: Rule, q) -> Equation:
    """ã^(l-1): the input as it is (test time, DropConnect), masked, and divided by q when inverted
    (by each unit's own q where the mask has one per unit); ``names`` are the step's symbols,
    ``computed`` the mask as applied and the masked values, ``q`` the mask's keep probability."""
    a_name, mu_name, tilde, *_, q_name = names
    mu, masked = computed
    if not rule.masked:  # test time (or DropConnect): the input as it is
        return Equation(tilde, a_name, a, masked)
    if isinstance(rule.input_scale, sympy.MatrixBase):  # inverted, a q per unit: divided by each
        return Equation(
            tilde,
            HadamardDivision(unchecked(HadamardProduct, mu_name, a_name), keep_name(q_name.name[1:], a.rows, 1)),
            HadamardDivision(unchecked(HadamardProduct, mu, a), q),
            masked,
        )
    if rule.input_scale is None:
        return Equation(
            tilde, unchecked(HadamardProduct, mu_name, a_name), unchecked(HadamardProduct, mu, a), masked
        )
    # inverted dropout: kept values divided by q
    return Equation(
        tilde,
        unchecked(MatMul, 1 / q_name, unchecked(HadamardProduct, mu_name, a_name)),
        unchecked(MatMul, rule.input_scale, unchecked(HadamardProduct, mu, a)),
        masked,
    )
