"""The one Jinja environment factory: delimiters, filters and the template search path of RenderOptions."""

from functools import lru_cache, partial
from importlib import import_module
from types import FunctionType, MethodType
from importlib import resources
from pathlib import Path

import jinja2
import sympy

from ..exercises.labels import plain as label_plain, runs as label_runs
from ..sympy_internals import entries
from .alttext import describe
from .bytecode import template_cache
from .escape import escape_cloze, escape_html, escape_ident, escape_markdown, escape_tex, escape_tex_breaking, escape_xml, escape_xml_text, markdown_code
from .formats import get
from .linebreak import boxable, chain, fits, lines, long_fraction, nested, rows, short, shown, together, wide
from .matrixfit import forward_table, in_sentence, row_entry
from .numbertext import decimal, estimate, exact_text, needs_decimal, plain, rounded, rounded_each
from .options import RenderOptions
from ..errors import RenderError
from ..numbers import to_sympy
from .usertemplates import FolderLoader, UserTemplates
from .forms import approx, base, minuend, near, operand, relation, run, unit_sum
from .printer import factor, finalizer, inline, latex, latex_each, latex_filter

ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth")


def builtin_templates() -> Path:
    """The folder of the templates symdrop ships (package data)."""
    return Path(str(resources.files("symdrop.templates")))


def make_env(options: RenderOptions = RenderOptions()) -> jinja2.Environment:
    """The environment for ``options``: LaTeX-friendly delimiters, strict undefined, SymPy printed
    as LaTeX, and the user's template folders before the built-in ones (Jinja's ChoiceLoader)."""
    return _env(options.decimals, options.digits, tuple(Path(folder) for folder in options.templates))


def render_document(document: str, fmt: str, options: RenderOptions = RenderOptions(), /, **context) -> str:
    """``document`` (``"solution"``) in format ``fmt``: its template, told the format (``fmt``) and
    handed the format's macros as ``m``. (Handed in, not imported by every body: an import costs a
    render some 10 us, and a worked problem renders six bodies and their includes.)
    A whole document of a format that compiles is rendered for the engine its text needs (a
    second time when that is not the first engine: the preamble differs)."""
    env = make_env(options)
    format_ = get(fmt)
    engine = format_.engines[0] if format_.engines else None
    body, macros = _document(env, document, fmt, engine)
    text = body.render(fmt=fmt, m=macros, **context)
    if format_.engine and context.get("standalone", True):
        needed = format_.engine(text, tagged=options.tagged)
        if needed != engine:
            body, macros = _document(env, document, fmt, needed)
            text = body.render(fmt=fmt, m=macros, **context)
    if format_.finish and context.get("standalone", True):
        module, function = format_.finish.rsplit(".", 1)
        text = getattr(import_module(module), function)(text)
    return text


def document_pieces(document: str, fmt: str, options: RenderOptions = RenderOptions(), /, **context):
    """:func:`render_document`'s text in the pieces Jinja makes it of, one after another: written
    out as they come, a class set's document is never held whole. (A format that compiles, or
    that is finished on its whole text, is rendered whole: which engine it needs is read from
    its whole text.)"""
    format_ = get(fmt)
    if format_.engine or format_.finish:
        yield render_document(document, fmt, options, **context)
        return
    body, macros = _document(make_env(options), document, fmt, format_.engines[0] if format_.engines else None)
    yield from body.generate(fmt=fmt, m=macros, **context)


@lru_cache(maxsize=None)
def _document(env: jinja2.Environment, document: str, fmt: str, engine: str | None):
    # The body and the macros of a document, looked up once per environment and engine
    # (templates do not change while symdrop runs: auto_reload is off).
    format_ = get(fmt)
    try:  # a module's own errors do not pass through Template.render's handler: the same here
        macros = env.get_template(format_.macros).make_module({"engine": engine}) if format_.macros else None
    except Exception:  # noqa: BLE001
        env.handle_exception()
    return env.get_template(format_.template(document)), macros


