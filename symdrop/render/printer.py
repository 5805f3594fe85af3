"""The notation: a SymPy LaTeX printer for vectors, masks, fractions, ReLU and our symbols."""

import re
from functools import lru_cache

import sympy
from sympy.printing.latex import LatexPrinter
from sympy.printing.precedence import PRECEDENCE

from ..model.activations import LeakyReLUName
from ..sympy_internals import entries
from .logistic import by_sigmoid_argument, logistic
from .numbertext import Rounded, decimal_places, exact_decimal
from .termorder import positive_first, value_order
from .texwidth import LINE_EM, width

# Plain symbol names (w1_1_2, b1_1, a1_1, mu0_1, x_1) as the notation writes them; a weight's indices
# apart (w_{1,10}) where one has two digits or its layer 10 or more units (w_{11} would read as unit 11)
_WEIGHT = re.compile(r"w(\d+)_(\d+)_(\d+)")
_NAMED = [
    (re.compile(r"(b|a)(\d+)_(\d+)"), lambda name, l, i: rf"{name}^{{({l})}}_{{{i}}}"),
    (re.compile(r"mu(\d+)_(\d+)"), lambda l, j: rf"\mu^{{({l})}}_{{{j}}}"),
    (re.compile(r"x_(\d+)"), lambda j: rf"x_{{{j}}}"),
    (re.compile(r"q(\d+)"), lambda l: rf"q^{{({l})}}"),  # the keep probability of mu^(l)
]

_KEEP = re.compile(r"q\d+")  # the keep probability q^(l) as a symbol


# Functions whose long argument rows may break between its terms (printed in parentheses TeX can
# break across rows, not in a \\left ... \\right pair).
_BREAKABLE = (sympy.Max, sympy.tanh)

# Explicit matrices and matrix names: atoms to SymPy's precedence, never parenthesized in a product.
_ATOMS = (sympy.MatrixBase, sympy.MatrixSymbol)


def _rank(factor) -> int:
    if factor.is_number:
        return 0
    name = getattr(factor, "name", "")
    for rank, prefix in enumerate(("w", "b", "mu", "a", "x"), start=1):
        if name.startswith(prefix):
            return rank
    return 6


# amsmath's MaxMatrixCols: a pmatrix has at most 10 columns. Raising the limit in the preamble
# makes every matrix of a document build a preamble of that many columns, 13 times slower to set
# (most of a class set's TeX time); a wider matrix is an array instead, as SymPy prints it.
PMATRIX_COLUMNS = 10
# A column vector of more entries is written as a row, transposed, (1, 0, ...)^T, its fractions
# text-sized: TeX sets a matrix's rows a fixed distance apart (taller fractions touch), and cannot
# break a matrix across lines or pages; render.linebreak breaks such a row after any comma.
VECTOR_ROWS = 10


