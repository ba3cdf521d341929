"""Parse stage, HTML: an element tree (lxml.html) to the common stream of candidate blocks.

`<p>` and loose text become paragraph candidates, `<h1>`–`<h6>` heading candidates with their
level, `<hr>` drawn separators, `<blockquote>` quotations, `<pre>` preformatted lines; `<em>/<i>`
and `<strong>/<b>` are kept as inline markup. An empty paragraph is a blank line (the `gap` of the
next block); `<br/>` breaks are the author's own lines. Centring (`align`, `<center>`,
`text-align`) and flush-right alignment are kept as evidence. Markup never passes through: tags,
attributes, comments and hidden text are left out (comments and hidden text are listed as
consumed). A site's download template (sites.py) first says which region of the page each part is.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

import lxml.html
from lxml import etree

from ..diagnostics import ExitCode, fail
from ..model import EndNote, Emphasis, Inline, NoteRef, Strong, Text
from .art import dedent
from .depth import deep_warning, flatten_deep, html_parser
from .xmlsafe import END_TAGS
from .inlines import squash_space, trim
from .stream import HEADING, PARA, PRE, QUOTE, RULE, Candidate, Document, as_block, settle, whole_style

BLOCKS = frozenset(
    "p div section article center blockquote hr ul ol li pre table tbody thead tr td th body main header footer "
    "dl dt dd aside nav form figure figcaption h1 h2 h3 h4 h5 h6 details summary caption address fieldset legend".split()
)
_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
_EMPHASIS = {"em", "i", "cite", "u", "var"}
_STRONG = {"strong", "b"}
UNSEEN = frozenset("script style head title meta link noscript template select option button input textarea iframe svg".split())
# A <br/>: one object, told apart by identity from newlines that are only source formatting.
BREAK = Text("\n")
_HIDDEN = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
_CENTRE = re.compile(r"text-align\s*:\s*center", re.I)
_RIGHT = re.compile(r"text-align\s*:\s*right", re.I)
# Pretty-printed markup puts a line break between `</em>` and the comma after it: not text.
# (A line break looked for ahead, then every space taken at once: no split of the run is tried twice.)
_BEFORE_PUNCT = re.compile(r"^(?=\s*\n)\s*+(?=[,.;:!?)\]’”»])")


@dataclass
class Where:
    """What an element inherits from its ancestors: alignment and the template's region."""

    centred: bool = False
    right: bool = False
    region: str = ""


