"""Parse stage: undo a known scraper bug before layout — chapters saved twice over.

Some fanfiction.net downloaders write each chapter as one huge line (paragraphs run together with
no space), then the same chapter again as tab-indented paragraphs, each followed by "echo" lines
repeating its italic spans ("\tJourney" after the paragraph that contains "Journey"). We keep the
indented paragraphs and drop the huge line and the echoes — but only where that provably loses no
word: the huge line's words must all be in the paragraphs that follow it, and an echo must be part
of the paragraph before it. Dropped lines are listed as consumed and replaced by `DROPPED`, which
layout skips without counting it as a blank line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

DROPPED = "\x00"  # decode removes every NUL, so no real line can be this
_HUGE = 2000


def _covers(paragraphs: list[str], run_together: str) -> bool:
    """Whether the paragraphs, in order, spell out the whole run-together line (spacing ignored:
    the scraper dropped the breaks between paragraphs, so "Might" + "Pairing" is "MightPairing")."""
    line = re.sub(r"\s+", "", run_together)
    pos = 0
    for paragraph in paragraphs:
        piece = re.sub(r"\s+", "", paragraph)
        if line.startswith(piece, pos):
            pos += len(piece)
    return pos == len(line)


def _made_of(line: str, following: list[str]) -> int:
    """How many of the following pieces, in order, spell out `line` exactly (spacing ignored);
    0 when they do not."""
    target = re.sub(r"\s+", "", line)
    pos = 0
    for n, piece in enumerate(following):
        piece = re.sub(r"\s+", "", piece)
        if not piece:
            return 0
        if not target.startswith(piece, pos):
            return 0
        pos += len(piece)
        if pos == len(target):
            return n + 1
    return 0


@dataclass(frozen=True)
class Unechoed:
    text: str
    consumed: tuple[str, ...]
    chapters: int  # how many doubled chapters were undone


def unecho(text: str) -> Unechoed:
    lines = text.split("\n")
    huge = [i for i, line in enumerate(lines) if len(line) > _HUGE and not line[:1].isspace()]
    if not huge:
        return Unechoed(text, (), 0)
    consumed: list[str] = []
    undone = 0
    for h, nxt in zip(huge, huge[1:] + [len(lines)]):
        block = [i for i in range(h + 1, nxt) if lines[i].strip()]
        if not block or not all(lines[i][:1] == "\t" for i in block):
            continue
        echoes: list[int] = []
        kept: list[tuple[int, str]] = []
        n = 0
        while n < len(block):
            i = block[n]
            piece = lines[i].strip()
            last = kept[-1][1] if kept else ""
            if last and len(piece) <= len(last) and piece in last:
                # A run-together line followed by the lines it was made of (a poem's lines, one
                # to a line in the copy): the lines are the text, the run-together line the echo.
                parts = _made_of(last, [lines[j].strip() for j in block[n:]])
                if parts >= 3:
                    echoes.append(kept.pop()[0])
                    kept += [(j, lines[j].strip()) for j in block[n : n + parts]]
                    n += parts
                    continue
                echoes.append(i)
            else:
                kept.append((i, piece))
            n += 1
        if not _covers([piece for _, piece in kept], lines[h]):
            continue  # the huge line says something the paragraphs do not: keep everything
        for i in [h] + echoes:
            consumed.append(lines[i].strip())
            lines[i] = DROPPED
        undone += 1
    return Unechoed("\n".join(lines), tuple(consumed), undone)
