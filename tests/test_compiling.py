"""PDFs compiling side by side (``io.outputs.Compiling``): a document is handed over as soon as it
is rendered, so the command may end (an error, Ctrl-C) while a run is about to start; no TeX run
starts then, the first failure is raised as it comes, and an error names its document."""

import re
import threading

import pytest

from symdrop.errors import RenderError
from symdrop.io import outputs, tex

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


def test_an_error_names_its_document_and_the_line():
    require_pdflatex()
    with pytest.raises(RenderError) as caught:
        outputs.compile_all({"feedback/s1.pdf": GOOD, "report.pdf": BROKEN})
    message = str(caught.value)
    # the document's own name, and its line (4: \nosuchmacro), not the file TeX read in its folder
    assert re.match(r"report\.pdf: pdflatex failed: line 4: Undefined control sequence", message), message
    assert "doc.tex" not in message

