"""Limits checked before any layout, so a pathological input is refused up front with a clear
message instead of exhausting memory or time in weasyprint (which holds the whole book in memory).

The numbers are generous for real stories: the longest novel chapters run to tens of thousands of
characters per paragraph at worst, and the largest corpus file here is under 1 MB.
"""

from __future__ import annotations

from pathlib import Path

from .diagnostics import Diagnostic, ExitCode, Severity, fail
from .model import Anthology, AuthorNote, Paragraph, plain_text

MAX_FILE_BYTES = 32 * 1024 * 1024
MAX_TOTAL_BYTES = 96 * 1024 * 1024
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
                f"this file is {size / 2**20:.0f} MB, over the {MAX_FILE_BYTES // 2**20} MB a story may be; split it into several files",
                path,
            )
    if total > MAX_TOTAL_BYTES:
        raise fail(
            ExitCode.INPUT,
            "L002",
            f"the stories add up to {total / 2**20:.0f} MB, over {MAX_TOTAL_BYTES // 2**20} MB; build them as several anthologies",
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
