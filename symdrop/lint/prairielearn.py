"""PrairieLearn's grading of a course folder symdrop wrote, simulated (for ``symdrop lint-export``).

Each question's own ``server.py`` is loaded from the folder and called as PrairieLearn calls it:
``generate`` for some variant seeds, then ``grade`` of the key's answer and of each known
mistake's, in a ``data`` dict shaped as PrairieLearn passes it.
"""

import importlib.util
import json
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from ..exercises.kinds import get
from ..render.lms import decimal_text
from ..render.prairielearn_server import CONFIG, EXACT, FEEDBACK, PLACES, Input, RIGHT, rubric_of

SEEDS = (1, 2, 3)  # the variant seeds simulated per question
EXPORT = "prairielearn"  # the folder --format prairielearn writes


@dataclass(frozen=True)
class Result:
    """One simulated submission: the question (its folder name), the variant seed and variant
    code, the case (``key``, or the ids of the mistakes whose answer was typed), the score the
    rubric gives it and the score and feedback lines ``grade`` set; ``problem`` says what went
    wrong ("" where nothing did)."""

    question: str
    variant_seed: int
    code: str
    case: str
    expected: Fraction
    score: float | None
    feedback: tuple[str, ...]
    problem: str = ""

    @property
    def ok(self) -> bool:
        return not self.problem

    # The fields of lint-export's results (symdrop/lint/registry.py's Result), so its table and
    # exit status take these as they are: export, item, check, failure.
    export = EXPORT

    @property
    def item(self) -> str:
        if not self.variant_seed:  # a question that could not be graded at all
            return self.question
        return f"{self.question} seed {self.variant_seed}" + (f" ({self.code})" if self.code else "")

    @property
    def check(self) -> str:
        return self.case if self.case in ("key", "distinct") else f"mistake {self.case}"

    @property
    def failure(self) -> str:
        return self.problem


def lint_prairielearn(path, key=None, share=None) -> list[Result]:
    """lint-export's linter of the course folder (``register("prairielearn",
    "symdrop.lint.prairielearn.lint_prairielearn")`` in symdrop/lint/registry.py): the
    results of :func:`simulate`. It takes no ``key`` nor ``share``: PrairieLearn's variants are
    drawn by its variant seeds, not the sheet's problems, and graded by the rubric in each
    question's symdrop.json."""
    return simulate(path)


def is_course(folder) -> bool:
    """Whether ``folder`` is a course folder ``--format prairielearn`` wrote (``prairielearn/``
    of a sheet's output): a question folder with ``symdrop.json`` under ``questions/``."""
    return any(Path(folder, "questions").glob(f"*/{CONFIG}"))


def simulate(folder, seeds=SEEDS) -> list[Result]:
    """Every question under ``folder``/questions (one with ``symdrop.json`` and ``server.py``),
    graded as PrairieLearn would: per variant seed, the key (it must score 1 with the feedback
    "Right.") and each mistake's answer, typed where the answer goes and the key everywhere else
    (it must score what the rubric gives the answer part, and the feedback must name the mistake);
    and, per question, a result whose case is ``distinct`` if two seeds drew the same variant.
    Returns the results in order: questions by name, then seed, then key before the mistakes."""
    questions = Path(folder, "questions")
    found = sorted(p for p in questions.iterdir() if p.is_dir()) if questions.is_dir() else []
    if not found:
        return [Result("questions/", 0, "", "key", Fraction(1), None, (), "no question folder: an empty course")]
    results = []
    for question in found:
        try:
            results += _question(question, seeds)
        except Exception as error:  # a damaged question is a failed item, never a traceback
            results.append(Result(question.name, 0, "", "key", Fraction(1), None, (), _broken(question, error)))
    return results


