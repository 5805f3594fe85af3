"""A check's verdict as text for a terminal or Markdown, and as plain data (JSON)."""

import sympy

from ..exercises.labels import plain as label_text
from ..exercises.kind import written_rows
from ..grading.answers import read_entries
from ..grading.check import Check
from .escape import escape_markdown
from .numbertext import decimal, exact_text, needs_decimal, plain


def _irrational(values) -> bool:
    return any(not v.is_Rational for v in map(sympy.sympify, values))


def _vector(values, markdown: bool = False) -> str:
    """Exact numbers as text: a rational as it is (``-3/4``); where one is irrational, every one by
    its 15-digit decimal, ``≈ 0.255844665387926`` (in math, ``$\\approx ...$``, in Markdown)."""
    values = tuple(values)
    if not _irrational(values):
        texts = [plain(v) for v in values]
        return texts[0] if len(texts) == 1 else "(" + ", ".join(texts) + ")"
    texts = [decimal(v) for v in values]
    text = texts[0] if len(texts) == 1 else "(" + ", ".join(texts) + ")"
    return f"$\\approx {text}$" if markdown else f"≈ {text}"


def _typed(text: str, count: int, columns: int, markdown: bool) -> str:
    """A student's answer as check read it (the reading of its commas that gives ``count``
    numbers), each number as typed, a decimal comma as a point (``12.330``) and a bare one left
    off (``0,`` of ``0, 2`` is 0), laid out as the answer is (a vector in parentheses, a matrix
    row by row: ``(0, 2); (0, 24)``), a code span in Markdown."""
    entries = [e.replace(",", ".").removesuffix(".") for e in read_entries(text, "answer", count)[0]]
    text = "; ".join(row[0] if len(row) == 1 else "(" + ", ".join(row) + ")" for row in written_rows(entries, columns))
    return f"`{text}`" if markdown else text


def check_text(result: Check, markdown: bool = False, typed: str | None = None, hide: bool = False) -> str:
    """Some lines a student reads: right or wrong, the mistake, where it went off track.
    ``typed``: the answer as the student typed it, echoed as read (else its exact value). With
    ``hide`` no right value is shown (the answer's nor any step's): only the student's own."""
    code = (lambda s: f"`{s}`") if markdown else (lambda s: s)  # noqa: E731
    vector = lambda values: _vector(values, markdown)  # noqa: E731
    columns = result.kind.answer_columns(result.network) if result.network is not None else 0
    answer = lambda values: "; ".join(map(vector, written_rows(values, columns)))  # noqa: E731  (a matrix row by row)
    given = _typed(typed, len(result.answer), columns, markdown) if typed is not None else answer(result.answer)
    lines = []
    if result.correct and tuple(result.answer) != tuple(result.expected):
        lines.append(f"Correct within the tolerance {exact_text(result.tolerance, decimals=True)}"
                     + ("." if hide else f": the exact answer is {answer(result.expected)}."))
    elif result.correct:
        lines.append(f"Correct: {given} is the answer.")
    else:
        lines.append(f"Not correct: {given}" + ("." if hide else f"; the answer is {answer(result.expected)}."))
        if result.tolerance is None and _irrational(result.expected):
            lines.append("The answer is irrational (through a sigmoid or tanh), so no decimal equals it: "
                         f"to accept rounded answers, {code('--digits 4')} takes the tolerance of a student who "
                         f"carries values rounded to 4 places, as {code('symdrop solve --digits 4')} states it, or "
                         f"give one, {code('--tolerance 0.0001')} ({code('--format json')} gives the exact form).")
        if result.mistakes:
            for m in result.mistakes:
                lines.append(f"It is the answer of the mistake {code(m.name)}: {label_text(m.label)}.")
        elif result.undiagnosed is None:
            lines.append("It is not the answer of any mistake symdrop knows.")
    if result.undiagnosed is not None:  # asked only where a mistake was to be named
        reason = escape_markdown(result.undiagnosed) if markdown else result.undiagnosed  # 4*exp(...)*: no emphasis
        lines.append(f"The mistakes symdrop knows could not be followed on this network: {reason}.")
    first = result.first_wrong
    if first is not None:
        lines.append(f"First step off track: {code(first.name)} = {vector(first.given)}"
                     + ("." if hide else f", the right value is {vector(first.expected)}."))
        for p in result.parts:
            for m in (m for m in p.mistakes if not (p.name == "y" and m in result.mistakes)):
                lines.append(f"{code(p.name)} is the step of the mistake {code(m.name)}: {label_text(m.label)}.")
        later = [p.name for p in result.parts if p.carried_forward]
        if later:
            lines.append("Right given your own earlier values (error carried forward): "
                         + ", ".join(code(n) for n in later) + ".")
    elif result.parts:
        lines.append("Every step you gave is right.")
    sep = "\n\n" if markdown else "\n"
    return sep.join(lines) + "\n"


def check_json(result: Check, hide: bool = False) -> dict:
    """``{"kind", "correct", "answer", "expected", "tolerance", "mistakes": [{"id", "label"}],
    "undiagnosed" (why no mistake was followed, or null), "first_wrong", "parts": [{"part",
    "given", "expected", "correct", "carried_forward", "mistakes"}]}``,
    exact strings; ``"expected_decimal"`` beside irrational expected values; with ``hide`` every
    ``expected`` is null (and no decimal is given)."""
    first = result.first_wrong
    shown = (lambda values: None) if hide else (lambda values: [plain(v) for v in values])  # noqa: E731
    decimals = not hide and any(map(needs_decimal, result.expected))
    return {
        "kind": result.kind.name,
        "correct": result.correct,
        "answer": [plain(v) for v in result.answer],
        "expected": shown(result.expected),
        **({"expected_decimal": [decimal(v) for v in result.expected]} if decimals else {}),
        "tolerance": None if result.tolerance is None else plain(result.tolerance),
        "mistakes": [{"id": m.name, "label": label_text(m.label)} for m in result.mistakes],
        "undiagnosed": result.undiagnosed,  # why the mistakes were not followed, or null
        "first_wrong": None if first is None else first.name,
        "parts": [{"part": p.name, "given": [plain(v) for v in p.given], "expected": shown(p.expected),
                   "correct": p.correct, "carried_forward": p.carried_forward, "mistakes": [m.name for m in p.mistakes]}
                  for p in result.parts],
    }
