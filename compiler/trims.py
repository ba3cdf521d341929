"""Trim sizes: the named ones and `WIDTHxHEIGHT` with a unit, read into points.

Checked where a trim is given (the command line, `anthology.toml`, a theme's `theme.toml`) for every
build, an EPUB-only one included, so a bad trim is reported against the file that holds it; the
PDF's page set-up (package/pdf/pagesetup.py) reads the same values.
"""

from __future__ import annotations

import re
from pathlib import Path

from .diagnostics import stop

_UNITS = {"in": 72.0, "mm": 72 / 25.4, "cm": 72 / 2.54, "pt": 1.0}

# Named trims, width × height in points.
TRIMS: dict[str, tuple[float, float]] = {
    "5x8": (5 * 72, 8 * 72),
    "5.25x8": (5.25 * 72, 8 * 72),
    "5.5x8.5": (5.5 * 72, 8.5 * 72),
    "6x9": (6 * 72, 9 * 72),
    "a5": (148 * 72 / 25.4, 210 * 72 / 25.4),
}
_SIZE = re.compile(r"\s*(\d{1,6}(?:\.\d{1,6})?)\s*[x×]\s*(\d{1,6}(?:\.\d{1,6})?)\s*(in|mm|cm|pt)?\s*")


def parse_trim(text: str, path: Path | None = None) -> tuple[float, float]:
    """'6x9', 'A5' or a custom '140x216mm' / '5.06x7.81in' to (width, height) in points; an error
    naming `path` (the file the trim was given in) when it is not a trim a printer could cut."""
    key = text.strip().lower().replace(" ", "").removesuffix("in")
    if key in TRIMS:
        return TRIMS[key]
    match = _SIZE.fullmatch(text.lower())
    if match is None:
        raise stop("P001", path, trim=repr(text), names=", ".join(TRIMS))
    scale = _UNITS[match.group(3) or "in"]
    width, height = float(match.group(1)) * scale, float(match.group(2)) * scale
    if not (144 <= width <= 1296 and 216 <= height <= 1296):
        raise stop("P002", path, trim=repr(text))
    return width, height
