"""Package stage (PDF): the rendered documents laid out by weasyprint into the book's PDF.

A long book is laid out in chunks, in parallel (chunks.py, with the worker processes of
workers.py); the screen profile and themes whose folios cannot be split from their running heads in
one pass (onepass.py). Either way the result is the PDF, each page's text read back for the
nothing-lost check, and the page map the EPUB's page list is made from.
"""

from __future__ import annotations

from dataclasses import dataclass

from ...render import RenderedBook
from ..extract import pdf_page_texts
from ..pagemap import PageMap
from .chunks import Unsplittable, chunked_book
from .onepass import one_pass
from .options import PdfOptions
from .pagestyle import page_style
from .printdoc import parts_of
from .typesetter import stylesheets

DEFAULT_TRIM = "5.5x8.5"


@dataclass(frozen=True)
class PdfBook:
    data: bytes
    page_texts: tuple[str, ...]  # every page's text, read back from the pages the PDF is made of
    pages: PageMap = ()  # each page's number as printed, and where it begins
    coloured: bool = False  # every piece already recoloured for the press and checked (colour.for_press)


def package_pdf(rendered: RenderedBook, title: str, authors: list[str], options: PdfOptions | None = None) -> PdfBook:
    options = options or PdfOptions()
    styles = stylesheets(rendered.theme)
    split = page_style(styles.sheets)
    head = {"title": title, "authors": authors, "language": rendered.language}
    settings = rendered.theme.settings
    print_settings = settings.get("print", {})
    assert isinstance(print_settings, dict)
    trim = options.trim or str(print_settings.get("trim", DEFAULT_TRIM))
    parts, first_id = parts_of(rendered.print_front + rendered.docs)
    if options.profile == "screen" or options.one_pass or not split.splittable:
        data, places = one_pass(styles, parts, first_id, head, trim, settings, options)
        return PdfBook(data, pdf_page_texts(data), places)
    try:
        data, texts, places = chunked_book(styles, parts, first_id, head, trim, settings, split, options)
        return PdfBook(data, texts, places, coloured=options.profile == "print")  # the workers drew press colours
    except Unsplittable:
        data, places = one_pass(styles, parts, first_id, head, trim, settings, options)
        return PdfBook(data, pdf_page_texts(data), places)


def booklet_sheet(trim: str | None) -> str:
    """The paper a booklet is imposed on: A4 halves are A5, Letter halves are 5.5 × 8.5 in."""
    return "a4" if (trim or "").strip().lower() == "a5" else "letter"
