"""The ``symdrop`` command: signals set up before anything heavy loads, then the CLI."""

import os
import signal
import sys

from .errors import SymdropError

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
            stream = getattr(sys, name)
            if stream is None:  # closed by the caller (symdrop ... >&-): what goes there goes nowhere
                stream = open(os.devnull, "w", encoding="utf-8")
            if not isinstance(stream, UntilClosed):
                setattr(sys, name, UntilClosed(stream, name))
        from .cli import main as run

        status = run(argv)
        sys.stdout.flush()  # what standard output still holds: a full disk is this command's error, said here
        return status
    except SymdropError as error:  # standard output that could not be written (its flush, after the command)
        print(f"symdrop: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except Terminated:
        return 143
    except BrokenPipeError:  # a closed output that UntilClosed did not see (bytes written to its buffer)
        for name in ("stdout", "stderr"):
            _silence(name)
        return CLOSED_PIPE
    finally:
        _running = False


class UntilClosed:
    """Standard output or error that stops at its reader's end: ``symdrop sheet ... | head -1``
    lists one file, and the command goes on as it would (every file written, its messages, its
    own exit status), where the broken pipe raised in the middle of it; what is written after the
    reader has gone goes nowhere. Standard output that cannot be written for another reason (a
    full disk: ``> /dev/full``) is the command's error, one line on standard error (status 2);
    standard error that cannot be written has nowhere to say so, and goes nowhere."""

    def __init__(self, stream, name: str):
        self._stream, self._name = stream, name

    def write(self, text: str) -> int:
        try:
            return self._stream.write(text)
        except OSError as error:
            self._failed(error)
            return len(text)

    def flush(self) -> None:
        try:
            self._stream.flush()
        except OSError as error:
            self._failed(error)

    def _failed(self, error: OSError) -> None:
        _silence(self._name)
        if self._name == "stdout" and not isinstance(error, BrokenPipeError):
            raise SymdropError(f"cannot write to standard output: {error.strerror or error}") from None

    def __getattr__(self, name):  # the rest as the stream has it (fileno, encoding, isatty, buffer)
        return getattr(self._stream, name)


def _silence(name: str) -> None:
    """The file descriptor of ``sys.<name>`` to the null device: what Python still holds for the
    closed pipe, and all written after, goes nowhere (else each flush raises again)."""
    try:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, getattr(sys, name).fileno())
        os.close(null)
    except (OSError, ValueError, AttributeError):  # no file descriptor (replaced in process)
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
