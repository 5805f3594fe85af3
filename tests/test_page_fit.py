"""CORPUS TEST (issue #14, "nothing off the page"): every PDF of a broad corpus keeps its text on the page.

A few runs build the corpus: every example spec in every mode (training, test time, --symbolic
masks and all), expect with sigmoid, tanh and leaky ReLU, with --samples and --symbolic-q, backprop,
a network of 7 layers, two sigmoid layers of three units, and three, a 250-problem sheet (50 of each kind, without pictures: they cost most of the TeX time),
a class set of 30 students, a sheet of problems taller than a page (a layer of 9 units), and networks of 16 and
64 units a layer (every entry of x and W must be in the PDF). Each PDF is then checked two ways, independently of the code that
laid it out:

- every word ``pdftotext -bbox`` finds lies inside the page's text area (the A4 page less the 2.2 cm
  margins of the preamble) horizontally, and above its bottom (below it only the page number);
- every number a value of the JSON output holds (a prediction, a mean, a decimal, a standard error,
  a key's answers) is a word of the PDF's text. pdftotext drops what lies past the page's edge, so
  a value set off the page fails here (a fraction's numerator and denominator are words of their own).

It needs pdflatex and pdftotext (CI installs both, and fails without them) and takes about a minute.
"""

import json
from fractions import Fraction
from decimal import ROUND_HALF_UP, Context, Decimal
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from symdrop.cli import main

from .conftest import ROOT, THREE_SMOOTH, TUTORIAL, TWO_SIGMOIDS, pdf_text, require_pdflatex
from .test_matrixfit import SIXTEEN_OUTPUTS, wide_spec

pytestmark = pytest.mark.slow  # the corpus: dozens of PDFs, about a minute of TeX

EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))

# The text area of the preamble (a4paper, margin=2.2cm), in PostScript points as pdftotext gives them.
PAGE_WIDTH, PAGE_HEIGHT = 595.276, 841.89
MARGIN = 2.2 / 2.54 * 72
TOLERANCE = 1.0  # points: rounding, and TeX's \hfuzz of 0.1 pt
DEPTH = 8.0  # points the last line of a page may reach below the text area: its depth

SEVEN_LAYERS = """\
title: Seven layers
input: [1, -1]
layers:
  - {weights: [[1, 2], [-1, 1]], bias: [0, 1]}
  - {weights: [[1, -1], [2, 1]], bias: [1, 0]}
  - {weights: [[1, 1], [-1, 2]], bias: [0, -1]}
  - {weights: [[2, -1], [1, 1]], bias: [1, 1]}
  - {weights: [[1, 2], [1, -1]], bias: [0, 2]}
  - {weights: [[-1, 1], [1, 1]], bias: [1, 0]}
  - {weights: [[1, -2]], bias: [1], activation: identity}
masks: [[1, 1], [1, 0], [0, 1], [1, 1], [1, 0], [0, 1], [1, 1]]
dropout: {convention: inverted, keep: "1/2"}
"""

# The specs whose statistics (symdrop moments) the corpus holds.
MOMENTS = ("keep-per-unit", "dropconnect", "inverted-sigmoid", "linear-penalty", "seven-layers")

# A training target makes the tutorial a backprop spec.
BACKPROP = TUTORIAL.read_text(encoding="utf-8") + "target: [5]\n"
# DropConnect over a batch of three: each example's own masked weights, a sigmoid output (decimals)
DROPCONNECT_BATCH = """title: DropConnect over a batch, weight scaling
input: [["0.5", -1, 2], [1, "1/3", -2], [0, 2, "3/4"]]
layers:
  - weights: [[1, -1, "1/2"], [2, 1, 0], [0, 1, -1]]
    bias: [0, 1, -1]
  - weights: [[1, "2/3", -2]]
    bias: ["1/4"]
    activation: sigmoid
masks:
  - [[[1, 0, 1], [1, 1, 1], [0, 1, 1]], [[1, 1, 0]]]
  - [[[1, 1, 0], [0, 1, 1], [1, 1, 1]], [[0, 1, 1]]]
  - [[[0, 1, 1], [1, 1, 0], [1, 0, 1]], [[1, 1, 1]]]
dropout: {kind: dropconnect, convention: weight-scaling, keep: ["2/3", "4/5"]}
target: [[1], [0], [1]]
"""


