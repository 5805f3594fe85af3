"""Hostile input: refused at once in one line naming the limit, read as a person reads it, escaped."""

import codecs
import contextlib
import csv
import io
import json
import time
import xml.etree.ElementTree as ET
from fractions import Fraction

import pytest

from symdrop import derive, parse_spec
from symdrop.cli import main
from symdrop.errors import SpecError, SymdropError
from symdrop.exercises.roster import Student, read_roster
from symdrop.grading.grade import read_answers
from symdrop.model.spec import read_document
from symdrop.render.documents import render_svg
from symdrop.render.escape import csv_cell, escape_markdown, escape_tex, escape_xml

from .conftest import ROOT, TUTORIAL

ONE = "layers: [{weights: [[1]], bias: [0]}]\nmasks: []\n"  # y = x for one input


def spec_text(input_text: str, rest: str = ONE) -> str:
    return f"input: {input_text}\n{rest}"


def wide(n: int) -> str:
    return "[" + ", ".join(["1"] * n) + "]"


def layers(count: int) -> str:
    return "layers: [" + ", ".join(["{weights: [[1]], bias: [0]}"] * count) + "]\nmasks: " + \
        "[" + ", ".join(["[1]"] * (count - 1)) + "]\n"


def expect_spec(n: int, activation: str = "relu") -> str:
    """n inputs all dropped with q = 1/2 into one unit, then a linear output: n maskable units."""
    return (f"input: {wide(n)}\nlayers:\n  - {{weights: [{wide(n)}], bias: [0], activation: {activation}}}\n"
            f"  - {{weights: [[1]], bias: [0]}}\nmasks: [{wide(n)}, [1]]\n"
            f"dropout: {{convention: plain, keep: [\"1/2\", 1]}}\n")


def expect_vectors(n: int) -> str:
    """n inputs of 1, all dropped with q = 1/2, into one ReLU unit z = -1 + sum_j 2^j mu_j, then a ReLU output."""
    weights = ", ".join(str(2**j) for j in range(n))
    return (f"input: {wide(n)}\nlayers:\n  - {{weights: [[{weights}]], bias: [-1]}}\n"
            f"  - {{weights: [[1]], bias: [0], activation: relu}}\n"
            f"dropout: {{convention: plain, keep: [\"1/2\", 1]}}\n")


