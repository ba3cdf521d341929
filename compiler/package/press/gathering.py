"""Package stage (PDF, signatures): which book page goes on which sheet, before anything is drawn.

The pages the user asked for (a range, or all), blank flyleaves before and after, then signatures
of nested sheets. Folding needs whole sheets, so the book is padded with blanks at its end, fewer
than one sheet holds; the sheets are spread over the signatures as evenly as the chosen count per
signature allows, so the last signature is never a thin one of a single sheet sewn on its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ...diagnostics import ExitCode, fail
from .folding import Cell, Layout, SheetPlan, sheet_plan, signature_page


@dataclass(frozen=True)
class Placed:
    page: int | None  # 0-based page of the book; None for a blank
    col: int
    row: int
    turned: bool
    at: int  # 0-based page of its signature
    recto: bool  # an odd page of the signature: its spine edge is its left edge
    depth: int  # bifolia outside this one in its signature: how far it creeps at the fore-edge


@dataclass(frozen=True)
class Sheet:
    signature: int  # 0-based, in book order
    index: int  # sheet of its signature, 0 the outermost
    sheets: int  # sheets in its signature
    front: tuple[Placed, ...]
    back: tuple[Placed, ...]


def select_pages(ranges: str, count: int) -> list[int | None]:
    """'1-16,33-' of a book of `count` pages to 0-based indices. A range that would put a left-hand
    page on a right-hand one gets a blank before it, so rectos stay rectos once folded."""
    text = ranges.replace(" ", "")
    if not text:
        return list(range(count))
    chosen: list[int | None] = []
    for part in text.split(","):
        match = re.fullmatch(r"(\d+)?(?:(-)(\d+)?)?", part)
        if not part or match is None or (match.group(1) is None and match.group(3) is None):
            raise fail(ExitCode.CONFIG, "I002", f"page range {part!r} in {ranges!r} is not N, N-M, N- or -M (pages of the book, from 1)")
        first = int(match.group(1) or 1)
        last = int(match.group(3) or count) if match.group(2) else first
        if not 1 <= first <= last <= count:
            raise fail(ExitCode.CONFIG, "I002", f"page range {part!r} is outside the book's pages 1-{count}, or runs backwards")
        if (first - 1) % 2 != len(chosen) % 2:
            chosen.append(None)
        chosen.extend(range(first - 1, last))
    return chosen


def _spread(sheets: int, most: int) -> list[int]:
    """Sheets per signature: as few signatures as `most` a signature allows, sizes differing by one."""
    count = -(-sheets // most)
    size, extra = divmod(sheets, count)
    return [size + 1 if n < extra else size for n in range(count)]


def gather(pages: list[int | None], layout: Layout, sheets_per_signature: int, flyleaves: int = 0) -> list[Sheet]:
    if sheets_per_signature < 1:
        raise fail(ExitCode.CONFIG, "I003", f"sheets per signature must be 1 or more, not {sheets_per_signature}")
    if flyleaves < 0:
        raise fail(ExitCode.CONFIG, "I003", f"flyleaves must be 0 or more, not {flyleaves}")
    blank: list[int | None] = [None] * (2 * flyleaves)
    book = blank + pages + blank
    per_sheet = layout.pages_per_sheet
    total_sheets = max(1, -(-len(book) // per_sheet))
    book += [None] * (total_sheets * per_sheet - len(book))  # only what folding needs, at the very end
    plan = sheet_plan(layout)
    out: list[Sheet] = []
    start = 0
    for number, sheets in enumerate(_spread(total_sheets, sheets_per_signature)):
        signature = book[start : start + sheets * per_sheet]
        for index in range(sheets):
            front, back = _sides(plan, signature, index, sheets, per_sheet)
            out.append(Sheet(number, index, sheets, front, back))
        start += sheets * per_sheet
    return out


def _sides(plan: SheetPlan, signature: list[int | None], index: int, sheets: int, per_sheet: int) -> tuple[tuple[Placed, ...], tuple[Placed, ...]]:
    last = len(signature) - 1

    def placed(cells: tuple[Cell, ...]) -> tuple[Placed, ...]:
        out = []
        for cell in cells:
            at = signature_page(cell.slot, index, sheets, per_sheet)
            out.append(Placed(signature[at], cell.col, cell.row, cell.turned, at, at % 2 == 0, min(at, last - at) // 2))
        return tuple(out)

    return placed(plan.front), placed(plan.back)
