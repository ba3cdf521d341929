"""Package stage, read backwards: the text of a built book, as a reader of it gets it.

The nothing-lost check (compiler/check.py) compares these texts with the stories' sources; the
packagers read their own books back with them too (the PDF's pages in the layout workers). Here,
beside the packagers, so that the check imports the packagers and never the other way round.
"""

from __future__ import annotations

import io
import zipfile

from lxml import etree

# Elements that end a run of text: words never continue across them. Inline elements (em, a, span)
# do not break words: "*CRASH*SPLINTER*WHAM*" is one word on the page as in the source.
_BLOCKS = frozenset(
    "p div br hr li ol ul dl dt dd blockquote pre h1 h2 h3 h4 h5 h6 section article aside header footer "
    "nav table tr td th caption figure figcaption title body head html".split()
)


def text_of(root: etree._Element) -> str:
    """The text of an (X)HTML tree with a line break around every block, none around inline elements."""
    parts: list[str] = []

    def walk(element: etree._Element) -> None:
        if not isinstance(element.tag, str):  # comments and processing instructions hold no text
            parts.append(element.tail or "")
            return
        block = etree.QName(element).localname.lower() in _BLOCKS
        if block:
            parts.append("\n")
        parts.append(element.text or "")
        for child in element:
            walk(child)
        if block:
            parts.append("\n")
        parts.append(element.tail or "")

    walk(root)
    return "".join(parts)


def epub_texts(data: bytes) -> tuple[str, ...]:
    """The text of every content document of an EPUB (or KEPUB), in file-name order, the navigation left out."""
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        names = sorted(n for n in book.namelist() if n.endswith(".xhtml") and not n.endswith("nav.xhtml"))
        return tuple(text_of(etree.fromstring(book.read(name))) for name in names)


def epub_text(data: bytes) -> str:
    return "\n".join(epub_texts(data))


def pdf_page_texts(data: bytes) -> tuple[str, ...]:
    """The text of every page of a PDF, as PDFium reads it."""
    import pypdfium2

    document = pypdfium2.PdfDocument(data)
    try:
        return tuple(page.get_textpage().get_text_range().replace("\r\n", "\n") for page in document)
    finally:
        document.close()
