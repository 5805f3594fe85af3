"""Reading a spec's masks and dropout: what each mask drops (units, or with DropConnect weights),
the convention, and the keep probabilities (one per mask, per unit or per weight)."""

import sympy
from sympy import ImmutableMatrix

from ..errors import SpecError, describe
from ..numbers import exact
from ..sympy_internals import entries
from .conventions import DROPCONNECT, SCHEMES, PLAIN, UNITS, Dropout, convention as named_convention, interned
from .fields import matrix, no_unknown_keys, probability, vector

DROPOUT_KEYS = ("kind", "convention", "keep", "alpha")
ONE = sympy.Integer(1)


def dropout_scheme(data) -> str:
    """What the spec's masks drop: ``units`` (the default) or ``dropconnect``."""
    if not isinstance(data, dict):
        raise SpecError("dropout", f"expected a mapping with keys {', '.join(DROPOUT_KEYS)}, got {describe(data)}")
    no_unknown_keys(data, DROPOUT_KEYS, "dropout")
    scheme = data.get("kind", UNITS)
    if scheme not in SCHEMES:
        raise SpecError("dropout.kind", f"expected one of {', '.join(SCHEMES)}, got {describe(scheme)}")
    return scheme


def read_masks(data, shapes, scheme: str) -> tuple[ImmutableMatrix, ...]:
    """The masks: mu^(0) .. mu^(L-1) of the units, or M^(1) .. M^(L) of the weights (``shapes``
    are W^(1) .. W^(L)'s (rows, columns)); ``data`` None: every unit or weight kept."""
    if scheme == DROPCONNECT:
        if data is None:
            return tuple(ImmutableMatrix.ones(*shape) for shape in shapes)
        return _weight_masks(data, shapes)
    sizes = [shapes[0][1]] + [rows for rows, _ in shapes]
    if data is None:
        data = [[1] * n for n in sizes[:-1]]
    return _unit_masks(data, sizes)


def read_dropout(data, masks, shapes, given=None) -> Dropout:
    """The convention and the keep probabilities of the masks (checked against them: a mask may
    drop only where its q is below 1); ``given``, the spec's own list of masks, numbers an error's entry."""
    scheme = dropout_scheme(data)
    convention = named_convention(data.get("convention", PLAIN.name))
    alpha = exact(data["alpha"], "dropout.alpha") if "alpha" in data else None
    if "keep" not in data:
        if convention.has_test_pass:
            raise SpecError("dropout.keep", f"missing (required for the {convention} convention)")
        return Dropout(convention, scheme=scheme, alpha=alpha)
    if scheme == DROPCONNECT:
        keep = _weight_keep(data["keep"], shapes)
    else:
        keep = _unit_keep(data["keep"], [shapes[0][1]] + [rows for rows, _ in shapes[:-1]])
    dropout = interned(Dropout(convention, keep, scheme, alpha))
    _no_drop_where_kept(masks, dropout, single=not isinstance(data["keep"], list), first=_first_given(given, masks))
    return dropout


def _unit_keep(data, sizes) -> tuple:
    """One q per mask mu^(l) (one value: every hidden layer's), each q one number or one per unit."""
    hidden = len(sizes) - 1
    if not isinstance(data, list):
        return (ONE,) + (probability(data, "dropout.keep"),) * hidden
    if len(data) not in (hidden, hidden + 1) or not data:
        if hidden == 0:
            expected = "1 keep probability (the input's mask mu^(0): the network has no hidden layer)"
        else:
            expected = (f"{hidden + 1} keep probabilities ({_masks(0, hidden)}) or {hidden} "
                        f"({_masks(1, hidden)}, mu^(0) keeping everything)")
        raise SpecError("dropout.keep", f"expected {expected}, got {len(data)}")
    offset = hidden + 1 - len(data)
    values = [ONE] * offset
    for i, q in enumerate(data):
        l, field = i + offset, f"dropout.keep[{i}]"
        if isinstance(q, list):
            owner = "the input has" if l == 0 else f"layer {l} has"
            if len(q) != sizes[l]:
                raise SpecError(field, f"expected {_count(sizes[l], 'keep probability', 'keep probabilities')}, "
                                       f"one per unit ({owner} {_count(sizes[l], 'unit')}), got {len(q)}")
            values.append(_one_if_equal(ImmutableMatrix([probability(v, f"{field}[{j}]") for j, v in enumerate(q)])))
        else:
            values.append(probability(q, field))
    return tuple(values)


def _weight_keep(data, shapes) -> tuple:
    """One q per weight matrix W^(1) .. W^(L) (one value: all of them), each one number or a
    matrix of q's the shape of W."""
    if not isinstance(data, list):
        return (probability(data, "dropout.keep"),) * len(shapes)
    if len(data) != len(shapes):
        raise SpecError("dropout.keep", f"expected {len(shapes)} keep probabilities, one per weight matrix "
                                        f"W(1) .. W({len(shapes)}), got {len(data)}")
    values = []
    for l, (q, (rows, cols)) in enumerate(zip(data, shapes), start=1):
        field = f"dropout.keep[{l - 1}]"
        if not isinstance(q, list):
            values.append(probability(q, field))
            continue
        _shape(q, field, rows, l)
        qs = matrix(q, field, cols)
        for i in range(rows):
            for j in range(cols):
                probability(qs[i, j], f"{field}[{i}][{j}]")
        values.append(_one_if_equal(qs))
    return tuple(values)


