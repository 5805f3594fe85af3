"""The few shortcuts past SymPy's public constructors, each checked against them in tests/test_sympy_internals.py."""

from functools import lru_cache

import sympy
from sympy.polys.domains import QQ, ZZ
from sympy.polys.matrices import DomainMatrix
from sympy.polys.matrices.sdm import SDM


def entries(matrix) -> tuple[sympy.Expr, ...]:
    """The entries of an explicit SymPy matrix, row by row, as SymPy holds them.

    An ``ImmutableMatrix`` keeps its entries as its third argument (``rows, cols, Tuple(...)``);
    reading them there avoids converting the matrix's internal DomainMatrix entry by entry, which
    is what indexing and ``tolist()`` do (most of the time of printing a worked solution).
    """
    if isinstance(matrix, sympy.ImmutableDenseMatrix):
        return matrix.args[2].args
    return tuple(matrix)


def all_rational(expr) -> bool:
    """Whether ``expr`` is a SymPy rational, or an explicit matrix whose every entry is one: SymPy
    holds such a matrix over ZZ or QQ (and any other over a wider domain), so the domain answers
    without a look at each entry. ``tests/test_fast_paths.py`` checks it against the entries."""
    if isinstance(expr, sympy.Rational):
        return True
    domain = getattr(getattr(expr, "_rep", None), "domain", None)
    return (domain is ZZ or domain is QQ) and isinstance(expr, sympy.MatrixBase)


def rational_matrix(rows: int, cols: int, values) -> sympy.ImmutableMatrix:
    """An ``ImmutableMatrix`` of exact rationals (SymPy ``Rational``), row by row.

    The same matrix as ``ImmutableMatrix(rows, cols, values)``, built the way SymPy builds one
    from its internal form (``ImmutableDenseMatrix._fromrep``): the entries as its arguments,
    beside a sparse DomainMatrix over ZZ (integers) or QQ. The general constructor reaches that
    form through the expression domain and converts every entry there and back, which made up
    most of the time of deriving a generated problem (about 8 us against 45 us for a 3-vector).
    Memoized: equal vectors (masks, small inputs and biases) recur across problems.
    ``tests/test_sympy_internals.py`` checks that both give the same matrix, so a SymPy release that
    changes this form is caught.
    """
    return _rational_matrix(rows, cols, tuple(values))


# SymPy's types of an integer (0, 1 and -1 are singletons of their own) and of a rational
_INTEGERS = frozenset({sympy.Integer, type(sympy.S.Zero), type(sympy.S.One), type(sympy.S.NegativeOne)})
_RATIONALS = _INTEGERS | {sympy.Rational, type(sympy.S.Half)}


@lru_cache(maxsize=4096)
def _rational_matrix(rows: int, cols: int, values: tuple) -> sympy.ImmutableMatrix:
    # Memoized (the matrix is immutable): small vectors recur across problems, and a matrix made
    # once is also printed once (the printing memos meet the same object).
    kinds = set(map(type, values))  # SymPy's own rational types, else each entry asked (a subclass)
    if len(values) != rows * cols or not (kinds <= _RATIONALS or all(isinstance(v, sympy.Rational) for v in values)):
        raise ValueError(f"expected {rows * cols} SymPy rationals, got {values!r}")
    # SymPy's sparse form: nonzero entries only, rows without any left out; each entry made as
    # ZZ(p) and QQ(p, q) make it (their dtype: a domain's call is its dtype's), a reading a spec's
    # 3,000 new matrices make some 20,000 times
    integers = kinds <= _INTEGERS or all(v.q == 1 for v in values)
    domain = ZZ if integers else QQ
    make = domain.dtype
    elements: dict[int, dict[int, object]] = {}
    for i in range(rows):
        row = {j: make(v.p) if integers else make(v.p, v.q)
               for j, v in enumerate(values[i * cols : (i + 1) * cols]) if v.p}
        if row:
            elements[i] = row
    matrix = sympy.Basic.__new__(
        sympy.ImmutableMatrix, _size(rows), _size(cols), sympy.Tuple(*values, sympify=False)
    )
    matrix._rows, matrix._cols = rows, cols
    # DomainMatrix(elements, shape, domain) makes this SDM and hands it to from_rep
    matrix._rep = DomainMatrix.from_rep(_sdm(elements, (rows, cols), domain))
    return matrix


def _sdm(elements: dict, shape: tuple, domain) -> SDM:
    """``SDM(elements, shape, domain)`` as its ``__init__`` makes it, the dict of rows and the
    shape, rows, columns and domain, without checking that every index is in range (two
    generators over every entry; here they are by construction)."""
    sdm = dict.__new__(SDM)
    dict.update(sdm, elements)
    sdm.shape = sdm.rows, sdm.cols = shape
    sdm.domain = domain
    return sdm


_SIZES = {n: sympy.Integer(n) for n in range(129)}  # a matrix's rows and columns as SymPy's (made once)


def _size(n: int) -> sympy.Integer:
    return _SIZES[n] if n in _SIZES else sympy.Integer(n)


def unchecked(cls, *args):
    """``cls(*args, evaluate=False)`` for a formula's matrix sum or product (MatAdd, MatMul,
    HadamardProduct), built as SymPy builds it but without its shape checks: the shapes are right
    by construction, and checking them took a third of a derivation's time."""
    return sympy.Basic.__new__(cls, *args)
