"""Sheets and class sets: key.json re-solved independently, golden files per seed, LaTeX that
compiles with the seed and variant on every page, hostile names printed literally."""

import csv
import io
import random
import re
import subprocess
from fractions import Fraction
from pathlib import Path

import pytest

from symdrop import derive, parse_spec
from symdrop.cli import main
from symdrop.exercises.kinds import KINDS, parse_kinds
from symdrop.exercises.options import Options
from symdrop.exercises.roster import Student
from symdrop.exercises.sheet import build_class_set, build_sheet
from symdrop.io.outputs import sheet_files
from symdrop.io.progress import Progress
from symdrop.io.tex import compile_pdf
from symdrop.render import values
from symdrop.render.documents import diagram_of, render_figure
from symdrop.render.options import RenderOptions
from symdrop.render.sheets import key_csv, key_json, render_documents

from . import reference
from .conftest import ALL_KINDS, HOSTILE, golden, pdf_text, require, require_pdflatex


def resolve(spec: dict) -> list[Fraction]:
    """The prediction of a key.json spec by tests/reference.py: plain Fractions, nothing of symdrop."""
    x, layers = reference.from_spec(spec)
    return reference.forward(x, layers, spec["masks"])[-1][2]


@pytest.mark.parametrize("kind", ["int", "half", "decimal"])
@pytest.mark.parametrize("seed", [0, 1, 2, 3, 4, 5, 6, 7])
def test_every_key_answer_resolved_independently(kind, seed):
    options = Options(values=kind, shape=(2, 3, 3, 2, 1) if seed % 2 else (3, 4, 3, 2))
    key = key_json(build_sheet(seed, options, 5))
    assert key["seed"] == seed and len(key["problems"]) == 5
    for entry in key["problems"]:
        assert [Fraction(a) for a in entry["answer"]] == resolve(entry["spec"])
        # the spec is what `symdrop solve` reads: the same answer through the whole pipeline
        assert [Fraction(str(v)) for v in derive(parse_spec(entry["spec"])).prediction] == resolve(entry["spec"])


def test_decimal_keys_write_one_exact_form_and_decimals_beside_it():
    """key.json writes every number as solve --format json does (integer or reduced fraction);
    a decimal sheet's answers are also there as the decimal a student writes."""
    key = key_json(build_sheet(11, Options(values="decimal"), 3))
    for e in key["problems"]:
        numbers = e["spec"]["input"] + e["answer"] + [v for m in e["mistakes"] for v in m["answer"]]
        assert all(str(Fraction(v)) == v for v in numbers), numbers  # "7", "-506/25": reduced
        # the JSON of `symdrop solve` on the same spec writes the same text
        assert e["answer"] == values.solution_json(derive(parse_spec(e["spec"])))["prediction"]
        assert all(re.fullmatch(r"-?\d+(\.\d{1,2})?", v) for v in e["answer_decimal"]), e["answer_decimal"]
        assert [Fraction(v) for v in e["answer_decimal"]] == [Fraction(v) for v in e["answer"]]
        for m in e["mistakes"]:
            assert [Fraction(v) for v in m["answer_decimal"]] == [Fraction(v) for v in m["answer"]]
    assert any("/" in v for e in key["problems"] for v in e["spec"]["input"] + e["answer"])
    assert "answer_decimal" not in key_json(build_sheet(11, Options(), 1))["problems"][0]


STUDENTS = [Student(f"s{n:02d}", name) for n, name in enumerate(["Ada", "Bo", "Cy", "Di", "Ed", "Flo", "Gus", "Hal"])]


def codes(sheet) -> dict[str, list[str]]:
    found = {}
    for e in sheet.exercises:
        found.setdefault(e.student.id, []).append(e.code)
    return found


def test_class_set_key_carries_ids_and_resolves():
    sheet = build_class_set(5, Options(), STUDENTS, problems=2)
    key = key_json(sheet)
    assert [e["student"] for e in key["problems"]] == [s.id for s in STUDENTS for _ in range(2)]
    for entry in key["problems"]:
        assert [Fraction(a) for a in entry["answer"]] == resolve(entry["spec"])
    assert len({e["code"] for e in key["problems"]}) == 16  # rule 6 across the class set


