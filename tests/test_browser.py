"""Every kind of page in a real browser, launched once: Debian's chromium driven by puppeteer-core,
axe-core's WCAG 2.1 A and AA rules (no violation), hostile text that runs no script, and the
self-check's feedback to a right answer, a known mistake's and garbage, typed with the keyboard.
.ci/run installs chromium and the npm packages (into .ci/node); elsewhere the test skips without them."""

import csv
import json
import os
import shutil
import subprocess
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import pytest
import yaml

from symdrop.cli import main

from symdrop.render.canonical import canonical

from . import reference_model as ref
from .conftest import ROOT, missing, references
from .test_page import HOSTILE, SPEC
from .test_selfcheck import expected_z

MODULES = ROOT / ".ci" / "node" / "node_modules"
SCRIPT = ROOT / "tests" / "browser" / "pages.js"


def tools() -> str:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None or shutil.which("node") is None:
        missing("chromium or node", "apt-get install chromium nodejs")
    if not all((MODULES / name).is_dir() for name in ("puppeteer-core", "axe-core")):
        missing("puppeteer-core and axe-core (in .ci/node)", "npm install --prefix .ci/node puppeteer-core axe-core")
    return chromium


def documents(tmp_path) -> list[dict]:
    """solve, expect, backprop and moments of a spec whose title is hostile; a DropConnect backward pass."""
    spec = yaml.safe_load(SPEC.read_text())
    spec["title"] = HOSTILE
    path = tmp_path / "hostile.yaml"
    path.write_text(yaml.safe_dump(spec))
    pages = []
    for command in ("solve", "expect", "backprop", "moments"):
        out = tmp_path / f"{command}.html"
        assert main([command, str(path), "--format", "html", "-o", str(out)]) == 0
        pages.append({"file": str(out)})
    # a step wider than the page's column (DropConnect's backward pass): it scrolls, and the keyboard reaches it
    out = tmp_path / "backprop-dropconnect.html"
    assert main(["backprop", str(ROOT / "examples" / "dropconnect.yaml"), "--format", "html", "-o", str(out)]) == 0
    pages.append({"file": str(out)})
    return pages


def sheet(tmp_path) -> tuple[list[dict], dict]:
    """A class set of one student with a hostile name: sheet, key, solutions and the self-check."""
    roster = tmp_path / "roster.csv"
    with roster.open("w", encoding="utf-8", newline="") as stream:
        csv.writer(stream).writerows([["id", "name"], ["s1", HOSTILE]])
    out = tmp_path / "sheet"
    assert main(["sheet", "--seed", "7", "--roster", str(roster), "--kinds", "forward,nwgm", "--problems", "2",
                 "--format", "html", "--out", str(out)]) == 0
    key = json.loads((out / "key.json").read_text())
    pages = [{"file": str(out / f"{name}.html")} for name in ("sheet", "key", "solutions")]
    forward, nwgm = key["problems"]
    assert (forward["kind"], nwgm["kind"]) == ("forward", "nwgm")
    mistake = forward["mistakes"][0]
    # nwgm: right within 1/1000; its last quantity typed to 4 places, rounded from the key's decimal.
    nwgm_typed = str(Decimal(nwgm["answer_decimal"][-1]).quantize(Decimal("0.0001"), ROUND_HALF_UP))
    right = Fraction(forward["answer"][0])  # typed as a fraction not in lowest terms: read exactly
    # The key's answers are the references' (plain Fractions; nwgm's to some 1e-15), so "Right." is
    # said of right values, not only of the key's.
    assert (right,) == tuple(ref.forward(ref.read(forward["spec"]))[-1].a)
    assert all(abs(Fraction(d) - r) < Fraction(1, 10**12) for d, r in zip(nwgm["answer_decimal"], references(nwgm)[0]))
    typed = [("answer-1", f"{2 * right.numerator}/{2 * right.denominator}"),
             ("answer-1", mistake["answer"][0]), ("answer-1", "1/0 apples"), ("answer-1", "(12345/7)"),
             ("answer-2", nwgm_typed)]
    typed += layer_values(forward)
    typed += [("answer-2", "12345/7")] * 2  # nwgm, a kind without layer values: its hint is the solution's first step
    selfcheck = next(out.glob("selfcheck-*.html"))
    pages.append({"file": str(selfcheck), "type": typed, "hint": "#hint-1-3", "reveal": "answer-1"})
    return pages, {"forward": forward, "mistake": mistake}


