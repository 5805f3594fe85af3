"""Writing output files atomically: every target checked first, then all of them written, or none."""

import os
import secrets
import stat
from pathlib import Path

from ..errors import SymdropError
from .spool import Spooled

# A staged file is named .NAME.PID.XXXXXX.symdrop-tmp beside its target: the process id lets a
# later run remove what a killed one left behind (its own kind only, never another's).
SUFFIX = ".symdrop-tmp"


def write_files(files: dict) -> list[Path]:
    """Write ``{path: text, bytes or Spooled}``; each file appears whole, and none if any write fails.

    Every target is checked before anything is written: a folder, a file in the place of a
    folder, an unwritable folder, or a target that is not a regular file (a device, a symlink, a
    pipe: symdrop replaces regular files only, and never writes through a link) is refused in one
    line. A failed write (a full disk) is one line too, with every staged file removed."""
    targets = [Path(path) for path in files]
    for path in targets:
        _check_target(path)
    staged: list[tuple[str, Path]] = []
    mode = 0o666 & ~_umask()  # what open() would give; mkstemp alone gives 0600
    listings: dict[Path, list[str]] = {}  # each folder's names, listed once (a class's feedback: 300 files)
    try:
        for path, content in files.items():
            path = Path(path)
            _make_folder(path.parent)
            _remove_stale(path, listings)
            temporary = _create_staged(path, staged)
            with open(temporary, "wb") as stream:
                if isinstance(content, Spooled):  # kept on disk until now (a class set's documents)
                    content.copy_to(stream)
                else:
                    stream.write(content.encode("utf-8") if isinstance(content, str) else content)
            os.chmod(temporary, mode)
        for temporary, path in staged:
            os.replace(temporary, path)
    except OSError as error:
        _remove(staged)
        target = error.filename or "a file"
        raise SymdropError(f"cannot write {target}: {error.strerror or error}") from None
    except BaseException:
        _remove(staged)
        raise
    return [path for _, path in staged]


def _check_target(path: Path) -> None:
    if path.is_symlink():
        raise SymdropError(f"{path}: is a symbolic link; symdrop replaces only regular files (remove it first)")
    if path.exists():
        if path.is_dir():
            raise SymdropError(f"{path}: is a folder; expected a file name")
        if not stat.S_ISREG(path.stat().st_mode):
            raise SymdropError(f"{path}: is not a regular file (a device or a pipe); symdrop replaces only regular files")
    folder = path.parent
    while not folder.exists():  # the nearest folder that is there must be a folder, and writable
        if folder.is_symlink():  # a dangling link in the way
            raise SymdropError(f"{folder}: is a broken symbolic link; expected a folder")
        folder = folder.parent
    if not folder.is_dir():
        raise SymdropError(f"{folder}: is a file, not a folder (it is in the way of {path})")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise SymdropError(f"{folder}: cannot write in this folder (permission denied)")


def _make_folder(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise SymdropError(f"{folder}: a file is in the way of this folder") from None


def _create_staged(path: Path, staged: list) -> str:
    # The name is registered before the file exists, so an interrupt between the two leaves
    # nothing behind (the clean-up skips a name that was never created).
    for _ in range(100):
        name = os.path.join(path.parent, f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}{SUFFIX}")
        staged.append((name, path))
        try:
            os.close(os.open(name, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
            return name
        except FileExistsError:
            staged.pop()
    raise SymdropError(f"{path.parent}: cannot create a temporary file")


def _remove(staged) -> None:
    for temporary, _ in staged:
        try:
            os.unlink(temporary)
        except OSError:
            pass


def _remove_stale(path: Path, listings: dict) -> None:
    """Remove staged files of ``path`` that a killed symdrop left (their process is gone);
    ``listings`` holds the staged names of each folder listed so far."""
    if path.parent not in listings:
        try:
            listings[path.parent] = [n for n in os.listdir(path.parent) if n.endswith(SUFFIX)]
        except OSError:
            listings[path.parent] = []
    names = [n for n in listings[path.parent] if n.startswith(f".{path.name}.")]
    for name in names:
        pid = name[len(path.name) + 2:].split(".", 1)[0]
        if pid.isdigit() and not alive(int(pid)):
            try:
                os.unlink(os.path.join(path.parent, name))
            except OSError:
                pass


def alive(pid: int) -> bool:
    """Whether process ``pid`` is running (ours is)."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current
