"""Sigmoid and tanh values as written: sigma forms, named values from the second smooth layer on, --digits K."""

import math
import re

import pytest
import sympy
from fractions import Fraction

from symdrop.cli import main
from symdrop.core.rounding import carried, half_up
from symdrop.model.spec import parse_spec
from symdrop.render.numbertext import to_places
from symdrop.render.printer import latex

R, e = sympy.Rational, sympy.exp


@pytest.mark.parametrize("expr, text", [
    (R(5, 4) / (1 + e(-R(31, 100))), r"\frac{5}{4} \sigma(\frac{31}{100})"),  # inverted dropout's 1/q times sigma
    (5 / (4 + 4 * e(-R(31, 100))), r"\frac{5}{4} \sigma(\frac{31}{100})"),    # the same, as SymPy also holds it
    (1 / (1 + e(-3)), r"\sigma(3)"),
    (-1 / (1 + e(-1)), r"- \sigma(1)"),
    (1 / (1 + e(R(2, 5))), r"\sigma(- \frac{2}{5})"),
    (1 / (1 + sympy.E), r"\sigma(-1)"),  # SymPy writes e^1 as E
    (R(3, 32) / (1 + sympy.E), r"\frac{3}{32} \sigma(-1)"),
    (1 / (2 + e(-1)), r"\frac{1}{e^{-1} + 2}"),  # not a sigmoid: 2 + e^{-1} is no c (1 + e^{-u})
])
def test_sympys_forms_of_a_sigmoid_print_as_sigma(expr, text):
    assert latex(expr) == text


@pytest.mark.parametrize("value, places, text", [
    (1 / (1 + e(-R(31, 100))), 4, "0.5769"),  # sigma(0.31) = 0.576885...
    (R(-1, 3), 2, "-0.33"),
    (R(1, 8), 2, "0.13"),                     # a tie rounds half up, as by hand
    (R(-1, 8), 2, "-0.13"),
    (R(-1, 1000), 2, "0.00"),                  # no "-0.00"
    (sympy.tanh(1), 6, "0.761594"),
])
def test_values_are_shown_to_fixed_places(value, places, text):
    assert latex(to_places(value, places)) == text


def test_a_student_carrying_rounded_values_is_within_the_tolerance():
    # x = 1, one sigmoid unit (w = 1), output y = 2 a: exactly 2 sigma(1) = 1.4621171573;
    # carried to 2 places: a = 0.73, y = 1.46, off by 0.0021. The tolerance accepts any student who
    # rounds to 2 places: z may be rounded (0.005), so a is off by at most sigma'(0.995) 0.005 + 0.005
    # (sigma'(0.995) = 0.7301 x 0.2699 < 0.2), under 0.006; y = 2 a by 2 x 0.006 + 0.005 = 0.017: up to 0.02.
    network = parse_spec({"input": [1], "layers": [{"weights": [[1]], "bias": [0], "activation": "sigmoid"},
                                                   {"weights": [[2]], "bias": [0]}], "masks": [[1], [1]]})
    prediction, tolerance = carried(network, "train", 2)
    assert prediction == (Fraction(146, 100),) and tolerance == Fraction(2, 100)
    assert abs(2 / (1 + math.exp(-1)) - 1.46) <= float(tolerance)
    assert half_up(Fraction(-5, 1000), 2) == Fraction(-1, 100)


# Two sigmoid layers: z1 = (3, 0), a1 = (sigma(3), 1/2), inverted keep 4/5 on mu1 = (1, 0):
# a~1 = (5/4 sigma(3), 0), z2 = (5/4 sigma(3), 5/2 sigma(3)), y = sigma(z2_1) - sigma(z2_2).
SPEC = {"title": "Two sigmoid layers", "input": [1, 1],
        "layers": [{"weights": [[1, 2], [-1, 1]], "bias": [0, 0], "activation": "sigmoid"},
                   {"weights": [[1, 1], [2, -1]], "bias": [0, 0], "activation": "sigmoid"},
                   {"weights": [[1, -1]], "bias": [0]}],
        "masks": [[1, 1], [1, 0], [1, 1]], "dropout": {"convention": "inverted", "keep": [1, "4/5", 1]}}


def _sigma(z):
    return 1 / (1 + math.exp(-z))


def _y():
    s3 = _sigma(3)
    return _sigma(1.25 * s3) - _sigma(2.5 * s3)


