"""Parse stage, EPUB: the package document (OPF) and the table of contents (nav or NCX).

What the book states about itself: title, creators and their roles, language, description,
subjects, source and identifiers, publisher, series (calibre's `calibre:series` or EPUB 3's
`belongs-to-collection`), and where each came from (for `inspect`); the manifest and the spine
(every item, linear or not, in reading order); and the table of contents as a tree of labels
pointing into the spine (EPUB 3's nav document when there is one, else EPUB 2's NCX).
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field

from lxml import etree

from ...diagnostics import stop
from .container import Container, member_path

OPF = "http://www.idpf.org/2007/opf"
DC = "http://purl.org/dc/elements/1.1/"
NCX = "http://www.daisy.org/z3986/2005/ncx/"
XHTML = "http://www.w3.org/1999/xhtml"
OPS = "http://www.idpf.org/2007/ops"
_NS = {"opf": OPF, "dc": DC, "ncx": NCX, "x": XHTML, "epub": OPS}
DOCUMENT_TYPES = {"application/xhtml+xml", "text/html", "application/html"}


@dataclass(frozen=True)
class Creator:
    name: str
    role: str = ""  # MARC relator: "aut", "trl", "edt"…; "" when the book does not say


@dataclass(frozen=True)
class Item:
    id: str
    member: str  # its path in the zip
    media_type: str
    properties: frozenset[str] = frozenset()


@dataclass(frozen=True)
class NavPoint:
    label: str
    member: str  # the document it points to ("" when it points nowhere in the book)
    fragment: str
    children: tuple[NavPoint, ...] = ()


@dataclass(frozen=True)
class Package:
    name: str  # the OPF's member path
    title: str = ""
    creators: tuple[Creator, ...] = ()
    language: str = ""
    description: str = ""  # as written: plain text, or HTML (calibre keeps the summary's markup)
    subjects: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()  # dc:source, then identifiers that are web addresses
    publisher: str = ""
    contributors: tuple[str, ...] = ()  # the tools that made it: "FanFicFare […]", "epubmerge"
    series: str = ""
    series_index: str = ""
    manifest: dict[str, Item] = field(default_factory=dict)
    spine: tuple[Item, ...] = ()
    toc: tuple[NavPoint, ...] = ()
    where: dict[str, str] = field(default_factory=dict)  # what → where in the book it was read
    landmarks: dict[str, str] = field(default_factory=dict)  # member → its kind ("cover", "toc", "title-page"…)


def _text(el: etree._Element | None) -> str:
    return " ".join("".join(el.itertext()).split()) if el is not None else ""


def read_package(box: Container, name: str = "") -> Package:
    """The book's package document, or another one kept inside it (`name`: an EpubMerge anthology
    made with --keep-meta keeps each work's own)."""
    name = name or box.rootfile()
    root = box.xml(name)
    meta = root.find("opf:metadata", _NS)
    if meta is None:
        meta = etree.Element("metadata")
    where: dict[str, str] = {}
    refines: dict[str, dict[str, str]] = {}
    for m in meta.iterfind("opf:meta", _NS):
        if m.get("refines", "").startswith("#") and m.get("property"):
            refines.setdefault(m.get("refines", "")[1:], {})[m.get("property", "")] = _text(m)

    def first(tag: str) -> str:
        found = [_text(e) for e in meta.iterfind(f"dc:{tag}", _NS) if _text(e)]
        if found:
            where[tag] = f"{posixpath.basename(name)} dc:{tag}"
        return found[0] if found else ""

    titles = [e for e in meta.iterfind("dc:title", _NS) if _text(e)]
    main = [e for e in titles if refines.get(e.get("id", ""), {}).get("title-type") == "main"]
    title = _text((main or titles or [None])[0])
    if title:
        where["title"] = f"{posixpath.basename(name)} dc:title"
    creators = []
    for e in meta.iterfind("dc:creator", _NS):
        role = e.get(f"{{{OPF}}}role", "") or refines.get(e.get("id", ""), {}).get("role", "")
        if _text(e):
            creators.append(Creator(_text(e), role.strip().lower()))
    if creators:
        where["authors"] = f"{posixpath.basename(name)} dc:creator"
    sources = [_text(e) for e in meta.iterfind("dc:source", _NS) if _text(e)]
    sources += [_text(e) for e in meta.iterfind("dc:identifier", _NS) if _text(e).startswith(("http://", "https://")) and _text(e) not in sources]
    if sources:
        where["source"] = f"{posixpath.basename(name)} dc:source"
    series, index = _series(meta, refines)
    if series:
        calibre = meta.find("opf:meta[@name='calibre:series']", _NS) is not None
        where["series"] = f"{posixpath.basename(name)} {'calibre:series' if calibre else 'belongs-to-collection'}"
    manifest: dict[str, Item] = {}
    for item in root.iterfind("opf:manifest/opf:item", _NS):
        href = item.get("href", "")
        member = member_path(name, href)
        if member is None:
            if "://" in href:
                continue  # a remote resource: never fetched, nothing to read
            raise stop("A042", box.path, reason=f"the package points out of the book ({href!r})")
        manifest[item.get("id", "")] = Item(item.get("id", ""), member, item.get("media-type", ""), frozenset(item.get("properties", "").split()))
    spine = tuple(manifest[ref.get("idref", "")] for ref in root.iterfind("opf:spine/opf:itemref", _NS) if ref.get("idref", "") in manifest)
    spine_el = root.find("opf:spine", _NS)
    toc = _nav(box, manifest)
    if not toc and spine_el is not None and spine_el.get("toc") in manifest:
        toc = _ncx(box, manifest[spine_el.get("toc", "")].member)
    landmarks: dict[str, str] = {}
    for ref in root.iterfind("opf:guide/opf:reference", _NS):
        target = member_path(name, ref.get("href", "").split("#", 1)[0])
        if target:
            landmarks.setdefault(target, ref.get("type", "").lower())
    landmarks.update(_landmarks(box, manifest))
    return Package(
        name=name,
        title=title,
        creators=tuple(creators),
        language=first("language"),
        description="\n\n".join(_raw(e) for e in meta.iterfind("dc:description", _NS) if _raw(e).strip()),
        subjects=tuple(_text(e) for e in meta.iterfind("dc:subject", _NS) if _text(e)),
        sources=tuple(sources),
        publisher=first("publisher"),
        contributors=tuple(_text(e) for e in meta.iterfind("dc:contributor", _NS)),
        series=series,
        series_index=index,
        manifest=manifest,
        spine=spine,
        toc=toc,
        landmarks=landmarks,
        where=where | ({"summary": f"{posixpath.basename(name)} dc:description"} if meta.find("dc:description", _NS) is not None else {}),
    )


