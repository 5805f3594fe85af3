"""LMS HTML (render/html.py) as the XHTML that QTI 2.1's item bodies hold: well-formed, its
elements and attributes in QTI's content model, text escaped for XML.

The bodies write HTML (``<br>``, ``<img ...>`` unclosed, a table's rows without ``tbody``); QTI
2.1 takes a subset of XHTML in its own namespace. This reads the HTML as a browser does (the
standard library's parser, character references decoded) and writes it again: an element QTI has
not is left out (its text kept), an attribute it has not dropped, a row outside ``tbody`` put in
one. Users' text is text here, so it is escaped again on the way out: it stays literal.
"""

from html import escape
from html.parser import HTMLParser

from .escape import printable

# QTI 2.1's XHTML elements that the bodies write (its content model has more), and the
# attributes each keeps (every element keeps ``class``).
KEPT = {
    "p": (), "div": (), "span": (), "br": (), "hr": (), "h1": (), "h2": (), "h3": (), "h4": (), "h5": (), "h6": (),
    "strong": (), "em": (), "b": (), "i": (), "code": (), "sub": (), "sup": (), "pre": (), "blockquote": (),
    "ul": (), "ol": (), "li": (), "table": ("summary",), "thead": (), "tbody": (), "tr": (),
    "td": ("colspan", "rowspan"), "th": ("colspan", "rowspan"), "img": ("src", "alt", "width", "height"),
}
VOID = {"br", "hr", "img"}
# Blocks that end an open paragraph, as a browser reads them (a paragraph holds no block).
BLOCKS = {"p", "div", "table", "ul", "ol", "pre", "blockquote", "hr", "h1", "h2", "h3", "h4", "h5", "h6"}


class _Rewriter(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.open: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag not in KEPT:
            return
        if tag in BLOCKS and "p" in self.open:
            self.handle_endtag("p")
        if tag == "tr" and self.open and self.open[-1] == "table":
            self._start("tbody", [])
        self._start(tag, [(k, v) for k, v in attrs if k == "class" or k in KEPT[tag]])
        if tag in VOID:
            self.out[-1] = self.out[-1][:-1] + "/>"
            self.open.pop()

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag in KEPT and tag not in VOID:
            self.handle_endtag(tag)

    def _start(self, tag, attrs):
        if tag == "img" and not any(k == "alt" for k, _ in attrs):
            attrs = [*attrs, ("alt", "")]
        written = "".join(f' {k}="{escape(printable(v or ""), quote=True)}"' for k, v in attrs)
        self.out.append(f"<{tag}{written}>")
        self.open.append(tag)

    def handle_endtag(self, tag):
        if tag not in KEPT or tag in VOID or tag not in self.open:
            return
        while self.open:  # close what is still open inside it (and a tbody put in)
            inner = self.open.pop()
            self.out.append(f"</{inner}>")
            if inner == tag:
                break

    def handle_data(self, data):
        self.out.append(escape(printable(data), quote=False))

    def close_all(self) -> str:
        self.close()
        self.out += [f"</{tag}>" for tag in reversed(self.open)]
        return "".join(self.out)


def xhtml(fragment: str) -> str:
    """The HTML ``fragment`` as well-formed XHTML of QTI 2.1's elements (no namespace written:
    the item's default namespace is QTI's)."""
    rewriter = _Rewriter()
    rewriter.feed(fragment)
    return rewriter.close_all()