# (spec text, extra arguments, the one line expected after "symdrop: error: "), each written by hand.
HOSTILE = {
    "exponent": (spec_text('["1e999999999"]'), [],
                 "input[0]: '1e999999999': its exponent is beyond the limit of exponents from -40 to 40"),
    "exponent 1e5000": (spec_text("[1e5000]"), [],
                        "input[0]: '1e5000': its exponent is beyond the limit of exponents from -40 to 40"),
    "keep exponent": (spec_text("[1]", ONE.replace("masks: []", "masks: []\ndropout: {keep: 1e-999999}")), [],
                      "dropout.keep: '1e-999999': its exponent is beyond the limit of exponents from -40 to 40"),
    "5000 digits": (spec_text("[" + "7" * 5000 + "]"), [],
                    f"input[0]: {'7' * 60!r}... (5000 characters) has 5000 digits; the limit is 40 digits per number"),
    "41 digits": (spec_text('["1/' + "3" * 40 + '"]'), [], f"input[0]: '1/{'3' * 40}' has 41 digits; the limit is 40 digits per number"),
    "deep lists": (spec_text("[" * 1000 + "1" + "]" * 1000), [],
                   "{spec}: nested more than the limit of 20 lists or mappings deep at line 1"),
    "wide input": (spec_text(wide(65)), [], "input: 65 entries; the limit is 64 units per layer"),
    "wide layer": (spec_text("[1]", "layers: [{weights: [" + ", ".join(["[1]"] * 65) + "], bias: [0]}]\nmasks: []\n"),
                   [], "layers[0].weights: 65 rows (units); the limit is 64 units per layer"),
    "layers": (spec_text("[1]", layers(17)), [], "layers: 17 layers; the limit is 16 layers"),
    "newline key": ('"a\\nb": 1\n' + spec_text("[1]"), [],
                    "'a\\nb': unknown key (expected one of title, input, layers, masks, dropout, target, loss, digits)"),
    "long value": (spec_text('["' + "x" * 10127 + '"]'), [],
                   f"input[0]: expected a number such as 2, \"-3/4\" or 0.1, got {'x' * 60!r}... (10127 characters)"),
    "binary": (spec_text("[0b11]"), [], "input[0]: expected a number such as 2, \"-3/4\" or 0.1, got '0b11'"),
    "sexagesimal": (spec_text("[1:30]"), [], "input[0]: expected a number such as 2, \"-3/4\" or 0.1, got '1:30'"),
    "hexadecimal": (spec_text("[0x1F]"), [], "input[0]: expected a number such as 2, \"-3/4\" or 0.1, got '0x1F'"),
    "underscores": (spec_text("[1_000]"), [], "input[0]: expected a number such as 2, \"-3/4\" or 0.1, got '1_000'"),
    "yes": (spec_text("[yes]"), [], "input[0]: expected a number such as 2, \"-3/4\" or 0.1, got 'yes'"),
    "arabic digits": (spec_text('["١/٢"]'), [],
                      "input[0]: expected a number in the digits 0-9 such as 2, \"-3/4\" or 0.1, got '١/٢'"),
    "full-width digits": (spec_text('["１２"]'), [],
                          "input[0]: expected a number in the digits 0-9 such as 2, \"-3/4\" or 0.1, got '１２'"),
    "duplicate key": (spec_text("[1]") + "input: [2]\n", [],
                      "{spec}: key input appears twice in one mapping (line 4); give each key once"),
    "expect sigmoid output units": (expect_spec(21).replace("bias: [0]}\nmasks", "bias: [0], activation: sigmoid}\nmasks"),
                                    ["expect"], "expect: 21 maskable units (keep q < 1); the limit with a sigmoid or "
                                    "tanh output is 20 (up to 2^20 masks)"),
    "expect tanh units": (expect_spec(13, "tanh"), ["expect"],
                          "expect: 13 maskable units (keep q < 1); the limit with sigmoid or tanh is 12 "
                          "(every mask's value is an expression)"),
    "expect nested tanh units": (expect_spec(10, "tanh").replace("{weights: [[1]], bias: [0]}", "{weights: [[1]], bias: [0], activation: sigmoid}"),
                                 ["expect"], "expect: 10 maskable units (keep q < 1); the limit with 2 sigmoid or tanh layers "
                                 "is 9 (every mask's value is an expression in expressions)"),
    "samples": (expect_spec(2), ["expect", "--samples", "100001"], "--samples: 100001 samples; the limit is 100,000 samples"),
}


def run_spec(tmp_path, capsys, text: str, extra: list[str]):
    """``symdrop solve SPEC`` (or ``expect`` when ``extra`` starts with it) and the options of ``extra``."""
    path = tmp_path / "spec.yaml"
    path.write_text(text, encoding="utf-8")
    command, options = ("expect", extra[1:]) if extra[:1] == ["expect"] else ("solve", extra)
    start = time.perf_counter()
    status = main([command, str(path), *options])
    seconds = time.perf_counter() - start
    return status, capsys.readouterr(), seconds, path


@pytest.mark.parametrize("case", HOSTILE, ids=list(HOSTILE))
def test_hostile_spec_is_refused_at_once_in_one_line(case, tmp_path, capsys):
    text, extra, message = HOSTILE[case]
    status, out, seconds, path = run_spec(tmp_path, capsys, text, extra)
    assert status == 2 and out.out == ""
    assert out.err == f"symdrop: error: {message.format(spec=path)}\n"
    assert seconds < 10  # a generous bound: the refusal comes before any of the work


@pytest.mark.slow  # the refusal comes after the limit's work: about a second
def test_expect_refuses_more_vectors_than_the_limit(tmp_path, capsys):
    """40 inputs dropped into one ReLU unit of weights 2^j and bias -1: its z takes 2^40 values,
    some negative (no fast path), refused after 1,000,000 of them."""
    status, out, seconds, _ = run_spec(tmp_path, capsys, expect_vectors(40), ["expect"])
    assert status == 2 and out.out == ""
    assert out.err == ("symdrop: error: expect: more than 1,000,000 vectors carried over the masks (at layer 1 of 2); "
                       "the limit is 1,000,000 (fewer maskable units or layers, or estimate the mean with --samples)\n")
    assert seconds < 10


