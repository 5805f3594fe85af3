"""A value as a formula sets it beside others: as a power's base (``base``), a 1 x 1 matrix as one
factor of a product (``operand``) or as what is subtracted from (``minuend``), its decimals beside
it (``approx``), the relation before a side of an equation (``relation``, in a table's cell
``near``), a unit's sum of products (``unit_sum``), and the layers' names first to last (``run``);
in a product (``factor``) is the printer's own."""

from functools import partial

import sympy

from ..sympy_internals import all_rational
from .numbertext import DIGITS, Rounded, decimal, needs_decimal, scalars, to_places
from .printer import factor, latex


def base(expr, decimals: bool = False) -> str:
    """``expr`` ready to be raised to a power: all but a non-negative integer in parentheses
    (``\\left(\\frac{1}{2}\\right)^2``, not ``\\frac{1}{2}^2``)."""
    expr = sympy.sympify(expr)
    text = latex(expr, decimals=decimals)
    return text if expr.is_Integer and not expr.is_negative else rf"\left({text}\right)"


def operand(expr, decimals: bool = False) -> str:
    """A matrix as one factor of a product: a 1 x 1 matrix prints as its entry, in parentheses
    where it is a sum or negative (``\\left(-1 + \\frac{1}{1 + e}\\right) (0 \\; 2)``)."""
    if isinstance(expr, sympy.MatrixBase) and expr.shape == (1, 1):
        return factor(expr[0, 0], decimals=decimals)
    return latex(expr, decimals=decimals)


def minuend(expr, decimals: bool = False) -> str:
    """A value that something is subtracted from: a 1 x 1 matrix as its entry, in parentheses
    where that is a sum (``\\left(\\sigma(1) + \\sigma(4)\\right) - 1``; ``-\\frac{13}{3} - 1`` needs none)."""
    if isinstance(expr, sympy.MatrixBase) and expr.shape == (1, 1):
        expr = expr[0, 0]
    text = latex(expr, decimals=decimals)
    return rf"\left({text}\right)" if isinstance(expr, sympy.Add) else text


def approx(expr, always: bool = False, digits: int | None = None, **settings) -> str:
    """`` \\approx`` and the decimals of ``expr`` when it has an irrational entry (or, with
    ``always``, any entry that is not an integer); else nothing. Never for expressions in symbols.
    The decimals have 15 significant digits, or ``digits`` places."""
    values = scalars(expr)
    if all(e.is_Integer for e in values) or (not always and all(e.is_Rational for e in values)):
        return ""  # the common case, decided without looking for symbols
    if any(e.free_symbols for e in values):
        return ""
    if not (needs_decimal(expr) or (always and any(not e.is_Integer for e in values))):
        return ""
    # An integer entry beside irrational ones stays an integer: (0.1517..., 0), not 0.0.
    as_decimal = lambda e: e if e.is_Integer else sympy.Float(decimal(e), DIGITS)  # noqa: E731
    if digits is not None:
        as_decimal = partial(to_places, places=digits)
    shown = expr.applyfunc(as_decimal) if isinstance(expr, sympy.MatrixBase) else as_decimal(sympy.sympify(expr))
    return r" \approx " + latex(shown, **settings)


def relation(side) -> str:
    """The relation written before one side of an equation: ``=``, or ``\\approx`` where the side
    (a value, or a list of the values it is made of) shows a decimal in place of an exact value
    (:func:`~.linebreak.shown`, :func:`~.numbertext.rounded`): a rounded value is never said equal
    to an exact one, nor to what is computed from it."""
    values = side if isinstance(side, (list, tuple)) else (side,)
    if all(all_rational(v) for v in values):  # most sides: exact rationals, decided at once
        return "="
    return r"\approx" if any(_stands_in(e) for v in values for e in scalars(v)) else "="


def near(value) -> str:
    """What a table's cell writes before a value that shows a decimal in place of an exact value,
    ``\\approx `` (as :func:`relation`), else nothing."""
    return "" if relation(value) == "=" else "\\approx "


def run(pattern: str, first: int, last: int) -> str:
    r"""The names of layers ``first`` to ``last`` (down when ``last`` < ``first``), ``pattern`` the
    name with ``%s`` for the layer (``"%s"``: the numbers): three or more as the first, ``\dots``
    and the last (``\mu^{(0)}, \dots, \mu^{(2)}``), two both, one alone (a one-layer network has
    the mask ``\mu^{(0)}``, not ``\mu^{(0)}, \dots, \mu^{(0)}``)."""
    if first == last:
        return pattern % first
    return ", ".join([pattern % first] + ["\\dots"] * (abs(last - first) > 1) + [pattern % last])


def _stands_in(entry) -> bool:
    """Whether an entry as shown is a decimal standing in for its exact value."""
    return not entry.is_Rational and entry.has(Rounded, sympy.Float)  # (has: the entry itself too)


def unit_sum(pairs, bias, name: str | None = None, decimals: bool = False) -> str:
    r"""A unit's sum as a layer's step writes it, ``w_1 \cdot a_1 + ... + b`` (each number as
    :func:`factor` sets it in a product); with ``name`` (``\tilde{a}^{(1)}``), every input that is
    not 0 by its name, ``\tilde{a}^{(1)}_{j}``, not its value. (Set by a template's loop over the
    pairs before: two filter calls and a loop context a pair.)"""
    text = [f"{factor(w, decimals=decimals)} \\cdot "
            + (f"{name}_{{{j}}}" if name and a != 0 else factor(a, decimals=decimals)) + " + "
            for j, (w, a) in enumerate(pairs, start=1)]
    return "".join(text) + factor(bias, decimals=decimals)
