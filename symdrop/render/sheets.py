"""The documents of a sheet or class set: each exercise's parts rendered once, laid out per format; keys."""

import json
import re
from dataclasses import replace

from ..exercises.labels import plain
from ..exercises.kind import Quantity, answer_quantities, written_rows
from ..exercises.sheet import Exercise, Sheet
from ..exercises.options import format_shape, smooth_shaped
from ..exercises.roster import Student
from ..grading.keys import digest
from ..model.spec import to_spec
from .diagram import Diagram
from .documents import Math, diagram_of, render_math
from .env import document_pieces, make_env, render_document
from .escape import csv_cell, placeholder_warning, spreadsheet_csv
from .formats import get
from .numbertext import answer_text, exact_text, needs_decimal
from .options import RenderOptions
from .parts import LazyParts

def render_documents(sheet: Sheet, formats, options: RenderOptions = RenderOptions(), *,
                     split: bool = False, progress=None, ready=None, hold=None) -> dict[str, str]:
    """``{file name: text}``: each exercise's parts are rendered once and laid out by the
    document templates (all students together, and one sheet per student with ``split``).
    ``progress`` (anything with ``advance()``) counts the exercises rendered, per format;
    ``ready``, if given, is called with each document (``{file name: text}``) once rendered, in
    :func:`compile_order` (its PDF compiles while the next renders); ``hold``, if given, is what
    is kept of each document once rendered (and given to ``ready``): a class set's documents go to disk at once
    (what it returns has ``read()``, the text's UTF-8 bytes; each exercise's formulas wait there too).
    A sheet of decimals prints its exact decimals as decimals, whatever ``options`` say."""
    options = options.for_sheet(sheet)
    documents = {}
    pictures = {id(e): diagram_of(e.derivation) if options.diagram else None for e in sheet.exercises}
    names = picture_names(pictures.values())
    # Each exercise's picture name, looked up once: a Diagram hashes by all its units and edges.
    name_of = {id(e): names.get(pictures[id(e)]) for e in sheet.exercises}
    drawn = {name: picture for picture, name in names.items()}
    maths = Formulas(options, hold)  # each exercise's, shared by every format
    if hold:  # on disk before the first document: one spooled as it renders cannot spool them meanwhile
        for e in sheet.exercises:
            maths(e)
    kinds = sheet.kinds
    common = dict(seed=sheet.seed, options=sheet.options, class_set=sheet.class_set, kinds=kinds,
                  described=describe(sheet.options, kinds))
    rows = [(e, list(e.answer)) for e in sheet.exercises]  # (kept for templates written against it)
    key_rows = [(e, key_answer(e)) for e in sheet.exercises]
    common["heading"] = key_heading([answer for _, answer in key_rows])
    late, handed = (hold if ready else None), (ready or (lambda document: None))  # text until ready has it
    now = hold if hold and not ready else (lambda text: text)
    # Held at once, a document goes to ``hold`` in pieces as they are rendered (see document_pieces).
    render = (lambda *args, **context: now(document_pieces(*args, **context))) if hold and not ready else \
        (lambda *args, **context: render_document(*args, **context))
    for fmt in map(get, formats):
        documents, done = {}, documents  # this format's, and those of the formats before
        saving = fmt.figure == "inline"  # drawn in: each distinct picture once per document
        parts = {}  # by id(exercise): whatever documents hold an exercise, each part is asked by one
        for e in sheet.exercises:  # each part rendered as a document asks for it, not all held at once
            parts[id(e)] = LazyParts(e, fmt.name, options, pictures[id(e)], maths,
                                     saved=name_of[id(e)] if saving else None,
                                     advance=progress.advance if progress else None)
        groups = [(student, [(e, parts[id(e)]) for e in exercises]) for student, exercises in sheet.groups()]
        every = saved_pictures(drawn, sheet.exercises, name_of) if saving else []
        for name in compile_order(fmt.documents) if ready else fmt.documents:
            documents[f"{name}.{fmt.suffix}"] = text = render(name, fmt.name, options, groups=groups, rows=rows,
                                                              key_rows=key_rows, pictures=every, **common)
            handed({f"{name}.{fmt.suffix}": text})  # its PDF compiles while the next document renders
        listed = [f"{name}.{fmt.suffix}" for name in fmt.documents]  # in the format's order, however rendered
        documents = {name: documents[name] for name in listed} | documents
        if split and sheet.class_set:
            for student, items in groups:
                if fmt.figure == "file" and options.diagram:  # students/ is one folder down from figures/
                    linked = replace(options, figures=f"../{options.figures}")
                    items = [(e, LazyParts(e, fmt.name, linked, pictures[id(e)], maths)) for e, _ in items]
                path = f"students/{student_file(student, items[0][0].code)}.{fmt.suffix}"
                own = saved_pictures(drawn, [e for e, _ in items], name_of) if saving else []
                documents[path] = render("sheet", fmt.name, options, groups=[(student, items)], pictures=own, **common)
                handed({path: documents[path]})
        del parts, groups, every  # this format's parts: freed before the next format's are rendered
        documents = {**done, **({name: late(text) for name, text in documents.items()} if late else documents)}
    return documents


