"""symdrop: exact, step-by-step dropout forward passes as worked solutions."""

from importlib import import_module

# The public names, imported when first used (PEP 562): ``import symdrop.launch`` stays cheap, so
# the command line can catch Ctrl-C while SymPy is still loading.
_PUBLIC = {
    "Expectation": "api", "Solution": "api", "derive": "api", "expect": "api", "Moments": "api", "moments": "api",
    "Derivation": "core.derive", "Equation": "core.derive", "Step": "core.derive",
    "Ensemble": "core.ensemble",
    "RenderError": "errors", "SpecError": "errors", "SymdropError": "errors",
    "Dropout": "model.conventions",
    "Layer": "model.network", "Network": "model.network",
    "load_spec": "model.spec", "parse_spec": "model.spec", "read_document": "model.spec", "to_spec": "model.spec",
}

__all__ = sorted([*_PUBLIC, "example"])


def __getattr__(name: str):
    if name not in _PUBLIC:
        raise AttributeError(f"module 'symdrop' has no attribute {name!r}")
    value = getattr(import_module(f".{_PUBLIC[name]}", __name__), name)
    globals()[name] = value  # once: later lookups do not come here
    return value


def __dir__():
    return __all__


def example():
    """The tutorial's toy example: 2 -> 3 -> 3 -> 2 -> 1, x = (1, 1), prediction 7."""
    from importlib import resources

    from .model.spec import parse_spec, read_document

    text = resources.files("symdrop.data").joinpath("tutorial.yaml").read_text(encoding="utf-8")
    return parse_spec(read_document(text, name="tutorial.yaml"))
