"""A sheet's documents ask each exercise's parts as they are laid out (``render.parts.LazyParts``):
each part is the text ``render_parts`` renders at once (the plain path), and a document is the
same bytes laid out from the parts rendered beforehand, every part of every format asked once."""

from collections import Counter

import pytest

from symdrop.exercises.kinds import parse_kinds
from symdrop.exercises.options import Options
from symdrop.exercises.roster import Student
from symdrop.exercises.sheet import build_class_set, build_sheet
from symdrop.io.spool import Spool
from symdrop.render import parts as parts_module
from symdrop.render.documents import diagram_of, render_math
from symdrop.render.options import RenderOptions
from symdrop.render.parts import LazyParts, render_parts
from symdrop.render.sheets import render_documents

KINDS = "forward,backprop,nwgm,variance,dropconnect:forward,noise"


@pytest.mark.parametrize("fmt", ["latex", "markdown", "html"])
def test_each_part_asked_is_the_part_rendered_at_once(fmt):
    sheet = build_sheet(7, Options(), 6, kinds=parse_kinds(KINDS))
    options = RenderOptions().for_sheet(sheet)
    for e in sheet.exercises:
        picture = diagram_of(e.derivation)
        plain = render_parts(e, fmt, options, picture, render_math(e.derivation, options))
        lazy = LazyParts(e, fmt, options, picture, lambda e: render_math(e.derivation, options))
        assert list(lazy) == list(plain) and len(lazy) == len(plain)
        assert {name: lazy[name] for name in lazy} == plain
        with pytest.raises(KeyError):
            lazy["no such part"]


@pytest.mark.parametrize("split, compiled", [(False, False), (True, False), (False, True), (True, True)])
def test_a_class_sets_documents_are_laid_out_from_the_parts_rendered_beforehand(monkeypatch, split, compiled):
    students = [Student(f"s{i}", f"Student {i}") for i in range(3)]
    sheet = build_class_set(11, Options(), students, 2, kinds=parse_kinds(KINDS))
    formats = ("latex", "markdown", "html")
    spool = Spool()
    asked = Counter()
    part = parts_module.render_part

    def counted(e, name, fmt, options, context):
        asked[e.code, name, fmt, context["figure"]] += 1
        return part(e, name, fmt, options, context)

    monkeypatch.setattr(parts_module, "render_part", counted)
    progress = _Steps(asked)
    handed = []  # with PDFs to make (``ready``), each document as it is done, the longest to compile first
    documents = render_documents(sheet, formats, split=split, hold=spool.add, progress=progress,
                                 ready=(lambda done: handed.extend(done)) if compiled else None)
    # a step of the progress bar for each exercise of each format, once the last of its question,
    # key entry and solution is rendered: the solution, or with PDFs the key entry (the key last)
    last = "answer" if compiled else "solution"
    assert progress.after == [(e.code, last) for fmt in formats for e in sheet.exercises]
    students = [name for name in documents if name.startswith("students/")]
    expected = []
    for suffix in ("tex", "md", "html"):
        expected += [f"solutions.{suffix}", f"sheet.{suffix}", f"key.{suffix}"]
        expected += [s for s in students if s.endswith(f".{suffix}")]
    assert handed == (expected if compiled else [])
    # Every part of every format (and figure) rendered once; with split, each question once more
    # for its student's own sheet (Markdown's links a folder up: another figure, so once each).
    assert {k: n for k, n in asked.items() if n != 1} == \
        ({k: 2 for k in asked if split and k[1] == "problem" and k[2] != "markdown"})
    monkeypatch.setattr(parts_module, "render_part", part)
    # The plain path: every part rendered before the documents are, handed to them as dicts.
    monkeypatch.setattr(parts_module.LazyParts, "__getitem__", _rendered_at_once(parts_module.LazyParts.__getitem__))
    again = render_documents(sheet, formats, split=split)
    assert sorted(documents) == sorted(again)
    for name, text in again.items():
        assert documents[name].read() == text.encode("utf-8"), name


def _rendered_at_once(ask):
    """``LazyParts.__getitem__`` answered from every part rendered on the first question."""
    def answer(self, name):
        if not hasattr(self, "all"):
            self.all = {n: ask(self, n) for n in self._names}
        return self.all[name]
    return answer


class _Steps:
    """A progress bar that notes the part rendered last at each step."""

    def __init__(self, asked: Counter):
        self.asked, self.after = asked, []

    def advance(self):
        self.after.append(next(reversed(self.asked))[:2])
