"""`anthology watch`: rebuild whenever a story, the manifest or the theme changes.

watchfiles (a maintained, Rust-backed watcher) reports changes; several quick edits are batched
into one rebuild. A failed build is reported and the previous book stays in place (outputs are
replaced atomically), so the watcher keeps running until interrupted.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from .diagnostics import BuildError

if TYPE_CHECKING:
    from watchfiles import Change

WATCHING = "watching for changes (Ctrl-C to stop)"


def _changes(paths: list[Path], output: Path, ready: Callable[[], None]) -> Iterator[set[tuple[Change, str]]]:
    from watchfiles import watch

    out = str(output.resolve())
    said = False
    # Our own outputs (and their temporary files) must not trigger a rebuild. Every quiet half
    # second yields an empty batch: the first one means the watcher is in place, which `ready` says.
    batches = watch(*paths, watch_filter=lambda _change, path: not path.startswith(out), debounce=400, step=100, rust_timeout=500, yield_on_timeout=True)
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
