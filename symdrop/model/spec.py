"""Reading and validating problem specs (YAML or JSON); every error names its field."""

import json
from pathlib import Path

import sympy
import yaml
from sympy import ImmutableMatrix

from ..core import losses
from .activations import NAMES, PARAMETRIZED
from .conventions import PLAIN, Dropout, convention as named_convention
from ..errors import SpecError, describe, quote
from ..limits import MAX_LAYERS, MAX_NESTING, MAX_SPEC_BYTES, MAX_UNITS
from .network import Layer, Network
from ..numbers import exact
from ..textfiles import read_text

KEYS = ("title", "input", "layers", "masks", "dropout", "target", "loss")
LOSSES = tuple(losses.LOSSES)  # squared (1/2 sum (y - t)^2), sse, mse, bce, cross_entropy
LAYER_KEYS = ("weights", "bias", "activation")
DROPOUT_KEYS = ("convention", "keep")


class _ExactLoader(yaml.SafeLoader):
    """YAML as a person reads it (YAML 1.2's core schema): every number handed over as written
    (``0.1`` stays the text ``"0.1"``, for the exactness gate), so ``010`` is 10 and ``0b11``,
    ``0x1F`` or ``1:30`` are no numbers; only ``true``/``false`` are booleans (``yes``, ``no``,
    ``on``, ``off`` stay text), dates stay text; a key twice in a mapping and nesting deeper than
    :data:`~symdrop.limits.MAX_NESTING` are refused."""

    name = "spec"

    def compose_node(self, parent, index):
        self._depth = getattr(self, "_depth", 0) + 1
        try:
            if self._depth > MAX_NESTING:
                mark = self.peek_event().start_mark
                raise SpecError(self.name, f"nested more than the limit of {MAX_NESTING} lists or mappings deep "
                                           f"at line {mark.line + 1}")
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_mapping(self, node, deep=False):
        if isinstance(node, yaml.MappingNode):
            seen = set()
            for key_node, _ in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    continue  # << merges another mapping; its keys may be overridden here
                key = self.construct_object(key_node, deep=True)
                try:
                    duplicate = key in seen
                except TypeError:  # an unhashable key: SafeLoader says so itself
                    break
                if duplicate:
                    raise SpecError(self.name, f"key {_key(key)} appears twice in one mapping (line "
                                               f"{key_node.start_mark.line + 1}); give each key once")
                seen.add(key)
        return super().construct_mapping(node, deep=deep)


def _as_written(loader, node):
    return loader.construct_scalar(node)


def _boolean(loader, node):
    text = loader.construct_scalar(node)
    return {"true": True, "false": False}.get(text.lower(), text)  # YAML 1.1's yes/no/on/off stay text


for _tag in ("float", "int", "timestamp"):
    _ExactLoader.add_constructor(f"tag:yaml.org,2002:{_tag}", _as_written)
_ExactLoader.add_constructor("tag:yaml.org,2002:bool", _boolean)


def load_spec(source, *, require_masks: bool = True) -> Network:
    """Read a spec from a path (``.json`` is JSON, anything else YAML) into a :class:`Network`;
    ``require_masks``: as :func:`parse_spec`."""
    path = Path(source)
    text = read_text(path, MAX_SPEC_BYTES, "a spec")
    return parse_spec(read_document(text, json_format=path.suffix.lower() == ".json", name=str(path)),
                      require_masks=require_masks)


