"""Compiling LaTeX to PDF with a real TeX engine: no shell escape, nonstop, time-limited."""

import os
import shutil
import subprocess
import tempfile
import threading
from pathlib import Path

from ..errors import RenderError
from .files import alive

TEX_PACKAGES = "texlive-latex-base texlive-latex-recommended texlive-pictures"
TIMEOUT_SECONDS = 120
# A TeX run's folder, symdrop-tex-PID-XXXXXXXX in the temporary directory: the process id lets a
# later run remove the folders of a killed one (SIGKILL leaves them; other endings clean up).
PREFIX = "symdrop-tex-"

_running: set[subprocess.Popen] = set()  # every pdflatex running now, to end them on Ctrl-C
_lock = threading.Lock()


def compile_pdf(source: str, *, timeout: float = TIMEOUT_SECONDS) -> bytes:
    """Compile a standalone LaTeX document with pdflatex and return the PDF's bytes."""
    engine = shutil.which("pdflatex")
    if engine is None:
        raise RenderError(
            f"pdflatex not found; install TeX Live, e.g. `apt-get install {TEX_PACKAGES}`"
        )
    remove_stale_folders()
    with tempfile.TemporaryDirectory(prefix=f"{PREFIX}{os.getpid()}-") as tmp:
        Path(tmp, "doc.tex").write_text(source, encoding="utf-8")
        command = [
            engine, "-no-shell-escape", "-interaction=nonstopmode", "-halt-on-error",
            "-file-line-error", "doc.tex",
        ]
        # openout_any=p: TeX may write only below the working directory.
        env = {**os.environ, "openout_any": "p", "openin_any": "p"}
        process = subprocess.Popen(command, cwd=tmp, env=env, stdin=subprocess.DEVNULL,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        with _lock:
            _running.add(process)
        try:
            returncode = process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            raise RenderError(f"pdflatex did not finish within {timeout:g} seconds") from None
        finally:
            if process.poll() is None:  # interrupted, or too slow: it ends with us
                process.kill()
                process.wait()
            with _lock:
                _running.discard(process)
        pdf = Path(tmp, "doc.pdf")
        if returncode != 0 or not pdf.exists():
            raise RenderError(f"pdflatex failed: {_first_error(Path(tmp, 'doc.log'))}")
        return pdf.read_bytes()


def _first_error(log: Path) -> str:
    try:
        lines = log.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return "no log written"
    for number, line in enumerate(lines):
        if line.startswith("!") or line.startswith("./doc.tex:"):
            detail = " ".join(l.strip() for l in lines[number : number + 3] if l.strip())
            return detail[:300]
    return "see the TeX log (no error line found)"


def end_running() -> None:
    """End every pdflatex still running (Ctrl-C or SIGTERM while documents compile side by side:
    the threads that wait for them then return at once)."""
    with _lock:
        running = list(_running)
    for process in running:
        if process.poll() is None:
            process.kill()


def remove_stale_folders() -> None:
    """Remove the TeX folders of symdrop processes that are gone (killed before cleaning up)."""
    base = Path(tempfile.gettempdir())
    try:
        folders = [p for p in base.iterdir() if p.name.startswith(PREFIX)]
    except OSError:
        return
    for folder in folders:
        pid = folder.name[len(PREFIX):].split("-", 1)[0]
        if pid.isdigit() and int(pid) != os.getpid() and not alive(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)

