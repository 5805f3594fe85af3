"""Exercise sheets and class sets: exercises (problem, question, solution, meta) and their files."""

import csv
import io
import json
import os
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import sympy

from ..core.derive import Derivation, derive
from ..core.fastpass import Number, Problem
from .generate import Options, generate, stream, variant_code
from .mistakes import Mistake, mistakes
from ..render.printing import decimal_places, exact_decimal
from ..io.progress import Progress
from ..render.diagram import draw
from ..render.documents import FORMATS, Math, render_figure, render_math, render_svg, render_template
from .roster import Student
from ..model.spec import to_spec
from ..io.tex import compile_pdf

FORMAT_OF = {ext: fmt for fmt, ext in FORMATS.items()}  # "tex" -> "latex"
DOCUMENTS = ("sheet", "key", "solutions")
FIGURES = "figures"  # the Markdown documents' pictures, one SVG per variant


@dataclass(frozen=True)
class Exercise:
    """One exercise, as R/exams has it: the data (a generated problem), the question and solution
    (rendered from the derivation by the templates) and the meta: number, variant code, seed,
    answer and the student it is for. Answer keys are built from the meta, never from text."""

    number: int  # 1.. within its sheet or student
    code: str
    seed: int
    problem: Problem
    derivation: Derivation
    mistakes: tuple[Mistake, ...]
    student: Student | None = None

    @property
    def answer(self) -> tuple[sympy.Rational, ...]:
        return tuple(self.derivation.prediction)

    def wrong_answers(self) -> list[tuple[list[str], tuple[sympy.Rational, ...]]]:
        """The mistakes' answers for the key, one entry per distinct answer with all its labels."""
        grouped: dict[tuple, list[str]] = {}
        for m in self.mistakes:
            grouped.setdefault(m.answer, []).append(m.label)
        return [(labels, tuple(_rational(v) for v in answer)) for answer, labels in grouped.items()]


@dataclass(frozen=True)
class Sheet:
    """A sheet of exercises (one seed, one set of options), or a class set: some for each student."""

    seed: int
    options: Options
    exercises: tuple[Exercise, ...]
    students: tuple[Student, ...] = ()

    @property
    def class_set(self) -> bool:
        return bool(self.students)

    def groups(self) -> list[tuple[Student | None, list[Exercise]]]:
        """The exercises by student, in roster order (one group without a student for a sheet)."""
        if not self.class_set:
            return [(None, list(self.exercises))]
        by_id: dict[str, list[Exercise]] = {s.id: [] for s in self.students}
        for e in self.exercises:
            by_id[e.student.id].append(e)
        return [(s, by_id[s.id]) for s in self.students]


def build_sheet(seed: int, options: Options, problems: int = 5, *, progress: Progress | None = None) -> Sheet:
    """``problems`` distinct exercises; problem k comes from its own stream (seed, k), so a longer
    sheet starts with the same problems as a shorter one."""
    chosen: list[Problem] = []
    taken: set[str] = set()
    for k in range(1, problems + 1):
        chosen.append(generate(stream(seed, "problem", k), options, taken=taken, what=f"problem {k}"))
        taken.add(variant_code(chosen[-1]))
    exercises = []
    for k, problem in enumerate(chosen, start=1):
        exercises.append(make_exercise(seed, k, problem))
        if progress:
            progress.advance()
    return Sheet(seed, options, tuple(exercises))


def build_class_set(
    seed: int, options: Options, students, problems: int = 1, *, progress: Progress | None = None
) -> Sheet:
    """``problems`` exercises for each student, drawn from the stream (seed, student id, k): adding
    a student changes nobody else's problems. Should two students draw the same problem (rule 6),
    the one whose id sorts later draws again, whatever the roster's order."""
    taken: set[str] = set()
    chosen: dict[tuple[str, int], Problem] = {}
    for student in sorted(students, key=lambda s: s.id):
        for k in range(1, problems + 1):
            problem = generate(stream(seed, "student", student.id, k), options, taken=taken,
                               what=f"student {student.id!r}")
            taken.add(variant_code(problem))
            chosen[student.id, k] = problem
    exercises = []
    for student in students:
        for k in range(1, problems + 1):
            exercises.append(make_exercise(seed, k, chosen[student.id, k], student))
            if progress:
                progress.advance()
    return Sheet(seed, options, tuple(exercises), tuple(students))


