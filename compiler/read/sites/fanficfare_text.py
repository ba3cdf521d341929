"""Parse stage, plain text: FanFicFare's TXT download, recognised by its layout.

FanFicFare writes the title, a `by …` line, the metadata as `Label: value` lines (values wrapped
at 78 columns onto lines of their own; the summary last, in paragraphs), a `TABLE OF CONTENTS`
with one entry per chapter, then each chapter under its title indented eight spaces (a long
title wraps onto unindented lines), and `End file.` last. The header becomes stated facts
(`Given`), the contents and the labels are FanFicFare's words (consumed).

Each chapter's text is html2text's Markdown of the chapter's HTML, so it is read as Markdown (the
inverse of what wrote it), which gives the HTML download's paragraphs: a blank line closes a `<p>`,
a line ending in two spaces is a `<br>` (two of them, or a line of only spaces, part paragraphs
as `<br><br>` does), `* * *` is an `<hr>`, `### ` a heading, `_…_` and `**…**` emphasis, `\\-`
an escape. What Markdown would misread is undone first: html2text wraps with Python's textwrap,
which breaks lines inside hyphenated words and at `--`, and can start a wrapped line with `- `,
`1. `, `#` or `>`, which CommonMark takes for a list, a heading or a quotation. Blank lines carry no
scene breaks here: a run of `<br>`s is lines of spaces, and only an empty paragraph (`<p>&nbsp;</p>`)
adds blank lines, two each.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from ...model import Field, Paragraph, Text
from ..headers import field_key
from ..stream import HEADING, Candidate, Document, Given
from .fanficfare import SERIES_PART

_LABEL = re.compile(r"^(?P<label>[A-Z][A-Za-z]*(?: [A-Za-z]+){0,2}): (?P<value>.*)$")
_TOC = "TABLE OF CONTENTS"
_END = "End file."
_CHAPTER = re.compile(r"^ {8}(?=\S)")
_ATX = re.compile(r"^(?P<marks>#{1,6}) (?P<text>\S.*)$")
# Addresses the HTML and EPUB downloads keep as links, not as text: consumed, not fields.
_LINKS = {"story url", "author url", "series url"}


def _words(text: str) -> str:
    return " ".join(text.split())


# html2text's marks: `~~struck~~` (the book has no strike-through: the words stay), and the space it
# puts between a closing emphasis mark and the punctuation after it (`_italics_ ,`), which is not
# a space in the story.
_STRIKE = re.compile(r"~~(?=\S)(.+?)(?<=\S)~~")
_SPACED = re.compile(r"(?<=\S)(_|\*\*|\*) (?=[,.;:!?)])")


def _inline(line: str, consumed: list[str]) -> str:
    if "~~" in line:
        consumed.extend("~~" for _ in _STRIKE.findall(line))
        line = _STRIKE.sub(r"\1", line)
    return _SPACED.sub(r"\1", line)


# textwrap's break points inside a word: after a hyphen between letters ("well-" / "known"), and
# on either side of a `--` dash between words ("labore--" / "et", "labore" / "--et").
_HYPHEN_END = re.compile(r"(?:[^\W\d]{2}|[^\W\d]-[^\W\d])-$")
_HYPHEN_NEXT = re.compile(r"^[^\W\d]-?[^\W\d]")
_DASH_END = re.compile(r"[\w!\"'&.,?]-{2,}$")
_DASH_NEXT = re.compile(r"^-{2,}\w")
_WORD_END = re.compile(r"[\w!\"'&.,?]$")
# What starts a block in CommonMark at the start of a line: html2text never starts a wrapped line
# with one on purpose (its lists and quotations are indented or prefixed on every line).
_BLOCK_START = re.compile(r"^(?:[-+*](?=\s|$)|\d{1,9}[.)](?=\s|$)|#{1,6}(?=\s|$)|>|=+\s*$|-+\s*$|[*_-](?:\s*[*_-]){2,}\s*$|```|~~~)")


def _soft(line: str) -> bool:
    """A line of text wrapped onto the next, not ended by a hard break."""
    return bool(line.strip()) and not line.endswith("  ")


def _unwrap(lines: list[str], text: set[int]) -> None:
    """textwrap's breaks inside a word mended in place: the word's first part moves down to the
    line holding the rest (so each line keeps its number)."""
    for k in sorted(text):
        if k - 1 not in text or not _soft(lines[k - 1]) or lines[k - 1].lstrip().startswith(("#", ">")):
            continue
        prev, nxt = lines[k - 1].rstrip(), lines[k]
        joined = (_HYPHEN_END.search(prev) and _HYPHEN_NEXT.match(nxt)) or (_DASH_END.search(prev) and nxt[:1].isalnum()) or (
            _WORD_END.search(prev) and _DASH_NEXT.match(nxt))
        if not joined or " " not in prev.strip():
            continue
        head, _, fragment = prev.rpartition(" ")
        lines[k - 1], lines[k] = head, fragment + nxt


def _escape_wrapped(lines: list[str], text: set[int]) -> None:
    """A wrapped line that would open a list, heading, quotation or rule in CommonMark: its first
    mark escaped, so it stays a line of its paragraph."""
    for k in sorted(text):
        if k - 1 not in text or not lines[k - 1].strip() or lines[k - 1].startswith(">"):
            continue
        if _BLOCK_START.match(lines[k]):
            at = len(lines[k]) - len(lines[k].lstrip("0123456789"))  # "1." escapes its dot, "#" itself
            lines[k] = lines[k][:at] + "\\" + lines[k][at:]


def _gaps(stream: list[Candidate], lines: list[str], blank: set[int]) -> list[Candidate]:
    """Each block's blank lines before it as the HTML had them: empty paragraphs, two blank lines
    each beyond the one that parts any two blocks; lines of spaces (`<br>`s) are not blank lines."""
    out = []
    for c in stream:
        k, empty = c.line - 2, 0
        while k >= 0 and k not in blank and not lines[k].strip():
            empty += lines[k] == ""
            k -= 1
        out.append(replace(c, gap=max(0, empty - 1) // 2) if c.line else c)
    return out


def read_fanficfare_text(text: str, path: Path) -> Document | None:
    """The story a FanFicFare TXT holds, or None when the text is not laid out as one."""
    from ..markdown import read_markdown

    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    toc = next((k for k, line in enumerate(lines[:400]) if line.strip() == _TOC), None)
    if toc is None or not any(line.startswith("Story URL: ") for line in lines[:toc]):
        return None
    head = [k for k in range(toc) if lines[k].strip()]
    if len(head) < 3 or not lines[head[1]].startswith("by "):
        return None
    consumed: list[str] = ["by", _TOC]
    title, by = _words(lines[head[0]]), lines[head[1]][3:]
    authors = tuple(a.strip() for a in re.split(r",\s+|(?<!\s)\s+&\s+", by) if a.strip())
    entries: list[tuple[str, list[str], int]] = []  # (label, its value's lines, line number)
    for k in range(head[1] + 1, toc):
        m = _LABEL.match(lines[k])
        in_summary = bool(entries) and entries[-1][0].lower() == "summary"
        if m and not in_summary:
            entries.append((m.group("label"), [m.group("value")], k + 1))
        elif entries:
            entries[-1][1].append(lines[k])
    fields: list[Field] = []
    summary: tuple[Paragraph, ...] = ()
    url, site, series, part = "", "", "", 0
    for label, value_lines, line in entries:
        key = label.lower()
        consumed.append(label + ":")
        value = _words(" ".join(value_lines))
        if key == "summary":
            paras = re.split(r"\n\s*\n", "\n".join(value_lines))
            summary = tuple(Paragraph((Text(_words(p)),), line) for p in paras if p.strip())
            continue
        if key in _LINKS:
            if key == "story url":
                url = value
            else:
                consumed.append(value)
            continue
        if key == "publisher":
            site = value
        m = SERIES_PART.match(value) if key == "series" else None
        if m:
            series, part = m.group("series").rstrip(), int(m.group("part"))
        fields.append(Field(field_key(key), label, (Text(value),), line))
    # The contents: entries until the first chapter title (indented eight spaces).
    first = next((k for k in range(toc + 1, len(lines)) if _CHAPTER.match(lines[k])), len(lines))
    titles = [_words(e) for e in re.split(r"\n\s*\n", "\n".join(lines[toc + 1:first])) if e.strip()]
    consumed += titles
    blank = set(range(0, first))  # the header and contents, read above
    headings: list[Candidate] = []
    k = first
    while k < len(lines):
        if _CHAPTER.match(lines[k]):
            start, words = k, [lines[k]]
            while k + 1 < len(lines) and lines[k + 1].strip() and not _CHAPTER.match(lines[k + 1]):
                k += 1
                words.append(lines[k])
            heading = _words(" ".join(words))
            if titles and heading not in titles:  # an indented line of the text, not a chapter title
                k = start + 1
                continue
            blank.update(range(start, k + 1))
            headings.append(Candidate(HEADING, (Text(heading),), line=start + 1, level=2, region="chapter-heading"))
        else:
            m = _ATX.match(lines[k])
            if m:
                blank.add(k)
                consumed.append(m.group("marks"))
                headings.append(Candidate(HEADING, (Text(_words(m.group("text"))),), line=k + 1, level=len(m.group("marks"))))
        k += 1
    last = max((k for k, line in enumerate(lines) if line.strip()), default=0)
    if lines[last].strip() == _END:  # FanFicFare's own last line
        blank.add(last)
        consumed.append(_END)
    body = ["" if k in blank else _inline(line, consumed).rstrip("\t") for k, line in enumerate(lines)]
    written = {k for k, line in enumerate(body) if line.strip()}
    _unwrap(body, written)
    _escape_wrapped(body, written)
    doc = read_markdown("\n".join(body), path)
    doc.stream = sorted(_gaps(doc.stream, lines, blank) + headings, key=lambda c: c.line)
    doc.consumed += consumed
    doc.given = Given(title, authors, summary, fields=tuple(fields), source_url=url, site=site, format="fanficfare-txt",
                      series=series, part=part, lines=(("title", head[0] + 1), ("authors", head[1] + 1)))
    return doc
