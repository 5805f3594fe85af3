"""The files a command writes: documents in each format, pictures, keys and compiled PDFs."""

import json
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

from ..exercises.sheet import Sheet
from ..render.documents import render_svg
from ..render.formats import EXPORTS, get
from ..render.exports import export_files
from ..render.options import RenderOptions
from ..render.sheets import key_csv, key_json, render_documents
from .tex import compile_pdf, end_running


def sheet_files(sheet: Sheet, out: Path, formats=("latex", "markdown"), options: RenderOptions = RenderOptions(),
                *, pdf: bool = False, split: bool = False, parts: bool = False, progress=None) -> dict[Path, str | bytes]:
    """Every file of ``sheet`` under ``out``: its documents in each format (and PDF), key.json,
    for a class set key.csv and, with ``split``, one sheet per student; with ``options.diagram``,
    each network's picture where a format links it (``figures/CODE.svg`` for Markdown); and the
    LMS exports asked for (``moodle.xml``, ``questions.gift``, ``qti.zip``; ``parts``: Moodle's
    questions as cloze with a gap per value)."""
    out = Path(out)
    options = replace(options, decimals=options.decimals or sheet.options.decimals)
    exports = [f for f in formats if f in EXPORTS]
    formats = tuple(f for f in formats if f not in EXPORTS)
    documents = render_documents(sheet, formats, options, split=split, progress=progress)
    files: dict[Path, str | bytes] = {out / name: text for name, text in documents.items()}
    if options.diagram and any(get(f).figure == "file" for f in formats):
        for e in sheet.exercises:
            svg = render_svg(e.derivation, options)
            if svg is not None:
                files[out / options.figures / f"{e.code}.svg"] = svg  # where the documents link it
    for name, content in export_files(sheet, exports, options, parts).items():
        files[out / name] = content
    files[out / "key.json"] = json.dumps(key_json(sheet), indent=2, ensure_ascii=False) + "\n"
    if sheet.class_set:
        files[out / "key.csv"] = key_csv(sheet)
    if pdf:
        sources = {name: text for name, text in documents.items() if name.endswith(".tex")}
        if "latex" not in formats:  # the PDF still comes from the LaTeX, which is then not kept
            sources = render_documents(sheet, ("latex",), options, split=split)
        if progress:
            progress.stage(f"compiling {len(sources)} PDF{'s' if len(sources) > 1 else ''}")
        for name, data in zip(sources, compile_all(list(sources.values()))):
            files[out / Path(name).with_suffix(".pdf")] = data
    return files


def compile_all(sources: list[str]) -> list[bytes]:
    """Compile LaTeX documents to PDF; pdflatex runs are separate processes, run side by side."""
    with ThreadPoolExecutor(max_workers=max(1, min(len(sources), os.cpu_count() or 1))) as pool:
        try:
            return list(pool.map(compile_pdf, sources))
        except BaseException:  # Ctrl-C, SIGTERM or a failed run: end the other runs, queued ones never start
            pool.shutdown(wait=False, cancel_futures=True)
            end_running()
            raise
