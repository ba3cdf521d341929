"""Parse stage, HTML: the download templates of fan-fiction sites, recognised by their structure.

A page saved from a site wraps the story in the site's own parts. They are found by the landmarks
the templates put there (ids and classes), never by the site's wording, and each part is either
read into what the file states outright (`Given`: title, authors, tags, summary, the work's notes),
marked with its region for the recogniser (a chapter's heading, summary, notes and end notes), or
left out as the site's own words (listed as consumed, and as boilerplate by `inspect`).

- **Archive of Our Own downloads** (otwarchive `app/views/downloads/`, the template before 2024 and
  the newer one): `#preface` (a `p.message` with the title and the work's address, `dl.tags`, the
  `<h1>` title, `.byline`, then label paragraphs each before a `blockquote.userstuff`: summary and
  notes; `.endnote-link` pointers), `#chapters` (per chapter a `.meta` block: `h2.heading`, an
  optional `p.byline`, summary, notes and pointer; the text in `.userstuff`; end notes in
  `.meta#endnotesN`), `#afterword` (end notes in `#endnotes`, related works, `p.message`). The
  `h2.toc-heading`s are hidden by the template's stylesheet: not visible text.
- **Archive of Our Own work bodies** (the page's `div.userstuff` pasted alone): the
  `h3.landmark` heading ("Work Text:", "Chapter Text") is the site's.
- **FanFicFare's HTML download and EPUB**: its title page and chapter headings (sites/fanficfare.py;
  its TXT download is read by sites/fanficfare_text.py).
- **A fanfiction.net page**: the story is `#storytext`; `#profile_top` holds the title (`<b>`),
  the author's link, the summary and the stats line; the chapter select names the chapter shown.
  Everything else on the page (menus, forms, footers, scripts) is the site's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Protocol

from lxml import etree

from ...model import Block, Field, Inline, Paragraph, Text, Verse, plain_text
from ..headers import field_key
from ..inlines import squash_space, trim
from ..stream import Candidate, Given, as_block
from .fanficfare import SERIES_PART, FanFicFare, title_heading

AO3 = "Archive of Our Own"
FFN = "FanFiction.Net"


class PageReader(Protocol):
    """What a template reads with: html.Reader (named here by its shape, as html.py imports this module)."""

    regions: dict[etree._Element, str]
    skip: set[etree._Element]

    def inlines(self, el: etree._Element) -> list[Inline]: ...

    def stream(self, el: etree._Element) -> list[Candidate]: ...

@dataclass
class Site:
    given: Given = field(default_factory=Given)
    consumed: list[str] = field(default_factory=list)
    boilerplate: list[tuple[str, int]] = field(default_factory=list)
    root: etree._Element | None = None  # where the story is, when not the whole body
    heading: tuple[str, int] | None = None  # the chapter a single-chapter page shows


def _classes(el: etree._Element) -> set[str]:
    return set((el.get("class") or "").split())


def _text(el: etree._Element) -> str:
    return " ".join(el.text_content().split())


def _by_id(root: etree._Element, name: str) -> etree._Element | None:
    found = root.xpath(f"//*[@id='{name}']")
    return found[0] if found else None


def template(root: etree._Element, reader: PageReader) -> Site:
    preface, chapters = _by_id(root, "preface"), _by_id(root, "chapters")
    if preface is not None and chapters is not None and preface.xpath(".//h1"):
        return _ao3_download(root, preface, chapters, reader)
    heading = title_heading(root)
    if heading is not None:
        return _fanficfare(FanFicFare(heading), reader)
    storytext = _by_id(root, "storytext")
    if storytext is not None:
        return _ffn_page(root, storytext, reader)
    site = Site()
    for landmark in root.xpath("//h3[contains(concat(' ', @class, ' '), ' landmark ')]"):
        _leave_out(site, reader, landmark)
    return site


def _leave_out(site: Site, reader: PageReader, el: etree._Element) -> None:
    """The site's own words: not story, listed as consumed and as boilerplate."""
    reader.skip.add(el)
    text = _text(el)
    if text:
        site.consumed.append(el.text_content())
        site.boilerplate.append((text, el.sourceline or 0))


