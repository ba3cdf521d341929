"""Package stage (PDF): the rendered XHTML documents joined into HTML that weasyprint lays out.

The PDF is made from the very documents the EPUB ships: their bodies are wrapped one `<div>` each,
links between files become links within the book, and measured page numbers are written onto the
links that show one (`data-page`, which the theme's print.css prints after a dot leader or in a
note's "p. N"). A part of the book laid out on its own (a chunk) marks the links whose target lies
in another part with a `CROSS_LINK` URL; the merge turns those into links within the PDF.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from lxml import etree

from ...render import RenderedDoc
from ...render.view import running_head
from ..pagemap import mark_blocks

XHTML = "http://www.w3.org/1999/xhtml"
CROSS_LINK = "anthology-dest:"  # + the quoted anchor name; never left in a finished PDF

# A page with nothing on it: the verso a chunk or the front matter is padded with to end on a left page.
BLANK = '<!DOCTYPE html><html><body><div class="doc front-matter"></div></body></html>'


def _localise(element: etree._Element) -> None:
    """Drop namespaces: weasyprint reads HTML, where `epub:type` means nothing."""
    for el in element.iter():
        if isinstance(el.tag, str):
            el.tag = etree.QName(el).localname
        for name in [n for n in el.attrib if n.startswith("{")]:
            del el.attrib[name]


@dataclass(frozen=True)
class Part:
    doc: RenderedDoc
    wrapper: etree._Element  # the document's body content inside one <div>
    ids: frozenset[str]  # every id inside it, the wrapper's own included

    @property
    def anchor(self) -> str:
        return str(self.wrapper.get("id"))


def parts_of(docs: tuple[RenderedDoc, ...], blocks: bool = True) -> tuple[list[Part], dict[str, str]]:
    """One Part per document, and the anchor a link to each whole file lands on. `blocks`: number
    the text blocks, so each page can say in which one it begins (for the EPUB's page list)."""
    parts: list[Part] = []
    first_id: dict[str, str] = {}
    for doc in docs:
        source_body = etree.fromstring(doc.xhtml).find(f"{{{XHTML}}}body")
        assert source_body is not None
        stem = doc.file_name.removesuffix(".xhtml")
        wrapper = etree.Element("div", {"class": f"doc {doc.matter}-matter", "id": f"doc-{stem}"})
        wrapper.extend(copy.deepcopy(child) for child in source_body)
        _localise(wrapper)
        if blocks:
            mark_blocks(wrapper, stem)
        ids = [el.get("id") for el in wrapper.iter() if isinstance(el.tag, str) and el.get("id")]
        first_id[doc.file_name] = ids[1] if len(ids) > 1 else f"doc-{stem}"
        parts.append(Part(doc, wrapper, frozenset(i for i in ids if i)))
    return parts, first_id


def _document(head: dict[str, Any]) -> tuple[etree._Element, etree._Element]:
    html = etree.Element("html", lang=head["language"])
    meta = etree.SubElement(html, "head")
    etree.SubElement(meta, "meta", charset="utf-8")
    etree.SubElement(meta, "title").text = head["title"]
    for author in head["authors"]:
        etree.SubElement(meta, "meta", name="author", content=author)
    # The verso running head reads the book title from here (the title page is in another layout).
    body = etree.SubElement(html, "body", {"data-book-title": running_head(head.get("running", head["title"]))})
    return html, body


def _serialise(html: etree._Element) -> str:
    return etree.tostring(html, method="html", encoding="unicode", doctype="<!DOCTYPE html>")


def html_of(
    parts: list[Part], first_id: dict[str, str], head: dict[str, Any], folios: dict[str, int] | None, whole_book: bool = True
) -> str:
    """One HTML document of these parts. `whole_book=False`: links to anchors outside them become
    CROSS_LINK URLs, which weasyprint keeps as links instead of dropping them."""
    html, body = _document(head)
    local: set[str] = set()
    for part in parts:
        body.append(copy.deepcopy(part.wrapper))
        local |= part.ids
    for a in body.iter("a"):
        anchor = _target(a, first_id)
        if anchor is None:
            continue
        a.set("href", "#" + anchor if whole_book or anchor in local else CROSS_LINK + quote(anchor, safe=""))
        if folios is not None and anchor in folios:
            a.set("data-page", str(folios[anchor]))
    return _serialise(html)


def _target(a: etree._Element, first_id: dict[str, str]) -> str | None:
    """The anchor a link between the book's files lands on; None for any other link."""
    href = urlsplit(a.get("href", ""))
    if href.scheme or not href.path:
        return None
    target = unquote(href.path)
    return href.fragment or first_id.get(target, f"doc-{target.removesuffix('.xhtml')}")


def link_targets(parts: list[Part], first_id: dict[str, str]) -> set[str]:
    """Every anchor these parts link to in other files of the book."""
    found = set()
    for part in parts:
        for a in part.wrapper.iter("a"):
            anchor = _target(a, first_id)
            if anchor is not None:
                found.add(anchor)
    return found


def mirror_html(parts: list[Part], pages: list[int], head: dict[str, Any]) -> str:
    """The folio layer of a chunk: the same documents with the same classes two levels deep (where
    themes name their pages: `.chapter { page: chapter }`), each holding as many empty page-high
    boxes as the document took pages, so every page gets the same name, side and blankness, hence
    the same margin boxes, as in the chunk."""
    html, body = _document(head)
    for part, count in zip(parts, pages):
        wrapper = etree.SubElement(body, "div", {k: v for k, v in part.wrapper.attrib.items() if k != "id"})
        inner = next((c for c in part.wrapper if isinstance(c.tag, str)), None)
        holder = wrapper
        if inner is not None:
            holder = etree.SubElement(wrapper, str(inner.tag), {k: v for k, v in inner.attrib.items() if k in ("class", "lang", "dir")})
        for n in range(count):
            style = "height: 0; margin: 0; padding: 0; border: 0" + ("; break-before: page" if n else "")
            etree.SubElement(holder, "div", style=style)
    return _serialise(html)
