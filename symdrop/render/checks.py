"""A check's verdict as text for a terminal or Markdown, and as plain data (JSON)."""

from ..grading.check import Check
from .numbertext import plain


def _vector(values) -> str:
    values = [plain(v) for v in values]
    return values[0] if len(values) == 1 else "(" + ", ".join(values) + ")"


def check_text(result: Check, markdown: bool = False, hide: bool = False) -> str:
    """Some lines a student reads: right or wrong, the mistake, where it went off track. With
    ``hide`` no right value is shown (the answer's nor any step's): only the student's own."""
    code = (lambda s: f"`{s}`") if markdown else (lambda s: s)  # noqa: E731
    lines = []
    if result.correct and tuple(result.answer) != tuple(result.expected):
        lines.append(f"Correct within the tolerance {plain(result.tolerance)}"
                     + ("." if hide else f": the exact answer is {_vector(result.expected)}."))
    elif result.correct:
        lines.append(f"Correct: {_vector(result.answer)} is the answer.")
    else:
        lines.append(f"Not correct: {_vector(result.answer)}" + ("." if hide else f"; the answer is {_vector(result.expected)}."))
        if result.mistakes:
            for m in result.mistakes:
                lines.append(f"It is the answer of the mistake {code(m.name)}: {m.label}.")
        else:
            lines.append("It is not the answer of any mistake symdrop knows.")
    first = result.first_wrong
    if first is not None:
        lines.append(f"First step off track: {code(first.name)} = {_vector(first.given)}"
                     + ("." if hide else f", the right value is {_vector(first.expected)}."))
        for p in result.parts:
            for m in (m for m in p.mistakes if not (p.name == "y" and m in result.mistakes)):
                lines.append(f"{code(p.name)} is the step of the mistake {code(m.name)}: {m.label}.")
        later = [p.name for p in result.parts if p.carried_forward]
        if later:
            lines.append("Right given your own earlier values (error carried forward): "
                         + ", ".join(code(n) for n in later) + ".")
    elif result.parts:
        lines.append("Every step you gave is right.")
    sep = "\n\n" if markdown else "\n"
    return sep.join(lines) + "\n"


def check_json(result: Check, hide: bool = False) -> dict:
    """``{"kind", "correct", "answer", "expected", "mistakes": [{"id", "label"}], "first_wrong",
    "parts": [{"part", "given", "expected", "correct", "carried_forward", "mistakes"}]}``, exact
    strings; with ``hide`` every ``expected`` is null."""
    first = result.first_wrong
    shown = (lambda values: None) if hide else (lambda values: [plain(v) for v in values])  # noqa: E731
    return {
        "kind": result.kind.name,
        "correct": result.correct,
        "answer": [plain(v) for v in result.answer],
        "expected": shown(result.expected),
        "mistakes": [{"id": m.name, "label": m.label} for m in result.mistakes],
        "first_wrong": None if first is None else first.name,
        "parts": [{"part": p.name, "given": [plain(v) for v in p.given], "expected": shown(p.expected),
                   "correct": p.correct, "carried_forward": p.carried_forward, "mistakes": [m.name for m in p.mistakes]}
                  for p in result.parts],
    }
