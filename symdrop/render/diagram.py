"""The picture of a network as geometry: units, biases, connections and labels, in centimetres."""

import math
from dataclasses import dataclass, fields, replace
from functools import lru_cache

import sympy

from ..errors import RenderError
from ..model.network import Network
from ..sympy_internals import entries

MAX_UNITS = 8  # places per layer; a larger layer shows its dropped units, its last, its first kept
# ones, and a "..." for each run of kept units left out (each "..." takes a unit's place)
MAX_PLACES = 14  # places in a column at most (dropped units are never left out); a taller one is not drawn
MAX_DEPTH = 6  # layers of weights drawn (7 columns of units); a deeper network is not drawn
WEIGHT_UNITS = 3  # edge weights: at most this many units in every layer ...
WEIGHT_DEPTH = 4  # ... and at most this many layers, or the numbers would overlap

RADIUS = 0.4  # of a unit, cm
BIAS_SIZE = 0.5  # side of a bias square, cm
ROW = 1.3  # cm between the centres of units in a column
ROW_WEIGHTS = 2.0  # the same with edge weights, which need room between the converging lines
ROW_SYMBOLS = 1.6  # the same with masks as symbols: mu^(l)_j (0.45 cm high) hangs between two units
SPAN = 13.5  # cm from the first column to the last, at most
COLUMN = 3.2  # cm between columns, at most
COLUMN_WEIGHTS = 3.6
MASK_BELOW = 0.3  # cm from a unit's circle to the centre of its mask label
MASK_GAP = 0.1  # cm from a unit's circle to the top of a symbol's label (mu^(l)_j, taller than "mu = 0")
WEIGHT_BEFORE = 0.75  # cm left of a target's centre: the last place for a weight, clear of the circle
WEIGHT_FROM = 0.25  # the first place, as the fraction of the way from the source
WEIGHT_ABOVE = 0.16  # cm from a line up to its weight's centre: a minus sign must not merge into it
MARGIN = 0.7  # cm around everything, room for labels that stick out

_SUPERSCRIPT = str.maketrans("0123456789()", "⁰¹²³⁴⁵⁶⁷⁸⁹⁽⁾")
_SUBSCRIPT = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
_OUTPUT_TEXT = {"yhat": "ŷ"}  # an output's name in Unicode where it is not the name itself (S, z)


@dataclass(frozen=True)
class Unit:
    """Unit ``j`` (from 0) of layer ``l`` (0: the inputs) with its centre and its mask value."""

    name: str  # "u1-2": unit 2 of layer 1, the TikZ node and the SVG id
    l: int
    j: int
    x: float
    y: float  # downwards, as on a page
    symbol: sympy.Symbol  # x_1, a1_2, yhat: the LaTeX printer writes x_{1}, a^{(1)}_{2}, \hat{y}
    text: str  # the same in plain Unicode for SVG: x₁, a⁽¹⁾₂, ŷ
    mask: sympy.Integer | None  # mu^(l)_j; None for an output unit, which is never masked
    mask_y: float  # centre of the mask label, below the unit

    @property
    def dropped(self) -> bool:
        return self.mask == 0

    @property
    def symbolic_mask(self) -> bool:
        """The mask is its symbol mu^(l)_j (``--symbolic``), not a number."""
        return self.mask is not None and not self.mask.is_number

    @property
    def mask_text(self) -> str:
        """The mask label as plain Unicode for SVG: ``μ = 0``, or the symbol ``μ⁽⁰⁾₁`` as LaTeX writes it."""
        if self.symbolic_mask:
            return "μ" + f"({self.l})".translate(_SUPERSCRIPT) + str(self.j + 1).translate(_SUBSCRIPT)
        return f"μ = {sympy.sstr(self.mask)}"

    @property
    def mask_top(self) -> float:
        """The top of a symbol's label: hung below the circle, clear of it and of the unit below."""
        return _round(self.y + RADIUS + MASK_GAP)


@dataclass(frozen=True)
class Bias:
    """The bias node that feeds layer ``l``; biases are never dropped."""

    name: str  # "b1"
    l: int
    x: float
    y: float


