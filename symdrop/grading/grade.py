"""Grading a class: answers.csv against key.json with a rubric; every row graded or listed with its reason."""

import math
import re
from collections import Counter
from dataclasses import dataclass, field
from fractions import Fraction
from functools import cache, partial
from pathlib import Path
from typing import NamedTuple

from ..errors import SpecError, SymdropError, quote
from ..core.forward import layer_values
from ..exercises.kinds import get
from ..limits import MAX_SPEC_BYTES, MAX_TABLE_BYTES
from ..textfiles import csv_rows, header_text, read_text
from ..model.spec import parse_spec, read_document
from ..numbers import to_sympy
from .answers import parse_number, parse_vector
from .check import check, equal
from .keys import recorded_mistakes

PART = re.compile(r"y|[za][1-9]\d?")  # y, z1, a1, z2, ...
IGNORED = ("name",)  # columns a teaching assistant's sheet may hold beside the answers


@dataclass(frozen=True)
class Rubric:
    """Points per part (``y``; ``z`` and ``a`` for every layer's z^(l), a^(l)); the share of a
    part's points for a part right given the student's own earlier values (error carried
    forward) and for an answer a named mistake gives; points taken off for each wrong part; and
    whether the values after a step where the student made a named mistake earn carried-forward
    credit (by default not: an answer alone and the same answer with its working score alike)."""

    y: Fraction = Fraction(4)
    z: Fraction = Fraction(1)
    a: Fraction = Fraction(1)
    carried_forward: Fraction = Fraction(1)
    mistake: Fraction = Fraction(0)
    penalty: Fraction = Fraction(0)
    carry_forward_mistakes: bool = False

    def points(self, part: str) -> Fraction:
        return getattr(self, part[0])


RUBRIC_KEYS = ("points", "carried_forward", "mistake", "penalty", "carry_forward_mistakes")


def read_rubric(path) -> Rubric:
    """A rubric from YAML: ``points: {y: 4, z: 1, a: 1}``, ``carried_forward: 1``, ``mistake: 0``
    (shares of a part's points), ``penalty: 0``, ``carry_forward_mistakes: false``; what it
    leaves out keeps its default."""
    path = Path(path)
    text = read_text(path, MAX_SPEC_BYTES, "a rubric")
    try:
        data = read_document(text, name=str(path)) or {}
    except SpecError:
        raise SymdropError(f"{path}: expected a YAML rubric like points: {{y: 4, z: 1, a: 1}}") from None
    if not isinstance(data, dict) or any(k not in RUBRIC_KEYS for k in data):
        bad = next((k for k in data if k not in RUBRIC_KEYS), None) if isinstance(data, dict) else None
        raise SymdropError(f"{path}: {bad or 'rubric'}: expected keys {', '.join(RUBRIC_KEYS)}")
    values = {}
    if "carry_forward_mistakes" in data:
        values["carry_forward_mistakes"] = data.pop("carry_forward_mistakes")
        if not isinstance(values["carry_forward_mistakes"], bool):
            raise SymdropError(f"{path}: carry_forward_mistakes: expected true or false, "
                               f"got {quote(str(values['carry_forward_mistakes']))}")
    points = data.get("points", {})
    if not isinstance(points, dict) or any(k not in ("y", "z", "a") for k in points):
        raise SymdropError(f"{path}: points: expected a mapping of y, z, a to points")
    for key, value in [*points.items(), *((k, data[k]) for k in RUBRIC_KEYS[1:] if k in data)]:
        number = parse_number(str(value), f"{path}: {key}")
        if number < 0 or (key in ("carried_forward", "mistake") and number > 1):
            raise SymdropError(f"{path}: {key}: expected {'a share from 0 to 1' if key in ('carried_forward', 'mistake') else 'points >= 0'}, got {value}")
        values[key] = number
    return Rubric(**values)


@dataclass(frozen=True)
class Row:
    """One answer row of answers.csv: its row number (the header is row 1), the student, the
    variant code (may be empty) and the cells by part."""

    row: int
    student: str
    code: str
    cells: dict


@dataclass(frozen=True)
class Ungraded:
    row: int | None  # None: a student of the key with no row at all
    student: str
    reason: str


