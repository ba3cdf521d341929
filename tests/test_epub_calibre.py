"""Issue 4: calibre (Debian's package) converts the EPUB to AZW3 and reads its metadata back.

calibre is lenient — a broken EPUB still converts — so this is a smoke test for Kindle readers, not a
validator: what it pins is that the conversion is clean (no warning or error in calibre's log), that
calibre takes our cover page as the cover, and that title, subjects, language, description and the
cover image survive into the AZW3. A missing calibre fails the test: `tests/run.sh` installs it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from compiler.build import BuildResult

pytestmark = pytest.mark.external

# Headless Qt; calibre's WebEngine refuses to run as root without --no-sandbox.
ENV = dict(os.environ, QT_QPA_PLATFORM="offscreen", QTWEBENGINE_CHROMIUM_FLAGS="--no-sandbox")


def _calibre(*args: str) -> subprocess.CompletedProcess[str]:
    assert shutil.which(args[0]), f"{args[0]} is missing: run `bash tests/run.sh` (apt-get install calibre)"
    return subprocess.run(list(args), capture_output=True, text=True, env=ENV, timeout=300)


def _metadata(listing: str) -> dict[str, str]:
    fields = {}
    for line in listing.splitlines():
        key, sep, value = line.partition(":")
        if sep:
            fields[key.strip()] = value.strip()
    return fields


def test_calibre_converts_the_seeds_to_azw3_cleanly_and_keeps_the_metadata(seeds_build: BuildResult, tmp_path: Path) -> None:
    epub = next(p for p in seeds_build.outputs if p.suffix == ".epub")
    azw3 = tmp_path / "anthology.azw3"
    run = _calibre("ebook-convert", str(epub), str(azw3))
    log = run.stdout + run.stderr
    assert run.returncode == 0, log
    assert [line for line in log.splitlines() if "warning" in line.lower() or "error" in line.lower()] == []
    assert "Found HTML cover EPUB/cover.xhtml" in log  # our cover page, not the title page, is the cover

    meta = _metadata(_calibre("ebook-meta", str(azw3), "--get-cover", str(tmp_path / "cover.jpg")).stdout)
    assert meta["Title"] == "Broken and Mended"
    assert meta["Tags"] == "Naruto (fan fiction)"
    assert meta["Languages"] == "eng"
    assert all(s.title in meta["Comments"] for s in seeds_build.anthology.stories)
    assert (tmp_path / "cover.jpg").stat().st_size > 10_000

    # And calibre reads the same from the EPUB itself.
    source = _metadata(_calibre("ebook-meta", str(epub)).stdout)
    assert {k: source[k] for k in ("Title", "Tags", "Languages")} == {k: meta[k] for k in ("Title", "Tags", "Languages")}
