"""--tagged: the PDF compiled by LuaLaTeX with LaTeX's tagging code (TeX Live 2022's phase-II),
which pdfinfo reports as tagged; without --pdf it is refused in one line."""

import subprocess
import time

import pytest

from symdrop.cli import main
from symdrop.io import tagging

from .conftest import missing, require, require_pdflatex
from .test_page import SPEC


def test_tagged_without_a_pdf_is_refused(tmp_path, capsys):
    assert main(["solve", str(SPEC), "-o", str(tmp_path / "s.md"), "--tagged"]) == 2
    assert capsys.readouterr().err == "symdrop: error: --tagged: expected --pdf (or -o FILE.pdf): it tags the PDF\n"
    assert not list(tmp_path.iterdir())


def test_tagged_without_the_tagging_code_is_refused(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(tagging, "_tagging_installed", lambda: False)
    assert main(["sheet", "--seed", "1", "--problems", "1", "--format", "latex", "--pdf", "--tagged",
                 "--out", str(tmp_path / "x")]) == 2
    assert capsys.readouterr().err == ("symdrop: error: --tagged: needs LuaLaTeX and LaTeX's tagging code (tagpdf.sty, "
                                       "TeX Live 2022 or later; Debian: apt-get install texlive-luatex texlive-latex-extra)\n")
    assert not (tmp_path / "x").exists()


@pytest.mark.slow
def test_a_tagged_pdf_is_tagged(tmp_path):
    require_pdflatex()
    require("pdfinfo", install="apt-get install poppler-utils")
    if not tagging._tagging_installed():  # a failure in CI, which installs it
        missing("LaTeX's tagging code (tagpdf.sty)", install="apt-get install texlive-latex-extra")
    spec = tmp_path / "spec.yaml"  # a title LuaTeX would join into ligatures: -- to an en dash, << to a guillemet
    lines = [line for line in SPEC.read_text(encoding="utf-8").splitlines() if not line.startswith("title:")]
    spec.write_text("\n".join(["title: Ana--Maria <<x>> a---b", *lines]) + "\n", encoding="utf-8")
    assert main(["solve", str(spec), "-o", str(tmp_path / "s.pdf"), "--tagged"]) == 0
    info = subprocess.run(["pdfinfo", str(tmp_path / "s.pdf")], capture_output=True, text=True, check=True).stdout
    assert "Tagged:          yes" in info.splitlines()
    structure = subprocess.run(["pdfinfo", "-struct", str(tmp_path / "s.pdf")], capture_output=True, text=True).stdout
    assert structure.startswith("Document\n  P (block)")  # paragraphs tagged (TeX Live 2022: no headings, no math)
    text = subprocess.run(["pdftotext", str(tmp_path / "s.pdf"), "-"], capture_output=True, text=True, check=True).stdout
    assert "Ana--Maria <<x>> a---b" in text  # users' text as typed


@pytest.mark.slow
def test_a_tagged_pdf_is_the_same_bytes_every_run(tmp_path):
    """LaTeX's tagging code writes XMP metadata: dates (taken from the clock, and from the time
    TeX's log file was written) and an instance id made from them. symdrop gives the dates as
    1970-01-01 and the id from the source, so two runs seconds apart write the same bytes."""
    require_pdflatex()
    if not tagging._tagging_installed():
        missing("LaTeX's tagging code (tagpdf.sty)", install="apt-get install texlive-latex-extra")
    made = []
    for run in range(2):
        assert main(["solve", str(SPEC), "-o", str(tmp_path / f"s{run}.pdf"), "--tagged"]) == 0
        made.append((tmp_path / f"s{run}.pdf").read_bytes())
        time.sleep(1.1)  # the clock's seconds move on between the runs
    assert made[0] == made[1]
    assert b"<xmp:CreateDate>1970-01-01T00:00:00Z</xmp:CreateDate>" in made[0]


def test_tagging_keeps_every_line_where_it_was():
    """The tagging code goes on the lines of \\documentclass and \\begin{document}, so a TeX error's
    line number in a tagged run is that of the .tex file symdrop writes (it was 4 lines on)."""
    source = "% a comment\n\\documentclass{article}\n\\usepackage{x}\n\\begin{document}\nhello\n\\end{document}\n"
    made = tagging.tagged(source)
    assert made.count("\n") == source.count("\n")
    lines = made.splitlines()
    assert lines[1].startswith("\\DocumentMetadata{") and lines[1].endswith("\\documentclass{article}")
    assert lines[3].endswith("\\begin{document}") and lines[4] == "hello"
    assert made == tagging.tagged(source)  # its ids are the source's: the same every time


@pytest.mark.slow
def test_a_tagged_class_set_prints_every_letter_of_its_names(tmp_path):
    """A tagged PDF is LuaLaTeX's: its documents are rendered for LuaLaTeX, whose fonts hold every
    letter of Latin. (Rendered for pdflatex, the users' text was T1, which LuaLaTeX takes by
    Unicode's numbers: past Latin-1 a letter had no glyph, and "Łukasiewicz" printed "ukasiewicz".)"""
    require_pdflatex()
    if not tagging._tagging_installed():
        missing("LaTeX's tagging code (tagpdf.sty)", install="apt-get install texlive-latex-extra")
    names = ["Jan Łukasiewicz", "Dvořák Šárka", "Őrs Ŭlo ÆØÅ"]
    roster = tmp_path / "roster.csv"
    roster.write_text("id,name\n" + "".join(f"s{i},{n}\n" for i, n in enumerate(names)), encoding="utf-8")
    assert main(["sheet", "--roster", str(roster), "--seed", "2", "--format", "latex", "--pdf", "--tagged",
                 "--out", str(tmp_path / "o")]) == 0
    text = subprocess.run(["pdftotext", str(tmp_path / "o" / "key.pdf"), "-"], capture_output=True, text=True,
                          check=True).stdout
    for name in names:
        assert name in text, (name, text[:600])