def make_exercise(seed: int, number: int, problem: Problem, student: Student | None = None) -> Exercise:
    """The exercise of a generated problem: its model, derivation and meta."""
    code = variant_code(problem)
    network = problem.network(title=f"Problem {number} (variant {code})")
    return Exercise(number, code, seed, problem, derive(network), mistakes(problem), student)


# --- Files ------------------------------------------------------------------------------------


def sheet_files(
    sheet: Sheet, out: Path, formats=tuple(FORMATS), *, pdf: bool = False, split: bool = False,
    diagram: bool = True, progress: Progress | None = None,
) -> dict[Path, str | bytes]:
    """Every file of ``sheet`` under ``out``: sheet, key and solutions in each format (and PDF),
    key.json, for a class set key.csv and, with ``split``, one sheet per student; with
    ``diagram``, each network's picture (TikZ in LaTeX, ``figures/CODE.svg`` for Markdown)."""
    out = Path(out)
    documents = render_documents(sheet, formats, split=split, diagram=diagram, progress=progress)
    files: dict[Path, str | bytes] = {out / name: text for name, text in documents.items()}
    if diagram and "markdown" in formats:
        for e in sheet.exercises:
            svg = render_svg(e.derivation)
            if svg is not None:
                files[out / FIGURES / f"{e.code}.svg"] = svg
    files[out / "key.json"] = json.dumps(key_json(sheet), indent=2, ensure_ascii=False) + "\n"
    if sheet.class_set:
        files[out / "key.csv"] = key_csv(sheet)
    if pdf:
        sources = {name: text for name, text in documents.items() if name.endswith(".tex")}
        if "latex" not in formats:  # the PDF still comes from the LaTeX, which is then not kept
            sources = render_documents(sheet, ("latex",), split=split, diagram=diagram)
            files = {p: c for p, c in files.items() if p.suffix != ".tex"}
        if progress:
            progress.stage(f"compiling {len(sources)} PDF{'s' if len(sources) > 1 else ''}")
        for name, data in zip(sources, _compile_all(list(sources.values()))):
            files[out / Path(name).with_suffix(".pdf")] = data
    return files


def render_documents(
    sheet: Sheet, formats, *, split: bool = False, diagram: bool = True, progress: Progress | None = None
) -> dict[str, str]:
    """``{file name: text}``: each exercise's parts are rendered once and laid out by the
    document templates (all students together, and one sheet per student with ``split``)."""
    decimals = sheet.options.decimals
    documents = {}
    pictures = {id(e): draw(e.derivation.network) if diagram else None for e in sheet.exercises}
    maths = {id(e): render_math(e.derivation, decimals) for e in sheet.exercises}  # shared by both formats
    for fmt in formats:
        ext = FORMATS[fmt]
        parts = {}  # by id(exercise): each exercise is rendered once, whatever documents hold it
        for e in sheet.exercises:
            parts[id(e)] = render_parts(e, ext, decimals, pictures[id(e)], maths[id(e)])
            if progress:
                progress.advance()
        common = dict(seed=sheet.seed, options=sheet.options, class_set=sheet.class_set)
        groups = [(student, [(e, parts[id(e)]) for e in exercises]) for student, exercises in sheet.groups()]
        rows = [(e, [_rational(v) for v in e.answer]) for e in sheet.exercises]
        for name in DOCUMENTS:
            documents[f"{name}.{ext}"] = render_template(
                f"{name}.{ext}.j2", decimals=decimals, groups=groups, rows=rows, **common
            )
        if split and sheet.class_set:
            for student, items in groups:
                if fmt == "markdown" and diagram:  # students/ is one folder down from figures/
                    items = [(e, render_parts(e, ext, decimals, pictures[id(e)], maths[id(e)], f"../{FIGURES}/"))
                             for e, _ in items]
                path = f"students/{student_file(student, items[0][0].code)}.{ext}"
                documents[path] = render_template(f"sheet.{ext}.j2", decimals=decimals, groups=[(student, items)], **common)
    return documents


