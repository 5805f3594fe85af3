"""symdrop: exact, step-by-step dropout forward passes as worked solutions."""

from importlib import resources

from .api import Expectation, Solution, derive, expect
from .core.derive import Derivation, Equation, Step
from .core.ensemble import Ensemble
from .errors import RenderError, SpecError, SymdropError
from .model.conventions import Dropout
from .model.network import Layer, Network
from .model.spec import load_spec, parse_spec, read_document, to_spec

__all__ = [
    "Derivation", "Equation", "Layer", "Network", "RenderError", "SpecError", "Step",
    "SymdropError", "derive", "example", "load_spec", "parse_spec", "read_document", "to_spec",
    "Dropout", "Ensemble", "Expectation", "Solution", "expect",
]


def example() -> Network:
    """The tutorial's toy example: 2 -> 3 -> 3 -> 2 -> 1, x = (1, 1), prediction 7."""
    text = resources.files("symdrop.data").joinpath("tutorial.yaml").read_text(encoding="utf-8")
    return parse_spec(read_document(text, name="tutorial.yaml"))