@dataclass(frozen=True)
class Edge:
    """The connection from a unit of layer l-1 (or the bias of layer l) to a unit of layer l."""

    source: str
    target: str
    x1: float
    y1: float
    x2: float
    y2: float
    weight: sympy.Expr | None  # W^(l)_ij, or b^(l)_i from a bias; None unless the picture shows weights
    dropped: bool  # its source unit is dropped: the connection carries nothing
    bias: bool
    label_x: float  # where the weight is written, on the line
    label_y: float
    angle: float  # of the line in degrees, counterclockwise as seen on the page: the weight's slope

    @property
    def text(self) -> str:
        """The weight as plain Unicode text for SVG, exact: ``−3/4``."""
        return sympy.sstr(self.weight).replace("-", "\N{MINUS SIGN}")

    @property
    def clockwise(self) -> float:
        """The same angle clockwise, as SVG rotates with its y axis pointing down."""
        return _round(-self.angle)


@dataclass(frozen=True)
class Gap:
    """A layer too large to draw whole: units ``first`` to ``last`` (from 1) left out at (x, y)."""

    l: int
    x: float
    y: float
    first: int
    last: int


@dataclass(frozen=True)
class Column:
    """A layer's column: its caption ("input", "hidden 1", "output") under the units."""

    l: int
    x: float
    caption: str


@dataclass(frozen=True)
class Diagram:
    """Everything a template needs to draw the network; empty when it is too large to draw."""

    sizes: tuple[int, ...]
    width: float
    height: float
    columns: tuple[Column, ...] = ()
    units: tuple[Unit, ...] = ()
    biases: tuple[Bias, ...] = ()
    edges: tuple[Edge, ...] = ()
    gaps: tuple[Gap, ...] = ()
    edge_weights: bool = False
    caption_y: float = 0.0
    radius: float = RADIUS
    bias_size: float = BIAS_SIZE
    too_large: bool = False
    max_depth: int = MAX_DEPTH
    max_places: int = MAX_PLACES

    def __hash__(self) -> int:
        # Memoized, as Network's: a picture keys its name among a sheet's pictures and the
        # rendered pictures' memo, asked for each exercise in every format (all its units and edges).
        if "_hash" not in self.__dict__:
            object.__setattr__(self, "_hash", hash(tuple(getattr(self, f.name) for f in fields(self))))
        return self.__dict__["_hash"]

    @property
    def depth(self) -> int:
        return len(self.sizes) - 1

    @property
    def unit_size(self) -> float:
        return 2 * self.radius

    @property
    def bias_half(self) -> float:
        return _round(self.bias_size / 2)

    @property
    def cross(self) -> float:
        """Half the side of the square inscribed in a unit: where its cross meets the circle."""
        return _round(self.radius / math.sqrt(2))

    @property
    def mask_offset(self) -> float:
        """From a unit's centre down to its mask label's."""
        return _round(self.radius + MASK_BELOW)

    @property
    def dropped(self) -> tuple[Unit, ...]:
        return tuple(u for u in self.units if u.dropped)


def draw(network: Network, *, edge_weights: bool = False, mask_labels: bool = True, output: str = "yhat") -> Diagram:
    """Lay out ``network``: columns of units, bias squares above them, every connection.

    Layers of more than MAX_UNITS units leave kept units out behind an ellipsis (never a dropped
    unit: see :func:`shown_units`); a network deeper than MAX_DEPTH gives a
    diagram with ``too_large`` set and nothing in it. Edge weights need a small network
    (WEIGHT_DEPTH layers of at most WEIGHT_UNITS units); otherwise a RenderError says why.
    Without ``mask_labels`` no unit shows a mask (a test-time pass, an ensemble's every mask).
    ``output`` names the output units (see :func:`label`).
    """
    sizes = network.sizes
    depth = network.depth
    if edge_weights and (depth > WEIGHT_DEPTH or max(sizes) > WEIGHT_UNITS):
        raise RenderError(
            f"edge weights: drawn for at most {WEIGHT_DEPTH} layers of at most {WEIGHT_UNITS} units "
            f"each; this network has {depth} layers and up to {max(sizes)} units in one"
        )
    if depth > MAX_DEPTH:
        return Diagram(sizes=sizes, width=0.0, height=0.0, too_large=True)
    # DropConnect masks weights, not units: its dropped connections are dashed, no unit crossed out.
    weight_masks = [entries(m) for m in network.masks] if network.dropout.connections else None
    if weight_masks is not None:
        mask_labels = False
    masks = [entries(m) for m in network.masks] if weight_masks is None else [(1,) * n for n in sizes[:-1]]
    dropped_at = [frozenset(j for j, m in enumerate(mask) if m == 0) if mask_labels else frozenset() for mask in masks]
    shown = tuple(shown_units(n, dropped_at[l] if l < depth else frozenset()) for l, n in enumerate(sizes))
    if any(len(_places(keep, n)) > MAX_PLACES for keep, n in zip(shown, sizes)):
        return Diagram(sizes=sizes, width=0.0, height=0.0, too_large=True)
    symbols = mask_labels and any(not m.is_number for mask in masks for m in mask)
    layout, connections, variants = _layout(sizes, edge_weights, shown, symbols, output)
    # The layout depends on the sizes and the units shown; the network brings the masks (and the
    # weights). Units with a mask of 0 or 1, and connections without weights, are made once per layout.
    units = []
    for u, made in zip(layout.units, variants.units):
        mask = masks[u.l][u.j] if u.l < depth and mask_labels else None
        unit = made.get(mask)
        units.append(unit or Unit(u.name, u.l, u.j, u.x, u.y, u.symbol, u.text, mask, u.mask_y))
    dropped = {(u.l, u.j) for u in units if u.dropped}
    weights = [(entries(layer.W), layer.W.cols, entries(layer.b)) for layer in network.layers]
    edges = []
    for e, (l, i, j), made in zip(layout.edges, connections, variants.edges):
        if weight_masks is None:
            cut = j is not None and (l - 1, j) in dropped
        else:
            cut = j is not None and weight_masks[l - 1][i * sizes[l - 1] + j] == 0
        if not edge_weights:
            edges.append(made[cut])
            continue
        W, n, b = weights[l - 1]
        weight = b[i] if j is None else W[i * n + j]
        edges.append(Edge(e.source, e.target, e.x1, e.y1, e.x2, e.y2, weight, cut, e.bias, e.label_x, e.label_y, e.angle))
    return replace(layout, units=tuple(units), edges=tuple(edges))


