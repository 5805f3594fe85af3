"""Writing output files atomically: every target checked first, then all of them written, or none."""

import errno
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
    folders: dict[Path, None] = {}  # each folder checked (and then made) once: a class's feedback is 300 files
    for path in targets:
        _check_target(path, folders)
    staged: list[tuple[str, Path]] = []
    listings: dict[Path, list[str]] = {}  # each folder's names, listed once
    path = None  # the file being written or put in place: a failed write's message names it
    try:
        for folder in folders:
            _make_folder(folder)
        for path, content in zip(targets, files.values()):
            _remove_stale(path, listings)
            # the staged file is made with the mode open() gives (0666 less the umask), and written
            # through the descriptor that made it: one open a file
            descriptor = _create_staged(path, staged)
            try:
                stream = open(descriptor, "wb")
            except BaseException:
                os.close(descriptor)
                raise
            with stream:
                if isinstance(content, Spooled):  # kept on disk until now (a class set's documents)
                    content.copy_to(stream)
                else:
                    stream.write(content.encode("utf-8") if isinstance(content, str) else content)
        for temporary, path in staged:
            os.replace(temporary, path)
    except OSError as error:
        _remove(staged)
        named = isinstance(error.filename, (str, Path)) and not str(error.filename).endswith(SUFFIX)
        target = error.filename if named else path or "a file"  # the target, not its staged file
        raise SymdropError(f"cannot write {target}: {error.strerror or error}") from None
    except BaseException:
        _remove(staged)
        raise
    return [path for _, path in staged]


def _check_target(path: Path, folders: dict) -> None:
    """Refuse ``path`` (see :func:`write_files`); its folder is checked once and added to ``folders``."""
    try:
        mode = os.lstat(path).st_mode
    except OSError as error:
        if error.errno not in (errno.ENOENT, errno.ENOTDIR, errno.ELOOP):
            raise SymdropError(f"{path}: {error.strerror or error}") from None  # a name too long, no access
        mode = None  # not there; a file or a link (a loop) in the way of its folder: said below
    if mode is not None:
        if stat.S_ISLNK(mode):
            raise SymdropError(f"{path}: is a symbolic link; symdrop replaces only regular files (remove it first)")
        if stat.S_ISDIR(mode):
            raise SymdropError(f"{path}: is a folder; expected a file name")
        if not stat.S_ISREG(mode):
            raise SymdropError(f"{path}: is not a regular file (a device or a pipe); symdrop replaces only regular files")
    if path.parent in folders:
        return
    folder = path.parent
    while not folder.exists():  # the nearest folder that is there must be a folder, and writable
        if folder.is_symlink():  # a dangling link in the way
            raise SymdropError(f"{folder}: is a broken symbolic link; expected a folder")
        folder = folder.parent
    if not folder.is_dir():
        raise SymdropError(f"{folder}: is a file, not a folder (it is in the way of {path})")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise SymdropError(f"{folder}: cannot write in this folder (permission denied)")
    folders[path.parent] = None


def _make_folder(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise SymdropError(f"{folder}: a file is in the way of this folder") from None


def _create_staged(path: Path, staged: list) -> int:
    """A new staged file beside ``path``, open for writing: its descriptor."""
    # The name is registered before the file exists, so an interrupt between the two leaves
    # nothing behind (the clean-up skips a name that was never created).
    for _ in range(100):
        name = os.path.join(path.parent, f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}{SUFFIX}")
        staged.append((name, path))
        try:
            return os.open(name, os.O_CREAT | os.O_EXCL | os.O_WRONLY | os.O_CLOEXEC, 0o666)
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
