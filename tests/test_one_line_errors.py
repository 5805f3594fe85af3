"""One-line errors where a new user met a traceback or argparse's usage line: -o '' (the current
folder), an answer starting with "-" (--answer -inf, --answer --53), a key entry of an unknown kind."""

import json

import pytest

from symdrop.cli import main
from symdrop.exercises.kinds import expected

from .conftest import TUTORIAL


# A value starting with "-" is read as the value, and refused, if it must be, in one line naming it.
# The tutorial's prediction by hand: a1 = (3, 1, 0), masked (3, 0, 0); a2 = (4, 0, 3), masked
# (0, 0, 3); a3 = (0, 2), masked (0, 2); y = -1*0 + 3*2 + 1 = 7.
ONE_LINE = [
    (["solve", str(TUTORIAL), "-o", ""], 2, "", "symdrop: error: -o .: is a folder; expected a file name\n"),
    (["backprop", str(TUTORIAL), "-o", "/"], 2, "", "symdrop: error: -o /: is a folder; expected a file name (-o FOLDER/FILE)\n"),
    (["check", str(TUTORIAL), "--answer", "-inf"], 2, "",
     "symdrop: error: --answer: expected a number like 7, -3/4, -0.75 or -0,75, got '-inf'\n"),
    (["check", str(TUTORIAL), "--answer", "--53"], 2, "",
     "symdrop: error: --answer: expected a number like 7, -3/4, -0.75 or -0,75, got '--53'\n"),
    (["check", str(TUTORIAL), "--answer", "-53"], 1, "Not correct: -53; the answer is 7.\n", ""),
    (["check", str(TUTORIAL), "--answer=-53"], 1, "Not correct: -53; the answer is 7.\n", ""),
    (["check", str(TUTORIAL), "--tolerance", "-1/10", "--answer", "7"], 0, "Correct: 7 is the answer.\n", ""),
]


def test_values_starting_with_a_minus_are_values_and_errors_one_line(capsys):
    for args, status, out, err in ONE_LINE:
        assert main(args) == status, args
        got = capsys.readouterr()
        assert (got.out[: len(out)], got.err) == (out, err), args


def test_a_key_entry_of_an_unknown_kind_is_one_line_naming_it(tmp_path, capsys):
    assert main(["sheet", "--seed", "1", "--problems", "1", "--format", "markdown", "--no-diagram",
                 "--out", str(tmp_path / "s")]) == 0
    key = json.loads((tmp_path / "s" / "key.json").read_text(encoding="utf-8"))
    key["problems"][0]["kind"] = "forwards"
    (tmp_path / "key.json").write_text(json.dumps(key), encoding="utf-8")
    code = key["problems"][0]["code"]
    (tmp_path / "answers.csv").write_text(f"student,code,y\ns1,{code},7\n", encoding="utf-8")
    capsys.readouterr()
    assert main(["grade", "--key", str(tmp_path / "key.json"), "--answers", str(tmp_path / "answers.csv"),
                 "--out", str(tmp_path / "g")]) == 2
    assert capsys.readouterr().err == (f"symdrop: error: {tmp_path / 'key.json'}: problems[0] (code {code}): unknown "
                                       f"exercise kind 'forwards' (expected one of {expected()})\n")
    assert not (tmp_path / "g").exists()


def test_an_output_name_ending_in_a_slash_is_a_folder_and_nothing_is_written(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["solve", str(TUTORIAL), "-o", "out/"]) == 2  # pathlib alone would write the file out, out.svg
    assert capsys.readouterr().err == "symdrop: error: -o out/: is a folder; expected a file name (-o FOLDER/FILE)\n"
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("args, said", [
    (["--format", "html", "-o", "q.pdf"], "-o q.pdf: a PDF is compiled from latex, not --format html (for both: -o FILE.html --pdf)"),
    (["--format", "json", "-o", "q.pdf"], "-o q.pdf: a PDF is compiled from latex, not --format json (for both: -o FILE.json --pdf)"),
    (["--format", "qti21", "-o", "q.xml"], "-o q.xml: --format qti21 writes a .zip file"),
    (["--format", "moodle", "-o", "q.gift"], "-o q.gift: --format moodle writes a .xml file"),
])
def test_a_format_and_an_output_name_that_disagree_are_refused(tmp_path, capsys, monkeypatch, args, said):
    monkeypatch.chdir(tmp_path)
    assert main(["solve", str(TUTORIAL), *args]) == 2
    assert capsys.readouterr().err == f"symdrop: error: {said}\n" and list(tmp_path.iterdir()) == []