def _blocks(reader: PageReader, el: etree._Element) -> tuple[Block, ...]:
    return tuple(as_block(c) for c in reader.stream(el) if c.inlines or c.blocks or c.raw)


def _paragraphs(blocks: tuple[Block, ...]) -> tuple[Paragraph, ...]:
    """A summary is paragraphs: lines broken by the author become paragraphs of their own."""
    out: list[Paragraph] = []
    for b in blocks:
        if isinstance(b, Verse):
            out += [Paragraph(line, b.line) for line in b.lines]
        elif isinstance(b, Paragraph):
            out.append(b)
    return tuple(out)


def _label_of(el: etree._Element) -> str:
    """The template's label paragraph before a blockquote ("Summary", "Chapter Notes")."""
    prev = el.getprevious()
    while prev is not None and not isinstance(prev.tag, str):
        prev = prev.getprevious()
    if prev is not None and prev.tag == "p" and not _message(prev) and len(_text(prev).split()) <= 4:
        return _text(prev).lower()
    return ""


def _fields(dl: etree._Element, reader: PageReader) -> tuple[Field, ...]:
    out: list[Field] = []
    for dt in dl.iter("dt"):
        dd = dt.getnext()
        while dd is not None and dd.tag != "dd":
            dd = dd.getnext()
        if dd is None:
            continue
        label = _text(dt).rstrip(":").strip()
        value: tuple[Inline, ...] = squash_space(tuple(reader.inlines(dd)))
        value = squash_space((Text(" ".join(plain_text(value).split())),)) if "\n" in plain_text(value) else value
        out.append(Field(_ao3_key(label), label, _strip(value), dt.sourceline or 0))
    return tuple(out)


_AO3_KEYS = {"archive warning": "warnings", "archive warnings": "warnings", "relationship": "pairing",
             "relationships": "pairing", "additional tags": "tags", "collections": "collections"}


def _ao3_key(label: str) -> str:
    key = " ".join(label.lower().split())
    return _AO3_KEYS.get(key, field_key(key))


def _strip(nodes: tuple[Inline, ...]) -> tuple[Inline, ...]:
    return trim(nodes)


def _ao3_download(root: etree._Element, preface: etree._Element, chapters: etree._Element, reader: PageReader) -> Site:
    site = Site()
    title, authors, url = "", [], ""
    summary: tuple[Paragraph, ...] = ()
    notes_before: list[tuple[Block, ...]] = []
    notes_after: list[tuple[Block, ...]] = []
    fields: tuple[Field, ...] = ()
    for el in preface.iter():
        if not isinstance(el.tag, str) or _inside_quote(el):
            continue
        if _message(el):
            links = [a.get("href", "") for a in el.iter("a")]
            url = next((h for h in links if re.search(r"/works/\d+", h)), url)
            _leave_out(site, reader, el)
        elif _toc_heading(el) or _endnote_link(el):
            _leave_out(site, reader, el)
        elif el.tag == "dl":
            fields = _fields(el, reader)
        elif el.tag == "h1":
            title = _text(el)
        elif _byline(el):
            authors = [_text(a) for a in el.xpath(".//a[@rel='author']")] or [re.sub(r"^\s*by\s+", "", _text(el))]
        elif el.tag == "blockquote":
            label = _label_of(el)
            blocks = _blocks(reader, el)
            if "summary" in label or (not label and not summary and not notes_before):
                summary = _paragraphs(blocks)
            else:
                notes_before.append(blocks)
        elif el.tag == "li":  # related works: "A translation of …", "Inspired by …"
            fields += (Field("related", "Related", squash_space(tuple(reader.inlines(el))), el.sourceline or 0),)
    afterword = _by_id(root, "afterword")
    if afterword is not None:
        for el in afterword.iter():
            if not isinstance(el.tag, str) or _inside_quote(el):
                continue
            if el.tag == "blockquote":
                notes_after.append(_blocks(reader, el))
            elif el.tag == "h2" or el.tag == "dl" or (el.tag == "p" and ("message" in _classes(el) or el.getnext() is not None)):
                _leave_out(site, reader, el)  # the template's heading, label, invitation, related works
    for el in preface.iter():
        if isinstance(el.tag, str) and el.tag == "p" and not _message(el) and not _inside_quote(el):
            nxt = el.getnext()
            if nxt is not None and (nxt.tag == "blockquote" or _endnote_link(nxt)):
                _leave_out(site, reader, el)  # "Summary", "Notes": the template's labels
    _ao3_chapters(chapters, reader, site)
    # The preface and afterword are read above; their text reaches the book as title, byline,
    # fields, summary and notes, and the site's own words are left out one by one.
    reader.skip.update(p for p in (preface, afterword) if p is not None)
    site.given = Given(title, tuple(a for a in authors if a), summary, tuple(notes_before), tuple(notes_after), fields, url, AO3, "ao3-download-html")
    return site


