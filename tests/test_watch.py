"""Issue 6 (CLI): `anthology watch` builds, then rebuilds when a story changes."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

from compiler.watch import WATCHING

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
    # A deadline, not a wait: a watcher that hangs is killed, which ends the reads below.
    deadline = threading.Timer(120, process.kill)
    deadline.start()
    try:
        assert process.stderr is not None
        seen: list[str] = []
        for line in process.stderr:  # the watcher says when it is in place, after the first build
            seen.append(line)
            if WATCHING in line:
                break
        assert any(WATCHING in line for line in seen), "".join(seen)
        assert "first version" in epub_text(out / "anthology.epub")
        story.write_text("Night Watch\n\nby Someone\n\nThe second version, with a lighthouse.\n", encoding="utf-8")
        seen.append(process.stderr.read())
        process.wait()
    finally:
        deadline.cancel()
        if process.poll() is None:
            process.kill()
    err = "".join(seen)
    assert process.returncode == 0, err
    assert "changed: story.txt" in err
    assert "lighthouse" in epub_text(out / "anthology.epub")
