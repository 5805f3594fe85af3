"""Compiled templates kept between runs (symdrop/render/bytecode.py): the same files with the cache
as without it, whether it is cold, warm or damaged; a folder others could write in is not used."""

import marshal
import os
import pickle
import stat

import jinja2
import pytest
from jinja2.bccache import bc_magic

from symdrop.cli import main
from symdrop.render import bytecode
from symdrop.render import env as env_module

SETTINGS = {"trim_blocks": True}


@pytest.fixture
def cache_home(tmp_path, monkeypatch):
    """A cache home of the test's own, and environments made anew (as a new process makes them)."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv(bytecode.OFF, raising=False)
    fresh()
    yield tmp_path / "cache" / "symdrop"
    fresh()


def fresh() -> None:
    env_module._env.cache_clear()
    env_module._document.cache_clear()


def sheet(out) -> dict[str, bytes]:
    """A seeded sheet of three kinds, LaTeX, Markdown and HTML: every file's bytes by name."""
    assert main(["sheet", "--seed", "3", "--kinds", "forward,inverted,backprop", "--problems", "3",
                 "--format", "latex,markdown,html", "--out", str(out)]) == 0
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def compiled(home) -> list:
    return sorted(p for p in home.rglob("*") if p.is_file())


def compiles(monkeypatch) -> list:
    """The names of the templates Jinja compiles from now on (not loaded from the cache)."""
    names, compile_ = [], jinja2.Environment.compile

    def counted(self, source, name=None, *args, **kwargs):
        names.append(name)
        return compile_(self, source, name, *args, **kwargs)

    monkeypatch.setattr(jinja2.Environment, "compile", counted)
    return names


def damaged(data: bytes, how: str) -> bytes:
    """A cache file's bytes as a disk error or a killed writer may leave them."""
    header = len(bc_magic)
    checksum_end = header + len(pickle.dumps(pickle.loads(data[header:]), 2))
    return {"empty": b"", "other": b"j2 not a compiled template", "header only": data[:header],
            "checksum cut": data[:header + 5], "code cut": data[:checksum_end + 10],
            "not code": data[:checksum_end] + marshal.dumps(42)}[how]


