"""The convenient API users import: derivations and ensembles that render themselves (a thin wrapper)."""

from dataclasses import dataclass, fields

from .core import derive as _derive
from .core import ensemble as _ensemble
from .model.network import Network
from .render import documents, values


@dataclass(frozen=True)
class Solution(_derive.Derivation):
    """A :class:`~symdrop.core.derive.Derivation` with its documents: ``to_latex()``,
    ``to_markdown()``, ``to_json()``, and its display in Jupyter."""

    def to_latex(self, **options) -> str:
        return documents.render_solution(self, "latex", **options)

    def to_markdown(self, **options) -> str:
        return documents.render_solution(self, "markdown", **options)

    def to_json(self) -> dict:
        return values.solution_json(self)

    def _repr_latex_(self) -> str:
        return documents.render_summary(self)

    def _repr_markdown_(self) -> str:
        return self.to_markdown()


@dataclass(frozen=True)
class Expectation(_ensemble.Ensemble):
    """An :class:`~symdrop.core.ensemble.Ensemble` with its documents."""

    def to_latex(self, **options) -> str:
        return documents.render_expect(self, "latex", **options)

    def to_markdown(self, **options) -> str:
        return documents.render_expect(self, "markdown", **options)

    def to_json(self) -> dict:
        return values.expect_json(self)

    def _repr_markdown_(self) -> str:
        return self.to_markdown()


def derive(network: Network, symbolic: str | None = None, mode: str = "train") -> Solution:
    """The exact forward pass of ``network`` (see :func:`symdrop.core.derive.derive`), renderable."""
    return _wrap(Solution, _derive.derive(network, symbolic=symbolic, mode=mode))


def expect(network: Network, **options) -> Expectation:
    """The exact ensemble mean of ``network`` (see :func:`symdrop.core.ensemble.expect`), renderable."""
    return _wrap(Expectation, _ensemble.expect(network, **options))


def _wrap(cls, data):
    return cls(**{f.name: getattr(data, f.name) for f in fields(data)})
