"""A mistake a student makes, and the wrong answer it gives (docs/dropout.md lists them)."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Mistake:
    """A mistake on a problem and the prediction it gives: the core's pass with one change (to
    the network, the masks or the rule), never a pass of its own."""

    name: str  # stable identifier, e.g. "forgot_relu_2"
    label: str  # how the answer key names it
    answer: tuple  # exact numbers


def grouped(mistakes) -> list[tuple[list[str], tuple]]:
    """The mistakes' answers, one entry per distinct answer with the labels of all that give it."""
    by_answer: dict[tuple, list[str]] = {}
    for m in mistakes:
        by_answer.setdefault(m.answer, []).append(m.label)
    return list(by_answer.items())
