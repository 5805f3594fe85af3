"""A student's self-check page (``sheet --format html``): each problem with an input per quantity
of its answer. The page holds no answer in clear text: the salted hash of each right answer's
canonical form (render/canonical.py), each known mistake's the same way with its label, and the
answer itself encrypted by a key the page derives (its "Show answer" button)."""

import base64
import hashlib
import re
from dataclasses import dataclass, replace
from fractions import Fraction

import sympy

from ..exercises.labels import plain
from ..exercises.kind import answer_quantities
from ..exercises.sheet import Exercise, Sheet
from ..limits import MAX_CSV_CELL, MAX_DIGITS
from .canonical import FORMS, canonical, digest, grid
from .diagram import Diagram
from .documents import diagram_of
from .env import capitalize_first, layer_noun, make_env
from .layercheck import WORDS, asked, carry
from .lms import as_fraction
from .numbertext import answer_text
from .options import RenderOptions
from .page import finish
from .plainmath import plain_label
from .parts import render_parts
from .sheets import student_file

GRID = 10  # a value right within a tolerance t is hashed on the grid of t/GRID; the page tries the
# typed value's grid point and the GRID on either side (none farther can be within t), and where one
# is the value's, compares the typed value exactly with the value's offset from that point (its
# "edge", encrypted by the point): right exactly where ``check`` says within t.
DIGITS = 60  # significant digits of an irrational value's edge: a typed number of at most
# MAX_DIGITS digits lies within 10^-DIGITS of a bound t from it only by a freak coincidence
TRIES = 2  # wrong tries before the hint
# The values of a kind's key entry (Kind.key_values, as key.json names them) that its question asks
# for beside the answer: each an input of its own, named in math and in words. (variance:alone's
# key holds E[S], penalty's L(E[ŷ]): values on the way, which their questions do not ask.)
KEY_VALUES = {"test_time": ("ŷ_test", "the test-time prediction"), "gap": ("E[ŷ] − ŷ_test", "the gap")}


@dataclass(frozen=True)
class Check:
    """One input: its name (``answer-3``), what it asks for, how many numbers, the hashes."""

    name: str
    label: str
    size: int
    step: str | None  # the grid's step (a fraction) where the answer is right within a tolerance
    right: tuple[str, ...]  # one hash of the whole canonical answer; on a grid, one per number
    # (label, hashes, edges) per distinct wrong value
    mistakes: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...]
    reveal: str  # the answer as the key writes it, encrypted (base64); "" with --no-reveal
    shape: tuple[int, int] = (1, 1)  # a matrix's rows and columns, typed row by row
    math: str = ""  # its math name alone (z⁽¹⁾), as the feedback names it
    # (l, "z" or "a", which entries): the layer vector it is (part of), where the page carries a
    # student's own values forward (render/layercheck.py); None elsewhere
    layer: tuple[int, str, tuple[int, ...]] | None = None
    edges: tuple[str, ...] = ()  # on a grid, per right number its edge (:func:`edges`)


def salt(e: Exercise) -> str:
    """The page's salt for exercise ``e``: from its seed and variant (the same files each time)."""
    return hashlib.sha256(f"symdrop self-check|{e.seed}|{e.code}".encode()).hexdigest()[:16]


def hashes(s: str, name: str, values, step: Fraction | None) -> tuple[str, ...]:
    exact = [as_fraction(v) for v in values]
    if step is None:
        return (digest(s, name, canonical(exact)),)
    return tuple(digest(s, f"{name}#{i}", f"g{grid(v, step)}") for i, v in enumerate(_near(values)))


def edges(s: str, name: str, values, step: Fraction | None) -> tuple[str, ...]:
    """On a grid, per number v its edge: v - K step (K its grid point, v exact or to
    :data:`DIGITS` digits) as a fraction, encrypted by K (``NAME#i|gK``): a page that finds K by
    its hash reads it and compares a typed number with K step + edge exactly, as ``check`` does."""
    if step is None:
        return ()
    found = []
    for i, v in enumerate(_near(values)):
        k = grid(v, step)
        found.append(encrypt(s, f"{name}#{i}|g{k}", str(v - k * step)))
    return tuple(found)


def _near(values) -> list[Fraction]:
    """Each value as a Fraction: exact where rational, else to :data:`DIGITS` significant digits."""
    return [as_fraction(v) if sympy.sympify(v).is_Rational else Fraction(str(sympy.N(v, DIGITS))) for v in values]


