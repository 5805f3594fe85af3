"""render.jsontext.indented, the JSON text of key.json and grades.json, against json.dumps."""

import json
import random

import pytest

from symdrop.cli import main
from symdrop.render.jsontext import indented

TEXTS = ["", "plain", 'a "quote" and a \\ backslash', "tab\there\nnewline\r\x00\x1f\x7f", "é ü ß", "中文 😀",
         "\u2028\u2029", "\ud800 lone surrogate", "</script>", "=cmd|' /C calc'!A0"]


def _random_value(rng: random.Random, depth: int = 0):
    choice = rng.randrange(8 if depth < 4 else 4)
    if choice == 0:
        return rng.choice(TEXTS)
    if choice == 1:
        return rng.choice([0, -1, 7, 10**40, -(10**25) + 3])
    if choice == 2:
        return rng.choice([True, False, None])
    if choice == 3:
        return rng.choice([[], {}, ()])
    if choice in (4, 5):
        return [_random_value(rng, depth + 1) for _ in range(rng.randrange(4))]
    if choice == 6:
        return tuple(_random_value(rng, depth + 1) for _ in range(rng.randrange(3)))
    return {rng.choice(TEXTS) + str(k): _random_value(rng, depth + 1) for k in range(rng.randrange(4))}


@pytest.mark.parametrize("seed", range(40))
def test_indented_is_json_dumps_indented_by_2(seed):
    value = _random_value(random.Random(seed))
    assert indented(value) == json.dumps(value, indent=2, ensure_ascii=False)


def test_a_value_nested_two_levels_down_is_its_text_with_every_line_indented_4_more():
    entry = {"code": "ABC", "answer": ["-3/4", "1"], "mistakes": [{"id": "x", "answer": []}], "spec": {}}
    assert indented(entry, level=2) == json.dumps(entry, indent=2).replace("\n", "\n    ")


def test_grade_and_sheet_write_their_json_as_json_dumps_writes_it(tmp_path):
    from .test_grade import graded

    _, out = graded(tmp_path, [["ana", "TUTORL", "7"], ["bo\u00e9 \"x\"", "TUTORL", "1/2"]])
    text = (out / "grades.json").read_text(encoding="utf-8")
    assert text == json.dumps(json.loads(text), indent=2, ensure_ascii=False) + "\n"
    assert main(["sheet", "--seed", "3", "--kinds", "forward,backprop", "--format", "markdown", "--out", str(tmp_path / "s")]) == 0
    text = (tmp_path / "s" / "key.json").read_text(encoding="utf-8")
    assert text == json.dumps(json.loads(text), indent=2, ensure_ascii=False) + "\n"


@pytest.mark.parametrize("value", [0.5, {1: "a"}, {"a": {1, 2}}, [float("nan")], {("a",): 1}])
def test_a_float_or_a_key_that_is_not_text_is_refused(value):
    with pytest.raises(TypeError):
        indented(value)
