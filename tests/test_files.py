"""Writing files: every target checked before any is written, one-line errors, nothing left behind."""

import errno
import os
from pathlib import Path

import pytest

from symdrop.cli import main
from symdrop.io import files as files_module
from symdrop.io.files import SUFFIX, write_files

from .conftest import TUTORIAL


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob("*") if p.name.endswith(SUFFIX) or p.name.endswith(".tmp"))


def one_line_error(capsys, *args) -> str:
    assert main(list(args)) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("symdrop: error: ") and "Traceback" not in err, err
    return err


@pytest.mark.parametrize("case, message", [
    ("directory", "is a folder; expected a file name"),
    ("file in the way", "is a file, not a folder"),
    ("svg is a folder", "is a folder; expected a file name"),
    ("symlink", "is a symbolic link"),
    ("device", "is not a regular file"),
    ("symlink loop", "is a broken symbolic link"),
    ("name too long", "File name too long"),
])
def test_a_bad_target_is_one_line_and_nothing_is_written(case, message, tmp_path, capsys):
    out = tmp_path / "out.md"
    if case == "directory":
        out.mkdir()
    elif case == "file in the way":
        (tmp_path / "afile").write_text("mine")
        out = tmp_path / "afile" / "x.md"
    elif case == "svg is a folder":
        (tmp_path / "out.svg").mkdir()  # solve writes out.md and its picture out.svg: neither is written
    elif case == "symlink":
        (tmp_path / "real.md").write_text("keep me")
        out.symlink_to(tmp_path / "real.md")
    elif case == "device":
        out = Path("/dev/null")
    elif case == "symlink loop":
        (tmp_path / "loop").symlink_to("loop")
        out = tmp_path / "loop" / "out.md"
    elif case == "name too long":
        out = tmp_path / ("a" * 300 + ".md")
    err = one_line_error(capsys, "solve", str(TUTORIAL), "-o", str(out))
    assert message in err
    assert not (tmp_path / "out.md").is_file() or case == "symlink"
    if case == "symlink":
        assert (tmp_path / "real.md").read_text() == "keep me" and out.is_symlink()
    if case == "file in the way":
        assert (tmp_path / "afile").read_text() == "mine"
    assert leftovers(tmp_path) == []


def test_sheet_out_onto_a_file_is_one_line(tmp_path, capsys):
    (tmp_path / "afile").write_text("mine")
    err = one_line_error(capsys, "sheet", "--seed", "1", "--problems", "1", "--out", str(tmp_path / "afile"))
    assert "is a file, not a folder" in err and (tmp_path / "afile").read_text() == "mine"


@pytest.mark.parametrize("error", [errno.ENOSPC, errno.EACCES, errno.EROFS])
def test_a_failed_write_is_one_line_and_leaves_nothing(error, tmp_path, capsys, monkeypatch):
    real_open = open
    written = []

    def failing_open(name, mode="r", *args, **kwargs):
        if "w" in mode and isinstance(name, int):  # a staged file, written through its descriptor
            written.append(name)
            if len(written) == 2:  # the second file of the run fails: the first is staged by then
                raise OSError(error, os.strerror(error), name)
        return real_open(name, mode, *args, **kwargs)

    monkeypatch.setattr(files_module, "open", failing_open, raising=False)
    err = one_line_error(capsys, "solve", str(TUTORIAL), "-o", str(tmp_path / "out.md"))
    assert os.strerror(error) in err and "out." in err and SUFFIX not in err  # the target named, not its staged file
    assert list(tmp_path.iterdir()) == []  # neither the document, nor its picture, nor a temporary file


def test_stale_temporary_files_of_a_killed_run_are_removed(tmp_path):
    dead = 2**22 + 12345  # above Linux's default pid_max: no such process
    stale = tmp_path / f".out.md.{dead}.0badc0de{SUFFIX}"
    stale.write_text("half")
    other = tmp_path / f".out.md.{os.getpid()}.12345678{SUFFIX}"  # a live process's: kept
    other.write_text("in progress")
    assert write_files({tmp_path / "out.md": "whole"}) == [tmp_path / "out.md"]
    assert (tmp_path / "out.md").read_text() == "whole"
    assert not stale.exists() and other.exists()


def test_a_regular_file_is_replaced_whole_with_the_mode_open_gives(tmp_path):
    target = tmp_path / "out.md"
    target.write_text("old")
    write_files({target: "new"})
    assert target.read_text() == "new"
    umask = os.umask(0)
    os.umask(umask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~umask


def test_spooled_texts_are_written_as_given(tmp_path):
    """A class set's documents wait on disk (io/spool.py): text, bytes, or a document's pieces as
    they are rendered (split in the middle of a character's bytes by the chunking) come out as
    the same UTF-8 a str would give."""
    from symdrop.io import spool as spool_module

    spool = spool_module.Spool()
    text = "µ = 1/2 – ã^{(1)}\n" * 3 + "\U0001f600 end"
    pieces = [text[:7], text[7:30], text[30:]]
    given = {tmp_path / "a.md": spool.add(text), tmp_path / "b.md": spool.add(text.encode("utf-8")),
             tmp_path / "c.md": spool.add(iter(pieces)), tmp_path / "d.md": spool.add("")}
    original = spool_module.CHUNK
    try:
        spool_module.CHUNK = 5  # pieces copied back 5 bytes at a time: across characters' bytes
        write_files(given)
    finally:
        spool_module.CHUNK = original
    for name in ("a.md", "b.md", "c.md"):
        assert (tmp_path / name).read_bytes() == text.encode("utf-8")
    assert (tmp_path / "d.md").read_bytes() == b""


def test_a_piece_read_back_while_another_is_added_leaves_both_whole():
    # A class set's document is spooled as Jinja renders it, and each exercise's formulas, spooled
    # before, are read back meanwhile: the read moves the file's position, the document's next
    # bytes must still go to its end. A text added while another is being added is refused.
    from symdrop.io.spool import Spool

    spool = Spool()
    formulas = spool.add("z = W a + b")
    other = spool.add("another exercise's formulas")

    def document():
        yield "part 1: "
        yield formulas.read().decode("utf-8")
        yield "; part 2"

    whole = spool.add(document())
    assert whole.read() == b"part 1: z = W a + b; part 2"
    assert formulas.read() == b"z = W a + b" and other.read() == b"another exercise's formulas"

    def nested():
        yield "a"
        spool.add("b")

    with pytest.raises(RuntimeError, match="while another is being added"):
        spool.add(nested())
    assert spool.add("c").read() == b"c"  # the spool takes texts again after the refusal
