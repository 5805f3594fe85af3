"""The self-check page's answers: read and written one canonical way by Python and by the page's
script alike (a table of inputs, each expected value written by hand), hashed, never in clear text."""

import base64
import hashlib
import json
import random
import re
import shutil
import subprocess
from fractions import Fraction

import pytest

from symdrop.cli import main
from symdrop.exercises.kinds import KINDS, parse_kinds
from symdrop.exercises.options import Options
from symdrop.limits import MAX_CSV_CELL, MAX_DIGITS
from symdrop.exercises.sheet import build_sheet, spec_sheet
from symdrop.model.spec import parse_spec, to_spec
from symdrop.render.canonical import FORMS, canonical, digest, grid, read
from symdrop.render.env import make_env
from symdrop.render.layercheck import carry
from symdrop.render.plainmath import plain_label

from . import reference_model as ref
from .conftest import missing, references

# (typed, canonical form or None where it cannot be read), by hand, by grade's rules with no count
# expected (grading/answers.py): brackets around the whole; semicolons separate, else inside
# brackets commas do, else spaces; brackets around each part dropped; a number is 7, -3/4, 0.75,
# .5, 1. or 0,75 (a comma before or after digits, as 1, in "1, 2", is a decimal comma there).
TABLE = [
    ("3", "3"), ("-3/4", "-3/4"), ("6/8", "3/4"), ("0.75", "3/4"), (".5", "1/2"), ("-.5", "-1/2"), ("1.", "1"),
    ("+2", "2"), ("(1, -3/2)", "1,-3/2"), ("[1; 2]", "1,2"), ("1 2", "1,2"), ("  ( 1 , 2 )  ", "1,2"),
    ("\N{MINUS SIGN}2", "-2"), ("0/5", "0"), ("-0", "0"), ("1/-2", None), ("2/+4", None), ("-0.125", "-1/8"),
    ("10/4, 0.1", None), ("123456789012345678901234567890/2", "61728394506172839450617283945"),
    ("1/0", None), ("abc", None), ("", None), ("1e3", None), ("1.2.3", None), ("\u0661\u0662", None),
    ("1 - 2", None), ("()", None), ("1/2/3", None), ("0.5/2", None), ("--1", None), ("1,,2", None), ("1, ;2", "1,2"),
    ("(0, 0); (-0.0684, -0.1026); (0, 0)", None), ("[1 2]; [3 4]", "1,2,3,4"),
    ("((1, 2); (3, 4))", "1,2,3,4"), ("(1, 2);; (3, 4)", "1,2,3,4"), ("(1, 2); ()", "1,2"),
    ("(0, 2); (0, 24);", "0,2,0,24"), ("0, 2; 0, 24;", "0,2,0,24"), ("(1, 2);;", "1,2"), ("(1, 2); (3, 4);;", "1,2,3,4"),
    ("1\x852", "1,2"), ("\ufeff1\u20032\x1c", "1,2"), ("(1, 2)\ufeff;\x85(3, 4)", "1,2,3,4"),
    ("(0, 2), (0, 24)", "0,2,0,24"), ("[[0, 2], [0, 24]]", "0,2,0,24"), ("((0, 2), (0, 24))", "0,2,0,24"),
    ("1" + " " * (MAX_CSV_CELL - 1), "1"), ("1" + " " * MAX_CSV_CELL, None), ("1" + "\U0001d7cf" * (MAX_CSV_CELL // 2), None),
    (",1", "1/10"), ("0,75", "3/4"), ("1" * 41, None), ("1" * 40, "1" * 40), ("(1, 2] ", "1,2"),
    # spaces around "/" join one fraction; a sign apart from its number is its sign where it starts
    # a number (the text's start, after ";", "," or a bracket), never after a number ("3 - 2": 3 and
    # -2, or 3 minus 2?); spaces still separate numbers ("1 / 2 3 / 4" is 1/2 and 3/4, "3 -2" two)
    ("-245 / 3", "-245/3"), ("- 245/3", "-245/3"), ("-245/ 3", "-245/3"), ("-245 /3", "-245/3"),
    ("- 245 / 3", "-245/3"), ("+ 6 / 8", "3/4"), ("\N{MINUS SIGN} 1/2", "-1/2"), ("-\u00a0245\u2003/ 3", "-245/3"),
    ("- .5", "-1/2"), ("1 / 2 3 / 4", "1/2,3/4"), ("3 -2", "3,-2"), ("3 - 2", None), ("-3 - 4", None),
    ("- 3 4", "-3,4"), ("(- 1, - 3/2)", "-1,-3/2"), ("- 1; - 2", "-1,-2"), ("(1 / 2, - 3 / 4)", "1/2,-3/4"),
    ("[ - 1 ]", "-1"), ("1, - 2", "1,-2"), ("1 / 2 / 3", None), ("1 /", None), ("/ 2", None), ("- -2", None),
    ("3/ -4", None), ("- (1, 2)", None), ("-", None), ("1 2 / 3", "1,2/3"),
]
# (typed, the count expected, canonical form): the first reading of the commas that gives that
# many numbers (as written, every comma a separator, every comma between digits a decimal point),
# as grade reads answers; else the text as written. By hand.
SIZED = [("-25,78125", 1, "-825/32"), ("1,5", 1, "3/2"), ("1,5", 2, "1,5"), ("0,5; 2", 2, "1/2,2"),
         ("4,-4;0,0;0,0", 6, "4,-4,0,0,0,0"), ("1,5", 3, "3/2"), ("x,5", 1, None), ("10/4, 0.1", 2, "5/2,1/10"),
         ("(0, 0); (-0.0684, -0.1026); (0, 0)", 6, "0,0,-171/2500,-513/5000,0,0"), ("(1.5, 2); (3, 4)", 4, "3/2,2,3,4"),
         ("(0,2),(0,24)", 4, "0,2,0,24"), ("1,,2", 2, "1,2"), ("1,,2", 3, None),
         ("- 1, - 2", 2, "-1,-2"), ("1 / 2, 3 / 4", 2, "1/2,3/4"), ("- 0,75", 1, "-3/4"), ("3 - 2", 2, None)]
# (value, step, nearest grid point: floor(value/step + 1/2)), by hand.
GRIDS = [("0.65405", "1/10000", 6541), ("-0.65405", "1/10000", -6540), ("1/3", "1/100", 33), ("-1/3", "1/100", -33),
         ("0.005", "1/100", 1), ("-0.005", "1/100", 0), ("7", "1/2", 14)]


def node_results(tmp_path, calls: list) -> list:
    """The page's script run in Node on ``calls`` ([function, args...]): what each returns."""
    if shutil.which("node") is None:
        missing("node", install="apt-get install nodejs")  # a failure in CI
    script = make_env().get_template("page/selfcheck.js.j2").render(tries=2, grid=10, forms=FORMS, max_digits=MAX_DIGITS, max_cell=MAX_CSV_CELL)
    driver = """
const calls = JSON.parse(require("fs").readFileSync(process.argv[2], "utf8"));  // (a file: texts of 131,072 characters)
(async () => {
  const out = [];
  for (const [f, ...args] of calls) {
    if (f === "read") { const v = read(...args); out.push(v === null ? null : canonical(v)); }
    else if (f === "unread") out.push(unread(...args));
    else if (f === "grid") { const [v] = read(args[0]), [s] = read(args[1]); out.push(String(grid(v, s))); }
    else if (f === "carried") {  // [network, {typed name: text}, l, vector]: what the typed values give
      const [network, typed, l, vector] = args;
      const got = carried(network, (k, v) => typed[v + k] ? {values: read(typed[v + k]), from: v + k} : null, l, vector);
      out.push(got && [canonical(got.values), got.from]);
    }
    else out.push(await digest(...args));
  }
  console.log(JSON.stringify(out));
})();
"""
    path = tmp_path / "selfcheck.js"
    path.write_text(script + driver, encoding="utf-8")
    (tmp_path / "calls.json").write_text(json.dumps(calls), encoding="utf-8")
    done = subprocess.run(["node", str(path), str(tmp_path / "calls.json")], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_python_and_the_page_read_and_hash_alike(tmp_path):
    python = [None if read(t) is None else canonical(read(t)) for t, _ in TABLE]
    assert python == [c for _, c in TABLE]
    assert [None if read(t, n) is None else canonical(read(t, n)) for t, n, _ in SIZED] == [c for _, _, c in SIZED]
    assert [grid(read(v)[0], Fraction(s)) for v, s, _ in GRIDS] == [k for _, _, k in GRIDS]
    hashes = [("a1b2", "answer-3", "-3/4"), ("s", "answer-1#0", "g-6540"), ("ü", "x", "1,2")]
    calls = [["read", t] for t, _ in TABLE] + [["grid", v, s] for v, s, _ in GRIDS] + [["digest", *h] for h in hashes]
    js = node_results(tmp_path, calls + [["read", t, n] for t, n, _ in SIZED])
    assert js[len(calls):] == [c for _, _, c in SIZED]
    js = js[:len(calls)]
    assert js[:len(TABLE)] == python
    assert js[len(TABLE):len(TABLE) + len(GRIDS)] == [str(k) for _, _, k in GRIDS]
    assert js[len(TABLE) + len(GRIDS):] == [hashlib.sha256(f"{s}|{n}|{t}".encode()).hexdigest() for s, n, t in hashes]
    assert [digest(*h) for h in hashes] == js[len(TABLE) + len(GRIDS):]


def test_the_page_holds_hashes_not_answers(tmp_path):
    """Each input's hash is the key's answer (key.json, read here as Fractions), the known
    mistakes' hashes are there with their labels, and Show answer decrypts to the answer."""
    assert main(["sheet", "--seed", "11", "--problems", "2", "--kinds", "forward,variance", "--format", "html",
                 "--no-diagram", "--out", str(tmp_path)]) == 0
    page = (tmp_path / "selfcheck.html").read_text(encoding="utf-8")
    key = json.loads((tmp_path / "key.json").read_text())["problems"]
    forms = {m.group(2): m.group(1) for m in re.finditer(r'(<form class="check"[^>]*data-name="([^"]+)"[^>]*>)', page)}
    steps = ref.forward(ref.read(key[0]["spec"]))  # forward: z^(l), a^(l) of each hidden layer, then y
    layers = [f"answer-1-{v}{l}" for l in range(1, len(steps)) for v in "za"]
    assert set(forms) == {*layers, "answer-1", "answer-2-1", "answer-2"}  # variance: E[S], then Var(S)
    salt = salt_of(key_seed(tmp_path), key[0]["code"])
    for name, values in zip(layers, (v for step in steps[:-1] for v in (step.z, step.a))):
        assert f'data-right="{hashlib.sha256(f"{salt}|{name}|{canonical(values)}".encode()).hexdigest()}"' in forms[name]
    # forgetting the first ReLU gives a^(1) = z^(1): named at a^(1), with the key's words
    assert "forgot_relu_1" in [m["id"] for m in key[0]["mistakes"]] and steps[0].a != steps[0].z
    block = page.split('data-name="answer-1-a1"')[1].split("</form>")[0]
    forgot = hashlib.sha256(f"{salt}|answer-1-a1|{canonical(steps[0].z)}".encode()).hexdigest()
    assert re.search(f'data-hash="{forgot}">forgot the ReLU on hidden layer 1[;<]', block)
    # The key's answers are the references' (by brute force over the masks, plain Fractions), so the
    # hashes below are of right values, not only of the key's.
    assert [Fraction(v) for v in key[0]["answer"]] == list(steps[-1].a)
    variance, variance_mistakes = references(key[1])
    assert [Fraction(v) for v in key[1]["answer"]] == list(variance)
    assert {m["id"]: tuple(map(Fraction, m["answer"])) for m in key[1]["mistakes"]} == \
        {k: tuple(v) for k, v in variance_mistakes.items() if k in {m["id"] for m in key[1]["mistakes"]}}
    for entry, names in zip(key, (["answer-1"], ["answer-2-1", "answer-2"])):
        salt = salt_of(key_seed(tmp_path), entry["code"])  # an exercise's seed is its sheet's
        for name, value in zip(names, entry["answer"]):
            form = forms[name]
            text = str(Fraction(value))
            assert f'data-right="{hashlib.sha256(f"{salt}|{name}|{text}".encode()).hexdigest()}"' in form
            assert f'data-salt="{salt}"' in form
            secret = base64.b64decode(re.search(r'data-reveal="([^"]*)"', form).group(1))
            stream = hashlib.sha256(f"{salt}|{name}|reveal|0".encode()).digest()
            assert bytes(a ^ b for a, b in zip(secret, stream)).decode() == value
            assert f'"{value}"' not in page and f">{value}<" not in page.split("<form")[1]
    first = key[0]
    for mistake in first["mistakes"]:
        text = str(Fraction(mistake["answer"][0]))
        assert hashlib.sha256(f"{salt_of(key_seed(tmp_path), first['code'])}|answer-1|{text}".encode()).hexdigest() in page


def key_seed(tmp_path) -> int:
    return json.loads((tmp_path / "key.json").read_text())["seed"]


def salt_of(seed, code) -> str:
    return hashlib.sha256(f"symdrop self-check|{seed}|{code}".encode()).hexdigest()[:16]


# A student's typed values (by hand; negative entries, so that ReLU clips), by layer size.
TYPED = {2: "(-1/2, 3)", 3: "(2, -1, 1/3)"}


def expected_z(model, l: int, mode: str, a) -> list:
    """z^(l) from a student's own a^(l-1) by the plain-Fraction reference: (F . W)(s . a) + b."""
    masks = None if mode == "test" else model.masks[0]
    s, F = ref.layer_noise(model, l, masks, mode)
    layer = model.layers[l - 1]
    return [sum((f * w * sj * aj for f, w, sj, aj in zip(frow, row, s, a)), Fraction(0)) + b
            for frow, row, b in zip(F, layer.W, layer.b)]


def test_the_page_carries_a_students_values_forward_as_the_reference(tmp_path):
    """z^(l) from the student's a^(l-1), a^(l) from their z^(l), and a^(l) from their a^(l-1)
    through z^(l) not typed: the page's script on the page's data against tests/reference_model."""
    sheet = build_sheet(5, Options(), 4, kinds=parse_kinds("forward,inverted,test-time,dropconnect:forward"))
    spec = to_spec(sheet.exercises[0].network)
    spec["layers"][1]["activation"] = {"leaky_relu": "1/10"}
    exercises = [*sheet.exercises, spec_sheet(parse_spec(spec), KINDS["forward"])[0].exercises[0]]
    calls, expected = [], []
    for e in exercises:
        network, model = json.loads(carry(e)), ref.read(to_spec(e.network))
        for l in range(2, e.network.depth + 1):
            typed = TYPED[model.sizes[l - 1]]
            z = expected_z(model, l, e.kind.mode, read(typed))
            a = [model.layers[l - 1].g(v) for v in z]
            calls += [["carried", network, {f"a{l - 1}": typed}, l, "z"], ["carried", network, {f"z{l}": f"({canonical(z)})"}, l, "a"],
                      ["carried", network, {f"a{l - 1}": typed}, l, "a"]]
            expected += [[canonical(z), f"a{l - 1}"], [canonical(a), f"z{l}"], [canonical(a), f"a{l - 1}"]]
        calls.append(["carried", network, {"a2": "1"}, 1, "z"])  # z^(1) follows from x alone: nothing carried
        expected.append(None)
    assert len(calls) == 4 * 3 * 3 + 3 + 5  # four networks of 4 layers, a DropConnect one of 2
    assert node_results(tmp_path, calls) == expected


def test_a_sigmoid_problem_checks_each_value_on_its_own(tmp_path):
    """Sigmoid layers: each layer value right within the tolerance (a grid's hashes), no data to
    carry values forward with, and the page says so."""
    assert main(["sheet", "--seed", "3", "--problems", "1", "--activation", "sigmoid", "--format", "html",
                 "--no-diagram", "--out", str(tmp_path)]) == 0
    page = (tmp_path / "selfcheck.html").read_text(encoding="utf-8")
    assert "data-network=" not in page and "it does not\nsay whether a value follows from your own earlier ones" in page
    form = re.search(r'<form class="check"[^>]*data-name="answer-1-z2"[^>]*>', page).group(0)
    assert 'data-step="' in form and 'data-layer="2"' in form
    # the introduction says what the sheet says: values rounded to its places, none exact
    assert "give each rounded to 4 decimal places" in page and "Give every value exactly" not in page


@pytest.mark.parametrize("tex, text", [
    (r"\hat{y}", "ŷ"), (r"\hat{y}_{2}", "ŷ₂"), (r"z^{(1)}", "z⁽¹⁾"), (r"\tilde{a}^{(2)}_{3}", "ã⁽²⁾₃"),
    (r"\partial L / \partial W^{(1)}", "∂L / ∂W⁽¹⁾"), (r"E[\sigma(S)]", "E[σ(S)]"), (r"\operatorname{NWGM}", "NWGM"),
    (r"\hat{y}_{\text{test}}", "ŷ_test"), (r"\operatorname{Cov}(z_{1}, z_{2})", "Cov(z₁, z₂)"), (r"w_{1,2}", "w₁,₂"),
    (r"\begin{pmatrix}1\end{pmatrix}", None), (r"E[L] - L(E[\hat{y}])", "E[L] \N{MINUS SIGN} L(E[ŷ])"), ("-3", "-3"),
])
def test_the_keys_names_in_plain_text(tex, text):
    assert plain_label(tex) == text


def test_an_ensemble_problem_asks_the_test_time_value_and_the_gap_too(tmp_path):
    """The ensemble question asks E[y], y_test and their gap: an input each, hashed from key.json's
    values (recomputed here by brute force over every mask, tests/reference_model.py)."""
    assert main(["sheet", "--seed", "7", "--problems", "1", "--kinds", "ensemble", "--format", "html",
                 "--no-diagram", "--out", str(tmp_path)]) == 0
    page = (tmp_path / "selfcheck.html").read_text(encoding="utf-8")
    entry = json.loads((tmp_path / "key.json").read_text())["problems"][0]
    model = ref.read(entry["spec"])
    mean, test = ref.ensemble_mean(model), ref.forward(model, mode="test")[-1].a
    assert [Fraction(v) for v in entry["answer"]] == list(mean)
    salt = salt_of(key_seed(tmp_path), entry["code"])
    for name, values in (("answer-1-test_time", test), ("answer-1-gap", [m - t for m, t in zip(mean, test)]),
                         ("answer-1", mean)):
        right = hashlib.sha256(f"{salt}|{name}|{canonical(values)}".encode()).hexdigest()
        assert re.search(f'<form class="check"[^>]*data-name="{name}"[^>]*data-right="{right}"', page), name
    assert '<label for="answer-1-gap">Problem 1: E[ŷ] \N{MINUS SIGN} ŷ_test (the gap)' in page


def test_a_hint_per_hidden_layer_where_the_kind_asks_layer_values(tmp_path):
    """Kinds with layer values get the step of each hidden layer as a hint (the page's script
    picks one: tests/test_browser.py); another kind the solution's first step; none shows the
    output layer's step, which holds the answer. Shapes and headings by hand."""
    assert main(["sheet", "--seed", "3", "--problems", "3", "--kinds", "forward,dropconnect:forward,nwgm",
                 "--format", "html", "--no-diagram", "--out", str(tmp_path)]) == 0
    page = (tmp_path / "selfcheck.html").read_text(encoding="utf-8")
    found = re.findall(r'<div class="hint" id="(hint-\d-\d)"[^>]*data-name="([^"]*)" hidden>\n<h3>Hint: ([^<]*)', page)
    shapes = [len(e["spec"]["layers"]) for e in json.loads((tmp_path / "key.json").read_text())["problems"]]
    assert shapes[:2] == [4, 2]  # forward: three hidden layers; dropconnect:forward: one
    ordinal = ["first", "second", "third"]
    expected = [(f"hint-1-{l}", f"the step of the {ordinal[l - 1]} hidden layer", f"The {ordinal[l - 1]} hidden layer")
                for l in (1, 2, 3)]
    expected += [("hint-2-1", "the step of the first hidden layer", "The first hidden layer")]
    assert found[:4] == expected and len(found) == 5
    assert found[4][:2] == ("hint-3-0", "the first step of the worked solution")
    assert "Hint: The output layer" not in page and "Hint: The prediction" not in page


def test_no_reveal_leaves_the_answers_off_the_page(tmp_path, capsys):
    """--no-reveal: no "Show answer" and no answer on the page, encrypted or not (the hashes stay);
    refused without --format html, where it would do nothing."""
    assert main(["sheet", "--seed", "2", "--problems", "2", "--format", "html", "--no-reveal", "--no-diagram",
                 "--out", str(tmp_path / "a")]) == 0
    assert main(["sheet", "--seed", "2", "--problems", "2", "--format", "html", "--no-diagram",
                 "--out", str(tmp_path / "b")]) == 0
    hidden, shown = ((tmp_path / d / "selfcheck.html").read_text(encoding="utf-8") for d in "ab")
    assert "data-reveal=" not in hidden and "Show answer" not in hidden
    assert hidden.count("data-right=") == shown.count("data-right=") > 2
    assert shown.count("data-reveal=") == shown.count("data-right=") and '"Show answer" shows the answer' in shown
    assert main(["sheet", "--seed", "2", "--no-reveal", "--out", str(tmp_path / "c")]) == 2
    assert "--no-reveal: expected --format html" in capsys.readouterr().err and not (tmp_path / "c").exists()


def test_the_page_and_grade_read_random_typing_alike(tmp_path):
    """2,000 strings typed from the characters answers are made of (a fixed seed), each with no
    count expected and with 1 to 4: the page's script finds the numbers grade finds, or none."""
    rng = random.Random(20261205)
    alphabet = "0123456789" * 3 + "-+/.,;()[] " * 2 + "\u2212\u00a0\ufeff\x85"
    texts = ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 14))) for _ in range(2000)]
    cases = [(t, n) for i, t in enumerate(texts) for n in ([None] if i % 2 else [None, 1 + i % 4])]
    python = [None if read(t, n) is None else canonical(read(t, n)) for t, n in cases]
    assert 0.1 < sum(p is not None for p in python) / len(python) < 0.9  # both readable and unreadable typing
    js = node_results(tmp_path, [["read", t] if n is None else ["read", t, n] for t, n in cases])
    assert [(t, n, p) for (t, n), p, j in zip(cases, python, js) if p != j] == []


