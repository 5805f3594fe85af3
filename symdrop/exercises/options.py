"""What problems to generate: layer sizes, the kind of numbers and their range; parsed and checked."""

import re
from dataclasses import dataclass

from ..errors import SymdropError

SHAPE = (2, 3, 3, 2, 1)  # the tutorial's network
VALUES = ("int", "half", "decimal")
MAX_MAGNITUDE = 99  # rule 1: every value a student writes down stays this small


@dataclass(frozen=True)
class Options:
    """What problems to generate: the layer sizes, the kind of numbers and their range."""

    shape: tuple[int, ...] = SHAPE
    values: str = "int"
    low: int = -3
    high: int = 3

    @property
    def decimals(self) -> bool:
        """Print numbers as decimals (0.25), not fractions."""
        return self.values == "decimal"

    def describe(self) -> str:
        kind = {"int": "integers", "half": "halves", "decimal": "decimals"}[self.values]
        return f"shape {format_shape(self.shape)}, {kind} in {self.low}..{self.high}"

    def as_json(self) -> dict:
        return {"shape": format_shape(self.shape), "values": self.values, "range": f"{self.low}..{self.high}"}


def format_shape(shape) -> str:
    return "-".join(str(n) for n in shape)


def parse_shape(text: str) -> tuple[int, ...]:
    """``"2-3-3-2-1"`` -> (2, 3, 3, 2, 1): input size, hidden sizes, output size."""
    if not re.fullmatch(r"\s*\d+(\s*-\s*\d+)+\s*", text):
        raise SymdropError(f"--shape: expected sizes like 2-3-3-2-1 (input, hidden..., output), got {text!r}")
    shape = tuple(int(n) for n in text.split("-"))
    if min(shape) < 1 or max(shape) > 9:
        raise SymdropError(f"--shape: expected layer sizes from 1 to 9, got {text!r}")
    return shape


def parse_range(text: str) -> tuple[int, int]:
    """``"-3..3"`` -> (-3, 3): the integers bounding every input, weight and bias."""
    match = re.fullmatch(r"\s*(-?\d+)\s*\.\.\s*(-?\d+)\s*", text)
    if not match or int(match[1]) >= int(match[2]):
        raise SymdropError(f"--range: expected LOW..HIGH with integers LOW < HIGH, like -3..3, got {text!r}")
    low, high = int(match[1]), int(match[2])
    if max(abs(low), abs(high)) > MAX_MAGNITUDE:
        raise SymdropError(f"--range: expected bounds within -{MAX_MAGNITUDE}..{MAX_MAGNITUDE}, got {text!r}")
    return low, high


def check_values(options: Options) -> None:
    """Refuse, in one line, a kind of numbers symdrop does not draw."""
    if options.values not in VALUES:
        raise SymdropError(f"--values: expected one of {', '.join(VALUES)}, got {options.values!r}")


def check_hidden_layers(options: Options) -> None:
    """Refuse, in one line, shapes whose hidden layers cannot meet rules 3 and 4: a mask must drop a
    unit and keep another, a ReLU must clip."""
    shape = format_shape(options.shape)
    if len(options.shape) < 3:
        raise SymdropError(
            f"--shape {shape}: no hidden layer, but the rules need one (rule 3: a mask drops a unit; "
            f"rule 4: a ReLU clips); use at least three sizes, like 2-3-1"
        )
    for l, n in enumerate(options.shape[1:-1], start=1):
        if n < 2:
            raise SymdropError(
                f"--shape {shape}: hidden layer {l} has {n} unit, but rule 3 needs its mask to drop "
                f"one unit and keep another; give every hidden layer at least 2 units"
            )
