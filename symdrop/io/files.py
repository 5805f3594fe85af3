"""Writing output files atomically: all of them, or none."""

import os
import tempfile
from pathlib import Path


def write_files(files: dict) -> list[Path]:
    """Write ``{path: text or bytes}``; each file appears whole, and none if any write fails."""
    staged = []
    mode = 0o666 & ~_umask()  # what open() would give; mkstemp alone gives 0600
    try:
        for path, content in files.items():
            path = Path(path)
            path.parent.mkdir(parents=True, exist_ok=True)
            data = content.encode("utf-8") if isinstance(content, str) else content
            handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
            with os.fdopen(handle, "wb") as stream:
                stream.write(data)
            os.chmod(temporary, mode)
            staged.append((temporary, path))
        for temporary, path in staged:
            os.replace(temporary, path)
    except BaseException:
        for temporary, _ in staged:
            if os.path.exists(temporary):
                os.unlink(temporary)
        raise
    return [path for _, path in staged]


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current