def test_cold_warm_and_damaged_caches_give_the_files_of_no_cache(cache_home, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv(bytecode.OFF, "1")
    plain = sheet(tmp_path / "plain")
    assert not cache_home.exists()  # turned off: nothing written
    monkeypatch.delenv(bytecode.OFF)
    fresh()
    assert sheet(tmp_path / "cold") == plain
    files = compiled(cache_home)
    assert len(files) >= 10  # the sheet's templates, each compiled once
    (folder,) = {f.parent for f in files}
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700 and stat.S_IMODE(cache_home.stat().st_mode) == 0o700
    fresh()
    names = compiles(monkeypatch)
    assert sheet(tmp_path / "warm") == plain
    assert names == []  # every template loaded from the cache
    kept = {f: f.read_bytes() for f in files}
    for how in ("empty", "other", "header only", "checksum cut", "code cut", "not code"):
        for f, data in kept.items():
            f.write_bytes(damaged(data, how))
        fresh()
        names.clear()
        assert sheet(tmp_path / how) == plain, how
        assert len(names) == len(files), how  # each compiled again from its source (and kept again)
    capsys.readouterr()


@pytest.mark.parametrize("broken", ["write", "read"])
def test_a_cache_that_cannot_be_written_or_read_is_passed_by(broken, cache_home, tmp_path, monkeypatch, capsys):
    """A full disk, or a folder made read-only (root writes in it all the same: the failure is
    made), costs the compiling, not the command."""
    monkeypatch.setenv(bytecode.OFF, "1")
    plain = sheet(tmp_path / "plain")
    monkeypatch.delenv(bytecode.OFF)
    fresh()
    if broken == "read":
        sheet(tmp_path / "filled")  # the cache filled, then every file unreadable
        fresh()
        monkeypatch.setattr(bytecode.jinja2.bccache, "open", disk_error, raising=False)
    else:
        monkeypatch.setattr(bytecode.jinja2.bccache.tempfile, "NamedTemporaryFile", disk_error)
    assert sheet(tmp_path / "out") == plain
    assert (compiled(cache_home) != []) == (broken == "read")
    capsys.readouterr()


def disk_error(*args, **kwargs):
    raise OSError(28, "No space left on device")


def test_a_folder_others_may_write_in_is_not_used(cache_home, tmp_path, monkeypatch):
    assert isinstance(bytecode.template_cache(SETTINGS), bytecode.KeptTemplates)
    (folder,) = cache_home.iterdir()
    folder.chmod(0o755)  # others may read: made the user's alone
    assert bytecode.template_cache(SETTINGS) is not None and stat.S_IMODE(folder.stat().st_mode) == 0o700
    for writable in (cache_home, folder):
        writable.chmod(0o777)
        assert bytecode.template_cache(SETTINGS) is None
        writable.chmod(0o700)
    folder.rmdir()
    folder.symlink_to(cache_home.parent)  # a link in its place: not followed
    assert bytecode.template_cache(SETTINGS) is None
    for mode, used in ((0o777, False), (0o1777, True)):  # a folder above: others may rename entries, unless sticky
        shared = tmp_path / f"shared{mode:o}"
        shared.mkdir()
        shared.chmod(mode)
        monkeypatch.setenv("XDG_CACHE_HOME", str(shared / "mine"))
        assert (bytecode.template_cache(SETTINGS) is not None) == used


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="only root can give a folder away")
def test_a_folder_of_another_user_is_not_used(cache_home):
    assert bytecode.template_cache(SETTINGS) is not None
    (folder,) = cache_home.iterdir()
    os.chown(folder, 65534, 65534)  # nobody's
    assert bytecode.template_cache(SETTINGS) is None
    os.chown(folder, 0, 0)
    os.chown(cache_home.parent, 65534, 65534)  # a folder above it
    assert bytecode.template_cache(SETTINGS) is None


@pytest.mark.parametrize("variable, value", [(bytecode.OFF, "1"), ("XDG_CACHE_HOME", "relative/cache")])
def test_turned_off_or_a_relative_cache_home_means_no_cache(variable, value, cache_home, monkeypatch):
    monkeypatch.setenv(variable, value)
    assert bytecode.template_cache(SETTINGS) is None
    assert not cache_home.exists()


def test_another_fingerprint_starts_a_new_folder_and_the_old_one_goes(cache_home):
    bytecode.template_cache(SETTINGS)
    (old,) = cache_home.iterdir()
    (old / "planted").write_text("x")
    bytecode.template_cache(SETTINGS, (True, 3))  # other options: another folder
    (new,) = cache_home.iterdir()
    assert new != old and not old.exists()


def test_the_fingerprint_changes_with_what_compiled_code_depends_on():
    base = {"block_start_string": r"\BLOCK{", "trim_blocks": True, "finalize": print}
    code = (("numbers.py", 100, 1),)
    same = bytecode.fingerprint(base, (False, None), code)
    assert same == bytecode.fingerprint({**base, "finalize": repr}, (False, None), code)  # which function: its code says
    assert len({same,
                bytecode.fingerprint({**base, "block_start_string": "{%"}, (False, None), code),
                bytecode.fingerprint({**base, "trim_blocks": False}, (False, None), code),
                bytecode.fingerprint({k: v for k, v in base.items() if k != "finalize"}, (False, None), code),
                bytecode.fingerprint(base, (True, None), code),
                bytecode.fingerprint(base, (False, 3), code),
                bytecode.fingerprint(base, (False, None), (("numbers.py", 100, 2),))}) == 7
    state = {name: (size, changed) for name, size, changed in bytecode.package_state()}
    mine = os.stat(bytecode.__file__)
    assert state["render/bytecode.py"] == (mine.st_size, mine.st_mtime_ns) and "cli.py" in state
