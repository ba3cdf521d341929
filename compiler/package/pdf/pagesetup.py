"""Package stage (PDF): the page — trim size, mirrored margins and a gutter that follows the page count.

Print-on-demand services ask for an inside margin that grows with the book's thickness; the table
below is the common one (Amazon KDP's "Set trim size, bleed, and margins"). The theme gives the
rest of the margins in `theme.toml` under `[print]`.
"""

from __future__ import annotations

from dataclasses import dataclass

from ...render.theme import PrintSettings
from ...trims import TRIMS, parse_trim

__all__ = ["TRIMS", "PageSetup", "minimum_gutter", "page_setup", "parse_trim"]

# (most pages, minimum gutter in inches)
_GUTTERS = ((150, 0.375), (300, 0.5), (500, 0.625), (700, 0.75), (828, 0.875))


def minimum_gutter(pages: int) -> float:
    """Inches of inside margin a bound book of this many pages needs."""
    for most, gutter in _GUTTERS:
        if pages <= most:
            return gutter
    return _GUTTERS[-1][1]


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
