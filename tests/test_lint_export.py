"""lint-export reads the exports back and grades them as their targets do: a good sheet's exports
pass; a tolerance widened to take a mistake, a changed key and a repeated variant each fail,
naming the item (QTI 2.1; Moodle XML, GIFT and QTI 1.2 a widened tolerance and a repeated variant each); a cloze
question graded by hand; unreadable input is one line."""

import io
import json
import re
import shutil
import zipfile
from fractions import Fraction

import pytest

from symdrop.cli import main
from symdrop.lint.gift import CHECKOUT_MODULES

from .conftest import missing


def require_gift_parser() -> None:
    """node and npm's gift-pegjs, which lint-export reads GIFT with: a skip on a developer's
    machine without them, a failure in CI (.ci/run installs them)."""
    if shutil.which("node") is None or not (CHECKOUT_MODULES / "gift-pegjs").is_dir():
        missing("gift-pegjs (in .ci/node) or node", "npm install --prefix .ci/node gift-pegjs@1.0.2")


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    require_gift_parser()
    out = tmp_path_factory.mktemp("lint") / "sheet"
    assert main(["sheet", "--seed", "4", "--problems", "3", "--kinds", "forward,backprop,ensemble",
                 "--format", "qti21,moodle,gift,qti", "--out", str(out)]) == 0
    return out


def rewrite(folder, change) -> dict[str, bytes]:
    """qti21.zip of ``folder`` with each item's text passed through ``change(name, text, files)``."""
    return rewrite_zip(folder / "qti21.zip", lambda n: n.startswith("item_"), change)


def rewrite_zip(path, which, change) -> dict[str, bytes]:
    """The zip ``path`` with the text of each file ``which`` takes passed through ``change(name, text, files)``."""
    with zipfile.ZipFile(path) as archive:
        files = {n: archive.read(n) for n in archive.namelist()}
    for name in [n for n in files if which(n)]:
        files[name] = change(name, files[name].decode("utf-8"), files).encode("utf-8")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    path.write_bytes(buffer.getvalue())
    return files


def lint(folder, capsys) -> tuple[int, list[str]]:
    capsys.readouterr()
    status = main(["lint-export", str(folder)])
    return status, [line for line in capsys.readouterr().out.splitlines() if "FAIL" in line]


def test_a_good_export_passes_and_corrupted_ones_fail_naming_the_item(exported, tmp_path, capsys):
    status, failed = lint(exported, capsys)
    assert (status, failed) == (0, [])
    folder = tmp_path / "x"
    first = sorted(n for n in zipfile.ZipFile(exported / "qti21.zip").namelist() if n.startswith("item_"))[0]
    ident = first.removesuffix(".xml")
    # A tolerance widened: every mistake's number of the first item is taken for the key's.
    shutil.copytree(exported, folder)
    rewrite(folder, lambda n, t, f: t.replace('toleranceMode="exact"', 'toleranceMode="absolute" tolerance="1000"')
            if n == first else t)
    status, failed = lint(folder, capsys)
    assert status == 1 and failed and all(ident in line and "mistake" in line for line in failed)
    # The key changed (its decimal and the condition that scores it): the exact key no longer scores.
    shutil.rmtree(folder)
    shutil.copytree(exported, folder)
    rewrite(folder, lambda n, t, f: re.sub(r'(<baseValue baseType="float">)([^<]*)(</baseValue>)',
                                           lambda m: m.group(1) + str(float(m.group(2)) + 0.5) + m.group(3), t, count=1)
            if n == first else t)
    status, failed = lint(folder, capsys)
    assert status == 1 and any(ident in line and " key " in line for line in failed)
    # A repeated variant: the second item asks what the first does (its text, its code aside, and its numbers).
    shutil.rmtree(folder)
    shutil.copytree(exported, folder)
    second = sorted(n for n in zipfile.ZipFile(exported / "qti21.zip").namelist() if n.startswith("item_"))[1]
    rewrite(folder, lambda n, t, f: f[first].decode("utf-8").replace(ident[5:], second[5:-4]) if n == second else t)
    status, failed = lint(folder, capsys)
    assert status == 1 and any(second.removesuffix(".xml") in line and "distinct" in line and ident in line for line in failed)


def widen_moodle(text: str) -> str:
    """The first question's right answer takes anything within 1000 (it is a numerical question)."""
    return text.replace("<tolerance>0</tolerance>", "<tolerance>1000</tolerance>", 1)


def widen_gift(text: str) -> str:
    return re.sub(r"(\{#\n=[^:\n]+:)[^#\n]+", r"\g<1>1000", text, count=1)


def widen_qti12(folder) -> None:
    """The first condition that scores the first item: its range made -1000..1000."""
    def change(name, text, files):
        text = re.sub(r"(<vargte [^>]*>)[^<]*", r"\g<1>-1000", text, count=1)
        return re.sub(r"(<varlte [^>]*>)[^<]*", r"\g<1>1000", text, count=1)
    rewrite_zip(folder / "qti.zip", lambda n: not n.endswith("imsmanifest.xml"), change)


