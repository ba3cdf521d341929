"""Package stage (press work): the printing condition a print PDF is made for, and its ICC profiles.

Its own module so that colour.py (which converts to the condition's CMYK) and pdfx.py (which
declares it in the file) both read it without importing each other.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

ICC = Path(__file__).parent / "icc"  # icc/LICENSE.txt says where each profile comes from
# An ICC v2 sRGB profile: PDF 1.6 predates the v4 profiles littleCMS writes.
SRGB = ICC / "sRGB.icc"


@dataclass(frozen=True)
class OutputIntent:
    identifier: str  # a reference name in the ICC's characterization registry
    condition: str  # the printing condition, for the people at the printer's
    profile: Path  # the CMYK output profile embedded as DestOutputProfile
    registry: str = "http://www.color.org"


FOGRA39 = OutputIntent(
    "FOGRA39",
    "Offset printing, ISO 12647-2:2004/Amd 1, coated paper (paper type 1 or 2), 300% total ink",
    ICC / "anthology-fogra39.icc",
)
