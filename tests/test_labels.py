"""Mistakes' labels (symdrop/exercises/labels.py): formulas as math where a format sets math, plain text elsewhere."""

import json
import subprocess
from functools import lru_cache

import pytest

from symdrop.exercises.kinds import KINDS, OPTIONS, parse_kinds
from symdrop.exercises.labels import as_text, label_of, plain, runs, well_formed
from symdrop.exercises.options import Options
from symdrop.exercises.sheet import build_sheet
from symdrop.render.env import make_env
from symdrop.render.sheets import key_json

from .conftest import pdf_text, require_pdflatex

VARIANCE = r"forgot to square $w x$: $\operatorname{Var}(z_i) = \sum_j w_{ij} x_j \operatorname{Var}(m/q)$"


@pytest.mark.parametrize("label, expected", [
    # written by hand: what key.csv, check and the LMS feedback said before labels had math
    (VARIANCE, "forgot to square w x: Var(z_i) = sum_j w_ij x_j Var(m/q)"),
    (r"took one mask shared by every input: $(\sum w x)^2 \operatorname{Var}(\mu)$",
     "took one mask shared by every input: (sum w x)^2 Var(mu)"),
    (r"used $W$ instead of the masked weights $\tilde{W}$ going back", "used W instead of the masked weights W~ going back"),
    (r"used $a$ instead of the masked input in $\partial L/\partial W$", "used a instead of the masked input in dL/dW"),
    (r"took $E[u^2] = q + {\alpha'}^2 (1 - q)$ for $\operatorname{Var}(u)$",
     "took E[u^2] = q + alpha'^2 (1 - q) for Var(u)"),
    (r"gave the weighted geometric mean $G = \prod \sigma(S)^P$", "gave the weighted geometric mean G = prod sigma(S)^P"),
    (r"costs \$5 \\ more", "costs $5 \\ more"),
])
def test_a_labels_plain_form_writes_its_formulas_as_a_student_types_them(label, expected):
    assert well_formed(label)
    assert plain(label) == expected


def test_a_label_is_words_and_math_runs():
    assert runs(VARIANCE) == ((False, "forgot to square "), (True, "w x"), (False, ": "),
                              (True, r"\operatorname{Var}(z_i) = \sum_j w_{ij} x_j \operatorname{Var}(m/q)"))
    assert runs(as_text("costs $5 \\ more")) == ((False, "costs $5 \\ more"),)


@pytest.mark.parametrize("label", [
    r"a $\input{/etc/passwd}$", r"$\write18{rm}$", "one $ alone", r"$x}{$", r"$x{$", "$a<b$", "$a & b$", r"$a\$b$",
    r"words \x", r"$\mu\\$",
    # well formed characters that TeX reads otherwise or cannot set: ^^5c is a backslash to TeX
    # (this one \input{/etc/hostname}), a script of nothing, \tilde without its argument, a script in \text
    r"$x^^5cinput^^7b/etc/hostname^^7d$", "$y^$", r"$\sum_$", "$x^ ^y$", r"$\tilde$", r"$\operatorname Var$",
    r"$\text{a_b}$",
    # a second script of one kind on one base (TeX stops: Double superscript), and | (a Markdown table's cell ends there)
    "$x^a^b$", "$x_{i} _{j}$", r"$x^\mu^2$", "$|x|$ and $x$",
])
def test_a_label_whose_math_is_not_the_few_commands_labels_use_is_not_well_formed(label):
    assert not well_formed(label)


@pytest.mark.parametrize("label", ["$x_i^2$", "$w^{(l)}_{ij}$", "$x^{a^{b}}$", r"$\tilde{a}^{(0)}_j$", "$x_{i}^{2} y^2$"])
def test_scripts_of_both_kinds_on_one_base_are_well_formed(label):
    assert well_formed(label)


def test_a_keys_label_is_typeset_only_where_its_tex_is_well_formed_and_reads_as_its_label():
    assert label_of("forgot to square w x: Var(z_i) = sum_j w_ij x_j Var(m/q)", VARIANCE) == VARIANCE
    assert label_of("edited by hand", VARIANCE) == "edited by hand"  # label_tex left stale
    assert label_of("x inputa", r"x $\input{a}$") == "x inputa"
    assert label_of("x^^5cinput^^7ba^^7d", "$x^^5cinput^^7ba^^7d$") == "x^^5cinput^^7ba^^7d"  # its words
    assert label_of("costs $5", None) == r"costs \$5"  # a hand-written key: its $ a dollar sign
    assert plain(label_of("costs $5", None)) == "costs $5"


@lru_cache(maxsize=None)
def _macros(fmt: str):
    return make_env().get_template(f"{fmt}/macros.j2").make_module({"engine": "pdflatex"})


