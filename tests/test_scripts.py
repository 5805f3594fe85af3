"""Every name in its own script: the font table against the fonts, the engine each document needs,
and PDFs whose names copy out as typed, in vector fonts, inside the page, with aligned tables."""

import csv
import json
import os
import re
import subprocess
import unicodedata

import pytest

import symdrop
from symdrop import derive
from symdrop.cli import main
from symdrop.io.tex import compile_pdf
from symdrop.render.escape import placeholders, tex_engine
from symdrop.render.scripts import FONTS, font_of

from .conftest import missing, require, require_pdflatex

# The fonts each name of render/scripts.py stands for (Debian's fonts-noto-core, fonts-noto-cjk,
# lmodern's fonts-lmodern), every face a document may use.
NOTO, NOTO_CJK = "/usr/share/fonts/truetype/noto/", "/usr/share/fonts/opentype/noto/"
LM = "/usr/share/texmf/fonts/opentype/public/lm/"
FACES = {
    "main": [NOTO + f"NotoSerif-{face}.ttf" for face in ("Regular", "Bold", "Italic")],
    "lm": [LM + f"lmroman10-{face}.otf" for face in ("regular", "bold", "italic")],
    "cjk": [NOTO_CJK + f"NotoSerifCJK-{face}.ttc" for face in ("Regular", "Bold")],
    "arab": [NOTO + f"NotoNaskhArabic-{face}.ttf" for face in ("Regular", "Bold")],
    "hebr": [NOTO + f"NotoSerifHebrew-{face}.ttf" for face in ("Regular", "Bold")],
    "deva": [NOTO + f"NotoSerifDevanagari-{face}.ttf" for face in ("Regular", "Bold")],
}

# A roster of long names in every script the documents print, and one no font has (the emoji).
NAMES = {
    # pdflatex prints these as typed
    "latin": "Zoë O'Brien-Łukasiewicz Ærøskøbing Çağlayan Ñúñez-Ångström Şerban Žďárský Œuvré Øyvind Ŕáďő",
    # pdflatex prints these, but they copy out as others (Ð, "s,", ı̃): LuaLaTeX's
    "latin-lualatex": "Đorđe Ștefan Țiriac Ģirts Ķēniņš Ļaudis Ņina Ŗ Įeva Ųla ĩĭ ẞ",
    "vietnamese": "Nguyễn Thị Minh Khai Đặng Phước Vĩnh Thụy Trần Hưng Đạo",
    "greek": "Σωκράτης Παπαδόπουλος-Καραμανλής-Αλεξανδρόπουλος-Χατζηγεωργίου",
    "cyrillic": "Пётр Ильич Чайковский-Римский-Корсаков-Мусоргский-Бородин",
    "chinese": "欧阳诸葛司马上官长孙慕容东方夏侯皇甫尉迟公孙令狐宇文",
    "japanese": "田中さくら",
    "korean": "김민준",
    "arabic": "محمد بن سلمان بن عبد العزيز آل سعود",
    "hebrew": "דוד בן־גוריון ויצחק רבין ושמעון פרס",
    "devanagari": "अमिताभ बच्चन",
    "emoji": "Ana 😀 Silva",
}
# pdftotext -raw writes a right-to-left run in logical order, a letter a line between bidi
# marks, Arabic letters in their joined forms (FE70..FEFF): compared without white space and
# marks, after NFKC (which maps the forms back to letters).
BIDI_MARKS = dict.fromkeys(map(ord, "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"))


def charset(path: str) -> set[int]:
    """The characters a font file has, as fontconfig reads its character map."""
    out = subprocess.run(["fc-query", "-i", "2" if path.endswith(".ttc") else "0", "--format", "%{charset}", path],
                         capture_output=True, text=True, check=True).stdout
    codes = set()
    for part in out.split():
        start, _, end = part.partition("-")
        codes.update(range(int(start, 16), int(end or start, 16) + 1))
    return codes


def require_fonts():
    require("fc-query", "lualatex")
    files = [f for faces in FACES.values() for f in faces]
    if not all(os.path.exists(f) for f in files):
        missing("Noto or Latin Modern fonts", "apt-get install texlive-luatex fonts-noto-core fonts-noto-cjk lmodern")


@pytest.mark.parametrize("font", FONTS)
def test_every_character_the_table_gives_a_font_is_in_each_of_its_faces(font):
    require_fonts()
    claimed = {code for start, end in FONTS[font] for code in range(start, end + 1)}
    for face in FACES[font]:
        lacking = claimed - charset(face)
        assert not lacking, (face, [f"U+{c:04X}" for c in sorted(lacking)[:10]])


