"""Issue 18: a tool that never surprises — one default folder for every command, usage errors that
exit 2, manifest errors with their line and a "did you mean", a watcher that says what it does and
ignores editors' files, a preview written in the format its name asks for.

The commands run as a user runs them: in a subprocess, from the folder the user would be in.
PYTHONPATH names this checkout, so a run from another folder still runs this code.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from PIL import Image

from compiler.diagnostics import ExitCode
from compiler.folders import default_source
from compiler.watch import WATCHING, is_temporary

from .helpers import ROOT, SEEDS, epub_text

STORY = "A Title\n\nby Someone\n\nOnce there was a lamp.\n\nIt shone all night.\n"


def _anthology(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "compiler", *args], capture_output=True, text=True, cwd=cwd, env=env, timeout=600)


def _stories(tmp_path: Path, name: str = "my-stories") -> Path:
    folder = tmp_path / name
    folder.mkdir()
    for story in SEEDS.glob("*.txt"):
        shutil.copy2(story, folder)
    return folder


# -------------------------------------------------------------------------------- the default folder


@pytest.mark.slow
def test_the_quickstart_works_from_inside_a_stories_folder(tmp_path: Path) -> None:
    # README: cd my-stories && anthology init && anthology build (init wrote for ".", build read seeds/).
    stories = _stories(tmp_path)
    init = _anthology("init", cwd=stories)
    assert init.returncode == 0, init.stderr
    assert (stories / "anthology.toml").is_file()
    build = _anthology("build", cwd=stories)
    assert build.returncode == 0, build.stderr
    assert {p.name for p in (stories / "output").iterdir() if p.is_file()} == {"anthology.epub", "anthology.pdf"}
    assert "Breaking Down" in epub_text(stories / "output" / "anthology.epub")
    # The other commands read the same folder, and the book beside the stories is no story.
    check = _anthology("check", cwd=stories)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "words of 2 stories present" in check.stdout
    inspect = _anthology("inspect", cwd=stories)
    assert inspect.returncode == 0 and "Breaking Down" in inspect.stdout


def test_every_command_looks_in_the_current_folder(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    for command in (["build"], ["init"], ["inspect"], ["check"], ["themes", "preview", "modern"]):
        run = _anthology(*command, cwd=empty)
        said = run.stdout + run.stderr
        assert run.returncode in (ExitCode.INPUT,), (command, said)
        assert "Traceback" not in said and "seeds" not in said, (command, said)
    assert "error A011: no stories here" in _anthology("build", cwd=empty).stderr


def test_the_checkout_alone_defaults_to_its_sample_stories(tmp_path: Path) -> None:
    assert default_source(ROOT) == Path("seeds")  # its top holds the README and the code, not stories
    assert default_source(tmp_path) == Path(".")
    assert default_source(SEEDS) == Path(".")


def test_themes_preview_works_outside_the_checkout_and_writes_the_format_asked(tmp_path: Path) -> None:
    stories = _stories(tmp_path)
    run = _anthology("themes", "preview", "modern", "-o", "spread.jpg", cwd=stories)
    assert run.returncode == 0, run.stderr
    with Image.open(stories / "spread.jpg") as image:
        assert image.format == "JPEG"
    assert (stories / "spread.jpg").read_bytes()[:3] == b"\xff\xd8\xff"


def test_themes_preview_refuses_a_suffix_it_cannot_write(tmp_path: Path) -> None:
    run = _anthology("themes", "preview", "modern", "--source", str(SEEDS), "-o", str(tmp_path / "spread.xyz"))
    assert run.returncode == ExitCode.USAGE and "error U005" in run.stderr and ".png, .jpg" in run.stderr
    assert not (tmp_path / "spread.xyz").exists()


# ---------------------------------------------------------------------------------------- exit codes


def test_a_bad_trim_on_the_command_line_is_a_usage_error(tmp_path: Path) -> None:
    run = _anthology("build", str(SEEDS), "-o", str(tmp_path / "out"), "--trim", "5by8")
    assert run.returncode == ExitCode.USAGE, run.stderr
    assert "error U004: --trim: unknown trim size '5by8'" in run.stderr
    assert not (tmp_path / "out").exists()


def test_init_over_an_existing_manifest_is_a_usage_error_that_names_force(tmp_path: Path) -> None:
    stories = _stories(tmp_path)
    (stories / "anthology.toml").write_text('title = "Mine"\n', encoding="utf-8")
    run = _anthology("init", cwd=stories)
    assert run.returncode == ExitCode.USAGE and "--force" in run.stderr
    assert (stories / "anthology.toml").read_text(encoding="utf-8") == 'title = "Mine"\n'


def test_a_misspelt_theme_gets_did_you_mean(tmp_path: Path) -> None:
    run = _anthology("build", str(SEEDS), "-o", str(tmp_path / "out"), "--theme", "modrn")
    assert run.returncode == ExitCode.THEME
    assert "no theme called 'modrn' (did you mean \"modern\"?)" in run.stderr


# ------------------------------------------------------------------------- anthology.toml, by line


def _manifest_errors(tmp_path: Path, manifest: str) -> str:
    src = tmp_path / "stories"
    src.mkdir(parents=True)
    (src / "lamp.txt").write_text(STORY, encoding="utf-8")
    (src / "anthology.toml").write_text(manifest, encoding="utf-8")
    run = _anthology("build", str(src), "-o", str(tmp_path / "out"))
    assert run.returncode == ExitCode.CONFIG and "Traceback" not in run.stderr
    return run.stderr


def test_a_theme_folder_written_as_dot_slash_is_found_from_the_default_folder(tmp_path: Path) -> None:
    # `cd my-stories && anthology build` with `theme = "./mine"`: the stories folder is ".", and
    # Path(".") / "./mine" is the bare name "mine", which meant a built-in theme and failed (T001).
    stories = _stories(tmp_path)
    (stories / "anthology.toml").write_text('theme = "./mine"\n', encoding="utf-8")
    shutil.copytree(ROOT / "themes" / "modern", stories / "mine")
    done = _anthology("build", "-o", str(tmp_path / "out"), "--format", "epub", cwd=stories)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "out" / "anthology.epub").is_file()

def test_a_toml_syntax_error_names_its_line(tmp_path: Path) -> None:
    err = _manifest_errors(tmp_path, 'title = "Lamps"\neditor = Me\nsubjects = ["a"]\n')
    assert "anthology.toml:2: error C000: not valid TOML" in err
    err = _manifest_errors(tmp_path / "again", 'title = "Lamps"\nsubjects = ["a", "b"\n')
    assert "anthology.toml:2: error C000: not valid TOML: Unclosed array" in err  # at the end: its last line


def test_schema_errors_name_the_line_of_their_key(tmp_path: Path) -> None:
    manifest = (
        '# Lamps\n'
        'title = "Lamps"\n'
        'editr = "Me"\n'
        '\n'
        'order = [\n'
        '  "lamp.txt",\n'
        '  "lmap.txt",\n'
        ']\n'
        '\n'
        '[stories."lamp.txt"]\n'
        'titel = "The Lamp"\n'
        'scene_breaks = "markd"\n'
        '\n'
        '[stories."lamp.tx"]\n'
        'title = "Another"\n'
    )
    err = _manifest_errors(tmp_path, manifest)
    assert 'anthology.toml:3: error C001: unknown key editr; did you mean "editor"?' in err
    assert 'anthology.toml:7: error C003: no story file "lmap.txt"' in err and 'did you mean "lamp.txt"?' in err
    assert 'anthology.toml:11: error C001: unknown key stories."lamp.txt".titel; did you mean "title"?' in err
    assert 'anthology.toml:12: error C007' in err and 'did you mean "marked"?' in err
    # A misspelt story file name in a table header: its line, and the file it most likely means.
    assert 'anthology.toml:14: error C003: no story file "lamp.tx"' in err
    assert err.count("did you mean \"lamp.txt\"?") == 2


# --------------------------------------------------------------------------------------------- watch


def test_editors_temporary_files_are_no_change() -> None:
    for name in (".story.txt.swp", ".story.txt.swo", "story.txt~", "4913", "#story.txt#", ".#story.txt", "story.txt___jb_tmp___",
                 "story.txt___jb_old___", ".story.txt.kate-swp", "~$story.docx", ".~lock.story.odt#", ".goutputstream-Q1W2E3"):
        assert is_temporary(name), name
    for name in ("story.txt", "anthology.toml", "cover.jpg", "swap.txt", "my~story.txt", "#1 fan.txt"):
        assert not is_temporary(name), name


def test_watch_says_what_it_watches_and_ignores_editors_files(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    story = src / "story.txt"
    story.write_text("Night Watch\n\nby Someone\n\nThe first version of the tale.\n", encoding="utf-8")
    out = tmp_path / "out"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    process = subprocess.Popen(
        [sys.executable, "-m", "compiler", "watch", str(src), "-o", str(out), "--format", "epub", "--max-builds", "2"],
        stderr=subprocess.PIPE, text=True, env=env,
    )
    deadline = threading.Timer(120, process.kill)  # a deadline, not a wait: a hung watcher is killed
    deadline.start()
    try:
        assert process.stderr is not None
        seen: list[str] = []
        for line in process.stderr:
            seen.append(line)
            if WATCHING in line:
                break
        banner = "".join(seen)
        assert f"watching {src.resolve()}" in banner and f"writing the books to {out.resolve()}" in banner
        assert "Ctrl-C to stop" in banner
        # An editor saving the story: its swap, backup and lock files come first. Were any of them
        # taken for a change, the second (and last) build would run without the story's new text.
        for name in (".story.txt.swp", "story.txt~", "#story.txt#", "story.txt___jb_tmp___", ".story.txt.kate-swp", "~$story.txt"):
            (src / name).write_text("scratch", encoding="utf-8")
        story.write_text("Night Watch\n\nby Someone\n\nThe second version, with a lighthouse.\n", encoding="utf-8")
        seen.append(process.stderr.read())
        process.wait()
    finally:
        deadline.cancel()
        if process.poll() is None:
            process.kill()
    err = "".join(seen)
    assert process.returncode == 0, err
    changed = [line for line in err.splitlines() if line.startswith("changed:")]
    assert changed == ["changed: story.txt"], err
    assert "lighthouse" in epub_text(out / "anthology.epub")
