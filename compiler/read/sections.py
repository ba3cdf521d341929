"""Parse stage: section anchors, and the heading an untitled first part implies.

Multi-part stories become one chapter of the book with a `Heading` per part; the renderer lists them
in the contents. Anchors derive from the heading text (never a counter alone), so a rebuild after an
edit elsewhere keeps every link. Which blocks are headings is the recogniser's business (recognise/).
"""

from __future__ import annotations

import dataclasses
import re

from ..model import Block, Heading, SceneBreak, Text, plain_text
from .anchors import slugify
from .recognise.evidence import BARE, CJK_HEADING, LABELS, NUMBER


def _slug(text: str) -> str:
    return slugify(text) or "section"


def number_headings(blocks: tuple[Block, ...]) -> tuple[Block, ...]:
    """Give every heading a unique, content-derived anchor ("chapter-2-the-storm", "iv")."""
    used: set[str] = {b.anchor for b in blocks if isinstance(b, Heading) and b.anchor}
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


# The heading a part numbered 2 implies for the untitled part before it, number style kept.
_FIRST = {"2": "1", "ii": "i", "two": "one", "second": "first", "二": "一", "２": "１"}
_NUMBERED = re.compile(rf"^(?P<label>(?:{LABELS})\s+)(?P<num>{NUMBER})\b", re.I)


def _matching_case(word: str, like: str) -> str:
    return word.upper() if like.isupper() else word.capitalize() if like[:1].isupper() else word


def implied_first(heading: str) -> str:
    """"Chapter 1" when the first heading is "Chapter 2: …"; "" when it is not a part two."""
    text = heading.strip()
    if m := CJK_HEADING.match(text):
        first = _FIRST.get(m.group("num"))
        return f"第{first}{m.group('unit')}" if first else ""
    if BARE.match(text):
        number = text.rstrip(".")
        first = _FIRST.get(number.lower())
        return _matching_case(first, number) if first else ""
    if m := _NUMBERED.match(text):
        number = m.group("num")
        first = _FIRST.get(number.lower())
        return m.group("label") + _matching_case(first, number) if first else ""
    return ""


def with_first_section(blocks: tuple[Block, ...], name: str | None = None) -> tuple[Block, ...]:
    """A multi-part story whose first part has no heading, while the later ones do, gets one, so the
    contents lists every part. `name` overrides the implied one ("" adds none)."""
    first = next((i for i, b in enumerate(blocks) if isinstance(b, Heading)), None)
    if first is None or not any(not isinstance(b, SceneBreak) for b in blocks[:first]):
        return blocks
    heading = blocks[first]
    assert isinstance(heading, Heading)
    title = implied_first(plain_text(heading.children)) if name is None else name
    if not title:
        return blocks
    line = next((getattr(b, "line", 0) for b in blocks if getattr(b, "line", 0)), 0)
    start = 0
    while start < first and isinstance(blocks[start], SceneBreak):
        start += 1
    added = Heading((Text(title),), "", line, synthesized=True, level=heading.level)
    return number_headings(blocks[:start] + (added,) + blocks[start:])
