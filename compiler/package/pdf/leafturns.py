"""Package stage (PDF): no word broken across a leaf turn.

A word hyphenated at the foot of a recto is finished overleaf: the reader turns the leaf in the
middle of it, which no book house allows (across a spread, where both halves are in view, it is
tolerable). CSS has `hyphenate-limit-last: page` for this, which weasyprint 70 does not implement.
So a laid-out chunk is looked at as weasyprint left it: where the last line of a recto ends in a
hyphen (weasyprint's own, or a compound's), the word it broke is set unbreakable, its text
untouched, and the chunk laid out again from that recto (remake.py): the word's text box in
weasyprint's box tree is cut in three, the word in the middle inside an inline box with
`white-space: nowrap`, which is the box a `<span>` with that style would have made. Where the
recto-foot word begins is exact: the next page starts inside its text box, at the break. Only the
recto and the pages after it until one starts where it started before are laid out again (about 2
pages, against the whole chunk from a new parse: the corpus book in classic spent 41 of its 115
CPU-seconds re-laying whole chunks). Each pass keeps the words of the passes before, and the few a
pass pushes onto a new recto foot are met in the next.

With CSS footnotes or running elements (which no built-in theme has), whose per-page records
weasyprint does not redo for a re-made page, the words are set whole in the document's own tree
instead (a `<span>` round each occurrence) and the whole chunk laid out again from it.

Rectos: every layout this is asked for begins on one (a chunk of stories, the end-notes, the book's
body in one pass), so its pages of even index are rectos.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from xml.etree import ElementTree

if TYPE_CHECKING:
    from .remake import Layout, Skip

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
    return [broken for _, broken in _broken(document)]


def _broken(document: Any) -> list[tuple[int, Broken]]:
    """(the recto's page index, the word) for every word broken at the foot of a recto."""
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
        found.append((n, Broken(end.element, stem[:-1] if stem[-1] in "\u2010\u00ad" else stem, tail.group())))
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


def set_words_whole(layout: Layout) -> Any:
    """The document of `layout` with no word broken across a leaf turn, where setting it whole
    helps: each such word made unbreakable in the box tree, and the pages from its recto on laid
    out again (remake.py). `layout.editable` must be true."""
    document = layout.document
    for _ in range(PASSES):
        fixed = [n for n, _ in _broken(document) if _set_whole(layout, n)]
        if not fixed:
            break
        document = layout.again(fixed)
    return document


def _set_whole(layout: Layout, recto: int) -> bool:
    """Make the word broken at the foot of page `recto` unbreakable in the layout's box tree, and
    move every page start past it to where the same text now is; False if it cannot be (the break
    is not inside one text box: between two elements, say)."""
    from weasyprint.css import AnonymousStyle
    from weasyprint.formatting_structure import boxes

    starts = layout.starts()
    found = _text_box_at(layout.root, starts[recto + 1])
    if found is None:
        return False
    path, parent, box, at = found
    text: str = box.text
    encoded = text.encode()
    cut = len(encoded[:at].decode("utf-8", errors="ignore"))  # the start is a byte offset
    gap = cut
    while gap > 0 and text[gap - 1].isspace():
        gap -= 1
    if gap < cut and text[gap - 1 : gap] not in ("-", "\u2010"):  # broken at a space, not in a word
        return False
    head, tail = _WORD_END.search(text[:gap]), _WORD_START.match(text[cut:])
    if head is None or tail is None:
        return False
    start, end = head.start(), cut + tail.end()

    nowrap = AnonymousStyle(box.style)
    nowrap["white_space"] = "nowrap"
    word = box.copy_with_text(text[start:end])
    word.style = AnonymousStyle(nowrap)
    span = boxes.InlineBox(box.element_tag, nowrap, box.element, [word])
    before = [box.copy_with_text(text[:start])] if start else []
    after = [box.copy_with_text(text[end:])] if end < len(text) else []
    index = path[-1]
    children = [*parent.children[:index], *before, span, *after, *parent.children[index + 1 :]]
    parent.children = tuple(children) if isinstance(parent.children, tuple) else children

    first, last = len(text[:start].encode()), len(text[:end].encode())
    at_span = index + len(before)

    def moved(inside: Skip) -> dict[int, Any]:
        """A start inside the old text box, in the new boxes."""
        if inside is None:
            return {index: None}
        ((offset, _),) = inside.items()
        if offset < first:
            return {index: inside}
        if offset < last:
            return {at_span: {0: {offset - first: None}}}
        return {at_span + 1: {offset - last: None} if after else None}

    grown = len(before) + len(after)

    def remap(skip: Skip, down: list[int]) -> Skip:
        if skip is None:
            return None
        if down:
            return {i: remap(inner, down[1:]) if i == down[0] else inner for i, inner in skip.items()}
        out: dict[int, Any] = {}
        for i, inner in skip.items():
            if i == index:
                out.update(moved(inner))
            else:
                out[i + grown if i > index else i] = inner
        return out

    layout.restart([remap(skip, path[:-1]) for skip in starts])
    return True


def _text_box_at(root: Any, start: Skip) -> tuple[list[int], Any, Any, int] | None:
    """Follow a page's start down the box tree to the text box it begins inside: (the child
    indices down to it, its parent, the text box, the byte offset in its text)."""
    from weasyprint.formatting_structure import boxes

    box, parent, path, skip = root, None, [], start
    while isinstance(skip, dict) and len(skip) == 1:
        ((index, inner),) = skip.items()
        if isinstance(box, boxes.TextBox):
            return (path, parent, box, index) if parent is not None else None
        children = getattr(box, "children", None)
        if not isinstance(children, (list, tuple)) or index >= len(children):
            return None
        parent, box = box, children[index]
        path.append(index)
        skip = inner
    return None
