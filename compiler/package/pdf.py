"""Package stage: the rendered documents, laid out by weasyprint into a print PDF.

The PDF is made from the very documents the EPUB ships: their bodies are joined into HTML trees,
links between files become links within the book, and the theme's print stylesheet supplies the
typography. Two layouts, measured then placed:

1. the body (chapters and notes) is laid out alone, so its folios start at 1 on a recto and
   `target-counter()` works (weasyprint prints 0 after a page-counter reset: Kozea/WeasyPrint#2114);
2. the front matter (half-title, title, rights, contents) is laid out with the page numbers read
   from the body's anchors written into the contents, and roman folios.

The pages of both are joined into one document; a blank page pads the front matter to an even
count so the body opens on a recto. If the page count calls for a wider gutter, the book is laid
out again with it.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from lxml import etree

from ..render import RenderedBook, RenderedDoc
from .pagesetup import PageSetup, page_setup

XHTML = "http://www.w3.org/1999/xhtml"
DEFAULT_TRIM = "5.5x8.5"


def _localise(element: etree._Element) -> None:
    """Drop namespaces: weasyprint reads HTML, where `epub:type` means nothing."""
    for el in element.iter():
        if isinstance(el.tag, str):
            el.tag = etree.QName(el).localname
        for name in [n for n in el.attrib if n.startswith("{")]:
            del el.attrib[name]


@dataclass(frozen=True)
class _Part:
    doc: RenderedDoc
    wrapper: etree._Element  # the document's body content inside one <div>


def _parts(docs: tuple[RenderedDoc, ...]) -> tuple[list[_Part], dict[str, str]]:
    parts: list[_Part] = []
    first_id: dict[str, str] = {}
    for doc in docs:
        source_body = etree.fromstring(doc.xhtml).find(f"{{{XHTML}}}body")
        assert source_body is not None
        stem = doc.file_name.removesuffix(".xhtml")
        wrapper = etree.Element("div", {"class": f"doc {doc.matter}-matter", "id": f"doc-{stem}"})
        wrapper.extend(copy.deepcopy(child) for child in source_body)
        _localise(wrapper)
        first = next((el.get("id") for el in wrapper.iter() if el is not wrapper and el.get("id")), None)
        first_id[doc.file_name] = first or f"doc-{stem}"
        parts.append(_Part(doc, wrapper))
    return parts, first_id


def _html(parts: list[_Part], first_id: dict[str, str], head: dict[str, Any], folios: dict[str, int] | None) -> str:
    html = etree.Element("html", lang=head["language"])
    meta = etree.SubElement(html, "head")
    etree.SubElement(meta, "meta", charset="utf-8")
    etree.SubElement(meta, "title").text = head["title"]
    for author in head["authors"]:
        etree.SubElement(meta, "meta", name="author", content=author)
    # The verso running head reads the book title from here (the title page is in the other layout).
    body = etree.SubElement(html, "body", {"data-book-title": head["title"]})
    for part in parts:
        body.append(copy.deepcopy(part.wrapper))
    for a in body.iter("a"):
        parts_of = urlsplit(a.get("href", ""))
        if parts_of.scheme or not parts_of.path:
            continue
        target = unquote(parts_of.path)
        anchor = parts_of.fragment or first_id.get(target, f"doc-{target.removesuffix('.xhtml')}")
        a.set("href", "#" + anchor)
        if folios is not None and anchor in folios:
            a.set("data-page", str(folios[anchor]))  # print.css shows it after a dot leader
    return etree.tostring(html, method="html", encoding="unicode", doctype="<!DOCTYPE html>")


def _fetcher(roots: tuple[Path, ...]):  # type: ignore[no-untyped-def]
    """A URL fetcher that reads only the theme's own files: no network, nothing else on disk."""
    from weasyprint.urls import URLFetcher

    allowed = tuple(root.resolve() for root in roots)

    class ThemeOnly(URLFetcher):
        def fetch(self, url, headers=None):  # type: ignore[no-untyped-def]
            parts = urlsplit(url)
            if parts.scheme == "data":
                return super().fetch(url, headers)
            if parts.scheme == "file":
                path = Path(unquote(parts.path)).resolve()
                if any(path.is_relative_to(root) for root in allowed):
                    return super().fetch(url, headers)
            raise ValueError(f"refused to fetch {url}: a book reads only its theme's files")

    return ThemeOnly(allowed_protocols=("file", "data"))