class SymdropLatexPrinter(LatexPrinter):
    """LaTeX in the tutorial's notation: column vectors as pmatrix, masks with ``\\odot``."""

    printmethod = "_symdrop_latex"
    _default_settings = {
        **LatexPrinter._default_settings,
        "mat_str": "pmatrix",
        "mat_delim": "",
        "order": "none",
        "marked": frozenset(),  # entries to highlight: j of column vectors (dropped units), (i, j) of weights
        "decimals": False,  # exact decimals as decimals (0.25), other fractions as fractions
    }

    def __init__(self, settings=None):
        super().__init__(settings)
        # Only "marked" and "decimals" set: the output depends on them alone, so it may be memoized.
        self._memoizable = not settings or settings.keys() <= _MEMOIZED

    def _print(self, expr, **kwargs):
        # Most of a worked solution is exact numbers: print them without the generic dispatch
        # (a walk over the class hierarchy per number), exactly as LatexPrinter would.
        if isinstance(expr, sympy.Rational):
            if expr.q == 1:
                return str(expr.p)
            if self._settings["decimals"] and decimal_places(expr.q) is not None:
                return exact_decimal(expr.p, expr.q)
            return r"%s\frac{%d}{%d}" % ("- " if expr.p < 0 else "", abs(expr.p), expr.q)
        if type(expr) is sympy.ImmutableDenseMatrix:  # the other common case, straight to its method
            return self._print_ImmutableDenseMatrix(expr)
        return super()._print(expr, **kwargs)

    def _print_Symbol(self, expr, style="plain"):
        if match := _WEIGHT.fullmatch(expr.name):
            l, i, j = match.groups()
            pair = f"{i}{j}" if len(i) == len(j) == 1 and not getattr(expr, "indices_apart", False) else f"{i},{j}"
            return rf"w^{{({l})}}_{{{pair}}}"
        for pattern, spell in _NAMED:
            match = pattern.fullmatch(expr.name)
            if match:
                return spell(*match.groups())
        return super()._print_Symbol(expr, style)

    def _print_Rounded(self, expr):
        return expr.name  # a decimal to fixed places as written: 0.5770

    def _print_MatrixSymbol(self, expr):
        return expr.name  # names are written in LaTeX already: W^{(1)}, \tilde{a}^{(0)}

    def _print_Add(self, expr, order=None):
        if len(expr.args) == 2 and sympy.S.One in expr.args and any(isinstance(t, sympy.exp) or t is sympy.E
                                                                    for t in expr.args):
            # The sigmoid's denominator as it is written: 1 + e^{-z}.
            other = expr.args[0] if expr.args[1] == 1 else expr.args[1]
            return "1 + " + self._print(other)
        if len(expr.args) == 2 and sympy.S.One in expr.args:
            q = -(expr.args[0] if expr.args[1] == 1 else expr.args[1])
            if q.is_Symbol and _KEEP.fullmatch(q.name):  # a drop probability, as it is written: 1 - q^(l)
                return "1 - " + self._print(q)
            shape = logistic(q)
            # a sigmoid's or tanh's derivative as written: 1 - sigma(4), 1 - tanh^2(3)
            tanh = isinstance(q, sympy.tanh) or (q.is_Pow and isinstance(q.base, sympy.tanh))
            if (shape is not None and shape[0] == 1) or tanh:
                return "1 - " + self._print(q)
        ordered = by_sigmoid_argument(expr.args)
        if ordered is not None:  # an ensemble's mean, P sigma(S) summed: in the order of S, constant last
            return super()._print_Add(sympy.Add(*positive_first(ordered), evaluate=False), order="none")
        if expr.free_symbols and not any(t.is_Rational for t in expr.args):
            return super()._print_Add(expr, order="lex")  # ("none" is only for structure)
        # In the order it is read (lex puts a number before tanh, after sigma); a formula's
        # negative term stays first (- x_1 + 1, as SymPy writes it)
        terms = value_order(self._as_ordered_terms(expr, order="lex"), number_last=not expr.has(sympy.exp),
                            positive=not expr.free_symbols)
        return super()._print_Add(sympy.Add(*terms, evaluate=False), order="none")

    def _print_Mul(self, expr):
        if not expr.is_Mul:  # the parent prints 1/x through here too
            return super()._print_Mul(expr)
        if any(logistic(f) for f in expr.args):
            return self._print_logistic(expr.args)
        # Factors in the order a student writes them: 2 w mu a, not SymPy's a mu w.
        factors = sorted(expr.args, key=_rank)
        wide = [f for f in factors if isinstance(f, _BREAKABLE)]
        if wide and any((f.is_Pow and f.exp.is_negative) or (f.is_Rational and f.q != 1) for f in factors):
            # A long max or tanh over a denominator is written after its fraction, w/q max(...),
            # not inside it: TeX cannot break a fraction, but may break the max between its terms.
            text = " ".join(self._print(f) for f in wide)
            if width(text) > LINE_EM / 2:
                rest = [f for f in factors if not isinstance(f, _BREAKABLE)]
                return self._print(sympy.Mul(*rest, evaluate=False)) + " " + text
        return super()._print_Mul(sympy.Mul(*factors, evaluate=False))

    def _print_Pow(self, expr):
        if logistic(expr):
            return self._print_logistic((expr,))
        return super()._print_Pow(expr)

    def _print_logistic(self, factors) -> str:
        """A product holding SymPy's forms of sigmoids, 1/(c + c e^{-u}), as written: (1/c) sigma(u)
        (inverted dropout's 5/4 sigma(31/100), not 5/(4/e^{31/100} + 4))."""
        coefficient, rest = sympy.S.One, []
        for f in factors:
            form = logistic(f)
            if form:
                coefficient /= form[0]
                rest.append(r"\sigma(%s)" % self._print(form[1]))
            elif f.is_Rational:
                coefficient *= f
            else:
                rest.append(self.parenthesize(f, PRECEDENCE["Mul"]))
        text = " ".join(rest)
        if coefficient == 1:
            return text
        return ("- " + text) if coefficient == -1 else self._print(coefficient) + " " + text

    def _print_MatMul(self, expr):
        scalar, *matrices = expr.args
        if getattr(scalar, "is_Matrix", True):
            # W a~ as written. SymPy's printer first asks could_extract_minus_sign(), which
            # multiplies the explicit matrices out (most of the time of a render); a product whose
            # factors are all matrices has no sign to extract, so it prints the same without asking.
            if all(isinstance(arg, _ATOMS) for arg in expr.args):
                # A 1 x 1 matrix prints as a number: two side by side need a dot (2 \cdot 1, not 21).
                single = all(isinstance(arg, sympy.MatrixBase) and arg.shape == (1, 1) for arg in expr.args)
                return (r" \cdot " if single else " ").join(self._print(arg) for arg in expr.args)
            return super()._print_MatMul(expr)
        # A number or symbol times matrices: 1/q (mu . a), q W a~; a sum or negative in parentheses.
        head = factor(scalar)
        parts = [
            rf"\left({self._print(m)}\right)" if isinstance(m, sympy.HadamardProduct) else self._print(m)
            for m in matrices
        ]
        return " ".join([head, *parts])

    def _print_MatAdd(self, expr):
        # W a + b, as written; a term that prints with a leading minus (a negative bias of a
        # single unit) is subtracted: W a - 2, not W a + -2.
        text = self._print(expr.args[0])
        for arg in expr.args[1:]:
            term = self._print(arg)
            text += " - " + term[1:].lstrip() if term.startswith("-") else " + " + term
        return text

    def _print_HadamardProduct(self, expr):
        return r" \odot ".join(
            self._print(arg) if isinstance(arg, _ATOMS) else self.parenthesize(arg, PRECEDENCE["Mul"], strict=True)
            for arg in expr.args
        )

    def _print_HadamardDivision(self, expr):
        dividend, divisor = expr.args
        return r"\left(%s\right) \oslash %s" % (self._print(dividend), self._print(divisor))

    def _print_ReLU(self, expr):
        return self._print_named(r"\operatorname{ReLU}", expr.args[0])

    def _print_LeakyReLU(self, expr):
        z, slope = expr.args
        return self._print_named(self._print(LeakyReLUName(slope)), z)

    def _print_LeakyReLUName(self, expr):
        return r"\operatorname{LeakyReLU}_{%s}" % self._print(expr.args[0])

    def _print_Sigmoid(self, expr):
        return self._print_named(r"\sigma", expr.args[0])

    def _print_Tanh(self, expr):
        return self._print_named(r"\tanh", expr.args[0])

    def _print_tanh(self, expr, exp=None):
        # SymPy's tanh (an ensemble mean, a symbolic pass): a long argument in fixed-size
        # parentheses, outside braces, so rows.terms may break it between its terms.
        arg = self._print(expr.args[0])
        if exp is None and width(arg) > LINE_EM / 2:
            return r"\tanh\Bigl(%s\Bigr)" % arg
        return r"\tanh%s(%s)" % (r"^{%s}" % exp if exp else "", arg)  # as sigma(4) is written

    def _print_named(self, name, arg):
        if isinstance(arg, sympy.MatrixBase) and arg.shape != (1, 1) and not (arg.cols == 1 and arg.rows > VECTOR_ROWS):
            return name + self._print(arg)  # the matrix brings its parentheses (a row, below, does not)
        return r"%s(%s)" % (name, self._print(arg))

    def _print_Max(self, expr):
        # Plain parentheses (no \left...\right group) so TeX may break a long closed form.
        args = sorted(expr.args, key=lambda arg: not arg.is_zero)
        return r"\max(%s)" % ", ".join(self._print(arg) for arg in args)

    def _print_ImmutableDenseMatrix(self, expr):
        if self._memoizable:  # as latex() is: a matrix recurs in many formulas (W in W a~ + b,
            # in the network, in the question)
            return _dense(expr, self._settings["marked"], self._settings["decimals"])
        if expr.shape == (1, 1):  # a single unit reads as a number: y = 7, not (7)
            return self._print(entries(expr)[0])
        if (expr.cols != 1 or not self._settings["marked"] and expr.rows <= VECTOR_ROWS) and expr.cols <= PMATRIX_COLUMNS:
            return self._print_MatrixBase(expr)  # other settings (mat_str, mat_delim) as SymPy has them
        return self._print_entries(entries(expr), expr.cols)

    def _print_entries(self, values, cols: int) -> str:
        """A matrix of ``values`` (row by row) with ``cols`` columns as a pmatrix, or wider than
        a pmatrix may be as an array in parentheses (as SymPy prints a matrix of more than 10)."""
        marked = _marked_in(self._settings["marked"], cols)
        flat = [self._print(v) for v in values]
        rows = [flat[i : i + cols] for i in range(0, len(flat), cols)]
        if marked:
            red = (lambda i, j: i in marked) if cols == 1 else (lambda i, j: (i, j) in marked)  # noqa: E731
            rows = [[rf"\textcolor{{red}}{{{v}}}" if red(i, j) else v for j, v in enumerate(row)]
                    for i, row in enumerate(rows)]
        if cols == 1 and len(rows) > VECTOR_ROWS:
            return r"(%s)^{\top}" % ", ".join(text_sized(row[0], v) for row, v in zip(rows, values))
        body = r"\\".join(" & ".join(row) for row in rows)
        if cols <= PMATRIX_COLUMNS:
            return r"\begin{pmatrix}%s\end{pmatrix}" % body
        return r"\left(\begin{array}{%s}%s\end{array}\right)" % ("c" * cols, body)


