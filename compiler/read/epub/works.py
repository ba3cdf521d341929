"""Parse stage, EPUB: one book or several — how many works an EPUB holds, and where each begins.

An EPUB is one story unless it shows, in its own structure, that it gathers several works: a site's
title page at the head of more than one run of documents (FanFicFare's `fff_titlepage`, AO3's
`#preface`), the package documents EpubMerge keeps of each work it merged (`--keep-meta`), or an
EpubMerge table of contents (a top-level entry per work, each over that work's chapters). Parts,
books and volumes of one novel share a title page and none of these, so a novel stays one story.
Each work found is read as a story of its own, in the book's order, with its own metadata.
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from .container import Container
from .package import NavPoint, Package, read_package


@dataclass(frozen=True)
class Work:
    members: tuple[str, ...]  # its documents, in reading order
    package: Package | None = None  # its own package document, when the book kept it
    label: str = ""  # the table of contents' entry for it


def _classes(el: etree._Element) -> set[str]:
    return set((el.get("class") or "").split())


def _title_page(doc: etree._Element) -> str:
    """"fanficfare" or "ao3" when the document holds a site's title page (its landmarks only)."""
    for el in doc.iter():
        if not isinstance(el.tag, str):
            continue
        if "fff_titlepage" in _classes(el):
            return "fanficfare"
        if el.get("id") == "preface":
            return "ao3"
    return ""


def split(box: Container, package: Package, documents: list[tuple[str, etree._Element]]) -> list[Work]:
    members = [m for m, _ in documents]
    starts: dict[int, Work] = {}
    previous = ""
    for k, (_member, doc) in enumerate(documents):
        page = _title_page(doc)
        if page and not (page == "ao3" and previous == "ao3"):  # calibre splits AO3's preface over two files
            starts[k] = Work(())
        previous = page
    for item in package.manifest.values():
        if item.media_type == "origrootfile/xml":  # EpubMerge --keep-meta: "N/content.opf"
            top = item.member.split("/", 1)[0] + "/"
            first = next((k for k, m in enumerate(members) if m.startswith(top)), None)
            if first is not None and box.has(item.member):
                starts[first] = Work((), read_package(box, item.member))
    if any("epubmerge" in c.lower() for c in package.contributors):
        for point in _per_work(package.toc):
            if point.member in members:
                k = members.index(point.member)
                starts[k] = Work((), starts.get(k, Work(())).package, point.label)
    if len(starts) < 2:
        return [Work(tuple(members))]
    order = sorted(starts)
    order[0] = 0  # what comes before the first work (a cover) goes with it
    works = []
    for n, k in enumerate(order):
        end = order[n + 1] if n + 1 < len(order) else len(members)
        found = starts.get(k) or starts[sorted(starts)[0]]
        works.append(Work(tuple(members[k:end]), found.package, found.label))
    return works


def _per_work(toc: tuple[NavPoint, ...]) -> tuple[NavPoint, ...]:
    """EpubMerge's contents: one top-level entry per work, each over its own chapters."""
    return toc if len(toc) >= 2 and any(p.children for p in toc) else ()