@pytest.mark.parametrize("fmt, expected", [
    ("latex", r"\usertext{forgot to square }$w x$\usertext{: }$\operatorname{Var}(z_i) = \sum_j w_{ij} x_j "
              r"\operatorname{Var}(m/q)$"),
    ("markdown", r"forgot to square $w x$: $\operatorname{Var}(z_i) = \sum_j w_{ij} x_j \operatorname{Var}(m/q)$"),
    ("html", '<span class="tex2jax_ignore mathjax_ignore">forgot to square </span>$w x$<span class="tex2jax_ignore '
             r'mathjax_ignore">: </span>$\operatorname{Var}(z_i) = \sum_j w_{ij} x_j \operatorname{Var}(m/q)$'),
])
def test_each_format_sets_a_labels_formulas_as_its_math(fmt, expected):
    assert str(_macros(fmt).label(VARIANCE)) == expected


def test_a_labels_words_are_escaped_as_users_text_in_every_format():
    label = as_text('<b>O\'Brien</b> & "$5" \\ 50% #1') + r" $q$"
    assert str(_macros("latex").label(label)) == (r"\usertext{\textless{}b\textgreater{}O\textquotesingle{}Brien"
                                                  r"\textless{}/b\textgreater{} \& \textquotedbl{}\$5\textquotedbl{} "
                                                  r"\textbackslash{} 50\% \#1 }$q$")
    html = str(_macros("page").label(label))
    assert "<b>" not in html and "&#60;b&#62;O" in html and "&#38;" in html and html.endswith("$q$")
    assert html.count("$") == 2  # the user's dollar sign a reference: no math for MathJax or the page
    assert str(_macros("markdown").label(label)).endswith(r"\$5" + '" \\ 50% #1 $q$')


def _every_label() -> set[str]:
    """The labels of every kind (and kind with an option), over a few seeds, as sheet writes them."""
    found = set()
    for name in (*KINDS, *OPTIONS):
        for seed in range(3):
            for e in build_sheet(seed, Options(), 3, kinds=parse_kinds(name)).exercises:
                found.update(m.label for m in e.mistakes)
    return found


@lru_cache(maxsize=None)
def every_label() -> tuple[str, ...]:
    return tuple(sorted(_every_label()))


def test_every_label_of_every_kind_is_well_formed_and_has_a_plain_form():
    labels = every_label()
    assert len(labels) > 60
    assert sum(any(math for math, _ in runs(label)) for label in labels) > 40  # most name a formula
    for label in labels:
        assert well_formed(label), label
        assert not set(plain(label)) & set("\\{}$"), label
        assert label_of(plain(label), label) == label  # read back from a key as written


@pytest.mark.parametrize("fmt", ["latex", "markdown", "html", "page"])
def test_every_label_renders_in_every_format(fmt):
    for label in every_label():
        text = str(_macros(fmt).label(label))
        for math, run in runs(label):
            assert (f"${run}$" if math else "") in text


@pytest.mark.slow
def test_every_label_compiles_with_pdflatex_and_reads_as_math(tmp_path):
    """Every label set in one LaTeX document (the key's preamble): it compiles, and reads back
    with its formulas set as math (a sum sign, not the word "sum")."""
    require_pdflatex()
    rows = "\n\n".join(str(_macros("latex").label(label)) for label in every_label())
    preamble = make_env().get_template("latex/preamble.tex.j2")
    source = (preamble.render(engine="pdflatex", tikz=False, standalone=True)
              + "\n\\begin{document}\n" + rows + "\n\\end{document}\n")
    (tmp_path / "labels.tex").write_text(source)
    run = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "labels.tex"], cwd=tmp_path,
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stdout[-2000:]
    text = pdf_text((tmp_path / "labels.pdf").read_bytes(), tmp_path)
    assert "forgot to square" in text and "sum w x" not in text and "Var(mu)" not in text
    assert "∑" in text and "μ" in text


def test_key_json_and_csv_keep_the_plain_label_and_the_tex_beside_it():
    sheet = build_sheet(7, Options(), 3, kinds=parse_kinds("variance,dropconnect"))
    key = json.loads(json.dumps(key_json(sheet)))
    listed = [m for p in key["problems"] for m in p["mistakes"]]
    forgot = next(m for m in listed if m["id"] == "forgot_square")
    assert forgot["label"] == "forgot to square w x: sum w x Var(mu)"
    assert forgot["label_tex"] == r"forgot to square $w x$: $\sum w x \operatorname{Var}(\mu)$"
    masked = next(m for m in listed if m["id"] == "masked_bias")
    assert masked["label"] == "masked the bias too" and "label_tex" not in masked
