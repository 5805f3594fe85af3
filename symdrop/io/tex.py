"""Compiling LaTeX to PDF with a real TeX engine: no shell escape, nonstop, time-limited."""

import os
import re
import shutil
import subprocess
import tempfile
import threading
from functools import lru_cache
from pathlib import Path

from ..errors import RenderError
from ..render.escape import tex_engine
from .files import alive

TEX_PACKAGES = "texlive-latex-base texlive-latex-recommended texlive-pictures lmodern"
# What users' text in other scripts than pdflatex's needs (Greek, Cyrillic, CJK, Arabic, ...).
LUATEX_PACKAGES = "texlive-luatex fonts-noto-core fonts-noto-cjk"
TIMEOUT_SECONDS = 120
# A TeX run's folder, symdrop-tex-PID-XXXXXXXX in the temporary directory: the process id lets a
# later run remove the folders of a killed one (SIGKILL leaves them; other endings clean up).
PREFIX = "symdrop-tex-"
# TeX runs again while its log asks (longtable's column widths, labels), at most this often.
MAX_RUNS = 4
_RERUN = ("Rerun to get", "Column widths have changed", "Table widths have changed", "Label(s) may have changed")

_running: set[subprocess.Popen] = set()  # every TeX run going on now, to end them on Ctrl-C
_lock = threading.Lock()


def compile_pdf(source: str, *, timeout: float = TIMEOUT_SECONDS, stop: threading.Event | None = None) -> bytes:
    """Compile a standalone LaTeX document and return the PDF's bytes: with pdflatex, or with
    lualatex when the text holds characters pdflatex cannot print (render.escape.tex_engine);
    run again while the log asks, so tables are aligned. Once ``stop`` is set (the caller is
    ending, :func:`end_running` called or about to be), no TeX run starts: RenderError."""
    name = tex_engine(source)
    engine = shutil.which(name)
    if engine is None:
        packages = TEX_PACKAGES if name == "pdflatex" else f"{TEX_PACKAGES} {LUATEX_PACKAGES}"
        needs = "" if name == "pdflatex" else " (the text holds characters pdflatex cannot print)"
        raise RenderError(f"{name} not found{needs}; install TeX Live, e.g. `apt-get install {packages}`")
    _remove_stale_once()
    with tempfile.TemporaryDirectory(prefix=f"{PREFIX}{os.getpid()}-") as tmp:
        Path(tmp, "doc.tex").write_text(source, encoding="utf-8")
        log = Path(tmp, "doc.log")
        for _ in range(MAX_RUNS):
            returncode = _run(name, engine, tmp, timeout, stop)
            if returncode != 0 or not _asks_rerun(log):
                break
        pdf = Path(tmp, "doc.pdf")
        if returncode != 0 or not pdf.exists():
            raise RenderError(f"{name} failed: {_first_error(log)}")
        return pdf.read_bytes()


def _run(name: str, engine: str, folder: str, timeout: float, stop: threading.Event | None = None) -> int:
    command = [
        engine, "-no-shell-escape", "-interaction=nonstopmode", "-halt-on-error",
        "-file-line-error", "doc.tex",
    ]
    # openout_any=p: TeX may write only below the working directory.
    env = {**os.environ, "openout_any": "p", "openin_any": "p"}
    with _lock:  # started and noted at once: end_running (which takes the lock) ends it, or it never starts
        if stop is not None and stop.is_set():
            raise RenderError(f"{name} not started: the command is ending")
        process = subprocess.Popen(command, cwd=folder, env=env, stdin=subprocess.DEVNULL,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _running.add(process)
    try:
        return process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        raise RenderError(f"{name} did not finish within {timeout:g} seconds") from None
    finally:
        if process.poll() is None:  # interrupted, or too slow: it ends with us
            process.kill()
            process.wait()
        with _lock:
            _running.discard(process)


def _asks_rerun(log: Path) -> bool:
    try:
        text = log.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    return any(phrase in text for phrase in _RERUN)


def _first_error(log: Path) -> str:
    try:
        lines = log.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return "no log written"
    for number, line in enumerate(lines):
        if line.startswith("!") or line.startswith("./doc.tex:"):
            detail = " ".join(l.strip() for l in lines[number : number + 3] if l.strip())
            return re.sub(r"^\./doc\.tex:(\d+):", r"line \1:", detail)[:300]  # the document's line, not the file TeX read
    return "see the TeX log (no error line found)"


def end_running() -> None:
    """End every TeX run still going (Ctrl-C or SIGTERM while documents compile side by side:
    the threads that wait for them then return at once)."""
    with _lock:
        running = list(_running)
    for process in running:
        if process.poll() is None:
            process.kill()


@lru_cache(maxsize=None)
def _remove_stale_once() -> None:
    # Once per process: a class set compiles hundreds of documents, and leftovers do not come back.
    remove_stale_folders()


def remove_stale_folders() -> None:
    """Remove the TeX folders of symdrop processes that are gone (killed before cleaning up)."""
    base = Path(tempfile.gettempdir())
    try:
        folders = [p for p in base.iterdir() if p.name.startswith(PREFIX)]
    except OSError:
        return
    for folder in folders:
        pid = folder.name[len(PREFIX):].split("-", 1)[0]
        if pid.isdigit() and not alive(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)