class GradedPart(NamedTuple):
    """One graded part of a student's problem. (A named tuple: a class makes one for every part
    of every problem, some 6,300 for 300 students, and a frozen dataclass sets each of its eleven
    fields through object.__setattr__. So it is a tuple: equal to a plain tuple of the same
    values, changed by ``_replace``, not ``dataclasses.replace``.)"""

    code: str
    part: str
    answer: str  # as written
    expected: tuple
    correct: bool
    mistakes: tuple  # ids
    carried_forward: bool
    points: Fraction
    max_points: Fraction
    after_mistake: bool = False  # after the step where the student made a named mistake
    unread: bool = False  # written, but not readable as the numbers the part has


@dataclass
class StudentGrade:
    student: str
    name: str
    parts: list = field(default_factory=list)
    problems: list = field(default_factory=list)  # (key entry, Check) in key order

    @property
    def points(self) -> Fraction:
        return total([p.points for p in self.parts])

    @property
    def max_points(self) -> Fraction:
        return total([p.max_points for p in self.parts])


def total(values: list) -> Fraction:
    """``sum(values, Fraction(0))`` of ints and Fractions, the same Fraction: the numerators over
    one common denominator, reduced once (Fraction's ``+`` reduces after every addition: a
    student's points summed some 3,600 times for 300 students' files)."""
    common = math.lcm(*[v.denominator for v in values]) if values else 1
    return Fraction(sum([v.numerator * (common // v.denominator) for v in values]), common)


def read_answers(path) -> tuple[list[Row], tuple[str, ...]]:
    """The rows of answers.csv (wide: student, code, y, z1, a1, ...; or long: student, code, part,
    answer) and the part columns the class answers. A file without a header, a student column or
    any row below the header is refused in one line; a bad row is returned for the grader to list."""
    path = Path(path)
    rows = csv_rows(read_text(path, MAX_TABLE_BYTES, "a CSV file"), str(path))
    if not rows or not any(c.strip() for c in rows[0]):
        raise SymdropError(f"{path}: empty; expected a header row with columns student, code, y (or part, answer)")
    header = [c.strip().lower() for c in rows[0]]
    if "student" not in header:
        raise SymdropError(f"{path}: row 1: missing column 'student' (the header has {header_text(header)})")
    twice = next((column for column, n in Counter(header).items() if n > 1), None)
    if twice is not None:
        raise SymdropError(f"{path}: row 1: column {quote(twice)} appears twice")
    long = "part" in header and "answer" in header
    known = {"student", "code", *IGNORED} | ({"part", "answer"} if long else set())
    for column in header:
        if column not in known and not (not long and PART.fullmatch(column)):
            expected = "student, code, part, answer" if long else "student, code, name, y, z1, a1, ..."
            raise SymdropError(f"{path}: row 1: unknown column {quote(column)} (expected {expected})")
    out, parts = [], []
    for number, cells in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in cells):
            continue  # a blank line
        cells = cells + [""] * (len(header) - len(cells))
        values = dict(zip(header, (c.strip() for c in cells)))
        if len(cells) > len(header):
            values["__extra__"] = "x"
        if long:
            part = values.get("part", "").lower()
            by_part = {part: values.get("answer", "")}
        else:
            by_part = {c: values[c] for c in header if PART.fullmatch(c)}
        out.append(Row(number, values["student"], values.get("code", "").upper(),
                       {**by_part, **({"__extra__": "x"} if "__extra__" in values else {})}))
        parts += [p for p in by_part if p not in parts]
    if not out:  # nothing to grade: refused, as a roster of no students is, before any file is written
        raise SymdropError(f"{path}: no answers (only a header row)")
    return out, tuple(parts)


def grade(key: dict, rows: list[Row], rubric: Rubric = Rubric(), tolerance: Fraction | None = None,
          columns: tuple[str, ...] = ("y",), fast: bool = True) -> tuple[list[StudentGrade], list[Ungraded]]:
    """Grade every row against the key (a class set's key.json, or a sheet's: then ``code``
    names the problem and ``student`` is whoever answered). Returns the students in key order
    (then in order of first row) and every row that was not graded, with the reason. Every
    problem of a student counts ``columns`` (the parts the answers file has) that its kind has,
    answered or not, so that every student of a problem has the same maximum. Where a student
    answers a part of a problem in several rows, the last readable answer is graded and every
    other is listed. ``fast``: a final answer's mistakes as the key records them
    (:func:`.keys.recorded_mistakes`), not computed from the spec again: the same grades
    (tests/test_fast_paths.py)."""
    entries = key["problems"]
    by_code = {e["code"]: e for e in entries}
    class_set = any("student" in e for e in entries)
    codes_of: dict[str, list[str]] = {}
    names = {}
    for e in entries:
        if class_set:
            codes_of.setdefault(e["student"], []).append(e["code"])
            names[e["student"]] = e.get("name", "")
    ungraded: list[Ungraded] = []
    answered: dict[tuple[str, str], dict] = {}  # (student, code) -> {part: [(row, text), ...] in file order}
    for row in rows:
        problem, reason = _problem_of(row, class_set, codes_of, by_code)
        if reason:
            ungraded.append(Ungraded(row.row, row.student, reason))
            continue
        if "__extra__" in row.cells:
            ungraded.append(Ungraded(row.row, row.student, "more cells than the header has columns"))
            continue
        slot = answered.setdefault((row.student, problem), {})
        for part, text in row.cells.items():
            if text != "":
                slot.setdefault(part, []).append((row.row, text))
    order = list(codes_of) if class_set else list(dict.fromkeys(student for student, _ in answered))
    students: dict[str, StudentGrade] = {}
    known: dict[str, tuple] = {}
    for student in order:
        grade_ = StudentGrade(student, names.get(student, ""))
        codes = codes_of.get(student) if class_set else [c for (s, c) in answered if s == student]
        if not any((student, c) in answered for c in codes):
            ungraded.append(Ungraded(None, student, "no answers"))
            continue
        for code in codes:
            parts, checked, listed = _grade_problem(by_code[code], _problem(known, by_code[code], fast),
                                                    answered.get((student, code), {}), rubric, tolerance, columns)
            ungraded += [Ungraded(row, student, reason) for row, reason in listed]
            grade_.parts += parts
            grade_.problems.append((by_code[code], checked))
        if grade_.parts:
            students[student] = grade_
    ungraded.sort(key=lambda u: (u.row is None, u.row or 0))
    return list(students.values()), ungraded


def _problem(known: dict, entry: dict, fast: bool) -> tuple:
    """A key entry's kind, network, parts, each part's right value and size, and (``fast``, a
    network without sigmoid or tanh layers) the mistakes it records, worked out once (a sheet's
    problem may be answered by a whole class). A spec that cannot be read refuses the key, naming
    the entry."""
    code = entry["code"]
    if code not in known:
        kind = get(entry["kind"])  # a kind key.json's reader knows
        try:
            network = parse_spec(entry["spec"])
        except SymdropError as error:
            raise SymdropError(f"key entry {code}: spec: {error}") from None
        names = kind.part_names(network)
        expected = tuple(kind.compute_answer(network))
        layers = layer_values(network, kind.mode) if kind.has_layer_values else ()
        right = {n: expected if n == "y" else getattr(layers[int(n[1:]) - 1], n[0]) for n in names}
        sizes = {n: len(values) for n, values in right.items()}
        # a sigmoid or tanh layer: irrational answers, whatever the entry says of its tolerance
        exact = not any(layer.g.smooth for layer in network.layers)
        known[code] = (kind, network, names, right, sizes,
                       cache(partial(recorded_mistakes, entry)) if fast and exact else None)
    return known[code]


def _problem_of(row: Row, class_set: bool, codes_of: dict, by_code: dict) -> tuple[str | None, str | None]:
    """The code of the problem a row answers, or None and the reason it has none."""
    if not row.student:
        return None, "no student id"
    if class_set:
        if row.student not in codes_of:
            return None, f"unknown student {quote(row.student)}"
        codes = codes_of[row.student]
        if not row.code:
            return (codes[0], None) if len(codes) == 1 else (None, f"no code, and the student has {len(codes)} problems")
        if row.code not in by_code:
            return None, f"unknown code {quote(row.code)}"
        if row.code not in codes:
            return None, f"code {row.code} is not one of this student's problems"
        return row.code, None
    if not row.code:
        return None, "no code (a sheet's answers name the problem by its variant code)"
    return (row.code, None) if row.code in by_code else (None, f"unknown code {quote(row.code)}")


def _grade_problem(entry: dict, problem: tuple, given: dict, rubric: Rubric, tolerance, columns):
    """The graded parts of one problem, its check, and (row, reason) for every cell that is not
    graded: unreadable, superseded by a later readable answer, or of a part the kind has not
    (an unanswered part counts no points, so the maximum stays the same)."""
    kind, network, names, right, sizes, recorded = problem
    expected = right["y"]
    tolerance = kind.tolerance_for(network) if tolerance is None else tolerance  # irrational answers: the kind's own
    listed, values, written = [], {}, {}
    for part, cells in given.items():
        if part not in names:
            listed += [(row, f"{entry['code']} ({kind.name}) has no part {part}; not graded") for row, _ in cells]
            continue
        chosen, others = _last_readable(f"{entry['code']} part {part}", cells, sizes[part])
        listed += others
        written[part] = cells[-1][1]  # as the feedback shows it: the graded answer, else the last written
        if chosen is not None:
            written[part], values[part] = chosen
    answer = values.pop("y", None)
    checked = check(kind, network, answer if answer is not None else expected, values or None, tolerance,
                    recorded=recorded)
    exact = lambda values: tuple(map(to_sympy, values))  # noqa: E731  (as the documents print them)
    by_part = {p.name: p for p in checked.parts}
    after = _after_mistake(names, by_part)
    parts = []
    for part in (p for p in names if p in columns or p == "y"):
        full = rubric.points(part)
        text = written.get(part, "")
        if part == "y" and answer is not None:
            step = by_part["y"].mistakes if "y" in by_part else ()
            ids = tuple(dict.fromkeys([m.name for m in checked.mistakes] + [m.name for m in step]))
            forward_ok = by_part["y"].carried_forward if "y" in by_part else False
            points = full if checked.correct else _partial(full, rubric, forward_ok, bool(ids), "y" in after)
            if kind.graded_by_entry and not checked.correct:  # each quantity right earns its share
                right = sum(equal((a,), (e,), tolerance) for a, e in zip(answer, expected))
                points = max(points, full * right / len(expected))
            parts.append(GradedPart(entry["code"], "y", text, exact(expected), checked.correct, ids, forward_ok,
                                    points, full, "y" in after))
        elif part in by_part:
            p = by_part[part]
            points = full if p.correct else _partial(full, rubric, p.carried_forward, False, part in after)
            parts.append(GradedPart(entry["code"], part, text, exact(p.expected), p.correct,
                                    tuple(m.name for m in p.mistakes), p.carried_forward, points, full, part in after))
        else:  # not answered (or not readable): no points, the maximum all the same
            parts.append(GradedPart(entry["code"], part, text, exact(right[part]), False, (), False, -rubric.penalty, full,
                                    unread=bool(text.strip())))
    return parts, checked, listed


def _last_readable(what: str, cells: list, size: int):
    """The last of a part's answers (row, text) that reads as ``size`` numbers, as (text,
    numbers), or None; and (row, reason) for each of the others."""
    read = []
    for row, text in cells:
        try:
            value = parse_vector(text, what, size)
            if len(value) != size:
                raise SymdropError(f"{what}: expected {_count(size)}, got {len(value)}")
            read.append((row, text, value, None))
        except SymdropError as error:  # its message, not the error: its traceback holds the grader's frames
            read.append((row, text, None, str(error)))
    readable = [r for r in read if r[2] is not None]
    chosen = readable[-1] if readable else None
    others = []
    for row, text, value, error in read:
        if chosen is not None and row == chosen[0]:
            continue
        if error is None:
            others.append((row, f"duplicate answer for {what}: row {chosen[0]}, the last readable one, is graded"))
        elif chosen is None:
            others.append((row, f"unreadable number, counted as no answer: {error}"))
        else:
            others.append((row, f"unreadable number: {error}; row {chosen[0]}, the last readable one, is graded"))
    return (None if chosen is None else chosen[1:3]), others


def _after_mistake(names: tuple, by_part: dict) -> set[str]:
    """The parts after the first step where the student made a named mistake (its later
    values): what they write there follows from the mistake."""
    made = next((i for i, n in enumerate(names) if n in by_part and by_part[n].mistakes), None)
    return set() if made is None else set(names[made + 1:])


def _count(n: int) -> str:
    return "1 number" if n == 1 else f"{n} numbers"


def _partial(full: Fraction, rubric: Rubric, carried: bool, diagnosed: bool, after_mistake: bool) -> Fraction:
    """A wrong part's points: the carried-forward share where it is right given the student's own
    earlier values, but not after a step where the student made a named mistake unless the
    rubric says so (the same answer given alone earns no more); the mistake share for an answer
    a named mistake gives, whichever is more; else the penalty."""
    credit = carried and (rubric.carry_forward_mistakes or not after_mistake)
    share = max(rubric.carried_forward if credit else Fraction(0), rubric.mistake if diagnosed else Fraction(0))
    return full * share if share else -rubric.penalty
