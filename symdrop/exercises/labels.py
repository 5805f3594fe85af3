"""A mistake's label: words with its formulas as TeX math between $ signs, read as runs and as plain text.

A label is written once, ``r"forgot to square $w x$: $\\sum w x \\operatorname{Var}(\\mu)$"``;
every format renders it from its runs (templates' ``m.label``: words escaped as users' text,
math as the format sets math), and plain outputs (terminal, CSV, JSON, LMS feedback) read its
:func:`plain` form, ``forgot to square w x: sum w x Var(mu)``. In the words, ``\\$`` is a dollar
sign and ``\\\\`` a backslash (:func:`as_text` writes any text so). The math may use only the
few commands :data:`_COMMANDS` converts: a label read from a key.json (users' text) is checked
with :func:`well_formed` before it is typeset.
"""

import re
from functools import lru_cache

# Each math command a label may use, and its plain form (a command's braces stay for _PLAIN).
_COMMANDS = {"sum": "sum", "prod": "prod", "mu": "mu", "alpha": "alpha", "sigma": "sigma", "partial": "d",
             "operatorname": "", "text": "", "tilde": "", "ldots": "..."}
_TOKEN = re.compile(r"\\([A-Za-z]+) ?|[A-Za-z0-9 ()\[\]+\-*/=,.'^_{}]")  # no | (a Markdown table's cell ends at it)
_RUN = re.compile(r"((?:[^$\\]|\\[$\\])*)(?:\$((?:[^$\\]|\\[A-Za-z])*)\$)?")
_WHOLE = re.compile(r"(?:(?:[^$\\]|\\[$\\])*\$(?:[^$\\]|\\[A-Za-z])*\$)*(?:[^$\\]|\\[$\\])*")
_TILDE = re.compile(r"\\tilde\{(\w)\}")
_SCRIPT = re.compile(r"([\^_])\{([^{}]*)\}")
# What TeX cannot set or reads otherwise: ^^5c is TeX's code for a backslash (^^ any character), a
# script with nothing to raise, a command of one argument without its braces, a script in \text, and
# a second script of one kind on one base (x^a^b: TeX's "Double superscript").
_UNSET = re.compile(r"[\^_] *(?:[\^_}]|$)|\\(?:tilde|operatorname|text)(?! ?\{)|\\text ?\{[^}]*[\^_]"
                    r"|([\^_]) *(?:\{[^{}]*\}|\\[A-Za-z]+ ?(?:\{[^{}]*\})?|[^{\\ ]) *\1")


@lru_cache(maxsize=4096)  # the same labels on every problem of a sheet
def runs(label: str) -> tuple[tuple[bool, str], ...]:
    """``label`` as (is math, text) runs in their order, words unescaped (``\\$`` a dollar sign)."""
    found = []
    for match in _RUN.finditer(str(label)):
        words, math = match.groups()
        if words:
            found.append((False, re.sub(r"\\([$\\])", r"\1", words)))
        if math:
            found.append((True, math))
    return tuple(found)


def well_formed(label: str) -> bool:
    """Whether ``label`` is words and math as :mod:`labels` writes them: its $ signs paired, its
    math of the allowed characters and commands only, its braces balanced."""
    if not _WHOLE.fullmatch(str(label)):
        return False
    return all(_math_ok(text) for math, text in runs(label) if math)


def _math_ok(tex: str) -> bool:
    depth, at = 0, 0
    for token in _TOKEN.finditer(tex):
        if token.start() != at or (token.group(1) and token.group(1) not in _COMMANDS):
            return False
        depth += {"{": 1, "}": -1}.get(token.group(0), 0)
        if depth < 0:
            return False
        at = token.end()
    return at == len(tex) and depth == 0 and not _UNSET.search(tex)


@lru_cache(maxsize=4096)
def plain(label: str) -> str:
    """``label`` as plain ASCII text: math as a student types it (``w_{ij}`` as ``w_ij``,
    ``\\tilde{W}`` as ``W~``, ``\\operatorname{Var}`` as ``Var``), words as they are."""
    return "".join(_plain_math(text) if math else text for math, text in runs(label))


def _plain_math(tex: str) -> str:
    text = _TILDE.sub(r"\1~", tex)
    text = re.sub(r"\\partial ?", "d", text)
    text = re.sub(r"\\([A-Za-z]+)", lambda m: _COMMANDS.get(m.group(1), m.group(1)), text)
    text = _SCRIPT.sub(r"\1\2", text)
    return text.replace("{", "").replace("}", "")


def as_text(text: str) -> str:
    """Plain ``text`` (a label typed into a key by hand) as a label of words alone."""
    return re.sub(r"([$\\])", r"\\\1", str(text))


def label_of(label: str, tex: object) -> str:
    """A key.json mistake's label (its plain ``label`` and, where it has formulas, ``tex``, the
    label as written): ``tex`` where it is well formed and reads as ``label``, else ``label``'s
    words (a key edited by hand)."""
    if isinstance(tex, str) and well_formed(tex) and plain(tex) == label:
        return tex
    return as_text(label)
