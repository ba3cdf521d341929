"""Package stage (PDF, signatures): the paper a user names, and which way round a layout needs it.

Sizes are the ISO 216 and ANSI/ASME Y14.1 sheets home and office printers take; a custom sheet is
`WIDTHxHEIGHT` with `in`, `mm`, `cm` or `pt` (inches when no unit is given).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ...diagnostics import ExitCode, fail

_MM = 72 / 25.4
_UNITS = {"in": 72.0, "mm": _MM, "cm": 10 * _MM, "pt": 1.0}

# Portrait width × height in points.
PAPERS: dict[str, tuple[float, float]] = {
    "letter": (612.0, 792.0),
    "legal": (612.0, 1008.0),
    "tabloid": (792.0, 1224.0),
    "a4": (210 * _MM, 297 * _MM),
    "a3": (297 * _MM, 420 * _MM),
}


@dataclass(frozen=True)
class Paper:
    name: str
    width: float  # points, portrait
    height: float

    def turned(self, landscape: bool) -> tuple[float, float]:
        """Width and height of the sheet as it lies for printing."""
        short, long = sorted((self.width, self.height))
        return (long, short) if landscape else (short, long)

    def describe(self) -> str:
        return f"{self.name} ({self.width / 72:.4g} × {self.height / 72:.4g} in)"


def parse_paper(text: str) -> Paper:
    key = text.strip().lower()
    if key in PAPERS:
        width, height = PAPERS[key]
        return Paper(key.capitalize() if key.isalpha() and len(key) > 2 else key.upper(), width, height)
    match = re.fullmatch(r"(\d+(?:\.\d+)?)\s*[x×]\s*(\d+(?:\.\d+)?)\s*(in|mm|cm|pt)?", key)
    if match is None:
        raise fail(ExitCode.CONFIG, "I001", f"unknown paper {text!r}; name one of {', '.join(PAPERS)}, or give WIDTHxHEIGHT with in, mm, cm or pt")
    unit = _UNITS[match.group(3) or "in"]
    width, height = float(match.group(1)) * unit, float(match.group(2)) * unit
    if not (3 * 72 <= min(width, height) and max(width, height) <= 40 * 72):
        raise fail(ExitCode.CONFIG, "I001", f"paper {text!r} is outside 3 × 3 in … 40 × 40 in")
    return Paper(text.strip(), width, height)
