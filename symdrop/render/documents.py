"""The Jinja environment, its filters, and the render_* functions for every document kind."""

from dataclasses import dataclass
from functools import lru_cache, partial
from importlib import resources

import jinja2
import sympy

from ..core.derive import Derivation
from .diagram import draw
from ..core.ensemble import Ensemble
from .escape import escape_markdown, escape_tex
from ..numbers import entries
from .printing import approx, factor, finalizer, inline, latex, needs_decimal, plain
from .printing import decimals as decimal_texts

FORMATS = {"latex": "tex", "markdown": "md"}
ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth")

def layer_noun(l: int, depth: int) -> str:
    """``the first hidden layer`` ... ``the output layer``, as the tutorial says it."""
    if l == depth:
        return "the output layer"
    return f"the {ORDINALS[l - 1]} hidden layer" if l <= len(ORDINALS) else f"hidden layer {l}"


def capitalize_first(text: str) -> str:
    return text[:1].upper() + text[1:]


def cm(value: float) -> str:
    """A layout length, fixed to three decimals so the same picture gives the same bytes."""
    return f"{value + 0.0:.3f}"


def compact(vector, decimals: bool = False) -> str:
    """A vector on one line, ``(1, -2)``; a single entry as a number, ``7`` (answer keys)."""
    values = entries(vector) if isinstance(vector, sympy.MatrixBase) else list(vector)
    return latex(values[0], decimals=decimals) if len(values) == 1 else inline(values, decimals=decimals)


