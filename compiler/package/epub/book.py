"""Package stage: the rendered documents into an EPUB 3 (with an EPUB 2 NCX and guide).

The cover (cover.py: the user's image or a drawn one) becomes the cover-image and the
rendered cover page opens the spine; the nav document holds contents and landmarks.

ebooklib writes the package (OPF metadata, manifest, spine, NCX, container). Three things it cannot
do are done on its output afterwards: `xml:lang` on `<package>`, a `dcterms:modified` of our
choosing (it stamps the wall clock), and a reproducible zip (it stamps entry times).
"""

from __future__ import annotations

import dataclasses
import datetime
import io
import zipfile
from typing import Any

from ebooklib import epub
from lxml import etree

from ...model import Anthology, BookMeta
from ...render import RenderedBook, TocEntry
from ...render.view import authors_text
from ..formats import Made, Work
from ..pagemap import PageMap
from .cover import Cover, find_cover, make_cover
from .metadata import add_people
from .pagelist import PageMark, insert_marks, marks_for, page_list_ncx, page_list_nav

OPF_NS = "http://www.idpf.org/2007/opf"
_NCX = {"n": "http://www.daisy.org/z3986/2005/ncx/"}
# EPUB 2 guide types for our landmarks (https://idpf.org/epub/20/spec/OPF_2.0.1_draft.htm#Section2.6).
_GUIDE = {"cover": "cover", "titlepage": "title-page", "copyright-page": "copyright-page", "toc": "toc", "bodymatter": "text", "endnotes": "notes"}
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip can hold; entry times carry no meaning here


class _Document(epub.EpubItem):
    """A content document shipped byte for byte (ebooklib's EpubHtml would re-serialise it)."""

    def __init__(self, uid: str, file_name: str, content: bytes, properties: list[str] | None = None) -> None:
        super().__init__(uid=uid, file_name=file_name, media_type="application/xhtml+xml", content=content)
        self.properties = properties or []


def _accessibility(book: epub.EpubBook) -> None:
    # EPUB Accessibility 1.1 discovery metadata (https://www.w3.org/TR/epub-a11y-11/#sec-discovery).
    # The cover is the one image: it makes the access mode visual too, but its text is its alt text
    # and the title page's, so the book stays sufficient as text alone.
    for prop, value in (
        ("schema:accessMode", "textual"),
        ("schema:accessMode", "visual"),
        ("schema:accessModeSufficient", "textual"),
        ("schema:accessibilityFeature", "structuralNavigation"),
        ("schema:accessibilityFeature", "tableOfContents"),
        ("schema:accessibilityFeature", "readingOrder"),
        ("schema:accessibilityHazard", "none"),
        (
            "schema:accessibilitySummary",
            "Text book with a navigable table of contents, headings in reading order and "
            "end-notes linked to and from the text. Its one image, the cover, repeats the title page "
            "and has that text as its alternative text.",
        ),
    ):
        book.add_metadata(None, "meta", value, {"property": prop})


def _sources(book: epub.EpubBook, anthology: Anthology) -> None:
    """Each downloaded story's address (read/: Story.origin), as dc:source: where the works were published."""
    for url in dict.fromkeys(s.origin.url for s in anthology.stories if s.origin.url):
        book.add_metadata("DC", "source", url)


def _series(book: epub.EpubBook, meta: BookMeta) -> None:
    """One volume of several: the anthology as the series it belongs to, and this volume's place in
    it (EPUB 3.3, 5.5.6.2 belongs-to-collection; calibre and Apple Books show the series from it)."""
    book.add_metadata(None, "meta", meta.title, {"property": "belongs-to-collection", "id": "series"})
    book.add_metadata(None, "meta", "series", {"refines": "#series", "property": "collection-type"})
    book.add_metadata(None, "meta", str(meta.volume), {"refines": "#series", "property": "group-position"})


def _build(anthology: Anthology, rendered: RenderedBook, css: bytes, cover: Cover) -> epub.EpubBook:
    meta = anthology.meta
    book = epub.EpubBook()
    book.set_identifier(meta.identifier)
    book.set_title(meta.full_title)
    if meta.volume:
        _series(book, meta)
    book.set_language(meta.language)
    add_people(book, anthology)  # the story authors as creators, the editor as editor
    for subject in meta.subjects:
        book.add_metadata("DC", "subject", subject)
    description = meta.description or "; ".join(
        f"{s.title} by {authors_text(s.authors)}" if s.authors else s.title for s in anthology.stories
    )
    book.add_metadata("DC", "description", description)
    _sources(book, anthology)
    _accessibility(book)

    book.add_item(epub.EpubItem(uid="css", file_name="css/book.css", media_type="text/css", content=css))
    # The cover image: manifest property cover-image (EPUB 3) and <meta name="cover"> (EPUB 2,
    # which Kindle and older Kobos still read); ebooklib's own cover page is not used, ours is themed.
    book.set_cover(cover.file_name, cover.data, create_page=False)
    book.get_item_with_id("cover-img").media_type = cover.media_type
    nav = _Document("nav", rendered.nav.file_name, rendered.nav.xhtml, ["nav"])
    book.add_item(nav)
    items = {}
    for i, doc in enumerate(rendered.docs):
        item = _Document(f"d{i:03d}-{doc.file_name.removesuffix('.xhtml')}", doc.file_name, doc.xhtml)
        items[doc.file_name] = item
        book.add_item(item)
    # The nav document stays out of the spine (the contents page is in it), so readers and calibre
    # open on the cover page, first in the spine, rather than on a list of links.
    book.spine = list(items.values())
    if rendered.cover is not None:
        page = _Document("cover", rendered.cover.file_name, rendered.cover.xhtml)
        book.add_item(page)
        book.spine.insert(0, page)
    book.toc = [_toc(entry) for entry in (d.toc for d in rendered.docs) if entry is not None]
    spine_docs = ([rendered.cover] if rendered.cover else []) + list(rendered.docs)
    book.guide = [
        {"type": _GUIDE[d.landmark], "title": d.title, "href": d.file_name} for d in spine_docs if d.landmark in _GUIDE
    ]
    book.add_item(epub.EpubNcx())
    return book


