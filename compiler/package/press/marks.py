"""Package stage (PDF, signatures): the binder's marks, as PDF drawing operators on a sheet side.

- cut: corner marks outside the imposed area, where the sheet is cut down so its edges meet when
  folded (paper larger than the pages needs it) and where the folded block is trimmed;
- crop: ticks outside the imposed area on the line of every edge between pages, which is where the
  sheet folds, so a hand fold can follow them;
- sewing: short ticks across the spine fold of each signature's centre spread, at the stations the
  binder pierces (two kettle stations half an inch from head and tail, the rest evenly between);
- order: a black block across the spine fold of each signature's outside, one block lower for
  each signature, so the stacked signatures show a stepped line down their spines and one out of
  order or missing breaks it (the collation mark of trade binderies).

Marks are thin black lines, drawn over the pages in DeviceGray so any printer sets them in black ink.
"""

from __future__ import annotations

from dataclasses import dataclass

KINDS = ("cut", "crop", "sewing", "order")
DEFAULT = ("sewing", "order")  # marks on the fold need no paper beyond the pages
OUTSIDE = frozenset({"cut", "crop"})  # marks that need room around the imposed area

GAP = 3.0  # points between the imposed area and a mark outside it
LENGTH = 12.0
ROOM = GAP + LENGTH + 3.0  # kept free around the imposed area for marks outside it
LINE = 0.3
INCH = 72.0


@dataclass(frozen=True)
class Area:
    x: float  # lower left of the imposed area on the sheet
    y: float
    cell_w: float
    cell_h: float
    cols: int
    rows: int

    @property
    def width(self) -> float:
        return self.cols * self.cell_w

    @property
    def height(self) -> float:
        return self.rows * self.cell_h


@dataclass(frozen=True)
class Spine:
    """A page's spine edge on the sheet, and where its head and tail are."""

    x: float
    head: float  # y of the page's head
    tail: float

    def down(self, distance: float) -> float:
        """y of a point `distance` below the head, toward the tail."""
        return self.head - distance if self.head > self.tail else self.head + distance


def _line(x0: float, y0: float, x1: float, y1: float) -> str:
    return f"{x0:.3f} {y0:.3f} m {x1:.3f} {y1:.3f} l S\n"


def _stroked(body: str, width: float = LINE) -> str:
    return f"q 0 G {width:.2f} w [] 0 d\n{body}Q\n" if body else ""


def cut(area: Area) -> str:
    x0, y0, x1, y1 = area.x, area.y, area.x + area.width, area.y + area.height
    near, far = GAP, GAP + LENGTH
    body = ""
    for x, sx in ((x0, -1), (x1, 1)):
        for y, sy in ((y0, -1), (y1, 1)):
            body += _line(x + sx * near, y, x + sx * far, y) + _line(x, y + sy * near, x, y + sy * far)
    return _stroked(body)


def crop(area: Area) -> str:
    x0, y0, x1, y1 = area.x, area.y, area.x + area.width, area.y + area.height
    body = ""
    for c in range(1, area.cols):
        x = x0 + c * area.cell_w
        body += _line(x, y1 + GAP, x, y1 + GAP + LENGTH) + _line(x, y0 - GAP, x, y0 - GAP - LENGTH)
    for r in range(1, area.rows):
        y = y0 + r * area.cell_h
        body += _line(x0 - GAP, y, x0 - GAP - LENGTH, y) + _line(x1 + GAP, y, x1 + GAP + LENGTH, y)
    return _stroked(body)


def stations(page_height: float, count: int | None = None, inset: float = 0.5 * INCH) -> list[float]:
    """Distances of the sewing stations from the head, in the page's own points: the kettle
    stations `inset` from head and tail, the others evenly between, about 1.5 in apart."""
    span = page_height - 2 * inset
    if count is None:
        count = max(2, round(span / (1.5 * INCH)) + 1)
    if count == 1:
        return [page_height / 2]
    return [inset + n * span / (count - 1) for n in range(count)]


def sewing(spine: Spine, distances: list[float]) -> str:
    reach = 4.0
    return _stroked("".join(_line(spine.x - reach, spine.down(d), spine.x + reach, spine.down(d)) for d in distances), 0.5)


def order(spine: Spine, signature: int, signatures: int, scale: float) -> str:
    """The signature's step of the stepped line: blocks from half an inch below the head down to
    half an inch above the tail; when there are too many signatures to step by 6 pt, the line
    starts again at the top (still a clear pattern on the stacked spines)."""
    inset = 0.5 * INCH * scale
    span = abs(spine.head - spine.tail) - 2 * inset
    step = min(18.0, max(6.0, span / max(signatures, 1)))
    steps = max(1, int(span // step))
    top = inset + (signature % steps) * step
    y0, y1 = sorted((spine.down(top), spine.down(top + step)))
    half = 2.5
    return f"q 0 g {spine.x - half:.3f} {y0:.3f} {2 * half:.3f} {y1 - y0:.3f} re f Q\n"
