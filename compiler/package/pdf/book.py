"""Package stage (PDF): the rendered documents laid out by weasyprint into the book's PDF.

A long book is laid out in chunks, in parallel (chunks.py, with the worker processes of
workers.py); the screen profile and themes whose folios cannot be split from their running heads in
one pass (onepass.py). Either way the result is the PDF, each page's text read back for the
nothing-lost check, and the page map the EPUB's page list is made from.
"""

from __future__ import annotations

from dataclasses import dataclass

from ... import timings
from ...model import Anthology
from ...render import RenderedBook
from ..formats import Made, Work
from ..extract import pdf_page_texts
from ..pagemap import PageMap
from .chunks import Unsplittable, chunked_book
from .onepass import one_pass
from .options import PdfOptions
from .pagestyle import page_style
from .printdoc import parts_of
from .typesetter import stylesheets

@dataclass(frozen=True)
class PdfBook:
    data: bytes
    page_texts: tuple[str, ...]  # every page's text, read back from the pages the PDF is made of
    pages: PageMap = ()  # each page's number as printed, and where it begins
    coloured: bool = False  # every piece already recoloured for the press and checked (colour.for_press)


def package_pdf(rendered: RenderedBook, title: str, authors: list[str], options: PdfOptions | None = None, running_title: str | None = None) -> PdfBook:
    """`title` is the PDF's (a volume's: "Title — Volume II"); `running_title` the book's title
    the running heads carry (the anthology's, the same in every volume), `title` when not given."""
    options = options or PdfOptions()
    styles = stylesheets(rendered.theme)
    split = page_style(styles.sheets)
    head = {"title": title, "running": running_title or title, "authors": authors, "language": rendered.language}
    margins = rendered.theme.settings.print
    trim = options.trim or margins.trim
    parts, first_id = parts_of(rendered.print_front + rendered.docs, blocks=options.page_map)
    if options.profile == "screen" or options.one_pass or not split.splittable:
        data, places = one_pass(styles, parts, first_id, head, trim, margins, options)
        return PdfBook(data, pdf_page_texts(data), places)
    try:
        data, texts, places = chunked_book(styles, parts, first_id, head, trim, margins, split, options)
        return PdfBook(data, texts, places, coloured=options.profile == "print")  # the workers drew press colours
    except Unsplittable:
        data, places = one_pass(styles, parts, first_id, head, trim, margins, options)
        return PdfBook(data, pdf_page_texts(data), places)


def booklet_sheet(trim: str | None) -> str:
    """The paper a booklet is imposed on: A4 halves are A5, Letter halves are 5.5 × 8.5 in."""
    return "a4" if (trim or "").strip().lower() == "a5" else "letter"


def authors_of(anthology: Anthology) -> list[str]:
    """Every story's authors, each once, in the order they first appear."""
    return list(dict.fromkeys(a for s in anthology.stories for a in s.authors))


def package(work: Work) -> Made:
    """The PDF row of package/formats.py: the book laid out, then made ready for what it is for —
    PDF/X-4 for a printer, imposed 2-up for a booklet, as laid out for a screen."""
    from ..press.booklet import impose
    from ..press.pdfx import make_pdfx
    from .fonts import missing_glyphs
    from .layoutcache import FOLDER, LayoutCache

    options = work.options
    found = missing_glyphs(work.rendered)  # before any layout: a font the text needs and the machine lacks stops the build
    authors = authors_of(work.anthology)
    # Chunks laid out by an earlier build into this folder are reused when their content is unchanged.
    # Each volume keeps its own (a cache keeps only what its last build used: one folder for all would keep the last volume's).
    folder = options.output / (f"{FOLDER}-vol{work.anthology.meta.volume}" if work.anthology.meta.volume else FOLDER)
    cache = LayoutCache(folder, work.theme.folders) if options.cache else None
    layout = PdfOptions(options.trim, options.profile, options.bleed, cache, options.jobs, one_pass=options.one_pass, pool=work.started)
    layout.page_map = "page_map" in work.wanted  # where each page begins, only if the EPUB is made too
    layout.progress = lambda done, total: work.progress(f"laying out the PDF: {done} of {total} stories")
    meta = work.anthology.meta
    pdf = package_pdf(work.rendered, meta.full_title, authors, layout, running_title=meta.title)
    data = pdf.data
    if options.profile == "print":
        # PDF/X-4 for a printer, made from whatever PDF the layout wrote. Its text is untouched, so
        # the page texts the layout read stay valid for the nothing-lost check.
        with timings.span("PDF/X"):
            data = make_pdfx(data, work.anthology.meta, authors, coloured=pdf.coloured)
    elif options.profile == "booklet":
        # Imposed in folding order; the check reads the pages in sequence, as the layout read them.
        data = impose(data, booklet_sheet(options.trim))
    return Made(data, pdf.page_texts, pdf.pages if layout.page_map else (), tuple(found), cache.commit if cache else None)
