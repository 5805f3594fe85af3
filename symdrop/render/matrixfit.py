"""How a network's x, W and b, and a backward pass's table of the forward values, are shown where
one would leave the page: blocks of columns, rows."""

from dataclasses import dataclass
from functools import lru_cache

import sympy

from ..sympy_internals import entries
from .linebreak import TOGETHER_LINES, room_after
from .numbertext import rounded
from .printer import VECTOR_ROWS, inline, latex, latex_each, text_sized
from .texwidth import LINE_EM, width

# A matrix of more rows is written row by row: TeX cannot break a matrix across pages (and sets
# its rows a fixed distance apart, where stacked fractions touch); 20 rows are a third of a page.
# A column vector of more than VECTOR_ROWS entries is a row already, transposed (render.printer).
MATRIX_ROWS = TOGETHER_LINES
_QUAD = 1.0  # the indent of a broken row's further lines
_COMMA = width(", ")


@dataclass(frozen=True)
class Part:
    """One piece of a matrix as displayed: ``matrix`` set whole, or a row's entries in ``lines``
    (each a tuple of exact numbers; ``transposed``: a column vector written as a row). ``row``
    (1-based) names a row of a matrix written row by row, ``columns`` (first, last, 1-based) a
    block of columns; neither for the matrix whole."""

    matrix: sympy.ImmutableMatrix | None = None
    lines: tuple[tuple, ...] = ()
    transposed: bool = False
    row: int | None = None
    columns: tuple[int, int] | None = None


@dataclass(frozen=True)
class LayerLayout:
    """A layer's row of the network: ``together`` (W, b and g side by side, as a small network
    is written), else W's parts, then b's, then g, each on lines of their own."""

    together: bool
    W: tuple[Part, ...]
    b: tuple[Part, ...]


@dataclass(frozen=True)
class NetworkLayout:
    """How the rows x, W, b, g of a network are set (math/network-rows.j2)."""

    x: tuple[Part, ...]
    layers: tuple[LayerLayout, ...]


def network_layout(network, decimals: bool = False) -> NetworkLayout | None:
    """The layout of ``network``'s rows: every matrix whole where it fits the line (and is not
    too tall); else a column vector as a transposed row broken entry by entry, a matrix of at
    most :data:`MATRIX_ROWS` rows in blocks of columns that fit, a taller one row by row. None
    where the rows surely fit as a small network's are written: x, then each layer's W, b and g
    side by side (the common case, told without measuring a formula)."""
    if _small(network, decimals):
        return None
    # A block's or a row's name is wider than the matrix's: the room of pieces is measured after it.
    n = max(network.sizes)
    rooms = (LINE_EM - _lead(network.depth), LINE_EM - width(r"W^{(%d)}_{%d,\,%d\ldots %d} =" % (network.depth, n, n, n)))
    layers = []
    for l, layer in enumerate(network.layers, start=1):
        W, b = _parts(layer.W, rooms, decimals), _parts(layer.b, rooms, decimals)
        together = (len(W) == len(b) == 1 and W[0].matrix is not None and b[0].matrix is not None
                    and _width(layer.W, decimals) + _width(layer.b, decimals) + _row(l, _label(layer, decimals)) <= LINE_EM)
        layers.append(LayerLayout(together, W, b))
    return NetworkLayout(_parts(network.x, rooms, decimals), tuple(layers))


# No character of a formula is wider to texwidth than =, < or > (1.34 em), nor any command per
# character of its name: a matrix is at most this many em a character of its widest entry's LaTeX.
EM_PER_CHARACTER = 1.34


def _small(network, decimals: bool) -> bool:
    """Whether no vector has more than VECTOR_ROWS entries and x and each layer's row (W, b, g)
    fit the line by that bound."""
    x = network.x
    if x.cols != 1 or x.rows > VECTOR_ROWS or _bound(x, decimals) > LINE_EM - _lead(network.depth):
        return False
    return all(layer.W.rows <= VECTOR_ROWS and _bound(layer.W, decimals) + _bound(layer.b, decimals)
               + _row(l, _label(layer, decimals)) <= LINE_EM for l, layer in enumerate(network.layers, start=1))


def _bound(matrix: sympy.ImmutableMatrix, decimals: bool) -> float:
    """At least the width texwidth gives ``matrix`` (as :func:`texwidth._table_width` adds it up)."""
    longest = max(map(len, latex_each(entries(matrix), decimals)))
    return matrix.cols * EM_PER_CHARACTER * longest + 0.9 * (matrix.cols - 1) + 0.8


def _label(layer, decimals: bool) -> str:
    label = layer.g.label
    return label if isinstance(label, str) else latex(label, decimals=decimals)


@lru_cache(maxsize=64)
def _lead(depth: int) -> float:
    return width(r"W^{(%d)} =" % depth)


@lru_cache(maxsize=256)
def _row(l: int, label: str) -> float:
    """The width of a layer's row W, b, g side by side, but for its two matrices: the names, the
    commas, g's name and the space between the aligned pairs (amsmath's least, 10 pt each)."""
    return width(r"W^{(%d)} = , b^{(%d)} = , g^{(%d)} = %s" % (l, l, l, label)) + 2 * 0.9


