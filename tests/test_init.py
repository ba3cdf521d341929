"""Issue 6 (CLI): `anthology init` writes a manifest from what it recognised, which the build reads."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

from compiler.config import load_config

from .helpers import SEEDS


def test_init_writes_a_commented_manifest_the_build_accepts(tmp_path: Path) -> None:
    src = tmp_path / "my-stories"
    src.mkdir()
    for story in SEEDS.glob("*.txt"):
        shutil.copy2(story, src)
    run = subprocess.run([sys.executable, "-m", "compiler", "init", str(src)], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    text = (src / "anthology.toml").read_text(encoding="utf-8")
    data = tomllib.loads(text)
    assert data["title"] == "My Stories"
    assert data["stories"]["003_66649ebb0b25f766.txt"] == {"title": "Breaking Down", "author": "DancingPetal"}
    assert "guessed" in text  # the untitled story's title is marked as a guess
    assert "\n# identifier = " in text  # how to start a new book, said where the user looks
    config = load_config(src)  # the schema accepts every key
    assert config.order == ("000_a1435ebc971daef6.txt", "003_66649ebb0b25f766.txt")
    build = subprocess.run([sys.executable, "-m", "compiler", "build", str(src), "-o", str(tmp_path / "out"), "--format", "epub"], capture_output=True, text=True)
    assert build.returncode == 0, build.stderr
    assert "A101" not in build.stderr  # the title is now set in the manifest


def test_init_does_not_overwrite_without_force(tmp_path: Path) -> None:
    shutil.copy2(SEEDS / "003_66649ebb0b25f766.txt", tmp_path)
    (tmp_path / "anthology.toml").write_text('title = "Mine"\n', encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "compiler", "init", str(tmp_path)], capture_output=True, text=True)
    assert run.returncode == 2 and "--force" in run.stderr  # a usage error (issue 18)
    assert (tmp_path / "anthology.toml").read_text(encoding="utf-8") == 'title = "Mine"\n'
    run = subprocess.run([sys.executable, "-m", "compiler", "init", str(tmp_path), "--force"], capture_output=True, text=True)
    assert run.returncode == 0 and "Breaking Down" in (tmp_path / "anthology.toml").read_text(encoding="utf-8")
