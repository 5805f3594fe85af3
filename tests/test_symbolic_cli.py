"""`solve --symbolic` from the command line: exact expressions as text, usable elsewhere."""

import json
from pathlib import Path

import sympy

from symdrop.cli import main

TUTORIAL = Path(__file__).resolve().parent.parent / "symdrop" / "data" / "tutorial.yaml"
TUTORIAL_MASKS = [[1, 1], [1, 0, 1], [0, 1, 1], [0, 1]]


def test_masks_json_is_an_expression_that_gives_7_at_the_tutorials_masks(capsys):
    assert main(["solve", str(TUTORIAL), "--symbolic", "masks", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    prediction = sympy.sympify(data["prediction"][0])
    values = {f"mu{l}_{j + 1}": v for l, mask in enumerate(TUTORIAL_MASKS) for j, v in enumerate(mask)}
    assert prediction.subs({s: values[s.name] for s in prediction.free_symbols}) == 7
    # with every mask 1 it is the no-dropout prediction, 27 (issue #2)
    assert prediction.subs({s: 1 for s in prediction.free_symbols}) == 27
    assert len(data["layers"]) == 4


def test_all_markdown_has_the_closed_form(capsys):
    assert main(["solve", str(TUTORIAL), "--symbolic", "all", "--format", "markdown"]) == 0
    md = capsys.readouterr().out
    assert "The closed form of the prediction" in md
    assert "for the input $x = (x_{1}, x_{2})$" in md  # the network as derived, not its numbers
    assert r"w^{(4)}_{12} \mu^{(3)}_{2} \max(0, " in md
