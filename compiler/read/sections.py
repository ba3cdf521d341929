"""Parse stage: section headings inside a story — "Chapter 2: Title", "Part Two", "VII", "Глава 3".

Multi-part stories become one chapter of the book with a `Heading` per part; the renderer lists them
in the contents. Anchors derive from the heading text (never a counter alone), so a rebuild after an
edit elsewhere keeps every link.
"""

from __future__ import annotations

import dataclasses
import re

from ..model import AuthorNote, Block, Heading, SceneBreak, Text, plain_text

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
# Chinese and Japanese: "第一章", "第2章 重逢", "第三話", "第十二回".
_CJK_NUMBER = "[0-9０-９一二三四五六七八九十百千零〇两]{1,6}"
_CJK_HEADING = re.compile(rf"^第\s*(?P<num>{_CJK_NUMBER})\s*(?P<unit>[章回节節話话部卷幕篇])(?:[\s:：.．、]*\S.{{0,40}})?$")
_MAX_WORDS = 14


def is_heading(text: str) -> bool:
    text = text.strip()
    if not text or len(text.split()) > _MAX_WORDS or "\n" in text:
        return False
    return bool(_HEADING.match(text) or _STANDALONE.match(text) or _BARE.match(text) or _CJK_HEADING.match(text))


def heading_of(text: str, line: int) -> Heading | None:
    if not is_heading(text):
        return None
    return Heading((Text(text.strip()),), "", line)


def _slug(text: str) -> str:
    from . import slugify  # the package's one slug rule

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


def section_notes(blocks: tuple[Block, ...]) -> tuple[Block, ...]:
    """Author's notes just before a section heading belong to that section: they follow its heading
    (a downloader writes each chapter's note above the chapter's title). A scene break right before
    a heading is dropped: the heading is the break."""
    out: list[Block] = []
    for block in blocks:
        if isinstance(block, Heading):
            notes: list[Block] = []
            while out and isinstance(out[-1], (AuthorNote, SceneBreak)):
                taken = out.pop()
                if isinstance(taken, AuthorNote):
                    notes.insert(0, taken)
            out += [block, *notes]
            continue
        out.append(block)
    return tuple(out)


# The heading a part numbered 2 implies for the untitled part before it, number style kept.
_FIRST = {"2": "1", "ii": "i", "two": "one", "second": "first", "二": "一", "２": "１"}
_NUMBERED = re.compile(rf"^(?P<label>(?:{_LABELS})\s+)(?P<num>{_NUMBER})\b", re.I)


def _matching_case(word: str, like: str) -> str:
    return word.upper() if like.isupper() else word.capitalize() if like[:1].isupper() else word


def implied_first(heading: str) -> str:
    """"Chapter 1" when the first heading is "Chapter 2: …"; "" when it is not a part two."""
    text = heading.strip()
    if m := _CJK_HEADING.match(text):
        first = _FIRST.get(m.group("num"))
        return f"第{first}{m.group('unit')}" if first else ""
    if _BARE.match(text):
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
    title = implied_first(plain_text(blocks[first].children)) if name is None else name
    if not title:
        return blocks
    line = next((getattr(b, "line", 0) for b in blocks if getattr(b, "line", 0)), 0)
    start = 0
    while start < first and isinstance(blocks[start], SceneBreak):
        start += 1
    heading = Heading((Text(title),), "", line, synthesized=True)
    return number_headings(blocks[:start] + (heading,) + blocks[start:])