@dataclass
class Reader:
    """One HTML document's conversion; `consumed` gathers what was markup or hidden."""

    consumed: list[str] = field(default_factory=list)
    regions: dict[etree._Element, str] = field(default_factory=dict)  # from the site template
    skip: set[etree._Element] = field(default_factory=set)  # template parts read elsewhere (sites.py)
    line_shift: int = 0
    notes: dict[etree._Element, NoteRef] = field(default_factory=dict)  # links that are note references (epub/notes.py)
    flattened: bool = False  # markup nested past depth.MAX_DEPTH was flattened (A005)

    # ------------------------------------------------------------ inline content

    def inline(self, child: etree._Element) -> list[Inline]:
        """One inline element (its tail not included)."""
        if not isinstance(child.tag, str):  # comments and processing instructions
            if isinstance(child, etree._Comment):
                self.consumed.append(child.text or "")
            return []
        if child.tag in UNSEEN or hidden(child):
            self.consumed.append(child.text_content())
            return []
        if child in self.skip:  # read elsewhere (a note's back-link)
            return []
        if child in self.notes:
            return [self.notes[child]]
        if child.tag == "br":
            return [BREAK]
        inner = tuple(self.inlines(child))
        if child.tag in _EMPHASIS:
            return [Emphasis(inner)]
        if child.tag in _STRONG:
            return [Strong(inner)]
        return list(inner)

    def inlines(self, el: etree._Element) -> list[Inline]:
        out: list[Inline] = [Text(el.text)] if el.text else []
        for child in el:
            out += self.inline(child)
            if child.tail:
                out.append(Text(_BEFORE_PUNCT.sub("", child.tail)))
        return out

    # ------------------------------------------------------------ blocks

    def stream(self, el: etree._Element, where: Where | None = None) -> list[Candidate]:
        """The candidates of an element's content, in order."""
        where = where or Where()
        out: list[Candidate] = []
        loose: list[Inline] = [Text(el.text)] if el.text and el.text.strip() else []
        loose_line = el.sourceline or 0
        for child in el:
            tag = child.tag if isinstance(child.tag, str) else ""
            if tag in BLOCKS or child in self.skip or child in self.regions:
                if loose:
                    out += self.paragraphs(tuple(loose), loose_line, where, "")
                    loose = []
                out += self.block(child, where)
                loose_line = child.sourceline or loose_line
            else:
                loose += self.inline(child)
            if child.tail and (loose or child.tail.strip()):
                loose.append(Text(_BEFORE_PUNCT.sub("", child.tail) if loose else child.tail))
        if loose and "".join(texts(tuple(loose))).strip():
            out += self.paragraphs(tuple(loose), loose_line, where, "")
        return out

    def block(self, el: etree._Element, outer: Where) -> list[Candidate]:
        if el in self.skip:
            return []
        tag = el.tag if isinstance(el.tag, str) else ""
        line = (el.sourceline or 0) + self.line_shift
        if tag in UNSEEN or hidden(el):
            self.consumed.append(el.text_content())
            return []
        where = Where(
            outer.centred or tag == "center" or (el.get("align") or "").lower() == "center" or bool(_CENTRE.search(el.get("style") or "")),
            outer.right or (el.get("align") or "").lower() == "right" or bool(_RIGHT.search(el.get("style") or "")),
            self.regions.get(el, outer.region),
        )
        classes = frozenset((el.get("class") or "").split())
        common = dict(line=line, tag=tag, classes=classes, region=where.region, centred=where.centred, right=where.right)
        if tag == "hr":
            return [Candidate(RULE, **common)]  # type: ignore[arg-type]
        if tag in _HEADINGS:
            inl = squash_space(tuple(self.inlines(el)))
            return [Candidate(HEADING, inl, level=_HEADINGS[tag], style=whole_style(inl), **common)]  # type: ignore[arg-type]
        if tag == "blockquote":
            inner = self.stream(el, Where(where.centred, where.right, where.region))
            blocks = tuple(as_block(c) for c in inner)
            return [Candidate(QUOTE, blocks=blocks, **common)] if blocks else []  # type: ignore[arg-type]
        if tag == "pre":  # preformatted by the author: lines and columns kept
            rows = el.text_content().strip("\n").split("\n")
            return [Candidate(PRE, raw=dedent(rows), **common)] if "".join(rows).strip() else []  # type: ignore[arg-type]
        if tag and not any(isinstance(c.tag, str) and (c.tag in BLOCKS or c in self.regions) for c in el):
            return self.paragraphs(tuple(self.inlines(el)), line, where, tag, classes)
        inner = self.stream(el, where)
        if where.region and inner:  # a region's first block carries the element it came from
            inner[0] = replace(inner[0], classes=inner[0].classes | classes)
        return inner

    def paragraphs(
        self, inlines: tuple[Inline, ...], line: int, where: Where, tag: str, classes: frozenset[str] = frozenset()
    ) -> list[Candidate]:
        """A run of inline content: a blank line (two breaks) separates paragraphs; single breaks
        are the author's lines. Empty content is a blank line: the gap before the next block."""
        out: list[Candidate] = []
        for group in _groups(inlines):
            if not group:
                out.append(Candidate(PARA, (), line=line, tag=tag, region=where.region))  # an empty paragraph
                continue
            parts = [squash_space(part) for part in group]
            joined: list[Inline] = []
            for k, part in enumerate(parts):
                joined += ([Text(" ")] if k else []) + list(part)
            inl = squash_space(tuple(joined))
            raw = _source_lines(group) if len(group) == 1 else ()
            lines = tuple(trim(p) for p in parts) if len(parts) > 1 else tuple(_raw_split(group[0])) if len(raw) > 1 else ()
            out.append(
                Candidate(
                    PARA, inl, line=line, lines=lines, explicit=len(parts) > 1, raw=raw, tag=tag, classes=classes,
                    region=where.region, centred=where.centred, right=where.right, style=whole_style(inl),
                )
            )
        return out


def hidden(el: etree._Element) -> bool:
    return bool(_HIDDEN.search(el.get("style") or "")) or el.get("hidden") is not None or "sr-only" in (el.get("class") or "").split()


def texts(nodes: tuple[Inline, ...]) -> list[str]:
    out: list[str] = []
    for n in nodes:
        out += [n.text] if isinstance(n, Text) else texts(n.children)
    return out


def _lift_breaks(nodes: tuple[Inline, ...]) -> tuple[Inline, ...]:
    """<br/>s inside <em> or <strong> lifted to the top ("<i>line<br/>line</i>" is two lines, each
    in italics)."""
    out: list[Inline] = []
    for node in nodes:
        if not isinstance(node, (Emphasis, Strong)):
            out.append(node)
            continue
        # Lifted once: lifting twice (to test, then to use) doubled the work at every level, so 40
        # nested <i> around one <br/> (72 bytes; found by fuzzing) never finished.
        lifted = _lift_breaks(node.children)
        if not any(part is BREAK for part in lifted):
            out.append(node)
            continue
        current: list[Inline] = []
        for part in lifted + (None,):
            if part is BREAK or part is None:
                if current:
                    out.append(type(node)(tuple(current)))
                current = []
                if part is BREAK:
                    out.append(BREAK)
            else:
                current.append(part)
    return tuple(out)


