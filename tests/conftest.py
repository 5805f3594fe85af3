"""Shared fixtures: the tutorial network, key entries by the test references, and TeX and PyTorch
checks that fail in CI instead of skipping."""

import os
import shutil
import subprocess

import pytest

from symdrop.exercises.kinds import KINDS

from . import backprop_reference
from .reference import Spec, answer, expected_mistakes

ALL_KINDS = ",".join(KINDS)  # --kinds of a sheet with a problem of every kind


def require_pdflatex():
    """Skip without pdflatex (and the lmodern fonts every document loads) on a developer's
    machine; in CI their absence is a failure."""
    lmodern = shutil.which("kpsewhich") and subprocess.run(["kpsewhich", "lmodern.sty"], capture_output=True).returncode == 0
    if shutil.which("pdflatex") is None or not lmodern:
        if os.environ.get("CI"):
            pytest.fail("pdflatex or lmodern is missing in CI (.ci/run installs TeX Live)")
        pytest.skip("pdflatex or lmodern not installed (apt-get install texlive-latex-base texlive-latex-recommended "
                    "texlive-pictures lmodern)")


def pdf_text(pdf: bytes, tmp_path) -> str:
    """The text of a PDF in content order, as pdftotext -raw reads it (what a reader copies)."""
    if shutil.which("pdftotext") is None:
        if os.environ.get("CI"):
            pytest.fail("pdftotext is missing in CI (.ci/run installs poppler-utils)")
        pytest.skip("pdftotext not installed (apt-get install poppler-utils)")
    path = tmp_path / "text-of.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-raw", str(path), "-"], capture_output=True, text=True, check=True).stdout


def require_torch():
    """PyTorch, or a skip on a developer's machine; in CI its absence is a failure."""
    try:
        import torch
    except ImportError:
        if os.environ.get("CI"):
            pytest.fail("PyTorch is missing in CI (.ci/run installs torch==2.13.0)")
        pytest.skip("PyTorch not installed (pip install torch --index-url https://download.pytorch.org/whl/cpu)")
    return torch


def references(entry: dict):
    """The exact answer and the mistakes' answers (None for forward: its mistakes are their own
    answers) of a key.json entry, by the test references."""
    p = Spec(entry["spec"])
    if entry["kind"] == "backprop":
        return backprop_reference.gradients(p), backprop_reference.expected_mistakes(p)
    wrong = expected_mistakes(entry["kind"], p) if entry["kind"] != "forward" else None
    return answer(entry["kind"], p), wrong


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