@lru_cache(maxsize=None)
def _env(decimals: bool, digits: int | None, folders: tuple[Path, ...]) -> jinja2.Environment:
    # Keyed by all the environment depends on: how numbers print, and where templates come from.
    # Users' folders come first, each read only inside itself, all rendered in the sandbox.
    # With ``digits`` every irrational value is shown to that many places, and stands by its name
    # in later sums (a student computes with the rounded values).
    builtin = jinja2.FileSystemLoader(str(builtin_templates()))
    settings = dict(
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
        auto_reload=False,  # templates do not change while symdrop runs: no stat() per render
        undefined=jinja2.StrictUndefined,
        finalize=finalizer(decimals),
    )
    if folders:
        for folder in folders:  # a mistyped folder is no empty one (the command line says so before)
            if not folder.is_dir():
                raise RenderError(f"templates {folder}: expected a folder of templates")
        env = UserTemplates(folders, builtin_templates(),
                            loader=jinja2.ChoiceLoader([*(FolderLoader(f) for f in folders), builtin]), **settings)
    else:  # symdrop's own templates: compiled once, kept between runs (see bytecode.py)
        env = _Environment(loader=builtin, bytecode_cache=template_cache(settings, (decimals, digits)), **settings)
    env.filters.update(
        latex=latex_filter(decimals), factor=partial(factor, decimals=decimals), base=partial(base, decimals=decimals),
        inline=partial(inline, decimals=decimals), operand=partial(operand, decimals=decimals), minuend=partial(minuend, decimals=decimals), compact=partial(compact, decimals=decimals),
        plain=plain, decimal=decimal, estimate=estimate, tex=escape_tex, ident=escape_ident, md=escape_markdown, md_code=markdown_code, html=escape_html, cloze=escape_cloze, xml=escape_xml, xml_text=escape_xml_text,
        capitalize_first=capitalize_first, counted=counted, cm=cm, approx=partial(approx, digits=digits), clipped=clipped,
        points=partial(exact_text, decimals=True), rows=partial(rows, decimals=decimals), lines=lines, rounded=partial(rounded, digits=digits), rounded_each=partial(rounded_each, digits=digits), shown=partial(shown, digits=digits), relation=relation, near=near,
        unit_sum=partial(unit_sum, decimals=decimals), row_entry=partial(row_entry, decimals=decimals), sympify=to_sympy, column=column_of, label_runs=label_runs, label_plain=label_plain, matrix=matrix_of, described=describe,
    )
    env.globals.update(layer_noun=layer_noun, chain=chain, run=run, digits=digits,
                       forward_table=partial(forward_table, decimals=decimals, digits=digits), mask_rows=partial(mask_rows, env),
                       escapes={"tex": escape_tex, "tex_breaking": escape_tex_breaking, "md": escape_markdown, "md_code": markdown_code})  # the formats' m.text, m.cell_text, m.literal
    named = partial(wide, every_irrational=digits is not None)
    env.tests.update(boxable=boxable, short=short, together=together, wide=named, fitting=fits, in_sentence=partial(in_sentence, decimals=decimals),
                     named=named, nested=nested, irrational=needs_decimal,  # wide's name before, for users' copies of the templates
                     long=wide,  # too wide to show, whatever --digits (which names every irrational value)
                     long_fraction=long_fraction,
                     some=lambda values, test: any(env.tests[test](v) for v in values))  # values | select(test) | list, at once
    return env


class _Context(jinja2.runtime.Context):
    """Jinja's context whose ``call`` calls a plain Python function or method at once (most calls
    in symdrop's templates: ``chain``, ``step.terms``, ``m.text``, ``layer_noun``): Jinja's own asks
    the callable, and its ``__call__``, whether it wants the context passed in (for a method each
    asking raises and catches an AttributeError), some 1 us a call, 10,000 calls in a class's
    feedback pages. Jinja asks with ``hasattr``, which for a function reads its ``__dict__``; a
    callable that is marked (``pass_context`` and the like) or of another type goes Jinja's way.
    tests/test_fast_paths.py renders documents both ways."""

    def call(__self, __obj, *args, **kwargs):  # noqa: N805 (Jinja's own names: a keyword may be "self")
        function = __obj.__func__ if type(__obj) is MethodType else __obj
        if type(function) is not FunctionType or "jinja_pass_arg" in function.__dict__:
            return super().call(__obj, *args, **kwargs)
        kwargs.pop("_block_vars", None)
        kwargs.pop("_loop_vars", None)
        try:
            return __obj(*args, **kwargs)
        except StopIteration:
            return __self.environment.undefined("value was undefined because a callable raised a StopIteration exception")


