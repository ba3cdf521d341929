"""The fuzz targets, run as `python -m tests.fuzz.targets TARGET [libFuzzer flags] [CORPUS…]`
(the runner, runner.py, starts one process per target; a crash file given instead of a corpus
replays that one input).

The rule each target checks: the readers turn any bytes into a story, the loaders any bytes into a
manifest or a theme, or they raise `BuildError` — a diagnostic with a code, which the command line
prints without a traceback. Any other exception escapes to atheris, which reports it as a crash."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import atheris  # type: ignore[import-untyped]

# Instrument only the project: the libraries under it (markdown-it, lxml, tomllib) are guided by
# the branches of ours they lead to; instrumenting them too costs speed for coverage we cannot fix.
with atheris.instrument_imports(include=["compiler"]):
    from compiler.config import MANIFEST, Config, load_config
    from compiler.diagnostics import BuildError
    from compiler.model import Story
    from compiler.read import read_story, read_works
    from compiler.render.theme import Theme, load_theme

from .seeds import EPUB_PAGE, ROOT, SUFFIXES, epub_book

# Inside the runner's work folder when it started us: libFuzzer ends the process with _exit, so
# the `finally` below does not run and only the runner's own clean-up removes this.
_WORK = Path(tempfile.mkdtemp(prefix="target-", dir=os.environ.get("ANTHOLOGY_FUZZ_WORK")))


def readers(data: bytes) -> None:
    """Bytes → Story through `read_story`, the entry the build uses; the first byte picks the format."""
    if not data:
        return
    path = _WORK / f"story{SUFFIXES[data[0] % len(SUFFIXES)]}"
    path.write_bytes(data[1:])
    try:
        result = read_story(path, None)
    except BuildError:
        return
    assert isinstance(result.story, Story), f"read_story gave {type(result.story).__name__}, not a Story"


def epub(data: bytes) -> None:
    """An EPUB → its works, through `read_works`. The first byte says what the rest is: the chapter
    of a fixed book (0), its package document (1), so zip's own checks do not stop the mutations;
    or the whole file (2): the zip itself, its names, sizes and compression."""
    if not data:
        return
    path = _WORK / "book.epub"
    mode, rest = data[0] % 3, data[1:]
    path.write_bytes(epub_book(rest) if mode == 0 else epub_book(EPUB_PAGE, rest) if mode == 1 else rest)
    try:
        results = read_works(path, None)
    except BuildError:
        return
    for result in results:
        assert isinstance(result.story, Story), f"read_works gave {type(result.story).__name__}, not a Story"


def manifest(data: bytes) -> None:
    """anthology.toml bytes → Config, through `load_config` of a folder that holds them."""
    (_WORK / MANIFEST).write_bytes(data)
    try:
        config = load_config(_WORK)
    except BuildError:
        return
    assert isinstance(config, Config), f"load_config gave {type(config).__name__}, not a Config"


def theme(data: bytes) -> None:
    """theme.toml bytes → Theme, in a copy of the classic theme's folder (its templates and styles)."""
    folder = _WORK / "theme"
    if not folder.exists():
        shutil.copytree(ROOT / "themes" / "classic", folder)
    (folder / "theme.toml").write_bytes(data)
    try:
        loaded = load_theme(str(folder), _WORK)
    except BuildError:
        return
    assert isinstance(loaded, Theme), f"load_theme gave {type(loaded).__name__}, not a Theme"


TARGETS: dict[str, Callable[[bytes], None]] = {"readers": readers, "epub": epub, "manifest": manifest, "theme": theme}


def main() -> None:
    name = sys.argv[1]
    target = TARGETS[name]
    try:
        atheris.Setup([sys.argv[0]] + sys.argv[2:], target)
        atheris.Fuzz()
    finally:
        shutil.rmtree(_WORK, ignore_errors=True)


if __name__ == "__main__":
    main()
