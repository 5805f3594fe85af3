"""The ``symdrop`` command: signals set up before anything heavy loads, then the CLI."""

import signal
import sys


class Terminated(BaseException):
    """SIGTERM, raised where the program is, so that clean-up runs as for Ctrl-C."""


def _terminate(signum, frame):
    raise Terminated


def main(argv=None) -> int:
    """Run the command line: Ctrl-C exits 130 and SIGTERM 143, at any point (while Python still
    imports SymPy too), with no traceback; running TeX jobs are ended and temporary files removed
    by the code they interrupt (symdrop/io/)."""
    signal.signal(signal.SIGTERM, _terminate)
    try:
        from .cli import main as run

        return run(argv)
    except KeyboardInterrupt:
        return 130
    except Terminated:
        return 143


def console() -> None:
    """The console script's entry point."""
    sys.exit(main())