def read_document(text: str, *, json_format: bool = False, name: str = "spec"):
    """Parse YAML or JSON text into plain data, keeping every number as its written text (see
    :class:`_ExactLoader`); a key twice in a mapping, or nesting deeper than
    :data:`~symdrop.limits.MAX_NESTING`, is refused naming the file."""
    if json_format:
        try:
            data = json.loads(text, parse_float=str, parse_int=str, object_pairs_hook=_unique(name))
        except json.JSONDecodeError as error:
            raise SpecError(name, f"not valid JSON: {error.msg} at line {error.lineno} column {error.colno}") from None
        except RecursionError:
            raise SpecError(name, f"nested more than the limit of {MAX_NESTING} lists or mappings deep") from None
        if _depth(data) > MAX_NESTING:
            raise SpecError(name, f"nested more than the limit of {MAX_NESTING} lists or mappings deep")
        return data
    loader = None
    try:
        loader = _ExactLoader(text)  # its reader refuses control characters at once
        loader.name = name
        return loader.get_single_data()
    except yaml.reader.ReaderError as error:
        raise SpecError(name, f"not valid YAML or JSON: character #x{error.character:04x} is not allowed "
                              f"(position {error.position})") from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1} column {mark.column + 1}" if mark else ""
        problem = getattr(error, "problem", None) or "unreadable"
        raise SpecError(name, f"not valid YAML or JSON: {problem}{where}") from None
    finally:
        if loader is not None:
            loader.dispose()


def _unique(name: str):
    """A JSON object hook that refuses a key given twice (json would keep the last)."""

    def pairs(items):
        data = {}
        for key, value in items:
            if key in data:
                raise SpecError(name, f"key {_key(key)} appears twice in one object; give each key once")
            data[key] = value
        return data

    return pairs


def _depth(data) -> int:
    """How deep lists and mappings nest in ``data`` (without recursion)."""
    deepest, todo = 0, [(data, 1)]
    while todo:
        item, depth = todo.pop()
        if isinstance(item, (list, dict)):
            deepest = max(deepest, depth)
            if depth <= MAX_NESTING:
                todo += [(v, depth + 1) for v in (item.values() if isinstance(item, dict) else item)]
    return deepest


def _key(key) -> str:
    """A key as an error message names it: plain if it is a plain word, else quoted on one line."""
    text = str(key)
    return text if text.isascii() and text.replace("_", "").isalnum() else quote(text)


def parse_spec(data, *, require_masks: bool = True) -> Network:
    """Validate plain data (as read from YAML/JSON) and build the exact :class:`Network`.

    Without ``require_masks`` (the ensemble mean, which visits every mask) a spec may leave
    ``masks`` out: every unit is then kept."""
    if not isinstance(data, dict):
        raise SpecError("spec", f"expected a mapping with keys {', '.join(KEYS)}, got {describe(data)}")
    _no_unknown_keys(data, KEYS, "")
    title = data.get("title", "")
    if not isinstance(title, str):
        raise SpecError("title", f"expected text, got {describe(title)}")
    x = _vector(_required(data, "input", ""), "input")
    layers = _required(data, "layers", "")
    if not isinstance(layers, list) or not layers:
        raise SpecError("layers", f"expected a non-empty list of layers, got {describe(layers)}")
    if len(layers) > MAX_LAYERS:
        raise SpecError("layers", f"{len(layers)} layers; the limit is {MAX_LAYERS} layers")
    built = []
    previous = x.rows
    for l, layer in enumerate(layers):
        built.append(_layer(layer, f"layers[{l}]", previous, last=l == len(layers) - 1))
        previous = built[-1].units
    sizes = (x.rows,) + tuple(layer.units for layer in built)
    if "masks" in data or require_masks:
        masks = _masks(_required(data, "masks", ""), sizes)
    else:
        masks = _masks([[1] * n for n in sizes[:-1]], sizes)
    dropout = _dropout(data["dropout"], masks) if "dropout" in data else Dropout()
    target, loss = _target(data, built[-1])
    return Network(x=x, layers=tuple(built), masks=masks, title=title.strip(), dropout=dropout, target=target,
                   loss=loss)


