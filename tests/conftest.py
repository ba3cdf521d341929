from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from compiler.build import BuildResult, build

from .helpers import SEEDS


@pytest.fixture(scope="session")
def seeds_build(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    """The seeds, built once for the whole session with the shipped anthology.toml."""
    out = tmp_path_factory.mktemp("seeds-out")
    return build(SEEDS, out)


@pytest.fixture(scope="session")
def bare_seeds_build(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    """The two seed stories alone, without an anthology.toml."""
    src = tmp_path_factory.mktemp("bare-seeds")
    for story in SEEDS.glob("*.txt"):
        shutil.copy2(story, src / story.name)
    return build(src, tmp_path_factory.mktemp("bare-out"))


def write_story(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path
