"""Compiled templates kept between runs: Jinja's bytecode cache in the user's cache folder.

A command compiles each template it renders (a default ``symdrop sheet``: 25 templates, some
0.12 s of its 0.25 s) and a new process compiles them again. Jinja's ``FileSystemBytecodeCache``
keeps the compiled code, checked against each template's source on every load, so that an edited
template is compiled again; its files are written whole (a temporary file renamed). What the
compiled code depends on besides the source (this module's :data:`FINGERPRINT`: Jinja's version,
Python's, the syntax settings) names the folder, so a change to any of them starts a new one.

Only symdrop's own templates are cached (a folder of the user's, ``--templates``, never: its
environment is sandboxed). The folder is ``$XDG_CACHE_HOME/symdrop`` (else ``~/.cache/symdrop``),
made readable by its owner only; a folder that is not the user's own, or that others may write
in, is not used (code loaded from it would run as the user). ``SYMDROP_NO_CACHE`` set to
anything but an empty string turns the cache off; where no folder can be made, symdrop compiles
as if there were none.
"""

import hashlib
import os
import stat
import sys
from pathlib import Path

import jinja2

OFF = "SYMDROP_NO_CACHE"


def fingerprint(settings: dict) -> str:
    """What compiled code depends on besides each template's source: Jinja's and Python's
    versions, the syntax ``settings`` (strings and flags) and which others are set (a finalize
    function, say: whether there is one, not which)."""
    syntax = sorted((k, v if isinstance(v, (str, bool)) else None) for k, v in settings.items())
    text = repr((jinja2.__version__, sys.version_info[:2], syntax))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def template_cache(settings: dict) -> jinja2.BytecodeCache | None:
    """The bytecode cache for symdrop's templates compiled with ``settings``, or None (turned off,
    or no folder of the user's own to keep it in)."""
    if os.environ.get(OFF):
        return None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    if not os.path.isabs(base):  # the XDG rule: a relative path is ignored
        return None
    if not hasattr(os, "getuid"):  # no owner to check (Windows): compiled each run, as before
        return None
    folder = Path(base) / "symdrop" / f"templates-{fingerprint(settings)}"
    try:
        folder.parent.parent.mkdir(parents=True, exist_ok=True)
        for made in (folder.parent, folder):
            made.mkdir(mode=0o700, exist_ok=True)
            if not _own(made):
                return None
    except OSError:
        return None
    return KeptTemplates(str(folder))


class KeptTemplates(jinja2.FileSystemBytecodeCache):
    """Jinja's cache in a folder, where a file that cannot be read or written (a full disk, a
    folder made read-only) is as if it were not there: the template is compiled, and the command
    goes on."""

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except OSError:
            bucket.reset()

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            super().dump_bytecode(bucket)
        except OSError:
            pass


def _own(folder: Path) -> bool:
    """Whether ``folder`` is a folder (not a link) of this user that no one else may write in."""
    info = os.lstat(folder)
    return (stat.S_ISDIR(info.st_mode) and info.st_uid == os.getuid()
            and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH))