def test_adding_or_reordering_students_changes_nobody_elses_problem():
    before = codes(build_class_set(5, Options(), STUDENTS))
    more = STUDENTS[:3] + [Student("new", "Newcomer")] + STUDENTS[3:]
    random.Random(1).shuffle(more)
    after = codes(build_class_set(5, Options(), more))
    assert {i: c for i, c in after.items() if i != "new"} == before
    assert after["new"] not in before.values()


def test_different_seeds_give_different_class_sets():
    assert codes(build_class_set(5, Options(), STUDENTS)) != codes(build_class_set(6, Options(), STUDENTS))


def test_longer_sheet_starts_with_the_shorter_one():
    short, long = build_sheet(8, Options(), 2), build_sheet(8, Options(), 4)
    assert [e.code for e in long.exercises[:2]] == [e.code for e in short.exercises]


def test_key_csv_has_names_exactly():
    students = [Student(f"id{n}", name) for n, name in enumerate(HOSTILE)]
    text = key_csv(build_class_set(3, Options(), students))
    assert text.startswith("\ufeffid,")  # the byte-order mark Excel needs to read UTF-8
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    assert rows[0] == ["id", "name", "problem", "variant", "kind", "quantity", "answer"]
    assert [(r[0], r[1]) for r in rows[1:]] == [(s.id, s.name) for s in students]


GOLDEN_CASES = {  # name: (seed, options, problems, kinds)
    "int-seed1": (1, Options(), 2, "forward"),
    "half-seed2": (2, Options(values="half", shape=(2, 3, 1), low=-2, high=2), 2, "forward"),
    "decimal-seed3": (3, Options(values="decimal", shape=(2, 2, 2, 1)), 2, "forward"),
    "inverted-seed4": (4, Options(shape=(2, 3, 2, 1)), 2, "inverted"),
    "test-time-seed5": (5, Options(shape=(2, 3, 2, 1)), 2, "test-time"),
    "ensemble-seed6": (6, Options(shape=(2, 3, 2, 1)), 2, "ensemble"),
    "backprop-seed8": (8, Options(), 2, "backprop"),
    "mixed-seed7": (7, Options(shape=(2, 2, 2, 1), answers="decimal", keep=(Fraction(4, 5),)), 4,
                    "forward,inverted,test-time,ensemble"),
}


@pytest.mark.parametrize("case", GOLDEN_CASES)
@pytest.mark.parametrize("document", ["sheet.md", "key.md", "sheet.tex", "key.tex"])
def test_golden_files(case, document):
    """The rendered sheet and key per seed (refresh: SYMDROP_REFRESH_GOLDEN=1 python3 -m pytest)."""
    seed, options, problems, kinds = GOLDEN_CASES[case]
    fmt = "markdown" if document.endswith(".md") else "latex"
    text = render_documents(build_sheet(seed, options, problems, kinds=parse_kinds(kinds)), (fmt,))[document]
    assert text == golden(f"{case}-{document}", text)


def test_documents_hold_no_values_they_should_not():
    docs = render_documents(build_sheet(4, Options(), 3), ("markdown",))
    assert "Prediction" not in docs["sheet.md"] and "| common wrong answer | mistake | id |" in docs["key.md"]
    decimal = render_documents(build_sheet(4, Options(values="decimal"), 2), ("latex", "markdown"))
    assert all(r"\frac" not in text for text in decimal.values())


def test_every_worked_solution_opens_under_a_problem_heading_with_its_sections_below():
    """In the worked solutions of a sheet of every kind, each problem has a top-level heading (a
    statistics kind's question, restated there, too: it was a heading of the sections' level) and
    its sections stand one level below; the sheet itself keeps its questions under its title."""
    sheet = build_sheet(12, Options(), len(KINDS), kinds=parse_kinds(ALL_KINDS))
    docs = render_documents(sheet, ("markdown", "latex", "html"))
    tags = lambda text: re.sub(r"<[^>]+>", "", text)  # noqa: E731
    headings = {
        "solutions.md": [line[2:] for line in docs["solutions.md"].splitlines() if line.startswith("# ")],
        "solutions.tex": [re.sub(r"\\usertext\{(.*)\}", r"\1", h)  # a forward pass's title is the spec's
                          for h in re.findall(r"\\section\*\{(.*)\}", docs["solutions.tex"])],
        "solutions.html": [tags(h) for h in re.findall(r"<h1>(.*?)</h1>", docs["solutions.html"])],
    }
    for document, found in headings.items():
        assert len(found) == len(KINDS), (document, found)
        for number, heading in enumerate(found, start=1):
            assert re.search(rf"\bProblem {number}\b.*\(variant [0-9A-Z]+\)$", heading), (document, heading)
    problems_below = [r"^## Problem", r"\\subsection\*\{Problem", r"<h2>Problem"]
    for document, pattern in zip(headings, problems_below):
        assert not re.search(pattern, docs[document], re.M), document
    assert re.findall(r"^## Problem (\d+)", docs["sheet.md"], re.M) == [str(n) for n in range(1, len(KINDS) + 1)]


