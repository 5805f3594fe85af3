"""A generated qti21.zip scored by a real QTI player: the backprop item upgraded to QTI 3 by
Citolab's converter (PyPI citolab-qti-convert) and run by Citolab's player (npm
@citolab/qti-components) in headless Chromium, the key's numbers and a mistake's typed in:
the key scores full marks, the mistake loses its wrong numbers' points (README: each nonzero
gradient entry weighs as many marks as there are zeros, a zero one) and shows its feedback."""

import json
import os
import shutil
import subprocess
import zipfile
from fractions import Fraction

import pytest

from symdrop.cli import main

from .conftest import ROOT, missing

MODULES = ROOT / ".ci" / "node" / "node_modules"


def marks(answer: list[Fraction]) -> list[int]:
    zeros = sum(1 for v in answer if v == 0)
    if zeros in (0, len(answer)):
        return [1] * len(answer)
    return [1 if v == 0 else zeros for v in answer]


@pytest.mark.slow
def test_a_qti_player_scores_the_key_and_a_mistake(tmp_path):
    try:
        from qti_convert import upgrade_qti2_to_qti3
    except ImportError:
        missing("citolab-qti-convert", "pip install citolab-qti-convert==0.2.0")
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None or shutil.which("node") is None or not (MODULES / "@citolab" / "qti-components").is_dir():
        missing("chromium, node or @citolab/qti-components (in .ci/node)",
                "npm install --prefix .ci/node @citolab/qti-components@7.27.4 puppeteer-core")
    out = tmp_path / "sheet"
    assert main(["sheet", "--seed", "4", "--problems", "2", "--kinds", "forward,backprop", "--format", "qti21", "--out", str(out)]) == 0
    problem = next(p for p in json.loads((out / "key.json").read_text(encoding="utf-8"))["problems"] if p["kind"] == "backprop")
    answer = [Fraction(v) for v in problem["answer"]]
    mistake = problem["mistakes"][0]
    wrong = [k for k, v in enumerate(mistake["answer"]) if Fraction(v) != answer[k]]
    assert 0 in answer and any(answer) and wrong  # a gradient with zero and nonzero entries; a mistake that differs
    with zipfile.ZipFile(out / "qti21.zip") as archive:
        item = upgrade_qti2_to_qti3(archive.read(f"item_{problem['code']}.xml").decode("utf-8"))
    typed = [{f"RESPONSE_{k + 1}": str(Fraction(v)) for k, v in enumerate(values)} for values in (problem["answer"], mistake["answer"])]
    done = subprocess.run(["node", str(ROOT / "tests" / "qti_player.js"), chromium], input=json.dumps({"item": item, "responses": typed}),
                          capture_output=True, text=True, timeout=120, env={**os.environ, "NODE_PATH": str(MODULES)})
    assert done.returncode == 0, done.stderr
    key, slip = json.loads(done.stdout)
    full = sum(marks(answer))
    assert Fraction(key["SCORE"]) == Fraction(key["MAXSCORE"]) == full
    assert Fraction(slip["SCORE"]) == full - sum(marks(answer)[k] for k in wrong)
    assert "SOLUTION" in key["shown"] and not any(i.startswith("MISTAKE_") for i in key["shown"])
    assert any(i.startswith("MISTAKE_") and mistake["id"] in i for i in slip["shown"])