def _nested_sigma(text: str) -> bool:
    """Whether a sigma's argument holds a sigma or an exponential, in any formula of ``text``."""
    for start in (m.end() for m in re.finditer(r"\\sigma\(", text)):
        depth, i = 1, start
        while depth and i < len(text):
            depth += {"(": 1, ")": -1}.get(text[i], 0)
            i += 1
        if re.search(r"\\sigma\(|e\^\{", text[start:i]):
            return True
    return False


@pytest.fixture
def spec(tmp_path):
    import json
    path = tmp_path / "two.json"
    path.write_text(json.dumps(SPEC), encoding="utf-8")
    return path


def test_the_second_smooth_layer_names_its_inputs_and_nests_nothing(spec, capsys):
    assert main(["solve", str(spec), "--format", "markdown"]) == 0
    md = capsys.readouterr().out
    assert r"\frac{5}{4} \sigma(3)" in md and "e^{-3}" not in md
    assert r"\tilde{a}^{(2)}_{1}" in md  # the output's sums name the values of the second sigmoid layer
    assert not _nested_sigma(md)
    assert f"{_y():.10f}"[:12] in md  # 15 significant digits without --digits


@pytest.mark.parametrize("how", ["option", "spec key"])
def test_digits_shows_every_irrational_value_to_k_places(spec, capsys, how, tmp_path):
    if how == "spec key":
        import json
        spec.write_text(json.dumps({**SPEC, "digits": 4}), encoding="utf-8")
    assert main(["solve", str(spec), "--format", "markdown", *(["--digits", "4"] if how == "option" else [])]) == 0
    md = capsys.readouterr().out
    assert rf"\approx {_sigma(3):.4f}" in md or f"{_sigma(3):.4f}" in md  # a1_1 = sigma(3) = 0.9526
    assert f"{1.25 * _sigma(3):.4f}" in md  # a~1_1 = 1.1907
    assert f"{_y():.4f}" in md and f"{_y():.10f}" not in md
    # The tolerance, h = 0.00005 the rounding of each value a student writes: a1 off by sigma'(3) h + h
    # < 1.046 h (sigma'(3) = 0.0452), a~1_1 = 5/4 a1_1 by 5/4 (1.046 h) + h < 2.31 h; z2 by 2.31 h + h and
    # 2 (2.31 h) + h (3.31 h, 5.62 h); a2 by sigma'(1.19) 3.31 h + h and sigma'(2.38) 5.62 h + h
    # (sigma' = 0.1788, 0.0774: 1.59 h, 1.43 h); y by some 4.03 h, over 4 h = 0.0002: up to 0.0003.
    assert "rounded to 4 decimal places" in md and r"\pm0.0003" in md
    assert not _nested_sigma(md)


