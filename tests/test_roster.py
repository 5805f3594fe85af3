"""Rosters: UTF-8 CSV with id,name; names kept exactly; every error names its row and column."""

import pytest

from symdrop.errors import SymdropError
from symdrop.exercises.roster import Student, parse_roster, read_roster


@pytest.mark.parametrize(
    "text, expected",
    [
        ("id,name\ns1,Ada\n", [("s1", "Ada")]),
        ("name,email,id\nAda,a@x,s1\n", [("s1", "Ada")]),  # any column order, others ignored
        ("ID, Name \n s1 , Zoë O'Brien \n\n", [("s1", "Zoë O'Brien")]),  # header case, spaces, blank line
        ('id,name\ns1,"Smith, John ""JJ"""\n', [("s1", 'Smith, John "JJ"')]),
        ("id,name\ns1,\\input{x} & 100% $ # _ { } ~ ^\n", [("s1", "\\input{x} & 100% $ # _ { } ~ ^")]),
        ('id,name\ns1,"two\nlines"\n', [("s1", "two\nlines")]),
    ],
)
def test_parse_roster(text, expected):
    assert parse_roster(text) == tuple(Student(i, n) for i, n in expected)


@pytest.mark.parametrize(
    "text, message",
    [
        ("", "r.csv: empty; expected a header row with columns id, name"),
        ("name\nAda\n", "r.csv: row 1: missing column 'id' (the header has 'name')"),
        ("id,name,id\n1,A,2\n", "r.csv: row 1: column 'id' appears twice"),
        ("id,name\n", "r.csv: no students (only a header row)"),
        ("id,name\ns1,Ada\n,Bob\n", "r.csv: row 3, column id: empty"),
        ("id,name\ns1,\n", "r.csv: row 2, column name: empty"),
        ("id,name\ns1,Ada\ns2,Bob\ns1,Cy\n", "r.csv: row 4, column id: 's1' is already the id of row 2"),
        ("id,name,email\ns1,Ada\n", "r.csv: row 2: expected 3 columns like the header, got 2"),
        # the row (and where a quoted cell spans lines, the line) where a bad quote starts
        ('id,name\ns1,"Ada\n', "r.csv: row 2: not valid CSV: unexpected end of data (a quote opened in this row is not closed)"),
        ('id,name\ns1,Ada\ns2,"Bob\ns3,Cy\n', "r.csv: row 3: not valid CSV: unexpected end of data (a quote opened"),
        ('id,name\n\ns1,"Ada\n', "r.csv: row 3: not valid CSV: unexpected end of data"),  # a blank line is a row
        ('id,name\ns1,"two\nlines"\ns2,"Bo\n', "r.csv: row 3 (from line 4): not valid CSV: unexpected end of data"),
        ('id,name\r\ns1,"two\r\nlines"\r\ns2,"Bo"b\r\n', "r.csv: row 3 (from line 4): not valid CSV: ',' expected after '\"'"),
        ('id,name\ns1,"Ada"x\n', "r.csv: row 2: not valid CSV: ',' expected after '\"'"),
    ],
)
def test_bad_roster_names_row_and_column(text, message):
    with pytest.raises(SymdropError) as caught:
        parse_roster(text, name="r.csv")
    assert str(caught.value).startswith(message)
    assert "\n" not in str(caught.value)


def test_read_roster_utf8_with_bom(tmp_path):
    path = tmp_path / "r.csv"
    path.write_bytes("\ufeffid,name\n1,Łukasz Żółć\n".encode("utf-8"))
    assert read_roster(path) == (Student("1", "Łukasz Żółć"),)


@pytest.mark.parametrize(
    "content, message",
    [(None, "no such file"), (b"id,name\n1,\xff\n", "expected UTF-8 text (bad byte at offset 10)")],
)
def test_read_roster_file_errors(tmp_path, content, message):
    path = tmp_path / "r.csv"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(SymdropError, match=f"r.csv: {message.replace('(', '[(]').replace(')', '[)]')}"):
        read_roster(path)