def text_sized(text: str, value) -> str:
    """An entry of a vector written as a row: a fraction text-sized, as a sentence sets it."""
    return text.replace(r"\frac{", r"\tfrac{", 1) if isinstance(value, sympy.Rational) else text


def latex(expr, **settings) -> str:
    """``expr`` in symdrop's notation; ``marked`` highlights entries of a vector, ``decimals``
    prints exact decimals as decimals."""
    if isinstance(expr, sympy.Basic) and settings.keys() <= _MEMOIZED:
        marked = frozenset(settings["marked"]) if settings.get("marked") else _NONE
        if type(expr) is sympy.ImmutableDenseMatrix:
            return _dense(expr, marked, bool(settings.get("decimals")))
        return _latex(expr, marked, bool(settings.get("decimals")))
    if "marked" in settings:
        settings["marked"] = frozenset(settings["marked"])
    return SymdropLatexPrinter(settings).doprint(expr)


_MEMOIZED = frozenset({"marked", "decimals"})
_NONE = frozenset()
_UNSET = object()


def latex_filter(decimals: bool = False):
    """The templates' ``latex`` filter: ``latex(expr, decimals=decimals, **settings)``, a SymPy
    object with no setting but ``marked`` straight to its memo (as :func:`latex` sends it there),
    without a ``partial``'s keywords and :func:`latex`'s look at them: a class's feedback steps
    call it some 7,500 times. tests/test_fast_paths.py checks it against :func:`latex`."""
    d = bool(decimals)

    def latex_(expr, marked=_UNSET, **settings):
        if settings or not isinstance(expr, sympy.Basic):
            given = settings if marked is _UNSET else {"marked": marked, **settings}
            return latex(expr, **{"decimals": decimals, **given})  # a template's own decimals= wins, as a partial's
        marks = frozenset(marked) if marked is not _UNSET and marked else _NONE
        if type(expr) is sympy.ImmutableDenseMatrix:
            return _dense(expr, marks, d)
        return _latex(expr, marks, d)

    return latex_


