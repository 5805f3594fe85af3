"""A graded class as files: grades.csv, grades.json, a feedback page per student, the class report."""

import hashlib
import re
from collections import Counter
from dataclasses import replace
from fractions import Fraction

from ..core.derive import numeric_step
from ..exercises.kind import written_rows
from ..exercises.kinds import get
from ..grading.grade import StudentGrade, Ungraded, total
from .documents import step_rows
from .env import compact, make_env, render_document
from .escape import csv_cell, spreadsheet_csv
from .jsontext import indented, rows_text
from .numbertext import exact_text, plain, rounded_each
from .options import RenderOptions

BINS = 10  # the score histogram: tenths of the maximum
# Names Windows keeps for devices, whatever the suffix or case: no file may have them.
_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"{d}{i}" for d in ("COM", "LPT") for i in range(1, 10))}


def points_text(value: Fraction) -> str:
    """Points as a spreadsheet reads them: 4, 3.5, or 10/3 where no decimal ends."""
    return exact_text(value, decimals=True)


def scores(students: list[StudentGrade]) -> list[tuple[Fraction, Fraction]]:
    """Each student's points and maximum, summed once for every file that writes them (each is
    a sum over the student's parts: grades.csv, grades.json, the report and the feedback pages
    summed them four times)."""
    return [(s.points, s.max_points) for s in students]


def grades_csv(students: list[StudentGrade], summed: list | None = None) -> str:
    """One row per student: id, name, points, max points, then per problem code, points, mistakes;
    after a UTF-8 byte-order mark, as key.csv (Excel then shows every name as written).
    ``summed``: :func:`scores` of ``students``, where the caller has them."""
    problems = max((len(s.problems) for s in students), default=0)
    header = ["id", "name", "points", "max_points"]
    for k in range(1, problems + 1):
        header += [f"code_{k}", f"points_{k}", f"mistakes_{k}"]
    rows = [header]
    for s, (points, most) in zip(students, summed or scores(students), strict=True):
        row = [csv_cell(s.student), csv_cell(s.name), points_text(points), points_text(most)]
        for entry, _ in s.problems:
            parts = [p for p in s.parts if p.code == entry["code"]]
            ids = sorted({m for p in parts for m in p.mistakes})
            row += [entry["code"], points_text(total([p.points for p in parts])), csv_cell(" ".join(ids))]
        rows.append(row)
    return spreadsheet_csv(rows)


def grades_json(students: list[StudentGrade], ungraded: list[Ungraded], summed: list | None = None) -> dict:
    """``{"students": [{"student", "name", "points", "max_points", "parts": [...]}], "ungraded": [...]}``;
    a part: ``{"code", "part", "answer", "expected", "correct", "mistakes", "carried_forward",
    "after_mistake", "points"}`` (``summed`` as for :func:`grades_csv`)."""
    return {
        "students": [
            {"student": s.student, "name": s.name, "points": points_text(points),
             "max_points": points_text(most),
             "parts": [{"code": p.code, "part": p.part, "answer": p.answer,
                        "expected": [plain(v) for v in p.expected], "correct": p.correct,
                        "mistakes": list(p.mistakes), "carried_forward": p.carried_forward,
                        "after_mistake": p.after_mistake,
                        "points": points_text(p.points)} for p in s.parts]}
            for s, (points, most) in zip(students, summed or scores(students), strict=True)
        ],
        "ungraded": [{"row": u.row, "student": u.student, "reason": u.reason} for u in ungraded],
    }


# A part's fields in grades.json, in its order (as grades_json writes each part).
PART_FIELDS = ("code", "part", "answer", "expected", "correct", "mistakes", "carried_forward", "after_mistake", "points")


def grades_json_text(students: list[StudentGrade], ungraded: list[Ungraded], summed: list | None = None) -> str:
    """grades.json's text: :func:`grades_json` indented by 2, non-ASCII as it is, and a newline;
    each student's parts written as rows of their values (``jsontext.rows_text``), not as dicts."""
    document = grades_json([], ungraded)
    document["students"] = [
        {"student": s.student, "name": s.name, "points": points_text(points), "max_points": points_text(most),
         "parts": rows_text(PART_FIELDS, [(p.code, p.part, p.answer, [plain(v) for v in p.expected], p.correct,
                                          list(p.mistakes), p.carried_forward, p.after_mistake, points_text(p.points))
                                         for p in s.parts], 3)}
        for s, (points, most) in zip(students, summed or scores(students), strict=True)
    ]
    return indented(document) + "\n"


