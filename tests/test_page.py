"""--format html: one self-contained page per document, math as MathML, the picture inline SVG
whose label names the dropped units, headings in order, users' text literal."""

import re
from html.parser import HTMLParser

import pytest
import yaml

from symdrop.cli import main

from .conftest import ROOT, TUTORIAL

SPEC = ROOT / "examples" / "keep-per-unit.yaml"  # masks (1, 0, 1) and (1, 1, 0), a target, keep probabilities

HOSTILE = "<script>alert(1)</script><img src=x onerror=alert(2)> <a href=\"javascript:alert(3)\">x</a>"


class Page(HTMLParser):
    """What the tests read from a page: headings, tags, attributes, and the text of <script>."""

    def __init__(self, text: str):
        super().__init__()
        self.tags, self.headings, self.attrs, self.scripts = [], [], [], []
        self._in_script = False
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs.extend((tag, name, value or "") for name, value in attrs)
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))
        self._in_script = tag == "script"

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.scripts.append(data)


def check_page(text: str) -> Page:
    page = Page(text)
    assert text.startswith("<!DOCTYPE html>\n<html lang=\"en\">")
    assert "<math" in text and "$" not in text.replace("&#36;", "") and "\\[" not in text  # every formula MathML
    assert page.headings[0] == 1 and all(b <= a + 1 for a, b in zip(page.headings, page.headings[1:]))  # none skipped
    assert re.search(r"<title>[^<]+</title>", text)
    # A list is a list (<ul>, each item an <li> in it), never bullets and line breaks in a paragraph.
    assert "•" not in text and "<br>" not in text and text.count("<li>") == text.count("</li>")
    assert sum(block.count("<li>") for block in re.findall(r"<ul>\n(.*?)</ul>", text, re.S)) == text.count("<li>")
    # A paragraph holds no block (a browser would close it before one) and an item no layer's step.
    assert not re.search(r"<p>(?:(?!</p>).)*?<(table|div|ul|figure)\b", text, re.S)
    assert not [item for item in re.findall(r"<li>(.*?)</li>", text, re.S) if re.search(r"\.\s*<math display=\"block\"", item)]
    # Nothing fetched: no source, link or import of anything outside the page.
    assert not [a for a in page.attrs if a[1] in ("src", "href") or "url(" in a[2]] and "@import" not in text
    return page


