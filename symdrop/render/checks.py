"""A check's verdict as text for a terminal or Markdown, and as plain data (JSON)."""

from ..grading.check import Check
from .numbertext import decimal, needs_decimal, plain


def _vector(values) -> str:
    values = [_number(v) for v in values]
    return values[0] if len(values) == 1 else "(" + ", ".join(values) + ")"


def _number(value) -> str:
    """An exact number, and an irrational one's decimal beside it: ``1/(1 + exp(-3)) ≈ 0.952574126822433``."""
    return f"{plain(value)} \u2248 {decimal(value)}" if needs_decimal(value) else plain(value)


def check_text(result: Check, markdown: bool = False) -> str:
    """Some lines a student reads: right or wrong, the mistake, where it went off track."""
    code = (lambda s: f"`{s}`") if markdown else (lambda s: s)  # noqa: E731
    lines = []
    if result.correct and tuple(result.answer) != tuple(result.expected):
        lines.append(f"Correct within the tolerance {plain(result.tolerance)}: the exact answer is "
                     f"{_vector(result.expected)}.")
    elif result.correct:
        lines.append(f"Correct: {_vector(result.answer)} is the answer.")
    else:
        lines.append(f"Not correct: {_vector(result.answer)}; the answer is {_vector(result.expected)}.")
        if result.mistakes:
            for m in result.mistakes:
                lines.append(f"It is the answer of the mistake {code(m.name)}: {m.label}.")
        else:
            lines.append("It is not the answer of any mistake symdrop knows.")
    first = result.first_wrong
    if first is not None:
        lines.append(f"First step off track: {code(first.name)} = {_vector(first.given)}, "
                     f"the right value is {_vector(first.expected)}.")
        later = [p.name for p in result.parts if p.carried_forward]
        if later:
            lines.append("Right given your own earlier values (error carried forward): "
                         + ", ".join(code(n) for n in later) + ".")
    elif result.parts:
        lines.append("Every step you gave is right.")
    sep = "\n\n" if markdown else "\n"
    return sep.join(lines) + "\n"


def check_json(result: Check) -> dict:
    """``{"kind", "correct", "answer", "expected", "tolerance", "mistakes": [{"id", "label"}],
    "first_wrong", "parts": [{"part", "given", "expected", "correct", "carried_forward"}]}``, exact
    strings; ``"expected_decimal"`` beside irrational expected values."""
    first = result.first_wrong
    return {
        "kind": result.kind.name,
        "correct": result.correct,
        "answer": [plain(v) for v in result.answer],
        "expected": [plain(v) for v in result.expected],
        **({"expected_decimal": [decimal(v) for v in result.expected]} if any(map(needs_decimal, result.expected)) else {}),
        "tolerance": None if result.tolerance is None else plain(result.tolerance),
        "mistakes": [{"id": m.name, "label": m.label} for m in result.mistakes],
        "first_wrong": None if first is None else first.name,
        "parts": [{"part": p.name, "given": [plain(v) for v in p.given], "expected": [plain(v) for v in p.expected],
                   "correct": p.correct, "carried_forward": p.carried_forward} for p in result.parts],
    }
