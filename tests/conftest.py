"""Shared helpers: the repository's paths, golden files, specs on disk, the CLI in a process, key
entries by the test references, and TeX and PyTorch checks that fail in CI instead of skipping."""

import atexit
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unicodedata
from fractions import Fraction
from pathlib import Path
from typing import NoReturn

import pytest
import yaml

from symdrop.exercises.kinds import KINDS

from . import (backprop_reference, reference_dropconnect, reference_kind_penalty, reference_minimiser, reference_noise_kind,
               reference_nwgm, reference_variance)
from .reference import Spec, answer, expected_mistakes

ROOT = Path(__file__).resolve().parent.parent  # the repository
TUTORIAL = ROOT / "symdrop" / "data" / "tutorial.yaml"  # the built-in example's spec
GOLDEN = ROOT / "tests" / "golden"
REFRESH = os.environ.get("SYMDROP_REFRESH_GOLDEN") == "1"  # SYMDROP_REFRESH_GOLDEN=1 pytest: rewrite them
ALL_KINDS = ",".join(KINDS)  # --kinds of a sheet with a problem of every kind

# Compiled templates (symdrop/render/bytecode.py) go to a folder of this run, not the user's
# ~/.cache: made by the first process (pytest-xdist's workers inherit it) and removed at its end.
if "SYMDROP_TEST_CACHE" not in os.environ or os.environ.get("XDG_CACHE_HOME") != os.environ["SYMDROP_TEST_CACHE"]:
    os.environ["SYMDROP_TEST_CACHE"] = os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="symdrop-test-cache-")
    atexit.register(shutil.rmtree, os.environ["SYMDROP_TEST_CACHE"], ignore_errors=True)


def missing(what: str, install: str = "") -> NoReturn:
    """``what`` is not installed: a failure in CI (.ci/run installs everything the tests need),
    a skip elsewhere, saying how to install it."""
    if os.environ.get("CI"):
        pytest.fail(f"{what} is missing in CI (.ci/run installs it)")
    pytest.skip(f"{what} not installed" + (f" ({install})" if install else ""))


def require(*tools: str, install: str = "") -> None:
    """The command-line programs ``tools`` on PATH, or :func:`missing`."""
    absent = [tool for tool in tools if shutil.which(tool) is None]
    if absent:
        missing(", ".join(absent), install)


def require_pdflatex():
    """Skip without pdflatex (and the lmodern fonts every document loads) on a developer's
    machine; in CI their absence is a failure."""
    lmodern = shutil.which("kpsewhich") and subprocess.run(["kpsewhich", "lmodern.sty"], capture_output=True).returncode == 0
    if shutil.which("pdflatex") is None or not lmodern:
        missing("pdflatex or lmodern", "apt-get install texlive-latex-base texlive-latex-recommended "
                "texlive-pictures lmodern")


def pdf_text(pdf: bytes, tmp_path) -> str:
    """The text of a PDF in content order, as pdftotext -raw reads it (what a reader copies), math
    italic letters as plain ones: where TeX Live maps its math fonts to Unicode (some packages'
    installs do), a formula's q copies out as U+1D45E."""
    require("pdftotext", install="apt-get install poppler-utils")
    path = tmp_path / "text-of.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", "-raw", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return MATH_LETTER.sub(lambda m: unicodedata.normalize("NFKC", m.group(0)), text)


# Unicode's mathematical alphanumeric symbols, and the italic h (Planck's constant) they leave out.
MATH_LETTER = re.compile("[\U0001D400-\U0001D7FF\u210E]")


def require_torch():
    """PyTorch, or a skip on a developer's machine; in CI its absence is a failure."""
    try:
        import torch
    except ImportError:
        missing("PyTorch", "pip install torch --index-url https://download.pytorch.org/whl/cpu")
    return torch


def golden(name: str, current: str | bytes) -> str | bytes:
    """The golden file tests/golden/NAME (text, or bytes when ``current`` is bytes), to compare
    ``current`` with; SYMDROP_REFRESH_GOLDEN=1 first rewrites it with ``current``."""
    path = GOLDEN / name
    if REFRESH:
        path.parent.mkdir(exist_ok=True)
        if isinstance(current, bytes):
            path.write_bytes(current)
        else:
            path.write_text(current, encoding="utf-8")
    return path.read_bytes() if isinstance(current, bytes) else path.read_text(encoding="utf-8")


# A sigmoid unit at sigma(10000) feeds two ReLU units, with biases -1 and 0. Dropped (mu^(1) = 0),
# they get -1 and 0, and y = 0 (by hand); a mistake that keeps the sigmoid unit (forgot the masks)
# gives the first ReLU sigma(10000) - 1 = -e^-10000 / (1 + e^-10000), within 2^-4000 of 0, whose
# sign is not decided, while its answer is near sigma(10000), about 1 (the second unit): a
# mistake one can make, whose answer cannot be computed.
UNDECIDED = {"input": [100], "layers": [{"weights": [[100]], "bias": [0], "activation": "sigmoid"},
                                        {"weights": [[1], [1]], "bias": [-1, 0], "activation": "relu"},
                                        {"weights": [[1, 1]], "bias": [0]}],
             "masks": [[1], [0], [1, 1]]}


def write_spec(tmp_path: Path, data: dict, name: str = "spec.json") -> Path:
    """``data`` written to tmp_path/NAME, as YAML when NAME ends in .yaml and as JSON otherwise."""
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data) if name.endswith(".yaml") else json.dumps(data))
    return path


