"""Package stage (PDF): where each laid-out page begins in the text, for the page map (../pagemap.py).

For each weasyprint page: which block (paragraph, heading, list item) of which document it opens in,
and how many of that block's words came on earlier pages. Read from weasyprint's boxes, in the
process that laid the pages out.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ...scripts import WORD
from ..pagemap import Start

_HYPHEN = "\u2010"  # what weasyprint adds where it hyphenates a word at a line end


def page_starts(pages: list[Any]) -> list[Start | None]:
    """Where each weasyprint page begins in the text; None for a page with no text (a blank)."""
    seen: dict[str, list[str]] = {}  # block → its text fragments on pages so far
    starts: list[Start | None] = []
    for page in pages:
        first: Start | None = None
        for block, text in _fragments(page._page_box.children[0], None):  # [0]: the page's content, not its margins
            parts = seen.setdefault(block, [])
            if first is None:
                earlier = _joined(parts)
                count = len(WORD.findall(earlier))
                if parts and parts[-1].endswith(_HYPHEN):
                    count -= 1  # the page opens inside a word hyphenated across the turn
                first = (block, max(count, 0))
            parts.append(text)
        starts.append(first)
    return starts


def _fragments(box: Any, block: str | None) -> Iterator[tuple[str, str]]:
    if "::" in (getattr(box, "element_tag", "") or ""):
        return  # generated content (note numbers, leaders, ornaments) is not in the EPUB's text
    element = getattr(box, "element", None)
    if element is not None and element.get("data-b"):
        block = element.get("data-b")
    text = getattr(box, "text", None)
    if isinstance(text, str) and text.strip() and block is not None:
        yield block, text
    for child in getattr(box, "children", ()) or ():
        yield from _fragments(child, block)


def _joined(parts: list[str]) -> str:
    out = ""
    for part in parts:
        out = out[:-1] + part if out.endswith(_HYPHEN) else out + " " + part
    return out
