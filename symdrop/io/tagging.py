"""Tagged PDF (``--tagged``): the LaTeX source with LaTeX's tagging code switched on
(``\\DocumentMetadata``, the tagpdf package of TeX Live 2022 and later), compiled by LuaLaTeX."""

import hashlib
import shutil
import subprocess
import uuid
from functools import lru_cache

from ..errors import SymdropError

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
    """``source`` with the tagging switched on (templates/latex/tagged.tex.j2: the metadata before
    ``\\documentclass``, which makes render.escape.tex_engine choose LuaLaTeX, and users' text
    kept as typed before ``\\begin{document}``)."""
    from ..render.env import make_env

    parts = make_env().get_template("latex/tagged.tex.j2").module
    instance = uuid.uuid5(uuid.NAMESPACE_OID, hashlib.sha256(source.encode("utf-8")).hexdigest())  # the same source, the same id
    # on the lines of \documentclass and \begin{document}: a TeX error's line is the written .tex file's
    metadata, literal = (str(text).replace("\n", "") for text in (parts.metadata(instance), parts.literal()))
    source = source.replace(r"\documentclass", metadata + r"\documentclass", 1)
    return source.replace(r"\begin{document}", literal + r"\begin{document}", 1)
