"""Users' text prints literally in LaTeX (checked in the PDF) and in Markdown."""

import re

import pytest

import symdrop
from symdrop import derive, parse_spec, to_spec
from symdrop.render.escape import escape_markdown, escape_tex, escape_tex_breaking
from symdrop.io.tex import compile_pdf

from .conftest import HOSTILE, pdf_text, require_pdflatex


@pytest.mark.parametrize(
    "text, expected",
    [
        ("a & b", r"\usertext{a \& b}"),
        ("50%", r"\usertext{50\%}"),
        (r"\input", r"\usertext{\textbackslash{}input}"),
        ("x_1^2", r"\usertext{x\_1\textasciicircum{}2}"),
        ("Zoë", r"\usertext{Zoë}"),
        ("Ħ", r"\usertext{Ħ}"),  # no pdflatex encoding has it: the document is LuaLaTeX's
        ("Ana 😀", r"\usertext{Ana [U+1F600]}"),  # no font has it: shown, not fatal
        ("王小明", r"\usertext{\userscript{cjk}{王\allowbreak{}小\allowbreak{}明}}"),
        # the space between two Arabic words stays in their run (read right to left), the outer ones do not
        ("Ali محمد علي (2)", r"\usertext{Ali \userscript{arab}{محمد علي} (2)}"),
        ("דוד & अमित", r"\usertext{\userscript{hebr}{דוד} \& \userscript{deva}{अमित}}"),
        ("a → b", r"\usertext{a → b}"),  # Latin Modern, the document's font, has it
        ("Σωκράτης", r"\usertext{\userscript{main}{Σωκράτης}}"),  # Latin Modern has no Greek: Noto Serif
        ("a\nb", r"\usertext{a b}"),
    ],
)
def test_escape_tex(text, expected):
    assert escape_tex(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("s1", r"\usertext{s1}"),
    ("abcdef Ann", r"\usertext{abcdef Ann}"),  # six characters fit the narrowest column: as they are
    ("Ann Abcdefg", r"\usertext{Ann \symdroprun{A\/b\/c\/d\/e\/f\/g}}"),  # seven: a run
    # a hyphen ends a run (TeX breaks after it), TeX's specials are one character each
    ("abc-defghij", r"\usertext{abc-{}\symdroprun{d\/e\/f\/g\/h\/i\/j}}"),
    ("a_b&cdef", r"\usertext{\symdroprun{a\/\_\/b\/\&\/c\/d\/e\/f}}"),
    ("محمدعلي", r"\usertext{\userscript{arab}{\symdroprun{م\/ح\/م\/د\/ع\/ل\/ي}}}"),
    ("王小明王小明王", r"\usertext{\userscript{cjk}{王\allowbreak{}小\allowbreak{}明\allowbreak{}王\allowbreak{}小\allowbreak{}明\allowbreak{}王}}"),
    # no break before a vowel sign or a virama, nor after a virama: a conjunct stays whole
    ("धर्मेन्द्रकुमार", r"\usertext{\userscript{deva}{\symdroprun{ध\/र्मे\/न्द्र\/कु\/मा\/र}}}"),
    ("😀😀", r"\usertext{\symdroprun{[U+1F600]\/[U+1F600]}}"),  # a placeholder counts its nine characters
])
def test_escape_tex_breaking_marks_long_runs_between_characters(text, expected):
    assert escape_tex_breaking(text) == expected


@pytest.mark.parametrize("text", HOSTILE + ["verylongfirstname.lastname@university-example.edu", "Ali محمد علي (2)"])
def test_escape_tex_breaking_is_escape_tex_with_breaks(text):
    marks = r"\\symdroprun\{|\\/|\}"  # the runs' braces, their breaks, and every closing brace
    assert re.sub(marks, "", escape_tex_breaking(text)) == re.sub(marks, "", escape_tex(text))


