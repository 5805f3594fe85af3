"""Reading and validating problem specs (YAML or JSON); every error names its field."""

import json
from pathlib import Path

from sympy import ImmutableMatrix

from ..core import losses
from .activations import NAMES, PARAMETRIZED
from .batch import Batch, batch_spec, is_batch, parse_batch
from .conventions import UNITS, Dropout, interned
from ..errors import SpecError, describe
from .fields import key_name as _key, matrix as _matrix, no_unknown_keys as _no_unknown_keys
from .fields import required as _required, vector as _vector
from ..limits import MAX_LAYERS, MAX_NESTING, MAX_SHOWN_PLACES, MAX_SPEC_BYTES
from .yamlread import load_yaml
from .masks import dropout_scheme, read_dropout, read_masks
from .network import Layer, Network
from ..numbers import exact, number_text as text
from ..sympy_internals import entries
from ..textfiles import read_text

KEYS = ("title", "input", "layers", "masks", "dropout", "target", "loss", "digits")
LOSSES = tuple(losses.LOSSES)  # squared (1/2 sum (y - t)^2), sse, mse, bce, cross_entropy
LAYER_KEYS = ("weights", "bias", "activation")


def load_spec(source, *, require_masks: bool = True) -> Network | Batch:
    """Read a spec from a path (``.json`` is JSON, anything else YAML) into a :class:`Network`
    (a :class:`Batch` when its input is a list of rows); ``require_masks``: as :func:`parse_spec`."""
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
    return load_yaml(text, name)


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


def parse_spec(data, *, require_masks: bool = True) -> Network | Batch:
    """Validate plain data (as read from YAML/JSON) and build the exact :class:`Network`, or the
    :class:`Batch` of a spec whose input is a list of rows (one per example).

    Without ``require_masks`` (the ensemble mean, which visits every mask) a spec may leave
    ``masks`` out: every unit (or weight) is then kept."""
    if is_batch(data):
        return _batch(data, require_masks)
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
    shapes = tuple(layer.W.shape for layer in built)
    scheme = dropout_scheme(data["dropout"]) if "dropout" in data else UNITS
    given = _required(data, "masks", "") if "masks" in data or require_masks else None
    masks = read_masks(given, shapes, scheme)
    dropout = read_dropout(data["dropout"], masks, shapes, given) if "dropout" in data else interned(Dropout())
    target, loss = _target(data, built[-1])
    return Network(x=x, layers=tuple(built), masks=masks, title=title.strip(), dropout=dropout, target=target,
                   loss=loss, digits=shown_places(data["digits"], "digits") if "digits" in data else None)


def shown_places(value, field: str) -> int:
    """The places irrational values are shown to (``digits: 4``, ``--digits 4``): 1 to MAX_SHOWN_PLACES."""
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_SHOWN_PLACES:
        raise SpecError(field, f"expected a whole number of decimal places from 1 to {MAX_SHOWN_PLACES}, "
                               f"got {describe(value)}")
    return value


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


def _batch(data: dict, require_masks: bool) -> Batch:
    """A batch spec: one single-example spec per example, each read by :func:`parse_spec`."""
    return parse_batch(data, lambda example: parse_spec(example, require_masks=require_masks))


def to_spec(network: Network | Batch) -> dict:
    """The spec of ``network`` (or of a batch) as plain data with exact strings; ``parse_spec``
    reads it back."""
    if isinstance(network, Batch):
        spec = batch_spec(network, to_spec)
        return {"title": network.title, **spec} if network.title and "title" not in spec else spec
    spec = {"title": network.title} if network.title else {}
    # entries, not indexing: a variant code reads every candidate's spec
    spec["input"] = [text(v) for v in entries(network.x)]
    spec["layers"] = [
        {
            "weights": _plain(layer.W, text, True),
            "bias": [text(v) for v in entries(layer.b)],
            "activation": {layer.activation: str(layer.slope)} if layer.slope is not None else layer.activation,
        }
        for layer in network.layers
    ]
    dropout = network.dropout
    spec["masks"] = [_plain(mask, int, dropout.connections) for mask in network.masks]
    if dropout != Dropout():
        spec["dropout"] = {"kind": dropout.scheme} if dropout.connections else {}
        spec["dropout"]["convention"] = dropout.convention.name
        if dropout.alpha is not None:
            spec["dropout"]["alpha"] = str(dropout.alpha)
        if dropout.keep is not None:
            spec["dropout"]["keep"] = [_plain(q, text, dropout.connections) if isinstance(q, ImmutableMatrix) else text(q)
                                       for q in dropout.keep]
    if network.target is not None:
        spec["target"] = [text(v) for v in entries(network.target)]
        if network.loss != losses.DEFAULT:
            spec["loss"] = network.loss
    if network.digits is not None:
        spec["digits"] = network.digits
    return spec


def _plain(values: ImmutableMatrix, number, rows: bool) -> list:
    """A vector as a list, a matrix (or with ``rows`` any) as a list of rows, each entry ``number(entry)``."""
    flat, n = entries(values), values.cols
    if not rows:
        return [number(v) for v in flat]
    return [[number(v) for v in flat[i * n:(i + 1) * n]] for i in range(values.rows)]


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


