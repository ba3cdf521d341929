"""Issue 6 (CLI): `anthology watch` builds, then rebuilds when a story changes."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from .helpers import epub_text


def test_watch_rebuilds_after_a_story_changes(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    story = src / "story.txt"
    story.write_text("Night Watch\n\nby Someone\n\nThe first version of the tale.\n", encoding="utf-8")
    out = tmp_path / "out"
    process = subprocess.Popen(
        [sys.executable, "-m", "compiler", "watch", str(src), "-o", str(out), "--format", "epub", "--max-builds", "2"],
        stderr=subprocess.PIPE, text=True,
    )
    try:
        book = out / "anthology.epub"
        deadline = time.monotonic() + 60
        while not book.exists() and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.2)
        assert book.exists(), "no first build"
        assert "first version" in epub_text(book)
        time.sleep(1)  # let the watcher settle before the edit
        story.write_text("Night Watch\n\nby Someone\n\nThe second version, with a lighthouse.\n", encoding="utf-8")
        _, err = process.communicate(timeout=90)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, err
    assert "changed: story.txt" in err
    assert "lighthouse" in epub_text(out / "anthology.epub")
