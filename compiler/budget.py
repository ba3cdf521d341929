"""How a build is asked to split the anthology into volumes: `--volumes N`, or the manifest's
`[volumes]` table (a count, or a budget of words or of pages a volume may hold). The command line
and the manifest share this one record, as they share Signatures. Standard library only, like
options.py; the split itself is compiler/volumes.py.
"""

from __future__ import annotations

from dataclasses import dataclass

# The manifest's `[volumes]` keys, each one way of saying how many volumes (give one).
VOLUME_KEYS = ("count", "words", "pages")


@dataclass(frozen=True)
class VolumeBudget:
    """None everywhere: one book, as without the option."""

    count: int | None = None  # this many volumes (fewer if there are fewer stories)
    words: int | None = None  # as few volumes as keep each within this many words
    pages: int | None = None  # as few volumes as keep each within this many pages (estimated)

    @property
    def given(self) -> bool:
        return any(value is not None for value in (self.count, self.words, self.pages))

    def over(self, other: VolumeBudget) -> VolumeBudget:
        """This budget if it says anything (the command line's), else `other` (the manifest's):
        a count given on the command line replaces the manifest's word budget, never mixes with it."""
        return self if self.given else other