def test_a_matrix_answer_is_written_row_by_row_in_the_key_as_students_write_it():
    """backprop's answer dL/dW^(1) is a 3 x 2 matrix (its own shape 2-3-2-1): the key writes each
    mistake's answer as three rows of two, as its table and a student's answer do; an answer of
    one number or of several quantities stays one row."""
    sheet = build_sheet(12, Options(), 3, kinds=parse_kinds("backprop,variance,forward"))
    backprop, variance, forward = sheet.exercises
    assert backprop.written_rows((1, 2, 3, 4, 5, 6)) == [(1, 2), (3, 4), (5, 6)]
    assert variance.written_rows((1, 2)) == [(1, 2)] and forward.written_rows((7,)) == [(7,)]
    key = render_documents(sheet, ("markdown",))["key.md"]
    entry = key[key.index("## Problem 1"):key.index("## Problem 2")]
    cells = re.findall(r"^\| \$(.*)\$ \| .* \| `(\w+)` \|$", entry, re.M)
    assert {name for _, name in cells} == {m.name for m, _ in backprop.wrong_answers()}
    for cell, _ in cells:
        rows = cell.split("; ")
        assert len(rows) == 3 and all(row.startswith("(") and row.count(",") == 1 for row in rows), cell


def pages(pdf: bytes, tmp_path) -> list[str]:
    return pdf_text(pdf, tmp_path).split("\f")[:-1]


@pytest.mark.slow
def test_latex_of_sheet_key_and_solutions_compiles_with_seed_and_variants_on_every_page(tmp_path):
    require_pdflatex()
    sheet = build_sheet(12, Options(values="half"), 4, kinds=parse_kinds("forward,inverted,test-time,ensemble"))
    files = sheet_files(sheet, tmp_path, ("latex",), pdf=True)
    all_codes = [e.code for e in sheet.exercises]
    for name in ("sheet", "key", "solutions"):
        document = pages(files[tmp_path / f"{name}.pdf"], tmp_path)
        assert document, name
        current = None
        for number, page in enumerate(document, start=1):
            header, body = page.split("\n", 1)
            assert "seed 12" in header, (name, number, header)
            shown = re.findall(r"[2-9A-HJKMNP-Z]{6}", header)
            started = [c for c in all_codes if f"variant {c}" in body]  # headings on this page
            # the page's variants, listed (none past three), or on a page with none the problem it
            # continues (problems start on a page of their own or fit on one); before the first
            # problem (a mixed sheet's intros) none; never a range
            if started:
                assert shown == (started if len(started) <= 3 else []), (name, number, header)
                current = started[-1]
            else:
                assert shown == ([current] if current else []), (name, number, header)
            assert "–" not in header and "--" not in header, (name, number, header)
    solutions = pdf_text(files[tmp_path / "solutions.pdf"], tmp_path)
    for e in sheet.exercises:
        assert f"Problem {e.number} (variant {e.code})" in solutions


