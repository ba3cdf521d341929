"""Issue 4: `anthology deliver` onto fake mounted e-readers — temporary folders carrying the marker
files real devices carry, found through ANTHOLOGY_MOUNTS or named on the command line.

Pinned: each kind of device is told apart and gets the format it reads best in its books folder
(KEPUB in a Kobo's root, AZW3 in a Kindle's documents/, EPUB in another reader's Books/), under the
anthology's title; the built book is used when current and rebuilt when a story is newer; no device,
several devices and an old Kindle are clear errors (exit 7, no traceback, nothing copied); a copy
that fails or does not fit leaves the device as it was.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from compiler.build import BuildResult, build
from compiler.deliver import deliver, device_file_name
from compiler.diagnostics import BuildError, ExitCode
from compiler.options import BuildOptions

from .conftest import BUILT_EPUBS
from .helpers import SEEDS

pytestmark = pytest.mark.external

TITLE = "Broken and Mended"  # seeds/anthology.toml


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    """The seeds built once in every format a device may take; deliveries use these books."""
    result = build(BuildOptions(source=SEEDS, output=tmp_path_factory.mktemp("deliver-built"), formats=("kepub", "azw3")))
    BUILT_EPUBS.extend(p for p in result.outputs if p.suffix == ".epub")
    return result


def _output(built: BuildResult) -> Path:
    return built.outputs[0].parent


def kobo(mounts: Path, name: str = "KOBOeReader") -> Path:
    root = mounts / name
    (root / ".kobo").mkdir(parents=True)
    (root / ".kobo" / "KoboReader.sqlite").write_bytes(b"")
    return root


def kindle(mounts: Path, name: str = "Kindle", firmware: str | None = "Kindle 5.16.2.1.1 (4588940001)") -> Path:
    root = mounts / name
    (root / "documents").mkdir(parents=True)
    (root / "system").mkdir()
    if firmware:
        (root / "system" / "version.txt").write_text(firmware, encoding="utf-8")
    return root


def _deliver(mounts: Path, *args: str, output: Path, source: Path = SEEDS) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, ANTHOLOGY_MOUNTS=str(mounts))
    return subprocess.run(
        [sys.executable, "-m", "compiler", "deliver", *args, "-s", str(source), "-o", str(output)],
        capture_output=True, text=True, env=env, check=False,
    )


def _files(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


def test_a_kobo_gets_the_kepub_in_its_root(built: BuildResult, tmp_path: Path) -> None:
    root = kobo(tmp_path / "media")
    run = _deliver(tmp_path / "media", output=_output(built))
    assert run.returncode == 0, run.stderr
    target = root / f"{TITLE}.kepub.epub"
    assert target.read_bytes() == (_output(built) / "anthology.kepub.epub").read_bytes()
    assert _files(root) == [".kobo/KoboReader.sqlite", f"{TITLE}.kepub.epub"]  # no temporary file left
    assert f"found Kobo at {root}" in run.stdout and "KEPUB" in run.stdout
    assert "using the built" in run.stdout and f"copied KEPUB to {target}" in run.stdout
    assert "Eject the Kobo" in run.stdout


def test_a_kindle_gets_the_azw3_in_documents(built: BuildResult, tmp_path: Path) -> None:
    root = kindle(tmp_path / "media")
    run = _deliver(tmp_path / "media", output=_output(built))
    assert run.returncode == 0, run.stderr
    assert (root / "documents" / f"{TITLE}.azw3").read_bytes() == (_output(built) / "anthology.azw3").read_bytes()
    assert "found Kindle" in run.stdout and "AZW3" in run.stdout


def test_a_kindle_is_known_by_its_volume_name_or_clippings_without_a_version_file(tmp_path: Path) -> None:
    from compiler.devices import find_devices

    kindle(tmp_path / "a", name="Kindle", firmware=None)
    clippings = kindle(tmp_path / "b", name="MYREADER", firmware=None)
    (clippings / "documents" / "My Clippings.txt").write_text("", encoding="utf-8")
    assert [d.kind for d in find_devices([tmp_path / "a", tmp_path / "b"])] == ["Kindle", "Kindle"]


def test_a_system_and_documents_folder_alone_is_not_a_kindle(tmp_path: Path) -> None:
    from compiler.devices import find_devices

    kindle(tmp_path, name="PB632", firmware=None)  # PocketBooks carry a system/ folder too
    assert find_devices([tmp_path]) == []


def test_another_reader_gets_the_epub_in_its_books_folder(built: BuildResult, tmp_path: Path) -> None:
    root = tmp_path / "media" / "TOLINO"
    (root / ".adobe-digital-editions").mkdir(parents=True)
    (root / "Books").mkdir()
    run = _deliver(tmp_path / "media", output=_output(built))
    assert run.returncode == 0, run.stderr
    assert (root / "Books" / f"{TITLE}.epub").read_bytes() == (_output(built) / "anthology.epub").read_bytes()
    assert "found e-reader" in run.stdout and "EPUB" in run.stdout


def test_a_folder_named_on_the_command_line_is_taken_as_a_reader(built: BuildResult, tmp_path: Path) -> None:
    folder = tmp_path / "anything"
    folder.mkdir()
    run = _deliver(tmp_path / "nowhere", str(folder), output=_output(built))
    assert run.returncode == 0, run.stderr
    assert (folder / f"{TITLE}.epub").is_file()


def test_no_device_is_a_clear_error(built: BuildResult, tmp_path: Path) -> None:
    (tmp_path / "media" / "USBSTICK" / "photos").mkdir(parents=True)  # mounted, but not an e-reader
    run = _deliver(tmp_path / "media", output=_output(built))
    assert run.returncode == ExitCode.DEVICE
    assert "error D001: no e-reader found" in run.stderr and str(tmp_path / "media") in run.stderr
    assert "anthology deliver /path/to/reader" in run.stderr and "Traceback" not in run.stderr
    assert _files(tmp_path / "media") == []


def test_several_devices_are_listed_and_one_is_chosen_by_kind(built: BuildResult, tmp_path: Path) -> None:
    media = tmp_path / "media"
    kobo_root, kindle_root = kobo(media), kindle(media)
    run = _deliver(media, output=_output(built))
    assert run.returncode == ExitCode.DEVICE
    assert "error D002: 2 e-readers found" in run.stderr
    assert f"Kobo at {kobo_root}" in run.stderr and f"Kindle at {kindle_root}" in run.stderr
    assert "anthology deliver " in run.stderr and "Traceback" not in run.stderr
    assert not list(media.rglob(f"{TITLE}*"))

    run = _deliver(media, "kindle", output=_output(built))
    assert run.returncode == 0, run.stderr
    assert [p.name for p in media.rglob(f"{TITLE}*")] == [f"{TITLE}.azw3"]


def test_a_kindle_too_old_for_azw3_is_told_so(built: BuildResult, tmp_path: Path) -> None:
    root = kindle(tmp_path / "media", firmware="Kindle 2.5.8 (2000000001)")
    run = _deliver(tmp_path / "media", output=_output(built))
    assert run.returncode == ExitCode.DEVICE
    assert "error D004" in run.stderr and "MOBI" in run.stderr and "2.5" in run.stderr
    # What to do names the book this command builds, in its -o folder, not "output/".
    assert f"ebook-convert {_output(built) / 'anthology.epub'} anthology.mobi" in run.stderr
    assert "output/anthology.epub" not in run.stderr
    assert _files(root / "documents") == []


def test_the_book_is_rebuilt_when_a_story_is_newer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    src, out = tmp_path / "src", tmp_path / "out"
    shutil.copytree(SEEDS, src)
    root = kobo(tmp_path / "media")
    monkeypatch.setenv("ANTHOLOGY_MOUNTS", str(tmp_path / "media"))
    first = deliver(src, out)
    assert first.how == "built" and first.target == root / f"{TITLE}.kepub.epub" and not first.replaced
    assert deliver(src, out).how == "current"  # nothing changed: the built book is used
    assert deliver(src, out, theme_name="modern").how == "built"  # the built one may be in another theme
    story = next(src.glob("*.txt"))
    story.write_text(story.read_text(encoding="utf-8") + "\n\nA new last line, added after the build.\n", encoding="utf-8")
    later = (out / "anthology.kepub.epub").stat().st_mtime + 5
    os.utime(story, (later, later))
    again = deliver(src, out)
    assert again.how == "built" and again.replaced
    assert "added after the build" in _kepub_text(again.target)


def _kepub_text(path: Path) -> str:
    from compiler.package.extract import epub_text

    return epub_text(path.read_bytes())


def test_a_failed_copy_leaves_the_earlier_book_and_no_partial_file(built: BuildResult, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = kobo(tmp_path / "media")
    monkeypatch.setenv("ANTHOLOGY_MOUNTS", str(tmp_path / "media"))
    earlier = root / f"{TITLE}.kepub.epub"
    # The earlier copy: a real book (the session's EPUBCheck sweep reads every *.epub a test leaves).
    before = (_output(built) / "anthology.epub").read_bytes()
    earlier.write_bytes(before)

    def unplugged(_src: object, _dst: object) -> None:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(os, "replace", unplugged)
    with pytest.raises(BuildError) as failed:
        deliver(SEEDS, _output(built))
    assert failed.value.exit_code == ExitCode.DEVICE and failed.value.diagnostics[0].code == "D006"
    assert "Input/output error" in failed.value.diagnostics[0].message
    assert earlier.read_bytes() == before
    assert _files(root) == [".kobo/KoboReader.sqlite", f"{TITLE}.kepub.epub"]


def test_a_full_device_is_said_before_anything_is_copied(built: BuildResult, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = kobo(tmp_path / "media")
    monkeypatch.setenv("ANTHOLOGY_MOUNTS", str(tmp_path / "media"))
    monkeypatch.setattr(shutil, "disk_usage", lambda _path: shutil._ntuple_diskusage(8_000_000_000, 7_999_990_000, 10_000))  # type: ignore[attr-defined]
    with pytest.raises(BuildError) as failed:
        deliver(SEEDS, _output(built))
    assert failed.value.diagnostics[0].code == "D005" and "not enough room on the Kobo" in failed.value.diagnostics[0].message
    assert _files(root) == [".kobo/KoboReader.sqlite"]


def test_device_file_names_are_safe_on_fat_and_exfat() -> None:
    assert device_file_name('Kill/Bill: "Vol. 1"?', "kepub") == "KillBill Vol. 1.kepub.epub"
    assert device_file_name("...", "azw3") == "anthology.azw3"
    assert device_file_name("Ночной дозор", "epub") == "Ночной дозор.epub"


def _page_lists(book: Path) -> tuple[list[str], list[str]]:
    """The page labels of a book's nav page-list and of its NCX pageList."""
    import zipfile

    from lxml import etree

    ns = {"x": "http://www.w3.org/1999/xhtml", "epub": "http://www.idpf.org/2007/ops", "n": "http://www.daisy.org/z3986/2005/ncx/"}
    with zipfile.ZipFile(book) as z:
        nav = etree.fromstring(z.read("EPUB/nav.xhtml"))
        ncx = etree.fromstring(z.read("EPUB/toc.ncx"))
    return [a.text for a in nav.iterfind(".//x:nav[@epub:type='page-list']//x:a", ns)], [t.text for t in ncx.iterfind(".//n:pageTarget/n:navLabel/n:text", ns)]


