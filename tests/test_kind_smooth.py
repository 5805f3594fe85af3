"""Sheets of sigmoid and tanh networks (sheet --activation) of the kinds forward, inverted and
test-time: every answer and every listed mistake against tests/reference.py (50-digit mpmath values
from the spec's plain numbers), the tolerance against students who carry rounded values (simulated
with the reference), the rules (each able to fail), and a sheet's key through check, grade, --stats
and the LMS exports (GIFT read back by the real parser, QTI graded as 1.2 says, Moodle's rules)."""

import json
import re
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import replace
from fractions import Fraction
from math import floor

import pytest
import sympy

from symdrop.cli import main
from symdrop.exercises.generate import generate, stream
from symdrop.exercises.kinds import get
from symdrop.exercises.options import Options
from symdrop.model.spec import to_spec

from . import backprop_reference, lms_rules
from .reference import Spec, answer, expected_mistakes, forward, forward_mistakes, g
from .test_gift import parse_gift
from .test_moodle import numerical_answers
from .test_qti import Q, assessment_of, grade as qti_grade, qti_errors, unpack
from .test_rules_fail import keep_every_unit, large_input

KINDS = ("forward", "inverted", "test-time", "backprop")
CASES = [(kind, activation) for kind in KINDS for activation in ("sigmoid", "tanh")]
CLOSE = Fraction(1, 10**25)  # symdrop's exact values (to 40 digits) against the reference's 50-digit ones


def decimal(value) -> Fraction:
    return Fraction(str(sympy.N(value, 40))) if isinstance(value, sympy.Basic) else Fraction(str(value))


def problems(kind: str, activation: str, seeds=None):
    """Problems of ``kind`` drawn with ``activation``: 6 (backprop, some 4 times dearer: 3)."""
    seeds = seeds or range(3 if kind == "backprop" else 6)
    k = get(kind)
    options = Options(activation=activation)
    for seed in seeds:
        network = generate(stream(seed, "smooth", kind), options, k)
        yield k, network, Spec(to_spec(network))


def reference_answer(kind: str, p: Spec) -> list:
    return backprop_reference.gradients(p) if kind == "backprop" else answer(kind, p)


def reference_mistakes(kind: str, p: Spec) -> dict:
    if kind == "backprop":
        return backprop_reference.expected_mistakes(p)
    return forward_mistakes(p) if kind == "forward" else expected_mistakes(kind, p)


def mode_of(kind: str) -> str:
    return "test" if kind == "test-time" else "train"


@pytest.mark.parametrize("kind, activation", CASES)
def test_answers_and_mistakes_are_the_references_and_lie_apart(kind, activation):
    for k, network, p in problems(kind, activation):
        right = [decimal(v) for v in reference_answer(kind, p)]
        assert len(right) == len(k.compute_answer(network))
        assert all(abs(decimal(v) - r) < CLOSE for v, r in zip(k.compute_answer(network), right))
        expected = {name: [decimal(v) for v in values] for name, values in reference_mistakes(kind, p).items()}
        listed = {m.name: [decimal(v) for v in m.answer] for m in k.mistakes(network)}
        # every mistake the reference knows whose answer is not the right one, and no other
        assert set(listed) == {n for n, v in expected.items() if any(abs(a - b) > CLOSE for a, b in zip(v, right))}
        for name, values in listed.items():
            assert all(abs(a - b) < CLOSE for a, b in zip(values, expected[name])), name
        tolerance = k.tolerance_for(network)
        assert network.digits == 4 and tolerance is not None and tolerance < Fraction(1, 100)
        for i in range(len(right)):  # any two different values of an entry: more than 3 tolerances apart
            values = sorted({right[i], *(v[i] for v in listed.values())})
            values = [v for k, v in enumerate(values) if k == 0 or v - values[k - 1] > CLOSE]  # one value, two ways
            assert all(b - a > 3 * tolerance for a, b in zip(values, values[1:])), (network, values)
        for masked, z, a in p.run(mode=mode_of(kind))[:-1]:  # sigma and tanh not flat: |z| <= 4
            assert all(abs(decimal(v)) <= 4 for v in z)


def rounding(places: int, half_even: bool):
    """Rounding to ``places`` decimals, half up or half to even, of an exact or a 50-digit value."""
    def rounded(v):
        v = decimal(v)
        return round(v, places) if half_even else Fraction(floor(v * 10**places + Fraction(1, 2)), 10**places)

    return rounded