def _target(data, output: Layer) -> tuple[ImmutableMatrix | None, str]:
    """The target (one value per output) and the loss, which says what it takes (bce: one sigmoid
    output, 0 <= t <= 1; cross_entropy: identity outputs and a class index or one-hot target)."""
    loss = losses.named(data.get("loss", losses.DEFAULT))
    if "target" not in data:
        if "loss" in data:
            raise SpecError("target", "missing (required with loss: one value per output)")
        return None, loss.name
    if loss.class_index and not isinstance(data["target"], list):
        target = loss.target_of_index(data["target"], output.units)
    else:
        target = _vector(data["target"], "target")
    if target.rows != output.units:
        raise SpecError("target", f"expected {output.units} values (one per output unit), got {target.rows}")
    loss.check(target, output.units, output.activation)
    return target, loss.name


def to_spec(network: Network) -> dict:
    """The spec of ``network`` as plain data with exact strings; ``parse_spec`` reads it back."""
    spec = {"title": network.title} if network.title else {}
    spec["input"] = [str(v) for v in network.x]
    spec["layers"] = [
        {
            "weights": [[str(v) for v in layer.W.row(i)] for i in range(layer.W.rows)],
            "bias": [str(v) for v in layer.b],
            "activation": {layer.activation: str(layer.slope)} if layer.slope is not None else layer.activation,
        }
        for layer in network.layers
    ]
    spec["masks"] = [[int(v) for v in mask] for mask in network.masks]
    if network.dropout != Dropout():
        spec["dropout"] = {"convention": network.dropout.convention.name}
        if network.dropout.keep is not None:
            spec["dropout"]["keep"] = [str(q) for q in network.dropout.keep]
    if network.target is not None:
        spec["target"] = [str(v) for v in network.target]
        if network.loss != losses.DEFAULT:
            spec["loss"] = network.loss
    return spec


def _layer(data, field: str, previous: int, *, last: bool) -> Layer:
    if not isinstance(data, dict):
        raise SpecError(field, f"expected a mapping with keys weights, bias, activation, got {describe(data)}")
    _no_unknown_keys(data, LAYER_KEYS, field)
    W = _matrix(_required(data, "weights", field), f"{field}.weights", previous)
    b = _vector(_required(data, "bias", field), f"{field}.bias")
    if b.rows != W.rows:
        raise SpecError(
            f"{field}.bias", f"expected {W.rows} entries (one per row of weights), got {b.rows}"
        )
    activation, slope = _activation(data.get("activation", "identity" if last else "relu"), f"{field}.activation")
    return Layer(W=W, b=b, activation=activation, slope=slope)


def _activation(data, field: str):
    """A name (``relu``) or a name with its parameter (``{leaky_relu: "1/10"}``): (name, slope)."""
    if isinstance(data, dict) and len(data) == 1 and next(iter(data)) in PARAMETRIZED:
        name, value = next(iter(data.items()))
        slope = exact(value, f"{field}.{name}")
        if not 0 < slope < 1:
            raise SpecError(f"{field}.{name}", f"expected a slope 0 < a < 1, got {slope}")
        return name, slope
    if isinstance(data, str) and data in NAMES:
        return data, PARAMETRIZED.get(data)
    raise SpecError(
        field, f"expected one of {', '.join(NAMES)} or {{leaky_relu: slope}}, got {describe(data)}"
    )


