"""Hostile titles and names in every LMS export (Moodle XML, GIFT, QTI 1.2), read back with real
parsers: every HTML field, parsed as a browser would, holds no script, no event handler, no
javascript: link and no image but the question's picture, and shows the text as typed; every
plain-text field (names, categories) holds it as typed."""

import io
import json
import xml.etree.ElementTree as ET
import zipfile
from html.parser import HTMLParser

import pytest

from symdrop.cli import main

from . import lms_rules
from .test_gift import parse_gift
from .test_qti import Q

HOSTILE = ('Q1 <script>alert(1)</script> <img src=x onerror=alert(1)> <a href="javascript:alert(1)">x</a> ]]> '
           "--> a---b {1:NUMERICAL:=5} ~ = # { } : \\ $x$ & &amp; \\(y\\)")
SPEC = "input: [1]\nlayers:\n  - weights: [[2]]\n    bias: [1]\n    activation: identity\nmasks:\n  - [1]\n"


class Page(HTMLParser):
    """An HTML field as a browser reads it: its elements with their attributes, and its text."""

    def __init__(self, fragment: str):
        super().__init__(convert_charrefs=True)
        self.elements, self.text = [], []
        self.feed(fragment)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def harmless(fragment: str) -> str:
    """``fragment`` (HTML) checked to run nothing; its text, whitespace made single spaces."""
    page = Page(fragment)
    for tag, attrs in page.elements:
        assert tag not in ("script", "iframe", "object", "embed", "svg"), tag
        assert not any(name.startswith("on") for name in attrs), (tag, attrs)
        assert not any((value or "").strip().lower().startswith("javascript:") for value in attrs.values()), attrs
        if tag == "img":  # the network's picture, stored with the question
            assert attrs["src"].startswith("@@PLUGINFILE@@/") and attrs["src"].endswith(".svg"), attrs
    return " ".join("".join(page.text).split())


@pytest.fixture
def spec(tmp_path):
    path = tmp_path / "hostile.yaml"
    path.write_text("title: " + json.dumps(HOSTILE) + "\n" + SPEC, encoding="utf-8")
    return path


@pytest.fixture
def roster(tmp_path):
    path = tmp_path / "class.csv"
    path.write_text('id,name\ns1,"' + HOSTILE.replace('"', '""') + '"\n', encoding="utf-8")
    return path


def test_moodle_xml_keeps_a_hostile_title_and_name_literal(spec, roster, tmp_path):
    assert main(["solve", str(spec), "--format", "moodle", "-o", str(tmp_path / "q.xml")]) == 0
    assert main(["sheet", "--seed", "3", "--roster", str(roster), "--format", "moodle", "--parts",
                 "--out", str(tmp_path / "class")]) == 0
    for path, titled in ((tmp_path / "q.xml", 2), (tmp_path / "class" / "moodle.xml", 0)):
        data = path.read_bytes()
        assert lms_rules.moodle_errors(data) == []
        root = ET.fromstring(data)  # well-formed, ]]> and --> included
        shown = [harmless(field.findtext("text")) for field in root.iter() if field.get("format") == "html"]
        assert len(shown) >= 3 and sum(HOSTILE in text for text in shown) >= titled  # the info and the solution
        names = [q.findtext("name/text") for q in root.findall("question")[1:]]
        assert names and all(HOSTILE in name for name in names)  # a plain field: as typed
    root = ET.fromstring((tmp_path / "q.xml").read_bytes())
    assert root.findtext("question/category/text") == "$course$/top/symdrop/" + HOSTILE.replace("/", "//")
    assert harmless(root.findtext("question/info/text")) == "symdrop solve: " + HOSTILE


def test_gift_keeps_a_hostile_title_and_name_literal(spec, roster, tmp_path):
    assert main(["solve", str(spec), "--format", "gift", "-o", str(tmp_path / "q.gift")]) == 0
    assert main(["sheet", "--seed", "3", "--roster", str(roster), "--format", "gift", "--out", str(tmp_path / "class")]) == 0
    for path in (tmp_path / "q.gift", tmp_path / "class" / "questions.gift"):
        parsed = parse_gift(path)
        questions = [q for q in parsed if q["type"] == "Numerical"]
        assert questions and all(q["title"].startswith(HOSTILE) or q["title"].endswith(HOSTILE) for q in questions)
        for q in questions:
            assert q["stem"]["format"] == "html"
            harmless(q["stem"]["text"])
            assert HOSTILE in harmless(q["globalFeedback"]["text"]) or path.parent.name == "class"
            for choice in q["choices"]:
                harmless(choice["feedback"]["text"] if choice["feedback"] else "")
    [category] = [q for q in parse_gift(tmp_path / "q.gift") if q["type"] == "Category"]
    assert category["title"] == "symdrop/" + " ".join(HOSTILE.replace("/", "//").split())


def test_qti_keeps_a_hostile_name_literal(roster, tmp_path):
    assert main(["sheet", "--seed", "3", "--roster", str(roster), "--format", "qti", "--out", str(tmp_path)]) == 0
    with zipfile.ZipFile(io.BytesIO((tmp_path / "qti.zip").read_bytes())) as archive:
        [assessment] = [name for name in archive.namelist() if name != "imsmanifest.xml"]
        root = ET.fromstring(archive.read(assessment))
    items = list(root.iter(Q + "item"))
    assert items and all(item.get("title").endswith(", " + HOSTILE) for item in items)  # a plain attribute: as typed
    fields = [m.text for m in root.iter(Q + "mattext") if m.get("texttype") == "text/html"]
    assert len(fields) >= 4 * len(items)
    for text in fields:
        harmless(text)