def student_pass(p: Spec, mode: str, rounded, round_z: bool) -> list:
    """Every layer's (a~, z, a) of a student who computes layer by layer from rounded values (a~
    where it is scaled, z with ``round_z``, a): the reference's pass, one layer at a time."""
    a, values = p.x, []
    for l, ((W, b, activation), mu) in enumerate(zip(p.layers, p.masks)):
        q = [p.keep[l]] if p.keep else None
        [(masked, z, _)] = forward(a, [(W, b, "identity")], [mu], p.convention, q, mode)
        if mode == "train" and p.convention == "inverted" and q[0] != 1:  # a~ = mu a / q: a new number, rounded
            masked = [rounded(v) for v in masked]
            [(_, z, _)] = forward(masked, [(W, b, "identity")], [[1] * len(mu)], "plain", None, "train")
        if activation != "identity":
            z = [rounded(v) for v in z] if round_z else z
            a = [rounded(g(activation, v)) for v in z]
        else:
            a = [rounded(v) for v in z]
        values.append((masked, z, a))
    return values


def student_gradient(p: Spec, rounded, round_z: bool) -> list:
    """dL/dW^(1) of a student who goes back from their rounded forward values, rounding each
    dL/dy, g' (from their a), delta, W^T delta and masked (and scaled) gradient they write."""
    values = student_pass(p, "train", rounded, round_z)
    incoming = [rounded(y - Fraction(t)) for y, t in zip(values[-1][2], p.spec["target"])]
    for l in range(len(p.layers) - 1, -1, -1):
        W, _, activation = p.layers[l]
        masked, _, a = values[l]
        slope = [1 if activation == "identity" else rounded(v * (1 - v) if activation == "sigmoid" else 1 - v * v)
                 for v in a]
        delta = [rounded(u * s) for u, s in zip(incoming, slope)]
        if l == 0:
            return [rounded(d * x) for d in delta for x in masked]
        upstream = [rounded(sum(W[i][j] * delta[i] for i in range(len(delta)))) for j in range(len(masked))]
        q = p.keep[l] if p.convention == "inverted" else 1
        incoming = [rounded(m * u / q) for m, u in zip(p.masks[l], upstream)]


@pytest.mark.parametrize("kind, activation", CASES)
def test_the_tolerance_accepts_students_who_carry_rounded_values(kind, activation):
    for k, network, p in problems(kind, activation, range(10, 13 if kind == "backprop" else 16)):
        right = [decimal(v) for v in reference_answer(kind, p)]
        for places in (4, 2):
            tolerance = k.tolerance_for(replace(network, digits=places))
            for round_z in (False, True):
                for half_even in (False, True):
                    rounded = rounding(places, half_even)
                    given = (student_gradient(p, rounded, round_z) if kind == "backprop"
                             else student_pass(p, mode_of(kind), rounded, round_z)[-1][2])
                    assert all(abs(s - r) <= tolerance for s, r in zip(given, right)), (places, round_z, half_even)


def no_dropout(network, kind):
    """Every keep probability 1 and every mask all ones: neither the masks nor the convention matter."""
    ones = tuple(sympy.ImmutableMatrix.ones(m.rows, 1) for m in network.masks)
    keep = None if network.dropout.keep is None else tuple(sympy.Integer(1) for _ in network.dropout.keep)
    return replace(network, masks=ones, dropout=replace(network.dropout, keep=keep))


def zero_first_weights(network, kind):
    """W^(2) all 0: no gradient reaches the first layer."""
    layer = network.layers[1]
    return replace(network, layers=(network.layers[0], replace(layer, W=layer.W * 0), *network.layers[2:]))


BY_HAND = {"hand_computable": large_input, "masks_drop_units": keep_every_unit, "dropout_matters": no_dropout,
           "convention_matters": no_dropout, "gradient_reaches_the_first_layer": zero_first_weights}
RULES = [(kind, rule) for kind in KINDS
         for rule in get(kind).rules_for(Options(activation="sigmoid")) if rule != "keep_not_half"]


@pytest.mark.parametrize("kind, rule", RULES)
def test_each_smooth_rule_can_fail(kind, rule):
    k, options = get(kind), Options(activation="tanh")
    check = k.rules_for(options)[rule]
    if rule in BY_HAND:  # rules the draw meets by construction: a drawn problem changed by hand
        network = generate(stream(1, "break", rule), options, k)
        assert check(network, options) and not check(BY_HAND[rule](network, kind), options)
        return
    for seed in range(300):
        network = k.draw(stream(seed, "rule", rule), options, Counter(), False)
        if network is not None and not check(network, options):
            return
    pytest.fail(f"{kind}: rule {rule} accepted 300 candidates")


