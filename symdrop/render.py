"""The Jinja environment, its filters, and the render_* functions for every document kind."""

from functools import lru_cache, partial
from importlib import resources

import jinja2
import sympy

from .derive import Derivation
from .diagram import draw
from .escape import escape_markdown, escape_tex
from .printing import factor, inline, latex, plain

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
    values = list(vector)
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
        undefined=jinja2.StrictUndefined,
        finalize=lambda value: latex(value, decimals=decimals) if isinstance(value, sympy.Basic) else value,
    )
    env.filters.update(latex=partial(latex, decimals=decimals), factor=partial(factor, decimals=decimals),
                       inline=partial(inline, decimals=decimals), plain=plain, tex=escape_tex, md=escape_markdown)
    env.filters["compact"] = partial(compact, decimals=decimals)
    env.globals.update(layer_noun=layer_noun)
    env.filters.update(capitalize_first=capitalize_first, cm=cm)
    return env


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
        d=derivation, network=derivation.network, steps=derivation.steps, dia=picture, svg=svg
    )


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
    """``{"prediction": [...], "layers": [...]}`` with every number an exact string."""
    return {
        "prediction": [plain(v) for v in derivation.prediction],
        "layers": [
            {
                "masked_input": [plain(v) for v in step.masked_input.value],
                "pre_activation": [plain(v) for v in step.pre_activation.value],
                "activation": [plain(v) for v in step.activation.value],
            }
            for step in derivation.steps
        ],
    }


def render_template(name: str, *, decimals: bool = False, **context) -> str:
    """Any template by name with ``context``: the documents and parts of sheets and keys."""
    return make_env(decimals).get_template(name).render(**context)
