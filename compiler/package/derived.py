"""Package stage: the formats made from the packaged EPUB — KEPUB for Kobo, AZW3 for Kindle.

Both start from the EPUB's bytes, after the nothing-lost check has passed on the EPUB, so they are
made from a book known to be whole; the EPUB is therefore always packaged (and written) with them.
"""

from __future__ import annotations

from pathlib import Path

from ..model import BookMeta

DERIVED = ("azw3", "kepub")


def with_source(formats: tuple[str, ...]) -> tuple[str, ...]:
    """The formats to build: the EPUB joins any format made from it. A missing converter is said
    here, before any work is done and before anything is written."""
    if not any(f in DERIVED for f in formats):
        return formats
    if "azw3" in formats:
        from .epub.azw3 import require_calibre

        require_calibre()
    return tuple(dict.fromkeys(("epub", *formats)))


def derive(epub: bytes, formats: tuple[str, ...], output: Path, meta: BookMeta) -> dict[Path, bytes]:
    books: dict[Path, bytes] = {}
    if "kepub" in formats:
        from .epub.kepub import KEPUB_NAME, to_kepub

        books[output / KEPUB_NAME] = to_kepub(epub)  # checked against the EPUB by the build (check.lost_in_conversion)
    if "azw3" in formats:
        from .epub.azw3 import AZW3_NAME, to_azw3

        books[output / AZW3_NAME] = to_azw3(epub, meta)
    return books