def render_parts(
    e: Exercise, ext: str, decimals: bool = False, picture=None, math: Math | None = None, figures=f"{FIGURES}/"
) -> dict[str, str]:
    """One exercise's question, key entry and worked solution in one format (``ext``), with its
    ``picture`` (the network's geometry; in Markdown linked as ``figures``/CODE.svg) and its
    formulas (``math``, rendered here unless given: the formats share them)."""
    if math is None:
        math = render_math(e.derivation, decimals)
    figure = render_figure(picture, FORMAT_OF[ext], decimals=decimals, svg=f"{figures}{e.code}.svg")
    context = dict(e=e, d=e.derivation, network=e.derivation.network, steps=e.derivation.steps, figure=figure,
                   math=math)
    return {
        "problem": render_template(f"problem.{ext}.j2", decimals=decimals, **context),
        "answer": render_template(f"answer.{ext}.j2", decimals=decimals, **context),
        "solution": render_template(f"solution.{ext}.j2", decimals=decimals, standalone=False, **context),
    }


def key_json(sheet: Sheet) -> dict:
    """``{"seed", "options", "problems": [{"code", "spec", "answer"}, ...]}``: each spec is what
    ``symdrop solve`` reads, each answer an exact string; class sets add each entry's student."""
    entries = []
    for e in sheet.exercises:
        entry = {"code": e.code, "number": e.number}
        if e.student is not None:
            entry["student"] = e.student.id
        entry["spec"] = _spec(e, sheet.options.decimals)
        entry["answer"] = [exact_text(v, sheet.options.decimals) for v in e.answer]
        entries.append(entry)
    return {"seed": sheet.seed, "options": sheet.options.as_json(), "problems": entries}


def key_csv(sheet: Sheet) -> str:
    """The class set's key table: id, name, problem, variant, and the answer (y, or y1, y2, ...)."""
    outputs = sheet.options.shape[-1]
    answers = ["y"] if outputs == 1 else [f"y{i}" for i in range(1, outputs + 1)]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["id", "name", "problem", "variant", *answers])
    for e in sheet.exercises:
        writer.writerow([e.student.id, e.student.name, e.number, e.code,
                         *(exact_text(v, sheet.options.decimals) for v in e.answer)])
    return buffer.getvalue()


def exact_text(value, decimals: bool = False) -> str:
    """An exact number as text: ``7``, ``-13/20``, or with ``decimals`` ``-0.65`` where exact."""
    value = _rational(value)
    if decimals and value.q != 1 and decimal_places(value.q) is not None:
        return exact_decimal(value.p, value.q)
    return str(value)


def student_file(student: Student, code: str) -> str:
    """A safe, unique file name for a student's own sheet: the id's safe characters and the code."""
    safe = re.sub(r"[^A-Za-z0-9_-]+", "_", student.id).strip("_")[:40]
    return f"{safe}-{code}" if safe else code


def _spec(e: Exercise, decimals: bool) -> dict:
    spec = to_spec(e.derivation.network)
    if not decimals:
        return spec
    number = lambda text: exact_text(sympy.Rational(text), decimals=True)  # noqa: E731
    spec["input"] = [number(v) for v in spec["input"]]
    for layer in spec["layers"]:
        layer["weights"] = [[number(v) for v in row] for row in layer["weights"]]
        layer["bias"] = [number(v) for v in layer["bias"]]
    return spec


def _compile_all(sources: list[str]) -> list[bytes]:
    # pdflatex runs are separate processes: run them side by side, results in order.
    with ThreadPoolExecutor(max_workers=max(1, min(len(sources), os.cpu_count() or 1))) as pool:
        return list(pool.map(compile_pdf, sources))


def _rational(value: Number | sympy.Rational) -> sympy.Rational:
    if isinstance(value, sympy.Rational):
        return value
    return sympy.Rational(value.numerator, value.denominator)