def layer_values(forward: dict) -> list[tuple[str, str]]:
    """The forward problem's values on the way, by the plain-Fraction reference: a right z^(1),
    the a^(1) of forgetting the first ReLU (a^(1) = z^(1), a known mistake), the z^(2) that
    follows from it (carried forward from a known mistake: no credit), and the prediction that
    follows from that z^(2); then for the hints: the right a^(1), a wrong prediction (the first
    layer not right is now the second), z^(3) wrong twice (its own layer's step), every hidden
    layer right and a wrong prediction again."""
    model = ref.read(forward["spec"])
    steps = ref.forward(model)
    z1 = steps[0].z
    assert "forgot_relu_1" in [m["id"] for m in forward["mistakes"]] and steps[0].a != z1
    z2 = expected_z(model, 2, "train", z1)
    a = [model.layers[1].g(v) for v in z2]
    for l in range(3, len(steps) + 1):
        a = [model.layers[l - 1].g(v) for v in expected_z(model, l, "train", a)]
    assert tuple(z2) != steps[1].z and tuple(a) != steps[-1].a  # wrong, both
    assert len(steps) == 4  # three hidden layers
    wrong = ", ".join(["12345/7"] * len(steps[2].z))
    right = [(f"answer-1-{v}{l}", canonical(getattr(steps[l - 1], v))) for l in (2, 3) for v in "za"]
    return [("answer-1-z1", canonical(z1)), ("answer-1-a1", canonical(z1)), ("answer-1-z2", canonical(z2)),
            ("answer-1", canonical(a)), ("answer-1-a1", canonical(steps[0].a)), ("answer-1", "12345/7"),
            ("answer-1-z3", wrong), ("answer-1-z3", wrong), *right, ("answer-1", "12345/7")]


def grade_pages(tmp_path) -> list[dict]:
    """grade's feedback page for a student whose id is hostile (a slip in z1, then carried), and
    the class report with its chart."""
    from symdrop import example
    from symdrop.model.spec import to_spec

    key = {"seed": 0, "problems": [{"code": "TUTORL", "number": 1, "kind": "forward", "spec": to_spec(example()),
                                    "answer": ["7"], "mistakes": []}]}
    (tmp_path / "key.json").write_text(json.dumps(key), encoding="utf-8")
    with (tmp_path / "answers.csv").open("w", encoding="utf-8", newline="") as stream:
        csv.writer(stream).writerows([["student", "code", "y", "z1"], [HOSTILE, "TUTORL", "1", "3; 1; 2"]])
    out = tmp_path / "grades"
    assert main(["grade", "--key", str(tmp_path / "key.json"), "--answers", str(tmp_path / "answers.csv"),
                 "--format", "html", "--out", str(out)]) == 0
    return [{"file": str(next((out / "feedback").glob("*.html")))}, {"file": str(out / "report.html")}]


def unrevealed(tmp_path) -> dict:
    """A self-check page made with --no-reveal, its answer typed right (the reference's)."""
    out = tmp_path / "unrevealed"
    assert main(["sheet", "--seed", "2", "--problems", "1", "--format", "html", "--no-reveal", "--no-diagram",
                 "--out", str(out)]) == 0
    entry = json.loads((out / "key.json").read_text())["problems"][0]
    right = ref.forward(ref.read(entry["spec"]))[-1].a
    return {"file": str(out / "selfcheck.html"), "type": [("answer-1", canonical(right))]}


