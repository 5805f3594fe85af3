"""The files of a sheet: documents in each format, pictures, exports, keys and compiled PDFs."""

import os
import threading
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from pathlib import Path

from ..errors import RenderError
from ..exercises.sheet import Sheet
from ..render.documents import render_svg
from ..render.formats import compiled, default_sheet_formats, get
from ..render.jsontext import indented
from ..render.options import RenderOptions
from ..render.sheets import key_csv, key_entries, render_documents
from .spool import Spool
from .tagging import tagged as tag
from .tex import compile_pdf, end_running


def sheet_files(sheet: Sheet, out: Path, formats=None, options: RenderOptions = RenderOptions(),
                *, pdf: bool = False, split: bool = False, parts: bool = False, rubric=None, progress=None,
                tagged: bool = False) -> dict[Path, str | bytes]:
    """Every file of ``sheet`` under ``out``: its documents in each format (and PDF), key.json,
    for a class set key.csv and, with ``split``, one sheet per student; with ``options.diagram``,
    each network's picture where a format links it (``figures/CODE.svg`` for Markdown); and the
    LMS exports asked for (``moodle.xml``, ``questions.gift``, ``qti.zip``; ``parts``: Moodle's
    questions as cloze with a gap per value; ``rubric``: grade's, for the exports that score by one)."""
    out = Path(out)
    formats = default_sheet_formats() if formats is None else formats
    options = options.for_sheet(sheet)
    exports = [get(f) for f in formats if get(f).export]
    formats = tuple(f for f in formats if not get(f).export)
    spool = Spool()  # the documents, key and pictures wait on disk, not in memory, to be written
    with Compiling() as compiling:
        def ready(documents: dict[str, str]) -> None:  # a LaTeX document is done: its PDF compiles meanwhile
            sources = {name: tag(text) if tagged else text for name, text in documents.items()
                       if name.endswith(f".{compiled().suffix}")}
            if sources:
                compiling.add(sources)

        # LaTeX first: pdflatex runs (separate processes) while Python renders the rest.
        ordered = tuple(sorted(formats, key=lambda f: get(f).engine is None))
        documents = render_documents(sheet, ordered, options, split=split, progress=progress,
                                     ready=ready if pdf else None, hold=spool.add)
        documents = {name: documents[name] for f in formats for name in documents if _of(name, f)}
        if pdf and not compiling.started:  # the PDF still comes from the LaTeX, which is then not kept
            ready(render_documents(sheet, (compiled().name,), options, split=split))
        files: dict[Path, str | bytes] = {out / name: text for name, text in documents.items()}
        if options.diagram and any(get(f).figure == "file" for f in formats):
            for e in sheet.exercises:
                svg = render_svg(e.derivation, options)
                if svg is not None:
                    files[out / options.figures / f"{e.code}.svg"] = spool.add(svg)  # where the documents link it
        for f in formats:  # the self-check pages beside the HTML pages
            files.update({out / name: text for name, text in get(f).write_companions(sheet, options).items()})
        for export in exports:
            written = export.write_sheet(sheet, options, parts=parts, rubric=rubric)
            if export.folder:  # a folder of files (PrairieLearn's course folder)
                files.update({out / export.export / path: text for path, text in written.items()})
            else:
                files[out / export.export] = written
        files[out / "key.json"] = spool.add(key_pieces(sheet))
        if sheet.class_set:
            files[out / "key.csv"] = key_csv(sheet, options)
        if progress and compiling.started:
            progress.stage(f"compiling {compiling.count} PDF{'s' if compiling.count > 1 else ''}")
        made = compiling.results()
        for name in _pdf_order(made):
            files[out / Path(name).with_suffix(".pdf")] = made[name]
    return files


