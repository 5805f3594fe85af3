"""Compiled templates kept between runs: Jinja's bytecode cache in the user's cache folder.

A command compiles each template it renders (a default ``symdrop sheet``: 25 templates, some
0.12 s of its 0.25 s) and a new process compiles them again. Jinja's ``FileSystemBytecodeCache``
keeps the compiled code, checked against each template's source on every load, so that an edited
template is compiled again; its files are written whole (a temporary file renamed).

Compiled code depends on more than a template's source: Jinja computes constant expressions,
``finalize`` and filters among them, when it compiles, and writes in how each filter is called.
So the folder is named by a :func:`fingerprint` of everything else it depends on: the
environment's settings and options, Jinja's and Python's versions, and symdrop's own code (each
of its modules' size and time of change: an upgrade, or an edit in a working copy, starts a new
folder, and the folders of other fingerprints are removed when a new one is made).

Only symdrop's own templates are cached (a folder of the user's, ``--templates``, never: its
environment is sandboxed). The folder is ``$XDG_CACHE_HOME/symdrop`` (else ``~/.cache/symdrop``),
readable by its owner only. Code loaded from it runs as the user, so it is used only where no one
else can put a file there, now or later: the folder and every folder above it must belong to the
user or to root, and none may be writable by others unless only an entry's owner may rename it
(the sticky bit of ``/tmp``). ``SYMDROP_NO_CACHE`` set to anything but an empty string turns the
cache off. Where no folder can be made, or a file cannot be read or written, symdrop compiles as
if there were none.
"""

import hashlib
import importlib.util
import os
import shutil
import stat
import sys
import types
from pathlib import Path

import jinja2

OFF = "SYMDROP_NO_CACHE"
PREFIX = "templates-"
PACKAGE = Path(__file__).resolve().parent.parent  # symdrop's modules, whose code the compiled code may hold


def fingerprint(settings: dict, options: tuple = (), code: tuple = ()) -> str:
    """What compiled code depends on besides each template's source: Jinja's and Python's versions
    (and bytecode), the syntax ``settings`` (strings and flags) and which others are set, the
    environment's ``options`` (how numbers print), and ``code`` (symdrop's modules, as
    :func:`package_state` gives them)."""
    syntax = sorted((k, v if isinstance(v, (str, bool)) else None) for k, v in settings.items())
    python = (sys.implementation.cache_tag, importlib.util.MAGIC_NUMBER)
    text = repr((jinja2.__version__, python, syntax, options, code))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def package_state() -> tuple:
    """Each of symdrop's modules with its size and time of change: what an upgrade or an edit
    changes (a hundred-odd ``stat`` calls, some 0.3 ms, once an environment)."""
    return tuple((str(p.relative_to(PACKAGE)), info.st_size, info.st_mtime_ns)
                 for p in sorted(PACKAGE.rglob("*.py")) for info in (p.stat(),))


def template_cache(settings: dict, options: tuple = ()) -> jinja2.BytecodeCache | None:
    """The bytecode cache for symdrop's templates compiled with ``settings`` and ``options``, or
    None (turned off, or no folder that is safe to keep it in)."""
    if os.environ.get(OFF) or not hasattr(os, "getuid"):  # no owner to check (Windows): compiled each run
        return None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    if not os.path.isabs(base):  # the XDG rule: a relative path is ignored
        return None
    home = Path(base) / "symdrop"
    folder = home / f"{PREFIX}{fingerprint(settings, options, package_state())}"
    try:
        home.parent.mkdir(parents=True, exist_ok=True)
        new = not folder.is_dir()
        for made in (home, folder):
            made.mkdir(mode=0o700, exist_ok=True)
        if not (_safe(home.parent) and _private(home) and _private(folder)):
            return None
        if new:
            _prune(home, folder)
    except OSError:
        return None
    return KeptTemplates(str(folder))


def _safe(folder: Path) -> bool:
    """Whether no one but the user (and root) can rename or replace an entry of ``folder`` or of
    any folder above it (links followed): each belongs to the user or root, and is writable by
    others only with the sticky bit."""
    uid = os.getuid()
    for path in (Path(os.path.realpath(folder)), *Path(os.path.realpath(folder)).parents):
        info = os.stat(path)
        if info.st_uid not in (uid, 0):
            return False
        if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH) and not info.st_mode & stat.S_ISVTX:
            return False
    return True


def _private(folder: Path) -> bool:
    """Whether ``folder`` is a folder (not a link) of the user's that no one else may write in
    (one that others may read is made readable by the user only)."""
    info = os.lstat(folder)
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid() or info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        return False
    if info.st_mode & 0o077:
        os.chmod(folder, 0o700)
    return True


def _prune(home: Path, keep: Path) -> None:
    """Remove the folders of other fingerprints (an older symdrop's, an earlier edit's): a
    process of another install that uses one then compiles again."""
    for old in home.iterdir():
        if old.name.startswith(PREFIX) and old != keep and not old.is_symlink():
            shutil.rmtree(old, ignore_errors=True)


class KeptTemplates(jinja2.FileSystemBytecodeCache):
    """Jinja's cache in a folder, where a file that cannot be read or written (a full disk, a
    folder made read-only) or that holds anything but compiled code (damaged) is as if it were not
    there: the template is compiled, and the command goes on."""

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except Exception:  # noqa: BLE001 (a damaged file: Jinja reads its checksum unguarded)
            bucket.reset()
        if bucket.code is not None and not isinstance(bucket.code, types.CodeType):
            bucket.reset()

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            super().dump_bytecode(bucket)
        except OSError:
            pass
