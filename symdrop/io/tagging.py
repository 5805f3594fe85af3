"""Tagged PDF (``--tagged``): the LaTeX source with LaTeX's tagging code switched on
(``\\DocumentMetadata``, the tagpdf package of TeX Live 2022 and later), compiled by LuaLaTeX."""

import shutil
import subprocess
from functools import lru_cache

from ..errors import SymdropError

# TeX Live 2022's tagging: phase-II tags paragraphs, sections and the document structure (math
# and tables are tagged as text by later TeX Lives only); lang sets the PDF's language.
METADATA = r"\DocumentMetadata{testphase={phase-II}, lang=en}"
# LuaTeX joins -{}- and <{}< into ligatures (pdfTeX does not): no ligatures in T1, the encoding of
# users' text and identifiers (latex/preamble.tex.j2), so "Ana--Maria" prints as typed.
LITERAL = "\\usepackage{microtype}\\DisableLigatures{encoding = T1}\n"
PACKAGE = "tagpdf.sty"  # Debian: texlive-latex-extra (TeX Live 2022 or later)


@lru_cache(maxsize=1)
def _tagging_installed() -> bool:
    if shutil.which("lualatex") is None or shutil.which("kpsewhich") is None:
        return False
    found = subprocess.run(["kpsewhich", PACKAGE], capture_output=True, text=True, timeout=30)
    return found.returncode == 0 and bool(found.stdout.strip())


def require_tagging() -> None:
    """Refuse ``--tagged`` in one line where LuaLaTeX or LaTeX's tagging code is missing."""
    if not _tagging_installed():
        raise SymdropError("--tagged: needs LuaLaTeX and LaTeX's tagging code (tagpdf.sty, TeX Live 2022 or later; "
                           "Debian: apt-get install texlive-luatex texlive-latex-extra)")


def tagged(source: str) -> str:
    """``source`` with the tagging switched on: the metadata before ``\\documentclass``, which makes
    render.escape.tex_engine choose LuaLaTeX."""
    source = source.replace(r"\documentclass", METADATA + "\n" + r"\documentclass", 1)
    return source.replace(r"\begin{document}", LITERAL + r"\begin{document}", 1)