# A sheet's documents by how long TeX takes to set them, the longest first (a 300-student class
# set's solutions 3.0 s, sheet 1.7 s, key 0.7 s): with PDFs they are rendered in this order, so that
# the one the others wait for starts compiling first.
LONGEST_FIRST = ("solutions", "sheet", "key")


def compile_order(names) -> list[str]:
    """``names`` (a format's documents) in the order of :data:`LONGEST_FIRST`, others after them."""
    return sorted(names, key=lambda name: LONGEST_FIRST.index(name) if name in LONGEST_FIRST else len(LONGEST_FIRST))


class Formulas:
    """Each exercise's formulas (:class:`.documents.Math`), rendered the first time a format asks
    and the same for every later one. With ``hold`` (see :func:`render_documents`) they wait on
    disk, as JSON, each read back when a part asks for it: 2,000 students' formulas held all at
    once took 23 MB."""

    def __init__(self, options: RenderOptions, hold=None):
        self.options, self.hold, self.kept = options, hold, {}

    def __call__(self, e: Exercise) -> Math:
        kept = self.kept.get(id(e))
        if kept is None:
            math = render_math(e.derivation, self.options)
            self.kept[id(e)] = math if self.hold is None else \
                self.hold(json.dumps([math.network, *math.steps], ensure_ascii=False))
            return math
        if self.hold is None:
            return kept
        network, *steps = json.loads(kept.read().decode("utf-8"))
        return Math(network, tuple(steps))


def picture_names(pictures) -> dict[Diagram, str]:
    """``{picture: name}``, each distinct drawable picture of ``pictures`` named by its place
    among them, ``"1"``, ``"2"``, ... in the order they first appear: a document draws each once
    under its name and sets it again wherever it recurs (equal pictures, equal sizes and masks,
    are equal Diagrams)."""
    names: dict[Diagram, str] = {}
    for picture in pictures:
        if picture is not None and not picture.too_large and picture not in names:
            names[picture] = str(len(names) + 1)
    return names


def saved_pictures(drawn: dict[str, Diagram], exercises, name_of: dict) -> list[tuple[str, Diagram]]:
    """The ``(name, picture)`` pairs a document of ``exercises`` saves: the named pictures it
    shows (``name_of``: by id of exercise), each once, in the order of ``drawn``."""
    shown = {name_of[id(e)] for e in exercises}
    return [(name, picture) for name, picture in drawn.items() if name in shown]


def describe(options, kinds) -> str:
    """The options in words, as a sheet states them; a kind that draws another shape says so,
    and a sheet of kinds that draw no network of a shape (the statistics kinds) states none."""
    options = smooth_shaped(options)  # a smooth sheet's own shape, where --shape is left at the default
    keep = any(k.uses_keep for k in kinds)
    own = [(kind.name, kind.drawn_with(options).shape) for kind in kinds if kind.shaped]
    shapes: dict[tuple, list[str]] = {}  # each shape a problem has, with the kinds that draw it
    for name, shape in own:
        shapes.setdefault(shape, []).append(name)
    if own and options.shape not in shapes:  # no problem has --shape: the shapes the problems have
        if len(shapes) == 1:
            return replace(options, shape=next(iter(shapes))).describe(keep=keep)
        said = ", ".join(f"{format_shape(shape)} ({', '.join(names)})" for shape, names in shapes.items())
        return f"shapes {said}, {options.describe(keep=keep, shape=False)}"
    others = [f"{name} problems: shape {format_shape(shape)}" for name, shape in own if shape != options.shape]
    return options.describe(keep=keep, shape=bool(own)) + (f" ({'; '.join(others)})" if others else "")


def placeholder_warnings(sheet: Sheet) -> list[str]:
    """A line for standard error per student whose name or id holds characters no font has
    (LaTeX and PDF show their code points): the teacher learns whose, before printing."""
    lines = []
    for s in sheet.students:
        line = placeholder_warning(f"student {s.id!r}: name", s.name) or placeholder_warning("student id", s.id)
        if line:
            lines.append(line)
    return lines


