"""`symdrop sheet` end to end: the files it writes, the seed, one-line errors, determinism."""

import json
import re
import subprocess
import unicodedata
from fractions import Fraction
from pathlib import Path

import pytest

from symdrop.cli import main

from .conftest import require_pdflatex, run_symdrop

DOCUMENTS = ["key.json", "key.md", "key.tex", "sheet.md", "sheet.tex", "solutions.md", "solutions.tex"]


def names(directory):
    return sorted(str(p.relative_to(directory)) for p in directory.rglob("*") if p.is_file())


def test_defaults_write_sheet_key_solutions_and_key_json(tmp_path, capsys):
    assert main(["sheet", "--seed", "7", "--out", str(tmp_path / "out")]) == 0
    key = json.loads((tmp_path / "out" / "key.json").read_text())
    figures = [f"figures/{e['code']}.svg" for e in key["problems"]]  # the Markdown's pictures
    assert names(tmp_path / "out") == sorted(DOCUMENTS + figures)
    out, err = capsys.readouterr()
    assert err == ""  # a given seed is not repeated
    assert sorted(str(Path(line).relative_to(tmp_path / "out")) for line in out.splitlines()) == sorted(DOCUMENTS + figures)
    assert key["seed"] == 7 and len(key["problems"]) == 5
    assert key["options"] == {"shape": "2-3-3-2-1", "values": "int", "range": "-3..3",
                              "keep": ["1/2", "2/3", "3/4", "4/5"], "answers": "exact"}
    assert set(key["problems"][0]) == {"code", "number", "kind", "spec", "answer", "mistakes", "digest"}


def test_seed_is_chosen_and_printed_when_not_given(tmp_path, capsys):
    assert main(["sheet", "--problems", "1", "--format", "markdown", "--out", str(tmp_path)]) == 0
    err = capsys.readouterr().err
    seed = json.loads((tmp_path / "key.json").read_text())["seed"]
    assert err == f"symdrop: seed {seed} (pass --seed {seed} to make the same files again)\n"


def test_class_set_with_split(tmp_path, capsys):
    roster = tmp_path / "roster.csv"
    roster.write_text("id,name\ns1,Ada\ns2,Bo\n", encoding="utf-8")
    args = ["sheet", "--seed", "3", "--roster", str(roster), "--split", "--format", "markdown", "--out", str(tmp_path / "o")]
    assert main(args) == 0
    key = json.loads((tmp_path / "o" / "key.json").read_text())
    assert [(e["student"], e["number"]) for e in key["problems"]] == [("s1", 1), ("s2", 1)]
    codes = [e["code"] for e in key["problems"]]
    assert names(tmp_path / "o") == sorted(
        ["key.csv", "key.json", "key.md", "sheet.md", "solutions.md", f"students/s1-{codes[0]}.md", f"students/s2-{codes[1]}.md"]
        + [f"figures/{code}.svg" for code in codes]
    )
    # each sheet links its picture where it lies, from the top folder and from students/
    assert f"](figures/{codes[0]}.svg)" in (tmp_path / "o" / "sheet.md").read_text()
    assert f"](../figures/{codes[1]}.svg)" in (tmp_path / "o" / "students" / f"s2-{codes[1]}.md").read_text()


def test_no_diagram_writes_no_pictures(tmp_path):
    assert main(["sheet", "--seed", "7", "--problems", "2", "--no-diagram", "--out", str(tmp_path)]) == 0
    assert names(tmp_path) == DOCUMENTS
    assert "tikzpicture" not in (tmp_path / "sheet.tex").read_text()


