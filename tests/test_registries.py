"""The registries of exercise kinds and output formats, and the command line's choices from them."""

import pytest

from symdrop.cli import main
from symdrop.errors import SymdropError
from symdrop.exercises.kinds import KINDS, get as kind, parse_kinds
from symdrop.render import formats


def test_the_forward_kind_is_registered_with_everything_a_kind_has():
    forward = kind("forward")
    assert list(KINDS) == ["forward", "inverted", "test-time", "ensemble", "backprop"] and forward.name == "forward"
    assert list(forward.rules)[:1] == ["hand_computable"] and set(forward.templates) == {"problem", "answer", "solution"}


@pytest.mark.parametrize("text, message", [
    ("", "--kinds: expected kinds like forward"),
    ("forward,nope", "--kinds: unknown kind 'nope' (expected one of forward, inverted, test-time, ensemble, backprop)"),
])
def test_bad_kinds_are_refused(text, message):
    with pytest.raises(SymdropError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_kinds(text)


def test_kinds_cycle_on_a_sheet(tmp_path):
    assert [k.name for k in parse_kinds(" forward , forward ")] == ["forward", "forward"]
    assert main(["sheet", "--seed", "1", "--problems", "2", "--kinds", "forward", "--out", str(tmp_path)]) == 0


def test_sheet_refuses_an_unknown_kind_in_one_line(tmp_path, capsys):
    assert main(["sheet", "--kinds", "grading", "--out", str(tmp_path)]) == 2
    assert capsys.readouterr().err.count("\n") == 1 and not list(tmp_path.iterdir())


@pytest.mark.parametrize("suffix, name", [(".tex", "latex"), (".MD", "markdown"), (".json", "json"), (".txt", "markdown"), ("", "markdown"),
                                          (".xml", "moodle"), (".gift", "gift")])
def test_formats_by_suffix(suffix, name):
    assert formats.by_suffix(suffix).name == name


def test_format_entries():
    assert formats.sheet_formats() == ("latex", "markdown")
    assert formats.get("latex").template("solution") == formats.get("markdown").template("solution") == "documents/solution.j2"
    assert formats.get("markdown").figure == "file" and formats.get("latex").figure == "inline"
    assert r"50\% \& \$" in formats.get("latex").escape("50% & $")
    from symdrop.render.formats import sheet_choices

    assert sheet_choices() == ("latex", "markdown", "moodle", "gift", "qti")
    assert formats.get("html").macros == "html/macros.j2" and not formats.get("html").documents
    with pytest.raises(SymdropError, match="unknown format 'docx'"):
        formats.get("docx")