def _inside_quote(el: etree._Element) -> bool:
    return any(a.tag == "blockquote" for a in el.iterancestors())


# The template's parts are known by their classes in the HTML download; in the EPUB download
# calibre renames classes by style (a label paragraph may come out as "message", `div.meta` as
# "calibre1"), so each part is also known by where it stands: only the ids survive both.
def _message(el: etree._Element) -> bool:
    """The Archive's own message: a paragraph standing directly in #preface or #afterword."""
    parent = el.getparent()
    return el.tag == "p" and parent is not None and parent.get("id") in ("preface", "afterword")


def _toc_heading(el: etree._Element) -> bool:
    """The hidden heading each part opens with ("Preface", the work's title, "Afterword")."""
    parent = el.getparent()
    return "toc-heading" in _classes(el) or (el.tag == "h2" and parent is not None and parent.get("id") in ("preface", "chapters", "afterword"))


def _endnote_link(el: etree._Element) -> bool:
    """"See the end of the chapter for more notes": a block whose one link points to end notes."""
    if "endnote-link" in _classes(el):
        return True
    children = [c for c in el if isinstance(c.tag, str)]
    return el.tag == "div" and len(children) == 1 and children[0].tag == "a" and children[0].get("href", "").rpartition("#")[2].startswith("endnotes")


def _byline(el: etree._Element) -> bool:
    return "byline" in _classes(el) or (el.tag in ("div", "p") and bool(el.xpath("./a[@rel='author']")))


def _is_meta(el: etree._Element) -> bool:
    """A chapter's preface (heading, byline, summary, notes) or its end notes."""
    if "meta" in _classes(el) or el.get("id", "").startswith("endnotes"):
        return True
    parent = el.getparent()
    return el.tag == "div" and parent is not None and parent.get("id") == "chapters" and any(c.tag == "h2" for c in el)


def _ao3_chapters(chapters: etree._Element, reader: PageReader, site: Site) -> None:
    for el in chapters.iter():
        if not isinstance(el.tag, str):
            continue
        if _inside_quote(el):
            continue
        if _toc_heading(el) or _endnote_link(el):
            _leave_out(site, reader, el)
        elif el.tag == "h2" and ("heading" in _classes(el) or _inside_meta(el)):
            reader.regions[el] = "chapter-heading"
        elif el.tag == "p" and _byline(el) and _inside_meta(el):
            reader.regions[el] = "chapter-byline"
        elif el.tag == "p" and _inside_meta(el) and el.getnext() is not None and _endnote_link(el.getnext()):
            _leave_out(site, reader, el)  # "Chapter Notes" over only a pointer to the end notes
        elif el.tag == "blockquote" and _inside_meta(el):
            label = _label_of(el)
            end = any(a.get("id", "").startswith("endnotes") for a in el.iterancestors())
            reader.regions[el] = "chapter-endnotes" if end or "end" in label else "chapter-summary" if "summary" in label else "chapter-notes"
            prev = el.getprevious()
            if prev is not None and prev.tag == "p" and _label_of(el):
                _leave_out(site, reader, prev)


