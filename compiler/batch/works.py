"""Batch stage: the works a batch builds, found in a folder of works or read from a list file.

A work is what `anthology build` takes: a folder of stories, with its own anthology.toml, cover and
theme if it has them. A folder of works holds one such folder per book (hidden folders, and folders
without stories, are left out; story files lying loose beside them belong to no book and are
reported). A list file names one work folder per line, relative to the list's own folder; blank
lines and lines starting with # are skipped. Each work's books go to OUTPUT/<its folder's name>.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..confine import is_folder, is_regular_file, overlong
from ..diagnostics import Diagnostic, diagnostic, stop, stopping
from ..read import STORY_SUFFIXES


@dataclass(frozen=True)
class Work:
    name: str  # its folder's name: its books go to OUTPUT/name
    source: Path


def _stories(folder: Path) -> list[Path]:
    return [p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in STORY_SUFFIXES and not p.name.startswith(".")]


def find_works(given: Path, output: Path) -> tuple[list[Work], list[Diagnostic]]:
    """The works `given` (a folder of works or a list file) names, and what was left out. Raises
    BuildError when there is none, or when two would be written to one folder."""
    notes: list[Diagnostic] = []
    if is_regular_file(given):
        works = _listed(given)
    elif is_folder(given):
        works = []
        skip = output.resolve()
        for folder in sorted(p for p in given.iterdir() if p.is_dir() and not p.name.startswith(".")):
            if folder.resolve() == skip:
                continue
            if _stories(folder):
                works.append(Work(folder.name, folder))
            else:
                notes.append(diagnostic("B021", folder))
        loose = sorted(p.name for p in _stories(given))
        if loose:
            shown = ", ".join(loose[:5]) + (f" and {len(loose) - 5} more" if len(loose) > 5 else "")
            notes.append(diagnostic("B020", given, count=len(loose), folder=given, names=shown))
    else:
        raise stop("A010", given)
    if not works:
        raise stop("B002", given, folder=given)
    by_name: dict[str, list[Work]] = {}
    for work in works:
        by_name.setdefault(work.name, []).append(work)
    clashes = [diagnostic("B003", given, count=len(same), output=output / name, sources=", ".join(str(w.source) for w in same))
               for name, same in by_name.items() if len(same) > 1]
    if clashes:
        raise stopping(clashes)
    return works, notes


def _listed(listing: Path) -> list[Work]:
    try:
        lines = listing.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise stop("B004", listing, reason=getattr(exc, "strerror", None) or str(exc)) from None
    works = []
    for number, line in enumerate(lines, start=1):
        text = line.strip()
        if text and not text.startswith("#"):
            if problem := overlong(Path(text)):  # no folder can have it, nor its books' folder
                raise stop("B004", listing, number, reason=f"line {number}: {problem}")
            folder = (listing.parent / text).resolve() if not Path(text).is_absolute() else Path(text)
            works.append(Work(folder.name, folder))  # a missing folder fails as its own book (A010)
    return works