def _dense(matrix: sympy.ImmutableMatrix, marked: frozenset, decimals: bool) -> str:
    """An explicit matrix, memoized. Equal rational matrices are mostly one object already
    (``numbers.rational_matrix`` is memoized), so the memo meets them by identity and by the hash
    SymPy keeps, without hashing their entries again."""
    if matrix.shape == (1, 1):  # a single unit reads as a number: y = 7, not (7)
        return _latex(entries(matrix)[0], _NONE, decimals)
    return _matrix(matrix, _marked_in(marked, matrix.cols), decimals)


def _marked_in(marked: frozenset, cols: int) -> frozenset:
    """The marks that concern a matrix of ``cols`` columns: units j of a vector, or (i, j) of a
    matrix of weights (DropConnect; of a single column, its rows)."""
    return _marks(marked, cols == 1) if marked else _NONE


@lru_cache(maxsize=1024)
def _marks(marked: frozenset, vector: bool) -> frozenset:
    # Memoized: a step's marks are asked again for every vector its equations print.
    pairs = frozenset(m for m in marked if isinstance(m, tuple))
    if not vector:
        return pairs
    return frozenset(m for m in marked if not isinstance(m, tuple)) | frozenset(i for i, _ in pairs)


@lru_cache(maxsize=4096)
def _matrix(matrix: sympy.ImmutableMatrix, marked: frozenset, decimals: bool) -> str:
    return _printer(marked, decimals)._print_entries(entries(matrix), matrix.cols)


