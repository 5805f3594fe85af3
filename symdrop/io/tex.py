"""Compiling LaTeX to PDF with a real TeX engine: no shell escape, nonstop, time-limited."""

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from ..errors import RenderError

TEX_PACKAGES = "texlive-latex-base texlive-latex-recommended texlive-pictures"
TIMEOUT_SECONDS = 120


def compile_pdf(source: str, *, timeout: float = TIMEOUT_SECONDS) -> bytes:
    """Compile a standalone LaTeX document with pdflatex and return the PDF's bytes."""
    engine = shutil.which("pdflatex")
    if engine is None:
        raise RenderError(
            f"pdflatex not found; install TeX Live, e.g. `apt-get install {TEX_PACKAGES}`"
        )
    with tempfile.TemporaryDirectory(prefix="symdrop-tex-") as tmp:
        Path(tmp, "doc.tex").write_text(source, encoding="utf-8")
        command = [
            engine, "-no-shell-escape", "-interaction=nonstopmode", "-halt-on-error",
            "-file-line-error", "doc.tex",
        ]
        # openout_any=p: TeX may write only below the working directory.
        env = {**os.environ, "openout_any": "p", "openin_any": "p"}
        try:
            result = subprocess.run(
                command, cwd=tmp, env=env, stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=timeout,
            )
        except subprocess.TimeoutExpired:
            raise RenderError(f"pdflatex did not finish within {timeout:g} seconds") from None
        pdf = Path(tmp, "doc.pdf")
        if result.returncode != 0 or not pdf.exists():
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
