"""The linters of the exports, one per file an export writes, and what they share: the key they
check against (key.json, beside the exports), the rubric's mistake share, and each result.

A linter reads its export's file as the target reads it (never symdrop's own objects) and
simulates the target's grading: the key's numbers score full marks; each known mistake's numbers
show its feedback and score the rubric's mistake share of what they get wrong; no two items ask
the same. Another export registers its linter here (``register``): a folder (PrairieLearn's
``questions/``) is linted as a file is.
"""

import json
from dataclasses import dataclass
from fractions import Fraction
from importlib import import_module
from pathlib import Path

from ..errors import SymdropError

# What lint-export looks for in the folder: the file (or folder) an export writes, and the
# "module.function" that lints it: function(path, key, share) -> list[Result].
LINTERS: dict[str, str] = {
    "moodle.xml": "symdrop.lint.moodle.lint_moodle",
    "questions.gift": "symdrop.lint.gift.lint_gift",
    "qti.zip": "symdrop.lint.qti12.lint_qti12",
    "qti21.zip": "symdrop.lint.qti21.lint_qti21",
    "prairielearn": "symdrop.lint.prairielearn.lint_prairielearn",  # each question's server.py, run
}


def register(name: str, linter: str) -> None:
    """Lint ``name`` (a file or folder an export writes) with ``linter`` ("module.function")."""
    LINTERS[name] = linter


@dataclass(frozen=True)
class Result:
    """One check of one item: the export, the item, what was checked, and the failure (empty: passed)."""

    export: str
    item: str
    check: str
    failure: str = ""

    @property
    def ok(self) -> bool:
        return not self.failure


@dataclass(frozen=True)
class Problem:
    """One problem of key.json: its code, its exact answer, and (id, label, answer) per mistake."""

    code: str
    answer: tuple[Fraction, ...]
    mistakes: tuple[tuple[str, str, tuple[Fraction, ...]], ...]


def exact(text: str) -> Fraction:
    """A number of key.json (``-3/4``, or an irrational one such as ``exp(1)/2``) as a Fraction,
    an irrational one to 30 places."""
    try:
        return Fraction(text)
    except ValueError:
        import sympy
        return Fraction(str(sympy.N(sympy.sympify(text), 40))).limit_denominator(10**30)


def read_key(folder: Path) -> dict[str, Problem]:
    """key.json of ``folder``, by variant code."""
    path = folder / "key.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        problems = {}
        for p in data["problems"]:
            mistakes = tuple((m["id"], m["label"], tuple(map(exact, m["answer"]))) for m in p.get("mistakes", []))
            problems[p["code"]] = Problem(p["code"], tuple(map(exact, p["answer"])), mistakes)
        return problems
    except (OSError, ValueError, KeyError, TypeError) as error:
        why = "no such file" if isinstance(error, FileNotFoundError) else " ".join(str(error).split())[:80]
        raise SymdropError(f"{path}: expected the key.json symdrop sheet wrote beside the exports ({why})") from None


def lint_folder(folder: Path, share: Fraction = Fraction(0)) -> list[Result]:
    """Every export found in ``folder`` linted against its key.json."""
    folder = Path(folder)
    if not folder.is_dir():
        raise SymdropError(f"{folder}: expected a folder of exports (symdrop sheet --out)")
    key = read_key(folder)
    found = [name for name in LINTERS if (folder / name).exists()]
    if not found:
        raise SymdropError(f"{folder}: expected an export in it ({', '.join(LINTERS)})")
    results = []
    for name in found:
        module, function = LINTERS[name].rsplit(".", 1)
        results += getattr(import_module(module), function)(folder / name, key, share)
    return results


def duplicates(export: str, asked: dict[str, tuple]) -> list[Result]:
    """A failure for each item that asks what an earlier one asks (the same numbers): no two
    variants the same."""
    seen: dict[tuple, str] = {}
    results = []
    for item, values in asked.items():
        first = seen.setdefault(values, item)
        results.append(Result(export, item, "distinct", "" if first == item else f"the same key as {first}"))
    return results


def table(results: list[Result]) -> str:
    """The results as a plain table: export, item, check, result."""
    rows = [("export", "item", "check", "result")] + [(r.export, r.item, r.check, "ok" if r.ok else "FAIL: " + r.failure)
                                                     for r in results]
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    return "\n".join("  ".join(cell.ljust(w) for cell, w in zip(row[:3], widths)) + "  " + row[3] for row in rows)
