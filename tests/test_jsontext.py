"""dumps_indented (grades.json's fast path) against its plain path, json.dumps(indent=2, ensure_ascii=False)."""

import json

import pytest

from symdrop.render.jsontext import dumps_indented

CASES = [
    {}, [], "", 0, -7, True, False, None,
    {"students": [], "ungraded": []},
    {"a": [], "b": {}, "c": [1, {"x": None, "y": [True, False]}], "é\n\"": "\u2028\x00é\\\t</script>"},
    [[[]], [{}], [[1, 2], {"k": "v"}]],
    {"students": [{"student": "s001", "name": "Zoë \"Z\" O'Brien", "points": "7/3",
                   "parts": [{"code": "AB12", "expected": ["1/2", "-3"], "mistakes": [], "correct": False}]}],
     "ungraded": [{"row": 4, "student": "=cmd|' /C calc'!A0", "reason": "unknown code \"X\""},
                  {"row": None, "student": "😀", "reason": "no answers"}]},
]


@pytest.mark.parametrize("data", CASES)
def test_same_text_as_json_dumps(data):
    assert dumps_indented(data) == json.dumps(data, indent=2, ensure_ascii=False)


@pytest.mark.parametrize("data", [{"x": 0.5}, {1: "a"}, [object()]])
def test_refuses_what_it_does_not_write(data):
    with pytest.raises(TypeError):
        dumps_indented(data)
