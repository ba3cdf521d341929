"""Package stage (PDF): the page — trim size, mirrored margins and a gutter that follows the page count.

Print-on-demand services ask for an inside margin that grows with the book's thickness; the table
below is the common one (Amazon KDP's "Set trim size, bleed, and margins"). The theme gives the
rest of the margins in `theme.toml` under `[print]`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ...diagnostics import stop
from ...render.theme import PrintSettings

_UNITS = {"in": 72.0, "mm": 72 / 25.4, "cm": 72 / 2.54, "pt": 1.0}

# Named trims, width × height in points.
TRIMS: dict[str, tuple[float, float]] = {
    "5x8": (5 * 72, 8 * 72),
    "5.25x8": (5.25 * 72, 8 * 72),
    "5.5x8.5": (5.5 * 72, 8.5 * 72),
    "6x9": (6 * 72, 9 * 72),
    "a5": (148 * 72 / 25.4, 210 * 72 / 25.4),
}

# (most pages, minimum gutter in inches)
_GUTTERS = ((150, 0.375), (300, 0.5), (500, 0.625), (700, 0.75), (828, 0.875))


def minimum_gutter(pages: int) -> float:
    """Inches of inside margin a bound book of this many pages needs."""
    for most, gutter in _GUTTERS:
        if pages <= most:
            return gutter
    return _GUTTERS[-1][1]


def parse_trim(text: str) -> tuple[float, float]:
    """'6x9', 'A5' or a custom '140x216mm' / '5.06x7.81in' to (width, height) in points."""
    key = text.strip().lower().replace(" ", "").removesuffix("in")
    if key in TRIMS:
        return TRIMS[key]
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*[x×]\s*(\d+(?:\.\d+)?)\s*(in|mm|cm|pt)?\s*", text.lower())
    if match is None:
        names = ", ".join(TRIMS)
        raise stop("P001", trim=repr(text), names=names)
    scale = _UNITS[match.group(3) or "in"]
    width, height = float(match.group(1)) * scale, float(match.group(2)) * scale
    if not (144 <= width <= 1296 and 216 <= height <= 1296):
        raise stop("P002", trim=repr(text))
    return width, height


@dataclass(frozen=True)
class PageSetup:
    width: float  # points
    height: float
    top: float  # margins in points
    bottom: float
    outside: float
    inside: float
    bleed: float = 0.0  # points added around the trim for printers who trim after printing

    def css(self) -> str:
        # Recto (right) pages have the gutter on the left; versos on the right. With bleed,
        # weasyprint enlarges the media box, sets the TrimBox/BleedBox and draws crop marks outside it.
        marks = f" bleed: {self.bleed:.2f}pt; marks: crop;" if self.bleed else ""
        return (
            f"@page {{ size: {self.width:.2f}pt {self.height:.2f}pt;{marks} "
            f"margin: {self.top:.2f}pt {self.outside:.2f}pt {self.bottom:.2f}pt {self.inside:.2f}pt; }}\n"
            f"@page :right {{ margin-left: {self.inside:.2f}pt; margin-right: {self.outside:.2f}pt; }}\n"
            f"@page :left {{ margin-left: {self.outside:.2f}pt; margin-right: {self.inside:.2f}pt; }}\n"
        )


BLEED = 0.125 * 72


def page_setup(trim: str, margins: PrintSettings, pages: int, bleed: bool = False) -> PageSetup:
    """The page for a book of `pages` pages: the trim, and the theme's margins in inches (theme.toml [print])."""
    width, height = parse_trim(trim)
    inside = max(margins.inside, minimum_gutter(pages)) * 72
    # Print-on-demand minimum: 0.25 in outside, 0.375 in when the page bleeds.
    outside = max(margins.outside * 72, (0.375 if bleed else 0.25) * 72)
    return PageSetup(width, height, margins.top * 72, margins.bottom * 72, outside, inside, BLEED if bleed else 0.0)