def key_json(sheet: Sheet) -> dict:
    """``{"seed", "options", "problems": [{"code", "number", "kind", "spec", "answer", "mistakes"}]}``:
    each spec is what ``symdrop solve`` (``--mode test`` for a test-time entry) or ``symdrop
    expect`` (an ensemble entry) reads, each answer an exact string (``"-506/25"``, the form of
    every JSON symdrop writes), each mistake ``{"id", "label", "answer"}``, and last its
    ``digest`` (:func:`.grading.keys.digest`: of the problem, answers and mistakes). Where the
    options ask for decimals, every answer also has its ``_decimal`` copy (``"answer_decimal":
    ["-20.24"]``), as has an irrational answer (15 digits), whose entry states the ``tolerance``
    it is right within;
    class sets add each entry's student (id and name)."""
    return {"seed": sheet.seed, "options": sheet.options.as_json(), "problems": list(key_entries(sheet))}


def key_entries(sheet: Sheet):
    """The entries of :func:`key_json`, one at a time (a class set's key is written as they come)."""
    decimals = sheet.options.decimals

    def put(entry: dict, name: str, values) -> None:
        entry[name] = [answer_text(v) for v in values]
        if decimals or any(needs_decimal(v) for v in values):  # as the sheet asks for it, or beside an irrational value
            entry[f"{name}_decimal"] = [answer_text(v, decimals=True) for v in values]

    for e in sheet.exercises:
        entry = {"code": e.code, "number": e.number, "kind": e.kind.name}
        if e.student is not None:
            entry["student"] = e.student.id
            entry["name"] = e.student.name
        entry["spec"] = to_spec(e.network)  # the problem as drawn: a batch's every example
        if e.tolerance is not None:  # irrational answers: right within it
            entry["tolerance"] = exact_text(e.tolerance)
        put(entry, "answer", e.answer)
        for name, values in e.kind.key_values(e.derivation).items():  # what else its question asks for
            put(entry, name, values)
        entry["mistakes"] = []
        for m, answer in e.wrong_answers():
            entry["mistakes"].append({"id": m.name, "label": plain(m.label)})
            if plain(m.label) != m.label:  # its formulas as TeX, for grade's pages (grading.keys reads it back)
                entry["mistakes"][-1]["label_tex"] = m.label
            put(entry["mistakes"][-1], "answer", answer)
        entry["digest"] = digest(entry)  # grade and check refuse the entry if it is edited
        yield entry


def key_answer(e: Exercise) -> list[tuple[Quantity, list]]:
    """Each quantity of exercise ``e``'s answer with its numbers, a matrix's as its rows."""
    answer = e.answer
    found = []
    for q in answer_quantities(e.kind.parts_of_answer(e.derivation)):
        values = [answer[k] for k in q.numbers]
        found.append((q, [list(row) for row in written_rows(values, q.shape[1])] if q.matrix else values))
    return found


def key_heading(answers: list[list[tuple[Quantity, list]]]) -> list[Quantity] | None:
    """The quantities that head a key's answer column: those of every answer where all are the
    same quantities (one kind's, ŷ or dL/dW^(1)), else None (each answer then names its own)."""
    same = lambda q: (q.part.name, q.part.l, q.part.index, q.shape)  # noqa: E731
    signatures = {tuple(same(q) for q, _ in answer) for answer in answers}
    return [q for q, _ in answers[0]] if len(signatures) == 1 else None


def key_csv(sheet: Sheet, options: RenderOptions = RenderOptions()) -> str:
    """The class set's key table: id, name, problem, variant, kind, what the answer is
    (``quantity``: dL/dW^(1), or E[S]; Var(S)) and the answer, as a teaching assistant types it
    back and ``grade`` reads it: numbers joined by "; ", a matrix row by row, its rows joined by
    "; " and the numbers of a row by a space (``0 2; 0 24; 0 0``: 3 rows of 2); decimals where the
    sheet asks for them. After a UTF-8 byte-order mark."""
    decimals = sheet.options.decimals
    labels = make_env(options.for_sheet(sheet)).get_template("moodle/labels.j2").module
    rows = [["id", "name", "problem", "variant", "kind", "quantity", "answer"]]
    for e in sheet.exercises:
        answer = key_answer(e)
        quantity = "; ".join(str(labels.text_label(q.part)) for q, _ in answer)
        numbers = "; ".join(" ".join(answer_text(v, decimals or needs_decimal(v)) for v in row) if q.matrix
                            else answer_text(row, decimals or needs_decimal(row))
                            for q, values in answer for row in values)
        rows.append([csv_cell(e.student.id), csv_cell(e.student.name), e.number, e.code, e.kind.name, quantity,
                     csv_cell(numbers, numbers=True)])
    return spreadsheet_csv(rows)


def student_file(student: Student, code: str) -> str:
    """A safe, unique file name for a student's own sheet: the id's safe characters and the code."""
    safe = re.sub(r"[^A-Za-z0-9_-]+", "_", student.id).strip("_-")[:40]  # never "-" first: a shell would read an option
    return f"{safe}-{code}" if safe else code
