"""Parse stage, EPUB: any EPUB 2 or 3 read as one story, or as several when it gathers several works.

The container is opened with limits (container.py), the package document and the table of
contents read (package.py), the book split into works where its structure says it holds several
(works.py), and each work's spine documents joined into one page (join.py) that the HTML reader
reads like any page: a site's template (AO3's download as calibre converts it, FanFicFare's title
page) is found by its structure, notes stay linked (notes.py), and documents without a heading of
their own get the table of contents' label for them. What the book states about itself (title,
creators, description, subjects, source, series) fills in what the pages do not say. The
navigation document and contents pages are the book's, not the story's: left out and listed.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from pathlib import Path

import lxml.html
from lxml import etree

from ...diagnostics import Diagnostic, diagnostic
from ...model import Field, Paragraph, Text
from ..stream import Document, Given
from .container import Container
from .join import Joined, join, parse_document
from .notes import endnotes, find_notes
from .package import DOCUMENT_TYPES, NavPoint, Package, read_package
from .works import Work, split

_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_NOT_STORY = {"cover", "toc", "title-page", "copyright-page", "loi", "lot"}  # landmarks with no story of their own
# Creators a converter writes when it was told none: no one's name.
_NO_ONE = {"unknown", "anonymous author", "(author missing)"}


@dataclass(frozen=True)
class EpubWork:
    document: Document
    fallback: Given  # title, authors and summary from the package document, for what the pages do not say
    starts: tuple[tuple[int, str], ...]  # (first line in the document's numbering, member): where lines are
    where: tuple[tuple[str, str], ...]  # what was read from where: ("title", "content.opf dc:title")


@dataclass(frozen=True)
class EpubRead:
    works: tuple[EpubWork, ...]
    diagnostics: tuple[Diagnostic, ...]


def read_epub(data: bytes, path: Path) -> EpubRead:
    box = Container(data, path)
    package = read_package(box)
    documents: list[tuple[str, etree._Element]] = []
    sizes: dict[str, int] = {}
    skipped: dict[str, etree._Element] = {}
    for item in package.spine:
        if item.media_type not in DOCUMENT_TYPES:
            continue
        if not box.has(item.member):
            box.diagnostics.append(diagnostic("A045", path, member=item.member))
            continue
        doc = parse_document(box, item.member)
        sizes[item.member] = box.read(item.member).count(b"\n") + 1
        if "nav" in item.properties or package.landmarks.get(item.member) == "toc" or _contents_page(doc, item.member, package):
            skipped[item.member] = doc  # the book's own contents: its chapters are the story's headings
            continue
        documents.append((item.member, doc))
    works = split(box, package, documents)
    if len(works) > 1:
        box.diagnostics.append(diagnostic("A046", path, count=len(works)))
    read = []
    for n, work in enumerate(works):
        docs = [(m, d, sizes[m]) for m, d in documents if m in work.members]
        read.append(_read_work(docs, work, package, path, single=len(works) == 1, skipped=skipped if n == 0 else {}))
    return EpubRead(tuple(read), tuple(box.diagnostics))


def _read_work(docs: list[tuple[str, etree._Element, int]], work: Work, package: Package, path: Path, single: bool,
               skipped: dict[str, etree._Element]) -> EpubWork:
    from ..html import Reader, read_tree

    joined = join(docs)
    reader = Reader()
    headed = _nav_headings(joined, package, reader.regions)
    notes = find_notes(joined)
    refs, notes_found = endnotes(notes, joined, reader)
    reader.notes = refs
    reader.skip.update(notes.bodies.values())
    reader.consumed += notes.consumed
    for holder in notes.containers:
        reader.skip.add(holder)
        reader.consumed.append(holder.text_content())  # the notes section's own heading ("Notes")
    for doc in skipped.values():
        reader.consumed.append("".join(doc.itertext()))
    document = read_tree(joined.root, path, reader, notes_found)
    for member in skipped:
        document.boilerplate.append((f"the book's contents page ({member})", 0))
    own = work.package if work.package is not None else package if single else None
    given, fallback, where = _given(document.given, own, work.label, joined)
    document.given = given
    if headed:
        where += (("headings", "the table of contents (" + ", ".join(sorted(headed)) + ")"),)
    document.kind = "epub"
    starts = tuple(zip(joined.starts, joined.members))
    return EpubWork(document, fallback, starts, where)


def _contents_page(doc: etree._Element, member: str, package: Package) -> bool:
    """A page that is a list of links to the book's other documents: its own table of contents."""
    from .container import member_path

    spine = {i.member for i in package.spine}
    # The tag's string, not etree.QName, which refuses names the HTML fallback parser keeps ("a<b").
    links = [a for a in doc.iter() if isinstance(a.tag, str) and a.tag.rpartition("}")[2] == "a" and a.get("href")]
    inside = [a for a in links if (member_path(member, a.get("href", "")) or "") in spine - {member}]
    text = " ".join("".join(doc.itertext()).split())
    linked = " ".join(" ".join("".join(a.itertext()).split()) for a in inside)
    return len(inside) >= 3 and len(linked) >= 0.7 * max(len(text), 1)


