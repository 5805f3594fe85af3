"""The ``symdrop`` command: signals set up before anything heavy loads, then the CLI."""

import os
import signal
import sys

STATUS = {signal.SIGINT: 130, signal.SIGTERM: 143}  # 128 + the signal's number, as shells report it
CLOSED_PIPE = 141  # 128 + SIGPIPE's 13: the status of a program whose reader stopped early (``| head``)
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
        from .cli import main as run

        return run(argv)
    except KeyboardInterrupt:
        return 130
    except Terminated:
        return 143
    except BrokenPipeError:  # standard output's reader has gone: nothing more to say there
        _silence_stdout()
        return CLOSED_PIPE
    finally:
        _running = False


def _silence_stdout() -> None:
    """Standard output to the null device: what Python still holds for the closed pipe is dropped
    and the final flush writes nowhere (else it raises again, on the way out)."""
    try:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, sys.stdout.fileno())
        os.close(null)
    except (OSError, ValueError):  # no file descriptor (stdout replaced in process): nothing to redirect
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
