"""RenderOptions: every setting that changes what a document looks like, in one frozen value."""

from dataclasses import dataclass, replace
from pathlib import Path


@dataclass(frozen=True)
class RenderOptions:
    """How documents are rendered; every memo of rendered text is keyed by what it uses of these.

    ``decimals``: exact decimals printed as decimals (0.25, not 1/4). ``diagram``: the picture of
    the network; ``edge_weights``: with the weights on its connections. ``figures``: where
    Markdown documents link pictures (``figures/CODE.svg``). ``templates``: folders whose
    templates replace the built-in ones of the same name, the first folder first. ``digits``:
    irrational values shown rounded to this many places (``--digits``), each standing by its
    name in later sums; None shows 15 significant digits beside the exact forms. ``reveal``: a
    self-check page has "Show answer" (the answer encrypted on the page); False: no answer on it.
    ``tagged``: the LaTeX is for a tagged PDF, which LuaLaTeX compiles: a document whose text
    holds a letter past Latin-1 is rendered for LuaLaTeX (a document for pdflatex sets users'
    text in T1, which LuaLaTeX reads by Unicode's numbers: Ł had no glyph there).
    """

    decimals: bool = False
    digits: int | None = None
    diagram: bool = True
    edge_weights: bool = False
    figures: str = "figures/"
    templates: tuple[Path, ...] = ()
    reveal: bool = True
    tagged: bool = False

    def for_sheet(self, sheet) -> "RenderOptions":
        """The options a sheet's documents render with: a sheet of decimals prints its exact
        decimals as decimals, whatever these say."""
        return replace(self, decimals=self.decimals or sheet.options.decimals)