def test_symbolic_modes_refuse_more_paths_than_the_limit(tmp_path, capsys):
    # 8 x 8 x 8 x 8 x 1 = 4096 paths is the limit; a fifth layer of 8 makes 32768.
    rows = lambda n, m: "[" + ", ".join([wide(m)] * n) + "]"  # noqa: E731
    text = (f"input: {wide(8)}\nlayers:\n" + "".join(f"  - {{weights: {rows(8, 8)}, bias: {wide(8)}}}\n" for _ in range(4))
            + f"  - {{weights: {rows(1, 8)}, bias: [0]}}\nmasks: [" + ", ".join([wide(8)] * 4) + "]\n")
    for mode in ("all", "masks"):
        status, out, seconds, _ = run_spec(tmp_path, capsys, text, ["--symbolic", mode])
        assert status == 2
        assert out.err == (f"symdrop: error: --symbolic {mode}: 8 x 8 x 8 x 8 x 8 x 1 = 32768 paths through the "
                           "network, each a term of the closed form; the limit is 4096 paths\n")
        assert seconds < 10


def test_numbers_within_the_limits_are_read_exactly():
    # 40 digits and exponents of +-40 are allowed; each value worked out by hand.
    network = parse_spec({"input": ["1e40", "1e-40", "9" * 40, "-1/" + "7" * 39, "2.5E+3", ".5"],
                          "layers": [{"weights": [[1] * 6], "bias": [0]}], "masks": []})
    assert [int(v.p) for v in network.x[:3]] == [10 ** 40, 1, 10 ** 40 - 1]
    assert network.x[1].q == 10 ** 40
    assert (network.x[3].p, network.x[3].q) == (-1, int("7" * 39))
    assert network.x[4] == 2500 and network.x[5].q == 2