def _toc(entry: TocEntry) -> Any:  # an ebooklib Link, or a (Section, children) pair
    # NCX ids must be XML names (a slug may start with a digit: a Hebrew title slugs to "2"), so
    # they get a prefix; they derive from the href, so they are stable between builds.
    link = epub.Link(entry.href, entry.title, "ncx-" + entry.href.replace(".xhtml", "").replace("#", "-"))
    if entry.children:
        return (epub.Section(entry.title, entry.href), [_toc(c) for c in entry.children])
    return link


def _fix_opf(data: bytes, language: str) -> bytes:
    root = etree.fromstring(data)
    root.set("{http://www.w3.org/XML/1998/namespace}lang", language)
    return etree.tostring(root, xml_declaration=True, encoding="utf-8")


def _fix_ncx(data: bytes, marks: list[PageMark]) -> bytes:
    # ebooklib declares a depth of 0 whatever the navMap holds; stories with sections nest a level.
    root = etree.fromstring(data)
    depth = max((len(p.xpath("ancestor-or-self::n:navPoint", namespaces=_NCX)) for p in root.iterfind(".//n:navPoint", _NCX)), default=1)
    for meta in root.iterfind("n:head/n:meta[@name='dtb:depth']", _NCX):
        meta.set("content", str(depth))
    data = etree.tostring(root, xml_declaration=True, encoding="utf-8")
    return page_list_ncx(data, marks) if marks else data


def _reproducible(data: bytes, language: str, marks: list[PageMark]) -> bytes:
    """Rewrite ebooklib's zip: mimetype first and stored, fixed times, sorted entries, fixed OPF,
    and the page list in the NCX (ebooklib writes none)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        names = sorted(n for n in src.namelist() if n != "mimetype")
        dst.writestr(zipfile.ZipInfo("mimetype", _ZIP_TIME), b"application/epub+zip", zipfile.ZIP_STORED)
        for name in names:
            content = src.read(name)
            if name.endswith(".opf"):
                content = _fix_opf(content, language)
            elif name.endswith(".ncx"):
                content = _fix_ncx(content, marks)
            info = zipfile.ZipInfo(name, _ZIP_TIME)
            info.external_attr = 0o644 << 16
            dst.writestr(info, content, zipfile.ZIP_DEFLATED, compresslevel=9)
    return out.getvalue()


def with_page_list(rendered: RenderedBook, pages: PageMap) -> tuple[RenderedBook, list[PageMark]]:
    """The documents with the print edition's page breaks marked, and a page list in the nav;
    and the marks, for the NCX."""
    docs = {d.file_name.removesuffix(".xhtml"): d for d in rendered.docs}
    marks = marks_for([label for label, _ in pages], [start for _, start in pages], set(docs))
    if not marks:
        return rendered, []
    by_doc: dict[str, list[PageMark]] = {}
    for mark in marks:
        by_doc.setdefault(mark.doc, []).append(mark)
    marked = tuple(
        dataclasses.replace(d, xhtml=insert_marks(d.xhtml, by_doc[stem])) if stem in by_doc else d for stem, d in docs.items()
    )
    nav = dataclasses.replace(rendered.nav, xhtml=page_list_nav(rendered.nav.xhtml, marks))
    return dataclasses.replace(rendered, docs=marked, nav=nav), marks


def package_epub(anthology: Anthology, rendered: RenderedBook, cover: Cover, pages: PageMap = ()) -> bytes:
    """`pages`: the print edition's pages (package_pdf), marked in the text and listed in the nav."""
    css = rendered.theme.stylesheet_text("epub.css").encode("utf-8")  # parent themes first
    rendered, marks = with_page_list(rendered, pages) if pages else (rendered, [])
    book = _build(anthology, rendered, css, cover)
    if marks:
        # EPUB Accessibility 1.1: page markers and a page list, and the edition they come from.
        book.add_metadata(None, "meta", "pageBreakMarkers", {"property": "schema:accessibilityFeature"})
        book.add_metadata(None, "meta", "pageNavigation", {"property": "schema:accessibilityFeature"})
        book.add_metadata("DC", "source", f"{anthology.meta.identifier} (print edition)", {"id": "print-edition"})
        book.add_metadata(None, "meta", "pagination", {"refines": "#print-edition", "property": "source-of"})
    raw = io.BytesIO()
    # ebooklib stamps dcterms:modified with the wall clock unless given "mtime".
    mtime = datetime.datetime.strptime(anthology.meta.modified, "%Y-%m-%dT%H:%M:%SZ")
    epub.write_epub(raw, book, {"epub3_pages": False, "epub3_landmark": False, "spine_direction": False, "mtime": mtime})
    return _reproducible(raw.getvalue(), rendered.language, marks)


def package(work: Work) -> Made:
    """The EPUB row of package/formats.py; with the PDF built too, it carries the print edition's
    page numbers (a page list readers can cite)."""
    pdf = work.made.get("pdf")
    cover = make_cover(work.anthology, work.theme, find_cover(work.options.source))  # the user's image, or a drawn one
    return Made(package_epub(work.anthology, work.rendered, cover, pdf.page_map if pdf else ()))