BAD = {
    "impossible shape": (["--shape", "1-1-1"], "--shape 1-1-1: hidden layer 1 has 1 unit"),
    "no candidate": (["--shape", "1-2-1"], "cannot generate problem 1 of kind forward: no candidate met the rules in 1000 attempts"),
    "bad range": (["--range", "3..1"], "--range: expected LOW..HIGH with integers LOW < HIGH"),
    "bad format": (["--format", "latex,htm"], "--format: expected some of latex, markdown, html, moodle, gift, qti, qti21, prairielearn, comma-separated, got 'latex,htm'"),
    "parts": (["--parts"], "--parts: expected --format moodle"),
    "split alone": (["--split"], "--split: expected --roster FILE.csv"),
    "no roster": (["--roster", "nope.csv"], "nope.csv: no such file"),
    "zero problems": (["--problems", "0"], "--problems: expected 1 to 500, got 0"),
    "negative seed": (["--seed", "-1"], "--seed: expected a non-negative integer, got -1"),
    "keep of 1": (["--kinds", "inverted", "--keep", "1"], "--keep: expected probabilities 0 < q < 1"),
    "keep text": (["--keep", "2/3,abc"], "--keep: expected keep probabilities like 2/3,3/4,4/5"),
    "keep half only": (["--kinds", "forward,ensemble", "--keep", "1/2"], "--keep 1/2: the ensemble kind avoids q = 1/2"),
    "ensemble too wide": (["--kinds", "ensemble", "--shape", "2-5-5-1"], "--shape 2-5-5-1: the ensemble kind lists every mask"),
    "stats zero": (["--stats", "0"], "--stats: expected 1 to 10000 problems, got 0"),
}