@pytest.mark.slow
def test_hostile_roster_compiles_and_prints_names_literally(tmp_path, monkeypatch):
    require_pdflatex()
    monkeypatch.chdir(tmp_path)
    students = [Student(f"{n}_{{#}}", name) for n, name in enumerate(HOSTILE)] + [Student("x", "O'Hara ~^ \\LaTeX")]
    sheet = build_class_set(21, Options(), students)
    files = render_documents(sheet, ("latex", "markdown"))
    sheet_pdf, key_pdf = compile_pdf(files["sheet.tex"]), compile_pdf(files["key.tex"])
    sheet_text = pdf_text(sheet_pdf, tmp_path)
    for page, student in zip(sheet_text.split("\f"), students):
        # the heading of the student's page, after the header (-raw may drop a space between words)
        assert page.splitlines()[1].replace(" ", "") == student.name.replace(" ", "")
        assert f"Student id {student.id}." in page
    for page in pages(key_pdf, tmp_path):  # the key table's pages too: its rows set the marks
        header, body = page.split("\n", 1)
        assert header.startswith("Answer key seed 21"), header
        listed = re.findall(r"[2-9A-HJKMNP-Z]{6}", header)  # a page's own variants, at most 3
        assert len(listed) <= 3 and all(code in body for code in listed), header
    key_text = "".join(pdf_text(key_pdf, tmp_path).split())
    for student in students:  # each key table row: id, name, problem, variant
        e = next(e for e in sheet.exercises if e.student == student)
        assert "".join(f"{student.id} {student.name} 1 {e.code}".split()) in key_text
    assert not (tmp_path / "pwned").exists()
    assert "root:" not in sheet_text + key_text
    assert files["sheet.md"].count("\n---\n") == len(students) - 1


def test_split_writes_one_sheet_per_student(tmp_path):
    """Named by the id's safe characters and the code; never starting with "-", which a shell's
    commands would read as an option (an id "-7", or "ع-7" whose Arabic letter is not kept)."""
    students = [Student("a/b", "Ann"), Student("..", "Dot"), Student("c d", "Cid"), Student("-7", "Neg"),
                Student("ع-7", "Ali")]
    sheet = build_class_set(2, Options(), students)
    docs = render_documents(sheet, ("markdown",), split=True)
    split = sorted(n for n in docs if n.startswith("students/"))
    expected = sorted(f"students/{p}{e.code}.md" for p, e in zip(["a_b-", "", "c_d-", "7-", "7-"], sheet.exercises))
    assert split == expected
    for student, e in zip(students, sheet.exercises):
        name = next(n for n in split if e.code in n)
        assert f"# {student.name}" in docs[name] and docs[name].count("## Problem") == 1


class FakeTerminal(io.StringIO):
    def isatty(self):
        return True


@pytest.mark.parametrize("stream, total, drawn", [(FakeTerminal(), 40, True), (io.StringIO(), 40, False), (FakeTerminal(), 5, False)])
def test_progress_bar_only_on_a_terminal_and_for_large_jobs(stream, total, drawn):
    with Progress(total, "symdrop sheet", stream) as progress:
        for _ in range(total):
            progress.advance()
    text = stream.getvalue()
    assert ("symdrop sheet [" + "#" * 30 + "] 40/40" in text) == drawn
    assert (text == "") == (not drawn)


def test_class_set_renders_with_progress(capsys):
    stream = FakeTerminal()
    students = [Student(str(n), f"S{n}") for n in range(24)]
    sheet = build_class_set(1, Options(), students, progress=Progress(24, "classes", stream))
    render_documents(sheet, ("markdown",), progress=Progress(24, "render", stream))
    assert "classes [" + "#" * 30 + "] 24/24" in stream.getvalue()
    assert "render [" + "#" * 30 + "] 24/24" in stream.getvalue()


def test_no_solution_adds_a_negative_number():
    """50 problems (about half end in a negative output bias): none writes "+ -", and the line
    z^(4) = W a~ + b of each of those subtracts its bias."""
    sheet = build_sheet(1, Options(), 50)
    negative = [-e.derivation.network.layers[-1].b[0] for e in sheet.exercises
                if e.derivation.network.layers[-1].b[0] < 0]
    assert len(negative) >= 10  # the case is there to be printed
    documents = render_documents(sheet, ("latex", "markdown"), RenderOptions(diagram=False))
    for name, text in documents.items():
        assert "+ -" not in text, name
        if name.startswith("solutions"):
            lines = [line for line in text.splitlines() if line.startswith(r"z^{(4)} &= W^{(4)}")]
            assert len(lines) == 50
            subtracted = [line.split(r"\end{pmatrix} - ")[1].split(" = ")[0] for line in lines
                          if r"\end{pmatrix} - " in line]
            assert subtracted == [str(b) for b in negative]


# --- Pictures: each distinct one drawn once per document ----------------------------------------


