"""Issue 5 (structure): trim sizes, a gutter that follows the page count, front matter order."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pikepdf
import pytest

from compiler.build import build
from compiler.diagnostics import BuildError
from compiler.options import BuildOptions
from compiler.package.pdf.pagesetup import minimum_gutter, page_setup, parse_trim
from compiler.render.theme import PrintSettings

from .helpers import SEEDS, pdf_pages


@pytest.mark.parametrize(
    ("pages", "gutter"), [(24, 0.375), (150, 0.375), (151, 0.5), (300, 0.5), (301, 0.625), (500, 0.625), (501, 0.75), (701, 0.875), (828, 0.875)]
)
def test_gutter_follows_the_page_count(pages: int, gutter: float) -> None:
    assert minimum_gutter(pages) == gutter


def test_inside_margin_is_the_theme_margin_until_the_book_needs_more() -> None:
    margins = PrintSettings(inside=0.7, outside=0.1)
    assert page_setup("6x9", margins, 100).inside == pytest.approx(0.7 * 72)
    assert page_setup("6x9", margins, 720).inside == pytest.approx(0.875 * 72)
    assert page_setup("6x9", margins, 100).outside == pytest.approx(0.25 * 72)  # never under 0.25 in


@pytest.mark.parametrize(
    ("trim", "size"), [("5x8", (360, 576)), ("5.25x8", (378, 576)), ("6x9", (432, 648)), ("A5", (419.5, 595.3)), ("140x216mm", (396.9, 612.3))]
)
def test_trim_names_and_custom_sizes(trim: str, size: tuple[float, float]) -> None:
    assert parse_trim(trim) == pytest.approx(size, abs=0.1)


def test_a_nonsense_trim_is_a_clear_error() -> None:
    with pytest.raises(BuildError) as err:
        parse_trim("letter-ish")
    assert "6x9" in str(err.value)


def test_pdf_page_size_is_the_trim_size(tmp_path: Path) -> None:
    result = build(BuildOptions(source=SEEDS, output=tmp_path, formats=("pdf",), trim="6x9"))
    with pikepdf.open(result.outputs[0]) as pdf:
        boxes = {tuple(round(float(v)) for v in page.mediabox) for page in pdf.pages}
    assert boxes == {(0, 0, 432, 648)}


def test_front_matter_is_half_title_title_rights_contents(seeds_build) -> None:  # type: ignore[no-untyped-def]
    pdf = next(p for p in seeds_build.outputs if p.suffix == ".pdf")
    texts = pdf_pages(pdf)
    title = seeds_build.anthology.meta.title
    assert texts[0].strip() == title  # half-title, recto
    assert texts[1].strip() == ""  # its verso is blank: no folio, no head
    assert texts[2].lstrip().startswith(title) and "Edited by" in texts[2]  # title page, recto
    assert texts[3].lstrip().startswith("Rights and Disclaimers")  # verso of the title
    assert texts[4].lstrip().startswith("Contents")  # recto


def test_bleed_adds_an_eighth_inch_around_the_trim_box(tmp_path: Path) -> None:
    result = build(BuildOptions(source=SEEDS, output=tmp_path, formats=("pdf",), trim="6x9", bleed=True))
    with pikepdf.open(result.outputs[0]) as pdf:
        page = pdf.pages[0].obj
        assert [float(v) for v in page.TrimBox] == [0, 0, 432, 648]
        assert [float(v) for v in page.MediaBox] == [-9, -9, 441, 657]
        assert [float(v) for v in page.BleedBox] == [-9, -9, 441, 657]


def test_characters_outside_the_theme_fonts_are_reported(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_text("Greetings\n\nby X\n\nשלום עולם, «да», 你好 and ሰላም there.\n", encoding="utf-8")
    result = build(BuildOptions(source=src, output=tmp_path / "out", formats=("pdf",)))
    (finding,) = [d for d in result.diagnostics if d.code == "P010"]
    # Hebrew and Cyrillic are in the theme's fonts, Chinese in the Noto CJK it names; Ethiopic in none.
    assert "U+1230" in finding.message
    assert "U+05E9" not in finding.message and "U+0434" not in finding.message and "U+4F60" not in finding.message


def test_the_seeds_need_no_font_outside_the_theme(seeds_build) -> None:  # type: ignore[no-untyped-def]
    assert [d for d in seeds_build.diagnostics if d.code == "P010"] == []
    out = subprocess.run(["pdffonts", str(next(p for p in seeds_build.outputs if p.suffix == ".pdf"))], capture_output=True, text=True, check=True).stdout
    assert all("Anthology" in row.split()[0] for row in out.splitlines()[2:]), out


def _theme_naming(tmp_path: Path, family: str, files: list[str]) -> Path:
    theme = tmp_path / "cjk-theme"
    theme.mkdir()
    listed = ", ".join(f'"{f}"' for f in files)
    (theme / "theme.toml").write_text(
        f'name = "cjk"\nextends = "classic"\n[[system_fonts]]\nfamily = "{family}"\nfiles = [{listed}]\n'
        'unicode_range = "U+4E00-9FFF"\ninstall = "apt-get install fonts-noto-cjk"\n',
        encoding="utf-8",
    )
    return theme


def test_a_named_cjk_font_that_is_not_installed_stops_the_build_with_what_to_install(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_text("Tea\n\nby X\n\nShe wrote 茶馆 on the card.\n", encoding="utf-8")
    theme = _theme_naming(tmp_path, "Noto Serif CJK SC", ["/nonexistent/NotoSerifCJK-Regular.ttc"])
    run = subprocess.run(
        [sys.executable, "-m", "compiler", "build", str(src), "-o", str(tmp_path / "out"), "--theme", str(theme)],
        capture_output=True, text=True,
    )
    assert run.returncode == 5 and "Traceback" not in run.stderr
    assert "error P012" in run.stderr and "U+8336" in run.stderr and "apt-get install fonts-noto-cjk" in run.stderr
    assert not (tmp_path / "out").exists()  # nothing written
    # A book without such characters does not need the font.
    (src / "a.txt").write_text("Tea\n\nby X\n\nShe wrote tea on the card.\n", encoding="utf-8")
    assert build(BuildOptions(source=src, output=tmp_path / "out", formats=("pdf",), theme=str(theme))).outputs


def test_a_named_font_that_fontconfig_resolves_elsewhere_is_refused(tmp_path: Path) -> None:
    # The theme says Noto Serif CJK comes from the sans files: fontconfig disagrees, so the build stops.
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_text("Tea\n\nby X\n\nShe wrote 茶馆 on the card.\n", encoding="utf-8")
    sans = ["/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc"]
    theme = _theme_naming(tmp_path, "Noto Serif CJK SC", sans)
    with pytest.raises(BuildError) as err:
        build(BuildOptions(source=src, output=tmp_path / "out", formats=("pdf",), theme=str(theme)))
    (diagnostic,) = err.value.diagnostics
    assert diagnostic.code == "P012" and "fontconfig resolves 'Noto Serif CJK SC'" in diagnostic.message
