"""Reading the fields of a spec: vectors, matrices, probabilities, required and unknown keys;
every error names its field and what was expected."""

import sympy
from sympy import ImmutableMatrix

from ..errors import SpecError, describe, quote
from ..limits import MAX_UNITS
from ..numbers import CARRIED, carry, exact, exact_list
from ..sympy_internals import rational_matrix


def matrix(data, field: str, columns: int) -> ImmutableMatrix:
    if not isinstance(data, list) or not data:
        raise SpecError(field, f"expected a non-empty list of rows, got {describe(data)}")
    units(len(data), field, "rows (units)")
    for i, row in enumerate(data):
        if not isinstance(row, list):
            raise SpecError(f"{field}[{i}]", f"expected a row (a list of numbers), got {describe(row)}")
    lengths = {len(row) for row in data}
    if len(lengths) > 1:
        i = next(i for i, row in enumerate(data) if len(row) != len(data[0]))
        raise SpecError(
            f"{field}[{i}]", f"expected {len(data[0])} entries like row 0 (ragged matrix), got {len(data[i])}"
        )
    if lengths != {columns}:
        raise SpecError(
            field,
            f"expected {columns} columns (the previous layer has {columns} units), got {len(data[0])}",
        )
    return _numbers(len(data), columns, [value for row in data for value in row],
                    lambda k: f"{field}[{k // columns}][{k % columns}]")


def vector(data, field: str) -> ImmutableMatrix:
    if not isinstance(data, list) or not data:
        raise SpecError(field, f"expected a non-empty list of numbers, got {describe(data)}")
    units(len(data), field, "entries")
    return _numbers(len(data), 1, data, lambda j: f"{field}[{j}]")


def _numbers(rows: int, cols: int, values: list, where) -> ImmutableMatrix:
    """The matrix of ``values`` (row by row), each read by :func:`exact` (``where(k)`` names a
    bad one), carrying them as Python's numbers too (:func:`~symdrop.numbers.carry`: the
    core's pass reads them there, not back from SymPy)."""
    read = exact_list(values, where)
    matrix = rational_matrix(rows, cols, read)
    if getattr(matrix, CARRIED, None) is None:  # (a matrix of the memo, read before, carries them)
        carry(matrix, values, read)
    return matrix


def units(count: int, field: str, what: str) -> None:
    """Refuse a layer wider than the limit before reading any of its numbers."""
    if count > MAX_UNITS:
        raise SpecError(field, f"{count} {what}; the limit is {MAX_UNITS} units per layer")


def required(data: dict, key: str, field: str):
    if key not in data:
        where = f"{field}.{key}" if field else key
        raise SpecError(where, "missing (required)")
    return data[key]


def no_unknown_keys(data: dict, known, field: str) -> None:
    for key in data:
        if key not in known:
            where = f"{field}.{key_name(key)}" if field else key_name(key)
            raise SpecError(where, f"unknown key (expected one of {', '.join(known)})")



def probability(value, field: str) -> sympy.Rational:
    q = exact(value, field)
    if not 0 < q.p <= q.q:  # 0 < q <= 1 (a rational's q is positive), without SymPy's comparisons
        raise SpecError(field, f"expected a probability 0 < q <= 1, got {q}")
    return q


def key_name(key) -> str:
    """A key as an error message names it: plain if it is a plain word, else quoted on one line."""
    text = str(key)
    return text if text.isascii() and text.replace("_", "").isalnum() else quote(text)
