"""Package stage (PDF, signatures): how a printed sheet folds into a gathering, so where each page goes.

A layout is a grid of page cells on each side of a sheet and a list of right-angle folds, the
classical formats of hand bookbinding: folio (one fold, 4 pages a sheet), quarto (two, 8), octavo
(three, 16) and sextodecimo (four, 32). Every fold halves the sheet across its longer side:

- a head fold brings the upper half down behind the lower one, so its crease lies at the head,
  where the binder slits or trims it after sewing;
- a spine fold brings the left half behind the right one, so its crease lies at the left: the last
  fold is always a spine fold, and its crease is the one the signature is sewn through.

Which cell holds which page is not copied from a table: `sheet_plan` folds a sheet in memory the
way the binder will, then numbers the leaves of the folded stack from the top. A page whose cell
went through an odd number of head folds ends up upside down, so it is printed turned by 180°.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Fold(enum.Enum):
    HEAD = "head"  # horizontal crease: the upper half goes down behind the lower half
    SPINE = "spine"  # vertical crease: the left half goes behind the right half


@dataclass(frozen=True)
class Layout:
    name: str
    cols: int  # page cells across one side of the sheet, as it lies for printing
    rows: int
    folds: tuple[Fold, ...]
    default_sheets: int  # sheets nested into one signature unless the user says otherwise

    @property
    def pages_per_sheet(self) -> int:
        return 2 * self.cols * self.rows


# Defaults give 16-page signatures (32 for sextodecimo): four nested folio sheets is the common
# hand-bound gathering; a quarto of two sheets or one octavo sheet makes the same thickness.
LAYOUTS: dict[str, Layout] = {
    "folio": Layout("folio", 2, 1, (Fold.SPINE,), 4),
    "quarto": Layout("quarto", 2, 2, (Fold.HEAD, Fold.SPINE), 2),
    "octavo": Layout("octavo", 4, 2, (Fold.SPINE, Fold.HEAD, Fold.SPINE), 1),
    "sextodecimo": Layout("sextodecimo", 4, 4, (Fold.HEAD, Fold.SPINE, Fold.HEAD, Fold.SPINE), 1),
}


@dataclass(frozen=True)
class Cell:
    col: int  # on its side of the sheet as printed (that side's own left-to-right), row 0 at the top
    row: int
    slot: int  # 0-based page of the folded sheet's gathering, in reading order
    turned: bool  # printed upside down


@dataclass(frozen=True)
class SheetPlan:
    front: tuple[Cell, ...]  # the side that carries the gathering's first page, printed first
    back: tuple[Cell, ...]  # printed on the other side: turned over left to right, as duplex printers do


@dataclass
class _Piece:
    """One cell of the sheet while it is being folded: where it is, and which way it faces."""

    col: int
    row: int
    x: float  # centre, in cells; y grows toward the head
    y: float
    z: int  # height in the folded stack
    front_up: bool  # the side printed first faces up
    head_folds: int  # head folds it went through (each turns its print upside down)


def sheet_plan(layout: Layout) -> SheetPlan:
    cols, rows = layout.cols, layout.rows
    pieces = [_Piece(c, r, c + 0.5, rows - r - 0.5, 0, True, 0) for r in range(rows) for c in range(cols)]
    left, right, foot, head = 0.0, float(cols), 0.0, float(rows)
    for fold in layout.folds:
        bottom = min(p.z for p in pieces)
        if fold is Fold.SPINE:
            crease = (left + right) / 2
            moving = [p for p in pieces if p.x < crease]
            for p in moving:
                p.x = 2 * crease - p.x
            left = crease
        else:
            crease = (foot + head) / 2
            moving = [p for p in pieces if p.y > crease]
            for p in moving:
                p.y = 2 * crease - p.y
                p.head_folds += 1
            head = crease
        for p in moving:  # turned over under the stack: the top of the moving half lands lowest
            p.z = 2 * bottom - 1 - p.z
            p.front_up = not p.front_up
    stack = sorted(pieces, key=lambda p: -p.z)
    front: list[Cell] = []
    back: list[Cell] = []
    for leaf, p in enumerate(stack):
        up, down = 2 * leaf, 2 * leaf + 1  # a leaf's upper face is its recto
        turned = p.head_folds % 2 == 1
        # The back of a cell lies behind it, so on the back as printed its column is mirrored.
        front.append(Cell(p.col, p.row, up if p.front_up else down, turned))
        back.append(Cell(cols - 1 - p.col, p.row, down if p.front_up else up, turned))
    return SheetPlan(tuple(sorted(front, key=_position)), tuple(sorted(back, key=_position)))


def _position(cell: Cell) -> tuple[int, int]:
    return cell.row, cell.col


def signature_page(slot: int, sheet: int, sheets: int, per_sheet: int) -> int:
    """The page of a signature (0-based) that the slot of its sheet number `sheet` (0: outermost)
    carries, the sheets folded one by one and nested: each holds a run of pages from the front
    of the signature and the matching run from its back."""
    half = per_sheet // 2
    total = sheets * per_sheet
    return sheet * half + slot if slot < half else total - (sheet + 1) * half + (slot - half)