def _dropout(data, masks) -> Dropout:
    """The convention and one keep probability per mask (one value: every hidden-layer mask)."""
    if not isinstance(data, dict):
        raise SpecError("dropout", f"expected a mapping with keys {', '.join(DROPOUT_KEYS)}, got {describe(data)}")
    _no_unknown_keys(data, DROPOUT_KEYS, "dropout")
    convention = named_convention(data.get("convention", PLAIN.name))
    if "keep" not in data:
        if convention.has_test_pass:
            raise SpecError("dropout.keep", f"missing (required for the {convention} convention)")
        return Dropout(convention)
    keep, hidden = data["keep"], len(masks) - 1
    if isinstance(keep, list):
        if len(keep) not in (hidden, hidden + 1) or not keep:
            raise SpecError(
                "dropout.keep",
                f"expected {hidden + 1} keep probabilities (mu^(0) .. mu^({hidden})) or {hidden} "
                f"(mu^(1) .. mu^({hidden}), mu^(0) keeping everything), got {len(keep)}",
            )
        values = [_probability(q, f"dropout.keep[{i}]") for i, q in enumerate(keep)]
        values = [sympy.Integer(1)] * (hidden + 1 - len(values)) + values
    else:
        values = [sympy.Integer(1)] + [_probability(keep, "dropout.keep")] * hidden
    for l, (mask, q) in enumerate(zip(masks, values)):
        for j, m in enumerate(mask):
            if m == 0 and q == 1:
                hint = " (one dropout.keep value keeps every input; give a list to drop inputs)" if l == 0 and not isinstance(keep, list) else ""
                raise SpecError(f"masks[{l}][{j}]", f"expected 1: mu^({l}) has keep probability 1{hint}")
    return Dropout(convention, tuple(values))


def _probability(value, field: str) -> sympy.Rational:
    q = exact(value, field)
    if not 0 < q <= 1:
        raise SpecError(field, f"expected a probability 0 < q <= 1, got {q}")
    return q


def _masks(data, sizes) -> tuple[ImmutableMatrix, ...]:
    hidden = len(sizes) - 2
    if not isinstance(data, list):
        raise SpecError("masks", f"expected a list of 0/1 vectors, got {describe(data)}")
    if len(data) == hidden:
        data = [[1] * sizes[0]] + data
    elif len(data) != hidden + 1:
        raise SpecError(
            "masks",
            f"expected {hidden + 1} masks (mu^(0) .. mu^({hidden})) or {hidden} "
            f"(mu^(1) .. mu^({hidden}), mu^(0) all ones), got {len(data)}",
        )
    masks = []
    for l, mask in enumerate(data):
        field = f"masks[{l}]"
        vector = _vector(mask, field)
        if vector.rows != sizes[l]:
            owner = "the input has" if l == 0 else f"layer {l} has"
            raise SpecError(field, f"expected {sizes[l]} entries ({owner} {sizes[l]} units), got {vector.rows}")
        for j, value in enumerate(vector):
            if value not in (0, 1):
                raise SpecError(f"{field}[{j}]", f"expected 0 or 1, got {value}")
        masks.append(vector)
    return tuple(masks)


def _matrix(data, field: str, columns: int) -> ImmutableMatrix:
    if not isinstance(data, list) or not data:
        raise SpecError(field, f"expected a non-empty list of rows, got {describe(data)}")
    _units(len(data), field, "rows (units)")
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
    return ImmutableMatrix(
        [[exact(value, f"{field}[{i}][{j}]") for j, value in enumerate(row)] for i, row in enumerate(data)]
    )


def _vector(data, field: str) -> ImmutableMatrix:
    if not isinstance(data, list) or not data:
        raise SpecError(field, f"expected a non-empty list of numbers, got {describe(data)}")
    _units(len(data), field, "entries")
    return ImmutableMatrix([exact(value, f"{field}[{j}]") for j, value in enumerate(data)])


def _units(count: int, field: str, what: str) -> None:
    """Refuse a layer wider than the limit before reading any of its numbers."""
    if count > MAX_UNITS:
        raise SpecError(field, f"{count} {what}; the limit is {MAX_UNITS} units per layer")


def _required(data: dict, key: str, field: str):
    if key not in data:
        where = f"{field}.{key}" if field else key
        raise SpecError(where, "missing (required)")
    return data[key]


def _no_unknown_keys(data: dict, known, field: str) -> None:
    for key in data:
        if key not in known:
            where = f"{field}.{_key(key)}" if field else _key(key)
            raise SpecError(where, f"unknown key (expected one of {', '.join(known)})")

