"""PDFs compiling side by side (``io.outputs.Compiling``): a document is handed over as soon as it
is rendered, so the command may end (an error, Ctrl-C) while a run is about to start; no TeX run
starts then, the first failure is raised as it comes, and an error names its document."""

import re
import subprocess
import threading

import pytest

from symdrop.cli import main
from symdrop.errors import RenderError
from symdrop.io import outputs, tex
from symdrop.render.env import builtin_templates

from .conftest import require_pdflatex

GOOD = "\\documentclass{article}\\begin{document}ok\\end{document}\n"
BROKEN = "\\documentclass{article}\\begin{document}\n\nok\n\\nosuchmacro\n\\end{document}\n"


def test_a_run_about_to_start_when_the_command_ends_never_starts(monkeypatch):
    """The worker has its document but has not started TeX when the block is left (a template
    error in the next document): it starts none, so leaving waits for no whole run."""
    require_pdflatex()
    started, about_to = [], threading.Event()

    def engine_then_wait(source):  # the worker, at compile_pdf's first step, waits for the end
        about_to.set()
        assert compiling.stop.wait(timeout=30)
        return "pdflatex"

    monkeypatch.setattr(tex, "tex_engine", engine_then_wait)
    monkeypatch.setattr(tex.subprocess, "Popen", lambda *a, **k: started.append(a) or pytest.fail("TeX started"))
    with pytest.raises(ZeroDivisionError):
        with outputs.Compiling() as compiling:
            compiling.add({"solutions.tex": GOOD})
            assert about_to.wait(timeout=30)
            1 / 0  # the next document's template fails
    assert started == [] and isinstance(compiling.futures["solutions.tex"].exception(), RenderError)


def test_compile_pdf_told_to_stop_starts_no_run(monkeypatch):
    require_pdflatex()
    monkeypatch.setattr(tex.subprocess, "Popen", lambda *a, **k: pytest.fail("TeX started"))
    stop = threading.Event()
    stop.set()
    with pytest.raises(RenderError, match="not started: the command is ending"):
        tex.compile_pdf(GOOD, stop=stop)


def test_the_first_failure_is_raised_as_it_comes_not_after_the_documents_before_it(monkeypatch):
    """The solutions are handed over first and compile longest; a key that fails at once is
    reported then, not once the solutions are done (which are then ended)."""
    release, finished = threading.Event(), []

    def fake(name, source, stop):
        if source == "long":
            release.wait(timeout=20)
            finished.append(name)
            return b"%PDF long"
        raise RenderError(f"{name}: pdflatex failed: line 3: bad")

    monkeypatch.setattr(outputs, "_compile", fake)
    try:
        with pytest.raises(RenderError, match="key.tex: pdflatex failed"):
            with outputs.Compiling() as compiling:
                compiling.add({"solutions.tex": "long"}, workers=2)
                compiling.add({"key.tex": "bad"})
                try:
                    compiling.results()
                finally:
                    assert finished == []  # raised while the solutions still compiled
                    release.set()
    finally:
        release.set()


def test_a_failure_is_raised_when_the_next_document_is_handed_over(monkeypatch):
    """A document that failed while the next rendered ends the command there (with --split, the
    students' sheets would otherwise all render, and compile, before the error is said)."""
    def fake(name, source, stop):
        raise RenderError(f"{name}: pdflatex failed: line 1: bad")

    monkeypatch.setattr(outputs, "_compile", fake)
    with pytest.raises(RenderError, match="solutions.tex: pdflatex failed"):
        with outputs.Compiling() as compiling:
            compiling.add({"solutions.tex": "bad"})
            outputs.wait(compiling.futures.values())
            compiling.add({"sheet.tex": "good"})
    assert list(compiling.futures) == ["solutions.tex"]  # the sheet was never handed over


def test_an_error_names_its_document_and_the_line():
    require_pdflatex()
    with pytest.raises(RenderError) as caught:
        outputs.compile_all({"feedback/s1.pdf": GOOD, "report.pdf": BROKEN})
    message = str(caught.value)
    # the document's own name, and its line (4: \nosuchmacro), not the file TeX read in its folder
    assert re.match(r"report\.pdf: pdflatex failed: line 4: Undefined control sequence", message), message
    assert "doc.tex" not in message


@pytest.mark.slow
def test_a_copy_of_latex_macros_from_before_the_keys_fixed_columns_still_sets_the_key(tmp_path):
    """A template folder copied before the key's columns had fixed widths: its latex/macros.j2
    knows no "n" or "k" column and no key_columns. The key is then set with natural widths (two
    TeX runs), not refused by TeX (array's "Illegal pream-token")."""
    require_pdflatex()
    macros = (builtin_templates() / "latex" / "macros.j2").read_text(encoding="utf-8")
    older = re.sub(r'\\BLOCK\{ set key_columns = "[a-z]+" \}\n', "", macros)
    older = re.sub(r', "n": "[^"]+", "k": "[^"]+"', "", older)
    assert "key_columns" not in older and "\"n\":" not in older
    (tmp_path / "mine" / "latex").mkdir(parents=True)
    (tmp_path / "mine" / "latex" / "macros.j2").write_text(older, encoding="utf-8")
    roster = tmp_path / "roster.csv"
    roster.write_text("id,name\ns1,Ann\ns2,Bob\n", encoding="utf-8")
    out = tmp_path / "o"
    assert main(["sheet", "--roster", str(roster), "--seed", "2", "--format", "latex", "--pdf",
                 "--templates", str(tmp_path / "mine"), "--out", str(out)]) == 0
    assert "}rl>{" in (out / "key.tex").read_text(encoding="utf-8")
    text = subprocess.run(["pdftotext", str(out / "key.pdf"), "-"], capture_output=True, text=True, check=True).stdout
    assert "variant" in text and "Ann" in text and "Bob" in text