def _question(question: Path, seeds) -> list[Result]:
    """The results of one question folder (see :func:`simulate`)."""
    server = _load(question / "server.py")
    config = json.loads((question / CONFIG).read_text(encoding="utf-8"))
    codes, results = {}, []
    for seed in seeds:
        data = _data(question, seed)
        server.generate(data)
        codes.setdefault(data["params"]["code"], seed)
        results += _cases(server, config, question.name, data)
    if len(codes) < len(seeds):
        results.append(Result(question.name, seeds[-1], "", "distinct", Fraction(1), None, (),
                              f"{len(seeds)} variant seeds drew {len(codes)} variants"))
    return results


def _broken(question: Path, error: Exception) -> str:
    """What is wrong with a question folder that could not be graded, in words."""
    for name in ("server.py", CONFIG):
        if not (question / name).is_file():
            return f"cannot be graded: it has no {name}"
    if isinstance(error, json.JSONDecodeError):
        return f"cannot be graded: {CONFIG} is not JSON (line {error.lineno}: {error.msg})"
    text = " ".join(str(error).split())
    return f"cannot be graded: its server.py failed: {text[:120] or 'no message'}"


def _load(path: Path):
    spec = importlib.util.spec_from_file_location(f"symdrop_pl_{abs(hash(str(path)))}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _data(question: Path, seed: int) -> dict:
    """``data`` as PrairieLearn passes it to ``generate``."""
    return {"params": {}, "correct_answers": {}, "variant_seed": seed, "options": {"question_path": str(question)}}


def submission(data: dict, typed: dict) -> dict:
    """``data`` of a variant as PrairieLearn passes it to ``grade`` with ``typed`` (answers-name ->
    text): the text raw, as the elements parsed it (a float, or None), nothing graded yet."""
    parsed = {}
    for name, text in typed.items():
        try:
            parsed[name] = float(Fraction(text))
        except (ValueError, ZeroDivisionError):
            parsed[name] = None
    return {**json.loads(json.dumps(data)), "raw_submitted_answers": dict(typed), "submitted_answers": parsed,
            "partial_scores": {}, "score": 0.0, "feedback": {}, "format_errors": {}}


def _cases(server, config: dict, name: str, data: dict) -> list[Result]:
    key = data["correct_answers"][EXACT]
    entry = data["params"]["entry"]
    answer_names = [n for spec in config["inputs"] if spec["part"] == "y" for n in Input(**spec).entries]
    rubric, kind = rubric_of(config), get(config["kind"])
    most = sum(rubric.points(p) for p in dict.fromkeys(spec["part"] for spec in config["inputs"]))
    found = [_graded(server, data, key, name, "key", Fraction(1), (RIGHT,))]
    for m in entry["mistakes"]:
        typed = [decimal_text(Fraction(v), PLACES) for v in m["answer_decimal"]] if "answer_decimal" in m else m["answer"]
        share = rubric.mistake
        if kind.graded_by_entry:  # each quantity right earns its share
            share = max(share, Fraction(sum(a == b for a, b in zip(m["answer"], entry["answer"])), len(typed)))
        expected = (most - rubric.y + rubric.y * share) / most
        found.append(_graded(server, data, {**key, **dict(zip(answer_names, typed))}, name, m["id"], expected,
                             (m["label"],)))
    return found


def _graded(server, data: dict, typed: dict, name: str, case: str, expected: Fraction, named) -> Result:
    graded = submission(data, typed)
    server.grade(graded)
    lines = tuple(graded["feedback"].get(FEEDBACK, ()))
    problem = ""
    if graded["format_errors"]:
        problem = f"format errors: {graded['format_errors']}"
    elif abs(Fraction(graded["score"]) - expected) > Fraction(1, 10**9):
        problem = f"score {graded['score']}, the rubric gives {expected}"
    elif not all(any(text in line for line in lines) for text in named):
        problem = f"the feedback does not say {' or '.join(named)}"
    return Result(name, data["variant_seed"], data["params"]["code"], case, expected, graded["score"], lines, problem)