@pytest.mark.slow
def test_every_kind_of_page_in_chromium(tmp_path):
    chromium = tools()
    pages, key = sheet(tmp_path)
    pages = documents(tmp_path) + pages + grade_pages(tmp_path) + [unrevealed(tmp_path)]
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps({"chromium": chromium, "profile": str(tmp_path / "profile"), "pages": pages}))
    done = subprocess.run(["node", str(SCRIPT), str(plan)], capture_output=True, text=True, timeout=240,
                          env={**os.environ, "HOME": str(tmp_path), "SYMDROP_NODE_MODULES": str(MODULES)})
    assert done.returncode == 0, done.stderr[-2000:]
    results = json.loads(done.stdout)
    assert len(results) == 12  # solve, expect, backprop, moments, DropConnect's backprop, sheet, key, solutions,
    # self-check, feedback, report, and a self-check without "Show answer"
    for r in results:
        assert r["violations"] == [], r["file"]
        assert r["passes"] > 3 and r["dialogs"] == [] and r["requests"] == [], r["file"]
        assert r["javascriptLinks"] == 0 and r["hostileElements"] == 0, r["file"]
    assert [r["scripts"] for r in results] == [0] * 8 + [1, 0, 0, 1]  # the self-check's own script alone
    assert [text for _, _, text, _ in results[11]["typed"]] == ["Right."]  # its script runs without the button
    check = results[8]
    (right, wrong, garbage, other, nwgm, z1, a1, z2, carried, a1_right, second, z3_once, z3_twice, *layers,
     last, nwgm_once, nwgm_twice) = (text for _, _, text, _ in check["typed"])
    shown = [hints for _, _, _, hints in check["typed"]]
    assert right == "Right." and nwgm == "Right." and z1 == "Right."
    relu = next(m["label"] for m in key["forward"]["mistakes"] if m["id"] == "forgot_relu_1")
    assert a1.startswith("Not right. It is the value a known mistake gives here: ") and relu in a1
    # Carried forward from a known mistake's value earns nothing (grade's default rubric), and says so.
    assert z2.startswith(f"Not right. It follows from your a⁽¹⁾, which is the value a known mistake gives there ({relu}")
    assert z2.endswith("): a value carried forward from a known mistake earns no credit.")
    assert carried.startswith(f"Not right. It follows from your z⁽²⁾, which is the value a known mistake gives there ({relu}")
    assert wrong.startswith("Not right. It is the answer of a known mistake: ") and key["mistake"]["label"] in wrong
    assert garbage.startswith("This cannot be read. Type whole numbers (-3), fractions (3/4), decimals (0.75 or 0,75)")
    # The hint after two wrong tries at a value (what cannot be read is no try): the step of the
    # value's own layer, or for the answer the first hidden layer not yet right; one at a time.
    assert shown[:3] == [[], [], []] and other == "Not right. A hint, the step of the first hidden layer, is shown below."
    assert shown[3] == ["hint-1-1"] and carried.endswith(" A hint, the step of the first hidden layer, is shown below.")
    assert a1_right == "Right." and second == "Not right. A hint, the step of the second hidden layer, is shown below."
    assert shown[10] == ["hint-1-2"] and z3_once == "Not right." and shown[11] == ["hint-1-2"]
    assert z3_twice == "Not right. A hint, the step of the third hidden layer, is shown below." and shown[12] == ["hint-1-3"]
    assert layers == ["Right."] * 4
    assert last == "Not right. Your hidden layers' values are right: look again at the output layer's step."
    assert (nwgm_once, nwgm_twice) == ("Not right.", "Not right. A hint, the first step of the worked solution, is shown below.")
    assert shown[-1] == ["hint-1-3", "hint-2-0"]  # one hint per problem
    assert check["hint"] is True  # the last hint shown stays
    assert check["hintHeading"] == "Hint: The third hidden layer"
    assert check["revealed"] == {"focused": "Show answer", "text": f"The answer: {key['forward']['answer'][0]}."}


