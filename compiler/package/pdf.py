"""Package stage: the rendered documents, joined, laid out by weasyprint into a print PDF.

The PDF is made from the very documents the EPUB ships: their bodies are joined in reading order
into one HTML tree, links between files become links within it, and the theme's print stylesheet
supplies the page (trim, margins, running heads, folios, contents leaders).
"""

from __future__ import annotations

import copy
from pathlib import Path
from urllib.parse import unquote, urlsplit

from lxml import etree

from ..render import RenderedBook

XHTML = "http://www.w3.org/1999/xhtml"


def _localise(element: etree._Element) -> None:
    """Drop namespaces: weasyprint reads HTML, where `epub:type` means nothing."""
    for el in element.iter():
        if isinstance(el.tag, str):
            el.tag = etree.QName(el).localname
        for name in [n for n in el.attrib if n.startswith("{")]:
            del el.attrib[name]


def join_documents(rendered: RenderedBook, title: str, authors: list[str]) -> bytes:
    html = etree.Element("html", lang=rendered.language)
    head = etree.SubElement(html, "head")
    etree.SubElement(head, "meta", charset="utf-8")
    etree.SubElement(head, "title").text = title
    for author in authors:
        etree.SubElement(head, "meta", name="author", content=author)
    body = etree.SubElement(html, "body")
    first_id: dict[str, str] = {}
    for doc in rendered.docs:
        root = etree.fromstring(doc.xhtml)
        source_body = root.find(f"{{{XHTML}}}body")
        assert source_body is not None
        stem = doc.file_name.removesuffix(".xhtml")
        wrapper = etree.SubElement(body, "div", {"class": f"doc {doc.matter}-matter", "id": f"doc-{stem}"})
        for child in source_body:
            wrapper.append(copy.deepcopy(child))
        _localise(wrapper)
        first = next((el.get("id") for el in wrapper.iter() if el is not wrapper and el.get("id")), None)
        first_id[doc.file_name] = first or f"doc-{stem}"
    for a in body.iter("a"):
        href = a.get("href", "")
        parts = urlsplit(href)
        if parts.scheme or not parts.path:
            continue
        target = unquote(parts.path)
        a.set("href", "#" + (parts.fragment or first_id.get(target, f"doc-{target.removesuffix('.xhtml')}")))
    return etree.tostring(html, method="html", encoding="utf-8", doctype="<!DOCTYPE html>")


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


def package_pdf(rendered: RenderedBook, title: str, authors: list[str]) -> bytes:
    import weasyprint  # heavy: imported only when a PDF is wanted
    from weasyprint.text.fonts import FontConfiguration

    theme = rendered.theme
    fetcher = _fetcher(theme.folders)
    fonts = FontConfiguration()
    stylesheet = theme.find("print.css")
    css = weasyprint.CSS(filename=str(stylesheet), font_config=fonts, url_fetcher=fetcher)
    html = weasyprint.HTML(
        string=join_documents(rendered, title, authors).decode("utf-8"),
        base_url=str(stylesheet.parent) + "/",
        url_fetcher=fetcher,
    )
    return html.write_pdf(stylesheets=[css], font_config=fonts, uncompressed_pdf=False)  # type: ignore[no-any-return]
