"""Package stage (PDF, signatures profile): the finished book imposed on sheets for sewn bindings.

In: the book's PDF (bytes) and `SignatureOptions`. Out: `Imposed`, the sheets as a PDF (bytes,
the same for the same input) with what the user should know as diagnostics. Each sheet side is
one PDF page. Duplex (the default) puts every sheet's back right after its front, for a printer
that prints both sides, turning the sheet over left to right as it shows on screen ("flip on
short edge" for a landscape sheet, "long edge" for a portrait one). Single-sided puts every front
first, then every back in the same sheet order: print the first half, put the stack back in the
tray, print the second half; page ranges stay simple (1–N, then N+1–2N), which is why the two
halves are not interleaved or reversed.

The pages are placed by their trim box (bleed and printer's marks stay off the sheet), at full
size when the layout fits the paper, else scaled down to fit (a warning says how much and which
paper would print them at full size) or, with `fit=False`, refused with an error. Inner leaves of a
signature stick out at the fore-edge once folded (creep), so each page is moved toward the spine
by one paper thickness for every bifolium outside it, as the booklet profile does for its sheets.

How folding decides the places: folding.py; which page goes on which sheet: gathering.py.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import cast

import pikepdf

from ...diagnostics import Diagnostic, ExitCode, fail, info, warning
from . import marks
from .folding import LAYOUTS, Layout
from .gathering import Placed, Sheet, gather, select_pages
from .paper import PAPERS, Paper, parse_paper

PAPER_THICKNESS = 0.1 * 72 / 25.4  # 0.1 mm, ordinary 80–90 g/m² paper


@dataclass(frozen=True)
class SignatureOptions:
    layout: str = "folio"  # folio, quarto, octavo or sextodecimo
    paper: str = "letter"  # letter, legal, tabloid, a4, a3 or WIDTHxHEIGHT
    sheets: int | None = None  # sheets nested in a signature; None: the layout's default
    duplex: bool = True
    flyleaves: int = 0  # blank leaves before the first page and after the last
    pages: str = ""  # page ranges of the book, "1-48,97-": only those; "" for all
    marks: tuple[str, ...] = marks.DEFAULT
    fit: bool = True  # scale pages down when they do not fit; False: refuse instead
    stations: int | None = None  # sewing stations; None: one about every 1.5 in
    paper_thickness: float = PAPER_THICKNESS  # points; 0 for no creep correction


@dataclass(frozen=True)
class Imposed:
    data: bytes
    signatures: tuple[int, ...]  # sheets in each signature, in book order
    landscape: bool
    scale: float
    blanks: int  # blank pages added at the end for whole sheets
    diagnostics: tuple[Diagnostic, ...] = field(default=())

    @property
    def sheets(self) -> int:
        return sum(self.signatures)


@dataclass(frozen=True)
class _Geometry:
    width: float  # the sheet as printed
    height: float
    area: marks.Area
    scale: float
    landscape: bool


def _fit(layout: Layout, paper: Paper, page: tuple[float, float], room: float) -> tuple[float, bool]:
    """The largest scale the layout's grid of pages takes on the paper, and which way round."""
    pw, ph = page
    best: tuple[float, bool] = (0.0, False)
    # Landscape first: a tie goes to the way the grid is wider.
    for landscape in sorted((True, False), key=lambda turned: turned != (layout.cols > layout.rows)):
        width, height = paper.turned(landscape)
        scale = min((width - room) / (layout.cols * pw), (height - room) / (layout.rows * ph))
        if scale > best[0] + 1e-9:
            best = (scale, landscape)
    return best