@pytest.mark.parametrize("text, expected", [
    ("input: [010]", 10),  # YAML 1.2: decimal, not octal 8
    ("%YAML 1.2\n---\ninput: [010]", 10),
    ("input: [+7]", 7),
    ("input: [0.10]", 1),  # 1/10 through a weight of 10 below
])
def test_numbers_mean_what_a_person_reads(text, expected, tmp_path, capsys):
    weight = "10" if "0.10" in text else "1"
    path = tmp_path / "s.yaml"
    path.write_text(f"{text}\nlayers: [{{weights: [[{weight}]], bias: [0]}}]\nmasks: []\n", encoding="utf-8")
    assert main(["solve", str(path), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["prediction"] == [str(expected)]


def test_yaml_words_and_dates_stay_text():
    data = read_document("title: no\nother: on\nwhen: 2024-01-01\nflag: true\n")
    assert data == {"title": "no", "other": "on", "when": "2024-01-01", "flag": True}
    assert parse_spec({"title": "yes", "input": [1], "layers": [{"weights": [[1]], "bias": [0]}], "masks": []}).title == "yes"


@pytest.mark.parametrize("text, json_format, key", [
    ("a: 1\nb: 2\na: 3\n", False, "a"),
    ("layers:\n  - {weights: [[1]], bias: [0], bias: [1]}\n", False, "bias"),
    ('{"input": [1], "input": [2]}', True, "input"),
])
def test_duplicate_keys_are_refused_naming_the_key(text, json_format, key):
    with pytest.raises(SpecError, match=f"key {key} appears twice in one"):
        read_document(text, json_format=json_format)


def test_merge_keys_may_be_overridden():
    # YAML's << copies a mapping; a key beside it replaces the copied one (no duplicate).
    assert read_document("base: &b {x: 1, y: 2}\nother: {<<: *b, y: 3}\n")["other"] == {"x": "1", "y": "3"}  # numbers as written


def test_json_numbers_are_as_written_and_bounded():
    data = read_document('{"input": [' + "9" * 5000 + ']}', json_format=True)
    with pytest.raises(SpecError, match="has 5000 digits; the limit is 40 digits per number"):
        parse_spec({**data, "layers": [{"weights": [[1]], "bias": [0]}], "masks": []})
    with pytest.raises(SpecError, match="nested more than the limit of 20"):
        read_document("[" * 5000 + "]" * 5000, json_format=True)


def test_a_file_beyond_the_size_limit_is_refused_unread(tmp_path, capsys):
    path = tmp_path / "big.yaml"
    path.write_text("#" * 1_000_001, encoding="utf-8")
    assert main(["solve", str(path)]) == 2
    assert capsys.readouterr().err == f"symdrop: error: {path}: larger than the limit of 1,000,000 bytes for a spec\n"


def test_a_class_beyond_the_problem_limit_is_refused_before_drawing(tmp_path, capsys):
    roster = tmp_path / "r.csv"
    roster.write_text("id,name\n" + "".join(f"s{i},N{i}\n" for i in range(301)), encoding="utf-8")
    assert main(["sheet", "--roster", str(roster), "--problems", "10", "--out", str(tmp_path / "o")]) == 2
    assert capsys.readouterr().err == (f"symdrop: error: --roster {roster}: 301 students x 10 problems = 3010 problems; "
                                       "the limit is 3000 problems per run (split the class into several runs)\n")
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("args, message", [
    (["--problems", "1" * 5000], "argument --problems: expected an integer of at most 12 digits 0-9, got"),
    (["--seed", "１２"], "argument --seed: expected an integer of at most 12 digits 0-9, got '１２'"),
    (["--shape", "2-" * 17 + "1"], "--shape: 17 layers; the limit is 16 layers"),
    (["--range", "-" + "9" * 5000 + "..3"], "--range: expected LOW..HIGH with integers LOW < HIGH, like -3..3, got"),
    (["--keep", "1/" + "3" * 5000], "--keep: expected keep probabilities like 2/3,3/4,4/5 (or 0.75), got"),
])
def test_hostile_sheet_options_are_one_line(args, message, tmp_path, capsys):
    argparse_refuses = args[0] in ("--problems", "--seed")  # argparse exits 2 itself, after its usage line
    with pytest.raises(SystemExit) if argparse_refuses else contextlib.nullcontext():
        assert main(["sheet", *args, "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert max(len(line) for line in err.splitlines()) < 400


@pytest.mark.slow
def test_limits_never_refuse_the_tutorial_and_the_examples(tmp_path, capsys):
    specs = [TUTORIAL, *sorted((ROOT / "examples").glob("*.yaml"))]
    assert len(specs) >= 3
    for spec in specs:
        assert main(["solve", str(spec), "--format", "json"]) == 0, spec
        # --symbolic is for one example with one keep probability per mask of units; --samples
        # for one example (any keep: per unit, DropConnect)
        if spec.name in ("batch.yaml", "linear-penalty.yaml"):
            continue
        if spec.name not in ("dropconnect.yaml", "keep-per-unit.yaml"):
            assert main(["solve", str(spec), "--symbolic", "all", "--format", "json"]) == 0, spec
        if "keep" in spec.read_text(encoding="utf-8"):
            assert main(["expect", str(spec), "--samples", "100000", "--format", "json"]) == 0, spec
    capsys.readouterr()


# Every format literal.

def test_markdown_escapes_ampersands_and_drops_controls():
    # "AT&amp;T" must show as typed: \& is CommonMark's escaped ampersand, never an entity.
    assert escape_markdown("AT&amp;T <b>") == r"AT\&amp;T \<b>"  # \< starts no tag
    assert escape_markdown("a\x00b\x1b[31mc") == "a b [31mc"


def test_latex_prints_the_ohm_sign():
    # NFC turns U+2126 into Greek capital omega, which no pdflatex encoding here has; the Ohm
    # sign (TS1's \textohm) is the same glyph.
    assert escape_tex("10 \u2126") == "\\usertext{10 \u2126}"
    assert escape_tex("\u03a9") == "\\usertext{\u2126}"
    assert "[U+" not in escape_tex("\u2126\u03a9")


def test_svg_stays_valid_xml_with_controls_in_the_title():
    title = "NUL\x00 ESC\x1b[1m & <b> \"q\" \ud800 \uffff"
    svg = render_svg(derive(parse_spec({"title": title, "input": [1], "layers": [{"weights": [[1]], "bias": [0]}],
                                        "masks": []})))
    root = ET.fromstring(svg.encode("utf-8", "surrogatepass"))  # raises on any invalid character
    title_text = root.find("{http://www.w3.org/2000/svg}title").text
    assert title_text.startswith('NUL  ESC [1m & <b> "q"')
    assert escape_xml("<a\x07>") == "&lt;a &gt;"


@pytest.mark.parametrize("text, numbers, expected", [
    ('=HYPERLINK("http://x")', False, '\'=HYPERLINK("http://x")'),
    ("@SUM(1+1)", False, "'@SUM(1+1)"),
    ("+1+1", True, "'+1+1"),
    ("\t=1", False, "' =1"),  # a leading tab is a space, and the formula still quoted
    ("\r-2", False, "' -2"),
    ("-2", False, "'-2"),  # an id or a name is text
    ("-3/4", True, "-3/4"),  # an answer that is a number stays one
    ("-0.75", True, "-0.75"),
    ("-3; 0; 2", True, "-3; 0; 2"),
    ("-1 2; 0 -3/4", True, "-1 2; 0 -3/4"),  # a matrix, row by row
    ("-1 =2", True, "'-1 =2"),
    ("-exp(1)", True, "'-exp(1)"),
    ("Zoë\x00\x1b", False, "Zoë  "),
])
def test_csv_cells_never_run(text, numbers, expected):
    assert csv_cell(text, numbers=numbers) == expected


def test_key_csv_neutralises_formulas_in_ids_and_names(tmp_path):
    roster = tmp_path / "r.csv"
    roster.write_text('id,name\n"=HYPERLINK(""http://x"")",@SUM(1+1)\n-s2,\x1bBo\n', encoding="utf-8")
    assert main(["sheet", "--seed", "1", "--roster", str(roster), "--format", "markdown", "--no-diagram",
                 "--out", str(tmp_path / "o")]) == 0
    rows = list(csv.reader(io.StringIO((tmp_path / "o" / "key.csv").read_text(encoding="utf-8"))))
    assert [r[:2] for r in rows[1:]] == [['\'=HYPERLINK("http://x")', "'@SUM(1+1)"], ["'-s2", " Bo"]]
    assert rows[0][5:] == ["quantity", "answer"] and {r[5] for r in rows[1:]} == {"y"}  # forward: the prediction
    answers = [r[6] for r in rows[1:]]
    key = json.loads((tmp_path / "o" / "key.json").read_text(encoding="utf-8"))
    assert answers == ["; ".join(e["answer"]) for e in key["problems"]]  # numbers stay numbers, unquoted
    markdown = (tmp_path / "o" / "key.md").read_text(encoding="utf-8")
    assert "\x1b" not in markdown and "\x00" not in markdown


# Rosters and answers as spreadsheets export them.

ROSTER = [("s1", "Ada Lovelace"), ("s2", "Zoë O'Brien")]


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16-le", "utf-16-be"])
def test_rosters_of_every_spreadsheet_export_are_read(delimiter, encoding, tmp_path):
    text = delimiter.join(["id", "name", "email"]) + "\r\n" + "".join(
        delimiter.join([i, n, f"{i}@x"]) + "\r\n" for i, n in ROSTER)
    bom = {"utf-16-le": codecs.BOM_UTF16_LE, "utf-16-be": codecs.BOM_UTF16_BE}.get(encoding, b"")
    path = tmp_path / "r.csv"
    path.write_bytes(bom + text.encode(encoding))
    assert read_roster(path) == tuple(Student(i, n) for i, n in ROSTER)


def test_answers_in_utf16_with_tabs_are_read(tmp_path):
    path = tmp_path / "a.csv"
    path.write_bytes(codecs.BOM_UTF16_LE + "student\tcode\ty\r\ns1\tABC123\t-0,75\r\n".encode("utf-16-le"))
    rows, columns = read_answers(path)
    assert columns == ("y",) and [(r.student, r.code, r.cells) for r in rows] == [("s1", "ABC123", {"y": "-0,75"})]


def test_utf16_without_its_byte_order_mark_is_refused_saying_what_to_do(tmp_path):
    path = tmp_path / "r.csv"
    path.write_bytes("id,name\ns1,Ada\n".encode("utf-16-le"))
    with pytest.raises(SymdropError) as error:
        read_roster(path)
    assert str(error.value) == (f"{path}: expected UTF-8 text, or UTF-16 with a byte-order mark (NUL byte at "
                                "offset 1); save it as UTF-8 CSV")


@pytest.mark.parametrize("text", ["3/0", "3/00", "-1/000"])
def test_a_zero_denominator_in_any_spelling_is_one_clear_error(text):
    from symdrop.errors import SymdropError
    from symdrop.grading.answers import parse_number

    with pytest.raises(SymdropError, match="expected a number like 7"):
        parse_number(text)
    assert parse_number("3/010") == Fraction(3, 10)  # a zero that is not the whole denominator


@pytest.mark.parametrize("text, digits", [("9" * 40, None), ("-" + "9" * 40, None), ("+0." + "5" * 39, None),
                                          ("1/" + "3" * 39, None), ("9" * 41, 41), ("-0," + "5" * 40, 41),
                                          ("1/" + "3" * 40, 41), ("7" * 60 + "." + "7" * 60, 120),
                                          # past Python's 4,300 digits an int, no traceback: the limit first
                                          ("1/" + "3" * 4400, 4401), ("1/" + "0" * 4400, 4401)])
def test_a_students_number_has_at_most_40_digits_signs_and_points_aside(text, digits):
    from symdrop.errors import SymdropError
    from symdrop.grading.answers import parse_number

    if digits is None:
        assert parse_number(text) == Fraction(text.replace(",", "."))
    else:
        with pytest.raises(SymdropError, match=f"has {digits} digits; the limit is 40 digits per number"):
            parse_number(text)


def test_an_enormous_fraction_is_described_by_its_size():
    from symdrop.errors import describe

    assert describe(Fraction(10**5000, 3)) == "a number of about 5000 digits"  # str() would raise here
    assert describe(Fraction(1, 3)) == "Fraction(1, 3)"


def test_a_json_spec_of_null_says_what_was_expected(tmp_path, capsys):
    spec = tmp_path / "null.json"
    spec.write_text("null", encoding="utf-8")
    assert main(["solve", str(spec)]) == 2
    err = capsys.readouterr().err
    assert "expected a mapping" in err and "nested" not in err


def test_a_repeated_column_among_many_is_named(tmp_path, capsys):
    answers = tmp_path / "answers.csv"
    answers.write_text("student," + ",".join(f"c{i}" for i in range(2_000)) + ",c7\n", encoding="utf-8")
    from symdrop.grading.grade import read_answers
    from symdrop.errors import SymdropError

    with pytest.raises(SymdropError, match="column 'c7' appears twice"):
        read_answers(answers)


LIMIT = 131_072  # the README's limit on one CSV cell: Python's csv field_size_limit by default


@pytest.mark.parametrize("read, text", [
    (read_answers, "student,code,y\ns1,ABC123,7\ns2,ABC123,\"{cell}\"\n"),
    (read_roster, "id;name\ns1;Ada\ns2;\"{cell}\"\n"),  # a quoted cell of many lines, ; between cells
])
def test_a_csv_cell_over_the_limit_is_refused_naming_its_row_and_column(read, text, tmp_path):
    path = tmp_path / "f.csv"
    path.write_text(text.format(cell="x\n" * (LIMIT // 2) + "x"), encoding="utf-8")  # LIMIT + 1 characters
    with pytest.raises(SymdropError) as error:
        read(path)
    column = "3 ('y')" if read is read_answers else "2 ('name')"
    assert str(error.value) == (f"{path}: row 3, column {column}: a cell of 131,073 characters; the limit is "
                                "131,072 characters per cell")
    path.write_text(text.format(cell="x" * LIMIT), encoding="utf-8")
    assert len(read(path) if read is read_roster else read(path)[0]) == 2  # at the limit: read
    assert csv.field_size_limit() == LIMIT  # and the csv module's own limit as it was