def test_deliver_after_build_sends_the_page_list_and_keeps_the_built_epub(tmp_path: Path) -> None:
    # Issue 18: run right after `anthology build`, deliver rebuilt the EPUB alone, overwriting
    # OUTPUT/anthology.epub without its page list; the KEPUB it sent never had one.
    src, out = tmp_path / "src", tmp_path / "out"
    shutil.copytree(SEEDS, src)
    root = kobo(tmp_path / "media")
    build_run = subprocess.run([sys.executable, "-m", "compiler", "build", str(src), "-o", str(out)], capture_output=True, text=True, check=False)
    assert build_run.returncode == 0, build_run.stderr
    epub_before = (out / "anthology.epub").read_bytes()
    pages = _page_lists(out / "anthology.epub")
    assert len(pages[0]) > 15 and pages[0] == pages[1]
    run = _deliver(tmp_path / "media", output=out, source=src)
    assert run.returncode == 0, run.stderr
    assert "made " in run.stdout and "from the built EPUB" in run.stdout
    assert (out / "anthology.epub").read_bytes() == epub_before  # not rebuilt, not overwritten
    sent = root / f"{TITLE}.kepub.epub"
    assert sent.read_bytes() == (out / "anthology.kepub.epub").read_bytes()
    assert _page_lists(sent) == pages  # the KEPUB has the page list, in the nav and the NCX
    assert "koboSpan" in _kepub_text_raw(sent)


def test_deliver_builds_the_pdf_too_when_it_must_build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    src, out = tmp_path / "src", tmp_path / "out"
    shutil.copytree(SEEDS, src)
    root = kobo(tmp_path / "media")
    monkeypatch.setenv("ANTHOLOGY_MOUNTS", str(tmp_path / "media"))
    done = deliver(src, out)
    assert done.how == "built"
    assert sorted(p.name for p in out.iterdir() if p.is_file()) == ["anthology.epub", "anthology.kepub.epub", "anthology.pdf"]
    nav, ncx = _page_lists(root / f"{TITLE}.kepub.epub")
    assert len(nav) > 15 and nav == ncx


def _kepub_text_raw(path: Path) -> str:
    import zipfile

    with zipfile.ZipFile(path) as z:
        return "".join(z.read(n).decode("utf-8") for n in z.namelist() if n.endswith(".xhtml"))
