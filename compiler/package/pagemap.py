"""Package stage: the print edition's page map — where each printed page begins in the text.

The PDF measures it (pdf/pagestarts.py) and the EPUB carries it as a page list (epub/pagelist.py).
Both number the text blocks of a document the same way (`blocks_of`: `data-b="doc:n"` on the PDF's
HTML, the same walk over the EPUB's XHTML) and count words with one tokenizer, so the two sides
agree without comparing any text. Its own module so neither trade imports the other.
"""

from __future__ import annotations

from collections.abc import Iterator

from lxml import etree

BLOCKS = frozenset("p h1 h2 h3 h4 h5 h6 li pre dt dd td th figcaption".split())


def blocks_of(root: etree._Element) -> Iterator[etree._Element]:
    """The text blocks of a document in reading order (namespaced XHTML or plain HTML alike)."""
    for el in root.iter():
        if isinstance(el.tag, str) and etree.QName(el).localname in BLOCKS:
            yield el


def mark_blocks(wrapper: etree._Element, doc: str) -> None:
    for n, el in enumerate(blocks_of(wrapper)):
        el.set("data-b", f"{doc}:{n}")


Start = tuple[str, int]  # (block "doc:n", words of it on earlier pages)
# Each page of the print edition: its number as printed ("iv", "17") and where it begins (None: a
# page with no text of its own, such as a blank verso).
PageMap = tuple[tuple[str, Start | None], ...]


def _roman(n: int) -> str:
    out = ""
    for value, letters in ((1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"),
                           (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")):
        while n >= value:
            out, n = out + letters, n - value
    return out


def labelled(front: list[Start | None], body: list[Start | None]) -> PageMap:
    """Front matter numbered in roman, the body in arabic from 1, as the folios read."""
    return tuple((_roman(n), s) for n, s in enumerate(front, 1)) + tuple((str(n), s) for n, s in enumerate(body, 1))
