"""Parse stage: Project Gutenberg's header and licence around a public-domain text.

A Gutenberg plain-text file wraps the book in the distributor's own text: a header (the eBook's
name, "This eBook is for the use of anyone anywhere…", Title, Author, Release Date, Language,
"*** START OF THE PROJECT GUTENBERG EBOOK … ***", the producers' credit) and a footer from
"*** END OF THE PROJECT GUTENBERG EBOOK … ***" to the end (the full licence). Neither is the
story, and the licence asks to be kept with the text, so both are kept as the story's back
matter, labelled as Gutenberg's (`Boilerplate`), rather than opening and closing the chapter.
Title and Author in the header still name the story. (The markers are used by recognise/boiler.py.) The markers' wording varies between the
1990s and today ("THIS PROJECT GUTENBERG EBOOK", "ETEXT", "End of Project Gutenberg's …").
"""

from __future__ import annotations

import re

SOURCE = "Project Gutenberg"
START = re.compile(r"^\W*\*{3}\s*START\s+OF\s+(?:THE|THIS)\s+PROJECT\s+GUTENBERG\s+E-?(?:BOOK|TEXT)", re.I)
END = re.compile(
    r"^\W*(?:\*{3}\s*END\s+OF\s+(?:THE|THIS)\s+PROJECT\s+GUTENBERG\s+E-?(?:BOOK|TEXT)"
    r"|END\s+OF\s+(?:THE\s+)?PROJECT\s+GUTENBERG'?S?\s+E-?(?:BOOK|TEXT))",
    re.I,
)
# What follows the start marker and is still Gutenberg's: the producers' credit, pointers to
# the other editions. A transcriber's note about the text itself is the book's.
CREDIT = re.compile(r"\b(?:e-?text\s+)?(?:prepared|produced)\s+by\b|\bproject\s+gutenberg\b|gutenberg\.(?:org|net)|\bpgdp\b", re.I)
