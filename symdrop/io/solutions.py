"""The files of one problem's document: the text in its format, its picture beside it, its PDF."""

import json
from pathlib import Path
from typing import Callable

from ..errors import SymdropError
from ..render.formats import compiled, get
from .tagging import tagged as tag
from .tex import compile_pdf


def solution_files(fmt: str, output: Path | None, render: Callable[[str, str | None], str],
                   data: Callable[[], dict], picture: Callable[[], str | None] | None = None,
                   pdf: bool = False, tagged: bool = False) -> tuple[str, dict[Path, str | bytes]]:
    """One problem's document in ``fmt`` and the files beside ``-o output``: the picture, where
    the format links one (``picture()``, an SVG, as FILE.svg), and with ``pdf`` the PDF compiled
    from the LaTeX (FILE.pdf). ``render(fmt, svg)`` renders the document (linking the picture
    file ``svg``, or none), ``data()`` gives what JSON writes."""
    format_ = get(fmt)
    links = format_.figure == "file" and output is not None and output.suffix.lower() != ".pdf"
    svg = picture() if links and picture is not None else None
    if svg and output.suffix.lower() == ".svg":
        raise SymdropError(f"-o {output}: the picture goes to FILE.svg; name the Markdown FILE.md")
    if format_.data:
        text = json.dumps(data(), indent=2) + "\n"
    else:
        text = render(fmt, output.with_suffix(".svg").name if svg else None)
    files: dict[Path, str | bytes] = {output.with_suffix(".svg"): svg} if svg else {}
    if pdf:
        source = text if format_.engine else render(compiled().name, None)
        files[output.with_suffix(".pdf")] = compile_pdf(tag(source) if tagged else source)
    return text, files