def key_pieces(sheet: Sheet):
    """key.json's text, ``json.dumps(key_json(sheet), indent=2, ensure_ascii=False)`` and a newline
    (:func:`~symdrop.render.jsontext.indented`),
    an entry at a time: a class set's entries are made and encoded one by one, never all held
    (2,000 students' took 12 MiB, at the class set's peak)."""
    head = indented({"seed": sheet.seed, "options": sheet.options.as_json()})
    yield head.removesuffix("\n}") + ',\n  "problems": ['
    for n, entry in enumerate(key_entries(sheet)):
        yield ("," if n else "") + "\n    " + indented(entry, level=2)  # an entry two levels down
    yield "\n  ]\n}\n"


def _pdf_order(names) -> list[str]:
    """The compiled documents as the LaTeX format lists them (sheet, key, solutions), whatever
    order they compiled in; a student's own sheet after them, as added."""
    listed = [f"{name}.{compiled().suffix}" for name in compiled().documents]
    return sorted(names, key=lambda name: listed.index(name) if name in listed else len(listed))


def _of(name: str, fmt: str) -> bool:
    return name.endswith(f".{get(fmt).suffix}")


class Compiling:
    """LaTeX documents compiling to PDF in the background, at most one pdflatex per CPU (each a
    separate process), in the order they are added (of those added together, the longest first:
    it is the one the others wait for). Leaving the ``with`` block early (Ctrl-C, SIGTERM, an
    error) ends the runs and drops queued ones."""

    def __init__(self):
        self.pool: ThreadPoolExecutor | None = None
        self.futures: dict = {}
        self.stop = threading.Event()  # set when leaving early: a run about to start does not

    @property
    def started(self) -> bool:
        return self.pool is not None

    @property
    def count(self) -> int:
        return len(self.futures)

    def add(self, sources: dict[str, str], workers: int | None = None) -> None:
        """Compile ``{name: LaTeX source}`` too; :meth:`results` waits for them. The first call
        starts ``workers`` runs at most side by side (the CPUs). A document that has failed
        meanwhile is raised here: the command ends while it still renders the rest."""
        self._raise_failed()
        if self.pool is None:
            self.pool = ThreadPoolExecutor(max_workers=max(1, workers or os.cpu_count() or 1))
        longest = sorted(sources, key=lambda name: -len(sources[name]))  # sorted is stable: deterministic
        submitted = {name: self.pool.submit(_compile, name, sources[name], self.stop) for name in longest}
        self.futures.update((name, submitted[name]) for name in sources)

    def results(self) -> dict[str, bytes]:
        """``{name: PDF bytes}`` in the order the sources came; raises the first failure as soon as
        it comes (of several, the first to fail, which may depend on the machine: the others are
        then ended)."""
        wait(self.futures.values(), return_when=FIRST_EXCEPTION)
        self._raise_failed()
        return {name: future.result() for name, future in self.futures.items()}

    def _raise_failed(self) -> None:
        """Raise the error of the first document (in the order added) that has failed so far."""
        for future in self.futures.values():
            if future.done() and not future.cancelled() and future.exception() is not None:
                raise future.exception()

    def __enter__(self):
        return self

    def __exit__(self, kind, *exc):
        if self.pool is None:
            return
        if kind is not None:  # end the other runs; queued ones never start, nor one about to
            self.stop.set()
            self.pool.shutdown(wait=False, cancel_futures=True)
            end_running()
        self.pool.shutdown(wait=True)


def _compile(name: str, source: str, stop: threading.Event) -> bytes:
    """:func:`compile_pdf` of the document ``name``, which its error names (of a class set's
    several documents, which one failed)."""
    try:
        return compile_pdf(source, stop=stop)
    except RenderError as error:
        raise RenderError(f"{Path(name).name}: {error}") from None


def compile_all(sources: dict) -> dict:
    """``{name: LaTeX source}`` compiled to ``{name: PDF bytes}``; pdflatex runs are separate
    processes, run side by side; an error names its document (the name's last part)."""
    with Compiling() as compiling:
        compiling.add({str(name): text for name, text in sources.items()}, min(len(sources), os.cpu_count() or 1))
        made = compiling.results()
    return {name: made[str(name)] for name in sources}
