"""Hostile template folders for fuzzing ``--templates``: the templates ``symdrop solve -o FILE.md``
renders, broken at random with what would run code, read outside the folder, never end or fail.

Shared by tests/test_fuzz.py and benchmarks/fuzz_specs.py (``--templates``). A case is run by
:func:`run_templates`: ``escaped`` (code ran: the marker file exists, or a file from outside the
folder reached the output) is the outcome that must never be.
"""

import contextlib
import io
import os
import random
from pathlib import Path

from symdrop.cli import main
from symdrop.render import env

TUTORIAL = Path(__file__).resolve().parent.parent / "symdrop" / "data" / "tutorial.yaml"
# The templates a Markdown solution renders (the tutorial's: picture, masks, dropout).
RENDERED = ("documents/solution.j2", "documents/diagram.j2", "documents/dropout.j2", "documents/masks.j2",
            "markdown/macros.j2", "math/network-rows.j2", "math/rows.j2", "math/step-rows.j2", "svg/diagram.svg.j2")
SECRET = "SECRET-OUTSIDE-THE-FOLDER"


def _code(marker: Path) -> str:
    return f"__import__('pathlib').Path('{marker}').touch()"


# A line put into a template: each would run code, reach a module, run without end or fail.
SNIPPETS = [
    lambda m: '\\VAR{ cycler.__init__.__globals__.os.popen("touch %s").read() }' % m,
    lambda m: "\\VAR{ ().__class__.__base__.__subclasses__() }",
    lambda m: "\\VAR{ self.__init__.__globals__ }",
    lambda m: "\\VAR{ namespace.__init__.__globals__.sys.modules.os.system('touch %s') }" % m,
    lambda m: '\\VAR{ "{0.__class__.__mro__}".format(d) }',
    lambda m: '\\VAR{ d | attr("__class__") }',
    lambda m: '\\VAR{ d.prediction.subs("%s", 1) }' % _code(m),
    lambda m: '\\VAR{ d.prediction.equals(["%s"]) }' % _code(m),
    lambda m: '\\VAR{ "%s" | approx }' % _code(m),
    lambda m: '\\BLOCK{ set s = "%s" }\\VAR{ s | latex }\\VAR{ s | decimal }\\VAR{ [s] | matrix }' % _code(m),
    lambda m: '\\VAR{ "%s" is irrational }' % _code(m),
    lambda m: '\\VAR{ network.title | approx }',
    lambda m: "\\VAR{ 10 ** (10 ** 10) }",
    lambda m: '\\VAR{ "x" * 10 ** 10 }',
    lambda m: '\\VAR{ "x".ljust(10 ** 16) }',
    lambda m: "\\VAR{ range(10 ** 9) | list | length }",
    lambda m: "\\VAR{ lipsum(10 ** 9) }",
    lambda m: "\\BLOCK{ macro f() }\\VAR{ f() }\\BLOCK{ endmacro }\\VAR{ f() }",
    lambda m: '\\BLOCK{ include "documents/solution.j2" }',
    lambda m: '\\BLOCK{ include "../../../../../etc/hostname" }',
    lambda m: '\\BLOCK{ include "/etc/hostname" }',
    lambda m: "\\VAR{ 1 / 0 }",
    lambda m: "\\VAR{ no_such_name }",
    lambda m: "\\VAR{ m.heading() }",
    lambda m: "\\BLOCK{ if }",
    lambda m: "\\VAR{",
    lambda m: "\\BLOCK{ endfor }",
    lambda m: "}",
]


def template_case(rng: random.Random, folder: Path, marker: Path, secret: Path) -> None:
    """A hostile template folder in ``folder`` (made here): one to three of the rendered templates,
    each with a snippet at a random line, or broken at the folder's level (a link leading out to
    ``secret``, a FIFO, a file too large, bytes that are no UTF-8, a misplaced name)."""
    secret.write_text(SECRET + "\n", encoding="utf-8")
    source = env.builtin_templates()
    for _ in range(rng.choice((1, 1, 2, 3))):
        name = rng.choice(RENDERED)
        path = folder / name
        action = rng.randrange(24)  # 0-5: the folder broken, else a snippet
        if action == 1:  # the template's folder a link leading out
            if not os.path.lexists(path.parent):
                path.parent.symlink_to(secret.parent, target_is_directory=True)
            continue
        if os.path.lexists(path) or path.parent.is_symlink():
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        if action == 0:
            path.symlink_to(secret)
        elif action == 2:
            os.mkfifo(path)
        elif action == 3:
            path.write_text("x" * 1_000_001, encoding="utf-8")
        elif action == 4:
            path.write_bytes(b"\\VAR{ 1 }\xff\xfe\n")
        elif action == 5:  # misplaced: a warning, and the built-in one is used
            (folder / Path(name).name).write_text((source / name).read_text(encoding="utf-8"), encoding="utf-8")
        else:
            lines = (source / name).read_text(encoding="utf-8").splitlines(keepends=True)
            at = rng.randrange(len(lines) + 1)
            path.write_text("".join(lines[:at] + [rng.choice(SNIPPETS)(marker) + "\n"] + lines[at:]), encoding="utf-8")


def run_templates(folder: Path, marker: Path) -> tuple[str, str]:
    """``symdrop solve TUTORIAL -o FILE.md --templates FOLDER`` in this process: (outcome, standard
    error). ``accepted`` (exit 0, warnings only), ``rejected`` (exit 2, warnings and one error
    line), ``escaped`` (the marker exists, or the secret reached the output), else ``crash``."""
    out = folder.parent / "out" / "s.md"
    stdout, stderr = io.StringIO(), io.StringIO()
    try:
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            status = main(["solve", str(TUTORIAL), "-o", str(out), "--templates", str(folder)])
    except BaseException as error:  # noqa: BLE001 (what the fuzzing looks for)
        status, stderr = None, io.StringIO(f"{type(error).__name__}: {str(error)[:200]}")
    finally:
        env._env.cache_clear()  # a new folder each case: no environment kept for it
        env._document.cache_clear()
    written = out.read_text(encoding="utf-8", errors="replace") if out.is_file() else ""
    if marker.exists() or SECRET in written + stdout.getvalue():
        return "escaped", stderr.getvalue()[:300]
    if status is None:
        return "crash", stderr.getvalue()
    text = stderr.getvalue()
    lines = text.splitlines()
    errors = [line for line in lines if not line.startswith("symdrop: warning: ")]
    if status == 0 and not errors:
        return "accepted", text
    if status == 2 and len(errors) == 1 and errors[0].startswith("symdrop: error: ") and text.endswith("\n"):
        return "rejected", errors[0]
    return "crash", f"status {status}: {text[:300]!r}"
