"""A batch of examples: one network, its input, masks and target one per example (columns)."""

import re
from dataclasses import dataclass, field

from sympy import ImmutableMatrix

from ..errors import SpecError, describe
from ..limits import MAX_BATCH
from .network import Network

# The fields a batch spec holds one per example; an example's error on them names its row.
PER_EXAMPLE = ("input", "masks", "target")
_FIELD = re.compile(r"^(input|masks|target)(?=$|[.\[])")


@dataclass(frozen=True)
class Batch:
    """B examples through one network: ``examples[e]`` is example e's network (its input, masks
    and target); they share the layers, the dropout and the loss. Matrices put the examples in
    columns, as course notes write Z^(l) = W^(l) A~^(l-1) + b^(l) 1^T."""

    examples: tuple[Network, ...]
    title: str = field(default="", compare=False)

    @property
    def size(self) -> int:
        """B, the number of examples."""
        return len(self.examples)

    @property
    def layers(self):
        return self.examples[0].layers

    @property
    def sizes(self) -> tuple[int, ...]:
        return self.examples[0].sizes

    @property
    def depth(self) -> int:
        return self.examples[0].depth

    @property
    def dropout(self):
        return self.examples[0].dropout

    @property
    def loss(self) -> str:
        return self.examples[0].loss

    @property
    def X(self) -> ImmutableMatrix:
        """The inputs as columns, n_0 x B."""
        return columns([network.x for network in self.examples])

    @property
    def masks(self) -> tuple[ImmutableMatrix, ...]:
        """M^(0) .. M^(L-1): column e is example e's mask mu^(l)."""
        return tuple(columns([network.masks[l] for network in self.examples]) for l in range(self.depth))

    @property
    def target(self) -> ImmutableMatrix | None:
        """T, n_L x B (None without targets)."""
        if self.examples[0].target is None:
            return None
        return columns([network.target for network in self.examples])


def columns(vectors) -> ImmutableMatrix:
    """Column vectors side by side as one matrix."""
    return ImmutableMatrix.hstack(*vectors)


def is_batch(data) -> bool:
    """Whether a spec's plain data is a batch: its input a list that holds lists (rows)."""
    return isinstance(data, dict) and isinstance(data.get("input"), list) and any(
        isinstance(row, list) for row in data["input"])


def parse_batch(data: dict, parse_example) -> Batch:
    """A batch spec split into one single-example spec per example, each read by
    ``parse_example`` (the single-example parser, so every feature of one example works per
    example); an example's error names the batch's field (``masks[2][1][0]``: example 2's mask 1,
    entry 0). The batch size is checked before any number is read."""
    rows = data["input"]
    if len(rows) > MAX_BATCH:
        raise SpecError("input", f"{len(rows)} examples; the limit is {MAX_BATCH} examples in a batch")
    for e, row in enumerate(rows):
        if not isinstance(row, list):
            raise SpecError(f"input[{e}]", f"expected a row (a list of numbers, one example), got {describe(row)}")
        if len(row) != len(rows[0]):
            raise SpecError(f"input[{e}]", f"expected {len(rows[0])} entries like input[0], got {len(row)}")
    for key, what in (("masks", "mask lists"), ("target", "rows")):
        if key in data and (not isinstance(data[key], list) or len(data[key]) != len(rows)):
            got = len(data[key]) if isinstance(data[key], list) else describe(data[key])
            raise SpecError(key, f"expected {len(rows)} {what} (one per example), got {got}")
    examples = []
    for e in range(len(rows)):
        single = {**data, **{key: data[key][e] for key in PER_EXAMPLE if key in data}}
        try:
            examples.append(parse_example(single))
        except SpecError as error:
            raise SpecError(_FIELD.sub(rf"\g<1>[{e}]", error.field, count=1), error.message) from None
    return Batch(tuple(examples), examples[0].title)


def batch_spec(batch: Batch, example_spec) -> dict:
    """The spec of ``batch`` as plain data (``example_spec`` gives one example's), read back by
    :func:`parse_batch`."""
    specs = [example_spec(network) for network in batch.examples]
    spec = dict(specs[0])
    for key in PER_EXAMPLE:
        if key in spec:
            spec[key] = [one[key] for one in specs]
    return spec
