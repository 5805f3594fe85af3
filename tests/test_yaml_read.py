"""The YAML reader: libyaml and PyYAML's own parser give the same data and the same refusals, and
a list far beyond the limits, or nesting too deep, is refused while the text is read."""

import random

import pytest

from symdrop.errors import SpecError
from symdrop.model import yamlread
from symdrop.model.yamlread import PythonLoader, load_yaml

from .conftest import ROOT
from .fuzzing import case

BY_HAND = [
    "title: no\nother: on\nwhen: 2024-01-01\nflag: true\n",
    "a: ~\nb: null\nc:\nd: NULL\ne: Null\n",
    "base: &b {x: 1, y: 2}\nother: {<<: *b, y: 3}\n",
    "x: !!int 5\ny: !!float 1.5\nz: !!bool yes\nw: !!str 1\n",
    "a: .inf\nb: -.NaN\nc: 0o17\nd: +12\ne: 1e3\ng: 190:20:30.15\nh: 2001-12-14t21:59:43.10-05:00\n",
    "tRUE: FALSE\nTrue: yes\n",
    "a: 'quoted 1'\nb: \"0x1F\"\nc: |\n  literal\n  text\n",
    "%YAML 1.2\n---\ninput: [010]",
    "- &x 1\n- *x\n",
    "input: [1, 1:]\n",  # PyYAML reads a one-pair mapping in the list; libyaml refuses it
    "{convention: plai\tn}",  # a tab: PyYAML refuses it where libyaml takes it
    "- &x 1\n- *y\n", "a: 1\na: 2\n", "- [1, 2\n", "a: [1, 2]]", "x: =\n", "a: \u0085b", "\x1b", "", "--- a\n--- b\n",
]


def outcome(text: str, loader=None):
    try:
        return "data", load_yaml(text, "spec", loader)
    except SpecError as error:
        return "refused", str(error)


@pytest.mark.skipif(yamlread.CLoader is None, reason="PyYAML without libyaml: there is one parser only")
def test_libyaml_reads_what_pyyaml_reads_and_refuses_the_same():
    texts = BY_HAND + [path.read_text(encoding="utf-8") for path in sorted((ROOT / "examples").glob("*.yaml"))]
    texts += [text for suffix, text in (case(random.Random(seed)) for seed in range(120)) if suffix == ".yaml"]
    differ = [text for text in texts if outcome(text) != outcome(text, PythonLoader)]
    assert differ == [] and len(texts) > 60
    assert outcome("input: [1, 1:]\n") == ("data", {"input": ["1", {"1": None}]})
    assert outcome("{a: x\ty}")[1].startswith("spec: not valid YAML or JSON: found character '\\t'")


@pytest.mark.parametrize("loader", [None, PythonLoader], ids=["default", "python"])
def test_a_list_far_beyond_the_limits_is_refused_at_its_257th_entry(loader):
    layers = "input: [1]\nlayers:\n" + "  - {weights: [[1]], bias: [0]}\n" * 15_000
    assert outcome(layers, loader) == ("refused", "spec: a list of more than 256 entries (from line 3), far beyond "
                                                  "the limits (64 units per layer, 16 layers, 32 examples)")
    # refused before the rest is read: the syntax error after the 257th entry is never reached
    assert "more than 256 entries (from line 1)" in outcome("[" + "1, " * 300 + "}", loader)[1]
    keys = "{" + ", ".join(f"k{i}: 1" for i in range(300)) + "}"
    assert "a mapping of more than 256 entries (from line 1)" in outcome(keys, loader)[1]
    assert outcome("[" + "1, " * 255 + "1]", loader) == ("data", ["1"] * 256)  # 256 entries are read


@pytest.mark.parametrize("loader", [None, PythonLoader], ids=["default", "python"])
def test_nesting_is_refused_before_any_parser_recurses(loader):
    # libyaml's own composer recurses in C and crashes the process at such depths; this never reaches it
    assert outcome("[" * 100_000 + "]" * 100_000, loader) == (
        "refused", "spec: nested more than the limit of 20 lists or mappings deep at line 1")
