"""The documents of a derivation or an ensemble: free functions from data to rendered text."""

from dataclasses import dataclass
from functools import lru_cache

import sympy

from ..core.backprop import Backprop
from ..core.derive import Derivation
from ..core.ensemble import Ensemble
from ..core.rounding import carried
from .diagram import Diagram, draw
from .env import make_env, render_document
from .formats import get
from .linebreak import fitting_rows, rows
from .matrixfit import network_layout
from .numbertext import needs_decimal, to_places
from .options import RenderOptions
from .texwidth import LINE_EM


@dataclass(frozen=True)
class Math:
    """The formulas the documents of one derivation share, rendered once and set in each (LaTeX
    and Markdown, question and solution): the network's rows x, W, b, g, and each step's
    equations (none for a symbolic derivation, whose documents write its steps otherwise)."""

    network: str
    steps: tuple[str, ...] = ()


def render_math(derivation: Derivation | Ensemble, options: RenderOptions = RenderOptions()) -> Math:
    """The shared formulas of ``derivation`` (of an ensemble: the network's rows alone; of a
    backward pass: each layer's rows going back, the output layer first)."""
    steps = ()
    if isinstance(derivation, Derivation) and not derivation.symbolic:
        steps = tuple(step_rows(step, options) for step in derivation.steps)
    elif isinstance(derivation, Backprop):  # each layer going back, the output first
        template = make_env(options).get_template("math/backprop-rows.j2")
        steps = tuple(template.render(s=s, d=derivation, network=derivation.network).removesuffix("\n")
                      for s in derivation.steps)
    return Math(network_rows(derivation.network, options), steps)


def step_rows(step, options: RenderOptions = RenderOptions()) -> str:
    """One step's equations, as :class:`Math` holds them (a feedback page shows one step alone)."""
    return make_env(options).get_template("math/step-rows.j2").render(step=step).removesuffix("\n")


def diagram_of(derivation, edge_weights: bool = False) -> Diagram | None:
    """The picture of ``derivation``'s network: with its masks for a training pass; without any
    (no mask labels, nothing crossed out) at test time and for the ensemble, whose masks are
    every mask. Its output is labelled with the name the derivation gives it (ŷ unless it says:
    a unit's sum S, a layer's z). None for a derivation whose values are no network's to draw
    (``pictured`` false: a noise problem's alpha dropout, counts, a channel's sum)."""
    if not getattr(derivation, "pictured", True):
        return None
    masks = not (isinstance(derivation, Ensemble) or getattr(derivation, "mode", "train") == "test"
                 or not getattr(derivation, "masks_given", True))  # the statistics: every mask
    return draw(derivation.network, edge_weights=edge_weights, mask_labels=masks,
                output=getattr(derivation, "output_name", "yhat"))


def network_rows(network, options: RenderOptions = RenderOptions()) -> str:
    """The rows x, W, b, g of ``network`` for an align* or aligned block."""
    layout = network_layout(network, options.decimals)
    return make_env(options).get_template("math/network-rows.j2").render(network=network, layout=layout).removesuffix("\n")


def render_solution(
    derivation: Derivation, fmt: str, options: RenderOptions | None = None, *,
    diagram: bool = True, edge_weights: bool = False, svg: str | None = None, templates=(),
) -> str:
    """The worked solution of ``derivation`` as a LaTeX document or Markdown.

    ``options`` (or, for the convenient API, ``diagram``, ``edge_weights`` and ``templates``):
    see :class:`RenderOptions`. The picture is a TikZ picture in LaTeX and, in Markdown, a link
    to ``svg``, the name of the SVG file :func:`render_svg` makes (no ``svg``, no picture).
    """
    if options is None:
        options = RenderOptions(diagram=diagram, edge_weights=edge_weights, templates=tuple(templates))
    picture = diagram_of(derivation, options.edge_weights) if options.diagram else None
    return render_document(
        "solution", fmt, options, d=derivation, network=derivation.network, steps=derivation.steps, math=render_math(derivation, options),
        figure=render_figure(picture, fmt, options, svg=svg), closed=closed_form(derivation, options.decimals),
        carried=carried_values(derivation, options.digits),
    )


@dataclass(frozen=True)
class Carried:
    """What a student who rounds each layer to ``--digits`` places gets, and the tolerance that accepts it."""

    prediction: sympy.ImmutableMatrix
    tolerance: sympy.Expr  # a decimal to --digits places, as written: 0.0002


def carried_values(derivation: Derivation, digits: int | None) -> Carried | None:
    """:class:`Carried` for a numeric derivation with ``--digits`` whose prediction is irrational; else None."""
    if digits is None or derivation.symbolic or not needs_decimal(derivation.prediction):
        return None
    prediction, tolerance = carried(derivation.network, derivation.mode, digits)
    return Carried(sympy.ImmutableMatrix([sympy.Rational(v) for v in prediction]), to_places(sympy.Rational(tolerance), digits))