def _groups(inlines: tuple[Inline, ...]) -> Iterator[list[tuple[Inline, ...]]]:
    """Paragraphs (lists of lines) of inline content broken by <br/>: a blank line between them.
    An empty paragraph yields an empty list."""
    inlines = _lift_breaks(inlines)
    lines: list[tuple[Inline, ...]] = []
    current: list[Inline] = []
    any_text = False
    for node in inlines + (BREAK,):
        if node is not BREAK:
            current.append(node)
            continue
        if "".join(texts(tuple(current))).strip():
            lines.append(tuple(current))
            any_text = True
        elif lines:
            yield lines
            lines = []
        current = []
    if lines:
        yield lines
    elif not any_text:
        yield []


_INNER_BREAK = re.compile(r"(?<=\S)[ \t]*\n([ \t]*)(?=\S)")


def _source_lines(group: list[tuple[Inline, ...]]) -> tuple[str, ...]:
    """Line breaks typed inside a run of text (not beside a tag): hand-written HTML whose author
    broke a song's lines in the source. Pretty-printed markup breaks lines only between tags."""
    nodes = group[0]
    if not any(isinstance(n, Text) and _INNER_BREAK.search(n.text) for n in nodes):
        return ()
    source = "".join(texts(nodes)).strip("\n")
    return tuple(line.rstrip() for line in source.split("\n") if line.strip())


def _raw_split(nodes: tuple[Inline, ...]) -> list[tuple[Inline, ...]]:
    """Inline content cut at the line breaks typed inside its text."""
    lines: list[list[Inline]] = [[]]
    for node in nodes:
        if isinstance(node, Text) and "\n" in node.text.strip("\n"):
            parts = node.text.split("\n")
            for k, part in enumerate(parts):
                if k:
                    lines.append([])
                if part.strip():
                    lines[-1].append(Text(part))
        else:
            lines[-1].append(node)
    return [trim(squash_space(tuple(line))) for line in lines if "".join(texts(tuple(line))).strip()]


# `<?xml version="1.0" encoding="utf-8"?>` atop an XHTML chapter taken out of an EPUB: the text is
# already decoded, and lxml refuses a str that still declares an encoding.
_XML_DECLARATION = re.compile(r"\A\ufeff?\s{0,100}<\?xml[^>]{0,500}\?>")


def parse(text: str) -> etree._Element:
    text = END_TAGS.sub("", _XML_DECLARATION.sub("", text, count=1))
    if "<html" in text[:1000].lower() or "<body" in text[:4000].lower():
        return lxml.html.document_fromstring(text, parser=html_parser())
    return _fragment(text)


def _fragment(text: str) -> etree._Element:
    """Loose HTML in a `<div>`. lxml sets text with no tags around it straight onto the element, which
    refuses a control character (`&#1;` alone in a file): such text goes through the parser instead,
    which reads it as any page's. A whole page in a fragment (a Markdown file holding one) is read as
    the page it is."""
    try:
        return lxml.html.fragment_fromstring(text, create_parent="div", parser=html_parser())
    except ValueError:
        return lxml.html.fragment_fromstring(f"<div>{text}</div>", parser=html_parser())
    except AssertionError:  # lxml: "too many bodies" when the text is a whole document
        document = lxml.html.document_fromstring(text, parser=html_parser())
        body = document.find("body")
        return body if body is not None else document


def fragment_stream(text: str, consumed: list[str], first_line: int = 1) -> list[Candidate]:
    """The candidates of a piece of HTML inside another format (raw HTML in Markdown: Jekyll and
    Hugo fiction sites keep whole stories as HTML in a .md file), lines counted from `first_line`."""
    reader = Reader(consumed, line_shift=first_line - 1)
    try:
        root = _fragment(text)
    except etree.ParserError:  # a block lxml finds empty (a doctype, a lone <head>): no text to keep
        return []
    if flatten_deep(root):
        reader.flattened = True
    return settle(reader.stream(root))


def read_html(text: str, path: Path) -> Document:
    try:
        root = parse(text)
    except etree.ParserError:  # lxml: "Document is empty" (a doctype and a <head>, nothing else)
        raise fail(ExitCode.INPUT, "A003", "this file is empty; add the story's text or remove the file", path) from None
    return read_tree(root, path, Reader(flattened=flatten_deep(root) > 0))


def read_tree(root: etree._Element, path: Path, reader: Reader | None = None, endnotes: tuple[EndNote, ...] = ()) -> Document:
    """A parsed page (or an EPUB's documents joined into one, epub/join.py) to the stream."""
    from .sites import template

    reader = reader or Reader()
    site = template(root, reader)
    body = site.root if site.root is not None else root.find("body") if root.find("body") is not None else root
    stream = reader.stream(body)
    if site.heading is not None:
        heading, line = site.heading
        stream.insert(0, Candidate(HEADING, (Text(heading),), line=line, level=2, region="chapter-heading"))
    doc = Document(path, "html", settle(stream), given=site.given, consumed=reader.consumed + site.consumed, endnotes=endnotes)
    doc.boilerplate += site.boilerplate
    if reader.flattened:
        doc.diagnostics.append(deep_warning(path))
    return doc
