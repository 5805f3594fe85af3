"""The QTI 2.1 content package: every item valid against IMS's QTI 2.1 schema (tests/schemas/),
one item per problem with one text entry per number of the answer, its correct responses within
their tolerance of the exact answers the test references compute, a modal feedback in the key's
words for every mistake whose number differs, the picture in the package with its text
alternative, hostile titles and names literal, the same bytes on every run."""

import io
import json
import zipfile
from fractions import Fraction
from html.parser import HTMLParser

from symdrop.exercises.labels import plain
from symdrop.cli import main
from symdrop.exercises.kinds import parse_kinds
from symdrop.exercises.options import Options
from symdrop.exercises.sheet import build_sheet
from symdrop.render.qti21 import sheet_qti21
from symdrop.render.sheets import key_json

from .conftest import ALL_KINDS, references
from .test_lms_hostile import HOSTILE, SPEC

from .qti21_schema import lxml_etree, schema_errors

Q = "{http://www.imsglobal.org/xsd/imsqti_v2p1}"
CP = "{http://www.imsglobal.org/xsd/imscp_v1p1}"


def unpack(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None
        assert archive.namelist()[0] == "imsmanifest.xml" and archive.namelist()[1:] == sorted(archive.namelist()[1:])
        assert {i.date_time for i in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        return {name: archive.read(name) for name in archive.namelist()}


def items_of(files: dict[str, bytes]) -> list:
    """The manifest's items (parsed), each checked against the schema, their files in the package."""
    etree = lxml_etree()
    manifest = etree.fromstring(files["imsmanifest.xml"])
    found = []
    for resource in manifest.iter(CP + "resource"):
        assert resource.get("type") == "imsqti_item_xmlv2p1"
        hrefs = [f.get("href") for f in resource.iter(CP + "file")]
        assert all(h in files for h in hrefs), hrefs
        data = files[resource.get("href")]
        assert schema_errors(data) == [], resource.get("href")
        found.append(etree.fromstring(data))
    return found


def test_every_kind_is_one_valid_item_with_its_answers_and_mistakes():
    sheet = build_sheet(9, Options(), 10, kinds=parse_kinds(ALL_KINDS))
    data = sheet_qti21(sheet)
    assert data == sheet_qti21(sheet)  # the same bytes again
    files = unpack(data)
    items = items_of(files)
    entries = {e["code"]: e for e in key_json(sheet)["problems"]}
    assert len(items) == len(sheet.exercises)  # one item per problem
    for e, item in zip(sheet.exercises, items):
        right, wrong = references(entries[e.code])
        declared = item.findall(Q + "responseDeclaration")
        assert len(declared) == len(item.findall(f".//{Q}textEntryInteraction")) == len(right)
        assert all(d.get("baseType") == "float" for d in declared)
        tolerance = {}  # the key's condition of each response: its tolerance
        for condition in item.iter(Q + "responseIf"):
            equal = condition.find(Q + "equal")
            tolerance[equal.find(Q + "variable").get("identifier")] = Fraction(equal.get("tolerance", "0"))
        for d, value in zip(declared, right):
            given = Fraction(d.findtext(f"{Q}correctResponse/{Q}value"))
            assert abs(given - Fraction(value)) <= tolerance[d.get("identifier")] + Fraction(1, 10**12), e.code
        shown = {f.get("identifier"): "".join(f.itertext()) for f in item.iter(Q + "modalFeedback")}
        for m in e.mistakes:
            values = m.answer if wrong is None else wrong[m.name]
            if any(Fraction(v) != Fraction(r) for v, r in zip(values, right)):
                assert any(plain(m.label) in text for ident, text in shown.items() if m.name.split()[0] in ident), (e.code, m.name)
        if e.kind.name == "forward":  # the picture, in the package, with its text alternative
            [img] = item.find(Q + "itemBody").iter(Q + "img")
            assert img.get("src") in files and img.get("alt").startswith("The network, layer sizes")
            assert files[img.get("src")].startswith(b"<svg") or b"<svg" in files[img.get("src")][:200]


class _Text(HTMLParser):
    def __init__(self, data):
        super().__init__(convert_charrefs=True)
        self.tags, self.text = [], []
        self.feed(data)

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)

    def handle_data(self, data):
        self.text.append(data)


def test_hostile_title_and_name_stay_literal(tmp_path):
    spec = tmp_path / "hostile.yaml"
    spec.write_text("title: " + json.dumps(HOSTILE) + "\n" + SPEC, encoding="utf-8")
    roster = tmp_path / "class.csv"
    roster.write_text('id,name\ns1,"' + HOSTILE.replace('"', '""') + '"\n', encoding="utf-8")
    assert main(["solve", str(spec), "--format", "qti21", "-o", str(tmp_path / "q.zip")]) == 0
    assert main(["sheet", "--seed", "3", "--roster", str(roster), "--format", "qti21", "--out", str(tmp_path / "c")]) == 0
    for path, titled in ((tmp_path / "q.zip", True), (tmp_path / "c" / "qti21.zip", False)):
        [item] = items_of(unpack(path.read_bytes()))
        assert HOSTILE in item.get("title")  # an attribute: as typed
        body = item.find(Q + "itemBody")
        assert not {e.tag.removeprefix(Q) for e in body.iter()} & {"script", "a", "object", "iframe"}
        assert all(img.get("src").startswith("images/") for img in item.iter(Q + "img"))
        solution = next(f for f in item.iter(Q + "modalFeedback") if f.get("identifier") == "SOLUTION")
        assert (HOSTILE in " ".join("".join(solution.itertext()).split())) == titled  # the title, as typed