def values(matrix) -> list[Fraction]:
    """The entries of a rational SymPy matrix as Fractions, to compare with the reference's."""
    return [Fraction(int(v.p), int(v.q)) for v in matrix]


def run_symdrop(*args: str, cwd=None, hashseed: int | None = None, check: bool = False) -> subprocess.CompletedProcess:
    """``python -m symdrop ARGS`` in a process of its own, its output captured as text;
    ``hashseed`` sets PYTHONHASHSEED (two processes must write the same bytes whatever it is)."""
    env = {**os.environ, "PYTHONHASHSEED": str(hashseed)} if hashseed is not None else None
    return subprocess.run([sys.executable, "-m", "symdrop", *args], cwd=cwd, env=env, check=check,
                          capture_output=True, text=True, encoding="utf-8")


def references(entry: dict):
    """The exact answer and the mistakes' answers (None for forward: its mistakes are their own
    answers) of a key.json entry, by the test references (nwgm's, irrational, to some 1e-15)."""
    if entry["kind"] == "variance":
        return reference_variance.answer(entry["spec"]), reference_variance.mistakes(entry["spec"])
    if entry["kind"] == "dropconnect":
        return reference_dropconnect.answer(entry["spec"]), reference_dropconnect.mistakes(entry["spec"])
    if entry["kind"] == "penalty":
        return reference_kind_penalty.answer(entry["spec"]), reference_kind_penalty.mistakes(entry["spec"])
    if entry["kind"] == "noise":
        return reference_noise_kind.answer(entry["spec"]), reference_noise_kind.mistakes(entry["spec"])
    if entry["kind"] == "penalty:minimiser":
        return reference_minimiser.answer(entry["spec"]), reference_minimiser.mistakes(entry["spec"])
    if entry["kind"] == "nwgm":  # irrational: Fractions of the reference's floats, within 1e-15
        return reference_nwgm.answer(entry["spec"]), reference_nwgm.mistakes(entry["spec"])
    p = Spec(entry["spec"])
    if entry["kind"] == "backprop":
        return backprop_reference.gradients(p), backprop_reference.expected_mistakes(p)
    wrong = expected_mistakes(entry["kind"], p) if entry["kind"] != "forward" else None
    return answer(entry["kind"], p), wrong


# Names and titles a user may type that LaTeX must print literally (and Markdown show as typed).
HOSTILE = [
    "Zoë O'Brien-Łukasiewicz",
    r"A & B 100% $5 #1 x_1 {y} ~z ^w \\ <|> -- ``q''",
    r"\input{/etc/passwd} \write18{touch pwned} \def\x{y} \end{document}",
    "Ünal Çelik, Søren Ærø, José Núñez",
]


# Two sigmoid layers of three units: each term of the full closed form holds an e^{...} inside an
# exponent (the worked solution writes the prediction in a^(1) instead).
TWO_SIGMOIDS = """\
title: Two sigmoid layers of three units
input: [1, -1, 2]
layers:
  - {weights: [[1, 2, 1], [-1, 1, 1], [1, 1, -1]], bias: [0, 1, 1], activation: sigmoid}
  - {weights: [[1, 1, 1], [2, -1, 1], [1, 1, 1]], bias: [0, 0, 1], activation: sigmoid}
  - {weights: [[1, -1, 1]], bias: [0], activation: tanh}
masks: [[1, 1, 1], [1, 0, 1], [1, 1, 1]]
dropout: {convention: inverted, keep: "1/2"}
"""


# Three sigmoid/tanh layers of three units with fractions (a newcomer review's): exact values
# nest exponentials in exponents, wider than a page; the worked solution names them in its sums.
THREE_SMOOTH = """\
title: Three smooth layers
input: ["1/2", "-3/4", 2]
layers:
  - weights: [["1/3", "-2/5", 1], ["3/7", "1/2", "-1/3"], [-1, "2/3", "1/4"]]
    bias: ["1/2", "-1/3", "1/5"]
    activation: sigmoid
  - weights: [["2/3", -1, "1/2"], ["-1/4", "3/5", 1], ["1/2", "1/2", "-2/3"]]
    bias: ["-1/2", "1/3", 0]
    activation: tanh
  - weights: [[1, "-1/2", "3/4"], ["1/3", 1, -1], ["-2/3", "1/5", "1/2"]]
    bias: [0, "1/4", "-1/3"]
    activation: sigmoid
  - weights: [["3/2", "-2/3", "1/4"]]
    bias: ["1/7"]
masks: [[1, 0, 1], [0, 1, 1], [1, 1, 0], [1, 0, 1]]
dropout: {convention: inverted, keep: ["2/3", "3/4", "4/5", "3/5"]}
"""


def name_compared(subject: str, names) -> "re.Pattern":
    """A line that compares a ``subject`` (anything named so: ``network.loss``, ``convention``)
    with a literal, or one of ``names`` with anything: what a layering test looks for."""
    name = "[\"'](?:" + "|".join(map(re.escape, names)) + ")[\"']"
    return re.compile(rf"""{subject}[\w.]*\s*(?:==|!=|\bin\b|\bnot in\b)\s*[("']|{name}\s*(?:==|!=)|(?:==|!=)\s*{name}""")


def lines_matching(root: Path, pattern, outside: str) -> list[str]:
    """Every line of the Python modules and templates under ``root`` (but those under a folder
    named ``outside``) that ``pattern`` finds, as ``path:line: text``: the places a test of the
    layering lists."""
    return [f"{path.relative_to(root.parent)}:{number}: {line.strip()}"
            for suffix in ("*.py", "*.j2") for path in sorted(root.rglob(suffix)) if outside not in path.parts
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
            if pattern.search(line)]