@lru_cache(maxsize=None)
def make_env(decimals: bool = False) -> jinja2.Environment:
    """The one environment: LaTeX-friendly delimiters, strict undefined, SymPy printed as LaTeX
    (with ``decimals``, exact decimals as decimals: 0.25, not 1/4)."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(resources.files("symdrop.templates"))),
        block_start_string=r"\BLOCK{",
        block_end_string="}",
        variable_start_string=r"\VAR{",
        variable_end_string="}",
        comment_start_string=r"\#{",
        comment_end_string="}",
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
        auto_reload=False,  # templates are package data: no stat() per render to see if they changed
        undefined=jinja2.StrictUndefined,
        finalize=finalizer(decimals),
    )
    env.filters.update(latex=partial(latex, decimals=decimals), factor=partial(factor, decimals=decimals),
                       inline=partial(inline, decimals=decimals), plain=plain, tex=escape_tex, md=escape_markdown)
    env.filters["compact"] = partial(compact, decimals=decimals)
    env.globals.update(layer_noun=layer_noun)
    env.filters.update(capitalize_first=capitalize_first, cm=cm, approx=approx)
    return env


@dataclass(frozen=True)
class Math:
    """The formulas the documents of one derivation share, rendered once and set in each (LaTeX
    and Markdown, question and solution): the network's rows x, W, b, g, and each step's
    equations (none for a symbolic derivation, whose documents write its steps otherwise)."""

    network: str
    steps: tuple[str, ...] = ()


def render_math(derivation: Derivation, decimals: bool = False) -> Math:
    """The shared formulas of ``derivation`` (``decimals``: exact decimals as decimals)."""
    env = make_env(decimals)
    steps = ()
    if not derivation.symbolic:
        rows = env.get_template("step-rows.j2")
        steps = tuple(rows.render(step=step).removesuffix("\n") for step in derivation.steps)
    return Math(network_rows(derivation.network, decimals), steps)


def network_rows(network, decimals: bool = False) -> str:
    """The rows x, W, b, g of ``network`` for an align* or aligned block."""
    return make_env(decimals).get_template("network-rows.j2").render(network=network).removesuffix("\n")


def render_solution(
    derivation: Derivation, fmt: str, *,
    diagram: bool = True, edge_weights: bool = False, svg: str | None = None,
) -> str:
    """The worked solution of ``derivation`` as a LaTeX document or Markdown.

    ``diagram``: draw the network (``edge_weights``: with the weights on the connections); in
    LaTeX as a TikZ picture, in Markdown as a link to ``svg``, the name of the SVG file
    :func:`render_svg` makes (no ``svg``, no picture).
    """
    picture = draw(derivation.network, edge_weights=edge_weights) if diagram else None
    template = make_env().get_template(f"solution.{FORMATS[fmt]}.j2")
    return template.render(
        d=derivation, network=derivation.network, steps=derivation.steps, math=render_math(derivation),
        figure=render_figure(picture, fmt, svg=svg),
    )


def render_figure(picture, fmt: str, *, decimals: bool = False, svg: str | None = None) -> str:
    """The picture of a network as a document shows it: in LaTeX the TikZ picture, in Markdown a
    link to ``svg`` (the SVG file's name) with the legend. Empty without ``picture`` or, in
    Markdown, without a file to link. Rendered once, it stands in every document of an exercise."""
    if picture is None or (fmt == "markdown" and not (svg or picture.too_large)):
        return ""
    return _figure(picture, fmt, decimals, svg if fmt == "markdown" else None)


@lru_cache(maxsize=1024)
def _figure(picture, fmt: str, decimals: bool, svg: str | None) -> str:
    # Memoized: without weights a picture depends on the sizes and masks alone, and a sheet's
    # problems share a few of those (a picture is equal, and hashes equal, to another of them).
    return make_env(decimals).get_template(f"diagram.{FORMATS[fmt]}.j2").render(dia=picture, svg=svg)


def render_svg(derivation: Derivation, *, edge_weights: bool = False) -> str | None:
    """The picture of the network as an SVG document; None if it is too large to draw."""
    picture = draw(derivation.network, edge_weights=edge_weights)
    if picture.too_large:
        return None
    title = derivation.network.title or "Dropout forward pass"
    return make_env().get_template("diagram.svg.j2").render(dia=picture, title=title)


def render_summary(derivation: Derivation) -> str:
    """The layer equations as one display-math block (Jupyter's ``_repr_latex_``)."""
    return make_env().get_template("summary.tex.j2").render(d=derivation, steps=derivation.steps)


def solution_json(derivation: Derivation) -> dict:
    """``{"prediction": [...], "layers": [...]}`` with every number an exact string.

    When a value is irrational (sigmoid, tanh), ``"decimal"`` repeats the same shape with each
    number to 15 significant digits.
    """
    data = _values_json(derivation, plain)
    values = [derivation.prediction] + [
        q.value for step in derivation.steps for q in (step.masked_input, step.pre_activation, step.activation)
    ]
    if any(needs_decimal(v) for v in values):
        data["decimal"] = _values_json(derivation, lambda v: decimal_texts(v)[0])
    return data


def _values_json(derivation: Derivation, text) -> dict:
    return {
        "prediction": [text(v) for v in derivation.prediction],
        "layers": [
            {
                "masked_input": [text(v) for v in step.masked_input.value],
                "pre_activation": [text(v) for v in step.pre_activation.value],
                "activation": [text(v) for v in step.activation.value],
            }
            for step in derivation.steps
        ],
    }


def render_template(name: str, *, decimals: bool = False, **context) -> str:
    """Any template by name with ``context``: the documents and parts of sheets and keys."""
    return make_env(decimals).get_template(name).render(**context)


def render_expect(ensemble: Ensemble, fmt: str) -> str:
    """The exact ensemble mean, the approximation and their gap as LaTeX or Markdown."""
    template = make_env().get_template(f"expect.{FORMATS[fmt]}.j2")
    return template.render(e=ensemble, network=ensemble.network, mode="train", math=Math(network_rows(ensemble.network)))


def expect_json(ensemble: Ensemble) -> dict:
    """``{"exact_mean": [...], "approximation": [...], "maskable_units": n, ...}``, exact strings.

    Also the difference, the convention, and with ``--symbolic-q`` the symbols' values and the
    mean at them; with ``--samples`` the Monte-Carlo estimate; ``"decimal"`` for irrational values.
    """
    values = {
        "exact_mean": ensemble.exact_mean,
        "approximation": ensemble.approximation,
        "difference": ensemble.difference,
    }
    data = {key: [plain(v) for v in value] for key, value in values.items()}
    data["maskable_units"] = ensemble.maskable_units
    data["convention"] = ensemble.network.dropout.convention
    if ensemble.symbolic_q:
        data["keep"] = {
            plain(q): plain(value) for q, value in zip(ensemble.keep, ensemble.network.dropout.keep) if q.free_symbols
        }
        data["exact_mean_at_keep"] = [plain(v) for v in ensemble.at_keep]
        values = {"exact_mean_at_keep": ensemble.at_keep}
    if any(needs_decimal(v) for v in values.values()):
        data["decimal"] = {key: decimal_texts(value) for key, value in values.items()}
    mc = ensemble.monte_carlo
    if mc is not None:
        data["monte_carlo"] = {
            "samples": mc.samples,
            "seed": mc.seed,
            "mean": [plain(v) for v in mc.mean],
            "variance_of_mean": [plain(v) for v in mc.variance_of_mean],
            "standard_error": list(mc.standard_error),
            "distinct_masks": mc.distinct_masks,
        }
    return data