def feedback(student: StudentGrade, fmt: str, options: RenderOptions = RenderOptions(),
             score: tuple | None = None) -> str:
    """A student's feedback page: every part right or wrong, the mistake in plain words, and for
    the first step off track the lines of the worked solution that compute it (``score``: the
    student's points and maximum, where the caller has them: :func:`scores`)."""
    problems = []
    for entry, checked in student.problems:
        parts = [p for p in student.parts if p.code == entry["code"]]
        lines = None
        answered = [p for p in parts if p.answer]
        wrong = next((p for p in answered if not p.correct), None)
        kind = get(entry["kind"])
        if wrong is not None and kind.has_layer_values:
            network = checked.network  # the problem as grade read it
            layer = network.depth if wrong.part == "y" else int(wrong.part[1:])
            # Only the answer given: where the student went off track is not known.
            located = wrong.part != "y" or len(answered) > 1
            # The step of the kind's derivation (the core's pass in the kind's mode), alone, its
            # irrational values to the places the class's worked solutions show (the spec's digits).
            shown = options if options.digits is not None or network.digits is None \
                else replace(options, digits=network.digits)
            lines = (layer, step_rows(numeric_step(network, layer, kind.mode), shown), located)
        problems.append((entry, parts, mistake_labels(checked), lines))
    right = right_values(student, options)
    earned, most = score or (student.points, student.max_points)
    return render_document("feedback", fmt, options, s=student, earned=earned, most=most, problems=problems, right=right,
                           part_rows=[part_rows(parts, right) for _, parts, _, _ in problems])


def part_rows(parts: list, right: dict) -> list[tuple]:
    """What a feedback page says of each part, as a row its template unpacks (attributes and the
    points filter, read in the template, were a Python call each: some 15 a part, 6,300 parts a
    class): the part's name, the answer written, whether it is unreadable, how many numbers it
    has, whether it is right, its right value (of ``right``, None where right), carried forward,
    after a named mistake, the mistakes' ids, its points and its maximum (as grades.csv writes them)."""
    return [(p.part, p.answer, p.unread, len(p.expected), p.correct, right.get((p.code, p.part)), p.carried_forward,
             p.after_mistake, p.mistakes, points_text(p.points), points_text(p.max_points)) for p in parts]


def mistake_labels(checked) -> dict[str, str]:
    """``{id: label}`` of every mistake a check named, at the answer or at a step."""
    return {m.name: m.label for m in (*checked.mistakes, *(m for p in checked.parts for m in p.mistakes))}


def right_values(student: StudentGrade, options: RenderOptions = RenderOptions()) -> dict:
    """The right value of each part the student got wrong, by (code, part), as a feedback page
    sets it in a sentence: ``(1, -2)``, irrational entries as decimals (``map("rounded") | list |
    compact`` in a template, a filter call per number: a tenth of a page's time); an answer that is
    one matrix row by row, ``(0, 0); (18, 18)``, as the student writes it. A value with an
    irrational entry (through a sigmoid or tanh) is marked as rounded, with what an answer is
    right within: ``\\approx 2.73848 \\pm 0.0003``, each number's where there are several."""
    columns = {entry["code"]: checked.kind.answer_columns(checked.network) for entry, checked in student.problems}
    tolerances = {entry["code"]: checked.tolerance for entry, checked in student.problems}
    right = {}
    for p in student.parts:
        if not p.correct:
            values = rounded_each(p.expected, digits=options.digits)
            if p.part == "y" and columns[p.code]:
                values = written_rows(values, columns[p.code])
            text = compact(values, decimals=options.decimals)
            if not all(v.is_Rational for v in p.expected):
                tolerance = tolerances[p.code]
                # several numbers (a vector, a matrix row by row): the tolerance is each number's, not
                # its last row's, as "(0, 0); (0.1, 0.2) \pm T" would read
                within = r" \text{, each number within } " if len(p.expected) > 1 else " "
                text = rf"\approx {text}" + (rf"{within}\pm {exact_text(tolerance, decimals=True)}" if tolerance else "")
            right[(p.code, p.part)] = text
    return right


