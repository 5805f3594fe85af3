"""A student's self-check page (``sheet --format html``): each problem with an input per quantity
of its answer. The page holds no answer in clear text: the salted hash of each right answer's
canonical form (render/canonical.py), each known mistake's the same way with its label, and the
answer itself encrypted by a key the page derives (its "Show answer" button)."""

import base64
import hashlib
import re
from dataclasses import dataclass
from fractions import Fraction

from ..exercises.kind import answer_quantities
from ..exercises.sheet import Exercise, Sheet
from .canonical import FORMS, canonical, digest, grid
from .diagram import Diagram
from .documents import diagram_of
from .env import make_env
from .lms import as_fraction
from .numbertext import answer_text
from .options import RenderOptions
from .page import finish
from .sheets import render_parts, student_file

GRID = 10  # a value right within a tolerance t is hashed on the grid of t/GRID; the page checks
# the typed value's grid point and the GRID - 1 on either side: every value within 0.9 t is
# right, none farther than t.
TRIES = 2  # wrong tries before the hint


@dataclass(frozen=True)
class Check:
    """One input: its name (``answer-3``), what it asks for, how many numbers, the hashes."""

    name: str
    label: str
    size: int
    step: str | None  # the grid's step (a fraction) where the answer is right within a tolerance
    right: tuple[str, ...]  # one hash of the whole canonical answer; on a grid, one per number
    mistakes: tuple[tuple[str, tuple[str, ...]], ...]  # (label, hashes) per distinct wrong value
    reveal: str  # the answer as the key writes it, encrypted (base64)
    shape: tuple[int, int] = (1, 1)  # a matrix's rows and columns, typed row by row


def salt(e: Exercise) -> str:
    """The page's salt for exercise ``e``: from its seed and variant (the same files each time)."""
    return hashlib.sha256(f"symdrop self-check|{e.seed}|{e.code}".encode()).hexdigest()[:16]


def hashes(s: str, name: str, values, step: Fraction | None) -> tuple[str, ...]:
    exact = [as_fraction(v) for v in values]
    if step is None:
        return (digest(s, name, canonical(exact)),)
    return tuple(digest(s, f"{name}#{i}", f"g{grid(v, step)}") for i, v in enumerate(exact))


def encrypt(s: str, name: str, text: str) -> str:
    """``text`` XOR a keystream of SHA-256 blocks of ``salt|name|reveal|counter`` (the page's
    script derives the same): not in clear text, but anyone who reads the script can undo it."""
    data = text.encode()
    stream = b"".join(hashlib.sha256(f"{s}|{name}|reveal|{k}".encode()).digest() for k in range(len(data) // 32 + 1))
    return base64.b64encode(bytes(a ^ b for a, b in zip(data, stream))).decode()


def checks(e: Exercise, labels) -> list[Check]:
    """An input per quantity of ``e``'s answer: the last is ``answer-N``, the ones before it
    ``answer-N-1``, ... (a kind that asks for values on the way: E[S] before Var(S))."""
    s = salt(e)
    answer, wrong = e.answer, e.wrong_answers()
    step = Fraction(e.tolerance) / GRID if e.tolerance is not None else None
    quantities = answer_quantities(e.kind.parts(e.derivation))
    found = []
    for k, q in enumerate(quantities, start=1):
        name = f"answer-{e.number}" if k == len(quantities) else f"answer-{e.number}-{k}"
        right = [answer[i] for i in q.numbers]
        own = hashes(s, name, right, step)
        by_hash: dict[tuple[str, ...], list[str]] = {}
        for m, values in wrong:
            got = hashes(s, name, [values[i] for i in q.numbers], step)
            if got != own:
                by_hash.setdefault(got, []).append(m.label)
        text = ", ".join(answer_text(v, step is not None) for v in right)
        found.append(Check(name, str(labels.text_label(q.part)), len(right), None if step is None else str(step), own,
                           tuple(("; or ".join(ls), h) for h, ls in by_hash.items()), encrypt(s, name, text), q.shape))
    return found


_SECTION = re.compile(r"<h2>(?!The network)(.*?)(?=<h2>|\Z)", re.S)


def first_step(solution: str) -> str:
    """The worked solution's first step (its first section after the network), or "" where the
    solution has no second step (its first would show the answer)."""
    sections = _SECTION.findall(solution)
    return "<h3>" + sections[0].replace("</h2>", "</h3>", 1) if len(sections) > 1 else ""


def selfcheck_pages(sheet: Sheet, options: RenderOptions = RenderOptions()) -> dict[str, str]:
    """``{file name: page}``: one self-check page for the sheet, or one per student of a class set."""
    options = options.for_sheet(sheet)
    env = make_env(options)
    macros = env.get_template("page/macros.j2").make_module({"engine": None})
    labels = env.get_template("moodle/labels.j2").module
    template = env.get_template("page/selfcheck.j2")
    pages = {}
    for student, exercises in sheet.groups():
        items = []
        for e in exercises:
            picture: Diagram | None = diagram_of(e.derivation) if options.diagram else None
            parts = render_parts(e, "html", options, picture)
            items.append((e, parts["problem"], first_step(parts["solution"]), checks(e, labels), salt(e)))
        name = f"selfcheck-{student_file(student, exercises[0].code)}.html" if student else "selfcheck.html"
        pages[name] = finish(template.render(m=macros, student=student, seed=sheet.seed, items=items, forms=FORMS,
                                             tries=TRIES, grid=GRID, kinds=sheet.kinds))
    return pages
