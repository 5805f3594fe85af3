"""JSON text as symdrop writes its files (key.json, grades.json): indented by 2, non-ASCII as it is."""

from functools import lru_cache
from json.encoder import encode_basestring


def indented(value, level: int = 0) -> str:
    """``json.dumps(value, indent=2, ensure_ascii=False)``, the same text, of what symdrop's files
    hold: objects with text keys, lists (and tuples), text, int, true, false and null; a float, or
    anything else, is refused (a number symdrop writes is exact: an int, or text). ``level``: the
    indentation the value starts at, as nested that deep. Some twice as fast as ``json.dumps``, whose
    indented text is made by a Python generator a token at a time (its C encoder does not indent):
    grades.json for 300 students is 2 MB. ``tests/test_jsontext.py`` checks both give the same."""
    kind = type(value)
    if kind is str:
        return encode_basestring(value)
    if kind is Written:
        return value
    if kind is dict:
        if not value:
            return "{}"
        inner = _inner(level + 1)
        # a text, true, false or null written at once, not through a call of indented (most of grades.json's values)
        items = [(encode_basestring(k) if type(k) is str else _key(k)) + ": "
                 + (encode_basestring(v) if type(v) is str else _LITERALS[v] if type(v) is bool or v is None
                    else indented(v, level + 1)) for k, v in value.items()]
        return "{" + inner + ("," + inner).join(items) + _inner(level) + "}"
    if kind is list or kind is tuple:
        if not value:
            return "[]"
        inner = _inner(level + 1)
        if type(value[0]) is dict and value[0] and all(type(k) is str for k in value[0]):  # see _objects
            items = _objects(value, level + 1)
        else:
            items = [encode_basestring(v) if type(v) is str else indented(v, level + 1) for v in value]
        return "[" + inner + ("," + inner).join(items) + _inner(level) + "]"
    if value is True or value is False or value is None:
        return "true" if value else "false" if value is False else "null"
    if kind is int:
        return int.__repr__(value)
    raise TypeError(f"JSON text of symdrop's files holds no {kind.__name__}: {value!r}")


def _objects(values, level: int) -> list[str]:
    """The texts of a list's ``values`` at ``level``, the first a non-empty object whose keys are
    all ``str`` (else :func:`indented` walks the list and refuses a key that is not): each
    object with the first one's keys, in its order, is written into the first one's layout (its
    keys and indentation, made once: grades.json's 6,300 parts), its values alone made one by
    one; any other value as :func:`indented` writes it."""
    keys = tuple(values[0])
    layout = _layout(keys, level)
    deeper = level + 1
    return [layout % tuple([encode_basestring(v) if type(v) is str else _LITERALS[v] if type(v) is bool or v is None
                            else indented(v, deeper) for v in d.values()])
            if type(d) is dict and tuple(d) == keys else indented(d, level) for d in values]


class Written(str):
    """JSON text written already (:func:`rows_text`): :func:`indented` sets it in as it is."""


def rows_text(keys: tuple, rows: list, level: int) -> Written:
    """``indented([dict(zip(keys, row)) for row in rows], level)`` without the dicts: each row a
    tuple of its values in the order of ``keys``, written into the layout of ``keys`` at once
    (grades.json's 6,300 parts, a dict each and its keys compared with the first one's, were a
    third of its time). tests/test_fast_paths.py checks it against :func:`indented`."""
    if not rows:
        return Written("[]")
    layout, inner, deeper = _layout(keys, level + 1), _inner(level + 1), level + 2
    items = [layout % tuple([encode_basestring(v) if type(v) is str else _LITERALS[v] if type(v) is bool or v is None
                             else indented(v, deeper) for v in row]) for row in rows]
    return Written("[" + inner + ("," + inner).join(items) + _inner(level) + "]")


@lru_cache(maxsize=64)
def _layout(keys: tuple, level: int) -> str:
    """An object's text with ``keys`` at ``level``, a ``%s`` for each value."""
    inner = _inner(level + 1)
    return "{" + inner + ("," + inner).join(_key(k).replace("%", "%%") + ": %s" for k in keys) + _inner(level) + "}"


_LITERALS = {True: "true", False: "false", None: "null"}
_INNER = ["\n" + "  " * level for level in range(16)]  # a new line and the indentation of each level


def _inner(level: int) -> str:
    return _INNER[level] if level < 16 else "\n" + "  " * level


def _key(key) -> str:
    if type(key) is not str:
        raise TypeError(f"JSON text of symdrop's files has text keys only, got {key!r}")
    return encode_basestring(key)
