"""The registries of exercise kinds and output formats, and the command line's choices from them."""

import re
from dataclasses import replace
from pathlib import Path

import pytest
import sympy

from symdrop import example
from symdrop.cli import main
from symdrop.errors import SymdropError
from symdrop.exercises.kinds import KINDS, expected, get as kind, of_spec, parse_kinds
from symdrop.exercises.options import Options
from symdrop.exercises.sheet import build_sheet
from symdrop.model.conventions import Dropout
from symdrop.render import formats
from symdrop.render.env import builtin_templates
from symdrop.render.formats import sheet_choices
from symdrop.render.options import RenderOptions

from .conftest import ROOT, lines_matching
from symdrop.render.sheets import render_documents


# The formats an exercise's parts are rendered in: those writing through the shared bodies' macros
# (LaTeX and Markdown for sheets, HTML for the LMS exports).
PART_FORMATS = [f for f in formats.FORMATS.values() if f.macros]


@pytest.mark.parametrize("name", KINDS)
def test_every_kind_is_registered_with_everything_a_kind_has(name):
    """Found by its name; drawn by hand-computable rules; a question, a key entry and a worked
    solution, and the paragraph a sheet says about it, each a template on disk in every format
    that renders exercises."""
    k = kind(name)
    assert k is KINDS[name] and k.name == name
    assert "hand_computable" in k.rules and all(callable(rule) for rule in k.rules.values())
    assert set(k.templates) == {"problem", "answer", "solution"}
    assert PART_FORMATS
    for template in (*k.templates.values(), k.intro):
        for fmt in PART_FORMATS:
            assert (builtin_templates() / fmt.template(template)).is_file(), (fmt.name, template)


@pytest.mark.parametrize("name", KINDS)
def test_every_kind_renders_in_every_sheet_format_and_export(name):
    """A sheet of one problem of the kind: every document of every sheet format names its
    variant code, and every LMS export writes its file."""
    sheet = build_sheet(1, Options(), 1, kinds=parse_kinds(name))
    code = sheet.exercises[0].code
    documents = render_documents(sheet, formats.sheet_formats())
    assert sorted(documents) == sorted(f"{document}.{formats.get(f).suffix}" for f in formats.sheet_formats()
                                       for document in formats.get(f).documents)
    assert all(code in text for text in documents.values())
    exports = [formats.get(name) for name in formats.exports()]
    assert exports and all(export.write_sheet(sheet, RenderOptions()) for export in exports)


@pytest.mark.parametrize("text, message", [
    ("", "--kinds: expected kinds like forward"),
    ("forward,nope", f"--kinds: unknown kind 'nope' (expected one of {expected()})"),
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
                                          (".xml", "moodle"), (".gift", "gift"), (".HTML", "html")])
def test_formats_by_suffix(suffix, name):
    assert formats.by_suffix(suffix).name == name


@pytest.mark.parametrize("name", formats.FORMATS)
def test_every_format_is_registered_with_everything_a_format_has(name):
    """Found by its name and by its suffix; its pictures inline, in files or none; its macros and
    each of its documents a template on disk; users' text escaped wherever templates write it
    (ordinary words kept); an engine, where it compiles, that is one of its engines."""
    fmt = formats.get(name)
    # One suffix, one format: the first registered (qti.zip before qti21.zip: -o FILE.zip is QTI 1.2;
    # the pages before the LMS's HTML fragments, which have no command, document or export of their own).
    first = next(f for f in formats.FORMATS.values() if f.suffix == fmt.suffix)
    assert fmt.name == name and formats.by_suffix(fmt.suffix) is first
    assert first is fmt or fmt.export or not (fmt.commands or fmt.documents)
    assert fmt.figure in ("inline", "file", None)
    for template in ([fmt.macros] if fmt.macros else []) + [fmt.template(document) for document in fmt.documents]:
        assert (builtin_templates() / template).is_file(), template
    if fmt.macros or fmt.documents:
        assert "plain words" in fmt.escape("plain words")
    assert bool(fmt.engine) == bool(fmt.engines)
    if fmt.engine:
        assert fmt.engine("plain words") in fmt.engines


def test_every_sheet_choice_writes_its_files(tmp_path):
    """`symdrop sheet --format NAME` takes every format with documents and every LMS export: a
    format writes each of its documents, an export its file, and both the key.json."""
    choices = sheet_choices()
    assert {name for name, fmt in formats.FORMATS.items() if fmt.documents or fmt.export} == set(choices)
    for name in choices:
        out = tmp_path / name
        assert main(["sheet", "--seed", "1", "--problems", "1", "--format", name, "--no-diagram", "--out", str(out)]) == 0
        expected = ({formats.get(name).export} if formats.get(name).export
                    else {f"{document}.{formats.get(name).suffix}" for document in formats.get(name).documents})
        companions = {"html": {"selfcheck.html"}}.get(name, set())  # the pages' self-check page
        assert {p.name for p in out.iterdir()} == expected | companions | {"key.json"}, name


def test_an_unknown_format_is_refused_naming_every_format():
    with pytest.raises(SymdropError, match="unknown format 'docx'") as refused:
        formats.get("docx")
    assert all(name in str(refused.value) for name in formats.FORMATS)


@pytest.mark.parametrize("convention, mode, expected", [
    ("plain", "train", "forward"), ("weight-scaling", "train", "forward"), ("inverted", "train", "inverted"),
    ("weight-scaling", "test", "test-time"), ("inverted", "test", "test-time"),
])
def test_a_spec_is_of_exactly_one_kind_in_each_mode(convention, mode, expected):
    """solve --format moodle and check without --kind take the one kind that poses the spec's
    problem: a training pass divides by q or not (inverted or forward), a test-time pass is test-time."""
    keep = tuple(sympy.Rational(q) for q in ("1", "1/2", "2/3", "3/4"))
    network = replace(example(), dropout=Dropout(convention, keep))
    assert [k.name for k in KINDS.values() if k.mode == mode and k.poses(network)] == [expected]
    assert of_spec(network, mode).name == expected


# A kind's name compared with a literal: what only symdrop/exercises/ may do (its own modules).
KIND_NAME_COMPARED = re.compile(r"""kind[\w.\]\["']*\s*(?:==|!=|\bin\b|\bnot in\b)\s*[("'A-Z]""")


def kind_names_compared(root: Path) -> list[str]:
    """Every line under ``root`` (but exercises/) that compares a kind's name with a literal."""
    return lines_matching(root, KIND_NAME_COMPARED, "exercises")


def test_no_kind_is_asked_by_name_outside_the_exercises():
    found = kind_names_compared(ROOT / "symdrop") + kind_names_compared(ROOT / "templates")
    assert not found, "ask the kind (mode, has_layer_values, key_values, poses):\n  " + "\n  ".join(found)


def test_the_search_finds_a_kind_asked_by_name(tmp_path):
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "a.py").write_text('if kind.name == "test-time":\n    pass\nx = entry["kind"] in STEP_KINDS\n'
                                          'ok = kind.mode == mode\n')
    assert kind_names_compared(tmp_path / "pkg") == ['pkg/a.py:1: if kind.name == "test-time":',
                                                     'pkg/a.py:3: x = entry["kind"] in STEP_KINDS']
