"""Whether a built book is older than what it was built from: `deliver` (use it, or build) and
`check` (a missing word in a stale book is not a bug) ask the same question the same way.

A book is current when it was written after every file a build reads changed: the stories,
`anthology.toml` and the cover in the source folder, and every file of the theme (and the themes
it extends). Files' modification times say it: a build writes its books after reading them.
"""

from __future__ import annotations

from pathlib import Path


def inputs(source: Path, theme_name: str | None = None) -> list[Path]:
    """Everything a build reads: the source folder's files (stories, manifest, cover) and the theme's."""
    from .config import load_config
    from .render.theme import load_theme

    files = [p for p in source.iterdir() if p.is_file()] if source.is_dir() else []
    theme = load_theme(theme_name or load_config(source).theme, source)
    for folder in theme.folders:
        files += [p for p in folder.rglob("*") if p.is_file()]
    return files


def changed_since(book: Path, source: Path, theme_name: str | None = None) -> list[Path]:
    """The inputs changed after `book` was written, newest first (all of them if it is missing)."""
    found = inputs(source, theme_name)
    if not book.is_file():
        return found
    written = book.stat().st_mtime
    return sorted((p for p in found if p.stat().st_mtime > written), key=lambda p: p.stat().st_mtime, reverse=True)


def is_current(book: Path, source: Path, theme_name: str | None = None) -> bool:
    return book.is_file() and not changed_since(book, source, theme_name)
