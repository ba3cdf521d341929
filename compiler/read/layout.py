"""Parse stage: plain-text layout — lines to chunks (paragraph candidates) and separator lines.

People's text files mark paragraphs in one of four ways, and often mix them: a blank line between
paragraphs; one paragraph per (long) line; an indent (tab or spaces) at each paragraph's start; or
hard-wrapped lines (60–80 columns) with blank lines between. A chunk is one paragraph candidate;
its lines are re-flowed later. Separator lines (`***`, `-x-`, `ZZZZ`) always stand alone.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass

from ..scripts import columns, join_lines
from .art import is_preformatted
from .separators import is_separator
from .scrape import DROPPED

# "One paragraph per line" files: their lines are far longer than any hard wrap.
LONG_LINE = 90
VERSE_MAX = 55
_VERSE_MEAN = 42
_INDENT = re.compile(r"^(?:\t| {2,}|\u3000)\S")


def is_verse(lines: tuple[str, ...] | list[str]) -> bool:
    """Three or more lines, all far shorter than any hard wrap: a poem, a song, an address block or
    a word list, whose line breaks are the author's. (Hard-wrapped prose fills its lines to 60–80
    columns, so its longest line gives it away.)"""
    sizes = [columns(line.strip()) for line in lines]
    return len(sizes) >= 3 and max(sizes) <= VERSE_MAX and sum(sizes) <= _VERSE_MEAN * len(sizes)


@dataclass(frozen=True)
class Chunk:
    lines: tuple[str, ...]
    line: int  # 1-based line of the first line
    gap_before: int  # blank lines before it (2 or more: a scene break)
    separator: bool = False  # a scene-break line such as "***"
    preformatted: bool = False  # ASCII art or a table: its lines and columns are kept (art.py)
    numbers: tuple[int, ...] = ()  # each line's source line (scrape.unecho may have dropped some between)

    def line_of(self, k: int) -> int:
        return self.numbers[k] if k < len(self.numbers) else self.line + k

    @property
    def text(self) -> str:
        # Lines inside a chunk are re-flowed: pasted text wraps for the screen, not for the book.
        # Hard-wrapped Chinese or Japanese joins without a space (scripts.py).
        return join_lines([part.strip() for part in self.lines])


def _blank_chunks(text: str) -> list[Chunk]:
    chunks: list[Chunk] = []
    current: list[str] = []
    numbers: list[int] = []
    gap = 0
    for number, line in enumerate(text.split("\n"), start=1):
        if line == DROPPED:
            continue  # taken out by scrape.unecho: neither text nor a blank line
        if line.strip():
            current.append(line)
            numbers.append(number)
            continue
        if current:
            chunks.append(Chunk(tuple(current), numbers[0], gap, numbers=tuple(numbers)))
            current, numbers, gap = [], [], 0
        gap += 1
    if current:
        chunks.append(Chunk(tuple(current), numbers[0], gap, numbers=tuple(numbers)))
    return chunks


# "PART 1", "Chapter Two", "BOOK III.": a part's name alone on its line.
_PART_LINE = re.compile(r"^(?:part|chapter|book|volume|act|kapitel|teil|capítulo|chapitre)\s+(?:\d{1,3}|[IVXLC]{1,7}|[^\W\d_]{3,12})\.?$", re.I)
_SENTENCE_END = re.compile(r"[.!?…:;\"'”’)*_—-]\s*$")


def _split_points(lines: tuple[str, ...], per_line_file: bool = False) -> set[int]:
    """Where a multi-line chunk holds several paragraphs: at long lines, at indents, around
    separators; in a file written one paragraph per line, after every line that ends a sentence."""
    cuts: set[int] = set()
    long_lines = sum(columns(line) > LONG_LINE for line in lines)
    # A third is enough: the short lines of such files are lines of dialogue ("Huh?").
    per_line = long_lines * 3 >= len(lines)
    indented = [bool(_INDENT.match(line)) for line in lines]
    indent_style = any(indented[1:]) and not all(indented)
    if all(indented) and len(lines) >= 4 and max(columns(line.expandtabs(8)) for line in lines) >= 60:
        # Every line set in, paragraphs set in further ("    text" under "         First"): the
        # deeper lines start paragraphs, if they are few and the lines are long (verse indents
        # every other line, and its lines are short).
        depth = [len(line.expandtabs(8)) - len(line.expandtabs(8).lstrip()) for line in lines]
        deeper = [d > min(depth) + 1 for d in depth]
        if any(deeper[1:]) and sum(deeper) * 3 <= len(lines):
            indented, indent_style = deeper, True
    for i, line in enumerate(lines):
        if i == 0:
            continue
        if per_line or (indent_style and indented[i]) or is_separator(line) or is_separator(lines[i - 1]):
            cuts.add(i)
        elif per_line_file and _SENTENCE_END.search(lines[i - 1]):
            cuts.add(i)
        elif i + 1 < len(lines) and is_separator(lines[i + 1]) and _PART_LINE.match(lines[i].strip()):
            cuts.add(i)  # a title line, then "PART 1" over its underline: the part's name is its own line
    return cuts


def one_per_line(blocks: list[list[str]] | list[tuple[str, ...]]) -> bool:
    """Whether a file writes one paragraph per line: a third of the lines of its multi-line
    blocks run far past any hard wrap."""
    lines = [line for block in blocks if len(block) > 1 for line in block]
    return bool(lines) and sum(columns(line) > LONG_LINE for line in lines) * 3 >= len(lines)


def chunk(text: str) -> list[Chunk]:
    """Chunks in reading order, each with the blank lines before it (what a gap means depends on
    the file's own paragraph spacing: the recogniser weighs it)."""
    out: list[Chunk] = []
    blocks = _blank_chunks(text)
    per_line_file = one_per_line([c.lines for c in blocks])
    for c in blocks:
        if is_preformatted(c.lines):  # before any split: its indents and rules are part of the drawing
            out.append(dataclasses.replace(c, preformatted=True))
            continue
        cuts = sorted(_split_points(c.lines, per_line_file) | {0, len(c.lines)})
        for a, b in zip(cuts, cuts[1:]):
            part = c.lines[a:b]
            sep = len(part) == 1 and is_separator(part[0])
            out.append(Chunk(part, c.line_of(a), c.gap_before if a == 0 else 0, sep, numbers=c.numbers[a:b]))
    return out