def feedback_names(ids: list[str]) -> list[str]:
    """The name (without suffix) of each student's feedback file, named after the student: the
    id as it is where it has only letters, digits, ``_`` and ``-`` (at most 40, not starting with
    ``-``); else those characters (others made ``_``) and the first 8 hex digits of the id's
    SHA-256, ``a_b-c14cddc0`` for ``a/b``, as also where two ids differ only in case (a file
    system may not tell them apart); ``-2``, ``-3``, ... after a name still taken."""
    folded = Counter(student.casefold() for student in ids)
    names, taken = [], set()
    for student in ids:
        safe = re.sub(r"[^A-Za-z0-9_-]+", "_", student).strip("_").lstrip("-")[:40]
        if safe != student or safe.upper() in _RESERVED or folded[student.casefold()] > 1:
            digest = hashlib.sha256(student.encode("utf-8")).hexdigest()[:8]
            safe = f"{safe}-{digest}" if safe else digest
        name, n = safe, 1
        while name.casefold() in taken:
            n += 1
            name = f"{safe}-{n}"
        taken.add(name.casefold())
        names.append(name)
    return names


def report(students: list[StudentGrade], ungraded: list[Ungraded], fmt: str,
           options: RenderOptions = RenderOptions(), svg: str | None = None, counts: dict | None = None) -> str:
    """The class report: the score histogram and how many students made each mistake
    (``counts``: :func:`chart` of ``students``, where the caller has it: grade writes a class's
    report in two or three formats and its picture)."""
    return render_document("report", fmt, options, chart=counts or chart(students), ungraded=ungraded,
                           students=students, svg=svg)


def report_svg(students: list[StudentGrade], options: RenderOptions = RenderOptions(),
               counts: dict | None = None) -> str:
    """The class report's picture as an SVG document (beside report.md; ``counts`` as for :func:`report`)."""
    return make_env(options).get_template("svg/report.svg.j2").render(chart=counts or chart(students))


def chart(students: list[StudentGrade], summed: list | None = None) -> dict:
    """The report's numbers: students per tenth of the maximum (the last bin holds full marks)
    and students per mistake id, most frequent first (ties by id), with each mistake's words
    (``labels``: as the first check that named it words it; ``summed`` as for :func:`grades_csv`)."""
    bins = [0] * BINS
    shares = []  # each student's share of the maximum (None: a maximum of 0), summed once
    for _, (points, most) in zip(students, summed or scores(students), strict=True):
        shares.append(points / most if most else None)
        bins[min(BINS - 1, max(0, int((shares[-1] or Fraction(0)) * BINS)))] += 1
    made = Counter(m for s in students for m in {m for p in s.parts for m in p.mistakes})
    labels = {}
    for s in students:
        for _, checked in s.problems:
            for name, label in mistake_labels(checked).items():
                labels.setdefault(name, label)
    mistakes = sorted(made.items(), key=lambda item: (-item[1], item[0]))
    mean = sum((share for share in shares if share is not None), Fraction(0)) / max(1, len(students))
    return {"bins": bins, "labels": [f"{10 * k}–{10 * k + 10}%" for k in range(BINS)], "mistakes": mistakes,
            "words": {name: labels.get(name, "") for name, _ in mistakes},
            "most": max([*bins, *(c for _, c in mistakes), 1]), "students": len(students),
            "mean": _percent(mean)}


def _percent(share: Fraction) -> str:
    """A share as a percentage to one place, rounded exactly (no float), and the exact share beside
    it where the percentage is rounded: 1/2 -> "50.0%", 1/3 -> "33.3% (exactly 1/3)" (the mean of the
    students' shares of their points, not a share of the class's points)."""
    tenths = round(share * 1000)
    text = f"{tenths // 10}.{tenths % 10}%"
    return text if Fraction(tenths, 1000) == share else f"{text} (exactly {exact_text(share)})"