def _nav_headings(joined: Joined, package: Package, regions: dict[etree._Element, str]) -> list[str]:
    """Documents (or anchors) the table of contents names that have no heading of their own get
    its label as their heading: a chapter the book lists by name is a chapter in the story."""
    headed: set[str] = set()
    texty: set[str] = set()
    for el in joined.body.iter():
        if not isinstance(el.tag, str) or not el.sourceline:
            continue
        member = joined.where(el.sourceline)[0]
        if el.tag in _HEADINGS:
            headed.add(member)
        if (el.text or "").strip() or (el.tail or "").strip():
            texty.add(member)
    added = []
    for point in _flat(package.toc):
        if point.member not in joined.members or package.landmarks.get(point.member) in _NOT_STORY or not point.label:
            continue
        if point.fragment:
            target = joined.ids.get((point.member, point.fragment))
            if target is None or target.tag in _HEADINGS or any(h.tag in _HEADINGS for h in target.iter()) or target.tag in ("body", "html"):
                continue
            while target.getparent() is not None and target.getparent().tag not in ("body", "div", "section", "article") and target.tag not in ("p", "div", "section"):
                target = target.getparent()
        else:
            if point.member in headed or point.member not in texty or point.member not in joined.firsts:
                continue
            target = joined.firsts[point.member]
        heading = lxml.html.Element("h2")
        heading.text = point.label
        heading.sourceline = target.sourceline
        target.addprevious(heading)
        regions[heading] = "chapter-heading"
        headed.add(point.member)
        added.append(point.member)
    return added


def _flat(points: tuple[NavPoint, ...]) -> list[NavPoint]:
    out: list[NavPoint] = []
    for p in points:
        out.append(p)
        out += _flat(p.children)
    return out


def _paragraphs(text: str) -> tuple[Paragraph, ...]:
    """A description: HTML (calibre keeps the summary's markup) or plain text in blank-line paragraphs."""
    if re.search(r"<(?:p|br|div|i|em|b|strong|span)\b", text, re.I):
        from ..html import fragment_stream

        return tuple(Paragraph(c.inlines) for c in fragment_stream(text, []) if c.inlines)
    return tuple(Paragraph((Text(" ".join(part.split())),)) for part in re.split(r"\n\s*\n", text) if part.strip())


def _given(found: Given, package: Package | None, label: str, joined: Joined) -> tuple[Given, Given, tuple[tuple[str, str], ...]]:
    """What the pages' site template said, filled in from the package document (the template, when
    there is one, is the fuller and surer account); and the title, authors and summary the package
    states, kept apart: the recogniser reads a title page's own title and byline first, and these
    stand only where it found none."""
    where = [(what, _place(joined, line)) for what, line in found.lines]
    said = {what for what, _ in where}
    title, authors, summary, fields = found.title, found.authors, found.summary, found.fields
    url, site, series, part = found.source_url, found.site, found.series, found.part
    fallback = Given()
    if package is not None:
        names = tuple(c.name for c in package.creators if c.role in ("", "aut") and c.name.casefold() not in _NO_ONE)
        fallback = Given(package.title, names, _paragraphs(package.description) if package.description else ())
        if not url and package.sources:
            url = package.sources[0]
        if not site and package.publisher:
            site = package.publisher
        if not series and package.series:
            series, part = package.series, _number(package.series_index)
        if not fields and package.subjects:
            fields = (Field("tags", "Subjects", (Text(", ".join(package.subjects)),)),)
        translators = [c.name for c in package.creators if c.role == "trl"]
        if translators:
            fields += (Field("translators", "Translated by", (Text(", ".join(translators)),)),)
        # What the site's template stated is the page's; the package's where it stated nothing.
        stated = (("title", "" if title else fallback.title), ("authors", () if authors else fallback.authors),
                  ("summary", () if summary else fallback.summary))
        for what, value in stated + (("source", url), ("series", series)):
            if value and what not in said and what in package.where:
                where.append((what, package.where[what]))
                said.add(what)
    if label and not fallback.title:
        fallback = dataclasses.replace(fallback, title=label)
        where.append(("title", "the table of contents"))
    given = dataclasses.replace(found, title=title, authors=authors, summary=summary, fields=fields, source_url=url, site=site,
                                series=series, part=part, format=_format(found.format))
    return given, fallback, tuple(where)


def _format(found: str) -> str:
    return {"ao3-download-html": "ao3-download-epub", "fanficfare-html": "fanficfare-epub"}.get(found, found or "epub")


def _number(text: str) -> int:
    m = re.match(r"\s*(\d+)", text)
    return int(m.group(1)) if m else 0


def _place(joined: Joined, line: int) -> str:
    member, local = joined.where(line)
    return f"{member}:{local}" if member else f"line {line}"
