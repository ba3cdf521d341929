"""Parse stage: HTML fragments (AO3 work bodies, saved pages) to a `Story`, through lxml.html.

The element tree maps onto the model — `<p>` paragraphs, `<h1>`–`<h6>` sections, `<blockquote>`,
`<hr>` scene breaks, `<em>/<i>` and `<strong>/<b>` — and then the same furniture pass as Markdown.
Markup is never passed through: tags, attributes and comments are left out (comments are listed as
consumed). AO3's landmark headings ("Work Text:", "Chapter Text") are site chrome and are consumed.
"""

from __future__ import annotations

from pathlib import Path

import lxml.html
from lxml import etree

from ..model import Block, BlockQuote, Emphasis, Heading, Inline, Paragraph, Preformatted, SceneBreak, Source, Strong, Text, Verse
from ..scripts import columns
from .art import dedent
from .blockstory import Found, story_from_blocks
from .layout import VERSE_MAX
from .plaintext import ReadResult

_BLOCKS = {"p", "div", "section", "article", "center", "blockquote", "hr", "ul", "ol", "li", "pre", "table", "tr", "td", "body", "main", "header", "footer"}
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_EMPHASIS = {"em", "i", "cite", "u"}
_STRONG = {"strong", "b"}
_SKIP = {"script", "style", "head", "title", "meta", "link", "noscript"}
# A <br/>: one object, told apart by identity from newlines that are only source formatting.
_BREAK = Text("\n")


def _inline(child: etree._Element, found: Found) -> list[Inline]:
    """One inline element (its tail not included)."""
    if not isinstance(child.tag, str):  # comments and processing instructions
        if isinstance(child, etree._Comment):
            found.consumed.append(child.text or "")
        return []
    if child.tag in _SKIP:
        found.consumed.append(child.text_content())
        return []
    if child.tag == "br":
        return [_BREAK]
    inner = tuple(_inlines(child, found))
    if child.tag in _EMPHASIS:
        return [Emphasis(inner)]
    if child.tag in _STRONG:
        return [Strong(inner)]
    return list(inner)


def _inlines(el: etree._Element, found: Found) -> list[Inline]:
    out: list[Inline] = [Text(el.text)] if el.text else []
    for child in el:
        out += _inline(child, found)
        if child.tail:
            out.append(Text(child.tail))
    return out


def _has_blocks(el: etree._Element) -> bool:
    return any(isinstance(c.tag, str) and (c.tag in _BLOCKS or c.tag in _HEADINGS) for c in el)


def _blocks(el: etree._Element, found: Found) -> list[Block]:
    out: list[Block] = []
    line = el.sourceline or 0
    tag = el.tag if isinstance(el.tag, str) else ""
    if tag == "hr":
        return [SceneBreak(line)]
    if tag in _HEADINGS:
        text = el.text_content()
        if "landmark" in (el.get("class") or ""):
            found.consumed.append(text)  # AO3's "Work Text:" label
            return []
        return [Heading(tuple(_inlines(el, found)), "", line)]
    if tag == "blockquote":
        inner = _children(el, found)
        return [BlockQuote(tuple(inner), line)] if inner else []
    if tag == "pre":  # preformatted by the author: lines and columns kept
        lines = el.text_content().strip("\n").split("\n")
        return [Preformatted(dedent(lines), line)] if "".join(lines).strip() else []
    if tag and not _has_blocks(el):
        return _broken(tuple(_inlines(el, found)), line)
    return out + _children(el, found)


def _broken(inlines: tuple[Inline, ...], line: int) -> list[Block]:
    """A block whose lines the author broke with <br/>: a blank line (two breaks) separates
    paragraphs; short lines between single breaks are kept as written (a poem, a letter's
    address, a list of names), and long ones are paragraphs of their own."""
    groups: list[list[tuple[Inline, ...]]] = [[]]
    current: list[Inline] = []
    for node in inlines + (_BREAK,):
        if node is not _BREAK:
            current.append(node)
        elif "".join(_texts(tuple(current))).strip():
            groups[-1].append(tuple(current))
            current = []
        else:
            groups.append([])  # an empty line: a paragraph break
            current = []
    out: list[Block] = []
    for lines in (g for g in groups if g):
        sizes = [columns(" ".join("".join(_texts(part)).split())) for part in lines]
        if len(lines) > 1 and max(sizes) <= VERSE_MAX:
            out.append(Verse(tuple(_trim(part) for part in lines), line))
        else:
            out += [Paragraph(part, line) for part in lines]
    return out


def _trim(nodes: tuple[Inline, ...]) -> tuple[Inline, ...]:
    """A verse line without the source's indentation and line-end spaces around it."""
    out = list(nodes)
    if out and isinstance(out[0], Text):
        out[0] = Text(out[0].text.lstrip())
    if out and isinstance(out[-1], Text):
        out[-1] = Text(out[-1].text.rstrip())
    return tuple(n for n in out if not (isinstance(n, Text) and not n.text))


def _texts(nodes: tuple[Inline, ...]) -> list[str]:
    out: list[str] = []
    for n in nodes:
        out += [n.text] if isinstance(n, Text) else _texts(n.children)
    return out


def _children(el: etree._Element, found: Found) -> list[Block]:
    """Mixed content: loose text between block children becomes paragraphs of its own."""
    out: list[Block] = []
    loose: list[Inline] = [Text(el.text)] if el.text and el.text.strip() else []
    for child in el:
        tag = child.tag if isinstance(child.tag, str) else ""
        if tag in _BLOCKS or tag in _HEADINGS:
            if loose:
                out += _broken(tuple(loose), child.sourceline or 0)
                loose = []
            out += _blocks(child, found)
        else:
            loose += _inline(child, found)
        if child.tail and (loose or child.tail.strip()):
            loose.append(Text(child.tail))
    if loose and "".join(_texts(tuple(loose))).strip():
        out += _broken(tuple(loose), el.sourceline or 0)
    return out


def fragment_blocks(text: str, found: Found, first_line: int = 1) -> list[Block]:
    """The blocks of a piece of HTML inside another format (raw HTML in Markdown: Jekyll and Hugo
    fiction sites keep whole stories as HTML in a .md file), its source lines counted from `first_line`."""
    root = lxml.html.fragment_fromstring(text, create_parent="div")
    blocks = _children(root, found)
    if first_line > 1:
        blocks = [_shifted(b, first_line - 1) for b in blocks]
    return blocks


def _shifted(block: Block, by: int) -> Block:
    import dataclasses

    if isinstance(block, BlockQuote):
        return dataclasses.replace(block, blocks=tuple(_shifted(b, by) for b in block.blocks), line=block.line + by)
    return dataclasses.replace(block, line=block.line + by) if block.line else block


def read_html(text: str, path: Path, source: Source) -> ReadResult:
    found = Found()
    root = lxml.html.document_fromstring(text) if "<html" in text[:1000].lower() else lxml.html.fragment_fromstring(text, create_parent="div")
    for el in root.iter("title"):
        found.title = found.title or " ".join(el.text_content().split())
    body = root.find("body") if root.find("body") is not None else root
    blocks = _children(body, found)
    return story_from_blocks(blocks, path, source, found)