def _raw(el: etree._Element) -> str:
    return "".join(el.itertext())


def _series(meta: etree._Element, refines: dict[str, dict[str, str]]) -> tuple[str, str]:
    named = {m.get("name", ""): m.get("content", "") for m in meta.iterfind("opf:meta", _NS) if m.get("name")}
    if named.get("calibre:series"):
        return named["calibre:series"].strip(), named.get("calibre:series_index", "").strip()
    for m in meta.iterfind("opf:meta[@property='belongs-to-collection']", _NS):
        extra = refines.get(m.get("id", ""), {})
        if extra.get("collection-type", "series") == "series" and _text(m):
            return _text(m), extra.get("group-position", "")
    return "", ""


def _point(base: str, href: str, label: str, children: tuple[NavPoint, ...]) -> NavPoint:
    member = member_path(base, href.split("#", 1)[0]) if href else None
    fragment = href.split("#", 1)[1] if "#" in href else ""
    return NavPoint(label, member or "", fragment, children)


def _ncx(box: Container, name: str) -> tuple[NavPoint, ...]:
    if not box.has(name):
        return ()
    root = box.xml(name)

    def points(parent: etree._Element) -> tuple[NavPoint, ...]:
        out = []
        for p in parent.iterfind("ncx:navPoint", _NS):
            content = p.find("ncx:content", _NS)
            out.append(_point(name, content.get("src", "") if content is not None else "", _text(p.find("ncx:navLabel", _NS)), points(p)))
        return tuple(out)

    nav_map = root.find("ncx:navMap", _NS)
    return points(nav_map) if nav_map is not None else ()


def _nav_root(box: Container, manifest: dict[str, Item]) -> tuple[Item, etree._Element] | None:
    item = next((i for i in manifest.values() if "nav" in i.properties), None)
    if item is None or not box.has(item.member):
        return None
    return item, box.xml(item.member)


def _landmarks(box: Container, manifest: dict[str, Item]) -> dict[str, str]:
    found = _nav_root(box, manifest)
    if found is None:
        return {}
    item, root = found
    out: dict[str, str] = {}
    for nav in root.iterfind(".//x:nav", _NS):
        if "landmarks" in nav.get(f"{{{OPS}}}type", "").split():
            for a in nav.iterfind(".//x:a", _NS):
                target = member_path(item.member, a.get("href", "").split("#", 1)[0])
                kind = a.get(f"{{{OPS}}}type", "").lower()
                if target and kind:
                    out.setdefault(target, {"titlepage": "title-page", "copyright-page": "copyright-page"}.get(kind, kind))
    return out


def _nav(box: Container, manifest: dict[str, Item]) -> tuple[NavPoint, ...]:
    found = _nav_root(box, manifest)
    if found is None:
        return ()
    item, root = found
    navs = root.findall(".//x:nav", _NS)
    toc = next((n for n in navs if "toc" in n.get(f"{{{OPS}}}type", "").split()), navs[0] if navs else None)
    if toc is None:
        return ()

    def points(ol: etree._Element | None) -> tuple[NavPoint, ...]:
        if ol is None:
            return ()
        out = []
        for li in ol.iterfind("x:li", _NS):
            head = li.find("x:a", _NS)
            if head is None:
                head = li.find("x:span", _NS)
            out.append(_point(item.member, head.get("href", "") if head is not None else "", _text(head), points(li.find("x:ol", _NS))))
        return tuple(out)

    return points(toc.find("x:ol", _NS))
