"""Package stage: the packaged EPUB into a KEPUB, the variant Kobo readers open in their own engine.

No maintained converter is installable here (kepubify, the reference, is a Go program in none of
PyPI, Debian or npm; PyPI's kepub-toolbox dates from 2012), so this is the transformation Kobo's
own store books show, done on element trees:

- every run of text in a content document is cut after each sentence and each piece wrapped in
  `<span class="koboSpan" id="kobo.P.S">` (P counts paragraphs, S the pieces in it): Kobo keys
  reading position, highlights, notes and its reading statistics on these ids, so they must be
  stable — they derive only from the document, and an unchanged book re-delivered keeps them;
- the body's content is wrapped in `div#book-columns > div#book-inner`, which Kobo's pagination
  styles address, with the small style Kobo adds to neutralise their margins.

Nothing else changes: the OPF, the nav (not in the spine; Kobo reads the NCX for its contents) and
every byte outside the content documents are copied. The result still passes EPUBCheck: spans and
divs are ordinary XHTML, and the kobo.P.S ids are valid, unique ids. The file must be named
`*.kepub.epub`: that suffix is how a Kobo tells a KEPUB from an EPUB when it is side-loaded.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from pathlib import PurePosixPath

from lxml import etree

from ..formats import Made, Work

X = "http://www.w3.org/1999/xhtml"
OPF = "http://www.idpf.org/2007/opf"
CONTAINER = "urn:oasis:names:tc:opendocument:xmlns:container"

# Text inside these stays as it is: code, styles, media fallbacks. Preformatted text is spanned
# like any other (spans are inline, so its spaces and line breaks are kept): Kobo highlights and
# reading statistics work only on spanned text.
_UNTOUCHED = frozenset({"script", "style", "audio", "video", "textarea"})
# Kobo starts a new paragraph number at these (and at each image), as its own KEPUBs do; headings
# and list items run on in the current one.
_PARAGRAPHS = frozenset({"p", "ol", "ul", "table"})
# A sentence ends after . ! ? : or … (repeated), any closing quotes or brackets, and the spaces
# after them; the spaces stay with the sentence they follow, so the pieces rejoin to the text.
_SENTENCE_END = re.compile("[.!?:\u2026]+['\"\u2019\u201d\u00bb)\\]]*\\s*")
_KOBO_STYLE = "div#book-inner { margin-top: 0; margin-bottom: 0; }"


def sentences(text: str) -> list[str]:
    """The text cut after each sentence; the pieces joined give the text back exactly."""
    pieces, start = [], 0
    for match in _SENTENCE_END.finditer(text):
        if match.end() > start:
            pieces.append(text[start : match.end()])
            start = match.end()
    if start < len(text):
        pieces.append(text[start:])
    return pieces


class _Spanner:
    """Wraps one document's text in numbered koboSpans, in document order."""

    def __init__(self) -> None:
        self.paragraph = 0
        self.segment = 0
        self.new_paragraph = False

    def _span(self) -> etree._Element:
        if self.new_paragraph:
            self.paragraph += 1
            self.segment = 0
            self.new_paragraph = False
        self.segment += 1
        return etree.Element(f"{{{X}}}span", {"class": "koboSpan", "id": f"kobo.{self.paragraph}.{self.segment}"})

    def _pieces(self, text: str, in_paragraph: bool) -> Iterator[str | etree._Element]:
        for piece in sentences(text):
            # Whitespace between blocks stays bare text; inside a paragraph Kobo spans it too.
            if piece.isspace() and not in_paragraph:
                yield piece
            else:
                span = self._span()
                span.text = piece
                yield span

    def _insert(self, parent: etree._Element, index: int, after: etree._Element | None, text: str) -> int:
        """Put `text`, cut into spans, at `index` in `parent` (after the child `after`, or at the
        start); returns the index just past what was inserted."""
        in_paragraph = etree.QName(parent).localname == "p"
        for piece in self._pieces(text, in_paragraph):
            if isinstance(piece, str):
                if after is None:
                    parent.text = (parent.text or "") + piece
                else:
                    after.tail = (after.tail or "") + piece
            else:
                parent.insert(index, piece)
                index += 1
                after = piece
        return index

    def walk(self, element: etree._Element) -> None:
        name = etree.QName(element).localname
        if name in _PARAGRAPHS:
            self.new_paragraph = True  # taken only when a span follows, as Kobo does
        children = list(element)
        text, element.text = element.text, None
        if text:
            self._insert(element, 0, None, text)
        for child in children:
            tail, child.tail = child.tail, None
            if isinstance(child.tag, str) and etree.QName(child).namespace == X:
                child_name = etree.QName(child).localname
                if child_name == "img":
                    child = self._wrap_image(child)
                elif child_name not in _UNTOUCHED:
                    self.walk(child)
            # svg, MathML, comments: left as they are
            if tail:
                self._insert(element, element.index(child) + 1, child, tail)

    def _wrap_image(self, image: etree._Element) -> etree._Element:
        self.new_paragraph = True  # an image is a paragraph of its own
        span = self._span()
        image.addprevious(span)
        span.append(image)
        return span


def kobo_document(data: bytes) -> bytes:
    """One XHTML content document with Kobo's spans and divs."""
    root = etree.fromstring(data)
    body = root.find(f"{{{X}}}body")
    head = root.find(f"{{{X}}}head")
    if body is None or head is None:
        return data
    _Spanner().walk(body)
    inner = etree.Element(f"{{{X}}}div", {"id": "book-inner"})
    inner.text, body.text = body.text, None
    for child in list(body):
        inner.append(child)  # moves it, tail included
    columns = etree.SubElement(body, f"{{{X}}}div", {"id": "book-columns"})
    columns.append(inner)
    style = etree.SubElement(head, f"{{{X}}}style", {"class": "kobostylehacks"})
    style.text = _KOBO_STYLE
    return etree.tostring(root.getroottree(), xml_declaration=True, encoding="UTF-8")


def content_documents(book: zipfile.ZipFile) -> set[str]:
    """Zip names of the XHTML documents in the spine, read from the OPF (never guessed from names)."""
    container = etree.fromstring(book.read("META-INF/container.xml"))
    opf_name = container.find(f".//{{{CONTAINER}}}rootfile").get("full-path")
    opf = etree.fromstring(book.read(opf_name))
    base = PurePosixPath(opf_name).parent
    items = {i.get("id"): i for i in opf.iter(f"{{{OPF}}}item")}
    spine = [r.get("idref") for r in opf.iter(f"{{{OPF}}}itemref")]
    return {
        str(base / items[idref].get("href"))
        for idref in spine
        if items[idref].get("media-type") == "application/xhtml+xml"
    }


def to_kepub(epub: bytes) -> bytes:
    """The KEPUB of a packaged EPUB: same entries, same order and times, content documents spanned."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(epub)) as src, zipfile.ZipFile(out, "w") as dst:
        documents = content_documents(src)
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename in documents:
                data = kobo_document(data)
            copy = zipfile.ZipInfo(info.filename, info.date_time)
            copy.external_attr = info.external_attr
            dst.writestr(copy, data, info.compress_type, compresslevel=9 if info.compress_type else None)
    return out.getvalue()


def package(work: Work) -> Made:
    """The KEPUB row of package/formats.py: made from the EPUB once its every word is checked."""
    return Made(to_kepub(work.made["epub"].data))
