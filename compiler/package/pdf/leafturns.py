"""Package stage (PDF): no word broken across a leaf turn.

A word hyphenated at the foot of a recto is finished overleaf: the reader turns the leaf in the
middle of it, which no book house allows (across a spread, where both halves are in view, it is
tolerable). CSS has `hyphenate-limit-last: page` for this, which weasyprint 70 does not implement.
So a laid-out chunk is looked at as weasyprint left it: where the last line of a recto ends in a
hyphen (weasyprint's own, or a compound's), the word it broke is set unbreakable in the document's
tree (a `<span>` with `white-space: nowrap` round it, its text untouched) and the chunk laid out
again. Chunks are small, so the second layout costs a chunk, not a book; each pass keeps the
words of the passes before, and the few a pass pushes onto a new recto foot are met in the next.

Rectos: every layout this is asked for begins on one (a chunk of stories, the end-notes, the book's
body in one pass), so its pages of even index are rectos.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from xml.etree import ElementTree

HYPHENS = "\u2010-\u00ad"  # weasyprint's hyphen (hyphenate-character), a compound's hyphen-minus, a soft hyphen
PASSES = 3  # layouts after the first, at most: one usually suffices
_WORD_END = re.compile(r"[\w\u2010\-\u00ad]+$")
_WORD_START = re.compile(r"^[\w\u2010\-]+")
WHOLE = "white-space: nowrap"


@dataclass(frozen=True)
class Broken:
    element: Any  # the element (of weasyprint's parse of the chunk) whose own text holds the word
    head: str  # the word's part on the recto, as written (weasyprint's drawn hyphen left off)
    tail: str  # its part overleaf

    @property
    def word(self) -> str:
        return self.head + self.tail

    def pattern(self) -> re.Pattern[str]:
        """The word in the source; after a hyphen the author typed, with or without a space: a
        broken-off word (`là- em`) ends the recto with a hyphen as a compound does."""
        gap = r"\s*" if self.head.endswith("-") else ""
        return re.compile(rf"(?<![\w\-]){re.escape(self.head)}{gap}{re.escape(self.tail)}(?![\w\-])")


def _lines(box: Any) -> Iterator[Any]:
    from weasyprint.formatting_structure import boxes

    if isinstance(box, boxes.MarginBox):  # running heads and folios are no part of the text
        return
    if isinstance(box, boxes.LineBox):
        yield box
        return
    for child in getattr(box, "children", ()):
        yield from _lines(child)


def _texts(box: Any) -> Iterator[Any]:
    from weasyprint.formatting_structure import boxes

    if isinstance(box, boxes.TextBox):
        yield box
    for child in getattr(box, "children", ()):
        yield from _texts(child)


def _edge_text(page: Any, last: bool) -> Any | None:
    """The last text box of a page's last line, or the first of its first line."""
    lines = list(_lines(page._page_box))  # weasyprint 70's page box; pinned in pyproject.toml
    if not lines:
        return None
    line = max(lines, key=lambda b: b.position_y) if last else min(lines, key=lambda b: b.position_y)
    texts = [t for t in _texts(line) if t.text.strip()]
    return (texts[-1] if last else texts[0]) if texts else None


def broken_at_leaf_turns(document: Any) -> list[Broken]:
    """Every word broken at the foot of a recto, with the element whose text holds it."""
    found = []
    pages = document.pages
    for n in range(0, len(pages) - 1, 2):
        end, start = _edge_text(pages[n], last=True), _edge_text(pages[n + 1], last=False)
        if end is None or start is None or not end.text.rstrip() or end.text.rstrip()[-1] not in HYPHENS:
            continue
        head, tail = _WORD_END.search(end.text.rstrip()), _WORD_START.search(start.text.lstrip())
        if head is None or tail is None:
            continue
        stem = head.group()
        # weasyprint's hyphen is drawn, not written: the word in the source goes without it.
        found.append(Broken(end.element, stem[:-1] if stem[-1] in "\u2010\u00ad" else stem, tail.group()))
    return found


def _slots(element: Any) -> Iterator[tuple[Any, bool]]:
    """The element's own runs of text: its text, then each child's tail (whose, is a tail)."""
    yield element, False
    for child in list(element):
        yield child, True


def keep_whole(broken: Broken) -> int:
    """Wrap every occurrence of the word in its element's own text in an unbreakable span; the
    count wrapped (0: the word is not there as one run of text, say split by markup)."""
    pattern = broken.pattern()
    element = broken.element
    wrapped = 0
    slots = list(_slots(element))
    for owner, is_tail in slots:
        text = (owner.tail if is_tail else owner.text) or ""
        position = list(element).index(owner) + 1 if is_tail else 0
        holder, holder_is_tail = owner, is_tail
        while (match := pattern.search(text)) is not None:
            span = ElementTree.Element("span", {"style": WHOLE})
            span.text = match.group()
            span.tail = text[match.end():]
            if holder_is_tail:
                holder.tail = text[: match.start()]
            else:
                holder.text = text[: match.start()]
            element.insert(position, span)
            wrapped += 1
            position += 1
            holder, holder_is_tail, text = span, True, span.tail
    return wrapped


def keep_words_whole(parsed: Any, document: Any, lay_out: Callable[[str], tuple[Any, Any]]) -> Any:
    """`document` (laid out from `parsed`, a weasyprint HTML) with no word broken across a leaf
    turn, where setting it whole helps: laid out again by `lay_out(html)` → (parsed, document)."""
    for _ in range(PASSES):
        broken = broken_at_leaf_turns(document)
        if not broken or not sum(keep_whole(b) for b in broken):
            return document
        source = "<!DOCTYPE html>" + ElementTree.tostring(parsed.etree_element, encoding="unicode", method="html")
        parsed, document = lay_out(source)
    return document
