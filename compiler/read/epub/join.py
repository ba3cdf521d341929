"""Parse stage, EPUB: the spine's documents joined into one HTML tree, read like one page.

Each content document is parsed safely (container.py; a document that is not well-formed XHTML
is read as HTML, A044) and copied, in spine order, into one `<html><body>`: tags and attributes
without namespaces (`epub:type` becomes `data-epub-type`, `xml:lang` `lang`), so the HTML reader
and the site templates (sites/) see one page, as they would see the site's own HTML download.
Source lines run on from one document to the next (`Joined.where` turns them back into a member
and its own line). A converter that split one element over several files (calibre splits AO3's
`#preface` and `#chapters` at each chapter) repeated the element, with its id, at the top of the
next file: such continuations are joined back into the element they continue.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field

import lxml.html
from lxml import etree

from ...diagnostics import diagnostic
from ..depth import deep_warning, flatten_deep
from ..xmlsafe import END_TAGS_BYTES, as_xml
from .container import Container, _parser, with_numeric_entities

_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_EPUB_TYPE = "{http://www.idpf.org/2007/ops}type"


@dataclass
class Joined:
    root: lxml.html.HtmlElement  # <html><body>…</body></html>
    starts: list[int] = field(default_factory=list)  # each document's first line, in the joined numbering
    members: list[str] = field(default_factory=list)
    ids: dict[tuple[str, str], etree._Element] = field(default_factory=dict)  # (member, id) → element
    links: list[tuple[etree._Element, str, str]] = field(default_factory=list)  # (<a>, member it is in, href)
    firsts: dict[str, etree._Element] = field(default_factory=dict)  # member → its first element in the tree
    member_of: dict[etree._Element, str] = field(default_factory=dict)  # elements with an id or href → member

    @property
    def body(self) -> etree._Element:
        return self.root[0]

    def where(self, line: int) -> tuple[str, int]:
        """The member and its own line for a line of the joined tree."""
        if not self.members or line <= 0:
            return ("", line)
        k = max(0, bisect.bisect_right(self.starts, line) - 1)
        return self.members[k], line - self.starts[k] + 1


def parse_document(box: Container, member: str) -> etree._Element:
    data = box.read(member)
    try:
        root = etree.fromstring(with_numeric_entities(data), _parser())
    except etree.XMLSyntaxError as exc:
        box.diagnostics.append(diagnostic("A044", box.path, member=member, error=str(exc).split("(", 1)[0].strip()[:80]))
        try:
            root = as_xml(lxml.html.document_fromstring(END_TAGS_BYTES.sub(b"", data), parser=lxml.html.HTMLParser(encoding="utf-8", no_network=True, huge_tree=True)))
        except etree.ParserError:  # lxml: "Document is empty" (a doctype alone, only a comment): no text to read
            root = lxml.html.Element("html")
    else:
        box.note_entities(member, root)
        _into_body(root)
    if flatten_deep(root):
        box.diagnostics.append(deep_warning(box.path))
    return root


def _local(tag: str) -> str:
    return etree.QName(tag).localname.lower() if tag.startswith("{") else tag.lower()


def _attributes(el: etree._Element) -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in el.attrib.items():
        if key == _EPUB_TYPE:
            out["data-epub-type"] = value
        elif key == _XML_LANG:
            out.setdefault("lang", value)
        elif key.startswith("{"):
            continue  # xlink and other namespaced attributes: nothing a reader of text needs
        else:
            out[key] = value
    return out


class _Copier:
    def __init__(self, joined: Joined, member: str, shift: int) -> None:
        self.joined, self.member, self.shift = joined, member, shift

    def copy(self, source: etree._Element, target: etree._Element) -> None:
        """The children of `source` appended to `target`, texts and tails as they are; a first
        child that continues `target`'s last child (a split element, repeated with its id) is
        joined into it instead."""
        first = next((c for c in source if isinstance(c.tag, str)), None)
        last = target[-1] if len(target) and isinstance(target[-1].tag, str) else None
        joins = (
            first is not None and last is not None and _local(first.tag) == last.tag and bool(first.get("id"))
            and first.get("id") == last.get("id") and not (source.text or "").strip() and first is source[0]
        )
        if not joins:
            self._text(target, source.text)
        for child in source:
            if joins and last is not None and child is first:
                self.joined.ids.setdefault((self.member, source[0].get("id", "")), last)
                self.copy(source[0], last)
                self._text(target, source[0].tail)
                continue
            if isinstance(child.tag, str):
                made = etree.SubElement(target, _local(child.tag), _attributes(child))
                if child.sourceline:
                    made.sourceline = child.sourceline + self.shift
                self._index(made)
                self.joined.firsts.setdefault(self.member, made)
                self.copy(child, made)
                made.tail = child.tail
            elif isinstance(child, etree._Comment):
                comment = etree.Comment(child.text or "")
                target.append(comment)
                comment.tail = child.tail
            else:  # a processing instruction or an unexpanded entity: nothing to read
                self._text(target, child.tail)

    @staticmethod
    def _text(target: etree._Element, text: str | None) -> None:
        if not text:
            return
        if len(target):
            target[-1].tail = (target[-1].tail or "") + text
        else:
            target.text = (target.text or "") + text

    def _index(self, el: etree._Element) -> None:
        if el.get("id"):
            self.joined.ids.setdefault((self.member, el.get("id", "")), el)
            self.joined.member_of[el] = self.member
        if el.tag == "a" and el.get("href"):
            self.joined.links.append((el, self.member, el.get("href", "")))
            self.joined.member_of[el] = self.member


def _into_body(root: etree._Element) -> None:
    """Text and elements written in <html> but outside <body> (a chapter's closing words after
    `</body>`: well-formed XML all the same) moved into the body, in order, since only the body is
    copied and a browser shows them as the body's. <head> stays; the tree is changed in place."""
    body = next((el for el in root if isinstance(el.tag, str) and _local(el.tag) == "body"), None)
    if body is None:
        return
    others = [c for c in root if c is not body and not _is_head(c)]
    if not others and not any(t and t.strip() for t in [root.text, *(c.tail for c in root)]):
        return
    pieces: list[str | etree._Element] = [root.text or ""]
    for child in list(root):
        if child is body:
            pieces += [body.text or "", *body]  # the body's own children keep their tails
        elif not _is_head(child):
            pieces.append(child)
        pieces.append(child.tail or "")
        child.tail = None
    root.text, body.text = None, ""
    for child in list(body):
        body.remove(child)  # appended again below, in order
    for piece in pieces:
        if isinstance(piece, str):
            if len(body):
                body[-1].tail = (body[-1].tail or "") + piece
            else:
                body.text += piece
        else:
            tail, piece.tail = piece.tail, None
            body.append(piece)
            body[-1].tail = tail


def _is_head(el: etree._Element) -> bool:
    return isinstance(el.tag, str) and _local(el.tag) == "head"


def join(documents: list[tuple[str, etree._Element, int]]) -> Joined:
    """`documents`: (member, parsed root, its number of lines), in reading order."""
    root = lxml.html.Element("html")
    body = etree.SubElement(root, "body")
    joined = Joined(root)
    line = 0
    for member, doc, lines in documents:
        joined.starts.append(line + 1)
        joined.members.append(member)
        source = next((e for e in doc.iter() if isinstance(e.tag, str) and _local(e.tag) == "body"), doc)
        _Copier(joined, member, line).copy(source, body)
        line += lines
    return joined