# The room a closed form is chosen to fit, in em: a tenth less than a line, for what the width
# estimate misses in exponents of exponents (a 7-layer closed form estimated at 33 em was 40).
CLOSED_FORM_ROOM = 0.88 * LINE_EM


def closed_form(derivation: Derivation, decimals: bool = False) -> tuple[int, list[str]] | None:
    """The prediction of a ``--symbolic all`` derivation substituted as far down as fits the page,
    as ``(k, rows)``: in terms of a^(k), set in rows of ``CLOSED_FORM_ROOM``. k = 0 (in terms of x)
    is the closed form; a sigmoid's or tanh's exponent, which TeX cannot break, may keep it higher.
    None for other derivations."""
    if not derivation.composed:
        return None
    lead = r"\hat{y} ="
    for k, expr in enumerate(derivation.composed[:-1]):
        fitting = fitting_rows(expr, lead, CLOSED_FORM_ROOM, decimals=decimals)
        if fitting is not None:
            return k, fitting
    return len(derivation.composed) - 1, rows(derivation.composed[-1], lead, room=CLOSED_FORM_ROOM, decimals=decimals)


def render_figure(picture: Diagram | None, fmt: str, options: RenderOptions = RenderOptions(), *,
                  svg: str | None = None, saved: str | None = None) -> str:
    """The picture of a network as a document of format ``fmt`` shows it: drawn in (LaTeX's
    TikZ) or linked to ``svg``, the SVG file's name, with the legend (Markdown). Empty without
    ``picture`` or, for a linked picture, without a file to link. Rendered once, it stands in
    every document of an exercise. ``saved``: the name of the picture among the document's
    saved pictures (a drawn-in picture is then drawn once per document and set again where it
    recurs; see ``saved_pictures`` in latex/macros.j2), else it is drawn here."""
    embed = get(fmt).figure
    if picture is None or embed is None or (embed == "file" and not (svg or picture.too_large)):
        return ""
    return _figure(picture, fmt, options.decimals, options.templates, svg if embed == "file" else None,
                   saved if embed == "inline" else None)


@lru_cache(maxsize=1024)
def _figure(picture: Diagram, fmt: str, decimals: bool, templates: tuple, svg: str | None, saved: str | None) -> str:
    # Memoized by all it depends on: without weights a picture depends on the sizes and masks
    # alone, and a sheet's problems share a few of those (equal pictures hash equal).
    options = RenderOptions(decimals=decimals, templates=templates)
    return render_document("diagram", fmt, options, dia=picture, svg=svg, saved=saved)


def render_svg(derivation: Derivation, options: RenderOptions = RenderOptions(), *,
               edge_weights: bool | None = None) -> str | None:
    """The picture of the network as an SVG document; None if it is too large to draw."""
    weights = options.edge_weights if edge_weights is None else edge_weights
    picture = diagram_of(derivation, weights)
    if picture is None or picture.too_large:
        return None
    title = derivation.network.title or "Dropout forward pass"
    return make_env(options).get_template("svg/diagram.svg.j2").render(dia=picture, title=title)


def render_summary(derivation: Derivation, options: RenderOptions = RenderOptions()) -> str:
    """The layer equations as one display-math block (Jupyter's ``_repr_latex_``)."""
    return make_env(options).get_template("latex/summary.tex.j2").render(d=derivation, steps=derivation.steps)


def render_expect(ensemble: Ensemble, fmt: str, options: RenderOptions | None = None, *, templates=()) -> str:
    """The exact ensemble mean, the approximation and their gap as LaTeX or Markdown."""
    if options is None:
        options = RenderOptions(templates=tuple(templates))
    math = Math(network_rows(ensemble.network, options))
    # One maskable unit has two masks: there is no shortcut past visiting them to explain.
    # ``e`` is the ensemble's name in templates written before the ensemble kind (which names it ``d``).
    return render_document("expect", fmt, options, d=ensemble, e=ensemble, network=ensemble.network, mode="train", math=math,
                           explain_method=ensemble.maskable_units > 1)


def render_backprop(backprop: Backprop, fmt: str, options: RenderOptions = RenderOptions(), *,
                    svg: str | None = None) -> str:
    """The worked backward pass of ``backprop`` as a LaTeX document or Markdown (its picture as
    :func:`render_solution` draws it)."""
    network = backprop.network
    picture = diagram_of(backprop, options.edge_weights) if options.diagram else None
    return render_document("backprop", fmt, options, d=backprop, network=network,
                           math=render_math(backprop, options), figure=render_figure(picture, fmt, options, svg=svg))


def render_moments(statistics, fmt: str, options: RenderOptions = RenderOptions()) -> str:
    """The worked statistics over every mask (``symdrop moments``) as LaTeX or Markdown."""
    network = statistics.network
    return render_document("moments", fmt, options, d=statistics, m_=statistics.moments, network=network, mode="train",
                           math=Math(network_rows(network, options)))