@pytest.mark.parametrize("char, font", [
    ("e", "lm"), ("é", "lm"), ("Ł", "lm"), ("ệ", "lm"), ("Ħ", "lm"), ("→", "lm"),  # the document's Latin Modern
    ("ĸ", "main"), ("ƀ", "main"), ("Σ", "main"), ("ώ", "main"), ("Ж", "main"), ("ђ", "main"),  # Noto Serif
    ("王", "cjk"), ("さ", "cjk"), ("カ", "cjk"), ("한", "cjk"),
    ("。", "cjk"), ("م", "arab"), ("ש", "hebr"), ("क", "deva"), ("\u094d", "deva"),
    ("😀", None), ("ก", None), ("\U00020000", None), ("ᚠ", None),
])
def test_font_of(char, font):
    assert font_of(char) == font


@pytest.mark.parametrize("text, engine", [
    ("plain ASCII & 100%", "pdflatex"),
    ("Zoë O'Brien-Łukasiewicz, Søren Ærø, José Núñez, Ünal Çelik", "pdflatex"),  # T1 has them all
    ("Ana [U+1F600]", "pdflatex"),  # a placeholder is ASCII
    ("Đorđe", "lualatex"), ("Ștefan", "lualatex"), ("Ģirts", "lualatex"), ("ﬁ", "lualatex"),
    ("Σωκράτης", "lualatex"), ("Пётр", "lualatex"), ("Nguyễn", "lualatex"), ("王", "lualatex"),
    ("محمد", "lualatex"), ("Ħ", "lualatex"),
])
def test_tex_engine(text, engine):
    assert tex_engine(text) == engine


def test_placeholders_name_each_character_no_font_has_once():
    assert placeholders("Ana 😀 😀 Silva 🎉 王 ก") == "😀🎉ก"
    assert placeholders("Σωκράτης 王小明 محمد") == ""


@pytest.mark.slow
def test_plain_documents_still_use_pdflatex_with_vector_fonts(tmp_path):
    """The tutorial (ASCII only) is pdflatex's, in Type 1 fonts, and its accents and apostrophes
    in users' text copy out of the PDF as typed."""
    require_pdflatex()
    require("pdffonts", "pdfinfo", "pdftotext")
    spec = symdrop.to_spec(symdrop.example())
    spec["title"] = NAMES["latin"]
    source = derive(symdrop.parse_spec(spec)).to_latex()
    assert source.startswith("% !TeX program = pdflatex\n")
    pdf = tmp_path / "latin.pdf"
    pdf.write_bytes(compile_pdf(source))
    assert "pdfTeX" in subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True).stdout.splitlines()[2:]
    assert fonts and all(" Type 1 " in line for line in fonts), fonts
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    assert " ".join(text.split()).startswith(NAMES["latin"] + " ")  # the title, maybe on two lines


@pytest.mark.parametrize("name, noto", [("Đorđe Ștefan", False), ("Đorđe Σωκράτης", True)])
def test_a_lualatex_key_sets_its_own_words_and_latin_names_in_one_font(name, noto, tmp_path):
    """A class set whose names need LuaLaTeX (Đ copies out wrong from pdflatex): its key's own
    words (headings, mistake labels, ids) and a Latin name are Latin Modern, as in every other
    document; Noto Serif comes in only for a name's Greek (pdffonts lists the fonts the PDF embeds)."""
    require_fonts()
    require("pdffonts")
    roster = tmp_path / "roster.csv"
    roster.write_text(f"id,name\ns01,{name}\n", encoding="utf-8")
    assert main(["sheet", "--seed", "2", "--roster", str(roster), "--format", "latex", "--no-diagram",
                 "--out", str(tmp_path / "s")]) == 0
    source = (tmp_path / "s" / "key.tex").read_text(encoding="utf-8")
    assert source.startswith("% !TeX program = lualatex\n")
    (tmp_path / "key.pdf").write_bytes(compile_pdf(source))  # the key alone: one LuaLaTeX run
    fonts = subprocess.run(["pdffonts", str(tmp_path / "key.pdf")], capture_output=True, text=True).stdout
    names = {line.split()[0].partition("+")[2] for line in fonts.splitlines()[2:]}
    assert names and all(n.startswith(("LMRoman", "LMMono", "LMMath", "CMSY", "CMMI", "CMR", "NotoSerif")) for n in names), names
    assert any(n.startswith("NotoSerif") for n in names) == noto, names