@pytest.mark.parametrize("args, message", [
    (["--kinds", "forward,ensemble"], "--activation sigmoid: the kind ensemble draws ReLU networks only"),
    (["--kinds", "forward,nwgm"], "--activation sigmoid: the kind nwgm has no hidden layers (it draws a unit, a layer or "
                                  "a batch of its own size), so --activation does not apply to it"),
    (["--answers", "decimal"], "--answers decimal: sigmoid answers are irrational"),
    (["--digits", "6"], "--digits 6: a sigmoid sheet's answers are given to 2 to 5 decimal places"),
    (["--shape", "2-3-3-3-1"], "--shape 2-3-3-3-1: a sigmoid sheet's networks have at most 2 hidden layers of at most 3"),
    (["--shape", "2-4-1"], "--shape 2-4-1: a sigmoid sheet's networks have at most 2 hidden layers of at most 3"),
])
def test_a_smooth_sheet_refuses_what_it_cannot_draw_in_one_line(tmp_path, capsys, args, message):
    assert main(["sheet", "--activation", "sigmoid", "--out", str(tmp_path / "o"), *args]) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1 and not (tmp_path / "o").exists()


@pytest.mark.slow  # some 2.5 s: a sheet in four formats, a check per mistake, grade, --stats
def test_a_sheet_through_its_key_check_grade_stats_and_lms_exports(tmp_path, capsys):
    out = tmp_path / "sheet"
    assert main(["sheet", "--kinds", ",".join(KINDS), "--activation", "sigmoid", "--problems", "4",
                 "--seed", "5", "--out", str(out), "--format", "markdown,moodle,gift,qti"]) == 0
    key = json.loads((out / "key.json").read_text(encoding="utf-8"))
    assert key["options"]["activation"] == "sigmoid" and key["options"]["digits"] == 4
    gift = [q for q in parse_gift(out / "questions.gift") if q["type"] == "Numerical"]
    moodle = ET.fromstring((out / "moodle.xml").read_bytes())
    assert lms_rules.moodle_errors(ET.tostring(moodle)) == []
    qti = assessment_of(unpack((out / "qti.zip").read_bytes()))
    assert qti_errors(qti) == []
    answers = ["student,code,y"]
    for n, entry in enumerate(key["problems"]):
        p, kind, code = Spec(entry["spec"]), entry["kind"], entry["code"]
        right = [decimal(v) for v in reference_answer(kind, p)]
        wrong = {name: [decimal(v) for v in values] for name, values in reference_mistakes(kind, p).items()}
        tolerance = Fraction(entry["tolerance"])
        assert entry["spec"]["digits"] == 4 and len(entry["answer"]) == len(right)
        assert all(abs(Fraction(v) - r) < Fraction(1, 10**14) for v, r in zip(entry["answer_decimal"], right))
        assert all(abs(decimal(sympy.sympify(v)) - r) < CLOSE for v, r in zip(entry["answer"], right))  # exact, read back
        typed = lambda values: "; ".join(f"{float(v):.4f}" for v in values)  # noqa: E731
        capsys.readouterr()
        assert main(["check", "--key", str(out / "key.json"), "--code", code, "--answer", typed(right)]) == 0
        assert f"Correct within the tolerance {float(tolerance):g}" in capsys.readouterr().out
        for m in entry["mistakes"]:  # each mistake, rounded to 4 places, names itself and no other
            assert main(["check", "--key", str(out / "key.json"), "--code", code, "--format", "json",
                         "--answer", typed(wrong[m["id"]])]) == 1
            assert [x["id"] for x in json.loads(capsys.readouterr().out)["mistakes"]] == [m["id"]]
        answers += [f"s{n},{code},\"{typed(right)}\"", f"t{n},{code},\"{typed(wrong[entry['mistakes'][0]['id']])}\""]
        [q] = [q for q in gift if f"({code})" in q["title"]]  # GIFT: one question, one number, within the tolerance
        [item] = [i for i in qti.iter(Q + "item") if i.get("ident") == code]  # QTI: one item, a response per number
        spans = [(Fraction(repr(c["text"]["number"])), Fraction(repr(c["text"]["range"])), c["weight"]) for c in q["choices"]]
        [i] = [k for k, r in enumerate(right) if [w for v, t, w in spans if abs(v - r) <= t] == [None]]
        assert all(r == tolerance for _, r, _ in spans)
        for values in wrong.values():
            if abs(values[i] - right[i]) > CLOSE:  # a mistake's value in the entry asked: a 0% answer alone holds it
                assert [w for v, r, w in spans if abs(v - values[i]) <= r] == [0]
        responses = [r.get("ident") for r in item.iter(Q + "response_str")]
        assert len(responses) == len(right)
        assert qti_grade(item, dict(zip(responses, right)))[0] == "100"
        assert qti_grade(item, {r: v + 3 * tolerance for r, v in zip(responses, right)})[0] == "0"
        if len(right) == 1:
            [question] = [x for x in moodle.findall("question") if f"({code})" in (x.findtext("name/text") or "")]
            assert lms_rules.grade_numerical(numerical_answers(question), right[0])[0] == "100"
    csv = tmp_path / "answers.csv"
    csv.write_text("\n".join(answers) + "\n", encoding="utf-8")
    assert main(["grade", "--key", str(out / "key.json"), "--answers", str(csv), "--out", str(tmp_path / "g")]) == 0
    graded = json.loads((tmp_path / "g" / "grades.json").read_text(encoding="utf-8"))["students"]
    assert all(s["points"] == ("4" if s["student"].startswith("s") else "0") for s in graded) and len(graded) == 8
    capsys.readouterr()
    assert main(["sheet", "--kinds", "test-time", "--activation", "tanh", "--stats", "8", "--seed", "1"]) == 0
    stats = capsys.readouterr().out
    assert "tanh hidden layers, answers to 4 decimal places" in stats and "irrational (right within ±0.0" in stats
    assert "mistakes_outside_tolerance" in stats and "tolerances apart" in stats


