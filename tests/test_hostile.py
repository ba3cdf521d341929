"""Issue 17, part A (hostile input): a theme runs no code, no outside file reaches the book, and
every bad theme, manifest, cover or name stops the build with a diagnostic that names the file and
says what to do, never a traceback or exit 70. Each test pins one case of the issue's catalogue and
fails without its fix. The layout cache, the all-or-nothing write and the limits are in
test_hostile_output.py."""

from __future__ import annotations

import os
import struct
import subprocess
import sys
import zipfile
import zlib
from pathlib import Path

import pytest

from compiler.diagnostics import ExitCode
from compiler.options import BuildOptions, cores
from compiler.render.theme import load_theme

from .helpers import ROOT

STORY = "A Title\n\nby Someone\n\nOnce there was a lamp.\n\nIt shone all night.\n"


def _build(src: Path, out: Path, *extra: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    # From another directory, `python -m compiler` must still find this checkout's compiler.
    return subprocess.run(
        [sys.executable, "-m", "compiler", "build", str(src), "-o", str(out), *extra],
        capture_output=True, text=True, cwd=cwd or ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=120,
    )


def _stops(run: subprocess.CompletedProcess[str], code: ExitCode, *needles: str) -> None:
    assert run.returncode == code, (run.returncode, run.stderr)
    assert "Traceback" not in run.stderr and "internal error" not in run.stderr, run.stderr
    for needle in needles:
        assert needle in run.stderr, run.stderr


@pytest.fixture
def src(tmp_path: Path) -> Path:
    folder = tmp_path / "stories"
    folder.mkdir()
    (folder / "story.txt").write_text(STORY, encoding="utf-8")
    return folder


def _theme(tmp_path: Path, toml: str = 'extends = "classic"\n', name: str = "mytheme") -> Path:
    folder = tmp_path / name
    (folder / "templates").mkdir(parents=True)
    (folder / "theme.toml").write_text(toml, encoding="utf-8")
    return folder


def _classic_template(name: str) -> str:
    return load_theme("classic").find(f"templates/{name}").read_text(encoding="utf-8")


# ------------------------------------------------------------------------ 1. a theme runs no code


def test_a_theme_template_cannot_reach_python_and_run_a_command(src: Path, tmp_path: Path) -> None:
    theme = _theme(tmp_path)
    marker = tmp_path / "ran"
    page = _classic_template("titlepage.xhtml").replace(
        "{{ book.title }}", f"{{{{ cycler.__init__.__globals__.os.popen('touch {marker}; id').read() }}}}", 1
    )
    assert page != _classic_template("titlepage.xhtml")
    (theme / "templates" / "titlepage.xhtml").write_text(page, encoding="utf-8")
    run = _build(src, tmp_path / "out", "--format", "epub", "--theme", str(theme))
    _stops(run, ExitCode.THEME, "T011", "titlepage.xhtml", "unsafe")
    assert f"{theme / 'templates' / 'titlepage.xhtml'}:" in run.stderr  # the template and its line
    assert not marker.exists()  # the command never ran
    assert not (tmp_path / "out").exists()


def test_a_template_cannot_make_gigabytes_by_multiplying(src: Path, tmp_path: Path) -> None:
    theme = _theme(tmp_path)
    page = _classic_template("titlepage.xhtml").replace("{{ book.title }}", "{{ book.title * 1000000000 }}", 1)
    (theme / "templates" / "titlepage.xhtml").write_text(page, encoding="utf-8")
    _stops(_build(src, tmp_path / "out", "--format", "epub", "--theme", str(theme)), ExitCode.THEME, "T011", "multiplying")


def test_a_folder_named_like_a_builtin_theme_in_the_current_directory_is_not_that_theme(src: Path, tmp_path: Path) -> None:
    here = tmp_path / "cwd"
    (here / "classic").mkdir(parents=True)  # empty: it used to replace classic and make every build exit 70
    run = _build(src, tmp_path / "out", "--format", "epub", cwd=here)
    assert run.returncode == 0, run.stderr
    # A full theme folder of that name is not taken either: only a path names a folder.
    (here / "classic" / "theme.toml").write_text('extends = "classic"\n[labels]\ncontents = "Hijacked"\n', encoding="utf-8")
    run = _build(src, tmp_path / "out2", "--format", "epub", cwd=here)
    assert run.returncode == 0, run.stderr
    with zipfile.ZipFile(tmp_path / "out2" / "anthology.epub") as book:
        assert b"Hijacked" not in book.read("EPUB/contents.xhtml")


def test_a_bare_name_never_means_a_folder_and_the_error_says_how_to_name_one(src: Path, tmp_path: Path) -> None:
    here = tmp_path / "cwd"
    _theme(here, name="mine")
    run = _build(src, tmp_path / "out", "--format", "epub", "--theme", "mine", cwd=here)
    _stops(run, ExitCode.THEME, "T001", "no theme called 'mine'", "write it as a path: ./mine")
    assert _build(src, tmp_path / "out", "--format", "epub", "--theme", "./mine", cwd=here).returncode == 0


def test_a_folder_without_theme_toml_is_not_a_theme(src: Path, tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    _stops(_build(src, tmp_path / "out", "--format", "epub", "--theme", str(tmp_path / "empty")), ExitCode.THEME, "T008", "no theme.toml")
    _stops(_build(src, tmp_path / "out", "--format", "epub", "--theme", "/etc"), ExitCode.THEME, "T008", "/etc is not a theme")


def test_the_manifests_theme_path_is_read_from_the_stories_folder(src: Path, tmp_path: Path) -> None:
    _theme(src, 'extends = "classic"\n[labels]\ncontents = "Table of Tales"\n', name="mytheme")
    (src / "anthology.toml").write_text('theme = "./mytheme"\n', encoding="utf-8")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    run = _build(src, tmp_path / "out", "--format", "epub", cwd=elsewhere)
    assert run.returncode == 0, run.stderr
    with zipfile.ZipFile(tmp_path / "out" / "anthology.epub") as book:
        assert b"Table of Tales" in book.read("EPUB/contents.xhtml")


def test_a_parent_theme_named_by_a_relative_path_is_found_beside_the_child(src: Path, tmp_path: Path) -> None:
    _theme(tmp_path / "themes", 'extends = "modern"\n[labels]\ncontents = "Base Contents"\n', name="base")
    child = _theme(tmp_path / "themes", 'extends = "../base"\n', name="child")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    assert load_theme(str(child)).settings.labels.contents == "Base Contents"
    assert _build(src, tmp_path / "out", "--format", "epub", "--theme", str(child), cwd=elsewhere).returncode == 0


# ------------------------------------------------------------------- 5. outside files never reach the book


def test_a_cover_linking_out_of_the_stories_folder_is_refused(src: Path, tmp_path: Path) -> None:
    outside = tmp_path / "private.png"
    outside.write_bytes(_png(40, 64))
    (src / "cover.png").symlink_to(outside)
    _stops(_build(src, tmp_path / "out", "--format", "epub"), ExitCode.INPUT, "C032", "links outside the stories folder")
    assert not (tmp_path / "out").exists()


def test_a_manifest_linking_out_of_the_stories_folder_is_refused(src: Path, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere.toml"
    outside.write_text('title = "Leaked In"\n', encoding="utf-8")
    (src / "anthology.toml").symlink_to(outside)
    _stops(_build(src, tmp_path / "out", "--format", "epub"), ExitCode.CONFIG, "C011", "links outside the stories folder")


def test_a_template_that_links_outside_the_theme_is_refused_when_included(src: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.xhtml"
    secret.write_text("<p>private words</p>", encoding="utf-8")
    theme = _theme(tmp_path)
    (theme / "templates" / "extra.xhtml").symlink_to(secret)
    page = _classic_template("titlepage.xhtml").replace("{{ book.title }}", '{{ book.title }}{% include "extra.xhtml" %}', 1)
    (theme / "templates" / "titlepage.xhtml").write_text(page, encoding="utf-8")
    run = _build(src, tmp_path / "out", "--format", "epub", "--theme", str(theme))
    _stops(run, ExitCode.THEME, "T009", "extra.xhtml", "links outside the theme's folders")


def test_a_template_name_cannot_climb_out_of_the_theme(src: Path, tmp_path: Path) -> None:
    theme = _theme(tmp_path)
    page = _classic_template("titlepage.xhtml").replace("{{ book.title }}", '{% include "../../secret.xhtml" %}', 1)
    (theme / "templates" / "titlepage.xhtml").write_text(page, encoding="utf-8")
    (tmp_path / "secret.xhtml").write_text("<p>private words</p>", encoding="utf-8")
    _stops(_build(src, tmp_path / "out", "--format", "epub", "--theme", str(theme)), ExitCode.THEME, "T002")


def test_a_stylesheet_that_links_outside_the_theme_is_refused(src: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.css"
    secret.write_text("p { color: red }", encoding="utf-8")
    theme = _theme(tmp_path)
    (theme / "epub.css").symlink_to(secret)
    _stops(_build(src, tmp_path / "out", "--format", "epub", "--theme", str(theme)), ExitCode.THEME, "T009", "epub.css")


def test_extends_by_an_absolute_path_is_refused(src: Path, tmp_path: Path) -> None:
    base = _theme(tmp_path, name="base")
    theme = _theme(tmp_path, f'extends = "{base}"\n')
    _stops(_build(src, tmp_path / "out", "--format", "epub", "--theme", str(theme)), ExitCode.THEME, "T012", "absolute path is refused")


def test_a_cover_font_outside_the_theme_is_refused_before_it_is_opened(src: Path, tmp_path: Path) -> None:
    theme = _theme(tmp_path, 'extends = "classic"\n[cover]\nfont = "/etc/passwd"\n')
    _stops(_build(src, tmp_path / "out", "--format", "epub", "--theme", str(theme)), ExitCode.THEME, "T007", "cover.font", "/etc/passwd")
    theme = _theme(tmp_path, 'extends = "classic"\n[cover]\nfont = "fonts/system.ttf"\n', name="linked")
    (theme / "fonts").mkdir()
    (theme / "fonts" / "system.ttf").symlink_to("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
    _stops(_build(src, tmp_path / "out", "--format", "epub", "--theme", str(theme)), ExitCode.THEME, "T009", "links outside the theme's folders")


def test_a_theme_font_that_is_no_font_is_the_themes_error(src: Path, tmp_path: Path) -> None:
    theme = _theme(tmp_path, 'extends = "classic"\n[cover]\nfont = "fonts/broken.ttf"\n')
    (theme / "fonts").mkdir()
    (theme / "fonts" / "broken.ttf").write_text("not a font", encoding="utf-8")
    _stops(_build(src, tmp_path / "out", "--format", "epub", "--theme", str(theme)), ExitCode.THEME, "T009", "broken.ttf", "not a font")


# ---------------------------------------------------------------- 9/10. clear errors, not exit 70


def _png(width: int, height: int) -> bytes:
    """A PNG whose header declares `width` × `height`, with next to no pixel data (never decoded here)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 1024)) + chunk(b"IEND", b"")


def test_a_tiny_png_declaring_a_huge_size_is_refused_from_its_header(src: Path, tmp_path: Path) -> None:
    bomb = _png(100_000, 100_000)
    assert len(bomb) < 2_000
    (src / "cover.png").write_bytes(bomb)
    run = _build(src, tmp_path / "out", "--format", "epub")
    _stops(run, ExitCode.INPUT, "C033", "100,000×100,000 pixels", "10,000 pixels a side")
    (src / "cover.png").write_bytes(_png(12_000, 300))  # under Pillow's own limit, over a store's
    _stops(_build(src, tmp_path / "out", "--format", "epub"), ExitCode.INPUT, "C033", "12,000×300")


def test_deeply_nested_toml_is_a_syntax_error_not_a_recursion_error(src: Path, tmp_path: Path) -> None:
    deep = "x = " + "[" * 3000 + "]" * 3000 + "\n"
    (src / "anthology.toml").write_text(deep, encoding="utf-8")
    _stops(_build(src, tmp_path / "out", "--format", "epub"), ExitCode.CONFIG, "C000", "nested too deeply")
    (src / "anthology.toml").write_text("x = " + "{a=" * 60 + "1" + "}" * 60 + "\n", encoding="utf-8")  # parses, but too deep to walk
    _stops(_build(src, tmp_path / "out", "--format", "epub"), ExitCode.CONFIG, "C000", "nested too deeply")
    (src / "anthology.toml").unlink()
    theme = _theme(tmp_path, 'extends = "classic"\n[extra]\n' + deep)
    _stops(_build(src, tmp_path / "out", "--format", "epub", "--theme", str(theme)), ExitCode.THEME, "T006", "nested too deeply")


def test_a_broken_theme_toml_is_the_themes_error(src: Path, tmp_path: Path) -> None:
    theme = _theme(tmp_path, "extends = [\n")
    _stops(_build(src, tmp_path / "out", "--format", "epub", "--theme", str(theme)), ExitCode.THEME, "T006", "theme.toml")
    (theme / "theme.toml").write_bytes(b'name = "\xff"\n')
    _stops(_build(src, tmp_path / "out", "--format", "epub", "--theme", str(theme)), ExitCode.THEME, "T006", "not UTF-8")


def test_symlink_loops_in_the_stories_folder_are_named_not_skipped_or_crashed_on(src: Path, tmp_path: Path) -> None:
    (src / "loop.txt").symlink_to("loop.txt")
    _stops(_build(src, tmp_path / "out", "--format", "epub"), ExitCode.INPUT, "A012", "loop.txt", "loops")
    (src / "loop.txt").unlink()
    (src / "a.txt").symlink_to("b.txt")
    (src / "b.txt").symlink_to("a.txt")
    (src / "anthology.toml").write_text('order = ["a.txt"]\n[stories."b.txt"]\ntitle = "B"\n', encoding="utf-8")
    _stops(_build(src, tmp_path / "out", "--format", "epub"), ExitCode.CONFIG, 'no story file "a.txt"', 'no story file "b.txt"')


def test_a_manifest_that_links_to_itself_is_named(src: Path, tmp_path: Path) -> None:
    (src / "anthology.toml").symlink_to("anthology.toml")
    _stops(_build(src, tmp_path / "out", "--format", "epub"), ExitCode.CONFIG, "C011", "a link that loops")


def test_control_characters_in_the_manifest_are_its_error_not_the_themes(src: Path, tmp_path: Path) -> None:
    (src / "anthology.toml").write_text('title = "Bad\\u0001Title"\n[stories."story.txt"]\nauthor = "A\\u001bB"\n', encoding="utf-8")
    run = _build(src, tmp_path / "out", "--format", "epub")
    _stops(run, ExitCode.CONFIG, "C008", "title holds U+0001", 'stories."story.txt".author holds U+001B')
    assert "T010" not in run.stderr


def test_control_character_references_in_a_story_are_dropped_with_a_warning(src: Path, tmp_path: Path) -> None:
    (src / "story.txt").unlink()
    # Valid references to characters XML cannot hold: they used to fail the build as the theme's fault (T010).
    (src / "odd.html").write_text("<h1>Odd Title</h1>\n<p>by Someone</p>\n<p>A bell &#8; rang &#xFFFE; twice.</p>\n", encoding="utf-8")
    run = _build(src, tmp_path / "out")  # both books, every word checked
    assert run.returncode == 0, run.stderr
    assert "odd.html:3: warning A002" in run.stderr and "U+0008, U+FFFE" in run.stderr
    with zipfile.ZipFile(tmp_path / "out" / "anthology.epub") as book:
        assert "A bell  rang  twice." in book.read("EPUB/odd-title.xhtml").decode()


def test_trim_errors_name_the_file_they_come_from_and_stop_an_epub_only_build(src: Path, tmp_path: Path) -> None:
    (src / "anthology.toml").write_text('trim = "0x0"\n', encoding="utf-8")
    run = _build(src, tmp_path / "out", "--format", "epub")  # no PDF asked for: still checked
    _stops(run, ExitCode.CONFIG, f"{src / 'anthology.toml'}: error P002", "'0x0'")
    (src / "anthology.toml").write_text('trim = "banana"\n', encoding="utf-8")
    _stops(_build(src, tmp_path / "out"), ExitCode.CONFIG, f"{src / 'anthology.toml'}: error P001")
    (src / "anthology.toml").unlink()
    # On the command line it is a usage error (exit 2, issue 18) naming the option.
    _stops(_build(src, tmp_path / "out", "--format", "epub", "--trim", "0x0"), ExitCode.USAGE, "error U004: --trim", "'0x0'")
    theme = _theme(tmp_path, 'extends = "classic"\n[print]\ntrim = "1x1"\n')
    _stops(_build(src, tmp_path / "out", "--format", "epub", "--theme", str(theme)), ExitCode.THEME, f"{theme / 'theme.toml'}: error T007", "print.trim")


def test_file_names_with_newlines_and_terminal_escapes_are_printed_escaped(src: Path, tmp_path: Path) -> None:
    (src / "fake\nerror X999: all is well.txt").write_bytes(b"")
    (src / "red\x1b[31mtext\u202eesrever.txt").write_text(STORY, encoding="utf-8")
    run = _build(src, tmp_path / "out", "--format", "epub")
    _stops(run, ExitCode.INPUT, "fake\\nerror X999: all is well.txt")
    assert "\x1b" not in run.stderr and "\u202e" not in run.stderr
    assert not any(line.startswith("error X999") for line in run.stderr.splitlines())


def test_order_listing_the_manifest_itself_is_refused(src: Path, tmp_path: Path) -> None:
    (src / "anthology.toml").write_text('order = ["anthology.toml", "story.txt"]\n', encoding="utf-8")
    _stops(_build(src, tmp_path / "out", "--format", "epub"), ExitCode.CONFIG, "C009", "the manifest itself, not a story")


def test_layout_processes_are_capped_at_the_cores() -> None:
    from compiler.config import Config

    assert BuildOptions(jobs=10_000).settled(Config()).jobs == cores()
    assert BuildOptions(jobs=1).settled(Config()).jobs == 1
    assert BuildOptions().settled(Config()).jobs is None  # one per core, as before
