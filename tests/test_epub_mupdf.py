"""Issue 18: the EPUB in MuPDF (Debian's mupdf-tools, `mutool`), and scene breaks every reader shows.

Found: MuPDF 1.21 drew a blank page before the cover (the cover image, too tall for the page,
was pushed to a second one); FBReader drew nothing at a scene break (it ignores an `<hr>`'s
styling), so scenes ran together. A scene break is now its ornament as text.
"""

from __future__ import annotations

import shutil
import subprocess
import zipfile
from pathlib import Path

from lxml import etree
from PIL import Image, ImageStat

from compiler.build import BuildResult
from compiler.model import SceneBreak

from .helpers import NS, pdf_text, visible_text

ORNAMENT = "❦"  # the classic theme's scene_break


def _epub(result: BuildResult) -> Path:
    return next(p for p in result.outputs if p.suffix == ".epub")


def _mutool(*args: str) -> subprocess.CompletedProcess[str]:
    assert shutil.which("mutool"), "mutool is missing: run `bash tests/run.sh` (apt-get install mupdf-tools)"
    return subprocess.run(["mutool", *args], capture_output=True, text=True, timeout=300, check=True)


def _scene_breaks(result: BuildResult) -> int:
    return sum(isinstance(b, SceneBreak) for s in result.anthology.stories for b in s.body)


def test_mupdf_shows_the_cover_as_the_first_page(seeds_build: BuildResult, tmp_path: Path) -> None:
    epub = _epub(seeds_build)
    _mutool("draw", "-r", "40", "-o", str(tmp_path / "page-%d.png"), str(epub), "1-2")
    with zipfile.ZipFile(epub) as z:
        cover_name = next(n for n in z.namelist() if "/images/cover." in n)
        (tmp_path / "cover").write_bytes(z.read(cover_name))
    with Image.open(tmp_path / "page-1.png") as page, Image.open(tmp_path / "cover") as cover:
        low, high = page.convert("L").getextrema()
        assert high - low > 128, "page 1 is blank"
        # The drawn cover fills the page: page 1's colours are the cover's (a blank page is white).
        drawn = ImageStat.Stat(page.convert("RGB")).mean
        wanted = ImageStat.Stat(cover.convert("RGB")).mean
        assert max(abs(a - b) for a, b in zip(drawn, wanted)) < 20, (drawn, wanted)
    # The title page follows at once.
    second = _mutool("draw", "-F", "txt", str(epub), "2").stdout
    assert "Broken and Mended" in second


def test_mupdf_shows_every_scene_break(seeds_build: BuildResult) -> None:
    text = _mutool("draw", "-F", "txt", str(_epub(seeds_build))).stdout
    assert text.count(ORNAMENT) == _scene_breaks(seeds_build) == 7


def test_a_scene_break_shows_without_any_stylesheet(seeds_build: BuildResult) -> None:
    # What a reader that ignores CSS (FBReader) draws: the ornament alone on its line between the
    # scenes; a screen reader hears a separator (role), as it would for an <hr>.
    with zipfile.ZipFile(_epub(seeds_build)) as z:
        chapter = etree.fromstring(z.read("EPUB/sasuke-had-left-just-over-a-month-ago.xhtml"))
    lines = [line.strip() for line in visible_text(chapter).splitlines() if line.strip()]
    assert lines.count(ORNAMENT) == 6
    breaks = chapter.xpath("//x:div[@class='scene-break']", namespaces=NS)
    assert [b.get("role") for b in breaks] == ["separator"] * 6
    assert not chapter.xpath("//x:hr", namespaces=NS)
    at = lines.index(ORNAMENT)
    assert lines[at - 1] != ORNAMENT and lines[at + 1] != ORNAMENT  # between two scenes


def test_the_pdf_sets_the_same_ornament_at_every_scene_break(seeds_build: BuildResult) -> None:
    pdf = next(p for p in seeds_build.outputs if p.suffix == ".pdf")
    assert pdf_text(pdf).count(ORNAMENT) == _scene_breaks(seeds_build)
