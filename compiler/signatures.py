"""What the signatures profile is asked to impose: the command line's choices and the manifest's
`[signatures]` table share this one record (options.py and config.py both hold one). Standard
library only, like options.py.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass


@dataclass(frozen=True)
class Signatures:
    """How the signatures profile imposes the book for a sewn binding. None: the manifest's
    `[signatures]` says, else the default (package/press/signatures.py checks the values)."""

    layout: str | None = None  # folio, quarto, octavo or sextodecimo (folio)
    sheets: int | None = None  # folded sheets nested in a signature (the layout's common count)
    duplex: bool | None = None  # both sides in one run (True), or every front, then every back
    flyleaves: int | None = None  # blank leaves before the first page and after the last (0)
    pages: str | None = None  # page ranges of the book, "1-48,97-" ("": all)
    marks: tuple[str, ...] | None = None  # any of cut, crop, sewing, order (sewing, order)
    paper: str | None = None  # letter, legal, tabloid, a4, a3 or WIDTHxHEIGHT (letter)

    def over(self, other: Signatures) -> Signatures:
        """These choices, with what they leave open taken from `other`."""
        return Signatures(**{f.name: getattr(other, f.name) if getattr(self, f.name) is None else getattr(self, f.name) for f in dataclasses.fields(self)})
