"""Parse stage: Project Gutenberg's header and licence around a public-domain text.

A Gutenberg plain-text file wraps the book in the distributor's own text: a header (the eBook's
name, "This eBook is for the use of anyone anywhere…", Title, Author, Release Date, Language,
"*** START OF THE PROJECT GUTENBERG EBOOK … ***", the producers' credit) and a footer from
"*** END OF THE PROJECT GUTENBERG EBOOK … ***" to the end (the full licence). Neither is the
story, and the licence asks to be kept with the text, so both are kept as the story's back
matter, labelled as Gutenberg's (`Boilerplate`), rather than opening and closing the chapter.
Title and Author in the header still name the story. The markers' wording varies between the
1990s and today ("THIS PROJECT GUTENBERG EBOOK", "ETEXT", "End of Project Gutenberg's …").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .layout import Chunk

SOURCE = "Project Gutenberg"
_START = re.compile(r"^\W*\*{3}\s*START\s+OF\s+(?:THE|THIS)\s+PROJECT\s+GUTENBERG\s+E-?(?:BOOK|TEXT)", re.I)
_END = re.compile(
    r"^\W*(?:\*{3}\s*END\s+OF\s+(?:THE|THIS)\s+PROJECT\s+GUTENBERG\s+E-?(?:BOOK|TEXT)"
    r"|END\s+OF\s+(?:THE\s+)?PROJECT\s+GUTENBERG'?S?\s+E-?(?:BOOK|TEXT))",
    re.I,
)
# What follows the start marker and is still Gutenberg's: the producers' credit, pointers to
# the other editions. A transcriber's note about the text itself is the book's.
_CREDIT = re.compile(r"\b(?:e-?text\s+)?(?:prepared|produced)\s+by\b|\bproject\s+gutenberg\b|gutenberg\.(?:org|net)|\bpgdp\b", re.I)


@dataclass(frozen=True)
class Wrapped:
    header: list[Chunk]  # up to and including the start marker and the producers' credit
    body: list[Chunk]
    footer: list[Chunk]  # from the end marker to the end of the file


def unwrap(chunks: list[Chunk]) -> Wrapped | None:
    """The book's chunks apart from Gutenberg's header and footer; None if this is no Gutenberg file."""
    start = next((i for i, c in enumerate(chunks) if _START.match(c.text)), None)
    end = next((i for i, c in enumerate(chunks) if _END.match(c.text) and (start is None or i > start)), None)
    if start is None and end is None:
        return None
    body_from = 0
    if start is not None:
        body_from = start + 1
        # A credit's indented lines are chunks of their own, with no blank line before them.
        while body_from < len(chunks) and body_from != end and (
            _CREDIT.search(chunks[body_from].text) or (chunks[body_from].gap_before == 0 and body_from > start + 1)
        ):
            body_from += 1
    body_to = end if end is not None else len(chunks)
    return Wrapped(chunks[:body_from], chunks[body_from:body_to], chunks[body_to:])