def distinct_pictures(key: dict) -> list[tuple]:
    """Each problem's picture as what it depends on, the layer sizes and the masks, read from
    key.json's specs alone: in the order of the problems."""
    return [((len(p["spec"]["input"]), *(len(layer["bias"]) for layer in p["spec"]["layers"])),
             tuple(tuple(mask) for mask in p["spec"]["masks"])) for p in key["problems"]]


def test_a_class_set_draws_each_distinct_picture_once_per_document():
    students = [Student(f"s{i}", f"Student {i}") for i in range(60)]
    sheet = build_class_set(5, Options(), students)
    docs = render_documents(sheet, ("latex",), split=True)
    drawn = distinct_pictures(key_json(sheet))
    first = list(dict.fromkeys(drawn))  # distinct, in the order they first appear
    assert 1 < len(first) < len(drawn)  # some pictures recur: there is something to share
    for name in ("sheet.tex", "solutions.tex"):
        tex = docs[name]
        assert tex.count(r"\begin{tikzpicture}") == tex.count(r"\savepicture{") == len(first), name
        for number in range(1, len(first) + 1):
            assert tex.count(rf"\savepicture{{{number}}}{{") == 1, (name, number)
        # one use per problem, named by the first problem with the same sizes and masks
        uses = re.findall(r"\\savedpicture\{(\d+)\}", tex.split(r"\begin{document}", 1)[1])
        assert uses == [str(first.index(p) + 1) for p in drawn], name
    assert r"\begin{tikzpicture}" not in docs["key.tex"]  # the key shows no pictures
    for e, picture in zip(sheet.exercises, drawn):  # a student's own sheet holds their picture alone
        own = next(text for path, text in docs.items() if path.startswith("students/") and e.code in path)
        assert own.count(r"\begin{tikzpicture}") == 1
        assert re.findall(r"\\savedpicture\{(\d+)\}", own) == [str(first.index(picture) + 1)]


def page_image(pdf: bytes, tmp_path: Path, name: str) -> bytes:
    """The first page as grey pixels at 72 dpi (PGM's bytes after the header)."""
    (tmp_path / f"{name}.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-gray", "-r", "72", "-f", "1", "-l", "1", "-singlefile", str(tmp_path / f"{name}.pdf"),
                    str(tmp_path / name)], check=True)
    data = (tmp_path / f"{name}.pgm").read_bytes()
    magic, width, height, depth, pixels = data.split(maxsplit=4)
    assert magic == b"P5" and len(pixels) == int(width) * int(height)
    return pixels


def differing(a: bytes, b: bytes) -> int:
    """Pixels that differ by more than a quarter of black to white (anti-aliasing stays below)."""
    assert len(a) == len(b)
    return sum(1 for x, y in zip(a, b) if abs(x - y) > 64)


@pytest.mark.slow
def test_a_saved_picture_looks_like_the_picture_drawn_in_place(tmp_path):
    require_pdflatex()
    require("pdftoppm", install="apt-get install poppler-utils")
    sheet = build_sheet(3, Options(), 1)
    e = sheet.exercises[0]
    saved_tex = render_documents(sheet, ("latex",))["sheet.tex"]
    picture = diagram_of(e.derivation)
    saved, drawn = render_figure(picture, "latex", saved="1"), render_figure(picture, "latex")
    assert saved in saved_tex and r"\begin{tikzpicture}" in drawn
    in_place = compile_pdf(saved_tex.replace(saved, drawn))
    without = compile_pdf(saved_tex.replace(saved, drawn.replace(drawn[drawn.index(r"\begin{tikzpicture}"):
                                                                      drawn.index(r"\end{tikzpicture}") + 17], "")))
    pdf = compile_pdf(saved_tex)
    assert compile_pdf(saved_tex) == pdf  # deterministic
    image = page_image(pdf, tmp_path, "saved")
    assert differing(image, page_image(in_place, tmp_path, "in-place")) < 20
    assert differing(image, page_image(without, tmp_path, "without")) > 2000  # the comparison sees a picture
    text = pdf_text(pdf, tmp_path)
    for caption in ("input", "hidden 1", "hidden 2", "hidden 3", "output"):
        assert caption in text


