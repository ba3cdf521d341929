"""Package stage: the print edition's page numbers carried into the EPUB (a page list).

Readers of the ebook and of the printed book should be able to cite the same page. The PDF is laid
out first; for each of its pages we note where the page begins in the text: which block (paragraph,
heading, list item) of which document, and how many of that block's words came on earlier pages.
The EPUB then gets an empty `epub:type="pagebreak"` marker at that very word, and its navigation a
`page-list` of them.

Blocks are numbered the same way in both books (`data-b="doc:n"` on the PDF's HTML, the same walk
over the EPUB's XHTML), and words are counted with one tokenizer, so the two sides agree without
comparing any text.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from lxml import etree

from ...scripts import WORD

BLOCKS = frozenset("p h1 h2 h3 h4 h5 h6 li pre dt dd td th figcaption".split())
XHTML = "http://www.w3.org/1999/xhtml"
EPUB_NS = "http://www.idpf.org/2007/ops"
_HYPHEN = "\u2010"  # what weasyprint adds where it hyphenates a word at a line end


def blocks_of(root: etree._Element) -> Iterator[etree._Element]:
    """The text blocks of a document in reading order (namespaced XHTML or plain HTML alike)."""
    for el in root.iter():
        if isinstance(el.tag, str) and etree.QName(el).localname in BLOCKS:
            yield el


def mark_blocks(wrapper: etree._Element, doc: str) -> None:
    for n, el in enumerate(blocks_of(wrapper)):
        el.set("data-b", f"{doc}:{n}")


Start = tuple[str, int]  # (block "doc:n", words of it on earlier pages)


def page_starts(pages: list[Any]) -> list[Start | None]:
    """Where each weasyprint page begins in the text; None for a page with no text (a blank)."""
    seen: dict[str, list[str]] = {}  # block → its text fragments on pages so far
    starts: list[Start | None] = []
    for page in pages:
        first: Start | None = None
        for block, text in _fragments(page._page_box.children[0], None):  # [0]: the page's content, not its margins
            parts = seen.setdefault(block, [])
            if first is None:
                earlier = _joined(parts)
                count = len(WORD.findall(earlier))
                if parts and parts[-1].endswith(_HYPHEN):
                    count -= 1  # the page opens inside a word hyphenated across the turn
                first = (block, max(count, 0))
            parts.append(text)
        starts.append(first)
    return starts


def _fragments(box: Any, block: str | None) -> Iterator[tuple[str, str]]:
    if "::" in (getattr(box, "element_tag", "") or ""):
        return  # generated content (note numbers, leaders, ornaments) is not in the EPUB's text
    element = getattr(box, "element", None)
    if element is not None and element.get("data-b"):
        block = element.get("data-b")
    text = getattr(box, "text", None)
    if isinstance(text, str) and text.strip() and block is not None:
        yield block, text
    for child in getattr(box, "children", ()) or ():
        yield from _fragments(child, block)


def _joined(parts: list[str]) -> str:
    out = ""
    for part in parts:
        out = out[:-1] + part if out.endswith(_HYPHEN) else out + " " + part
    return out


@dataclass(frozen=True)
class PageMark:
    label: str  # the page number as printed: "iv", "17"
    doc: str  # the document's file name stem
    block: int
    words_before: int


def marks_for(labels: list[str], starts: list[Start | None], docs: set[str]) -> list[PageMark]:
    """One mark per page; a page with no place of its own in the EPUB (a blank, the half-title)
    is marked where the next page begins."""
    marks: list[PageMark] = []
    following: tuple[str, int, int] | None = None
    for label, start in reversed(list(zip(labels, starts))):
        if start is not None:
            doc, n = start[0].rsplit(":", 1)
            if doc in docs:
                following = (doc, int(n), start[1])
        if following is not None:
            marks.append(PageMark(label, *following))
    return marks[::-1]


def insert_marks(xhtml: bytes, marks: list[PageMark]) -> bytes:
    """The document with an empty pagebreak marker before each mark's word."""
    root = etree.fromstring(xhtml)
    body = root.find(f"{{{XHTML}}}body")
    assert body is not None
    blocks = list(blocks_of(body))
    # Right to left, so an insertion never moves a place not yet marked.
    for mark in sorted(marks, key=lambda m: (m.block, m.words_before), reverse=True):
        if mark.block < len(blocks):
            _insert(blocks[mark.block], mark.words_before, _marker(mark.label))
    return etree.tostring(root, xml_declaration=True, encoding="utf-8")


def _marker(label: str) -> etree._Element:
    span = etree.Element(f"{{{XHTML}}}span", nsmap={"epub": EPUB_NS})
    span.set(f"{{{EPUB_NS}}}type", "pagebreak")
    span.set("role", "doc-pagebreak")
    span.set("id", f"page-{label}")
    span.set("aria-label", label)
    return span


def _insert(block: etree._Element, words_before: int, marker: etree._Element) -> None:
    """Put `marker` just before the word after the first `words_before` words of `block`."""
    seen = 0
    for owner, attr in _text_slots(block):
        text = getattr(owner, attr) or ""
        for match in WORD.finditer(text):
            if seen == words_before:
                _split(owner, attr, match.start(), marker)
                return
            seen += 1
    block.append(marker)  # fewer words than counted: the end of the block is the nearest place


def _text_slots(el: etree._Element) -> Iterator[tuple[etree._Element, str]]:
    yield el, "text"
    for child in el:
        if isinstance(child.tag, str):
            yield from _text_slots(child)
        yield child, "tail"


def _split(owner: etree._Element, attr: str, at: int, marker: etree._Element) -> None:
    text = getattr(owner, attr)
    if attr == "text":
        owner.text = text[:at]
        marker.tail = text[at:]
        owner.insert(0, marker)
    else:
        owner.tail = text[:at]
        marker.tail = text[at:]
        parent = owner.getparent()
        parent.insert(parent.index(owner) + 1, marker)


def page_list_nav(nav_xhtml: bytes, marks: list[PageMark], title: str = "Pages") -> bytes:
    """The navigation document with a `page-list` nav after the contents."""
    root = etree.fromstring(nav_xhtml)
    body = root.find(f"{{{XHTML}}}body")
    assert body is not None
    nav = etree.SubElement(body, f"{{{XHTML}}}nav", nsmap={"epub": EPUB_NS})
    nav.set(f"{{{EPUB_NS}}}type", "page-list")
    nav.set("role", "doc-pagelist")
    nav.set("aria-label", title)
    nav.set("hidden", "hidden")
    ol = etree.SubElement(nav, f"{{{XHTML}}}ol")
    for mark in marks:
        a = etree.SubElement(etree.SubElement(ol, f"{{{XHTML}}}li"), f"{{{XHTML}}}a", href=f"{mark.doc}.xhtml#page-{mark.label}")
        a.text = mark.label
    return etree.tostring(root, xml_declaration=True, encoding="utf-8")
