"""Parse stage: section headings inside a story — "Chapter 2: Title", "Part Two", "VII", "Глава 3".

Multi-part stories become one chapter of the book with a `Heading` per part; the renderer lists them
in the contents. Anchors derive from the heading text (never a counter alone), so a rebuild after an
edit elsewhere keeps every link.
"""

from __future__ import annotations

import dataclasses
import re

from ..model import Block, Heading, Text, plain_text

_NUMBER_WORDS = (
    "one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|"
    "seventeen|eighteen|nineteen|twenty|first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|last|final"
)
_NUMBER = rf"(?:\d{{1,3}}|[ivxlc]{{1,7}}|{_NUMBER_WORDS})"
_LABELS = r"chapter|chap\.|ch\.|part|book|volume|act|lesson|глава|часть|פרק|capítulo|chapitre|kapitel"
_HEADING = re.compile(
    rf"^(?:.{{0,40}},\s*)?(?:{_LABELS})\s+{_NUMBER}\b\.?(?:\s*[:.\-–—]\s*(?P<title>\S.*)|\s+(?P<rest>\S.*))?$",
    re.I,
)
_STANDALONE = re.compile(r"^(?:prologue|epilogue|interlude|afterword|foreword)\b\.?(?:\s*[:.\-–—]\s*\S.*)?$", re.I)
# A chunk that is only a number: "1", "VII", "IV." — how many plain-text stories number their parts.
_BARE = re.compile(r"^(?:\d{1,3}|[IVXLC]{1,7})\.?$")
_MAX_WORDS = 14


def is_heading(text: str) -> bool:
    text = text.strip()
    if not text or len(text.split()) > _MAX_WORDS or "\n" in text:
        return False
    return bool(_HEADING.match(text) or _STANDALONE.match(text) or _BARE.match(text))


def heading_of(text: str, line: int) -> Heading | None:
    if not is_heading(text):
        return None
    return Heading((Text(text.strip()),), "", line)


def _slug(text: str) -> str:
    from . import slugify  # the package's one slug rule

    return slugify(text) or "section"


def number_headings(blocks: tuple[Block, ...]) -> tuple[Block, ...]:
    """Give every heading a unique, content-derived anchor ("chapter-2-the-storm", "iv")."""
    used: set[str] = set()
    out: list[Block] = []
    for block in blocks:
        if isinstance(block, Heading) and not block.anchor:
            base = "s-" + _slug(plain_text(block.children))
            anchor, n = base, 2
            while anchor in used:
                anchor, n = f"{base}-{n}", n + 1
            used.add(anchor)
            block = dataclasses.replace(block, anchor=anchor)
        out.append(block)
    return tuple(out)
