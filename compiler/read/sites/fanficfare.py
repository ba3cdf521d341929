"""Parse stage, HTML: FanFicFare's title page and chapters (its HTML download, and its EPUB joined
into one page by read/epub/), recognised by the landmarks FanFicFare's templates put there.

The title page is a heading holding the story's link and one `a.authorlink` per author, then the
metadata as label/value pairs: table rows (`<td><b>Category:</b></td><td>…</td>`) in the HTML,
`<b>Category:</b> …<br />` runs in the EPUB. Labels become fields, except what the model has a
place for: the summary, the publisher (the site), the series ("Name [3]": the series and the part).
The HTML's contents (`<a name="TOCTOP">` and its list of links) is FanFicFare's, not the story's.
Chapter headings are `<a name="sectionNNNN"><h2>` in the HTML and `h3.fff_chapter_title` in the EPUB.
"""

from __future__ import annotations

import copy
import re

import lxml.html
from lxml import etree


# "Name [3]": FanFicFare's series and the work's place in it.
# "Series Name [3]": the last bracketed number. Greedy, so no run of spaces is tried at every split
# (linear; tests/test_linear.py); the series keeps its trailing spaces, which the readers strip.
SERIES_PART = re.compile(r"^(?P<series>.*)\[(?P<part>\d+)\]\s*+$")


def _text(el: etree._Element) -> str:
    return " ".join(el.text_content().split())


def title_heading(root: etree._Element) -> etree._Element | None:
    """FanFicFare's title line: a heading over the story's link and its authors' `a.authorlink`s."""
    for heading in root.iter("h1", "h2", "h3"):
        if heading.xpath(".//a[contains(concat(' ', @class, ' '), ' authorlink ')]"):
            return heading
    return None


def _unwrap(el: etree._Element) -> None:
    """`el` replaced by its content, in place (its text and tail kept)."""
    parent = el.getparent()
    if parent is None:
        return
    at = parent.index(el)
    children = list(el)
    if el.text:
        prev = el.getprevious()
        if prev is not None:
            prev.tail = (prev.tail or "") + el.text
        else:
            parent.text = (parent.text or "") + el.text
    for k, child in enumerate(children):
        parent.insert(at + k, child)
    last = children[-1] if children else el.getprevious()
    if el.tail:
        if last is not None:
            last.tail = (last.tail or "") + el.tail
        else:
            parent.text = (parent.text or "") + el.tail
    parent.remove(el)


def _pairs_in_table(table: etree._Element) -> list[tuple[str, etree._Element, int]]:
    out = []
    for row in table.iter("tr"):
        cells = [c for c in row if isinstance(c.tag, str) and c.tag in ("td", "th")]
        if len(cells) == 2 and cells[0].find(".//b") is not None:
            out.append((_text(cells[0]), cells[1], row.sourceline or 0))
    return out


def _pairs_in_runs(block: etree._Element) -> list[tuple[str, etree._Element, int]]:
    """`<b>Label:</b> value<br />` runs: each value gathered into an element of its own."""
    out: list[tuple[str, etree._Element, int]] = []
    holder: etree._Element | None = None
    for child in block:
        if not isinstance(child.tag, str):
            continue
        if child.tag == "b" and _text(child).endswith(":"):
            holder = lxml.html.Element("span")
            holder.text = child.tail
            out.append((_text(child), holder, child.sourceline or 0))
        elif child.tag == "br" or holder is None:
            if child.tag == "br" and holder is not None and child.tail and child.tail.strip():
                holder.append(copy.copy(child))  # a value that runs on after a line break
            continue
        else:
            holder.append(copy.copy(child))
    return out


class FanFicFare:
    """What the title page states, and which parts of the page are FanFicFare's own."""

    def __init__(self, heading: etree._Element) -> None:
        self.heading = heading
        self.title = ""
        self.authors: tuple[str, ...] = ()
        self.url = ""
        self.parts: list[etree._Element] = [heading]  # the title page's elements, left out of the text
        self.toc: list[etree._Element] = []  # the contents: FanFicFare's words
        self.chapter_headings: list[etree._Element] = []
        self.pairs: list[tuple[str, etree._Element, int]] = []
        links = heading.xpath(".//a")
        authors = [a for a in links if "authorlink" in (a.get("class") or "").split()]
        self.authors = tuple(_text(a) for a in authors if _text(a))
        story = next((a for a in links if a not in authors), None)
        self.title = _text(story) if story is not None else re.sub(r"(?<!\s)\s+by\s+.*$", "", _text(heading))
        self.url = story.get("href", "") if story is not None else ""
        for el in heading.itersiblings():
            if not isinstance(el.tag, str):
                continue
            if el.tag == "table":
                self.pairs += _pairs_in_table(el)
            elif el.tag == "div" and el.find("b") is not None:
                self.pairs += _pairs_in_runs(el)
            else:
                break
            self.parts.append(el)
        root = heading.getroottree().getroot()
        for anchor in list(root.iter("a")):
            name = anchor.get("name") or ""
            h2 = anchor.find("h2")
            if h2 is None or not (name == "TOCTOP" or name.startswith("section")):
                continue
            _unwrap(anchor)  # a block inside a link: the heading stands on its own
            if name == "TOCTOP":
                self.toc.append(h2)
                after = h2.getnext()
                if after is not None and after.tag == "p" and after.find("a") is not None:
                    self.toc.append(after)
            else:
                self.chapter_headings.append(h2)
        for h in root.iter("h1", "h2", "h3", "h4"):
            if "fff_chapter_title" in (h.get("class") or "").split():
                h.tag = "h2"  # the HTML download's rank for it: a chapter's own h3s stay below it
                self.chapter_headings.append(h)