@pytest.mark.slow
def test_every_page_of_a_class_set_shows_its_picture(tmp_path):
    require_pdflatex()
    students = [Student(f"s{i}", f"Student {i}") for i in range(16)]
    sheet = build_class_set(5, Options(), students)
    drawn = distinct_pictures(key_json(sheet))
    assert len(set(drawn)) < len(drawn)  # pictures set again from a saved one
    files = sheet_files(sheet, tmp_path, ("markdown",), pdf=True)  # the PDFs without the .tex kept
    assert not any(p.suffix == ".tex" for p in files)
    for name in ("sheet.pdf", "solutions.pdf"):  # one picture per student, each with its captions
        document = pages(files[tmp_path / name], tmp_path)
        assert sum(page.count("hidden 1") for page in document) == len(students), name
        assert sum(page.count("hidden 3") for page in document) == len(students), name
        for e in sheet.exercises:  # on the page of the student's name
            page = next(page for page in document if re.search(rf"^Student {e.student.id[1:]}\b", page, re.M))
            assert "hidden 1" in page and "hidden 3" in page, (name, e.student.id)


def test_the_key_heads_each_answer_by_what_it_is_and_key_csv_keeps_a_matrix_shape():
    """A class set of three kinds: key.csv names each answer's quantity (y, dL/dW^(1), E[S]; Var(S))
    and writes dL/dW^(1) row by row (rows by "; ", a row's numbers by a space), which reads back
    as the reference's gradient in the shape of W^(1) (units of layer 1 x inputs); the key's
    table names each answer beside it (the kinds differ), and one kind's key heads the column
    with its quantity instead of y^."""
    from .conftest import references

    kinds = parse_kinds("forward,backprop,variance")
    sheet = build_class_set(5, Options(), [Student("s1", "Ann"), Student("s2", "Bo")], 3, kinds=kinds)
    rows = list(csv.DictReader(io.StringIO(key_csv(sheet).removeprefix("\ufeff"))))
    entries = {e["code"]: e for e in key_json(sheet)["problems"]}
    assert [(r["kind"], r["quantity"]) for r in rows] == [
        ("forward", "y"), ("backprop", "dL/dW^(1)"), ("variance", "E[S]; Var(S)")] * 2
    for row in rows:
        entry = entries[row["variant"]]
        read = [[Fraction(v) for v in cells.split(" ")] for cells in row["answer"].split("; ")]
        right = [Fraction(v) for v in references(entry)[0]]
        if row["kind"] == "backprop":
            W = entry["spec"]["layers"][0]["weights"]
            assert [len(r) for r in read] == [len(W[0])] * len(W)  # the shape of W^(1)
            assert [v for r in read for v in r] == right
        else:
            assert read == [[v] for v in right]
    documents = render_documents(sheet, ("markdown", "latex"), RenderOptions(diagram=False))
    table = [line for line in documents["key.md"].splitlines() if line.startswith("| s1 |")]
    assert "| variant | answer |" in documents["key.md"]
    assert [line.split(" | ")[4].split(" = ")[0] for line in table] == [
        r"$\hat{y}", r"$\partial L / \partial W^{(1)}", r"$(E[S], \operatorname{Var}(S))"]
    assert r"& ${\partial L / \partial W^{(1)}} = (" in documents["key.tex"]
    one = build_class_set(5, Options(), [Student("s1", "Ann")], 1, kinds=parse_kinds("backprop"))
    key = render_documents(one, ("markdown",), RenderOptions(diagram=False))["key.md"]
    assert r"| variant | $\partial L / \partial W^{(1)}$ |" in key and r"\hat{y}$ |" not in key


def test_a_class_set_spooled_is_the_class_set_rendered_whole():
    """sheet_files spools a class set's documents (Markdown in Jinja's pieces), pictures and
    key.json (json's encoder's pieces) to disk: each file is the text rendered whole, and
    json.dumps's key."""
    import json

    students = [Student("s1", "Ada"), Student("s2", "Bö"), Student("s3", "Cy")]
    built = build_class_set(4, Options(), students, 2, kinds=parse_kinds("forward,inverted"))
    files = sheet_files(built, Path("out"), ("latex", "markdown", "html"))
    whole = render_documents(built, ("latex", "markdown", "html"))
    for name, text in whole.items():
        assert files[Path("out") / name].read() == text.encode("utf-8")
    key = json.dumps(key_json(built), indent=2, ensure_ascii=False) + "\n"
    assert files[Path("out") / "key.json"].read() == key.encode("utf-8")
    assert any(p.suffix == ".svg" for p in files)