@pytest.mark.parametrize("command", ["solve", "expect", "backprop", "moments"])
def test_a_document_is_one_page_with_mathml_and_a_described_picture(command, tmp_path):
    out = tmp_path / "page.html"
    assert main([command, str(SPEC), "--format", "html", "-o", str(out)]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["page.html"]  # the picture is in the page
    text = out.read_text(encoding="utf-8")
    page = check_page(text)
    if command in ("solve", "backprop"):  # pictures with the masks
        label = next(v for tag, name, v in page.attrs if tag == "svg" and name == "aria-label")
        assert "input layer: (1, 0, 1), dropped, crossed out: input 2 (x₂)." in label
        assert "hidden layer 1: (1, 1, 0), dropped, crossed out: unit 3 (a⁽¹⁾₃)." in label


def test_a_sheet_writes_sheet_key_and_solutions_pages(tmp_path):
    assert main(["sheet", "--seed", "5", "--problems", "2", "--kinds", "forward,nwgm", "--format", "html",
                 "--out", str(tmp_path)]) == 0
    for name in ("sheet", "key", "solutions"):
        check_page((tmp_path / f"{name}.html").read_text(encoding="utf-8"))
    # Every table's first row is its column headers, as screen readers announce them.
    key = (tmp_path / "key.html").read_text(encoding="utf-8")
    tables = re.findall(r"<table>\s*<tr>(.*?)</tr>", key, re.S)
    assert len(tables) >= 3 and "<!--head-->" not in key and key.count("<tr><th") == len(tables)  # one header row each
    for first in tables:
        assert first.startswith('<th scope="col">') and "<td" not in first
    assert '<th scope="col">common wrong answer</th><th scope="col">mistake</th><th scope="col">id</th>' in key


def test_hostile_title_is_text_not_markup(tmp_path):
    spec = yaml.safe_load(TUTORIAL.read_text())
    spec["title"] = HOSTILE
    path = tmp_path / "spec.yaml"
    path.write_text(yaml.safe_dump(spec))
    out = tmp_path / "page.html"
    assert main(["solve", str(path), "--format", "html", "-o", str(out)]) == 0
    page = Page(out.read_text(encoding="utf-8"))
    assert "script" not in page.tags and "img" not in page.tags and "a" not in page.tags
    assert not [a for a in page.attrs if a[1].startswith("on") or "javascript:" in a[2]]
    assert "&#60;script&#62;alert(1)&#60;/script&#62;" in out.read_text(encoding="utf-8")


def test_what_a_layer_drops_is_a_list(tmp_path):
    """The tutorial's masks drop unit 2 of hidden layer 1, unit 1 of hidden layer 2 and unit 1 of
    hidden layer 3 (by hand from tutorial.yaml): each said in an item of its layer's list."""
    out = tmp_path / "page.html"
    assert main(["solve", str(TUTORIAL), "--format", "html", "-o", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    check_page(text)
    items = [re.sub(r"<math.*?</math>", "", item) for item in re.findall(r"<li>(.*?)</li>", text, re.S)]
    assert [item.split(" is dropped")[0] for item in items] == [
        "Unit 2 of the first hidden layer", "Unit 1 of the second hidden layer", "Unit 1 of the third hidden layer"]


def test_plus_minus_is_an_operator():
    """A feedback's right value within a tolerance, 2.73 ± 0.0003: ± is an operator (<mo>), spaced
    and read as one, never an identifier (<mi>) as the converter writes it."""
    from symdrop.render.page import mathml

    element = mathml(r"\approx 2.73 \pm 0.0003")
    assert "<mo>&#x000B1;</mo>" in element and "<mi>&#x000B1;" not in element


def test_a_list_ends_where_its_last_item_ends_its_sentence():
    """An item goes on until its text ends a sentence (a value "removed, is" and its display),
    and what follows, a layer's step, is a block after the list (by hand)."""
    from symdrop.render.page import _paragraph

    chunk = "Before.\n<li>One, removed, is\n\\[ a = 0.5. \\]\n<li>Two is removed.\n\\[\\begin{aligned}z &= 1\\end{aligned}\\]"
    assert _paragraph(chunk) == ("<p>Before.</p>\n<ul>\n<li>One, removed, is\n\\[ a = 0.5. \\]</li>\n<li>Two is removed.</li>\n"
                                 "</ul>\n<p>\\[\\begin{aligned}z &= 1\\end{aligned}\\]</p>")
    # the display's rows on lines of their own: its full stop ends no item while it is open
    chunk = "<li>One, removed, is\n\\[\na = 0.5.\n\\]\n\\[\\begin{aligned}z &= 1\\end{aligned}\\]"
    assert _paragraph(chunk) == ("<ul>\n<li>One, removed, is\n\\[\na = 0.5.\n\\]</li>\n</ul>\n"
                                 "<p>\\[\\begin{aligned}z &= 1\\end{aligned}\\]</p>")
    # a question (a user's template) ends its item as a full stop does
    chunk = "<li>Which is removed?\n<li>Is it $a$?\nThen this."
    assert _paragraph(chunk) == "<ul>\n<li>Which is removed?</li>\n<li>Is it $a$?</li>\n</ul>\n<p>Then this.</p>"


@pytest.mark.parametrize("command", ["solve", "backprop", "moments"])
def test_a_sigmoid_networks_page_keeps_its_steps_out_of_its_lists(command, tmp_path):
    """A tanh of a sigmoid with unit 1 of hidden layer 1 dropped: the item says so, and the
    layer's step follows the list (it was inside the item); the every-mask table of moments
    stands after its sentence, not inside its paragraph."""
    spec = tmp_path / "spec.yaml"
    spec.write_text(yaml.safe_dump({
        "input": [1, 2], "masks": [[1, 1], [0, 1], [1, 1]], **({} if command == "moments" else {"target": [1]}),
        "layers": [{"weights": [[1, -1], ["1/2", 1]], "bias": [0, 1], "activation": "sigmoid"},
                   {"weights": [[1, 2], [-1, 1]], "bias": [1, 0], "activation": "tanh"},
                   {"weights": [[2, -1]], "bias": [0]}],
        "dropout": {"convention": "inverted", "keep": "1/2"}}), encoding="utf-8")
    out = tmp_path / "page.html"
    assert main([command, str(spec), "--format", "html", "-o", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    check_page(text)
    if command != "moments":
        assert "<li>Unit 1 of the first hidden layer is dropped" in text


def test_a_dropped_value_too_long_for_its_sentence_stays_in_its_item(tmp_path):
    """A sigmoid layer's a^(2)_1 (of ReLU(5/4 sigma(1) + 7/3 sigma(1) - 2/9 sigma(5) + 1), dropped by
    mu^(2) = (0, 1)) too long to stand in its sentence: 'its value, removed, is' and its display
    are one item, closed, and no tag is read as math."""
    spec = tmp_path / "spec.yaml"
    spec.write_text(yaml.safe_dump({
        "input": [1, 2], "masks": [[1, 1], [1, 1, 1], [0, 1]], "dropout": {"convention": "inverted", "keep": "1/2"},
        "layers": [{"weights": [[1, 2], [-1, 1], [2, 1]], "bias": [0, 1, 2], "activation": "sigmoid"},
                   {"weights": [["5/4", "7/3", "-2/9"], ["5/4", "7/3", "-2/9"]], "bias": [1, 0], "activation": "relu"},
                   {"weights": [[2, -1]], "bias": [0]}]}), encoding="utf-8")
    out = tmp_path / "page.html"
    assert main(["solve", str(spec), "--format", "html", "-o", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    check_page(text)
    item = re.search(r"<li>(.*?)</li>", text, re.S).group(1)
    assert "its value, removed, is" in item and 'display="block"' in item and "&lt;" not in text


ARABIC = "ليلى الحسن"  # a name written right to left (Arabic letters)


def test_a_users_name_or_title_sits_in_an_element_of_its_own_direction(tmp_path):
    """An Arabic name (a class set: sheet, key, solutions, self-check) and title (solve), each time
    it is printed, is the whole text of an element with dir="auto", so the browser sets it right to
    left and the words around it stay left to right; the same of a grade feedback page's name."""
    import csv
    import json
    roster = tmp_path / "roster.csv"
    with roster.open("w", encoding="utf-8", newline="") as stream:
        csv.writer(stream).writerows([["id", "name"], ["s1", ARABIC]])
    assert main(["sheet", "--seed", "7", "--roster", str(roster), "--format", "html", "--no-diagram",
                 "--out", str(tmp_path / "set")]) == 0
    spec = yaml.safe_load(SPEC.read_text())
    spec["title"] = ARABIC
    (tmp_path / "spec.yaml").write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")
    assert main(["solve", str(tmp_path / "spec.yaml"), "--format", "html", "-o", str(tmp_path / "solve.html")]) == 0
    key = json.loads((tmp_path / "set" / "key.json").read_text())["problems"][0]
    with (tmp_path / "answers.csv").open("w", encoding="utf-8", newline="") as stream:
        csv.writer(stream).writerows([["student", "code", "y"], ["s1", key["code"], "0"]])
    assert main(["grade", "--key", str(tmp_path / "set" / "key.json"), "--answers", str(tmp_path / "answers.csv"),
                 "--format", "html", "--out", str(tmp_path / "grades")]) == 0
    pages = [*(tmp_path / "set").glob("*.html"), tmp_path / "solve.html", *(tmp_path / "grades" / "feedback").glob("*.html")]
    assert len(pages) == 6  # sheet, key, solutions, the self-check, solve and the feedback
    for page in pages:
        text = page.read_text(encoding="utf-8")
        body = text.split("<body>")[1]
        found = body.count(ARABIC)
        assert found >= 1, page.name
        assert len(re.findall(f'<[a-z]+ [^>]*dir="auto"[^>]*>{ARABIC}</', body)) == found, page.name


def test_a_formula_wider_than_the_column_scrolls_in_a_region_the_keyboard_reaches():
    """A displayed formula that may be wider than the page's column (46rem) scrolls inside an
    element that takes the keyboard's focus (WCAG 2.1.1: axe's scrollable-region-focusable), named
    and inside its paragraph (a span: a div would end the <p>); a short one is no tab stop."""
    from symdrop.render.page import finish

    long = " + ".join(f"a_{{{i}}}" for i in range(1, 41))  # 40 terms: some 100 em, by any font
    page = finish(f"<main><!-- body -->\nSo\n\\[ x = 1 \\]\nand\n\\[ {long} \\]\n<!-- end body -->\n</main>")
    region = '<span class="wide" role="region" aria-label="formula" tabindex="0"><math display="block">'
    assert page.count(region) == 1 and page.count('<math display="block">') == 2
    assert page.index("<mi>x</mi>") < page.index(region) < page.index("<mn>40</mn>")
    assert re.search(r"<p>So\n<math.*</math>\nand\n<span [^>]*><math .*</math></span></p>", page, re.S)


def test_the_widest_step_of_a_dropconnect_backward_pass_is_reachable(tmp_path):
    """examples/dropconnect.yaml's backward pass: its step from dL/dy to delta^(1) is some 780 px
    wide in Chromium, more than the column's 736 px: it is in a focusable region."""
    out = tmp_path / "backprop.html"
    assert main(["backprop", str(ROOT / "examples" / "dropconnect.yaml"), "--format", "html", "-o", str(out)]) == 0
    regions = re.findall(r'<span class="wide" role="region" aria-label="formula" tabindex="0">(.*?)</span>',
                         out.read_text(encoding="utf-8"), re.S)
    assert any("<mover accent=\"true\"><mrow><mi>y</mi>" in r and "&#x003B4;" in r for r in regions)