class _Environment(jinja2.Environment):
    """Jinja's environment whose templates hold its globals as one dict, not as a ChainMap over
    them (Jinja's make_globals): every render and include lists a template's globals twice, and a
    ChainMap lists each of its maps anew, some 4% of a sheet's time. The same globals, as symdrop
    sets them all before any template is loaded."""

    context_class = _Context

    def make_globals(self, d):
        return {**self.globals, **(d or {})}


def mask_rows(env: jinja2.Environment, network, steps=None) -> str:
    """The rows of ``network``'s masks as ``math/mask-rows.j2`` sets them in display math (with
    ``steps``, each mask's dropped entries marked as its step marks them). Rendered once for each
    set of masks: a problem's question and solution show them in every format, and a sheet's
    problems share a few sets."""
    marked = None if steps is None else tuple(step.marked for step in steps[:len(network.masks)])
    return _mask_rows(env, network.masks, network.dropout.connections, marked)


@lru_cache(maxsize=1024)
def _mask_rows(env: jinja2.Environment, masks: tuple, connections: bool, marked: tuple | None) -> str:
    return env.get_template("math/mask-rows.j2").render(masks=masks, connections=connections, marked=marked)


def clipped(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, visibly (``...``), where a line has room for no more."""
    return text if len(text) <= limit else text[: limit - 3].rstrip() + "..."


def layer_noun(l: int, depth: int) -> str:
    """``the first hidden layer`` ... ``the output layer``, as the tutorial says it."""
    if l == depth:
        return "the output layer"
    return f"the {ORDINALS[l - 1]} hidden layer" if l <= len(ORDINALS) else f"hidden layer {l}"


def counted(indices) -> str:
    """Units or columns (from 0) as a sentence numbers them, from 1: ``1``, ``1 and 3``, ``1, 2 and 4``."""
    numbers = [str(i + 1) for i in indices]
    return numbers[0] if len(numbers) == 1 else ", ".join(numbers[:-1]) + " and " + numbers[-1]


def capitalize_first(text: str) -> str:
    return text[:1].upper() + text[1:]


def cm(value: float) -> str:
    """A layout length, fixed to three decimals so the same picture gives the same bytes."""
    return f"{value + 0.0:.3f}"


def compact(vector, decimals: bool = False, breakable: bool = False) -> str:
    """A vector on one line, ``(1, -2)``; a single entry as a number, ``7``; rows of a matrix
    each so, ``(0, 2); (0, 24)`` (answer keys).
    ``breakable``: TeX may break the line after each comma (a table cell of a long vector; TeX
    breaks inline math only after operators and relations by itself)."""
    values = entries(vector) if isinstance(vector, sympy.MatrixBase) else list(vector)
    if values and isinstance(values[0], tuple):  # a matrix's rows (Exercise.written_rows): (0, 2); (0, 24)
        return (";\\allowbreak " if breakable else "; ").join(compact(row, decimals, breakable) for row in values)
    if len(values) == 1:
        return latex(values[0], decimals=decimals)
    if breakable:
        return "(%s)" % ",\\allowbreak ".join(latex_each(values, decimals))
    return inline(values, decimals=decimals)


def column_of(values) -> sympy.ImmutableMatrix:
    """Exact numbers (int, Fraction, SymPy) as a column vector to print."""
    return sympy.ImmutableMatrix([to_sympy(v) for v in values])


def matrix_of(rows) -> sympy.ImmutableMatrix:
    """Exact numbers as rows (a vector as one column) of a matrix to print."""
    rows = list(rows)
    if rows and not isinstance(rows[0], (tuple, list)):
        return column_of(rows)
    return sympy.ImmutableMatrix([[to_sympy(v) for v in row] for row in rows])
