"""render.jsontext.indented_json, grades.json's writer, against json.dumps(indent=2): the same text."""

import json

import pytest

from symdrop.render.jsontext import indented_json


JSON_VALUES = [
    {}, [], "", 0, -7, 10**40, True, False, None, [[]], {"a": {}}, {"a": []},
    {"students": [{"student": "s\u00e9 \"q\" \\ \n\t\u2028\x00\x1f\ud800", "points": "7/2", "parts": [
        {"expected": ["-65", "1/3"], "correct": False, "mistakes": [], "row": None}]}], "ungraded": []},
    ["a", ["b", ["c", {"d": [1, 2, {"e": None}]}]]],
    {"float": 0.5}, {1: "a key that is no text"}, ("a", "tuple"), [float("nan")],  # left to json.dumps
]


@pytest.mark.parametrize("value", JSON_VALUES)
def test_indented_json_writes_what_json_dumps_writes(value):
    assert indented_json(value) == json.dumps(value, indent=2, ensure_ascii=False)
