"""Issue 17: names the system cannot hold. A file name past 255 bytes (NAME_MAX) is no file, but
pathlib's own questions (`is_file`, `is_dir`) raise for it rather than answer "no": in a manifest's
`order` it ended the build as an internal error (the fuzzer found it), and so did a stories folder,
an output folder or a theme named that way on the command line. Each is now a clear error.

The commands run as a user runs them, in a subprocess from the folder the user would be in."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from compiler.diagnostics import ExitCode

from .helpers import ROOT

LONG = "x" * 300  # bytes: past every Linux file system's 255
STORY = "A Title\n\nby Someone\n\nOnce there was a lamp.\n\nIt shone all night.\n"


def _anthology(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "compiler", *args], capture_output=True, text=True, cwd=cwd, env=env, timeout=300)


def _folder(tmp_path: Path, manifest: str = "") -> Path:
    folder = tmp_path / "stories"
    folder.mkdir()
    (folder / "lamp.txt").write_text(STORY, encoding="utf-8")
    if manifest:
        (folder / "anthology.toml").write_text(manifest, encoding="utf-8")
    return folder


def _clear_error(done: subprocess.CompletedProcess[str]) -> str:
    """The run's error output, once it is shown to be a diagnostic, not a crash."""
    assert done.returncode not in (0, ExitCode.INTERNAL), done.stderr
    assert "internal error" not in done.stderr and "Traceback" not in done.stderr, done.stderr
    return done.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["build", LONG],
        ["build", ".", "-o", f"{LONG}/book"],
        ["inspect", LONG],
        ["check", LONG],
        ["init", f"{LONG}/new"],
        ["deliver", "-s", LONG],
        ["batch", LONG],
        ["batch", ".", "--report", f"{LONG}/report.json"],
        ["themes", "preview", "classic", "--source", LONG],
    ],
    ids=lambda args: " ".join(a if len(a) < 40 else "LONG" for a in args),
)
def test_a_path_on_the_command_line_past_the_systems_limit_is_a_usage_error(tmp_path: Path, args: list[str]) -> None:
    stories = _folder(tmp_path)
    done = _anthology(*args, cwd=stories)
    assert done.returncode == 2, done.stderr
    assert "is 300 bytes long; names on this system hold at most 255" in _clear_error(done)


@pytest.mark.parametrize(
    ("manifest", "code"),
    [
        (f'order = ["lamp.txt", "{LONG}.txt"]\n', "C003"),
        (f'[stories."{LONG}.txt"]\ntitle = "x"\n', "C003"),
        (f'theme = "{LONG}"\n', "T001"),
        (f'theme = "./{LONG}"\n', "T001"),
        (f'theme = "./{LONG}/inner"\n', "T001"),
    ],
    ids=["order", "stories table", "theme name", "theme folder", "folder inside it"],
)
def test_a_name_in_the_manifest_past_the_systems_limit_is_a_diagnostic(tmp_path: Path, manifest: str, code: str) -> None:
    stories = _folder(tmp_path, manifest)
    done = _anthology("build", ".", "-o", str(tmp_path / "out"), "--format", "epub", cwd=stories)
    assert f"error {code}:" in _clear_error(done)
    assert not (tmp_path / "out" / "anthology.epub").exists()


def test_a_theme_naming_a_parent_or_template_past_the_limit_is_a_diagnostic(tmp_path: Path) -> None:
    stories = _folder(tmp_path, 'theme = "./mine"\n')
    theme = stories / "mine"
    shutil.copytree(ROOT / "themes" / "classic", theme)
    chapter = theme / "templates" / "chapter.xhtml"
    original = chapter.read_text(encoding="utf-8")
    chapter.write_text(f'{{% include "{LONG}.html" %}}\n' + original, encoding="utf-8")
    included = _anthology("build", "-o", str(tmp_path / "out"), "--format", "epub", cwd=stories)
    assert "error T002:" in _clear_error(included)
    chapter.write_text(original, encoding="utf-8")
    toml = theme / "theme.toml"
    toml.write_text(f'extends = "./{LONG}"\n' + toml.read_text(encoding="utf-8"), encoding="utf-8")
    extended = _anthology("build", "-o", str(tmp_path / "out"), "--format", "epub", cwd=stories)
    assert "error T001:" in _clear_error(extended)


def test_a_list_of_works_naming_a_folder_past_the_limit_names_the_line(tmp_path: Path) -> None:
    works = tmp_path / "works"
    shutil.copytree(_folder(tmp_path), works / "one")
    (works / "list.txt").write_text(f"one\n{LONG}\n", encoding="utf-8")
    done = _anthology("batch", "list.txt", "-o", str(tmp_path / "out"), cwd=works)
    assert "list.txt:2: error B004:" in _clear_error(done)