def _geometry(layout: Layout, paper: Paper, page: tuple[float, float], options: SignatureOptions) -> tuple[_Geometry, list[Diagnostic]]:
    room = 2 * marks.ROOM if marks.OUTSIDE & set(options.marks) else 0.0
    largest, landscape = _fit(layout, paper, page, room)
    found: list[Diagnostic] = []
    if largest < 1 - 1e-6:
        size = f"{page[0] / 72:.4g} × {page[1] / 72:.4g} in"
        better = [parse_paper(name).name for name in PAPERS if _fit(layout, parse_paper(name), page, room)[0] >= 1 - 1e-6]
        hint = f"{' or '.join(better)} takes them at full size" if better else "no named paper takes them at full size"
        marked = " with room for cut and crop marks" if room else ""
        if not options.fit:
            raise fail(ExitCode.CONFIG, "I011", f"{size} pages do not fit {layout.cols} × {layout.rows} on {paper.describe()}{marked}: {hint}; or allow scaling")
        found.append(warning("I010", f"{size} pages printed at {largest:.0%} to fit {layout.cols} × {layout.rows} on {paper.describe()}{marked}; {hint}"))
    scale = min(1.0, largest)
    width, height = paper.turned(landscape)
    cell_w, cell_h = page[0] * scale, page[1] * scale
    area = marks.Area((width - layout.cols * cell_w) / 2, (height - layout.rows * cell_h) / 2, cell_w, cell_h, layout.cols, layout.rows)
    return _Geometry(width, height, area, scale, landscape), found


def _check(options: SignatureOptions) -> Layout:
    layout = LAYOUTS.get(options.layout.lower())
    if layout is None:
        raise fail(ExitCode.CONFIG, "I004", f"unknown signature layout {options.layout!r}; use one of {', '.join(LAYOUTS)}")
    unknown = sorted(set(options.marks) - set(marks.KINDS))
    if unknown:
        raise fail(ExitCode.CONFIG, "I005", f"unknown marks {', '.join(unknown)}; use any of {', '.join(marks.KINDS)}")
    return layout


def _placement(p: Placed, box: list[float], geometry: _Geometry, thickness: float) -> str:
    """The cell's clip and the matrix that sets the page's trim box upright or turned in it."""
    area = geometry.area
    x = area.x + p.col * area.cell_w
    y = area.y + (area.rows - 1 - p.row) * area.cell_h
    pw, ph = box[2] - box[0], box[3] - box[1]
    s = min(area.cell_w / pw, area.cell_h / ph)
    creep = p.depth * thickness * (-1 if p.recto else 1)  # toward the spine: left on a recto
    e = x + (area.cell_w - pw * s) / 2 + creep - box[0] * s
    f = y + (area.cell_h - ph * s) / 2 - box[1] * s
    a = s
    if p.turned:  # half a turn about the cell's centre
        cx, cy = x + area.cell_w / 2, y + area.cell_h / 2
        a, e, f = -s, 2 * cx - e, 2 * cy - f
    clip = f"{x:.3f} {y:.3f} {area.cell_w:.3f} {area.cell_h:.3f} re W n"
    return f"q {clip} {a:.6f} 0 0 {a:.6f} {e:.3f} {f:.3f} cm /P{p.page + 1 if p.page is not None else 0} Do Q\n"


def _spine(p: Placed, box: list[float], geometry: _Geometry) -> marks.Spine:
    area = geometry.area
    x = area.x + p.col * area.cell_w
    y = area.y + (area.rows - 1 - p.row) * area.cell_h
    half = (box[3] - box[1]) * min(area.cell_w / (box[2] - box[0]), area.cell_h / (box[3] - box[1])) / 2
    centre = y + area.cell_h / 2
    spine_x = x if p.recto != p.turned else x + area.cell_w
    return marks.Spine(spine_x, centre - half, centre + half) if p.turned else marks.Spine(spine_x, centre + half, centre - half)


