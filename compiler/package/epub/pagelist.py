"""Package stage (EPUB): the print edition's page numbers carried into the EPUB (a page list).

Readers of the ebook and of the printed book should be able to cite the same page. The PDF, laid
out first, measures where each of its pages begins (../pagemap.py: which block of which document,
and how many of that block's words came on earlier pages). The EPUB then gets an empty
`epub:type="pagebreak"` marker at that very word, and its navigation a `page-list` of them; the
EPUB 2 NCX gets the same list as its `pageList`, with the page count in its head, for reading
systems that read only the NCX (older Kobo, Adobe RMSDK, Sony) and would otherwise show no pages.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from lxml import etree

from ...scripts import WORD
from ..pagemap import Start, blocks_of

XHTML = "http://www.w3.org/1999/xhtml"
EPUB_NS = "http://www.idpf.org/2007/ops"


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


NCX_NS = "http://www.daisy.org/z3986/2005/ncx/"


def page_list_ncx(ncx: bytes, marks: list[PageMark], title: str = "Pages") -> bytes:
    """The NCX with a `pageList` after its navMap, and its head declaring the page count
    (dtb:totalPageCount, dtb:maxPageNumber: https://daisy.org/z3986/2005/Z3986-2005.html#NCXElem)."""
    root = etree.fromstring(ncx)
    head = root.find(f"{{{NCX_NS}}}head")
    assert head is not None
    arabic = [int(m.label) for m in marks if m.label.isdigit()]
    declared = {"dtb:totalPageCount": str(len(marks)), "dtb:maxPageNumber": str(max(arabic, default=0))}
    for meta in head.iterfind(f"{{{NCX_NS}}}meta"):
        if meta.get("name") in declared:
            meta.set("content", declared.pop(meta.get("name")))
    for name, content in declared.items():
        etree.SubElement(head, f"{{{NCX_NS}}}meta", name=name, content=content)
    page_list = etree.Element(f"{{{NCX_NS}}}pageList")
    etree.SubElement(etree.SubElement(page_list, f"{{{NCX_NS}}}navLabel"), f"{{{NCX_NS}}}text").text = title
    for mark in marks:
        # Front matter is numbered in roman ("front"), the body from 1 ("normal", with its value).
        target = etree.SubElement(page_list, f"{{{NCX_NS}}}pageTarget", id=f"page-target-{mark.label}", type="normal" if mark.label.isdigit() else "front")
        if mark.label.isdigit():
            target.set("value", mark.label)
        etree.SubElement(etree.SubElement(target, f"{{{NCX_NS}}}navLabel"), f"{{{NCX_NS}}}text").text = mark.label
        etree.SubElement(target, f"{{{NCX_NS}}}content", src=f"{mark.doc}.xhtml#page-{mark.label}")
    nav_map = root.find(f"{{{NCX_NS}}}navMap")
    assert nav_map is not None
    nav_map.addnext(page_list)
    return etree.tostring(root, xml_declaration=True, encoding="utf-8")
