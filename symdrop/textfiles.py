"""Reading users' text files: bounded in size, UTF-8 or UTF-16 with a byte-order mark, spreadsheet CSV."""

import codecs
import csv
import io
from pathlib import Path

from .errors import SpecError, quote
from .limits import MAX_CSV_CELL

# Spreadsheets write "CSV" with the list separator of their locale (";" where the decimal
# separator is a comma) or, as Excel's "Unicode text", tab-separated UTF-16.
DELIMITERS = ("\t", ";", ",")


def read_text(path, limit: int, what: str = "a file") -> str:
    """The text of ``path``, at most ``limit`` bytes: UTF-8 (a leading byte-order mark dropped) or
    UTF-16 with its byte-order mark. Raises :class:`SpecError` naming the file, in one line."""
    path = Path(path)
    try:
        with path.open("rb") as file:
            data = file.read(limit + 1)  # never more, whatever the file is (a device, a pipe)
    except FileNotFoundError:
        raise SpecError(str(path), "no such file") from None
    except IsADirectoryError:
        raise SpecError(str(path), f"expected {what}, got a directory") from None
    except OSError as error:
        raise SpecError(str(path), f"cannot read: {error.strerror}") from None
    if len(data) > limit:
        raise SpecError(str(path), f"larger than the limit of {limit:,} bytes for {what}")
    return decode(data, str(path))


def decode(data: bytes, name: str) -> str:
    """Bytes as text: UTF-16 (little or big endian) when a byte-order mark says so, else UTF-8."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as error:
            raise SpecError(name, f"expected UTF-16 text after its byte-order mark (bad bytes at offset {error.start})") from None
    try:
        text = data.decode("utf-8-sig")  # a spreadsheet's byte-order mark is no column
    except UnicodeDecodeError as error:
        raise SpecError(name, f"expected UTF-8 text (bad byte at offset {error.start})") from None
    if "\x00" in text:  # valid UTF-8, but no text file has NUL bytes: UTF-16 without its mark
        raise SpecError(name, f"expected UTF-8 text, or UTF-16 with a byte-order mark (NUL byte at offset "
                              f"{data.index(0)}); save it as UTF-8 CSV")
    return text


def delimiter(text: str) -> str:
    """The cell separator of spreadsheet CSV text, from its header line: a tab if it has one, else
    ``;`` if it has one and no comma, else a comma."""
    header = text.split("\n", 1)[0]
    if "\t" in header:
        return "\t"
    return ";" if ";" in header and "," not in header else ","


def csv_rows(text: str, name: str) -> list[list[str]]:
    """The rows of spreadsheet CSV text, the separator found by :func:`delimiter`; a cell longer
    than :data:`~symdrop.limits.MAX_CSV_CELL` characters is refused naming its row and column,
    text that is not CSV (a quote never closed) naming the row where it goes wrong."""
    try:
        return _rows(text, MAX_CSV_CELL)
    except csv.Error as error:
        if "field limit" in str(error):
            _refuse_long_cell(text, name)
        _refuse_bad_row(text, name)
        raise SpecError(name, f"not valid CSV: {error}") from None


def _rows(text: str, limit: int) -> list[list[str]]:
    before = csv.field_size_limit(limit)  # the csv module's one limit for the process: ours while reading
    try:
        return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter(text), strict=True))
    finally:
        csv.field_size_limit(before)


def _refuse_long_cell(text: str, name: str) -> None:
    """The one line for the first cell over the limit (the file read again without it)."""
    rows = _rows(text, len(text) + 1)
    for number, cells in enumerate(rows, start=1):
        for column, cell in enumerate(cells, start=1):
            if len(cell) > MAX_CSV_CELL:
                heading = f" ({quote(rows[0][column - 1].strip())})" if number > 1 and column <= len(rows[0]) else ""
                raise SpecError(name, f"row {number}, column {column}{heading}: a cell of {len(cell):,} characters; "
                                      f"the limit is {MAX_CSV_CELL:,} characters per cell")


def _refuse_bad_row(text: str, name: str) -> None:
    """The one line for the row where the CSV reader fails (the file read again row by row): its
    number as the other errors count rows (a blank line is one), and the line it starts on where a
    quoted cell of an earlier row spans lines. A row's first line is the one after the last line
    of the row before (csv.reader's ``line_num``: the lines read so far), so a quote never closed,
    which the reader follows to the end of the text, is named where it was opened."""
    before = csv.field_size_limit(len(text) + 1)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter(text), strict=True)
    row, line = 1, 1
    try:
        for _ in reader:
            row, line = row + 1, reader.line_num + 1
    except csv.Error as error:
        where = f"row {row}" if row == line else f"row {row} (from line {line})"
        unclosed = " (a quote opened in this row is not closed)" if "unexpected end of data" in str(error) else ""
        raise SpecError(name, f"{where}: not valid CSV: {error}{unclosed}") from None
    finally:
        csv.field_size_limit(before)


def header_text(header: list[str]) -> str:
    """The first columns of a header row, quoted, for an error message that stays one line."""
    shown = ", ".join(map(quote, header[:6]))
    return shown + (f", ... ({len(header)} columns)" if len(header) > 6 else "")
