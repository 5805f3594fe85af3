"""A sheet as a QTI 1.2 package (``qti.zip``) that Canvas Classic Quizzes imports: manifest and one assessment."""

from dataclasses import replace
from fractions import Fraction

from ..exercises.sheet import Sheet
from .env import render_document
from .html import exercise_html
from .lms import decimal_text, gaps, how_given, question_name
from .options import RenderOptions
from .package import zip_package

SHARE_PLACES = 4  # a number's share of an item's 100 points, as the item adds it up


def sheet_qti(sheet: Sheet, options: RenderOptions = RenderOptions()) -> bytes:
    """``qti.zip``: ``imsmanifest.xml`` and the assessment, one item per exercise with a response
    per number of its answer, each right for its interval (an answer of one number a numerical
    item); the general feedback names the mistakes' answers (Canvas reads every scoring condition
    of a numerical item as a right answer). No pictures: the item's text gives the network as W,
    b and x."""
    options = replace(options.for_sheet(sheet), diagram=False)
    ident = f"symdrop_seed_{sheet.seed}"
    items, names, shares, givens = [], {}, {}, {}
    for e in sheet.exercises:
        html = exercise_html(e, options)
        found = gaps(e)
        items.append((e, html["question"].strip(), html["answer"].strip(), html["solution"].strip(), found))
        names[e.code], shares[e.code], givens[e.code] = question_name(e), _shares([g.weight for g in found]), how_given(found)
    assessment = f"{ident}/{ident}.xml"
    title = f"symdrop, seed {sheet.seed}"
    files = {
        "imsmanifest.xml": render_document("manifest", "qti", options, ident=ident, assessment=assessment),
        assessment: render_document("assessment", "qti", options, ident=ident, title=title, items=items, names=names,
                                    shares=shares, givens=givens),
    }
    return zip_package(files)


def _shares(weights: list[int]) -> list[str]:
    """Each number's share of 100 points by its weight, to SHARE_PLACES places, the last what
    the others leave (so that they add up to 100)."""
    total = sum(weights)
    shares = [decimal_text(Fraction(100 * w, total), SHARE_PLACES) for w in weights[:-1]]
    return shares + [decimal_text(100 - sum(map(Fraction, shares)), SHARE_PLACES)]
