"""The ``symdrop`` command: signals set up before anything heavy loads, then the CLI."""

import os
import signal
import sys

STATUS = {signal.SIGINT: 130, signal.SIGTERM: 143}  # 128 + the signal's number, as shells report it
CLOSED_PIPE = 141  # 128 + SIGPIPE's 13: where a closed standard output ends a command (see main)
_running = False  # inside main's try: a signal becomes an exception, so clean-up runs


class Terminated(BaseException):
    """SIGTERM, raised where the program is, so that clean-up runs as for Ctrl-C."""


def _signalled(signum, frame):
    if not _running:  # before main's try or after it: nothing to clean up, and no traceback
        _flush()
        os._exit(STATUS[signum])
    raise KeyboardInterrupt if signum == signal.SIGINT else Terminated


def _flush() -> None:
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None:
                stream.flush()
        except (OSError, ValueError):  # a closed pipe (symdrop ... | head -1): nothing more to say there
            pass


# Set when this module is imported, the first thing ``symdrop`` does (and only it imports this module).
for _signum in STATUS:
    signal.signal(_signum, _signalled)


def main(argv=None) -> int:
    """Run the command line: Ctrl-C exits 130 and SIGTERM 143, at any point (while Python still
    imports SymPy too), with no traceback; running TeX jobs are ended and temporary files removed
    by the code they interrupt (symdrop/io/)."""
    global _running
    try:
        _running = True
        for name in ("stdout", "stderr"):
            if getattr(sys, name) is None:  # closed by the caller (symdrop ... >&-): what goes there goes nowhere
                setattr(sys, name, open(os.devnull, "w", encoding="utf-8"))
        if not isinstance(sys.stdout, UntilClosed):
            sys.stdout = UntilClosed(sys.stdout)
        from .cli import main as run

        return run(argv)
    except KeyboardInterrupt:
        return 130
    except Terminated:
        return 143
    except BrokenPipeError:  # a closed standard output that UntilClosed did not see (bytes written to its buffer)
        _silence_stdout()
        return CLOSED_PIPE
    finally:
        _running = False


class UntilClosed:
    """Standard output that stops at its reader's end: ``symdrop sheet ... | head -1`` lists one
    file, and the command goes on as it would (every file written, its messages on standard
    error, its own exit status), where the broken pipe raised in the middle of it. What is
    written after the reader has gone goes nowhere."""

    def __init__(self, stream):
        self._stream = stream

    def write(self, text: str) -> int:
        try:
            return self._stream.write(text)
        except BrokenPipeError:
            _silence_stdout()
            return len(text)

    def flush(self) -> None:
        try:
            self._stream.flush()
        except BrokenPipeError:
            _silence_stdout()

    def __getattr__(self, name):  # the rest as the stream has it (fileno, encoding, isatty, buffer)
        return getattr(self._stream, name)


def _silence_stdout() -> None:
    """Standard output's file descriptor to the null device: what Python still holds for the
    closed pipe, and all written after, goes nowhere (else each flush raises again)."""
    try:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, sys.stdout.fileno())
        os.close(null)
    except (OSError, ValueError, AttributeError):  # no file descriptor (stdout replaced in process)
        pass


def console() -> None:
    """The console script's entry point."""
    finish(main())


def finish(status: int) -> None:
    """End the process with ``status`` at once, its output flushed: Python's own shutdown (some
    100 ms with SymPy loaded) would first give SIGINT and SIGTERM back their default action, so
    one arriving then ended the process by the signal (9 of 10 runs, the files written). A signal
    from here on waits, blocked, and makes the status 130 or 143; one before ran its handler."""
    blocking = hasattr(signal, "pthread_sigmask")  # POSIX
    if blocking:
        signal.pthread_sigmask(signal.SIG_BLOCK, set(STATUS))
    _flush()
    pending = sorted(signal.sigpending() & set(STATUS)) if blocking else []
    os._exit(STATUS[pending[0]] if pending else status)
