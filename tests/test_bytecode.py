"""Compiled templates kept between runs (symdrop/render/bytecode.py): the same files with the cache
as without it, whether it is cold, warm or damaged; a folder others could write in is not used."""

import os
import stat

import pytest

from symdrop.cli import main
from symdrop.render import bytecode
from symdrop.render import env as env_module


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
    assert sheet(tmp_path / "warm") == plain
    for f in files:  # damaged (a disk error, a killed writer): compiled again from the source
        f.write_bytes(b"j2 not a compiled template")
    fresh()
    assert sheet(tmp_path / "damaged") == plain
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


def test_a_folder_others_may_write_in_is_not_used(cache_home):
    settings = {"trim_blocks": True}
    assert isinstance(bytecode.template_cache(settings), bytecode.jinja2.FileSystemBytecodeCache)
    cache_home.chmod(0o777)
    assert bytecode.template_cache(settings) is None
    cache_home.chmod(0o700)
    (folder,) = cache_home.iterdir()
    folder.rmdir()
    folder.symlink_to(cache_home.parent)  # a link in its place: not followed
    assert bytecode.template_cache(settings) is None


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="only root can give a folder away")
def test_a_folder_of_another_user_is_not_used(cache_home):
    settings = {"trim_blocks": True}
    assert bytecode.template_cache(settings) is not None
    (folder,) = cache_home.iterdir()
    os.chown(folder, 65534, 65534)  # nobody's
    assert bytecode.template_cache(settings) is None


@pytest.mark.parametrize("variable, value", [(bytecode.OFF, "1"), ("XDG_CACHE_HOME", "relative/cache")])
def test_turned_off_or_a_relative_cache_home_means_no_cache(variable, value, cache_home, monkeypatch):
    monkeypatch.setenv(variable, value)
    assert bytecode.template_cache({"trim_blocks": True}) is None
    assert not cache_home.exists()


def test_the_folder_changes_with_what_compiled_code_depends_on():
    base = {"block_start_string": r"\BLOCK{", "trim_blocks": True, "finalize": print}
    prints = {**base, "finalize": repr}  # another function: the same compiled code
    assert bytecode.fingerprint(base) == bytecode.fingerprint(prints)
    assert bytecode.fingerprint(base) != bytecode.fingerprint({**base, "block_start_string": "{%"})
    assert bytecode.fingerprint(base) != bytecode.fingerprint({**base, "trim_blocks": False})
    assert bytecode.fingerprint(base) != bytecode.fingerprint({k: v for k, v in base.items() if k != "finalize"})
