"""Parse stage: the common stream every reader produces and the recogniser reads.

A reader (plain text, Markdown, HTML) only turns its syntax into `Candidate` blocks, each carrying
the evidence an editor would look at: its text and inline markup, its source line, the blank lines
(or empty paragraphs) before it, its indent and whether it is centred, the element and classes it
came from, a heading level the syntax gave it, whether it is set wholly in bold or italics, and,
for a site's download template, the region of the page it sits in. Nothing here decides what a
block *is*: that is the recogniser's job (recognise/), the same for every format.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from ..diagnostics import Diagnostic
from ..model import Block, BlockQuote, Emphasis, EndNote, Field, Inline, Paragraph, Preformatted, Strong, Text, Verse, plain_text

PARA = "para"  # a run of text: a paragraph candidate (its lines may be verse, a title, a note…)
HEADING = "heading"  # the syntax says heading (Markdown `#`, HTML `<h2>`); the rules still weigh it
RULE = "rule"  # a drawn separator: `* * *`, `~~~~`, `<hr>`, `-x-`
PRE = "pre"  # lines whose columns matter (ASCII art, a table, a fenced block)
QUOTE = "quote"  # a block quotation the syntax marks (`>`, `<blockquote>`)


@dataclass(frozen=True)
class Candidate:
    kind: str
    inlines: tuple[Inline, ...] = ()  # PARA / HEADING: the content, markup kept
    line: int = 0  # 1-based source line of its first line
    gap: int = 0  # blank lines, or empty paragraphs, right before it
    lines: tuple[tuple[Inline, ...], ...] = ()  # its lines, when it has more than one
    explicit: bool = False  # the lines were broken by the author (<br/>, a hard break), not a wrap
    raw: tuple[str, ...] = ()  # source lines as written (plain text, PRE): indents and widths
    blocks: tuple[Block, ...] = ()  # QUOTE: its content, already model blocks
    indent: int = 0  # columns before the text (plain text)
    centred: bool = False  # centred on the line (text: by its margins; HTML: align/center)
    right: bool = False  # set flush right (a signature, a date line)
    level: int = 0  # heading level the syntax gives (1 for `#` or <h1>); 0 when none
    style: str = ""  # "bold" / "italic" when the whole block is set so
    tag: str = ""  # HTML element name
    classes: frozenset[str] = frozenset()
    region: str = ""  # a site template's region: "summary", "notes", "chapter-notes", "chrome"…
    numbers: tuple[int, ...] = ()  # each raw line's source line

    @property
    def text(self) -> str:
        """The visible text, whitespace collapsed."""
        if self.kind == PRE:
            return " ".join(" ".join(self.raw).split())
        if self.kind == QUOTE:
            return " ".join(_block_text(b) for b in self.blocks).strip()
        return " ".join(plain_text(self.inlines).split())

    @property
    def words(self) -> int:
        return len(self.text.split())

    @property
    def line_texts(self) -> tuple[str, ...]:
        """Its lines as the author broke them (one line when it has no breaks)."""
        if self.lines:
            return tuple(" ".join(plain_text(line).split()) for line in self.lines)
        return (self.text,) if self.text else ()

    def line_of(self, k: int) -> int:
        return self.numbers[k] if k < len(self.numbers) else self.line + k


def _block_text(block: Block) -> str:
    if isinstance(block, Paragraph):
        return " ".join(plain_text(block.children).split())
    inner = getattr(block, "blocks", None)
    if inner is not None:
        return " ".join(_block_text(b) for b in inner)
    lines = getattr(block, "lines", None)
    if lines is not None:
        return " ".join(" ".join((line if isinstance(line, str) else plain_text(line)).split()) for line in lines)
    children = getattr(block, "children", None)
    return " ".join(plain_text(children).split()) if children is not None else ""


@dataclass(frozen=True)
class Given:
    """What a file states outright, outside its text: YAML front matter, a site's download
    template (AO3's preface), a page's story header (fanfiction.net's profile). Stated facts
    outrank anything read from the text's layout."""

    title: str = ""
    authors: tuple[str, ...] = ()
    summary: tuple[Paragraph, ...] = ()
    notes_before: tuple[tuple[Block, ...], ...] = ()
    notes_after: tuple[tuple[Block, ...], ...] = ()
    fields: tuple[Field, ...] = ()
    source_url: str = ""
    site: str = ""  # "Archive of Our Own", "FanFiction.Net": whose template it was
    format: str = ""  # as the labels name formats: "ao3-download-html", "ffn-download"…
    series: str = ""  # the series the work is a part of
    part: int = 0  # its place in that series
    lines: tuple[tuple[str, int], ...] = ()  # where each was read: ("title", 12), ("summary", 20)


@dataclass
class Document:
    """A reader's result: the stream, what the file states outright, and what it took as markup."""

    path: Path
    kind: str  # "text", "markdown", "html"
    stream: list[Candidate]
    given: Given = field(default_factory=Given)
    consumed: list[str] = field(default_factory=list)  # markup and site text, listed by inspect
    endnotes: tuple[EndNote, ...] = ()  # Markdown footnotes, already linked from their markers
    boilerplate: list[tuple[str, int]] = field(default_factory=list)  # (first words, line): site words left out
    width: int = 0  # plain text: the file's usual line width (its hard wrap), for centring and verse
    diagnostics: list[Diagnostic] = field(default_factory=list)


# ---------------------------------------------------------------- evidence helpers


def whole_style(inlines: tuple[Inline, ...]) -> str:
    """"bold" or "italic" when every visible character sits in one Strong / Emphasis."""
    parts = [n for n in inlines if not (isinstance(n, Text) and not n.text.strip())]
    if len(parts) != 1:
        return ""
    only = parts[0]
    if isinstance(only, Strong):
        return "bold"
    if isinstance(only, Emphasis):
        inner = whole_style(only.children)
        return "bold" if inner == "bold" else "italic"
    return ""


def lead_style(inlines: tuple[Inline, ...]) -> str:
    """"bold" when the block opens with a bold run ("**Author's note:** …"), else ""."""
    for n in inlines:
        if isinstance(n, Text) and not n.text.strip():
            continue
        return "bold" if isinstance(n, Strong) or (isinstance(n, Emphasis) and whole_style(n.children) == "bold") else ""
    return ""


_LETTERS = re.compile(r"[^\W\d_]")


def caps_share(text: str) -> float:
    letters = _LETTERS.findall(text)
    return sum(ch.isupper() for ch in letters) / len(letters) if letters else 0.0


def is_capitalised(text: str) -> bool:
    """"The Big Discovery", "Good And Bad": most words that start with a letter start upper-case."""
    words = [w for w in re.findall(r"[^\W\d_][\w'’-]*", text)]
    if not words:
        return False
    return sum(w[0].isupper() for w in words) >= max(1, 0.6 * len(words))


def settle(stream: list[Candidate]) -> list[Candidate]:
    """What every structured reader's stream needs: an empty paragraph is a blank line (the gap
    before the next block), and a paragraph that is only a drawn separator ("-x-", "ZZZZ",
    "\\* \\* \\*") is a separator; a separator on the first line of a paragraph is one too."""
    from dataclasses import replace

    from .layout import is_separator

    out: list[Candidate] = []
    gap = 0
    for c in stream:
        if c.kind == PARA and not c.inlines:
            gap += 1
            continue
        if c.kind == PARA and len(c.line_texts) == 1 and is_separator(c.text):
            c = replace(c, kind=RULE, inlines=(Text(c.text),), lines=())
        elif c.kind == PARA and c.lines and c.explicit and is_separator(c.line_texts[0]):
            rest = c.lines[1:]
            out.append(Candidate(RULE, (Text(c.line_texts[0]),), line=c.line, gap=c.gap + gap, tag=c.tag, centred=c.centred, region=c.region))
            gap = 0
            joined: list[Inline] = []
            for k, row in enumerate(rest):
                joined += ([Text(" ")] if k else []) + list(row)
            c = replace(c, inlines=tuple(joined), lines=rest if len(rest) > 1 else (), explicit=len(rest) > 1, gap=0, style=whole_style(tuple(joined)))
        out.append(replace(c, gap=c.gap + gap) if gap else c)
        gap = 0
    return out


def as_block(c: Candidate) -> Block:
    """A candidate as a plain model block (inside a quotation, nothing is furniture)."""
    if c.kind == QUOTE:
        return BlockQuote(c.blocks, c.line)
    if c.kind == PRE:
        return Preformatted(c.raw, c.line)
    if c.lines and c.explicit:
        return Verse(c.lines, c.line)
    return Paragraph(c.inlines, c.line)