def test_a_class_sets_key_table_gives_each_answer_by_its_decimals(tmp_path):
    """A sigmoid class set's key table: every row's answer follows \\approx, each number the
    reference's value to 4 places (within half a unit of the last place), no sigma left in a cell
    (its exact closed forms, sigmoids of sigmoids, ran off the page), in Markdown and LaTeX."""
    import re

    roster = tmp_path / "roster.csv"
    roster.write_text("id,name\na1,Ann\nb2,Bo\nc3,Cy\n", encoding="utf-8")
    assert main(["sheet", "--seed", "7", "--roster", str(roster), "--kinds", "forward,backprop", "--activation", "sigmoid",
                 "--problems", "2", "--out", str(tmp_path / "s")]) == 0
    key = json.loads((tmp_path / "s" / "key.json").read_text(encoding="utf-8"))
    rows = {m.group(1): m.group(2) for m in re.finditer(r"^\| \w+ \| \w+ \| \d \| (\w+) \| \$(.*)\$ \|$",
                                                         (tmp_path / "s" / "key.md").read_text(encoding="utf-8"), re.M)}
    assert len(rows) == len(key["problems"]) == 6
    for entry in key["problems"]:
        cell = rows[entry["code"]]
        assert "\\approx" in cell and "sigma" not in cell
        numbers = [Fraction(v) for v in re.findall(r"-?\d+(?:\.\d+)?", cell.partition("\\approx")[2])]
        right = [decimal(v) for v in reference_answer(entry["kind"], Spec(entry["spec"]))]
        assert len(numbers) == len(right)
        assert all(abs(n - r) <= Fraction(1, 2 * 10**4) for n, r in zip(numbers, right))
    tex = (tmp_path / "s" / "key.tex").read_text(encoding="utf-8")
    table = tex[tex.index("\\begin{longtable}"):tex.index("\\end{longtable}")]
    assert table.count("\\approx") == 6 and "sigma" not in table


