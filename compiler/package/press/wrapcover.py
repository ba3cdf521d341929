"""Package stage (PDF, print profile): the full-wrap cover a print-on-demand service asks for.

One sheet holds the back, the spine and the front, with 0.125 in of bleed all round:

    width  = bleed + trim width + spine + trim width + bleed
    height = bleed + trim height + bleed

The spine is as thick as the interior: its page count times the paper's thickness per page (Amazon
KDP's figures: white 0.002252 in, cream 0.0025 in). Trim size and page count are read from the
finished interior PDF, so the cover always matches the book it wraps. The theme's template
(wrap-cover.xhtml) holds the words and its print.css styles them in the theme's fonts; this module
places the panels, carries the theme's [cover] colours in as CSS custom properties, and shrinks the
back's type until the stories and their summaries fit above the barcode area. The sheet is laid
out at its full size, bleed included, so backgrounds reach the edge (weasyprint does not paint
into a CSS bleed: Kozea/WeasyPrint#934); the TrimBox and BleedBox are set afterwards.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pikepdf

from ...diagnostics import Diagnostic, diagnostic, stop
from ...render import RenderedDoc
from ...render.theme import CoverSettings, Theme
from ..formats import Made, Work
from ..pdf.typesetter import Typesetter, stylesheets

if TYPE_CHECKING:
    from ...options import BuildOptions

PAPER = {"white": 0.002252, "cream": 0.0025}  # inches per page (KDP paperback spine widths)
BLEED = 0.125 * 72
SAFE = 0.375 * 72  # type stays this far inside the trim (KDP asks 0.125 in; books look better with more)
BARCODE = (2.0 * 72, 1.2 * 72)  # KDP prints its ISBN barcode in this box at the back's lower right
SPINE_TEXT_PAGES = 80  # KDP sets no spine text on books of 79 pages or fewer: the spine is too thin
SPINE_MARGIN = 0.0625 * 72
MINIMUM_PAGES = 24  # the fewest pages KDP binds as a paperback


@dataclass(frozen=True)
class WrapGeometry:
    trim_width: float  # points
    trim_height: float
    spine: float
    pages: int

    @property
    def width(self) -> float:
        return 2 * self.trim_width + self.spine + 2 * BLEED

    @property
    def height(self) -> float:
        return self.trim_height + 2 * BLEED


def geometry(interior: bytes, paper: str) -> WrapGeometry:
    with pikepdf.open(io.BytesIO(interior)) as pdf:
        x0, y0, x1, y1 = (float(v) for v in pdf.pages[0].trimbox)
        pages = len(pdf.pages)
    return WrapGeometry(abs(x1 - x0), abs(y1 - y0), pages * PAPER[paper] * 72, pages)


def back_sizes(theme: Theme) -> list[tuple[float, bool]]:
    """(size, with summaries) to try, largest first: a point smaller each time down to the theme's
    minimum, then titles and authors alone. Large print keeps its large type and drops summaries."""
    largest, smallest = theme.settings.cover.back_size, theme.settings.cover.back_min_size
    sizes = [largest - n for n in range(int(largest - smallest) + 1)]
    return [(size, True) for size in sizes] + [(largest, False), (smallest, False)]


def _css(g: WrapGeometry, palette: CoverSettings, back_size: float, summaries: bool, measure: bool) -> str:
    panel_w, panel_h = g.trim_width - 2 * SAFE, g.trim_height - 2 * SAFE
    back_h = panel_h - BARCODE[1]
    spine_length = g.trim_height - 2 * SAFE
    spine_type = min(max(g.spine - 2 * SPINE_MARGIN, 0) * 0.62, 13.0)
    hide = "" if summaries else ".cover-story-summary { display: none; }\n"
    colours = (
        f":root {{ --cover-background: {palette.background}; --cover-ink: {palette.ink}; "
        f"--cover-accent: {palette.accent}; --cover-back-size: {back_size}pt; }}\n"
    )
    if measure:
        # The back's text alone, on a page the size of the space it may fill: one page means it fits.
        return colours + hide + (
            f"@page wrap-cover {{ size: {panel_w:.2f}pt {back_h:.2f}pt; margin: 0; }}\n"
            ".wrap-cover { page: wrap-cover; background: none; }\n"
            ".cover-front, .cover-spine { display: none; }\n"
        )
    spine_text = "" if g.pages >= SPINE_TEXT_PAGES and spine_type >= 5 else ".cover-spine-text { display: none; }\n"
    return colours + hide + spine_text + (
        f"@page wrap-cover {{ size: {g.width:.2f}pt {g.height:.2f}pt; margin: 0; }}\n"
        f".wrap-cover {{ page: wrap-cover; position: relative; width: {g.width:.2f}pt; height: {g.height:.2f}pt; overflow: hidden; }}\n"
        f".cover-back {{ position: absolute; left: {BLEED + SAFE:.2f}pt; top: {BLEED + SAFE:.2f}pt; "
        f"width: {panel_w:.2f}pt; height: {back_h:.2f}pt; overflow: hidden; }}\n"
        f".cover-spine {{ position: absolute; left: {BLEED + g.trim_width:.2f}pt; top: {BLEED:.2f}pt; "
        f"width: {g.spine:.2f}pt; height: {g.trim_height:.2f}pt; }}\n"
        # A line as long as the spine, centred on it, turned to read top to bottom (the US and UK way).
        f".cover-spine-text {{ position: absolute; width: {spine_length:.2f}pt; height: {g.spine:.2f}pt; "
        f"left: {(g.spine - spine_length) / 2:.2f}pt; top: {(g.trim_height - g.spine) / 2:.2f}pt; "
        f"line-height: {g.spine:.2f}pt; font-size: {spine_type:.2f}pt; transform: rotate(90deg); }}\n"
        f".cover-front {{ position: absolute; left: {BLEED + g.trim_width + g.spine + SAFE:.2f}pt; top: {BLEED + SAFE:.2f}pt; "
        f"width: {panel_w:.2f}pt; height: {panel_h:.2f}pt; }}\n"
    )


def _typesetter(theme: Theme) -> Typesetter:
    # The book's own set-up: the theme's print.css chain, its fonts, and a fetcher that reads only
    # the theme's files. One for all the cover's layouts, so the fonts load once.
    return Typesetter(stylesheets(theme))


def _layout(typesetter: Typesetter, doc: RenderedDoc, css: str) -> Any:  # a weasyprint Document
    # The build's sheet comes after the theme: it places the panels and clears the running heads and folios.
    clear = "@page wrap-cover { @top-center { content: none; } @bottom-center { content: none; } }\n"
    return typesetter(doc.xhtml.decode("utf-8"), "", after_theme=clear + css)


def package_wrap_cover(doc: RenderedDoc, theme: Theme, interior: bytes, paper: str = "white") -> tuple[bytes, list[Diagnostic]]:
    """The cover PDF (before PDF/X post-processing) and what the user should know about it."""
    g = geometry(interior, paper)
    palette = theme.settings.cover  # the drawn EPUB cover's colours
    typesetter = _typesetter(theme)
    found: list[Diagnostic] = []
    if g.pages < MINIMUM_PAGES:
        found.append(diagnostic("C020", pages=g.pages, minimum=MINIMUM_PAGES))
    for size, summaries in back_sizes(theme):
        if len(_layout(typesetter, doc, _css(g, palette, size, summaries, measure=True)).pages) == 1:
            break
    else:
        found.append(diagnostic("C021"))
    if not summaries:
        found.append(diagnostic("C022"))
    rendered = _layout(typesetter, doc, _css(g, palette, size, summaries, measure=False))
    pdf = rendered.write_pdf()
    with pikepdf.open(io.BytesIO(pdf)) as cover:
        (page,) = cover.pages
        page.obj.TrimBox = pikepdf.Array([BLEED, BLEED, g.width - BLEED, g.height - BLEED])
        page.obj.BleedBox = pikepdf.Array([0, 0, g.width, g.height])
        out = io.BytesIO()
        cover.save(out, deterministic_id=True)
    return out.getvalue(), found


def preflight(options: BuildOptions) -> None:
    """Before any work: the wrap cover fits a print interior, on a paper it knows."""
    if "pdf" not in options.formats or options.profile != "print":
        raise stop("C023")
    if options.paper not in PAPER:
        raise stop("C024", paper=repr(options.paper), choices=", ".join(PAPER))


def package(work: Work) -> Made:
    """The wrap cover's row of package/formats.py: made after the nothing-lost check (which reads
    one book per format), to fit the interior just made — its trim and page count set the sheet
    and the spine."""
    from ...render import render_wrap_cover
    from ..pdf.book import authors_of
    from .pdfx import make_pdfx

    sheet, notes = package_wrap_cover(render_wrap_cover(work.anthology, work.theme), work.theme, work.made["pdf"].data, work.options.paper)
    return Made(make_pdfx(sheet, work.anthology.meta, authors_of(work.anthology)), diagnostics=tuple(notes))
