"""The IMS QTI 2.1 schema (tests/schemas/, see its README), compiled with lxml for the tests."""

import gzip
import shutil
from functools import lru_cache
from pathlib import Path
from tempfile import mkdtemp

SCHEMAS = Path(__file__).parent / "schemas"


@lru_cache(maxsize=1)
def qti21_schema():
    """lxml's XMLSchema of QTI 2.1 (its imports laid out beside it, as its schemaLocations say)."""
    etree = lxml_etree()

    root = Path(mkdtemp(prefix="qti21-schema-"))
    shutil.copytree(SCHEMAS, root, dirs_exist_ok=True, ignore=shutil.ignore_patterns("*.gz", "*.md"))
    xsd = root / "qtiv2p1" / "imsqti_v2p1.xsd"
    xsd.write_bytes(gzip.decompress((SCHEMAS / "qtiv2p1" / "imsqti_v2p1.xsd.gz").read_bytes()))
    return etree.XMLSchema(etree.parse(str(xsd)))


def lxml_etree():
    """lxml's etree, or :func:`~tests.conftest.missing` (the test extra installs it)."""
    try:
        from lxml import etree
    except ImportError:
        from .conftest import missing
        missing("lxml", "pip install -e '.[test]'")
    return etree


def schema_errors(xml: bytes) -> list[str]:
    """What QTI 2.1's schema finds wrong in the item ``xml`` (empty: valid)."""
    etree = lxml_etree()

    schema = qti21_schema()
    schema.validate(etree.fromstring(xml))
    return [f"line {e.line}: {e.message}" for e in schema.error_log]