@pytest.mark.parametrize("value", ["0", "13", "x", "1.5"])
def test_digits_out_of_range_is_refused_in_one_line(spec, capsys, value):
    assert main(["solve", str(spec), "--digits", value]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--digits" in err and "1 to 12" in err


def test_check_shows_an_irrational_answer_by_its_decimal_and_echoes_the_students_as_typed(spec, capsys):
    assert main(["check", str(spec), "--answer", "12.330"]) == 1
    out = capsys.readouterr().out
    assert out.startswith("Not correct: 12.330; the answer is ≈ ") and f"{_y():.10f}"[:11] in out
    assert "exp(" not in out and "--tolerance" in out  # no SymPy string; the hint to accept decimals
    assert main(["check", str(spec), "--answer", f"{_y():.4f}", "--tolerance", "0.0001", "--format", "markdown"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Correct within the tolerance 0.0001: the exact answer is $\\approx ")


def test_check_takes_the_tolerance_of_the_specs_digits(spec, capsys):
    # digits: 4 -> the solution states +-0.0003 (any student carrying 4 places, worked out by hand in
    # test_digits_shows_every_irrational_value_to_k_places); check takes it: the exact value rounded
    # to 4 places is right, 5e-4 off is not.
    import json
    spec.write_text(json.dumps({**SPEC, "digits": 4}), encoding="utf-8")
    assert main(["solve", str(spec), "--format", "markdown"]) == 0
    assert r"\pm0.0003" in capsys.readouterr().out
    assert main(["check", str(spec), "--answer", f"{_y():.4f}"]) == 0
    assert capsys.readouterr().out.startswith("Correct within the tolerance 0.0003")
    assert main(["check", str(spec), "--answer", f"{_y() + 0.0005:.4f}"]) == 1


def test_check_digits_takes_the_tolerance_solve_digits_states(spec, capsys):
    # The same spec without digits: solve --digits 4 states +-0.0003 (by hand, as above) and names
    # check --digits 4, which takes it; --digits with --tolerance is refused in one line.
    assert main(["solve", str(spec), "--format", "markdown", "--digits", "4"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert r"\pm0.0003" in out and "`symdrop check --digits 4` takes this tolerance" in out
    assert main(["check", str(spec), "--answer", f"{_y():.4f}", "--digits", "4"]) == 0
    assert capsys.readouterr().out.startswith("Correct within the tolerance 0.0003")
    assert main(["check", str(spec), "--answer", f"{_y() + 0.0005:.4f}", "--digits", "4"]) == 1
    capsys.readouterr()
    assert main(["check", str(spec), "--answer", f"{_y():.4f}"]) == 1  # without it: the hint names it
    assert "--digits 4 takes the tolerance" in capsys.readouterr().out
    assert main(["check", str(spec), "--answer", f"{_y():.4f}", "--digits", "4", "--tolerance", "0.1"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--digits" in err and "--tolerance" in err
    # A ReLU network's answers are exact: --digits is refused (the tutorial's y = 7, by hand, not 6.9999).
    from .conftest import TUTORIAL
    assert main(["check", str(TUTORIAL), "--answer", "6.9999", "--digits", "4"]) == 2
    assert "no sigmoid or tanh layer" in capsys.readouterr().err


def test_check_digits_replaces_a_keys_tolerance(tmp_path, capsys):
    """With --key, --digits K takes K places' tolerance instead of the sheet's: the answer to 2
    places (from the key's own decimal) is wrong within the sheet's 4 places, right within 2."""
    import json
    assert main(["sheet", "--seed", "3", "--problems", "1", "--activation", "sigmoid", "--format", "markdown",
                 "--out", str(tmp_path)]) == 0
    [entry] = json.loads((tmp_path / "key.json").read_text(encoding="utf-8"))["problems"]
    typed = f"{float(entry['answer_decimal'][0]):.2f}"
    exact = Fraction(entry["answer_decimal"][0])
    assert abs(Fraction(typed) - exact) > Fraction(entry["tolerance"])  # so the sheet's tolerance refuses it
    args = ["check", "--key", str(tmp_path / "key.json"), "--code", entry["code"], "--answer", typed]
    capsys.readouterr()
    assert main(args) == 1
    capsys.readouterr()
    assert main(args + ["--digits", "2"]) == 0
    assert capsys.readouterr().out.startswith("Correct within the tolerance 0.0")


@pytest.mark.parametrize("args", [["solve"], ["solve", "--symbolic", "masks"], ["expect"]])
def test_markdown_says_a_formula_is_too_wide_to_read_never_for_a_page(spec, capsys, args):
    """Markdown has no pages: where LaTeX says a closed form is too wide for a page, Markdown says
    it is too wide to read (the same spec, both formats)."""
    command, *rest = args
    assert main([command, str(spec), *rest, "--format", "markdown"]) == 0
    md = capsys.readouterr().out
    assert main([command, str(spec), *rest, "--format", "latex"]) == 0
    tex = capsys.readouterr().out
    assert "too wide for a page" in tex or "wider than a page" in tex
    assert "page" not in md.lower() and "too wide to read" in md


def test_digits_says_a_short_values_exact_form_not_that_it_is_too_wide(tmp_path, capsys):
    """With --digits every irrational value is shown by its decimal; where its exact form is short
    the solution says it (by hand: z^(1) = (-1, -1), unit 2 dropped, y = 2 sigma(-1) + 1 ~ 1.5379), never that
    it is too wide to read."""
    import json
    spec = tmp_path / "sig.json"
    spec.write_text(json.dumps({"input": [1, -1], "masks": [[1, 1], [1, 0]], "layers": [
        {"weights": [[1, 2], [-1, 1]], "bias": [0, 1], "activation": "sigmoid"},
        {"weights": [[2, -1]], "bias": [1]}]}), encoding="utf-8")
    assert main(["solve", str(spec), "--digits", "4"]) == 0
    out = capsys.readouterr().out
    assert "(Exactly $2 \\sigma(-1) + 1$.)" in out and "(Exactly $\\sigma(-1) + 1$.)" in out  # y; y without dropout
    assert "too wide" not in out
