"""The LMS exports as a registry: what ``symdrop sheet --format NAME`` writes, and how."""

from typing import Callable, NamedTuple

from ..exercises.sheet import Sheet
from .formats import sheet_formats
from .gift import sheet_gift
from .moodle import sheet_moodle
from .options import RenderOptions
from .qti import sheet_qti


class Export(NamedTuple):
    """An LMS export: the file it writes and the function that writes a sheet into it
    (``parts``: cloze questions with a gap per value, where the format has them)."""

    file: str
    write: Callable[[Sheet, RenderOptions, bool], str | bytes]


EXPORTS = {
    "moodle": Export("moodle.xml", sheet_moodle),
    "gift": Export("questions.gift", lambda sheet, options, parts: sheet_gift(sheet, options)),
    "qti": Export("qti.zip", lambda sheet, options, parts: sheet_qti(sheet, options)),
}


def export_files(sheet: Sheet, names, options: RenderOptions = RenderOptions(), parts: bool = False) -> dict[str, str | bytes]:
    """``{file name: content}`` of the exports ``names`` of ``sheet``."""
    return {EXPORTS[name].file: EXPORTS[name].write(sheet, options, parts) for name in names}


def sheet_choices() -> tuple[str, ...]:
    """What ``symdrop sheet --format`` takes: the document formats and the exports."""
    return sheet_formats() + tuple(EXPORTS)
