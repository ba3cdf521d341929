"""The incremental rebuild (issue 8): build a corpus, edit one story, build again into the same
folder; compare its time with a clean build of the edited corpus, and its book with that build's.

The rebuild finds the layout of every unchanged chunk of stories in OUT/.anthology-cache/ and lays
out only the edited story's chunk (and what its page numbers touch: folios, notes, contents); the
clean build has no cache, as every timed full build in run.py.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Callable

import corpus
import measure

EDIT = " She paused, and the moment passed."


def edit_one_story(folder: Path) -> Path:
    """Append a sentence to the longest paragraph of the middle story: a real edit, no structure changed."""
    stories = sorted(folder.glob("*.txt"))
    story = stories[len(stories) // 2]
    lines = story.read_text(encoding="utf-8").split("\n")
    longest = max(range(len(lines)), key=lambda i: len(lines[i]))
    lines[longest] += EDIT
    story.write_text("\n".join(lines), encoding="utf-8")
    return story


def measure_incremental(
    c: corpus.Corpus, fmt: str, work: Path, command: Callable[[Path, Path, str], list[str]], env: dict[str, str]
) -> dict:
    """`command(source, out, fmt)` is anthology's build command line; `fmt` may name both books."""
    name = f"{c.scale}x-{fmt.replace(',', '-')}"
    base = work / "incremental" / name
    shutil.rmtree(base, ignore_errors=True)
    source = base / "corpus"
    shutil.copytree(c.folder, source)
    warm, clean = base / "out", base / "clean"
    warm.mkdir(parents=True)
    clean.mkdir()
    logs = work / "logs"
    first = measure.run(command(source, warm, fmt), logs / f"incremental-{name}-first.log", env=env, cwd=work)
    edited = edit_one_story(source)
    rebuild = measure.run(command(source, warm, fmt), logs / f"incremental-{name}-rebuild.log", env=env, cwd=work)
    full = measure.run(command(source, clean, fmt), logs / f"incremental-{name}-clean.log", env=env, cwd=work)
    books = [f"anthology.{f}" for f in fmt.split(",")]  # "epub,pdf": the default build, both books
    ok = first.returncode == rebuild.returncode == full.returncode == 0
    identical = ok and all((warm / book).read_bytes() == (clean / book).read_bytes() for book in books)
    return {
        "scale": c.scale, "format": fmt, "edited": edited.name,
        "rebuild_seconds": round(rebuild.seconds, 3), "clean_seconds": round(full.seconds, 3),
        "share": round(rebuild.seconds / full.seconds, 3) if ok else None,
        "identical": identical, "failed": 0 if ok else 1,
    }