def _inside_meta(el: etree._Element) -> bool:
    return any(_is_meta(a) for a in el.iterancestors())


def _ffn_page(root: etree._Element, storytext: etree._Element, reader: PageReader) -> Site:
    site = Site(root=storytext)
    profile = _by_id(root, "profile_top")
    title, author = "", ""
    summary: tuple[Paragraph, ...] = ()
    fields: tuple[Field, ...] = ()
    if profile is not None:
        bold = profile.xpath(".//b")
        title = _text(bold[0]) if bold else ""
        links = profile.xpath(".//a[contains(@href, '/u/')]")
        author = _text(links[0]) if links else ""
        blurb = [d for d in profile.xpath("./div") if len(_text(d)) > 20]
        summary = (Paragraph((Text(_text(blurb[0])),), blurb[0].sourceline or 0),) if blurb else ()
        stats = profile.xpath(".//span[contains(@class, 'xgray')]")
        if stats:
            fields = (Field("stats", "Stats", (Text(_text(stats[0])),), stats[0].sourceline or 0),)
    chapter = root.xpath("//select[@id='chap_select']/option[@selected]")
    if chapter:
        heading = re.sub(r"^\s*\d+\.\s*", "", _text(chapter[0]))  # "1. Chapter 1: …": the list's own number
        site.heading = (heading, chapter[0].sourceline or 0)
    # Everything but the story is the site's: menus, profile, chapter lists, review forms, footer.
    path = set(storytext.iterancestors())
    for el in path:
        if el.text and el.text.strip():
            site.consumed.append(el.text)
        for child in el:
            if child in path or child is storytext:
                continue
            if not isinstance(child.tag, str):  # a comment: no text, but its tail is the page's
                site.consumed.append((child.text or "") + (child.tail or ""))
                continue
            site.consumed.append(child.text_content() + (child.tail or ""))
            text = _text(child)
            if text and isinstance(child.tag, str) and child.tag not in ("script", "style", "noscript"):
                site.boilerplate.append((text[:80], child.sourceline or 0))
    if storytext.tail:
        site.consumed.append(storytext.tail)
    site.given = Given(title, (author,) if author else (), summary, fields=fields, site=FFN, format="ffn-download")
    return site


def _fanficfare(page: FanFicFare, reader: PageReader) -> Site:
    """FanFicFare's HTML download or its EPUB (sites/fanficfare.py finds the parts)."""
    site = Site()
    fields: list[Field] = []
    summary: tuple[Paragraph, ...] = ()
    publisher, series, part = "", "", 0
    lines: list[tuple[str, int]] = [("title", page.heading.sourceline or 0), ("authors", page.heading.sourceline or 0)]
    for label, value, line in page.pairs:
        name = label.rstrip(":").strip()
        key = name.lower()
        site.consumed.append(label)  # the label is the field's name in the book, not text of its own
        if key == "summary":
            summary = _paragraphs(_blocks(reader, value))
            lines.append(("summary", line))
            continue
        if key == "publisher":
            publisher = _text(value)
        m = SERIES_PART.match(_text(value)) if key == "series" else None
        if m:
            series, part = m.group("series").rstrip(), int(m.group("part"))
        fields.append(Field(field_key(key), name, _strip(squash_space(tuple(reader.inlines(value)))), line))
    for el in page.parts:
        reader.skip.add(el)
    site.consumed.append(page.heading.text_content())
    for el in page.toc:
        _leave_out(site, reader, el)
    for h in page.chapter_headings:
        reader.regions[h] = "chapter-heading"
    site.given = Given(page.title, page.authors, summary, fields=tuple(fields), source_url=page.url, site=publisher,
                       format="fanficfare-html", series=series, part=part, lines=tuple(lines))
    return site