# (typed, the count asked, what the page says), by hand: numbers separated by commas, as each
# input's label asks, are counted as such (one too many or too few is a count, not "cannot be read").
UNREAD = [("2,4,-1,0", 3, "This answer has 3 numbers; you typed 4."),
          ("2,4", 3, "This answer has 3 numbers; you typed 2."),
          ("1, 2, 3", 1, "This answer has 1 number; you typed 3."),
          ("(0, 2); (0, 24); (1, 1)", 4, "This answer has 4 numbers; you typed 6."),
          ("2;4", 3, "This answer has 3 numbers; you typed 2."), ("2 4 -1 0", 3, "This answer has 3 numbers; you typed 4."),
          ("1 / 2 3 / 4", 1, "This answer has 1 number; you typed 2."),
          ("2,4,x", 3, f"This cannot be read. Type {FORMS}."), ("", 1, f"This cannot be read. Type {FORMS}."),
          # semicolons separate, so each comma is a decimal comma (as grade reads it): 0.5 and 2.5 are 2 numbers
          ("0,5; 2,5", 3, "This answer has 3 numbers; you typed 2."), ("(0,5; -1,5)", 1, "This answer has 1 number; you typed 2."),
          ("1,5; 2; 0,25; 4", 3, "This answer has 3 numbers; you typed 4.")]


def test_a_wrong_count_of_numbers_is_told_as_typed(tmp_path):
    """A student who types one number too many or too few, separated by commas as the label asks,
    is told how many they typed, not that it cannot be read (nor a count of decimal commas)."""
    assert all(read(t, n) is None or len(read(t, n)) != n for t, n, _ in UNREAD)
    assert node_results(tmp_path, [["unread", t, n] for t, n, _ in UNREAD]) == [m for _, _, m in UNREAD]