def _parts(matrix: sympy.ImmutableMatrix, rooms: tuple[float, float], decimals: bool) -> tuple[Part, ...]:
    """``matrix`` whole where it fits ``rooms[0]`` and is not too tall, else in pieces that fit ``rooms[1]``."""
    vector, room = matrix.cols == 1, rooms[1]
    if matrix.rows <= (VECTOR_ROWS if vector else MATRIX_ROWS) and _width(matrix, decimals) <= rooms[0]:
        return (Part(matrix=matrix),)
    if vector:
        return (Part(lines=_broken(tuple(entries(matrix)), room, decimals), transposed=True),)
    if matrix.rows <= MATRIX_ROWS:  # a row (1 x n) too: blocks of a row, never a list a column's notation writes
        blocks = _blocks(matrix, room, decimals)
        if blocks is not None:
            return blocks
    return tuple(Part(lines=_broken(tuple(matrix.row(i)), room, decimals), row=i + 1) for i in range(matrix.rows))


def _blocks(matrix: sympy.ImmutableMatrix, room: float, decimals: bool) -> tuple[Part, ...] | None:
    """``matrix`` cut into the fewest blocks of consecutive columns, as equal as may be, that
    each fit ``room``; None where a single column does not."""
    for count in range(2, matrix.cols + 1):
        size = -(-matrix.cols // count)
        starts = range(0, matrix.cols, size)
        blocks = [matrix[:, s:s + size] for s in starts]
        if all(_width(block, decimals) <= room for block in blocks):
            return tuple(Part(matrix=block, columns=(s + 1, s + block.cols)) for s, block in zip(starts, blocks))
    return None


@lru_cache(maxsize=1024)
def _width(matrix: sympy.ImmutableMatrix, decimals: bool) -> float:
    return width(latex(matrix, decimals=decimals))


def _broken(values: tuple, room: float, decimals: bool) -> tuple[tuple, ...]:
    """``values`` (a row, its fractions text-sized) in lines that fit ``room`` after a quad, with
    their parentheses and commas."""
    lines, current, used = [], [], width(r"()^{\top}")
    for value in values:
        w = width(row_entry(value, decimals)) + _COMMA
        if current and used + w > room - _QUAD:
            lines.append(tuple(current))
            current, used = [], 0.0
        current.append(value)
        used += w
    return tuple(lines) + ((tuple(current),) if current else ())


def row_entry(value, decimals: bool = False) -> str:
    """An entry of a vector or matrix written as a row, its fraction text-sized (the templates' ``row_entry``)."""
    return text_sized(latex(value, decimals=decimals), value)


def in_sentence(vector, words: str = "", decimals: bool = False, name: str = "x", room: float = 1.0) -> bool:
    """Whether ``x = vector`` (``name``: another vector's, ``t``) written in a sentence, ``x = (1,
    1)``, fits the rest of the line ``words`` (the sentence's words before it, from the start of
    its paragraph) leave, or without ``words`` the fraction ``room`` of a line: TeX cannot break
    a formula in a paragraph between its entries, nor stretch the words enough to move it whole
    to the next line. A longer one is referred to where it is displayed."""
    return width(f"{name} = " + inline(vector, decimals), "text") <= (room_after(words) if words else room * LINE_EM)


# A table's columns stand two \tabcolsep (12 pt, 1.2 em) apart, and one from each edge (0.6 em).
_TABLE_GAP = 1.2
_LAYER = width("l", "text")  # the first column's cells: a layer's number, as wide as its head l
_HEADS = tuple(width(head, "text") for head in (r"\tilde{a}^{(l-1)}", "z^{(l)}", "a^{(l)}"))  # the other columns' heads


def forward_table(steps, irrational: bool, decimals: bool = False, digits: int | None = None) -> str:
    """How a backward pass's table of the forward values (``steps``: the forward derivation's)
    is set: ``"columns"``, a row a layer with its masked input, z and a side by side (exact
    values); ``"rows"``, a row a vector (``irrational``: decimals after \\approx); or
    ``"lines"`` where a row of the table would leave the page (a table's row cannot break):
    aligned equations, each vector broken between its entries where it must be."""
    vectors = [(s.masked_input.value, s.pre_activation.value, s.activation.value) for s in steps]
    if irrational:  # a row's cells: the layer, the vector's name, the vector after \approx
        name = max(width(r"\tilde{a}^{(%d)}" % (len(steps) - 1), "text"), width(r"z^{(%d)}" % len(steps), "text"))
        shown = max(width(r"\approx " + inline(rounded(v, digits=digits), decimals), "text") for row in vectors for v in row)
        return "rows" if _LAYER + name + shown + 3 * _TABLE_GAP <= LINE_EM else "lines"
    columns = zip(_HEADS, *([width(inline(v, decimals), "text") for v in row] for row in vectors))
    return "columns" if _LAYER + sum(map(max, columns)) + 4 * _TABLE_GAP <= LINE_EM else "lines"
