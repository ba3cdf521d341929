"""Issue 5 (wrap cover): back, spine and front on one sheet for print-on-demand, sized from the interior."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pikepdf
import pytest

from compiler.build import build
from compiler.options import BuildOptions
from compiler.package.press.wrapcover import BLEED, PAPER, package_wrap_cover
from compiler.render import render_wrap_cover
from compiler.render.theme import load_theme

from .helpers import SEEDS, pdf_text


def _interior(pages: int, size: tuple[float, float] = (396, 612)) -> bytes:
    with pikepdf.new() as pdf:
        for _ in range(pages):
            pdf.add_blank_page(page_size=size)
        out = io.BytesIO()
        pdf.save(out)
        return out.getvalue()


def _boxes(pdf_path_or_bytes: Path | bytes) -> tuple[list[float], list[float]]:
    source = io.BytesIO(pdf_path_or_bytes) if isinstance(pdf_path_or_bytes, bytes) else pdf_path_or_bytes
    with pikepdf.open(source) as pdf:
        (page,) = pdf.pages
        return [float(v) for v in page.mediabox], [float(v) for v in page.trimbox]


@pytest.mark.parametrize("paper", sorted(PAPER))
def test_cover_sheet_is_two_trims_a_spine_and_the_bleed(paper: str, tmp_path: Path) -> None:
    result = build(BuildOptions(source=SEEDS, output=tmp_path, formats=("pdf",), trim="6x9", cover_pdf=True, paper=paper))
    interior, cover = result.outputs
    assert cover.name == "anthology-cover.pdf"
    with pikepdf.open(interior) as pdf:
        pages = len(pdf.pages)
    spine = pages * PAPER[paper] * 72
    media, trim = _boxes(cover)
    assert media == pytest.approx([0, 0, 2 * 432 + spine + 2 * 9, 648 + 2 * 9], abs=0.01)
    assert trim == pytest.approx([9, 9, 9 + 2 * 432 + spine, 9 + 648], abs=0.01)
    fonts = subprocess.run(["pdffonts", str(cover)], capture_output=True, text=True, check=True).stdout.splitlines()[2:]
    assert fonts and all(row.split()[-5] == "yes" and "Anthology-Serif" in row for row in fonts)  # the theme's type, embedded
    text = " ".join(pdf_text(cover).split())
    anthology = result.anthology
    assert text.count(anthology.meta.title) == 2  # back and front; a 25-page spine is too thin for text
    assert f"Edited by {anthology.meta.editor}" in text
    for story in anthology.stories:
        assert story.title in text and all(author in text for author in story.authors)
    assert "Sakura gets her heart broken into pieces" in text  # a summary, on the back
    with pikepdf.open(cover) as pdf:
        assert str(pdf.Root.OutputIntents[0].OutputConditionIdentifier) == "FOGRA39"  # PDF/X-4 like the book


def test_a_thick_book_gets_its_title_on_the_spine_and_a_thin_one_a_warning() -> None:
    theme = load_theme("classic")
    doc = render_wrap_cover(_seeds_anthology(), theme)
    thick, notes = package_wrap_cover(doc, theme, _interior(300), "white")
    assert notes == []
    title = "Broken and Mended"
    assert " ".join(pdf_text_bytes(thick).split()).count(title) == 3  # back, spine, front
    media, _ = _boxes(thick)
    assert media[2] == pytest.approx(2 * 396 + 300 * 0.002252 * 72 + 2 * BLEED, abs=0.01)
    thin, notes = package_wrap_cover(doc, theme, _interior(12), "white")
    assert [d.code for d in notes] == ["C020"]  # fewer pages than a paperback can have
    assert package_wrap_cover(doc, theme, _interior(12), "white")[0] == thin  # deterministic


def test_many_long_summaries_shrink_the_back_then_leave_the_summaries_out() -> None:
    import dataclasses

    from compiler.model import Paragraph, Text

    theme = load_theme("classic")
    anthology = _seeds_anthology()
    story = anthology.stories[1]
    long = (Paragraph((Text("A summary that goes on and on about everything that happens. " * 12),)),)
    stories = tuple(dataclasses.replace(story, title=f"Story {n}", slug=f"story-{n}", summary=long) for n in range(12))
    crowded = dataclasses.replace(anthology, stories=stories)
    sheet, notes = package_wrap_cover(render_wrap_cover(crowded, theme), theme, _interior(100), "white")
    assert "C022" in [d.code for d in notes]
    text = " ".join(pdf_text_bytes(sheet).split())
    assert "Story 0" in text and "Story 11" in text and "goes on and on" not in text


def test_cover_pdf_needs_the_print_profile(tmp_path: Path) -> None:
    for extra in (["--profile", "screen"], ["--format", "epub"], ["--paper", "blue"]):
        run = subprocess.run(
            [sys.executable, "-m", "compiler", "build", str(SEEDS), "-o", str(tmp_path / "out"), "--cover-pdf", *extra],
            capture_output=True, text=True,
        )
        assert run.returncode == 2 and "Traceback" not in run.stderr, run.stderr
        assert "--cover-pdf" in run.stderr or "paper" in run.stderr
    assert not (tmp_path / "out").exists()


def _seeds_anthology():  # type: ignore[no-untyped-def]
    from compiler.build import assemble
    from compiler.config import load_config
    from compiler.read import read_stories
    from compiler.transforms import transform

    config = load_config(SEEDS)
    anthology, _ = transform(assemble(config, read_stories(SEEDS, config).stories))
    return anthology


def pdf_text_bytes(data: bytes) -> str:
    return subprocess.run(["pdftotext", "-enc", "UTF-8", "-", "-"], input=data, capture_output=True, check=True).stdout.decode()


@pytest.mark.parametrize(("theme", "font"), [("classic", "Anthology-Serif"), ("modern", "Anthology-Sans"), ("large-print", "Anthology-Large")])
def test_each_theme_sets_its_cover_in_its_own_type(theme: str, font: str, tmp_path: Path) -> None:
    loaded = load_theme(theme)
    sheet, _ = package_wrap_cover(render_wrap_cover(_seeds_anthology(), loaded), loaded, _interior(120), "cream")
    (tmp_path / "cover.pdf").write_bytes(sheet)
    rows = subprocess.run(["pdffonts", str(tmp_path / "cover.pdf")], capture_output=True, text=True, check=True).stdout.splitlines()[2:]
    assert rows and all(row.split()[0].split("+", 1)[1].startswith(font) and row.split()[-5] == "yes" for row in rows)
    assert " ".join(pdf_text_bytes(sheet).split()).casefold().count("broken and mended") == 3  # 120 pages: the spine has it too