def edge_answers(answer, tolerance: Fraction) -> list[str]:
    """Decimals just inside and just outside answer ± tolerance on both sides (6 and 12 places,
    one unit of the last place from each bound), the reviewer's 0.8168 and 0.81678, and one typed
    as a fraction and one with a decimal comma."""
    typed = ["0.8168", "0.81678"]
    for places in (6, 12):
        unit = Fraction(1, 10**places)
        for bound, inward in ((answer + tolerance, -1), (answer - tolerance, 1)):
            near = Fraction(round(bound * 10**places), 10**places)  # within half a unit of the bound
            inside = near if (near - bound) * inward > 0 else near + inward * unit
            typed += [decimal(inside, places), decimal(inside - inward * unit, places)]
    last = Fraction(typed[2])
    typed += [f"{last.numerator * 3}/{last.denominator * 3}", typed[3].replace(".", ",")]
    return typed


def decimal(value: Fraction, places: int) -> str:
    return str(Decimal(value.numerator) / Decimal(value.denominator)).ljust(places + 2, "0")[:places + 2]


@pytest.mark.slow
def test_a_sigmoid_answer_near_its_tolerance_is_right_where_check_says_so(tmp_path, capsys):
    """The reviewer's sigmoid sheet (seed 12, problem CW7D3Q, ±0.0003): answers just inside and
    just outside the tolerance on both sides get the self-check's "Right." exactly where
    `symdrop check` says correct, and where the exact answer (mpmath, 50 digits, from the
    problem's numbers by hand) says within."""
    import mpmath
    chromium = tools()
    out = tmp_path / "s12"
    assert main(["sheet", "--seed", "12", "--activation", "sigmoid", "--format", "html", "--no-diagram",
                 "--out", str(out)]) == 0
    entry = json.loads((out / "key.json").read_text())["problems"][0]
    assert (entry["code"], entry["tolerance"]) == ("CW7D3Q", "3/10000")
    # x = (1, -2), masks (1, 1), (0, 0, 1), (0, 1): z1 = (-1, -2, -1), only a1_3 = s(-1) = 1/(1 + e)
    # passes; z2_2 = 1 * s(-1) - 3, and y = 3 * 0 - 3 * s(z2_2) + 1.
    mpmath.mp.dps = 50
    sigma = lambda v: 1 / (1 + mpmath.exp(-v))  # noqa: E731
    exact = 1 - 3 * sigma(sigma(-1) - 3)
    assert mpmath.almosteq(exact, mpmath.mpf("0.816503960202621"), 1e-14)
    answer, tolerance = Fraction(mpmath.nstr(exact, 45, strip_zeros=False)), Fraction(entry["tolerance"])
    typed = edge_answers(answer, tolerance)
    within = [abs(Fraction(t.replace(",", ".")) - answer) <= tolerance for t in typed]
    assert within[:2] == [True, True] and within[2:10] == [True, False] * 4  # inside, outside, by construction
    capsys.readouterr()
    checked = []
    for t in typed:
        main(["check", "--key", str(out / "key.json"), "--code", "CW7D3Q", "--answer", t, "--format", "json"])
        checked.append(json.loads(capsys.readouterr().out)["correct"])
    assert checked == within
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps({"chromium": chromium, "profile": str(tmp_path / "profile"),
                                "pages": [{"file": str(out / "selfcheck.html"), "type": [("answer-1", t) for t in typed]}]}))
    done = subprocess.run(["node", str(SCRIPT), str(plan)], capture_output=True, text=True, timeout=240,
                          env={**os.environ, "HOME": str(tmp_path), "SYMDROP_NODE_MODULES": str(MODULES)})
    assert done.returncode == 0, done.stderr[-2000:]
    page = [text == "Right." for _, _, text, _ in json.loads(done.stdout)[0]["typed"]]
    assert list(zip(typed, page)) == list(zip(typed, within))
