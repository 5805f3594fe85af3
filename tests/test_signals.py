"""Ctrl-C (SIGINT) and SIGTERM at every stage: exit 130 or 143 soon, no traceback, every pdflatex
ended, no temporary file or folder left, nothing half-written; a later run cleans up after SIGKILL."""

import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from symdrop.cli import main
from symdrop.io import files as files_module
from symdrop.io import tex

from .conftest import TUTORIAL, require_pdflatex


def start(tmp_path: Path, *args: str, python: tuple = ()) -> subprocess.Popen:
    temporary = tmp_path / "tmp"
    temporary.mkdir(exist_ok=True)
    env = {**os.environ, "TMPDIR": str(temporary), "PYTHONDONTWRITEBYTECODE": "1"}
    return subprocess.Popen([sys.executable, *python, "-m", "symdrop", *args], cwd=tmp_path, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def ended(process: subprocess.Popen, sent: float) -> tuple[int, str, float]:
    _, err = process.communicate(timeout=60)
    return process.returncode, err, time.monotonic() - sent


@pytest.mark.parametrize("signum, status", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_while_python_imports(tmp_path, signum, status):
    # -X importtime reports each module as it is imported: once symdrop.launch is (the handlers
    # are set), the signal lands while SymPy, which takes most of a second, is still importing.
    process = start(tmp_path, "sheet", "--stats", "10000", python=("-X", "importtime"))
    seen = []
    for line in process.stderr:
        seen.append(line)
        if line.rstrip().endswith("| symdrop.launch"):
            break
    assert not any("sympy" in line for line in seen)  # the signal comes before SymPy is in
    sent = time.monotonic()
    process.send_signal(signum)
    code, err, _ = ended(process, sent)
    assert code == status and "Traceback" not in err, err


@pytest.mark.slow
@pytest.mark.parametrize("signum, status", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_while_deriving(tmp_path, signum, status):
    process = start(tmp_path, "sheet", "--stats", "10000")
    time.sleep(3)
    sent = time.monotonic()
    process.send_signal(signum)
    code, err, took = ended(process, sent)
    assert code == status and "Traceback" not in err and took < 10, (err, took)


@pytest.mark.slow
@pytest.mark.parametrize("signum, status", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_while_tex_compiles_every_run_ends_and_nothing_is_left(tmp_path, signum, status):
    require_pdflatex()
    roster = tmp_path / "class.csv"
    roster.write_text("id,name\n" + "".join(f"s{i},Student {i}\n" for i in range(40)), encoding="utf-8")
    process = start(tmp_path, "sheet", "--seed", "1", "--roster", str(roster), "--pdf", "--out", "out")
    temporary = tmp_path / "tmp"
    deadline = time.monotonic() + 60
    while not any(p.name.startswith(tex.PREFIX) for p in temporary.iterdir()):
        assert process.poll() is None and time.monotonic() < deadline, "no TeX run started"
        time.sleep(0.05)
    time.sleep(0.5)
    assert working_in(temporary)  # pdflatex is running there now
    sent = time.monotonic()
    process.send_signal(signum)
    code, err, took = ended(process, sent)
    assert code == status and "Traceback" not in err, err
    assert took < 10, took  # the runs take some 40 s: they were ended, not waited for
    assert list(temporary.iterdir()) == []  # no TeX folder left
    assert not (tmp_path / "out").exists()  # nothing written: files are written after the PDFs
    assert working_in(temporary) == []  # no pdflatex still running in a TeX folder


def working_in(folder: Path) -> list[int]:
    """The processes whose working directory is inside ``folder`` (Linux's /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and os.readlink(entry / "cwd").startswith(str(folder)):
                found.append(int(entry.name))
        except OSError:
            continue
    return found


def test_an_interrupt_while_writing_leaves_nothing(tmp_path, monkeypatch):
    real_open = open
    staged = []

    def interrupted_open(name, mode="r", *args, **kwargs):
        if "w" in mode and isinstance(name, int):  # a staged file, written through its descriptor
            staged.append(name)
            if len(staged) == 2:
                raise KeyboardInterrupt
        return real_open(name, mode, *args, **kwargs)

    monkeypatch.setattr(files_module, "open", interrupted_open, raising=False)
    assert main(["solve", str(TUTORIAL), "-o", str(tmp_path / "out.md")]) == 130
    assert list(tmp_path.iterdir()) == []


def test_a_later_run_removes_the_tex_folders_of_a_killed_one(tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    dead = 2**22 + 12345  # above Linux's default pid_max: no such process
    stale = tmp_path / f"{tex.PREFIX}{dead}-abc"
    stale.mkdir()
    (stale / "doc.tex").write_text("half")
    live = tmp_path / f"{tex.PREFIX}{os.getppid()}-def"  # a running process's: kept
    live.mkdir()
    tex.remove_stale_folders()
    assert not stale.exists() and live.exists()


# The end of a run, after the files are written (symdrop.launch.finish): Python's own shutdown would
# give SIGINT and SIGTERM their default action back, so that a signal then ended the process by
# the signal. Each script stands for one point of that end, with the signal at a known moment.
AFTER_THE_WORK = {
    "after main returned": "print('written')\nos.kill(os.getpid(), SIGNUM)\nlaunch.finish(0)\n",
    "during the last flush": "class Out:\n    def write(self, text): pass\n"
                             "    def flush(self): os.kill(os.getpid(), SIGNUM)\n"
                             "sys.stdout = Out()\nlaunch.finish(0)\n",
    "no signal": "print('written', end='')\nlaunch.finish(3)\n",
}


@pytest.mark.slow
@pytest.mark.parametrize("point", AFTER_THE_WORK)
@pytest.mark.parametrize("signum, status", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_signal_at_the_end_of_a_run_exits_130_or_143(point, signum, status):
    script = f"import os, sys\nfrom symdrop import launch\nSIGNUM = {int(signum)}\n" + AFTER_THE_WORK[point]
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert "Traceback" not in done.stderr, done.stderr
    if point == "no signal":
        assert (done.returncode, done.stdout) == (3, "written")  # the status given, the output flushed
    else:
        assert done.returncode == status  # not -signum: ended by the signal


@pytest.mark.slow
@pytest.mark.parametrize("signum, status", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_signal_once_the_files_are_written(tmp_path, signum, status):
    # Sent as soon as the file is there: the run is then printing, returning or exiting. It exits
    # 130 or 143 if the signal came while it ran, 0 if it had called exit; never ends by the signal.
    for run in range(3):
        out = tmp_path / f"s{run}.md"
        process = start(tmp_path, "solve", str(TUTORIAL), "-o", str(out))
        while not out.exists():
            assert process.poll() is None, process.communicate()
            time.sleep(0.0005)
        process.send_signal(signum)
        code, err, _ = ended(process, time.monotonic())
        assert code in (0, status) and "Traceback" not in err, (code, err)


def test_a_reader_that_stops_early_loses_no_file_and_no_message(tmp_path):
    """``symdrop grade ... | head -1``: the reader has closed the pipe (here before symdrop writes
    to it: whenever the reader stops, the next write finds it closed). The listing stops there,
    and nothing else does: every file is written, the rows not graded are still reported on
    standard error, the status is grade's own, and there is no traceback."""
    key, answers = _class(tmp_path)
    process = start(tmp_path, "grade", "--key", str(key), "--answers", str(answers), "--out", "g")
    process.stdout.close()
    err = process.stderr.read()
    assert process.wait(timeout=60) == 0 and "Traceback" not in err, err
    assert err == "symdrop grade: not graded: row 3, student 'nobody': unknown student 'nobody'\n"
    assert sorted(p.name for p in (tmp_path / "g" / "feedback").iterdir()) == ["s1.md", "s2.md"]


@pytest.mark.parametrize("closed", [">&-", "2>&-"])
def test_a_closed_standard_output_or_error_is_no_failure(tmp_path, closed):
    """Run with standard output (or error) closed by the caller: the command does its work and
    exits with its status, 0 here and 2 for bad input, with no traceback."""
    key, answers = _class(tmp_path)
    command = f"{sys.executable} -m symdrop grade --key {key} --answers {answers} --out g {closed}"
    done = subprocess.run(["bash", "-c", command], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and "Traceback" not in done.stderr + done.stdout, done.stderr
    assert (tmp_path / "g" / "grades.csv").exists()
    bad = subprocess.run(["bash", "-c", f"{sys.executable} -m symdrop grade --key nothing.json --answers {answers} "
                                        f"--out h {closed}"], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr + bad.stdout and not (tmp_path / "h").exists()


def _class(tmp_path: Path) -> tuple[Path, Path]:
    """A class set of two students and their answers, with a row of a student not in it."""
    roster = tmp_path / "roster.csv"
    roster.write_text("id,name\ns1,Ann\ns2,Bob\n", encoding="utf-8")
    assert main(["sheet", "--roster", str(roster), "--seed", "4", "--format", "markdown", "--no-diagram",
                 "--out", str(tmp_path / "sheet")]) == 0
    answers = tmp_path / "answers.csv"
    answers.write_text("student,y\ns1,1\nnobody,2\ns2,3\n", encoding="utf-8")
    return tmp_path / "sheet" / "key.json", answers


def test_a_closed_standard_error_loses_no_file(tmp_path):
    """``symdrop sheet ... 2>&1 | true``: a warning comes before the files are written (a template
    that replaces none) and its reader has gone; the files are written all the same, status 0."""
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "extra.j2").write_text("hi\n", encoding="utf-8")
    command = f"{sys.executable} -m symdrop sheet --seed 1 --problems 2 --templates mine --out o 2>&1 | true; " \
              "echo ${PIPESTATUS[0]}"
    done = subprocess.run(["bash", "-c", command], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert done.stdout == "0\n" and "Traceback" not in done.stderr, done.stderr
    assert {"key.json", "sheet.md", "sheet.tex"} <= {p.name for p in (tmp_path / "o").iterdir()}


def test_a_full_disk_under_standard_output_is_one_line_and_status_2(tmp_path):
    """``symdrop example --spec > /dev/full``: what it prints cannot be written; one line says so
    (standard output's flush comes at the end, where it is still said), no traceback."""
    done = subprocess.run(["bash", "-c", f"{sys.executable} -m symdrop example --spec > /dev/full"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2, done.stderr
    assert done.stderr == "symdrop: error: cannot write to standard output: No space left on device\n"
