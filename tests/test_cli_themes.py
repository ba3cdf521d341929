"""Issue 6 (CLI): `anthology themes` lists the themes; `themes preview` draws a spread to PNG."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from PIL import Image

from .helpers import SEEDS


def _anthology(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "compiler", *args], capture_output=True, text=True, cwd=cwd)


def test_themes_lists_every_builtin_theme_with_its_description() -> None:
    run = _anthology("themes")
    assert run.returncode == 0, run.stderr
    names = [line.split()[0] for line in run.stdout.splitlines()]
    assert names == ["classic", "large-print", "modern"]
    assert "extends classic" in run.stdout and "EB Garamond" in run.stdout


def test_themes_preview_writes_a_two_page_spread(tmp_path: Path) -> None:
    out = tmp_path / "spread.png"
    run = _anthology("themes", "preview", "large-print", "--source", str(SEEDS), "-o", str(out))
    assert run.returncode == 0, run.stderr
    with Image.open(out) as image:
        width, height = image.size
        # two 7 x 10 in pages side by side
        assert 1.35 < width / height < 1.45
        # not blank: plenty of dark pixels (text) on both halves
        gray = image.convert("L")
        for box in ((0, 0, width // 2, height), (width // 2, 0, width, height)):
            dark = gray.crop(box).point(lambda v: 255 if v < 128 else 0).histogram()[255]
            assert dark > 2000


def test_themes_preview_of_an_unknown_theme_fails_cleanly(tmp_path: Path) -> None:
    run = _anthology("themes", "preview", "nosuch", "-o", str(tmp_path / "x.png"))
    assert run.returncode == 5 and "classic" in run.stderr and "Traceback" not in run.stderr
    assert not (tmp_path / "x.png").exists()
