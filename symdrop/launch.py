"""The ``symdrop`` command: signals set up before anything heavy loads, then the CLI."""

import os
import signal
import sys

STATUS = {signal.SIGINT: 130, signal.SIGTERM: 143}  # 128 + the signal's number, as shells report it
_running = False  # inside main's try: a signal becomes an exception, so clean-up runs


class Terminated(BaseException):
    """SIGTERM, raised where the program is, so that clean-up runs as for Ctrl-C."""


def _signalled(signum, frame):
    if not _running:  # before main's try or after it: nothing to clean up, and no traceback
        os._exit(STATUS[signum])
    raise KeyboardInterrupt if signum == signal.SIGINT else Terminated


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
    finally:
        _running = False


def console() -> None:
    """The console script's entry point."""
    sys.exit(main())
