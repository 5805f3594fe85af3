"""Texts kept on disk until they are written out: a class set's documents need not all be held in memory at once."""

import tempfile
import weakref
from dataclasses import dataclass

CHUNK = 1 << 20  # bytes copied at a time from the spool to the file written


class Spool:
    """One anonymous temporary file (gone when closed or when the process ends) to which texts
    are appended, UTF-8 encoded, as they are made; each comes back as a :class:`Spooled` piece
    that :func:`symdrop.io.files.write_files` copies into its file."""

    def __init__(self):
        self.file = tempfile.TemporaryFile()
        self.adding = False
        weakref.finalize(self, self.file.close)  # closed with the last piece that reads from it

    def add(self, text) -> "Spooled":
        """``text``: a str, bytes, or str pieces one after another (a document as it is rendered).
        Refused while another text is being added (its pieces still being made): the two would
        interleave in the file."""
        if self.adding:
            raise RuntimeError("a text added to the spool while another is being added")
        self.adding = True
        try:
            return self._add(text)
        finally:
            self.adding = False

    def _add(self, text) -> "Spooled":
        offset = self.file.seek(0, 2)
        if isinstance(text, bytes):
            self.file.write(text)
        elif isinstance(text, str):
            self._write(text)
        else:  # small pieces (JSON's tokens) gathered up to CHUNK characters, then written
            gathered, size = [], 0
            for piece in text:
                if len(piece) >= CHUNK:  # a whole document: written as it is, not copied
                    self._write("".join(gathered))
                    self._write(piece)
                    gathered, size = [], 0
                    continue
                gathered.append(piece)
                size += len(piece)
                if size >= CHUNK:
                    self._write("".join(gathered))
                    gathered, size = [], 0
            self._write("".join(gathered))
        return Spooled(self, offset, self.file.tell() - offset)

    def _write(self, text: str) -> None:
        """Encoded a slice at a time: a text and all its bytes are never held together. At the
        file's end, whatever a piece read meanwhile (a document's formulas, read back while the
        document is added) left its position at."""
        self.file.seek(0, 2)
        for start in range(0, len(text), CHUNK):
            self.file.write(text[start:start + CHUNK].encode("utf-8"))


@dataclass(frozen=True, eq=False)
class Spooled:
    """A file's content in a :class:`Spool`: ``size`` bytes from ``offset``."""

    spool: Spool
    offset: int
    size: int

    def copy_to(self, stream) -> None:
        source = self.spool.file
        source.flush()
        source.seek(self.offset)
        left = self.size
        while left:
            data = source.read(min(CHUNK, left))
            if not data:
                raise OSError(f"the spooled text ended {left} bytes short")
            stream.write(data)
            left -= len(data)

    def read(self) -> bytes:
        """The content as bytes (a test, or a caller that wants the text)."""
        source = self.spool.file
        source.flush()
        source.seek(self.offset)
        return source.read(self.size)

