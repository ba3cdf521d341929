"""`anthology watch`: rebuild whenever a story, the manifest or the theme changes.

watchfiles (a maintained, Rust-backed watcher) reports changes; several quick edits are batched
into one rebuild, and what editors write beside a file while saving it is no change. A failed build is reported and the previous book stays in place (outputs are
replaced atomically), so the watcher keeps running until interrupted.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from .diagnostics import BuildError

if TYPE_CHECKING:
    from watchfiles import Change

WATCHING = "waiting for changes (Ctrl-C to stop)"

# What editors write beside a file while it is edited or saved, which is no change to the book:
# vim (.story.txt.swp/.swo/.swx…, story.txt~, and "4913", its test of whether it may write the
# folder), emacs (#story.txt# while editing, .#story.txt a lock link), JetBrains' safe write
# (story.txt___jb_tmp___, ___jb_old___), Kate (.story.txt.kate-swp), Microsoft Office
# (~$story.docx), LibreOffice (.~lock.story.odt#), gedit (.goutputstream-XXXXXX) and the
# desktop's own files (.DS_Store, Thumbs.db, desktop.ini).
_TEMPORARY = re.compile(
    r"""(
        \.sw[a-p]$ | ~$ | ^4913$
      | ^\#.*\#$ | ^\.\#
      | ___jb_(tmp|old|bak)___$
      | \.kate-swp$
      | ^~\$ | ^\.~lock\..*\#$
      | ^\.goutputstream-
      | ^\.DS_Store$ | ^Thumbs\.db$ | ^desktop\.ini$
    )""",
    re.VERBOSE | re.IGNORECASE,
)


def is_temporary(name: str) -> bool:
    """Whether a file of this name is an editor's or the desktop's, not the user's."""
    return _TEMPORARY.search(name) is not None


def banner(source: Path, output: Path, theme_folders: list[Path]) -> list[str]:
    """What watch says before it begins: what it watches, where it writes, how to stop it."""
    themes = ", ".join(str(f) for f in theme_folders)
    return [
        f"watching {source.resolve()}: the stories, anthology.toml and the cover",
        f"  and the theme's files in {themes}" if themes else "",
        f"writing the books to {output.resolve()}; each change rebuilds them (editors' temporary files are ignored)",
        "press Ctrl-C to stop",
    ]


def _relevant(path: str, output: Path) -> bool:
    """A change that may change the book: not in the output folder (our own books and their
    temporary files), and not an editor's temporary file."""
    changed = Path(path)
    return not changed.resolve().is_relative_to(output.resolve()) and not is_temporary(changed.name)


def _changes(paths: list[Path], output: Path, ready: Callable[[], None]) -> Iterator[set[tuple[Change, str]]]:
    from watchfiles import watch

    said = False
    # Every quiet half second yields an empty batch: the first one means the watcher is in place,
    # which `ready` says.
    batches = watch(*paths, watch_filter=lambda _change, path: _relevant(path, output), debounce=400, step=100, rust_timeout=500, yield_on_timeout=True)
    for batch in batches:
        if not said:
            said = True
            ready()
        if batch:
            yield batch


def watch_and_build(
    source: Path,
    output: Path,
    build_once: Callable[[], list[str]],
    report: Callable[[str], None],
    theme_folders: list[Path],
    max_builds: int | None = None,
) -> int:
    """Build now, then after every change; returns how many builds ran (max_builds ends it early)."""
    builds = 0
    for line in banner(source, output, theme_folders):
        if line:
            report(line)

    def run() -> None:
        nonlocal builds
        builds += 1
        try:
            for line in build_once():
                report(line)
        except BuildError as exc:
            for diagnostic in exc.diagnostics:
                report(str(diagnostic))
            report("build failed; the previous book is unchanged. Waiting for changes…")

    run()
    if max_builds is not None and builds >= max_builds:
        return builds
    for batch in _changes([source, *theme_folders], output, lambda: report(WATCHING)):
        names = sorted({Path(path).name for _, path in batch})
        report(f"changed: {', '.join(names)}")
        run()
        if max_builds is not None and builds >= max_builds:
            break
    return builds