@dataclass(frozen=True)
class _Variants:
    """A layout's units with each mask value a spec gives (0, 1; None for outputs) and its
    connections without weights, kept and dropped: what most pictures are made of."""

    units: tuple[dict, ...]
    edges: tuple[tuple[Edge, Edge], ...]


@lru_cache(maxsize=256)
def _layout(sizes: tuple[int, ...], edge_weights: bool, shown: tuple[tuple[int, ...], ...], symbols: bool = False,
            output: str = "yhat"):
    """The geometry of every network of these ``sizes``, with no masks and no weights yet; for
    each connection (l, i, j): layer l, target unit i, source unit j (None for the bias); and
    the :class:`_Variants` of its units and connections. (Long, as one pass that places every
    element in order, top to bottom: split up, the geometry would be harder to follow.)"""
    depth = len(sizes) - 1
    row = ROW_WEIGHTS if edge_weights else ROW_SYMBOLS if symbols else ROW
    column = min(COLUMN_WEIGHTS if edge_weights else COLUMN, SPAN / depth)
    places = [_places(keep, n) for keep, n in zip(shown, sizes)]  # a unit's index, or a gap (first, last)
    slots = [len(p) for p in places]
    # Every column is centred on one line; its bias sits one row above its top unit.
    top = min(
        min(-(k - 1) / 2 * row - row - BIAS_SIZE / 2 for k in slots[:-1]),
        -(slots[-1] - 1) / 2 * row - RADIUS,
    )
    dy = MARGIN - top

    units, biases, gaps, columns = [], [], [], []
    for l, (n, place, k) in enumerate(zip(sizes, places, slots)):
        x = _round(MARGIN + l * column)
        for slot, j in enumerate(place):
            y = _round((slot - (k - 1) / 2) * row + dy)
            if isinstance(j, tuple):  # units first..last (from 0) left out
                gaps.append(Gap(l, x, y, j[0] + 1, j[1] + 1))
                continue
            symbol, text = label(l, j, sizes, output)
            mask_y = _round(y + RADIUS + MASK_BELOW)
            units.append(Unit(f"u{l}-{j + 1}", l, j, x, y, symbol, text, None, mask_y))
        if l < depth:
            biases.append(Bias(f"b{l + 1}", l + 1, x, _round((-(k - 1) / 2 - 1) * row + dy)))
        columns.append(Column(l, x, "input" if l == 0 else "output" if l == depth else f"hidden {l}"))

    caption_y = max((k - 1) / 2 * row for k in slots) + dy + RADIUS + MASK_BELOW + 0.6
    edges, connections = _edges(depth, units, biases, column)
    variants = _Variants(
        units=tuple(
            {None: u} if u.l == depth else {m: replace(u, mask=m) for m in (sympy.S.Zero, sympy.S.One)} for u in units
        ),
        edges=tuple((e, replace(e, dropped=True)) for e in edges),
    )
    diagram = Diagram(
        sizes=sizes,
        width=_round(2 * MARGIN + depth * column),
        height=_round(caption_y + MARGIN - 0.2),
        columns=tuple(columns),
        units=tuple(units),
        biases=tuple(biases),
        edges=edges,
        gaps=tuple(gaps),
        edge_weights=edge_weights,
        caption_y=_round(caption_y),
    )
    return diagram, connections, variants


