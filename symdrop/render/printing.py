"""The notation: a SymPy LaTeX printer for vectors, masks, fractions, ReLU and our symbols."""

import re
from functools import lru_cache

import sympy
from sympy.printing.latex import LatexPrinter
from sympy.printing.precedence import PRECEDENCE

from ..model.activations import LeakyReLUName
from ..sympy_internals import entries
from .numbertext import DIGITS, decimal, decimal_places, exact_decimal, needs_decimal, scalars
from .texwidth import LINE_EM, TOKEN, width

# Plain symbol names (w1_1_2, b1_1, a1_1, mu0_1, x_1) as the notation writes them.
_NAMED = [
    (re.compile(r"w(\d+)_(\d+)_(\d+)"), lambda l, i, j: rf"w^{{({l})}}_{{{_pair(i, j)}}}"),
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


def _pair(i: str, j: str) -> str:
    return f"{i}{j}" if len(i) == len(j) == 1 else f"{i},{j}"


class SymdropLatexPrinter(LatexPrinter):
    """LaTeX in the tutorial's notation: column vectors as pmatrix, masks with ``\\odot``."""

    printmethod = "_symdrop_latex"
    _default_settings = {
        **LatexPrinter._default_settings,
        "mat_str": "pmatrix",
        "mat_delim": "",
        "order": "none",
        "marked": frozenset(),  # entries of column vectors to highlight (dropped units)
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
        for pattern, spell in _NAMED:
            match = pattern.fullmatch(expr.name)
            if match:
                return spell(*match.groups())
        return super()._print_Symbol(expr, style)

    def _print_MatrixSymbol(self, expr):
        return expr.name  # names are written in LaTeX already: W^{(1)}, \tilde{a}^{(0)}

    def _print_Add(self, expr, order=None):
        if len(expr.args) == 2 and sympy.S.One in expr.args and any(isinstance(t, sympy.exp) for t in expr.args):
            # The sigmoid's denominator as it is written: 1 + e^{-z}.
            other = expr.args[0] if expr.args[1] == 1 else expr.args[1]
            return "1 + " + self._print(other)
        if len(expr.args) == 2 and sympy.S.One in expr.args:
            q = -(expr.args[0] if expr.args[1] == 1 else expr.args[1])
            if q.is_Symbol and _KEEP.fullmatch(q.name):  # a drop probability, as it is written: 1 - q^(l)
                return "1 - " + self._print(q)
        # Sums in the usual order, constant last (x_1 - 1); "none" is only for structure.
        return super()._print_Add(expr, order="lex")

    def _print_Mul(self, expr):
        if not expr.is_Mul:  # the parent prints 1/x through here too
            return super()._print_Mul(expr)
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

    def _print_ReLU(self, expr):
        arg = expr.args[0]
        if isinstance(arg, sympy.MatrixBase) and arg.shape != (1, 1):
            return r"\operatorname{ReLU}%s" % self._print(arg)  # the matrix brings its parentheses
        return r"\operatorname{ReLU}(%s)" % self._print(arg)

    def _print_LeakyReLU(self, expr):
        z, slope = expr.args
        name = self._print(LeakyReLUName(slope))
        if isinstance(z, sympy.MatrixBase) and z.shape != (1, 1):
            return name + self._print(z)
        return r"%s(%s)" % (name, self._print(z))

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
        return self._hprint_Function("tanh") + (r"^{%s}" % exp if exp else "") + r"{\left(%s \right)}" % arg

    def _print_named(self, name, arg):
        if isinstance(arg, sympy.MatrixBase) and arg.shape != (1, 1):
            return name + self._print(arg)  # the matrix brings its parentheses
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
        if expr.cols != 1 or not self._settings["marked"]:
            return self._print_MatrixBase(expr)  # other settings (mat_str, mat_delim) as SymPy has them
        return self._print_entries(entries(expr), expr.cols)

    def _print_entries(self, values, cols: int) -> str:
        """A matrix of ``values`` (row by row) with ``cols`` columns as a pmatrix."""
        marked = self._settings["marked"] if cols == 1 else ()
        flat = [self._print(v) for v in values]
        rows = [flat[i : i + cols] for i in range(0, len(flat), cols)]
        if marked:
            rows = [[rf"\textcolor{{red}}{{{row[0]}}}" if j in marked else row[0]] for j, row in enumerate(rows)]
        return r"\begin{pmatrix}%s\end{pmatrix}" % r"\\".join(" & ".join(row) for row in rows)

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


def _dense(matrix: sympy.ImmutableMatrix, marked: frozenset, decimals: bool) -> str:
    """An explicit matrix, memoized. Equal rational matrices are mostly one object already
    (``numbers.rational_matrix`` is memoized), so the memo meets them by identity and by the hash
    SymPy keeps, without hashing their entries again."""
    if matrix.shape == (1, 1):  # a single unit reads as a number: y = 7, not (7)
        return _latex(entries(matrix)[0], _NONE, decimals)
    return _matrix(matrix, marked if matrix.cols == 1 else _NONE, decimals)


@lru_cache(maxsize=4096)
def _matrix(matrix: sympy.ImmutableMatrix, marked: frozenset, decimals: bool) -> str:
    return _printer(marked, decimals)._print_entries(entries(matrix), matrix.cols)


@lru_cache(maxsize=4096)
def _latex(expr: sympy.Basic, marked: frozenset, decimals: bool) -> str:
    # Memoized: a document prints the same numbers, vectors and names many times, and the LaTeX
    # and Markdown solutions print the same objects. SymPy's == is structural (no 1/2 == 0.5), so
    # equal keys print equally.
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
        if type(value) is sympy.ImmutableDenseMatrix:
            return _dense(value, _NONE, decimals)
        return _latex(value, _NONE, decimals) if isinstance(value, sympy.Basic) else value

    return finalize


def inline(vector, decimals: bool = False) -> str:
    """A vector inside a sentence, as the tutorial writes it: ``(1, 1)``."""
    if isinstance(vector, sympy.ImmutableMatrix):
        return _inline(vector, decimals)  # memoized: the LaTeX and Markdown keys print the same
    return "(%s)" % ", ".join(latex(v, decimals=decimals) for v in vector)


@lru_cache(maxsize=4096)
def _inline(vector: sympy.ImmutableMatrix, decimals: bool) -> str:
    return "(%s)" % ", ".join(latex(v, decimals=decimals) for v in entries(vector))


@lru_cache(maxsize=4096)
def factor(expr, decimals: bool = False) -> str:
    """``expr`` ready to stand in a product: negatives and sums in parentheses."""
    text = latex(expr, decimals=decimals)
    if expr.is_Add or (expr.is_number and expr.is_negative) or sympy.Expr.could_extract_minus_sign(expr):
        return rf"\left({text}\right)"
    return text


def operand(expr, decimals: bool = False) -> str:
    """A matrix as one factor of a product: a 1 x 1 matrix prints as its entry, in parentheses
    where it is a sum or negative (``\\left(-1 + \\frac{1}{1 + e}\\right) (0 \\; 2)``)."""
    if isinstance(expr, sympy.MatrixBase) and expr.shape == (1, 1):
        return factor(expr[0, 0], decimals=decimals)
    return latex(expr, decimals=decimals)


def approx(expr, always: bool = False, **settings) -> str:
    """`` \\approx`` and the decimals of ``expr`` when it has an irrational entry (or, with
    ``always``, any entry that is not an integer); else nothing. Never for expressions in symbols."""
    values = scalars(expr)
    if all(e.is_Integer for e in values) or (not always and all(e.is_Rational for e in values)):
        return ""  # the common case, decided without looking for symbols
    if any(e.free_symbols for e in values):
        return ""
    if not (needs_decimal(expr) or (always and any(not e.is_Integer for e in values))):
        return ""
    # An integer entry beside irrational ones stays an integer: (0.1517..., 0), not 0.0.
    as_decimal = lambda e: e if e.is_Integer else sympy.Float(decimal(e), DIGITS)  # noqa: E731
    shown = expr.applyfunc(as_decimal) if isinstance(expr, sympy.MatrixBase) else as_decimal(sympy.sympify(expr))
    return r" \approx " + latex(shown, **settings)


# --- Fitting the page: where a long formula breaks (how wide it is set: texwidth) --------------

BOXED_ROWS = 6  # a boxed result of more rows is displayed unboxed, where it may break across pages (a box
# cannot: a 12-row box pushed whole to the next page left half of expect's first page empty)

# Where a + or - follows one of these, it is a sign (-3, (-x, = -2), not an operation to break at.
_OPERAND_END = re.compile(r"[A-Za-z0-9)\]}|!']")


def terms(text: str) -> list[str]:
    """The LaTeX of a sum cut before each + or - that joins two terms outside braces and
    ``\\left ... \\right`` (inside plain parentheses too: ``\\max(0, a + b)`` is written so)."""
    pieces, depth, start, previous = [], 0, 0, ""
    for match in TOKEN.finditer(text):
        token = match.group()
        if token.isspace():
            continue
        if token in ("{", r"\left", r"\begin"):
            depth += 1
        elif token in ("}", r"\right", r"\end"):
            depth -= 1
        elif token in ("+", "-") and depth == 0 and _OPERAND_END.fullmatch(previous[-1:] or " "):
            pieces.append(text[start : match.start()].strip())
            start = match.start()
        previous = token
    return [piece for piece in pieces if piece] + [text[start:].strip()]


def rows(expr, lead: str = "", tail: str = "", room: float = LINE_EM, **settings) -> list[str]:
    """``expr`` as the rows of a displayed equation ``lead`` = ..., each fitting ``room``: a sum
    cut between terms, each further row to start with its operator (``{} + t``); ``tail`` (the
    `` \\approx`` decimal) ends the last row, or has a row of its own where it does not fit.
    One row (the formula as it is) when the whole fits."""
    text = latex(expr, **settings)
    budget = room - width(lead)
    if width(text + tail) <= budget:
        return [text + tail]
    if isinstance(expr, sympy.MatrixBase) and expr.cols == 1 and expr.rows > 1:
        entries_ = [_block(rows(e, "", "", budget - 1.5, **settings)) for e in entries(expr)]
        lines = [r"\begin{pmatrix}%s\end{pmatrix}" % r"\\".join(entries_)]
    else:
        lines = pack(terms(text), budget)
    if tail:
        if width(lines[-1] + tail) <= budget - (1.0 if len(lines) > 1 else 0.0):
            lines[-1] += tail
        else:
            lines.append(tail.strip())
    return lines


def pack(pieces: list[str], budget: float) -> list[str]:
    """Consecutive ``pieces`` joined into as few rows as fit ``budget`` em (a row after the first
    is indented by a quad). A piece wider than a row has one to itself, set smaller to fit
    (text style, script style for one much wider): TeX cannot break inside a fraction or a
    ``\\left ... \\right`` pair."""
    lines, current, used, depth = [], "", 0.0, 0
    for piece in pieces:
        w = width(piece)
        room = budget - (1.0 if lines else 0.0) - depth  # a row inside parentheses is indented
        if current and used + w > room:
            lines.append(current)
            current, used = "", 0.0
        if not current and lines:
            # An operator that starts a row still joins two terms; inside parentheses (a max's
            # terms) the row is indented a quad per parenthesis open.
            piece = r"\quad " * depth + "{} " + piece
        depth = max(0, depth + _opened(piece))
        if not current and w > room:
            lines.append((r"\textstyle " if width(piece, "text") <= room else r"\scriptstyle ") + piece)
            continue
        current = f"{current} {piece}" if current else piece
        used += w
    return lines + [current] if current else lines


# A block of aligned rows of at most this many lines (a matrix counts its rows) is kept on one page:
# about a third of one, the most a page break before it leaves empty.
TOGETHER_LINES = 20


_STRUCTURE = re.compile(r"\\begin\b|\\end\b|\\\\")


def together(text: str) -> bool:
    """Whether the aligned rows ``text`` are few enough to keep on one page: set as one display,
    once (LaTeX's align*, which may break across pages, sets every row twice, to measure it).
    A row is as many lines tall as its tallest matrix (or inner block) has rows."""
    # For each open environment, [rows before the current one, the current row's lines].
    lines, tallest, open_ = 0, 1, []
    for match in _STRUCTURE.finditer(text):
        token = match.group()
        if token == r"\begin":
            open_.append([0, 1])
        elif token == r"\end" and open_:
            before, current = open_.pop()
            if open_:
                open_[-1][1] = max(open_[-1][1], before + current)
            else:
                tallest = max(tallest, before + current)
        elif token == "\\\\" and open_:
            open_[-1][0] += open_[-1][1]
            open_[-1][1] = 1
        elif token == "\\\\":
            lines, tallest = lines + tallest, 1
    return lines + tallest <= TOGETHER_LINES


def short(expr) -> bool:
    """Whether ``expr`` with its decimals is short enough to stand in a sentence, in half a line
    (TeX breaks a formula in a paragraph only at its outermost operators)."""
    return width(latex(expr) + approx(expr), "text") <= LINE_EM / 2


def chain(lhs: str, parts: list[str], room: float = LINE_EM) -> list[str]:
    """The rows of ``lhs = part = part ...`` (each part the LaTeX of one side, its relation first:
    ``= W a + b``) for an aligned block, the first row after ``lhs &``, each other after ``&``:
    parts side by side while they fit, a new row where the next does not; a part wider than a row
    broken between its terms (:func:`pack`), its further rows a quad in; a part after the first
    that is wider than a row even so is left out (its value's decimals follow the equation)."""
    budget = room - width(lhs)
    lines, current, used = [], "", 0.0  # used: the width of current (widths of a row's sides add up)
    for part in parts:
        w = width(part)
        if used + w <= budget:
            current, used = (f"{current} {part}" if current else part), used + w
            continue
        if current:
            lines.append(current)
            current, used = "", 0.0
        if w <= budget:
            current, used = part, w
            continue
        relation, _, text = part.partition(" ")
        pieces = pack(terms(text), budget - width(relation) - 1.0)
        if lines and not all(width(piece, _style(piece)) <= budget for piece in pieces):
            continue  # wider than a line even broken: left out (the equation stays true)
        lines += [f"{relation} {pieces[0]}", *(r"\quad " + piece for piece in pieces[1:])]
        if _style(lines[-1].partition(" ")[2]) == "display":
            current = lines.pop()  # the next part may follow the last row, unless it is set smaller
            used = width(current)
    return lines + [current] if current else lines


def _style(row: str) -> str:
    """The math style a row of :func:`pack` is set in."""
    return next((name for name in ("text", "script") if re.match(rf"(\\quad )*\\{name}style", row)), "display")


def named(expr) -> bool:
    """Whether an exact value (or any entry of a matrix) is too wide to stand in a layer's sums,
    wider than a third of a line (values through sigmoids of sigmoids): it is written by its name
    there, its decimal beside."""
    return any(width(latex(e)) > LINE_EM / 3 for e in scalars(expr))


def fitting_rows(expr, lead: str = "", room: float = LINE_EM, **settings) -> list[str] | None:
    """The rows of :func:`rows` when they set ``expr`` inside ``room`` (a row set smaller, a piece
    wider than a row that TeX cannot break, counts at its smaller size), else None."""
    budget = room - width(lead)
    lines_ = rows(expr, lead, room=room, **settings)
    return lines_ if all(width(line, _style(line)) <= budget for line in lines_) else None


def fits(expr, lead: str = "", room: float = LINE_EM, **settings) -> bool:
    """Whether :func:`rows` sets ``expr`` inside ``room``."""
    return fitting_rows(expr, lead, room, **settings) is not None


def _opened(text: str) -> int:
    """Parentheses ``text`` opens less those it closes (\\left( ... \\right) pairs cancel)."""
    tokens = TOKEN.findall(text)
    return tokens.count("(") - tokens.count(")")


def _block(lines: list[str]) -> str:
    """Rows set as one aligned block, to stand in a matrix entry."""
    if len(lines) == 1:
        return lines[0]
    return r"\begin{aligned}&%s\end{aligned}" % r"\\&\quad ".join(lines)


def boxable(lines_: list[str]) -> bool:
    """Whether rows of :func:`rows` are few enough to stand in a box (which cannot break across pages)."""
    return len(lines_) <= BOXED_ROWS


def lines(texts, lead: str = "", separator: str = r",\quad", room: float = LINE_EM) -> list[list[int]]:
    """The indices of ``texts`` (formulas set side by side, each after ``lead``, such as the masks
    ``\\mu^{(l)} = ...``) grouped into as few consecutive lines as fit ``room``."""
    groups, used = [], 0.0
    extra = width(lead) + width(separator)
    for index, text in enumerate(texts):
        w = width(text) + extra
        if groups and used + w <= room:
            groups[-1].append(index)
            used += w
        else:
            groups.append([index])
            used = w
    return groups
