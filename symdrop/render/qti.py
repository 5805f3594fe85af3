"""A sheet as a QTI 1.2 package (``qti.zip``) that Canvas Classic Quizzes imports: manifest and one assessment."""

import zipfile
from dataclasses import replace
from io import BytesIO

from ..exercises.sheet import Sheet
from .env import render_document
from .html import exercise_html
from .lms import gaps, question_name
from .options import RenderOptions

# Every entry of the zip gets this time stamp (zip's earliest): the same sheet gives the same bytes.
EPOCH = (1980, 1, 1, 0, 0, 0)


def sheet_qti(sheet: Sheet, options: RenderOptions = RenderOptions()) -> bytes:
    """``qti.zip``: ``imsmanifest.xml`` and the assessment, one numerical item per number of each
    exercise's answer, right for its interval; the general feedback names the mistakes' answers
    (Canvas reads every scoring condition of a numerical item as a right answer). No pictures: the
    item's text gives the network as W, b and x."""
    options = replace(options.for_sheet(sheet), diagram=False)
    ident = f"symdrop_seed_{sheet.seed}"
    items, names = [], {}
    for e in sheet.exercises:
        html = exercise_html(e, options)
        items.append((e, html["question"].strip(), html["answer"].strip(), html["solution"].strip(), gaps(e)))
        names[e.code] = question_name(e)
    assessment = f"{ident}/{ident}.xml"
    title = f"symdrop, seed {sheet.seed}"
    files = {
        "imsmanifest.xml": render_document("manifest", "qti", options, ident=ident, assessment=assessment),
        assessment: render_document("assessment", "qti", options, ident=ident, title=title, items=items, names=names),
    }
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in files.items():
            info = zipfile.ZipInfo(name, date_time=EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, text.encode("utf-8"))
    return buffer.getvalue()
