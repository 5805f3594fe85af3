"""The key's names of quantities (moodle/labels.j2's ``label``: LaTeX math) as plain Unicode text,
``\\hat{y}`` as ŷ and ``z^{(1)}`` as z⁽¹⁾: what a self-check page's labels and feedback say, in a
line a screen reader reads as text (no markup inside a label)."""

import re
import unicodedata

_SUPER = str.maketrans("0123456789()+-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁽⁾⁺⁻")
_SUB = str.maketrans("0123456789()+-", "₀₁₂₃₄₅₆₇₈₉₍₎₊₋")
_WORDS = re.compile(r"\\(?:operatorname|text|mathrm)\{([^{}]*)\}")
_ACCENT = re.compile(r"\\(hat|tilde|bar)\{(\w)\}")
_ACCENTS = {"hat": "\N{COMBINING CIRCUMFLEX ACCENT}", "tilde": "\N{COMBINING TILDE}", "bar": "\N{COMBINING MACRON}"}
_SCRIPT = re.compile(r"([\^_])\{([^{}]*)\}")
_GREEK = re.compile(r"\\(partial|sigma|mu|delta)(?: (?=[A-Za-z]))?")
_LETTERS = {"partial": "∂", "sigma": "σ", "mu": "μ", "delta": "δ"}
_SPACES = {r"\allowbreak": "", r"\,": " ", r"\ ": " ", "{}": ""}


def _script(match: re.Match) -> str:
    """``^{(1)}`` as ⁽¹⁾ and ``_{1,2}`` as ₁,₂ where every character has a raised or lowered
    form; else ``^(...)`` / ``_...`` as key.csv writes it."""
    mark, body = match.groups()
    table = _SUPER if mark == "^" else _SUB
    if all(c in "0123456789()+-," for c in body):
        return ",".join(part.translate(table) for part in body.split(","))
    return f"^({body})" if mark == "^" else f"_{body}"


def plain_label(tex: str) -> str | None:
    """``tex`` (a label's math) as Unicode text, or None where some of it has no plain form (a
    mask written as a matrix): the caller then takes key.csv's name."""
    text = _WORDS.sub(lambda m: m.group(1), str(tex).strip())
    text = _ACCENT.sub(lambda m: unicodedata.normalize("NFC", m.group(2) + _ACCENTS[m.group(1)]), text)
    text = _GREEK.sub(lambda m: _LETTERS[m.group(1)], text)
    for old, new in _SPACES.items():
        text = text.replace(old, new)
    text = _SCRIPT.sub(_script, text)
    text = re.sub(r"([\^_])(\w)", lambda m: _SCRIPT.sub(_script, f"{m.group(1)}{{{m.group(2)}}}"), text)
    if any(c in text for c in "\\{}"):
        return None
    text = re.sub(r"(?<=\s)-(?=\s)", "\N{MINUS SIGN}", text)  # a binary minus, as math sets it
    return re.sub(r"\s+", " ", text).strip()