@pytest.mark.parametrize("export", ["moodle.xml", "questions.gift", "qti.zip"])
def test_a_widened_tolerance_and_a_repeated_variant_fail_naming_the_item(exported, tmp_path, capsys, export):
    """The key's first problem (a forward pass: one number, six mistakes) asked with a tolerance
    that takes every mistake's number: each mistake fails, in that export, naming the item; the
    second problem's question made the first's: "distinct" fails naming both."""
    folder = tmp_path / "x"
    shutil.copytree(exported, folder)
    first = json.loads((folder / "key.json").read_text(encoding="utf-8"))["problems"][0]
    assert first["kind"] == "forward" and first["mistakes"]
    if export == "qti.zip":
        widen_qti12(folder)
    else:
        path = folder / export
        path.write_text((widen_moodle if export == "moodle.xml" else widen_gift)(path.read_text(encoding="utf-8")), encoding="utf-8")
    status, failed = lint(folder, capsys)
    mistakes = {m["id"] for m in first["mistakes"] if m["answer"] != first["answer"]}
    assert status == 1 and {line.split()[0] for line in failed} == {export}
    assert all(f"({first['code']})" in line for line in failed)
    assert {re.search(r"mistake (\S+)", line).group(1) for line in failed} == mistakes
    # A repeated variant: the second problem's question made the first's, its own code kept.
    shutil.rmtree(folder)
    shutil.copytree(exported, folder)
    codes = [p["code"] for p in json.loads((folder / "key.json").read_text(encoding="utf-8"))["problems"][:2]]
    block = {"moodle.xml": r"  <!-- variant .*?</question>\n", "questions.gift": r"// variant .*?\n}\n",
             "qti.zip": r"<item ident=.*?</item>"}[export]

    def repeat(text):
        first, second = re.findall(block, text, re.S)[:2]
        return text.replace(second, first.replace(codes[0], codes[1]))
    if export == "qti.zip":
        rewrite_zip(folder / export, lambda n: not n.endswith("imsmanifest.xml"), lambda n, text, f: repeat(text))
    else:
        (folder / export).write_text(repeat((folder / export).read_text(encoding="utf-8")), encoding="utf-8")
    status, failed = lint(folder, capsys)
    assert status == 1 and any("distinct" in line and line.count(f"({codes[0]})") == line.count(f"({codes[1]})") == 1 for line in failed)


def test_moodle_and_gift_grade_a_mistake_the_rubrics_share_as_moodle_allows(tmp_path, capsys):
    """A rubric's mistake share of 0.45: Moodle allows 40% (its grades go 50, 40, ...), in both
    files; lint-export with the rubric passes, without it (a mistake then scores 0) fails."""
    require_gift_parser()
    rubric = tmp_path / "rubric.yaml"
    rubric.write_text("mistake: 0.45\n", encoding="utf-8")
    out = tmp_path / "sheet"
    assert main(["sheet", "--seed", "4", "--problems", "1", "--kinds", "forward", "--format", "moodle,gift",
                 "--rubric", str(rubric), "--out", str(out)]) == 0
    assert 'fraction="40"' in (out / "moodle.xml").read_text(encoding="utf-8")
    assert "=%40%" in (out / "questions.gift").read_text(encoding="utf-8")
    capsys.readouterr()
    assert main(["lint-export", str(out), "--rubric", str(rubric)]) == 0
    capsys.readouterr()
    assert main(["lint-export", str(out)]) == 1
    said = capsys.readouterr().out.splitlines()
    assert {line.split()[0] for line in said if "FAIL" in line} == {"moodle.xml", "questions.gift"}
    assert said[-1].endswith("give lint-export the same --rubric FILE.")  # what the failures may mean


def test_a_cloze_question_graded_by_hand():
    from symdrop.lint.moodle import _cloze, allowed_share, grade

    text = ('<table><tr data-answer="2"><td>{3:NUMERICAL:=0.5:0.01#Right.~%50%1:0#half~*#no}</td></tr>'
            '<tr><td>{1:NUMERICAL:=2:0#Right.}</td></tr>'
            '<tr data-answer="1"><td>{2:NUMERICAL:=-1:0#Right.~%0%1:0#a mistake: a &amp;#38; b.}</td></tr></table>')
    gaps = _cloze(text)
    # 0.51 is within 0.5 +- 0.01: 3 + 1 (the gap of no number, given its right value) + 2 of 6.
    assert grade(gaps, (Fraction(-1), Fraction(51, 100)))[:2] == (6, 6)
    # 1 in the first gap: 50% of 3; the third gap's 1 is the mistake (0%), its feedback read twice.
    assert grade(gaps, (Fraction(1), Fraction(1))) == (Fraction(5, 2), 6, ["half", "Right.", "a mistake: a & b."])
    assert grade(gaps, (None, Fraction(52, 100)))[0] == 1 + 0  # 0.52 is outside: "*", no number: nothing
    # Moodle's grades: a third is 33.33333%, a share of 0.34 is 33.33333% too, 0.04 is 0.
    assert [allowed_share(Fraction(s)) for s in ("1/3", "0.34", "0.04", "1")] == [Fraction("0.3333333"), Fraction("0.3333333"), 0, 1]


def test_unreadable_input_is_one_line(tmp_path, capsys):
    assert main(["lint-export", str(tmp_path / "missing")]) == 2
    (tmp_path / "key.json").write_text("{", encoding="utf-8")
    assert main(["lint-export", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 2 and "key.json" in err


def test_a_truncated_gift_file_fails_with_the_parsers_own_message(exported, tmp_path, capsys):
    folder = tmp_path / "cut"
    folder.mkdir()
    (folder / "key.json").write_bytes((exported / "key.json").read_bytes())
    text = (exported / "questions.gift").read_text(encoding="utf-8")
    (folder / "questions.gift").write_text(text[: text.index("{#", text.index("::Problem 2")) + 4], encoding="utf-8")
    capsys.readouterr()
    assert main(["lint-export", str(folder)]) == 1
    out = capsys.readouterr().out
    assert "FAIL: cannot parse with gift-pegjs: Expected" in out and "Node.js" not in out