# The sigmoid network: 3-4-4-2, two sigmoid hidden layers, inverted dropout keep 0.8 and
# decimals such as 0.1 (values through sigmoids of sigmoids); its moments without the target.
SIGMOID_NET = """title: Sigmoid 3-4-4-2
input: [0.5, -1, 2]
layers:
  - weights: [[0.1, -0.2, 0.3], [0.4, 0.5, -0.6], [-0.7, 0.8, 0.9], [0.2, 0.1, -0.3]]
    bias: [0.1, -0.1, 0.2, 0]
    activation: sigmoid
  - weights: [[0.3, -0.1, 0.2, 0.5], [-0.4, 0.6, 0.1, -0.2], [0.7, 0.2, -0.5, 0.3], [0.1, -0.3, 0.4, 0.2]]
    bias: [0, 0.1, -0.2, 0.3]
    activation: sigmoid
  - weights: [[0.5, -0.4, 0.3, 0.2], [-0.1, 0.2, 0.6, -0.3]]
    bias: [0.1, -0.1]
masks: [[1, 1, 1], [1, 0, 1, 1], [0, 1, 1, 1]]
dropout: {convention: inverted, keep: 0.8}
"""


def _places(text: str, places: int | None) -> str:
    """A decimal of the JSON as the document shows it: to ``places`` places (--digits), else to 6
    significant digits (a value shown in place of one too wide). Python's decimal, not symdrop's."""
    value = Decimal(text)
    if places is None:
        return str(+value.normalize(Context(prec=6, rounding=ROUND_HALF_UP)))
    return str(value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


def _sigmoid_net(folder: Path) -> dict[str, tuple[Path, list[str]]]:
    """The sigmoid network in solve, expect, backprop and moments, with and without --digits 4."""
    spec, target = folder / "sigmoid-net.yaml", folder / "sigmoid-net-target.yaml"
    spec.write_text(SIGMOID_NET, encoding="utf-8")
    target.write_text(SIGMOID_NET + "target: [1, 0]\n", encoding="utf-8")
    documents = {}
    for command, path, key in (("solve", spec, "prediction"), ("expect", spec, "exact_mean"),
                               ("backprop", target, "prediction"), ("moments", spec, "prediction.mean")):
        for places in (None, 4):
            name = f"{command}-sigmoid-net" + ("-digits" if places else "")
            options = [str(path)] + (["--digits", str(places)] if places else [])
            assert main([command, *options, "-o", str(folder / f"{name}.pdf")]) == 0, name
            assert main([command, *options, "--format", "json", "-o", str(folder / f"{name}.json")]) == 0, name
            decimals = _values(json.loads((folder / f"{name}.json").read_text(encoding="utf-8"))["decimal"], [key])
            if places is None and command in ("solve", "expect"):
                wanted = decimals  # beside the exact values, 15 digits as the JSON has them
            elif places is None and command == "backprop":
                wanted = []  # its values through nested sigmoids are shown to 6 digits; their layout is the test
            else:
                wanted = [_places(v, places) for v in decimals]
            documents[name] = (folder / f"{name}.pdf", wanted)
    return documents


def _specs(folder: Path) -> dict[str, Path]:
    specs = {"tutorial": TUTORIAL, **{path.stem: path for path in EXAMPLES}}
    (folder / "seven-layers.yaml").write_text(SEVEN_LAYERS, encoding="utf-8")
    (folder / "backprop.yaml").write_text(BACKPROP, encoding="utf-8")
    (folder / "two-sigmoids.yaml").write_text(TWO_SIGMOIDS, encoding="utf-8")
    (folder / "three-smooth.yaml").write_text(THREE_SMOOTH, encoding="utf-8")
    (folder / "dropconnect-batch.yaml").write_text(DROPCONNECT_BATCH, encoding="utf-8")
    # The same with the input never dropped: 9 maskable units, within expect's limit for it.
    nine = THREE_SMOOTH.replace("masks: [[1, 0, 1],", "masks: [[1, 1, 1],").replace('keep: ["2/3",', "keep: [1,")
    (folder / "three-smooth-nine.yaml").write_text(nine, encoding="utf-8")
    return {**specs, "seven-layers": folder / "seven-layers.yaml", "two-sigmoids": folder / "two-sigmoids.yaml",
            "three-smooth": folder / "three-smooth.yaml", "dropconnect-batch": folder / "dropconnect-batch.yaml"}


def _has_dropout(spec: Path) -> bool:
    return "dropout:" in spec.read_text(encoding="utf-8")


def _solve_runs(specs: dict[str, Path]) -> list[tuple[str, str, list[str]]]:
    """(document, command, options) of every single-spec document."""
    runs = []
    for name, spec in specs.items():
        if name == "linear-penalty":  # a batch whose statistics the corpus holds (MOMENTS)
            runs.append(("solve-linear-penalty", "solve", [str(spec)]))
            continue
        if name in ("batch", "dropconnect-batch"):  # a batch: no --symbolic; its forward pass in both modes, its means, its backward pass
            runs += [(f"solve-{name}", "solve", [str(spec)]), (f"solve-{name}-test", "solve", [str(spec), "--mode", "test"]),
                     (f"expect-{name}", "expect", [str(spec)]), (f"backprop-{name}", "backprop", [str(spec), "--step", "1/10"])]
            continue
        runs.append((f"solve-{name}", "solve", [str(spec)]))
        if name in ("dropconnect", "keep-per-unit"):  # no --symbolic: its pass in both modes, its mean, its backward pass
            runs += [(f"solve-{name}-test", "solve", [str(spec), "--mode", "test"]), (f"expect-{name}", "expect", [str(spec)]),
                     (f"backprop-{name}", "backprop", [str(spec), "--step", "1/10"])]
            continue
        if name == "three-smooth":  # expect: past its limit of maskable units
            runs += [(f"solve-{name}-{m}", "solve", [str(spec), "--symbolic", m]) for m in ("masks", "all")]
            runs.append((f"solve-{name}-test", "solve", [str(spec), "--mode", "test"]))
            continue
        runs.append((f"solve-{name}-masks", "solve", [str(spec), "--symbolic", "masks"]))
        if name != "seven-layers":  # 2^7 paths: a closed form of 128 terms per unit is no test of layout
            runs.append((f"solve-{name}-all", "solve", [str(spec), "--symbolic", "all"]))
        if _has_dropout(spec):
            runs.append((f"solve-{name}-test", "solve", [str(spec), "--mode", "test"]))
            runs.append((f"expect-{name}", "expect", [str(spec)]))
    sigmoid = specs["inverted-sigmoid"]
    runs.append(("expect-inverted-sigmoid-samples", "expect", [str(sigmoid), "--samples", "200", "--seed", "3"]))
    runs.append(("expect-inverted-sigmoid-symbolic-q", "expect", [str(sigmoid), "--symbolic-q"]))
    runs.append(("expect-three-smooth", "expect", [str(specs["three-smooth"].with_name("three-smooth-nine.yaml"))]))
    return runs


def _numbers(text: str) -> set[str]:
    """The unsigned numbers written in ``text`` (``-506/25`` holds 506 and 25)."""
    return set(re.findall(r"\d+(?:\.\d+)?", text.replace("\u2212", "-")))


def _values(data, keys) -> list[str]:
    """The strings of ``data`` under each key of ``keys`` (dotted paths), flattened."""
    found = []
    for key in keys:
        value = data
        for part in key.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        stack = [value]
        while stack:
            item = stack.pop()
            if isinstance(item, list):
                stack.extend(item)
            elif isinstance(item, str):
                found.append(item)
    return found


def _exact_or_decimal(data: dict, key: str) -> list[str]:
    """A value's 15-digit decimal where it is irrational (its exact form is then an expression in
    tanh and e, set across rows), else its exact rational."""
    decimal = data.get("decimal", {})
    return _values(decimal, [key]) if key in decimal else _values(data, [key])


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> dict[str, tuple[Path, list[str]]]:
    """Every document of the corpus: its PDF and the values (from the JSON output) its text must hold."""
    require_pdflatex()
    if shutil.which("pdftotext") is None:
        pdf_text(b"", tmp_path_factory.mktemp("probe"))  # skips, or fails in CI, with the install line
    folder = tmp_path_factory.mktemp("corpus")
    specs = _specs(folder)
    documents = {}
    for name, command, options in _solve_runs(specs):
        pdf, data = folder / f"{name}.pdf", folder / f"{name}.json"
        assert main([command, *options, "-o", str(pdf)]) == 0, name
        assert main([command, *options, "--format", "json", "-o", str(data)]) == 0, name
        values = json.loads(data.read_text(encoding="utf-8"))
        if "--symbolic-q" in options:
            wanted = []  # the mean is an expression in q; its layout is what the page check tests
        elif command == "expect":
            wanted = [v for key in ("exact_mean", "approximation", "difference") for v in _exact_or_decimal(values, key)]
            # The standard error, an estimate's spread, to 3 significant digits (its decimal in the JSON has 15).
            wanted += [f"{float(v):.3g}" for v in _values(values, ["monte_carlo.standard_error"])]
        elif "--symbolic" in options:
            wanted = []  # the prediction is an expression; its layout is what the page check tests
        else:
            wanted = _exact_or_decimal(values, "prediction")
        documents[name] = (pdf, wanted)

    documents.update(_sigmoid_net(folder))
    for name in MOMENTS:  # dropout's statistics: the values that are rational must be in the PDF
        spec = specs.get(name, ROOT / "examples" / f"{name}.yaml")
        pdf, data = folder / f"moments-{name}.pdf", folder / f"moments-{name}.json"
        assert main(["moments", str(spec), "-o", str(pdf)]) == 0, name
        assert main(["moments", str(spec), "--format", "json", "-o", str(data)]) == 0, name
        values = json.loads(data.read_text(encoding="utf-8"))
        keys = ["prediction.mean", "prediction.variance", "loss.mean", "penalty.expected_loss", "penalty.penalty"]
        documents[f"moments-{name}"] = (pdf, [v for v in _values(values, keys) if re.fullmatch(r"-?\d+(/\d+)?", v)])

    backprop = folder / "backprop.pdf"
    assert main(["backprop", str(folder / "backprop.yaml"), "-o", str(backprop)]) == 0
    assert main(["backprop", str(folder / "backprop.yaml"), "--format", "json", "-o", str(folder / "backprop.json")]) == 0
    documents["backprop-tutorial"] = (backprop, _values(json.loads((folder / "backprop.json").read_text()), ["loss", "prediction"]))

    # 50 problems of each kind on one sheet; and a class set of 30 students with two kinds each.
    sheet = folder / "sheet"
    assert main(["sheet", "--problems", "250", "--kinds", "forward,inverted,test-time,ensemble,backprop",
                 "--seed", "5", "--no-diagram", "--format", "latex", "--pdf", "--out", str(sheet)]) == 0
    roster = folder / "roster.csv"
    roster.write_text("id,name\n" + "".join(f"s{i:02d},Student {i}\n" for i in range(1, 31)), encoding="utf-8")
    classes = folder / "class"
    assert main(["sheet", "--roster", str(roster), "--problems", "2", "--kinds", "forward,ensemble", "--seed", "8",
                 "--values", "decimal", "--no-diagram", "--format", "latex", "--pdf", "--out", str(classes)]) == 0
    # A layer of 9 units: a problem taller than a page (its picture and 9-row matrices).
    tall = folder / "tall"
    assert main(["sheet", "--shape", "2-9-1", "--problems", "2", "--seed", "3", "--pdf", "--out", str(tall)]) == 0
    # The penalty kind's widest rows: halves and q = 3/4, 4/5 in every term of the mean outputs.
    penalty = folder / "penalty"
    assert main(["sheet", "--problems", "30", "--kinds", "penalty", "--values", "half", "--keep", "3/4,4/5", "--seed", "2",
                 "--no-diagram", "--format", "latex", "--pdf", "--out", str(penalty)]) == 0
    for label, out in (("sheet", sheet), ("class", classes), ("tall", tall), ("penalty", penalty)):
        key = json.loads((out / "key.json").read_text(encoding="utf-8"))
        # A decimal sheet prints its answers as the decimals key.json holds beside the exact form.
        answers = [v for problem in key["problems"] for v in _values(
            problem, ["answer_decimal", "test_time_decimal", "gap_decimal"] if "answer_decimal" in problem
            else ["answer", "test_time", "gap"])]
        documents[f"{label}-key"] = (out / "key.pdf", answers)
        documents[f"{label}-sheet"] = (out / "sheet.pdf", [])
        documents[f"{label}-solutions"] = (out / "solutions.pdf", answers)
    return documents


def _words(pdf: Path):
    """(page, xMin, yMin, xMax, yMax, word) of every word pdftotext finds on the pages."""
    out = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    page = 0
    for line in out.splitlines():
        if "<page " in line:
            page += 1
        match = re.search(r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*)</word>', line)
        if match:
            yield (page, *map(float, match.groups()[:4]), match.group(5))


def test_the_corpus_is_broad(corpus):
    # What the corpus is to hold: guards the test itself against a run quietly left out.
    assert {"solve-tutorial-all", "solve-inverted-sigmoid-masks", "expect-inverted-sigmoid-samples",
            "solve-seven-layers", "expect-seven-layers", "backprop-tutorial", "sheet-key", "class-solutions"} <= corpus.keys()
    assert len(corpus) >= 25


@pytest.mark.parametrize("document", [
    # The tutorial's spec has no dropout probabilities: no test mode, no expect.
    *(f"solve-{n}{m}" for n in ("tutorial", "inverted-sigmoid", "weight-scaling-gap") for m in ("", "-masks", "-all", "-test")
      if (n, m) != ("tutorial", "-test")),
    "solve-seven-layers", "solve-seven-layers-masks", "solve-seven-layers-test",
    *(f"solve-two-sigmoids{m}" for m in ("", "-masks", "-all", "-test")),
    *(f"solve-three-smooth{m}" for m in ("", "-masks", "-all", "-test")),
    *(f"expect-{n}" for n in ("inverted-sigmoid", "weight-scaling-gap", "seven-layers", "two-sigmoids")),
    "expect-inverted-sigmoid-samples", "expect-inverted-sigmoid-symbolic-q", "expect-three-smooth", "backprop-tutorial",
    *(f"{c}-{n}" for n in ("batch", "dropconnect-batch") for c in ("solve", "expect", "backprop")),
    "solve-batch-test", "solve-dropconnect-batch-test", *(f"moments-{n}" for n in MOMENTS),
    *(f"{c}-sigmoid-net{d}" for c in ("solve", "expect", "backprop", "moments") for d in ("", "-digits")),
    *(f"{r}-{d}" for r in ("sheet", "class", "tall", "penalty") for d in ("sheet", "key", "solutions")),
])
def test_every_word_lies_in_the_text_area(corpus, document):
    assert document in corpus, f"{document}: the corpus has no such document"
    pdf, _ = corpus[document]
    outside = _outside(pdf)
    assert outside == [], f"{document}: words outside the text area (page, points beyond, word): {outside[:8]}"


def _outside(pdf: Path) -> list[tuple[int, int, str]]:
    """(page, points beyond, word) of each word of ``pdf`` outside the text area."""
    # Below the text area only the page number (the footer's one word) may stand, and the depth of
    # the last line (TeX's \\maxdepth, 5.5 pt at 11 pt, and a letter's descender); above it, the header.
    bottom = PAGE_HEIGHT - MARGIN + DEPTH
    return [
        (page, round(max(MARGIN - x0, x1 - (PAGE_WIDTH - MARGIN), y1 - bottom, -y0)), word)
        for page, x0, y0, x1, y1, word in _words(pdf)
        if x0 < MARGIN - TOLERANCE or x1 > PAGE_WIDTH - MARGIN + TOLERANCE or y0 < 0
        or (y1 > bottom + TOLERANCE and word != str(page))
    ]


@pytest.mark.parametrize("document", [
    "solve-tutorial", "solve-inverted-sigmoid", "solve-inverted-sigmoid-test", "solve-seven-layers",
    "solve-three-smooth", "solve-three-smooth-test",
    "expect-inverted-sigmoid", "expect-inverted-sigmoid-samples", "expect-weight-scaling-gap", "expect-three-smooth",
    "expect-seven-layers", "backprop-tutorial", *(f"moments-{n}" for n in MOMENTS if n not in ("inverted-sigmoid", "two-sigmoids")),
    "sheet-key", "sheet-solutions", "class-key", "class-solutions", "penalty-key", "penalty-solutions",
    *(f"{c}-sigmoid-net{d}" for c in ("solve", "expect", "moments") for d in ("", "-digits")), "backprop-sigmoid-net-digits",
])
def test_every_value_of_the_json_is_in_the_pdf(corpus, document, tmp_path):
    pdf, wanted = corpus[document]
    assert wanted, f"{document}: no values to look for"
    missing = _missing(pdf, wanted, tmp_path)
    assert missing == [], f"{document}: values of the JSON output not in the PDF's text: {missing[:8]}"


def _missing(pdf: Path, wanted: list[str], tmp_path) -> list[str]:
    """The values of ``wanted`` whose numbers are not all words of ``pdf``'s text."""
    words = _numbers(pdf_text(pdf.read_bytes(), tmp_path))
    return sorted({value for value in wanted if not _numbers(value) <= words})


@pytest.fixture(scope="module")
def wide(tmp_path_factory) -> dict[str, tuple[Path, list[str]]]:
    """Networks of 16 and 64 units a layer (the limit) of two-digit fractions: their PDFs and the
    values each must hold: every entry of x and W, read from the spec (not from symdrop's output),
    and the prediction (from the JSON output)."""
    require_pdflatex()
    folder = tmp_path_factory.mktemp("wide")
    documents = {}
    for n, seed in ((16, 3), (64, 5)):
        spec, pdf, data = folder / f"wide-{n}.json", folder / f"solve-wide-{n}.pdf", folder / f"solve-wide-{n}.json"
        drawn = wide_spec(n, seed)
        spec.write_text(json.dumps(drawn), encoding="utf-8")
        assert main(["solve", str(spec), "-o", str(pdf)]) == 0
        assert main(["solve", str(spec), "--format", "json", "-o", str(data)]) == 0
        entries = drawn["input"] + [v for layer in drawn["layers"] for row in layer["weights"] for v in row]
        wanted = [str(Fraction(v)) for v in entries] + _values(json.loads(data.read_text(encoding="utf-8")), ["prediction"])
        documents[n] = (pdf, wanted)
    return documents


@pytest.mark.parametrize("units", [16, 64])
def test_a_wide_network_stays_on_the_page_with_every_number(wide, units, tmp_path):
    pdf, wanted = wide[units]
    outside = _outside(pdf)
    assert outside == [], f"{units} units: words outside the text area (page, points beyond, word): {outside[:8]}"
    missing = _missing(pdf, wanted, tmp_path)
    assert missing == [], f"{units} units: entries of x and W or the prediction not in the PDF's text: {missing[:8]}"


# A backward pass whose rows a line cannot hold: a tanh network's loss (and a cross-entropy's) written out beside its
# closed form and decimals, and 12 inputs whose dL/dx = mu^(0) (.) dL/da~^(0) is two transposed rows
# of 12 fractions (a reviewer's networks). Each equation breaks into rows that stay on the page;
# the forward pass's first sentence refers to the 12 inputs instead of running past the margin.
LONG_ROWS = {
    "tanh-loss": {"input": [1, -2], "layers": [{"weights": [[1, 2], [-1, 1]], "bias": [0, 1], "activation": "tanh"},
                                               {"weights": [[-1, 1]], "bias": [2]}],
                  "masks": [[1, 1], [1, 1]], "target": [1]},
    "twelve-inputs": {"input": ["-9/8", "7/4", "7/5", "4/2", "6/7", "9/5", "7/8", "6/7", "4/7", "-9/7", "5/2", "-2/4"],
                      "layers": [{"activation": "relu", "bias": ["-4/8", "2/9", "-9/9"], "weights": [
                          ["-5/3", "-1/3", "6/9", "6/8", "-3/3", "6/2", "3/8", "-9/9", "-1/5", "9/3", "1/2", "-9/2"],
                          ["8/2", "3/5", "4/2", "7/5", "5/9", "8/5", "2/5", "-2/9", "0/2", "4/3", "-4/6", "-6/7"],
                          ["7/8", "7/5", "0/6", "9/9", "7/8", "9/2", "6/5", "3/8", "-4/7", "8/7", "-7/9", "7/3"]]},
                                 {"bias": ["7/5"], "weights": [["-8/6", "9/8", "-4/4"]]}],
                      "masks": [[0, 0, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1], [1, 1, 1]], "target": [1]},
    # cross-entropy over six classes of fractional logits: its loss line ran 6 pt past the margin
    "six-classes": {"input": [1, 1], "masks": [[1, 1]], "target": [0, 0, 0, 0, 0, 1], "loss": "cross_entropy",
                    "layers": [{"weights": [["1/3", "1/7"], ["-2/9", "5/11"], ["3/13", "-1/17"], ["4/19", "2/23"],
                                            ["-5/29", "1/31"], ["2/37", "-3/41"]], "bias": [0, 0, 0, 0, 0, 0]}]},
    # 16 hidden units: each layer's delta = dL/da (.) g'(z) is three rows of 16 entries; the forward pass's
    # table of 16-entry vectors ran 30 pt past the margin
    "sixteen-units": {**wide_spec(16, 3), "target": ["1"]},
    # 16 outputs with fractional targets: t ran past the margin in the first sentence, as dL/dy did
    "sixteen-outputs": SIXTEEN_OUTPUTS,
    # twelve tanh units: the table of the forward pass's decimals, a row a vector, ran past the margin
    "twelve-tanh": {"input": [1, -1], "masks": [[1, 1], [1] * 12], "target": ["1/2"],
                    "layers": [{"weights": [[(i % 3) - 1, (i % 4) - 2] for i in range(12)], "bias": [i % 3 for i in range(12)],
                                "activation": "tanh"},
                               {"weights": [[(i % 5) - 2 for i in range(12)]], "bias": [1], "activation": "identity"}]},
}


@pytest.mark.slow
@pytest.mark.parametrize("name", LONG_ROWS)
def test_a_backward_pass_breaks_its_long_rows(name, tmp_path):
    require_pdflatex()
    spec = tmp_path / f"{name}.json"
    spec.write_text(json.dumps(LONG_ROWS[name]), encoding="utf-8")
    for command in ("backprop", "solve"):
        pdf = tmp_path / f"{command}-{name}.pdf"
        assert main([command, str(spec), "-o", str(pdf)]) == 0
        outside = _outside(pdf)
        assert outside == [], f"{command} {name}: words outside the text area (page, points beyond, word): {outside[:8]}"


@pytest.mark.slow
def test_a_gradients_mean_and_variance_share_a_line_only_where_it_holds_both(tmp_path):
    """moments of the twelve inputs, the first layer kept and the hidden layer dropped with
    q = 1/2: E[dL/dW^(2)] and its variance, rows of 20-digit fractions, each on its own line."""
    require_pdflatex()
    spec = {**LONG_ROWS["twelve-inputs"], "masks": [[1] * 12, [1, 1, 1]], "dropout": {"keep": ["1", "1/2"]}}
    path = tmp_path / "twelve.json"
    path.write_text(json.dumps(spec), encoding="utf-8")
    assert main(["moments", str(path), "-o", str(tmp_path / "twelve.pdf")]) == 0
    outside = _outside(tmp_path / "twelve.pdf")
    assert outside == [], f"words outside the text area (page, points beyond, word): {outside[:8]}"
    assert main(["moments", str(path), "-o", str(tmp_path / "twelve.md")]) == 0
    assert "\\operatorname{Var}\\!\\left[\\frac{\\partial L}{\\partial W^{(2)}}\\right] = " in (
        tmp_path / "twelve.md").read_text(encoding="utf-8")


def test_a_class_keys_labels_stay_whole_in_its_narrow_answer_column(tmp_path):
    """The key's answer column of a class set is 0.28 of the line: a label's formula keeps to one
    line (E[L] - L(E[ŷ]) was split at its minus), the words after it may go to the next, and
    nothing runs past the margin (Var(T) with element-wise masks, one unbreakable box, ran 30 pt
    past it)."""
    require_pdflatex()
    roster = tmp_path / "roster.csv"
    roster.write_text("id,name\n" + "".join(f"s{i},Student {i}\n" for i in range(1, 7)), encoding="utf-8")
    out = tmp_path / "o"
    # seed 1: of the six noise problems, one asks Var(T) with element-wise masks and with one mask
    assert main(["sheet", "--seed", "1", "--kinds", "penalty,noise", "--problems", "2",
                 "--roster", str(roster), "--pdf", "--out", str(out)]) == 0
    lines = pdf_text((out / "key.pdf").read_bytes(), tmp_path).splitlines()
    minus = [line for line in lines if "E[L] −" in line]
    assert len(minus) == 6 and all("E[L] − L(E[" in line for line in minus), minus
    assert any("Var(T)" in line for line in lines) and any("with one mask" in line for line in lines)
    assert _outside(out / "key.pdf") == []