def _one_if_equal(qs: ImmutableMatrix):
    """A matrix of keep probabilities that are all equal is that one q."""
    first = qs[0]
    return first if all(q == first for q in qs) else qs


def _unit_masks(data, sizes) -> tuple[ImmutableMatrix, ...]:
    hidden = len(sizes) - 2
    if not isinstance(data, list):
        raise SpecError("masks", f"expected a list of 0/1 vectors, got {describe(data)}")
    first = 1 if len(data) == hidden else 0  # the spec's masks[0] is mu^(first)
    if first:
        data = [[1] * sizes[0]] + data
    elif len(data) != hidden + 1:
        later = f"{_masks(1, hidden)}, mu^(0) all ones" if hidden else "mu^(0) all ones"
        raise SpecError("masks", f"expected {_count(hidden + 1, 'mask')} ({_masks(0, hidden)}) or {hidden} ({later}), "
                                 f"got {len(data)}")
    masks = []
    for l, mask in enumerate(data):
        field = f"masks[{l - first}]"
        values = vector(mask, field)
        if values.rows != sizes[l]:
            owner = "the input has" if l == 0 else f"layer {l} has"
            raise SpecError(field, f"expected {sizes[l]} entries ({owner} {sizes[l]} units), got {values.rows}")
        _zeros_and_ones(values, field)
        masks.append(values)
    return tuple(masks)


def _weight_masks(data, shapes) -> tuple[ImmutableMatrix, ...]:
    """M^(1) .. M^(L), each the shape of its W, of 0 and 1."""
    if not isinstance(data, list) or len(data) != len(shapes):
        got = len(data) if isinstance(data, list) else describe(data)
        raise SpecError("masks", f"expected {len(shapes)} weight masks, one matrix per layer the shape of its "
                                 f"weights (M(1) .. M({len(shapes)})), got {got}")
    masks = []
    for l, (mask, (rows, cols)) in enumerate(zip(data, shapes), start=1):
        field = f"masks[{l - 1}]"
        _shape(mask, field, rows, l)
        values = matrix(mask, field, cols)
        _zeros_and_ones(values, field)
        masks.append(values)
    return tuple(masks)


def _shape(data, field: str, rows: int, l: int) -> None:
    """A matrix the shape of W^(l): the rows counted here, the columns by :func:`matrix`."""
    if not isinstance(data, list) or not all(isinstance(row, list) for row in data):
        raise SpecError(field, f"expected a matrix (a list of rows) the shape of W({l}), got {describe(data)}")
    if len(data) != rows:
        raise SpecError(field, f"expected {_count(rows, 'row')} (W({l}) has {_count(rows, 'row')}), got {len(data)}")


def _zeros_and_ones(values: ImmutableMatrix, field: str) -> None:
    for k, value in enumerate(entries(values)):  # rationals (vector, matrix): 0 or 1 is p 0 or 1 over q 1
        if value.q != 1 or value.p not in (0, 1):
            where = f"[{k}]" if values.cols == 1 else f"[{k // values.cols}][{k % values.cols}]"
            raise SpecError(f"{field}{where}", f"expected 0 or 1, got {value}")


def _first_given(given, masks) -> int:
    """The mask the spec's ``masks[0]`` is: 1 where it left mu^(0) out, else 0."""
    return len(masks) - len(given) if isinstance(given, list) else 0


def _no_drop_where_kept(masks, dropout: Dropout, *, single: bool, first: int = 0) -> None:
    """A mask entry 0 where its keep probability is 1 cannot be drawn: refuse it (named as the spec
    numbers its masks, from mu^(``first``))."""
    for l, mask in enumerate(masks):
        one = dropout.keep[l]
        if isinstance(one, sympy.Rational) and one.p != one.q:  # one q below 1 for the whole mask: any entry may be 0
            continue
        for k, (m, q) in enumerate(zip(entries(mask), entries(dropout.keep_of(l, mask.shape)))):
            if m.p != 0 or q != 1:  # a mask's entries are the integers 0 and 1 (_zeros_and_ones)
                continue
            if dropout.connections:
                i, j = divmod(k, mask.cols)
                raise SpecError(f"masks[{l}][{i}][{j}]", f"expected 1: w({l + 1})_{i + 1}{j + 1} has keep probability 1")
            hint = (" (one dropout.keep value keeps every input; give a list to drop inputs)"
                    if l == 0 and single else "")
            what = f"mu^({l})_{k + 1}" if isinstance(dropout.keep[l], ImmutableMatrix) else f"mu^({l})"
            raise SpecError(f"masks[{l - first}][{k}]", f"expected 1: {what} has keep probability 1{hint}")


def _count(n: int, noun: str, nouns: str = "") -> str:
    """``n`` and the noun, singular for one: 1 row, 2 rows."""
    return f"{n} {noun if n == 1 else nouns or noun + 's'}"


def _masks(first: int, last: int) -> str:
    """The masks mu^(first) to mu^(last): one named, or a range."""
    return f"mu^({first})" if first == last else f"mu^({first}) .. mu^({last})"
