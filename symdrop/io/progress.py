"""A one-line progress bar on standard error, drawn only on a terminal (never into logs or pipes)."""

import sys
import threading

MIN_TOTAL = 20  # smaller jobs finish before a bar is worth reading
SLOW = 2.0  # seconds: a command's steps are shown once it has run this long (see Progress's after)
WIDTH = 30


class Progress:
    """``label [#######.......]  120/300`` redrawn in place while work advances.

    Drawn only when ``stream`` is a terminal and ``total`` is at least ``MIN_TOTAL``: a redirected
    standard error (CI logs, files, tests) stays clean and byte-identical from run to run.

    With ``after`` (seconds) the bar is for work of a few steps that may be long or short (a
    pass through sigmoid layers, a document): nothing is drawn until that much time has passed,
    then the step under way is drawn (from a timer, while the step runs) whatever the number of
    steps, and each step after it.
    """

    def __init__(self, total: int, label: str, stream=None, *, enabled: bool | None = None,
                 after: float | None = None):
        self.total, self.label, self.done = total, label, 0
        self.stream = sys.stderr if stream is None else stream
        if enabled is None:
            enabled = (after is not None or total >= MIN_TOTAL) and _isatty(self.stream)
        self.enabled = enabled
        self._drawn = None
        self._lock = threading.Lock()
        self._waiting = after is not None  # a timed bar shows nothing before its time
        self._closed = False
        self._timer = None
        if after is not None and enabled:
            self._timer = threading.Timer(after, self._due)
            self._timer.daemon = True
            self._timer.start()

    def _due(self) -> None:
        with self._lock:
            if self._closed:
                return
            self._waiting = False
        self._draw(force=True)

    def advance(self, n: int = 1) -> None:
        self.done = min(self.total, self.done + n)
        self._draw()

    def show(self, label: str, done: int, total: int) -> None:
        """Work whose size is known only as it goes (expect's layers): ``done`` of ``total`` in
        ``label``'s step, drawn while the step is large enough to be worth a bar."""
        self.label, self.done, self.total = label, done, total
        self._draw()

    def stage(self, label: str) -> None:
        """A new step of the work (e.g. compiling PDFs) on the same line."""
        self.label = label
        self._draw(force=True)

    def close(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
        with self._lock:
            self._closed = True  # a timer that fires now draws nothing
            if self.enabled and self._drawn is not None:
                self.stream.write("\r\033[K")  # leave the terminal as it was
                self.stream.flush()
                self._drawn = None

    def __enter__(self):
        self._draw(force=True)
        return self

    def __exit__(self, *exc):
        self.close()

    def _draw(self, force: bool = False) -> None:
        if not self.enabled or self._waiting or (self._timer is None and self.total < MIN_TOTAL):
            return
        with self._lock:
            if self._waiting or self._closed:
                return
            filled = WIDTH * self.done // max(self.total, 1)
            state = (self.label, filled, self.done)
            if state == self._drawn and not force:
                return
            self._drawn = state
            bar = "#" * filled + "." * (WIDTH - filled)
            self.stream.write(f"\r\033[K{self.label} [{bar}] {self.done}/{self.total}")
            self.stream.flush()


def on_terminal(stream=None) -> bool:
    """Whether ``stream`` (standard error) is a terminal: where a bar may be drawn."""
    return _isatty(sys.stderr if stream is None else stream)


def _isatty(stream) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