def test_a_feedback_page_marks_a_rounded_right_value_and_what_it_is_right_within(tmp_path):
    """A sigmoid class set graded with blank answers: each right value on a feedback page is a
    rounded decimal of an irrational value, so it reads ``\\approx ... \\pm T``, T the problem's
    tolerance as key.json states it (1/2500 is written 0.0004)."""
    import re
    from fractions import Fraction

    roster = tmp_path / "roster.csv"
    roster.write_text("id,name\na1,Ann\n", encoding="utf-8")
    assert main(["sheet", "--seed", "4", "--roster", str(roster), "--kinds", "forward,backprop", "--activation", "sigmoid",
                 "--problems", "2", "--format", "markdown", "--out", str(tmp_path / "s")]) == 0
    key = json.loads((tmp_path / "s" / "key.json").read_text(encoding="utf-8"))
    answers = tmp_path / "answers.csv"
    answers.write_text("student,code,y\n" + "".join(f"a1,{e['code']},0\n" for e in key["problems"]), encoding="utf-8")
    assert main(["grade", "--key", str(tmp_path / "s" / "key.json"), "--answers", str(answers),
                 "--out", str(tmp_path / "g")]) == 0
    page = (tmp_path / "g" / "feedback" / "a1.md").read_text(encoding="utf-8")
    said = re.findall(r"The right value is \$(.*?)\$\.", page)
    assert len(said) == 2
    for text, entry in zip(said, key["problems"]):
        value, _, tolerance = text.partition(r" \pm ")
        assert value.startswith(r"\approx ") and Fraction(tolerance) == Fraction(entry["tolerance"])


def test_a_feedback_pages_rounded_matrix_is_right_within_the_tolerance_in_each_number(tmp_path):
    """A backprop answer through sigmoids is a 3 x 2 matrix written row by row; '(0, 0); (0.1, 0.2)
    \\pm T' would read as T on its last row only, so the page says T is each number's. A forward
    problem's one number reads '\\approx y \\pm T' as before."""
    import re

    roster = tmp_path / "roster.csv"
    roster.write_text("id,name\na1,Ann\n", encoding="utf-8")
    assert main(["sheet", "--seed", "4", "--roster", str(roster), "--kinds", "forward,backprop", "--activation", "sigmoid",
                 "--problems", "2", "--format", "markdown", "--out", str(tmp_path / "s")]) == 0
    key = json.loads((tmp_path / "s" / "key.json").read_text(encoding="utf-8"))
    assert [e["kind"] for e in key["problems"]] == ["forward", "backprop"]
    answers = tmp_path / "answers.csv"
    answers.write_text("student,code,y\n" + "".join(f"a1,{e['code']},0\n" for e in key["problems"]), encoding="utf-8")
    assert main(["grade", "--key", str(tmp_path / "s" / "key.json"), "--answers", str(answers),
                 "--out", str(tmp_path / "g")]) == 0
    page = (tmp_path / "g" / "feedback" / "a1.md").read_text(encoding="utf-8")
    forward, backprop = re.findall(r"The right value is \$(.*?)\$\.", page)
    assert re.fullmatch(r"\\approx -?[0-9.]+ \\pm [0-9.]+", forward)
    assert backprop.count(";") == 2 and r" \text{, each number within } \pm " in backprop
    assert Fraction(backprop.rpartition(" ")[2]) == Fraction(key["problems"][1]["tolerance"])


def test_each_lms_question_says_once_how_to_give_its_irrational_answer(tmp_path):
    """A sigmoid sheet's Moodle and GIFT questions say how to give ŷ once, the tolerance stated:
    the sentence a paper sheet has ("Give each irrational value rounded to 4 decimal places; ŷ is
    right within ...") is not said again before the question's own "Give ŷ as a decimal, to at
    least 4 decimal places (within ±T)", whose T is the tolerance its answers take."""
    out = tmp_path / "sheet"
    assert main(["sheet", "--seed", "12", "--activation", "sigmoid", "--format", "moodle,gift,markdown",
                 "--out", str(out)]) == 0
    key = {e["code"]: Fraction(e["tolerance"]) for e in json.loads((out / "key.json").read_text(encoding="utf-8"))["problems"]}
    moodle = ET.fromstring((out / "moodle.xml").read_bytes())
    texts = {q.findtext("idnumber"): (q.findtext("questiontext/text"), q.findtext("answer/tolerance"))
             for q in moodle.iter("question") if q.get("type") == "numerical"}
    gift = (out / "questions.gift").read_text(encoding="utf-8").split("\n// variant ")[1:]
    for code in key:
        [text] = [q.split("{#")[0] for q in gift if q.startswith(code)]
        for question in (texts[code][0], text.replace("\\", "")):
            assert "rounded to" not in question and question.count("±") == 1, code
            stated = re.search(r"to at least 4 decimal places \(within ±(0\.\d+)\)", question)[1]
            assert Fraction(stated) == key[code] == Fraction(texts[code][1])
    # on paper the sentence stays: the sheet asks for rounded values and states the tolerance
    sheet = (out / "sheet.md").read_text(encoding="utf-8")
    assert sheet.count("Give each irrational value rounded to 4 decimal places;") == len(key) == 5
