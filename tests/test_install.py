"""Issue 6 (packaging): `pip install .` (not editable) carries the themes; the command works anywhere.

No network: the venv sees this interpreter's site-packages for the dependencies, and pip builds the
wheel with the setuptools already installed.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .helpers import ROOT, SEEDS


@pytest.mark.slow
def test_wheel_install_builds_the_seeds_from_another_directory(tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)], check=True)
    python = venv / "bin" / "python"
    # Copy the project so the install cannot lean on the source checkout's themes/ folder.
    project = tmp_path / "project"
    # Not node_modules: the reading-system tests' npm packages are no part of the package (and a
    # worktree links them from elsewhere, which copytree would follow).
    ignored = shutil.ignore_patterns(".git", "output", "bench", "*.egg-info", "__pycache__", ".pytest_cache", "node_modules")
    shutil.copytree(ROOT, project, ignore=ignored)
    install = subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation", "--no-index", str(project)],
        capture_output=True,
        text=True,
    )
    assert install.returncode == 0, install.stderr
    shutil.rmtree(project)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    shutil.copytree(SEEDS, elsewhere / "stories")
    run = subprocess.run(
        [str(venv / "bin" / "anthology"), "build", "stories", "-o", "book"], cwd=elsewhere, capture_output=True, text=True
    )
    assert run.returncode == 0, run.stderr
    assert (elsewhere / "book" / "anthology.epub").stat().st_size > 5000
    assert (elsewhere / "book" / "anthology.pdf").stat().st_size > 50000
    # The theme came from the installed package, not from a checkout.
    where = subprocess.run(
        [str(python), "-c", "from compiler.render.theme import builtin_themes_dir; print(builtin_themes_dir())"],
        cwd=elsewhere, capture_output=True, text=True, check=True,
    ).stdout.strip()
    assert where.startswith(str(venv)) and where.endswith("compiler/themes")
    module = subprocess.run([str(python), "-m", "compiler", "--version"], cwd=elsewhere, capture_output=True, text=True)
    assert module.returncode == 0 and module.stdout.startswith("anthology ")