def _side_marks(sheet: Sheet, side: tuple[Placed, ...], front: bool, signatures: int, box: list[float], geometry: _Geometry, options: SignatureOptions) -> str:
    wanted = set(options.marks)
    ops = ""
    if front and "cut" in wanted:
        ops += marks.cut(geometry.area)
    if front and "crop" in wanted:
        ops += marks.crop(geometry.area)
    pages = sheet.sheets * len(side) * 2
    for p in side:
        if "sewing" in wanted and sheet.index == sheet.sheets - 1 and p.at == pages // 2 - 1:
            distances = [d * geometry.scale for d in marks.stations(box[3] - box[1], options.stations)]
            ops += marks.sewing(_spine(p, box, geometry), distances)
        if "order" in wanted and sheet.index == 0 and p.at == 0:
            ops += marks.order(_spine(p, box, geometry), sheet.signature, signatures, geometry.scale)
    return ops


def impose(pdf_bytes: bytes, options: SignatureOptions = SignatureOptions()) -> Imposed:
    layout = _check(options)
    paper = parse_paper(options.paper)
    with pikepdf.open(io.BytesIO(pdf_bytes)) as source, pikepdf.new() as out:
        pages = list(source.pages)
        if not pages:
            raise fail(ExitCode.OUTPUT, "I006", "the book has no pages to impose")
        box = [float(v) for v in pages[0].trimbox]
        geometry, found = _geometry(layout, paper, (box[2] - box[0], box[3] - box[1]), options)
        chosen = select_pages(options.pages, len(pages))
        sheets = gather(chosen, layout, layout.default_sheets if options.sheets is None else options.sheets, options.flyleaves)
        forms: dict[int, pikepdf.Object] = {}
        boxes: dict[int, list[float]] = {}
        for index in sorted({i for i in chosen if i is not None}):
            form = out.copy_foreign(pages[index].as_form_xobject())
            boxes[index] = [float(v) for v in pages[index].trimbox]
            form.BBox = pikepdf.Array(boxes[index])  # the trim only: bleed and printer's marks stay off the sheet
            forms[index] = form
        signatures = sheets[-1].signature + 1
        sides: list[tuple[Sheet, tuple[Placed, ...], bool]] = []
        for sheet in sheets:
            sides += [(sheet, sheet.front, True), (sheet, sheet.back, False)]
        if not options.duplex:
            sides = sides[0::2] + sides[1::2]
        for sheet, side, front in sides:
            target = pikepdf.Page(out.add_blank_page(page_size=(geometry.width, geometry.height)))
            ops = ""
            for p in side:
                if p.page is not None:
                    # Resource names are ours (pikepdf's add_overlay picks random ones): the same bytes on every run.
                    target.add_resource(forms[p.page], pikepdf.Name.XObject, pikepdf.Name(f"/P{p.page + 1}"))
                    ops += _placement(p, boxes[p.page], geometry, options.paper_thickness)
            ops += _side_marks(sheet, side, front, signatures, box, geometry, options)
            target.contents_add(pikepdf.Stream(out, ops.encode()), prepend=False)
        out.docinfo = cast(pikepdf.Dictionary, out.copy_foreign(source.docinfo))
        buffer = io.BytesIO()
        out.save(buffer, deterministic_id=True)
    per_signature = [0] * signatures
    for sheet in sheets:
        per_signature[sheet.signature] += 1
    blanks = len(sheets) * layout.pages_per_sheet - len(chosen) - 4 * options.flyleaves
    found.append(info("I020", _summary(layout, per_signature, blanks, options.duplex)))
    return Imposed(buffer.getvalue(), tuple(per_signature), geometry.landscape, geometry.scale, blanks, tuple(found))


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _summary(layout: Layout, per_signature: list[int], blanks: int, duplex: bool) -> str:
    sizes = sorted(set(per_signature), reverse=True)
    counted = ", ".join(f"{per_signature.count(n)} of {_plural(n, 'sheet')}" for n in sizes)
    how = "print double-sided" if duplex else "print the first half of the pages, put the stack back in the tray, then the second half"
    added = f"; {_plural(blanks, 'blank page')} added at the end to fill the last sheet" if blanks else ""
    return f"{_plural(sum(per_signature), layout.name + ' sheet')} in {_plural(len(per_signature), 'signature')} ({counted}){added}; {how}"
