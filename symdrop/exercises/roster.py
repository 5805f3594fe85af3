"""Reading a class roster (CSV with columns id,name); every error names its row and column."""

from dataclasses import dataclass
from pathlib import Path

from ..errors import SymdropError, quote
from ..limits import MAX_TABLE_BYTES
from ..textfiles import csv_rows, header_text, read_text

COLUMNS = ("id", "name")


@dataclass(frozen=True)
class Student:
    """One student: an id (unique in the roster, names their variant) and a name, printed literally."""

    id: str
    name: str


def read_roster(path) -> tuple[Student, ...]:
    """The students of a CSV file with a header row holding ``id`` and ``name`` (other columns are
    ignored), in the file's order: UTF-8, or UTF-16 with a byte-order mark (Excel's "Unicode
    text"); cells separated by commas, semicolons or tabs (see :func:`~symdrop.textfiles.delimiter`)."""
    path = Path(path)
    return parse_roster(read_text(path, MAX_TABLE_BYTES, "a CSV file"), name=str(path))


def parse_roster(text: str, *, name: str = "roster") -> tuple[Student, ...]:
    """Students from CSV text; see :func:`read_roster`."""
    rows = csv_rows(text, name)
    if not rows or not any(cell.strip() for cell in rows[0]):
        raise SymdropError(f"{name}: empty; expected a header row with columns {', '.join(COLUMNS)}")
    header = [cell.strip().lower() for cell in rows[0]]
    for column in COLUMNS:
        if column not in header:
            raise SymdropError(f"{name}: row 1: missing column {quote(column)} (the header has {header_text(header)})")
        if header.count(column) > 1:
            raise SymdropError(f"{name}: row 1: column {quote(column)} appears twice")
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
            raise SymdropError(f"{name}: row {number}, column id: {quote(student_id)} is already the id of row {seen[student_id]}")
        seen[student_id] = number
        students.append(Student(student_id, student_name))
    if not students:
        raise SymdropError(f"{name}: no students (only a header row)")
    return tuple(students)