@pytest.mark.parametrize("text, expected", [
    # what Markdown acts on, escaped where it stands: emphasis, math, a link's target, a table's cell
    ("*bold* $x$ [l](u) ![i](j)", r"\*bold\* \$x\$ [l\](u) ![i\](j)"),
    ("a | b `c`", r"a \| b \`c\`"),
    ("_x x_ s_01 a_b_c", r"\_x x\_ s_01 a_b_c"),  # _ inside a word opens nothing
    ("~x~ W~ going", r"\~x~ W~ going"),  # a ~ before a space opens no strikethrough
    ("<b> <!-- <http://a> a<3 a < b", r"\<b> \<!-- \<http://a> a<3 a < b"),
    ("AT&amp;T &#35; AT&T", r"AT\&amp;T \&#35; AT&T"),  # an entity's & only: &amp; shows as typed
    ("a\\b a\\* a\\", "a\\b a\\\\\\* a\\\\"),  # a backslash before punctuation, or last
    ("Room # 7 ##", r"Room # 7 \##"),  # a heading's closing sequence
    # a plain viewer shows the rest as typed: numbers, dashes, dots, parentheses, brackets
    ("-26.0", "-26.0"),
    ("-7; 4 (3, 0, -2) [3 0 -2]", "-7; 4 (3, 0, -2) [3 0 -2]"),
    ("used t - y instead of y - t", "used t - y instead of y - t"),
    ("Zoë O'Brien-Łukasiewicz (TA) #1. + = > !", "Zoë O'Brien-Łukasiewicz (TA) #1. + = > !"),
    ("E[(m/q)^2] = 1/q, w_ij x_j", "E[(m/q)^2] = 1/q, w_ij x_j"),
    ("a\nb\tc\x00d", "a b c d"),  # one line, no controls
])
def test_escape_markdown(text, expected):
    assert escape_markdown(text) == expected


@pytest.mark.parametrize("title", HOSTILE)
def test_hostile_title_prints_literally_in_the_pdf(title, tmp_path, monkeypatch):
    require_pdflatex()
    monkeypatch.chdir(tmp_path)
    spec = to_spec(symdrop.example())
    spec["title"] = title
    pdf = compile_pdf(derive(parse_spec(spec)).to_latex())
    first_line = pdf_text(pdf, tmp_path).splitlines()[0]
    assert first_line == title
    assert not (tmp_path / "pwned").exists()


def test_lms_escapes_by_hand():
    from symdrop.render.escape import escape_cloze, escape_html, escape_xml_text

    assert escape_html("a<b & $c$ {1:NM:=2} \\(x\\)\x1b") == (
        '<span class="tex2jax_ignore mathjax_ignore">a&#60;b &#38; &#36;c&#36; &#123;1:NM:=2&#125; &#92;(x&#92;) </span>')
    assert escape_cloze("a } # ~ \\ & <") == "a &#125; &#35; &#126; &#92; &amp;#38; &amp;#60;"
    assert escape_xml_text('a & <b> "c"\n\x00\x1bd\te') == "a &amp; &lt;b&gt; &quot;c&quot;\n  d e"


def test_an_identifier_stays_in_the_typewriter_font_and_anything_else_is_users_text():
    from symdrop.render.escape import escape_ident
    assert escape_ident("forgot_scale") == r"forgot\_scale"  # no \usertext: LuaLaTeX's Noto Serif would replace \texttt's font
    assert escape_ident("x&y {z}") == r"\usertext{x\&y \{z\}}"


# pdflatex, and lualatex for the Greek (slow: LuaLaTeX loads its fonts)
@pytest.mark.parametrize("name", ["Ada Lovelace", pytest.param("Σωκράτης", marks=pytest.mark.slow)])
def test_mistake_ids_in_a_key_copy_out_as_typed_in_typewriter_type(tmp_path, name):
    require_pdflatex()
    import subprocess

    from symdrop.cli import main

    roster = tmp_path / "roster.csv"
    roster.write_text(f"id,name\ns1,{name}\n", encoding="utf-8")
    assert main(["sheet", "--kinds", "backprop", "--roster", str(roster), "--seed", "8", "--pdf", "--out", str(tmp_path / "o")]) == 0
    key = (tmp_path / "o" / "key.pdf").read_bytes()
    assert "backward_forgot_mask" in pdf_text(key, tmp_path)  # the key's table of common mistakes
    fonts = subprocess.run(["pdffonts", str(tmp_path / "o" / "key.pdf")], capture_output=True, text=True, check=True).stdout
    assert "LMMono10" in fonts