@pytest.mark.parametrize("case", BAD)
def test_bad_options_are_one_line_exit_2_and_no_files(case, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    args, message = BAD[case]
    assert main(["sheet", *args, "--out", "out"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(f"symdrop: error: {message}"), err
    assert list(tmp_path.iterdir()) == []


def test_bad_roster_from_a_real_process_has_no_traceback(tmp_path):
    roster = tmp_path / "r.csv"
    roster.write_text("id,name\ns1,Ada\ns1,Bo\n", encoding="utf-8")
    result = run_symdrop("sheet", "--roster", str(roster), "--out", str(tmp_path / "o"))
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == f"symdrop: error: {roster}: row 3, column id: 's1' is already the id of row 2\n"
    assert not (tmp_path / "o").exists()


@pytest.mark.slow
def test_same_seed_gives_byte_identical_files_across_processes(tmp_path):
    """Two processes, two PYTHONHASHSEEDs: every file, the PDFs included, byte for byte."""
    require_pdflatex()
    (tmp_path / "roster.csv").write_text("id,name\nb,Zoë & co\na,Ünal\n", encoding="utf-8")
    for hashseed in (1, 2):
        run_symdrop("sheet", "--seed", "99", "--values", "decimal", "--roster", "roster.csv", "--split", "--pdf",
                    "--out", f"run{hashseed}", cwd=tmp_path, hashseed=hashseed, check=True)
    files = names(tmp_path / "run1")
    # 3 documents x 3 formats, 2 students x 3, key.json, key.csv, and 2 pictures for the Markdown
    assert files == names(tmp_path / "run2") and len(files) == 19
    for name in files:
        assert (tmp_path / "run1" / name).read_bytes() == (tmp_path / "run2" / name).read_bytes(), name


@pytest.mark.slow
def test_stats_prints_the_counts_of_the_problems_it_drew(tmp_path, capsys, monkeypatch):
    """--stats writes no file; its sign counts are those of the same problems by the reference."""
    from fractions import Fraction

    from symdrop.exercises.generate import generate, stream
    from symdrop.exercises.kinds import KINDS
    from symdrop.exercises.options import Options
    from symdrop.model.spec import to_spec

    from .reference import Spec, answer

    monkeypatch.chdir(tmp_path)
    assert main(["sheet", "--stats", "40", "--seed", "3", "--kinds", "inverted,ensemble"]) == 0
    out = capsys.readouterr().out
    assert list(tmp_path.iterdir()) == []
    for name in ("inverted", "ensemble"):
        section = out.split(f"## Kind {name}")[1].split("## Kind")[0]
        signs = [answer(name, Spec(to_spec(generate(stream(3, "stats", name, k), Options(), KINDS[name]))))[0]
                 for k in range(1, 41)]
        positive = sum(v > 0 for v in signs)
        assert f"| positive | {positive} | {100 * positive / 40:.1f}% |" in section
        assert f"| negative | {sum(v < 0 for v in signs)} |" in section
        denominators = {Fraction(v).denominator for v in signs}
        assert all(f"| denominator {d} |" in section for d in denominators)
        for rule in KINDS[name].rules:
            assert f". {rule} |" in section


def test_answers_decimal_writes_decimals_in_key_json_and_csv(tmp_path):
    roster = tmp_path / "r.csv"
    roster.write_text("id,name\ns1,Ada\ns2,Bo\n", encoding="utf-8")
    args = ["sheet", "--seed", "4", "--kinds", "inverted,ensemble", "--problems", "2", "--answers", "decimal",
            "--roster", str(roster), "--out", str(tmp_path / "o")]
    assert main(args) == 0
    key = json.loads((tmp_path / "o" / "key.json").read_text())
    assert key["options"]["answers"] == "decimal" and [e["kind"] for e in key["problems"]] == ["inverted", "ensemble"] * 2
    entries = [e for p in key["problems"] for e in (p, *p["mistakes"])]
    assert len(entries) > 4
    for e in entries:  # one exact form (as every JSON), the decimal beside it
        assert all(str(Fraction(v)) == v for v in e["answer"]), e
        assert all("/" not in v and len(v.partition(".")[2]) <= 4 for v in e["answer_decimal"]), e
        assert [Fraction(v) for v in e["answer_decimal"]] == [Fraction(v) for v in e["answer"]]
    assert "/" not in (tmp_path / "o" / "key.csv").read_text().split("\n", 1)[1]


def test_negative_values_need_no_equals_sign(tmp_path, capsys):
    """--range -2..2 and --keep are read as values, not as options."""
    assert main(["sheet", "--stats", "2", "--range", "-2..2", "--kinds", "inverted", "--keep", "2/3"]) == 0
    assert "integers in -2..2, keep probabilities from 2/3" in capsys.readouterr().out


@pytest.mark.slow
def test_every_page_of_a_class_set_names_its_student_in_the_header(tmp_path):
    """A page apart from the others (scanned, stapled wrongly) still says whose it is: each page of
    the sheet and of the solutions has the id and name of the student whose part it belongs to
    (the part a heading begins) in its header; a long name is cut visibly there. The key, one
    table of every student, has its title."""
    require_pdflatex()
    names = {"s1": "Zoë O'Brien", "s2": "Maximiliane Alexandrina von Hohenzollern-Sigmaringen"}
    roster = tmp_path / "roster.csv"
    roster.write_text("id,name\n" + "".join(f"{i},{n}\n" for i, n in names.items()), encoding="utf-8")
    out = tmp_path / "o"
    # three kinds: the introduction fills a student's first page, where no variant of theirs is yet
    assert main(["sheet", "--roster", str(roster), "--kinds", "forward,backprop,variance", "--problems", "3", "--seed", "2",
                 "--pdf", "--out", str(out)]) == 0
    codes = {i: [] for i in names}  # each student's variants, from the key
    for entry in json.loads((out / "key.json").read_text(encoding="utf-8"))["problems"]:
        codes[entry["student"]].append(entry["code"])
    for document, begins in (("sheet", "Student id {}."), ("solutions", "id {}")):
        pdf = out / f"{document}.pdf"
        pages = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout.split("\f")
        pages = [page for page in pages if page.strip()]
        owner, owners = None, []
        for page in pages:
            owner = next((i for i in names if begins.format(i) in page), owner)
            header = page.strip().splitlines()[0]
            assert header.startswith(f"{owner} · "), (document, header)
            # the variants in the header are the owner's: a student's first page (the sheet's
            # introduction) shows none of the student before
            shown = re.findall(r"[2-9A-HJKMNP-Z]{6}", header)
            assert set(shown) <= set(codes[owner]) and (shown or document == "sheet"), (document, header)
            owners.append(owner)
        assert owners[0] == "s1" and owners[-1] == "s2" and len(pages) > 2 * 3 - 1, document
        assert all("s2 · Maximiliane Alexandrina von Hohenzoll..." in page for page in pages if page.strip().startswith("s2"))
    key = subprocess.run(["pdftotext", "-layout", str(out / "key.pdf"), "-"], capture_output=True, text=True, check=True).stdout
    assert key.strip().startswith("Answer key")
    for page in filter(str.strip, key.split("\f")):  # a page lists its own variants, no range of codes
        header, body = page.strip().split("\n", 1)
        shown = re.findall(r"[2-9A-HJKMNP-Z]{6}", header)
        assert "–" not in header and len(shown) <= 3 and all(c in body for c in shown), header


@pytest.mark.slow
@pytest.mark.parametrize("engine, name", [("pdflatex", "Maximiliane von Hohenzollern"), ("lualatex", "张伟 Zhang Wei")])
def test_a_class_set_key_is_set_in_one_tex_run_within_its_columns(tmp_path, engine, name):
    """The key's table breaks across pages (a longtable): its columns have fixed widths, so TeX
    sets it in one run, which asks for no second (a column of natural width makes longtable ask
    for one, the key's PDF taking twice as long), and nothing sticks out of a column: the header
    "problem" over two-digit numbers, "variant" over the codes, in either engine."""
    require_pdflatex()
    roster = tmp_path / "roster.csv"
    roster.write_text(f"id,name\nan-identifier-of-27-letters,{name}\ns2,Ann\n", encoding="utf-8")
    assert main(["sheet", "--roster", str(roster), "--problems", "12", "--seed", "3", "--format", "latex",
                 "--out", str(tmp_path / "o")]) == 0
    (tmp_path / "doc.tex").write_text((tmp_path / "o" / "key.tex").read_text(encoding="utf-8"), encoding="utf-8")
    subprocess.run([engine, "-no-shell-escape", "-interaction=nonstopmode", "doc.tex"], cwd=tmp_path,
                   stdout=subprocess.DEVNULL, timeout=120, check=True)
    log = (tmp_path / "doc.log").read_text(encoding="utf-8", errors="replace")
    assert "\\begin{longtable}" in (tmp_path / "doc.tex").read_text(encoding="utf-8")
    assert "Rerun" not in log and "widths have changed" not in log
    assert "Overfull \\hbox" not in log


def cropped_text(pdf, left, width):
    """The text pdftotext -layout reads in a vertical strip of the PDF's first page (points from
    the page's left), its lines joined, without spaces, bidi marks or presentation forms (NFKC:
    Noto Naskh's isolated alef copies as U+FE8D, as it did before the key's columns broke)."""
    text = subprocess.run(["pdftotext", "-layout", "-f", "1", "-l", "1", "-x", str(left), "-y", "0", "-W", str(width),
                           "-H", "842", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return re.sub(r"[\s\u200e\u200f\u202a-\u202e]", "", unicodedata.normalize("NFKC", text))


@pytest.mark.slow
@pytest.mark.parametrize("engine, students", [
    ("pdflatex", {"verylongfirstname.lastname@university-example.edu": "Wolfeschlegelsteinhausenbergerdorff",
                  "123456789012345678901234567890": "Zoë O'Brien", "s3": "Maximiliane von Hohenzollern-Sigmaringen"}),
    ("lualatex", {"محمدبنعبدالرحمنالهاشميالقرشي": "张伟 Zhang Wei", "学生2023000000000000000001": "محمد عبد الرحمن",
                  "s3": "Wolfeschlegelsteinhausenbergerdorffvonhausen"}),
])
def test_an_unbreakable_id_or_name_breaks_inside_its_column_of_the_key(tmp_path, engine, students):
    """An id or a name without a break point wider than its column (an email address, a number of
    30 digits, an Arabic word, a name of one long word) breaks between two of its characters,
    inside its column (nothing overfull), and copies out of the PDF as typed (at most a line break
    in it). The page is A4 with margins of 2.2 cm: a line of 595.28 - 2 * 62.36 = 470.56 pt, the id
    column 0.16 of it (75.29 pt) from 62.36 pt, the name column 0.30 (141.17 pt) from
    62.36 + 75.29 + 2 * 6 = 149.65 pt (a column's sides 6 pt each)."""
    require_pdflatex()
    roster = tmp_path / "roster.csv"
    roster.write_text("id,name\n" + "".join(f'{i},"{n}"\n' for i, n in students.items()), encoding="utf-8")
    assert main(["sheet", "--roster", str(roster), "--problems", "1", "--seed", "3", "--format", "latex",
                 "--out", str(tmp_path / "o")]) == 0
    source = (tmp_path / "o" / "key.tex").read_text(encoding="utf-8")
    assert source.startswith(f"% !TeX program = {engine}\n")
    (tmp_path / "doc.tex").write_text(source, encoding="utf-8")
    subprocess.run([engine, "-no-shell-escape", "-interaction=nonstopmode", "doc.tex"], cwd=tmp_path,
                   stdout=subprocess.DEVNULL, timeout=120, check=True)
    log = (tmp_path / "doc.log").read_text(encoding="utf-8", errors="replace")
    assert "Overfull \\hbox" not in log
    ids, names = cropped_text(tmp_path / "doc.pdf", 60, 80), cropped_text(tmp_path / "doc.pdf", 148, 146)
    for student_id, name in students.items():
        assert student_id in ids and name.replace(" ", "") in names, (student_id, ids, name, names)
