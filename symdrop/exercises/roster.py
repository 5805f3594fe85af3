"""Reading a class roster (CSV with columns id,name); every error names its row and column."""

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from ..errors import SymdropError

COLUMNS = ("id", "name")


@dataclass(frozen=True)
class Student:
    """One student: an id (unique in the roster, names their variant) and a name, printed literally."""

    id: str
    name: str


def read_roster(path) -> tuple[Student, ...]:
    """The students of a UTF-8 CSV file with a header row holding ``id`` and ``name`` (other
    columns are ignored), in the file's order."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")  # a spreadsheet's byte-order mark is no column
    except FileNotFoundError:
        raise SymdropError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise SymdropError(f"{path}: expected a CSV file, got a directory") from None
    except UnicodeDecodeError as error:
        raise SymdropError(f"{path}: expected UTF-8 text (bad byte at offset {error.start})") from None
    except OSError as error:
        raise SymdropError(f"{path}: cannot read: {error.strerror}") from None
    return parse_roster(text, name=str(path))


def parse_roster(text: str, *, name: str = "roster") -> tuple[Student, ...]:
    """Students from CSV text; see :func:`read_roster`."""
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), strict=True))
    except csv.Error as error:
        raise SymdropError(f"{name}: not valid CSV: {error}") from None
    if not rows or not any(cell.strip() for cell in rows[0]):
        raise SymdropError(f"{name}: empty; expected a header row with columns {', '.join(COLUMNS)}")
    header = [cell.strip().lower() for cell in rows[0]]
    for column in COLUMNS:
        if column not in header:
            raise SymdropError(f"{name}: row 1: missing column {column!r} (the header has {', '.join(map(repr, header))})")
        if header.count(column) > 1:
            raise SymdropError(f"{name}: row 1: column {column!r} appears twice")
    at = {column: header.index(column) for column in COLUMNS}
    students, seen = [], {}
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue  # blank lines, common at the end of exported files
        if len(row) < len(header):
            raise SymdropError(f"{name}: row {number}: expected {len(header)} columns like the header, got {len(row)}")
        student_id, student_name = row[at["id"]].strip(), row[at["name"]].strip()
        if not student_id:
            raise SymdropError(f"{name}: row {number}, column id: empty")
        if not student_name:
            raise SymdropError(f"{name}: row {number}, column name: empty")
        if student_id in seen:
            raise SymdropError(f"{name}: row {number}, column id: {student_id!r} is already the id of row {seen[student_id]}")
        seen[student_id] = number
        students.append(Student(student_id, student_name))
    if not students:
        raise SymdropError(f"{name}: no students (only a header row)")
    return tuple(students)