@lru_cache(maxsize=4096)
def _latex(expr: sympy.Basic, marked: frozenset, decimals: bool) -> str:
    # Memoized: a document prints the same numbers, vectors and names many times, and the LaTeX and
    # Markdown solutions print the same objects. SymPy's == is structural (no 1/2 == 0.5).
    return _printer(marked, decimals).doprint(expr)


@lru_cache(maxsize=256)
def _printer(marked: frozenset, decimals: bool) -> SymdropLatexPrinter:
    # One printer per setting: making one (LatexPrinter's settings checks) costs more than most
    # of what it prints. A printer keeps nothing between prints but its settings.
    return SymdropLatexPrinter({"marked": marked, "decimals": decimals})


def finalizer(decimals: bool = False):
    """What a template does with every value it prints: SymPy objects as LaTeX, the rest as is.
    (Called for every ``\\VAR{}`` of every document: explicit matrices go straight to their memo.)"""

    def finalize(value):
        if type(value) is str:  # most of what a template prints: its own text and the macros'
            return value
        if type(value) is sympy.ImmutableDenseMatrix:
            return _dense(value, _NONE, decimals)
        return _latex(value, _NONE, decimals) if isinstance(value, sympy.Basic) else value

    return finalize


def latex_each(values, decimals: bool = False) -> list[str]:
    """``[latex(v, decimals=decimals) for v in values]``, SymPy's straight to their memo (a key's rows)."""
    d = bool(decimals)
    return [(_dense(v, _NONE, d) if type(v) is sympy.ImmutableDenseMatrix else _latex(v, _NONE, d))
            if isinstance(v, sympy.Basic) else latex(v, decimals=d) for v in values]


def inline(vector, decimals: bool = False) -> str:
    """A vector inside a sentence, as the tutorial writes it: ``(1, 1)``."""
    if isinstance(vector, sympy.ImmutableMatrix):
        return _inline(vector, decimals)  # memoized: the LaTeX and Markdown keys print the same
    return "(%s)" % ", ".join(latex_each(vector, decimals))


@lru_cache(maxsize=4096)
def _inline(vector: sympy.ImmutableMatrix, decimals: bool) -> str:
    return "(%s)" % ", ".join(latex_each(entries(vector), decimals))


@lru_cache(maxsize=4096)
def factor(expr, decimals: bool = False) -> str:
    """``expr`` ready to stand in a product: negatives and sums in parentheses."""
    text = latex(expr, decimals=decimals)
    if isinstance(expr, sympy.Rational):  # a number's sign read off it (asking SymPy's assumptions: 50 us a number)
        return rf"\left({text}\right)" if expr.p < 0 else text
    if isinstance(expr, Rounded):  # a decimal standing for a value: a symbol to SymPy, negative as written
        return rf"\left({text}\right)" if expr.name.startswith("-") else text
    if expr.is_Add or (expr.is_number and expr.is_negative) or sympy.Expr.could_extract_minus_sign(expr):
        return rf"\left({text}\right)"
    return text
