"""Package stage (PDF): does the theme's own type cover every character of the book?

weasyprint falls back to whatever fonts the machine has for a character the theme's fonts lack,
which makes the book depend on the machine (or print a missing-glyph box). We check the text
against the cmaps of the theme's font files and say which characters, in which story, fall outside.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from pathlib import Path

from lxml import etree

from ..diagnostics import Diagnostic, warning
from ..render import RenderedBook

_FONT_SUFFIXES = (".otf", ".ttf", ".woff", ".woff2")


@lru_cache(maxsize=32)
def _cmap(path: Path) -> frozenset[int]:
    from fontTools.ttLib import TTFont  # weasyprint's own dependency

    with TTFont(str(path), lazy=True) as font:
        return frozenset(font.getBestCmap() or {})


def theme_coverage(rendered: RenderedBook) -> frozenset[int]:
    covered: set[int] = set()
    for folder in rendered.theme.folders:
        for path in sorted((folder / "fonts").glob("*")) if (folder / "fonts").is_dir() else ():
            if path.suffix.lower() in _FONT_SUFFIXES:
                covered |= _cmap(path)
    return frozenset(covered)


def _ignorable(ch: str) -> bool:
    # Spaces, controls and format characters (ZWJ, directional marks) draw nothing.
    return ch.isspace() or unicodedata.category(ch) in ("Cc", "Cf", "Zs", "Zl", "Zp", "Mn")


def missing_glyphs(rendered: RenderedBook) -> list[Diagnostic]:
    covered = theme_coverage(rendered)
    found: list[Diagnostic] = []
    for doc in rendered.print_front + rendered.docs:
        text = "".join(etree.fromstring(doc.xhtml).itertext())
        missing = sorted({ch for ch in set(text) if ord(ch) not in covered and not _ignorable(ch)})
        if missing:
            shown = " ".join(f"{ch} U+{ord(ch):04X}" for ch in missing[:12])
            more = f" and {len(missing) - 12} more" if len(missing) > 12 else ""
            found.append(
                warning(
                    "P010",
                    f"{doc.title!r}: the theme's fonts lack {shown}{more}; the PDF uses a system font for them. "
                    "Add a font that covers them to the theme's fonts/ folder",
                )
            )
    return found