@pytest.mark.parametrize("kinds, stated, holds", [
    ("variance,nwgm", "Seed 5, integers in -3..3, keep probabilities from 1/2, 2/3, 3/4, 4/5.",
     "Every problem's answer and the values it is made of;"),
    ("forward,variance", "Seed 5, shape 2-3-3-2-1, integers in -3..3, keep probabilities from 1/2, 2/3, 3/4, 4/5.",
     "Every problem's answer, a network's with its values layer by layer;"),
    ("forward,backprop", "Seed 5, shape 2-3-3-2-1,", "Every problem's values layer by layer;"),
])
def test_a_sheet_states_a_shape_only_where_one_of_its_kinds_draws_networks_of_it(tmp_path, kinds, stated, holds):
    """The statistics kinds draw a unit, a layer or a batch of their own size: a sheet of them
    alone states no --shape (the default 2-3-3-2-1 shapes nothing on it), and its key holds no
    values layer by layer."""
    assert main(["sheet", "--seed", "5", "--kinds", kinds, "--problems", "2", "--format", "markdown",
                 "--out", str(tmp_path / "o")]) == 0
    for document in ("sheet.md", "key.md"):
        assert (tmp_path / "o" / document).read_text(encoding="utf-8").splitlines()[2].startswith(stated)
    assert holds in (tmp_path / "o" / "key.md").read_text(encoding="utf-8").splitlines()[2]


def test_kinds_of_other_shapes_are_said_in_one_bracket(tmp_path):
    """A sheet whose kinds draw shapes of their own names each in one bracket after the options
    (written by hand: backprop 2-3-2-1 and dropconnect:forward 2-3-1, the sheet's 2-3-3-2-1)."""
    from symdrop.cli import main

    assert main(["sheet", "--seed", "3", "--problems", "3", "--kinds", "forward,backprop,dropconnect:forward",
                 "--format", "markdown", "--no-diagram", "--out", str(tmp_path)]) == 0
    text = (tmp_path / "sheet.md").read_text(encoding="utf-8")
    assert ("4/5 (backprop problems: shape 2-3-2-1; dropconnect:forward problems: shape 2-3-1).") in text


def test_a_sheet_states_only_the_shapes_its_problems_have(tmp_path):
    """A sheet of kinds that never draw --shape's 2-3-3-2-1 states their own shapes instead
    (by hand: backprop 2-3-2-1, dropconnect:forward 2-3-1)."""
    from symdrop.cli import main

    for kinds, said in [("backprop", "Seed 4, shape 2-3-2-1, integers"),
                        ("backprop,dropconnect:forward", "Seed 4, shapes 2-3-2-1 (backprop), 2-3-1 (dropconnect:forward), integers")]:
        out = tmp_path / kinds.replace(",", "_").replace(":", "_")
        assert main(["sheet", "--seed", "4", "--problems", "2", "--kinds", kinds, "--format", "markdown",
                     "--no-diagram", "--out", str(out)]) == 0
        text = (out / "sheet.md").read_text(encoding="utf-8")
        assert said in text and "2-3-3-2-1" not in text


@pytest.mark.parametrize("formats", ["latex,moodle", "markdown,gift,qti", "latex,markdown,html", "moodle"])
def test_a_sheets_progress_bar_ends_full_whatever_the_formats(tmp_path, monkeypatch, formats):
    """The bar counts each problem once when it is built and once per document format it is
    rendered in: the LMS exports render no documents, so they add no steps (with moodle, the bar
    stopped at 80/120 of a 40-problem class set)."""
    import symdrop.io.progress as progress_module

    seen = []

    class Noted(progress_module.Progress):
        def close(self):
            seen.append((self.done, self.total))
            super().close()

    monkeypatch.setattr(progress_module, "Progress", Noted)
    roster = tmp_path / "roster.csv"
    roster.write_text("id,name\n" + "".join(f"s{i},S {i}\n" for i in range(40)), encoding="utf-8")
    assert main(["sheet", "--roster", str(roster), "--seed", "1", "--format", formats, "--no-diagram",
                 "--out", str(tmp_path / "o")]) == 0
    documents = len([f for f in formats.split(",") if f in ("latex", "markdown", "html")])
    assert seen == [(40 * (1 + documents), 40 * (1 + documents))]