@pytest.mark.slow
def test_class_set_in_every_script(tmp_path, capsys):
    """30 students whose names are in Latin, Vietnamese, Greek, Cyrillic, CJK, Arabic, Hebrew,
    Devanagari and one with an emoji: the key is LuaLaTeX's, every name copies out as typed,
    the emoji as its placeholder and one warning naming the student, no Type 3 font, every word
    inside the text area, and the same bytes from the same source."""
    require_fonts()
    require("pdffonts", "pdftotext")
    roster = tmp_path / "roster.csv"
    students = [(f"s{i:02d}", name) for i, name in enumerate(list(NAMES.values()) * 3)][:30]
    with roster.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows([("id", "name"), *students])
    assert main(["sheet", "--roster", str(roster), "--seed", "5", "--shape", "2-3-3", "--format", "latex",
                 "--out", str(tmp_path / "out")]) == 0
    err = capsys.readouterr().err.splitlines()
    emoji = [s for s, name in students if name == NAMES["emoji"]]
    assert err == [f"symdrop: warning: student {s!r}: name {NAMES['emoji']!r} holds characters no font has; "
                   "LaTeX and PDF show them as [U+1F600]" for s in emoji]
    source = (tmp_path / "out" / "key.tex").read_text(encoding="utf-8")
    assert source.startswith("% !TeX program = lualatex\n")
    data = compile_pdf(source)
    assert compile_pdf(source) == data  # deterministic
    pdf = tmp_path / "key.pdf"
    pdf.write_bytes(data)

    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True).stdout
    assert "Type 3" not in fonts
    for family in ("NotoSerif-", "NotoSerifCJKsc-", "NotoNaskhArabic-", "NotoSerifHebrew-", "NotoSerifDevanagari-"):
        assert family in fonts

    # in content order (-raw), where a name's wrapped lines follow each other
    text = subprocess.run(["pdftotext", "-raw", str(pdf), "-"], capture_output=True, text=True).stdout
    flat = "".join(unicodedata.normalize("NFKC", text).translate(BIDI_MARKS).split())
    for script, name in NAMES.items():
        shown = name.replace("😀", "[U+1F600]")
        # names wrap in their column: compared without white space
        assert "".join(unicodedata.normalize("NFKC", shown).split()) in flat, script

    width, height, words = None, None, 0
    bbox = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True).stdout
    margin = 2.2 / 2.54 * 72  # geometry's 2.2 cm, in points
    for page in re.finditer(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', bbox, re.S):
        width, height = float(page[1]), float(page[2])
        for word in re.finditer(r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<', page[3]):
            x0, y0, x1, y1 = map(float, word.groups()[:4])
            words += 1
            assert margin - 1 <= x0 and x1 <= width - margin + 1, (word[5], x0, x1)
            assert 0 <= y0 and y1 <= height, word[5]
    assert words > 30 * 4


@pytest.mark.slow
def test_longtable_header_is_aligned_with_its_rows(tmp_path):
    """A long table whose rows are wider than its header (as the class-set key's): longtable
    sets the header with the widths it had the last run, so TeX runs until the log no longer
    asks, and the header's second column starts where its rows' do."""
    require_pdflatex()
    require("pdftotext")
    rows = "".join(f"a-wider-cell-{n} & body{n} \\\\\n" for n in range(3))
    source = ("\\documentclass{article}\\usepackage{longtable}\\begin{document}\n"
              f"\\begin{{longtable}}[l]{{@{{}}ll@{{}}}}\nx & head\\\\ \\hline\\endhead\n{rows}\\end{{longtable}}\n"
              "\\end{document}\n")
    pdf = tmp_path / "table.pdf"
    pdf.write_bytes(compile_pdf(source))
    bbox = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True).stdout
    starts = {round(float(m[1]), 1) for m in re.finditer(r'xMin="([\d.]+)"[^>]*>(?:head|body)', bbox)}
    assert len(starts) == 1, starts  # one TeX run gives two: the header's 151.0, the rows' 203.9


def test_a_title_no_font_has_gets_one_warning_where_latex_shows_it(tmp_path, capsys):
    spec = symdrop.to_spec(symdrop.example())
    spec["title"] = "Dropout 🎲 night 🎲"
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(spec), encoding="utf-8")
    assert main(["solve", str(path), "--format", "latex"]) == 0
    out, err = capsys.readouterr()
    assert r"\usertext{Dropout [U+1F3B2] night [U+1F3B2]}" in out
    assert err == ("symdrop: warning: the title 'Dropout 🎲 night 🎲' holds characters no font has; "
                   "LaTeX and PDF show them as [U+1F3B2]\n")
    assert main(["solve", str(path), "--format", "markdown"]) == 0  # Markdown shows the emoji itself
    assert capsys.readouterr().err == ""
