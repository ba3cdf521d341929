"""Package stage (PDF): the whole book in one layout — for the screen profile (tagged PDF/UA-1, whose
structure tree weasyprint keeps whole only in one document), for themes whose folios cannot be
split from their running heads, and as the reference the tests hold the chunked layout to.
"""

from __future__ import annotations

from typing import Any

from ...render.theme import PrintSettings
from ..pagemap import PageMap, labelled
from .options import PdfOptions
from .pagesetup import page_setup
from .pagestarts import page_starts
from .printdoc import BLANK, Part, html_of
from .typesetter import Stylesheets, Typesetter


def one_pass(
    styles: Stylesheets, parts: list[Part], first_id: dict[str, str], head: dict[str, Any], trim: str, margins: PrintSettings, options: PdfOptions
) -> tuple[bytes, PageMap]:
    """The whole body in one layout, then the notes and the front matter with the page numbers
    measured in it, joined by weasyprint itself (which keeps PDF/UA tags whole)."""
    typeset = Typesetter(styles)
    try:
        return _laid_out(typeset, parts, first_id, head, trim, margins, options)
    finally:
        typeset.close()


def _laid_out(
    typeset: Typesetter, parts: list[Part], first_id: dict[str, str], head: dict[str, Any], trim: str, margins: PrintSettings, options: PdfOptions
) -> tuple[bytes, PageMap]:
    front = [p for p in parts if p.doc.matter == "front"]
    body = [p for p in parts if p.doc.matter == "body"]
    back = [p for p in parts if p.doc.matter == "back"]
    pages = 0
    for _ in range(4):
        setup = page_setup(trim, margins, pages, options.bleed)
        css = setup.css()
        paper = options.profile != "screen"  # on paper, words kept whole across a leaf turn; a screen turns no leaves
        chapters = typeset(html_of(body, first_id, head, None), css, whole_words=paper)
        folios: dict[str, int] = {}
        for number, page in enumerate(chapters.pages, start=1):
            for anchor in page.anchors:
                folios.setdefault(anchor, number)
        body_pages = list(chapters.pages)
        if back:
            # The notes continue the body's page count, opening on the next recto.
            start = len(body_pages) + 1 + len(body_pages) % 2
            notes = typeset(html_of(back, first_id, head, folios), css, f"@page :first {{ counter-reset: page {start}; }}", whole_words=paper)
            for number, page in enumerate(notes.pages, start=start):
                for anchor in page.anchors:  # so the contents can list the notes' page too
                    folios.setdefault(anchor, number)
            if len(body_pages) % 2:
                body_pages += typeset(BLANK, css).pages
            body_pages += notes.pages
        front_doc = typeset(html_of(front, first_id, head, folios), css)
        front_pages = list(front_doc.pages)
        if len(front_pages) % 2:
            front_pages += typeset(BLANK, css).pages
        total = len(front_pages) + len(body_pages)
        if page_setup(trim, margins, total, options.bleed) == setup:
            break
        pages = total
    book = front_doc.copy(front_pages + body_pages)
    if options.page_map:
        places = labelled(page_starts(front_pages), page_starts(body_pages))
    else:
        places = labelled([None] * len(front_pages), [None] * len(body_pages))
    if options.profile == "screen":
        # Tagged PDF/UA-1 (structure tree, language, title shown): what screen readers need.
        return book.write_pdf(pdf_variant="pdf/ua-1"), places
    return book.write_pdf(), places
