"""Package stage (PDF, booklet profile): impose the book 2-up for home printing.

Pages are placed in folding order on landscape sheets, printed double-sided (flip on the short
edge), folded in half and stapled: saddle-stitched signatures. Long books are cut into several
signatures that are stacked after folding. Inner sheets of a signature stick out at the fore-edge
when folded (creep), so their pages are shifted toward the spine by one paper thickness per sheet.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import cast

import pikepdf

SHEETS = {"letter": (792.0, 612.0), "a4": (841.89, 595.28)}  # landscape, points
PAPER_THICKNESS = 0.1 * 72 / 25.4  # 0.1 mm, ordinary 80 g/m² office paper


@dataclass(frozen=True)
class Side:
    left: int | None  # 0-based page index, None for a blank
    right: int | None
    creep: float  # points to move each page toward the spine


def folding_order(pages: int, sheets_per_signature: int = 10) -> list[Side]:
    """Both sides of every sheet, signature after signature, in printing order."""
    per_signature = 4 * sheets_per_signature
    sides: list[Side] = []
    for start in range(0, pages, per_signature):
        count = min(per_signature, pages - start)
        count += -count % 4  # pad the last signature to whole sheets with blanks
        for sheet in range(count // 4):
            outer_left = start + count - 1 - 2 * sheet  # highest page number on the outside, left
            outer_right = start + 2 * sheet
            inner_left = start + 2 * sheet + 1
            inner_right = start + count - 2 - 2 * sheet
            creep = sheet * PAPER_THICKNESS

            def real(i: int) -> int | None:
                return i if i < pages else None

            sides.append(Side(real(outer_left), real(outer_right), creep))
            sides.append(Side(real(inner_left), real(inner_right), creep))
    return sides


def _place(out: pikepdf.Pdf, target: pikepdf.Page, form: pikepdf.Object, name: str, x: float, y: float, scale: float) -> None:
    # Resource names are ours (pikepdf's add_overlay picks random ones), so builds stay byte-identical.
    target.add_resource(form, pikepdf.Name.XObject, pikepdf.Name("/" + name))
    bbox = [float(v) for v in form.BBox]
    ops = f"q {scale:.6f} 0 0 {scale:.6f} {x - bbox[0] * scale:.3f} {y - bbox[1] * scale:.3f} cm /{name} Do Q\n"
    target.contents_add(pikepdf.Stream(out, ops.encode()), prepend=False)


def impose(pdf_bytes: bytes, sheet: str = "letter", sheets_per_signature: int = 10) -> bytes:
    width, height = SHEETS[sheet]
    with pikepdf.open(io.BytesIO(pdf_bytes)) as source, pikepdf.new() as out:
        pages = list(source.pages)
        box = [float(v) for v in pages[0].trimbox]  # place the trim; bleed and crop marks are for a printer
        page_w, page_h = box[2] - box[0], box[3] - box[1]
        scale = min(width / 2 / page_w, height / page_h, 1.0)
        w, h = page_w * scale, page_h * scale
        top = (height - h) / 2
        forms = [out.copy_foreign(page.as_form_xobject()) for page in pages]
        for form in forms:
            form.BBox = pikepdf.Array(box)
        for side in folding_order(len(pages), sheets_per_signature):
            target = pikepdf.Page(out.add_blank_page(page_size=(width, height)))
            # Left half: the page's fore-edge on the left, the spine at the centre line.
            if side.left is not None:
                _place(out, target, forms[side.left], f"P{side.left + 1}", width / 2 - w + side.creep, top, scale)
            if side.right is not None:
                _place(out, target, forms[side.right], f"P{side.right + 1}", width / 2 - side.creep, top, scale)
        out.docinfo = cast(pikepdf.Dictionary, out.copy_foreign(source.docinfo))  # a dictionary copied is one
        buffer = io.BytesIO()
        out.save(buffer, deterministic_id=True)
        return buffer.getvalue()
