"""The convenient API users import: derivations and ensembles that render themselves (a thin wrapper)."""

from dataclasses import dataclass, fields

from .core import derive as _derive
from .core import ensemble as _ensemble
from .core import statistics as _statistics
from .model.network import Network
from .render import documents, values


class _Documents:
    """``to_latex()``, ``to_markdown()``, ``to_json()`` and the display in Jupyter, from the
    class's renderer (``_render(self, format, **options)``) and data (``_data(self)``)."""

    def to_latex(self, **options) -> str:
        return type(self)._render(self, "latex", **options)

    def to_markdown(self, **options) -> str:
        return type(self)._render(self, "markdown", **options)

    def to_json(self) -> dict:
        return type(self)._data(self)

    def _repr_markdown_(self) -> str:
        return self.to_markdown()


@dataclass(frozen=True)
class Solution(_Documents, _derive.Derivation):
    """A :class:`~symdrop.core.derive.Derivation` with its documents (options of
    :func:`symdrop.render.documents.render_solution`: ``diagram``, ``edge_weights``, ``svg``,
    ``templates``)."""

    _render = staticmethod(documents.render_solution)
    _data = staticmethod(values.solution_json)

    def _repr_latex_(self) -> str:
        return documents.render_summary(self)


@dataclass(frozen=True)
class Expectation(_Documents, _ensemble.Ensemble):
    """An :class:`~symdrop.core.ensemble.Ensemble` with its documents (option: ``templates``)."""

    _render = staticmethod(documents.render_expect)
    _data = staticmethod(values.expect_json)


@dataclass(frozen=True)
class Moments(_Documents, _statistics.Statistics):
    """A :class:`~symdrop.core.statistics.Statistics` (dropout's statistics over every mask) with
    its documents (option: ``templates``)."""

    _render = staticmethod(lambda s, fmt, templates=(): documents.render_moments(
        s, fmt, documents.RenderOptions(templates=tuple(templates))))
    _data = staticmethod(values.moments_json)


def moments(model) -> Moments:
    """Every mean and variance of ``model`` (a network, or a batch of a linear model) over all its
    masks (see :func:`symdrop.core.moments.moments`), renderable."""
    return _wrap(Moments, _statistics.derive_statistics(model))


def derive(network: Network, symbolic: str | None = None, mode: str = "train") -> Solution:
    """The exact forward pass of ``network`` (see :func:`symdrop.core.derive.derive`), renderable."""
    return _wrap(Solution, _derive.derive(network, symbolic=symbolic, mode=mode))


def expect(network: Network, **options) -> Expectation:
    """The exact ensemble mean of ``network`` (see :func:`symdrop.core.ensemble.expect`), renderable."""
    return _wrap(Expectation, _ensemble.expect(network, **options))


def _wrap(cls, data):
    return cls(**{f.name: getattr(data, f.name) for f in fields(data)})