def encrypt(s: str, name: str, text: str) -> str:
    """``text`` XOR a keystream of SHA-256 blocks of ``salt|name|reveal|counter`` (the page's
    script derives the same): not in clear text, but anyone who reads the script can undo it."""
    data = text.encode()
    stream = b"".join(hashlib.sha256(f"{s}|{name}|reveal|{k}".encode()).digest() for k in range(len(data) // 32 + 1))
    return base64.b64encode(bytes(a ^ b for a, b in zip(data, stream))).decode()


def checks(e: Exercise, labels) -> list[Check]:
    """An input per value ``e`` asks: first each layer value of a kind that has them,
    ``answer-N-z1``, ``answer-N-a1``, ... (named as ``check --values`` names them); then each
    quantity of the answer, the last ``answer-N``, the ones before it ``answer-N-1``, ... (a kind
    that asks for values on the way: E[S] before Var(S); a prediction's entries)."""
    s = salt(e)
    step = Fraction(e.tolerance) / GRID if e.tolerance is not None else None
    found = [_check(s, f"answer-{e.number}-{v.key}", _label(labels, v.part, e), v.right, v.wrong, step,
                    layer=(v.part.l, v.part.name, tuple(range(len(v.right))))) for v in asked(e)]
    for key, values in e.kind.key_values(e.derivation).items():
        if key in KEY_VALUES:
            math, words = KEY_VALUES[key]
            found.append(_check(s, f"answer-{e.number}-{key}", (f"{math} ({words})", math), tuple(values), (), step))
    quantities = answer_quantities(e.kind.parts_of_answer(e.derivation))
    answer, wrong = e.answer, e.wrong_answers()
    for k, q in enumerate(quantities, start=1):
        name = f"answer-{e.number}" if k == len(quantities) else f"answer-{e.number}-{k}"
        mistakes = tuple((plain(m.label), tuple(values[i] for i in q.numbers)) for m, values in wrong)
        layer = (e.network.depth, "a", q.numbers) if e.kind.has_layer_values else None
        found.append(_check(s, name, _label(labels, q.part, e), tuple(answer[i] for i in q.numbers), mistakes, step,
                            q.shape, layer))
    return found


def _check(s: str, name: str, label: tuple[str, str], right: tuple, wrong, step: Fraction | None,
           shape: tuple[int, int] = (1, 1), layer: tuple | None = None) -> Check:
    """The input ``name``: the hashes of its right numbers and of each mistake's that differ
    (mistakes with one value named together), the answer encrypted."""
    own = hashes(s, name, right, step)
    by_hash: dict[tuple[tuple[str, ...], tuple[str, ...]], list[str]] = {}
    for mistake, values in wrong:
        got = hashes(s, name, values, step)
        if got != own:
            found = by_hash.setdefault((got, edges(s, name, values, step)), [])
            if mistake not in found:
                found.append(mistake)
    text = ", ".join(answer_text(v, step is not None) for v in right)
    return Check(name, label[0], len(right), None if step is None else str(step), own,
                 tuple(("; or ".join(ls), h, e) for (h, e), ls in by_hash.items()), encrypt(s, name, text), shape,
                 label[1], layer, edges(s, name, right, step))


def _label(labels, part, e: Exercise) -> tuple[str, str]:
    """What an input asks, its math name as the key's (``z⁽¹⁾``; key.csv's where it has no plain
    form) with words where it is a layer's value: ("z⁽¹⁾ (the first hidden layer's
    pre-activations)", "z⁽¹⁾")."""
    math = plain_label(labels.label(part)) or str(labels.text_label(part))
    if part.name in WORDS:
        return f"{math} ({layer_noun(part.l, e.network.depth)}'s {WORDS[part.name]})", math
    if part.name == "prediction" and e.kind.has_layer_values:
        return f"{math} (the prediction)", math
    return math, math


_SECTION = re.compile(r"<h2>(?!The network)(.*?)(?=<h2>|\Z)", re.S)


@dataclass(frozen=True)
class Hint:
    """A step of the worked solution shown after wrong tries: that of hidden layer ``layer`` (0:
    the solution's first step, of a kind without layer values), named ``name`` in the feedback
    ("A hint, the step of the first hidden layer, is shown below.")."""

    layer: int
    name: str
    html: str


def hints(e: Exercise, solution: str) -> list[Hint]:
    """The hints of exercise ``e``: of a kind with layer values, the step of each hidden layer
    (the script shows the one of a wrong value's own layer, or for the answer the first layer
    not yet right); else the solution's first step. None where a step would show the answer (the
    solution has no second step; a network without hidden layers)."""
    sections = _SECTION.findall(solution)
    if len(sections) < 2:
        return []
    if not e.kind.has_layer_values:
        return [Hint(0, "the first step of the worked solution", _hint(sections[0]))]
    depth = e.network.depth
    steps = {section.partition("</h2>")[0]: section for section in sections}
    return [Hint(l, f"the step of {layer_noun(l, depth)}", _hint(steps[capitalize_first(layer_noun(l, depth))]))
            for l in range(1, depth)]


def _hint(section: str) -> str:
    return "<h3>Hint: " + section.replace("</h2>", "</h3>", 1)


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
            parts = render_parts(e, "html", options, picture, solutions=False)
            found = [c if options.reveal else replace(c, reveal="") for c in checks(e, labels)]  # --no-reveal
            items.append((e, parts["problem"], hints(e, parts["solution"]), found, salt(e), carry(e)))
        name = f"selfcheck-{student_file(student, exercises[0].code)}.html" if student else "selfcheck.html"
        # the sheet's options: the kinds' introductions say how values are given (a sigmoid sheet's rounded)
        pages[name] = finish(template.render(m=macros, student=student, seed=sheet.seed, options=sheet.options,
                                             items=items, forms=FORMS, max_digits=MAX_DIGITS, max_cell=MAX_CSV_CELL,
                                             tries=TRIES, grid=GRID, kinds=sheet.kinds, reveal=options.reveal))
    return pages