def _edges(depth: int, units: list[Unit], biases: list[Bias], column: float):
    """Every connection between drawn units, and from each bias, target by target (no weights
    yet), and which weight each one carries: (l, i, j), j None for the bias."""
    edges, connections = [], []
    for l in range(1, depth + 1):
        bias = biases[l - 1]
        sources = [u for u in units if u.l == l - 1]
        # Each source writes its weights at its own fraction of the way, the bias (on top) first:
        # the weights of two sources are then at least (t_max - WEIGHT_FROM) / WEIGHT_UNITS of a
        # column apart across, and those of one source at least WEIGHT_FROM rows apart down.
        t_max = 1 - WEIGHT_BEFORE / column
        step = (t_max - WEIGHT_FROM) / len(sources)
        for target in (u for u in units if u.l == l):
            for k, s in enumerate(sources, start=1):
                t = WEIGHT_FROM + k * step
                edges.append(_edge(s.name, s.x, s.y, target, t))
                connections.append((l, target.j, s.j))
            edges.append(_edge(bias.name, bias.x, bias.y, target, WEIGHT_FROM, bias=True))
            connections.append((l, target.j, None))
    return tuple(edges), tuple(connections)


def label(l: int, j: int, sizes: tuple[int, ...], output: str = "yhat") -> tuple[sympy.Symbol, str]:
    """Unit ``j`` of layer ``l`` as a symbol for the LaTeX printer and as Unicode text.

    ``x_1`` (x₁) for inputs, ``a1_2`` (a⁽¹⁾₂) for hidden units, ``yhat`` (ŷ) for a single output,
    ``yhat_2`` (ŷ₂) for one of several; an ``output`` of another name, the name a problem gives
    the value, in its place: ``S`` (a unit's sum), ``z_2`` (z₂).
    """
    index = str(j + 1)
    if l == 0:
        return sympy.Symbol(f"x_{index}"), "x" + index.translate(_SUBSCRIPT)
    if l == len(sizes) - 1:
        text = _OUTPUT_TEXT.get(output, output)
        if sizes[-1] == 1:
            return sympy.Symbol(output), text
        return sympy.Symbol(f"{output}_{index}"), text + index.translate(_SUBSCRIPT)
    return sympy.Symbol(f"a{l}_{index}"), f"a({l})".translate(_SUPERSCRIPT) + index.translate(_SUBSCRIPT)


def shown_units(n: int, dropped: frozenset = frozenset()) -> tuple[int, ...]:
    """The units (from 0) of a layer of ``n`` that are drawn: all up to MAX_UNITS; else every
    dropped unit and the last, then the first kept units while the column (a "..." taking one
    place per run left out) has at most MAX_UNITS places. A lone unit left out is drawn instead
    of its "...", which would take the same place."""
    if n <= MAX_UNITS:
        return tuple(range(n))
    shown = set(dropped) | {n - 1}
    for j in range(n):
        if j not in shown and len(_places(shown | {j}, n)) <= MAX_UNITS:
            shown.add(j)
    shown |= {p[0] for p in _places(shown, n) if isinstance(p, tuple) and p[0] == p[1]}
    return tuple(sorted(shown))


def _places(shown, n: int) -> list:
    """The column top to bottom: each shown unit's index, and (first, last) for each run left out."""
    places, start = [], 0
    for j in sorted(shown):
        if j > start:
            places.append((start, j - 1))
        places.append(j)
        start = j + 1
    if start < n:
        places.append((start, n - 1))
    return places


def _edge(source, x1, y1, target: Unit, t, bias=False) -> Edge:
    dx, dy = target.x - x1, target.y - y1
    # The weight sits WEIGHT_ABOVE above its line (so a minus sign stays apart from it), moved
    # straight up: a vertical shift keeps the weights of different sources apart across.
    above = WEIGHT_ABOVE * math.hypot(dx, dy) / dx
    return Edge(
        source, target.name, _round(x1), _round(y1), _round(target.x), _round(target.y),
        None, False, bias,
        _round(x1 + t * dx), _round(y1 + t * dy - above),
        _round(math.degrees(math.atan2(-dy, dx))),
    )


def _round(value: float) -> float:
    """Layout numbers to a hundredth of a millimetre; ``+ 0.0`` turns -0.0 into 0.0."""
    return round(value, 3) + 0.0