class _Layout:
    """One weasyprint set-up (fonts, fetcher, theme stylesheet) shared by every layout of a build."""

    def __init__(self, rendered: RenderedBook) -> None:
        import weasyprint  # heavy: imported only when a PDF is wanted
        from weasyprint.text.fonts import FontConfiguration

        self.weasyprint = weasyprint
        self.fonts = FontConfiguration()
        self.fetcher = _fetcher(rendered.theme.folders)
        # One CSS object per theme in the chain, so each resolves its fonts/ against its own folder.
        sheets = rendered.theme.chain("print.css")
        self.base_url = str(sheets[-1].parent) + "/"
        self.theme_css = [
            weasyprint.CSS(filename=str(sheet), font_config=self.fonts, url_fetcher=self.fetcher) for sheet in sheets
        ]

    def __call__(self, html: str, setup: PageSetup) -> Any:
        wp = self.weasyprint
        page_css = wp.CSS(string=setup.css(), font_config=self.fonts, url_fetcher=self.fetcher)
        document = wp.HTML(string=html, base_url=self.base_url, url_fetcher=self.fetcher)
        # The page geometry comes first so the theme may still refine :first, :blank or named pages.
        return document.render(stylesheets=[page_css, *self.theme_css], font_config=self.fonts)


PROFILES = ("print", "screen", "booklet")


def package_pdf(
    rendered: RenderedBook,
    title: str,
    authors: list[str],
    trim: str | None = None,
    profile: str = "print",
    bleed: bool = False,
) -> bytes:
    layout = _Layout(rendered)
    head = {"title": title, "authors": authors, "language": rendered.language}
    parts, first_id = _parts(rendered.print_front + rendered.docs)
    front_parts = [p for p in parts if p.doc.matter == "front"]
    body_parts = [p for p in parts if p.doc.matter != "front"]
    settings = rendered.theme.settings
    print_settings = settings.get("print", {})
    assert isinstance(print_settings, dict)
    trim = trim or str(print_settings.get("trim", DEFAULT_TRIM))
    pages = 0
    for _ in range(4):  # a wider gutter can add pages, which can call for a wider gutter: converge
        setup = page_setup(trim, settings, pages, bleed)
        body = layout(_html(body_parts, first_id, head, None), setup)
        folios: dict[str, int] = {}
        for number, page in enumerate(body.pages, start=1):
            for anchor in page.anchors:  # a box split over pages is anchored on each: keep the first
                folios.setdefault(anchor, number)
        front = layout(_html(front_parts, first_id, head, folios), setup)
        front_pages = list(front.pages)
        if len(front_pages) % 2:
            blank = '<!DOCTYPE html><html><body><div class="doc front-matter"></div></body></html>'
            front_pages += layout(blank, setup).pages
        total = len(front_pages) + len(body.pages)
        if page_setup(trim, settings, total, bleed) == setup:
            break
        pages = total
    book = front.copy(front_pages + list(body.pages))
    if profile == "screen":
        # Tagged PDF/UA-1 (structure tree, language, title shown): what screen readers need.
        return book.write_pdf(pdf_variant="pdf/ua-1")  # type: ignore[no-any-return]
    return book.write_pdf()  # type: ignore[no-any-return]


def booklet_sheet(trim: str | None) -> str:
    """The paper a booklet is imposed on: A4 halves are A5, Letter halves are 5.5 × 8.5 in."""
    return "a4" if (trim or "").strip().lower() == "a5" else "letter"
