"""Limits checked before any layout, so a pathological input is refused up front with a clear
message instead of exhausting memory or time in weasyprint (which holds the whole book in memory).

The sizes are what a build meets within about 1 GB on a 2-core machine (measured, README "Limits"):
a story is laid out as one piece, so its pages are held at once — one story of 4 MB made 2,049 pages
in 104 s with 1,008 MB at the peak; many stories are laid out in chunks, so the whole book may be
larger — 16 stories of 1 MB made 8,223 pages in 311 s with 859 MB. A 31 MB story used to run for
minutes and past 1 GB; it is now refused at once. A novel is 1–2 MB; War and Peace is 3.2 MB.
"""

from __future__ import annotations

from pathlib import Path

from .diagnostics import Diagnostic, ExitCode, Severity, fail
from .model import Anthology, AuthorNote, Paragraph, plain_text

MAX_FILE_BYTES = 4 * 1024 * 1024
MAX_TOTAL_BYTES = 16 * 1024 * 1024
MAX_PARAGRAPH_CHARS = 200_000


def check_sizes(paths: list[Path]) -> int:
    """The stories' total size in bytes, once each file and the whole are within the limits."""
    total = 0
    for path in paths:
        size = path.stat().st_size
        total += size
        if size > MAX_FILE_BYTES:
            raise fail(
                ExitCode.INPUT,
                "L001",
                f"this file is {size / 2**20:.1f} MB, over the {MAX_FILE_BYTES // 2**20} MB a story may be; split it into several files, one per part",
                path,
            )
    if total > MAX_TOTAL_BYTES:
        raise fail(
            ExitCode.INPUT,
            "L002",
            f"the stories add up to {total / 2**20:.1f} MB, over {MAX_TOTAL_BYTES // 2**20} MB; build them as several anthologies",
            paths[0].parent,
        )
    return total


def check_paragraphs(anthology: Anthology) -> None:
    errors: list[Diagnostic] = []
    for story in anthology.stories:
        notes: tuple[AuthorNote, ...] = story.notes_before + story.notes_after
        blocks = list(story.body) + [b for n in notes for b in n.blocks]
        for block in blocks:
            if isinstance(block, Paragraph):
                length = len(plain_text(block.children))
                if length > MAX_PARAGRAPH_CHARS:
                    errors.append(
                        Diagnostic(
                            "L003",
                            Severity.ERROR,
                            f"a paragraph of {length:,} characters (over {MAX_PARAGRAPH_CHARS:,}) cannot be laid out as one; "
                            "add blank lines between its paragraphs",
                            story.source.path,
                            block.line,
                        )
                    )
    if errors:
        from .diagnostics import BuildError

        raise BuildError(ExitCode.INPUT, errors)
