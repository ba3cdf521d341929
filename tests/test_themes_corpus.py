"""Every built-in theme builds the whole corpus into a valid book (issues 5 and 6): the EPUB
passes EPUBCheck (conftest), the PDF embeds every font, passes qpdf, has pages of the theme's trim,
opens every story on a recto under its bookmark, and its contents give the pages the stories open on."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pikepdf
import pytest

from compiler.build import BuildResult, build
from compiler.options import BuildOptions
from compiler.package.pdf.pagesetup import parse_trim
from compiler.render.theme import load_theme

from .helpers import CORPUS, pdf_pages

pytestmark = [pytest.mark.corpus, pytest.mark.slow]

THEMES = ("classic", "modern", "large-print")


@pytest.fixture(scope="module", params=THEMES)
def corpus_book(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, BuildResult]:
    src = tmp_path_factory.mktemp("corpus-src")
    for path in sorted(CORPUS.iterdir()):
        if path.is_file() and path.name not in ("README.md", "SHA256SUMS"):
            shutil.copy2(path, src / path.name)
    return request.param, build(BuildOptions(source=src, output=tmp_path_factory.mktemp(f"corpus-{request.param}"), theme=request.param))


def _pdf(result: BuildResult) -> Path:
    return next(p for p in result.outputs if p.suffix == ".pdf")


def test_every_font_is_embedded_and_qpdf_finds_no_error(corpus_book: tuple[str, BuildResult]) -> None:
    _, result = corpus_book
    fonts = subprocess.run(["pdffonts", str(_pdf(result))], capture_output=True, text=True, check=True).stdout.splitlines()[2:]
    assert fonts and all(re.search(r"\byes\s+yes\s+yes\b", line) for line in fonts), fonts
    check = subprocess.run(["qpdf", "--check", str(_pdf(result))], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout[-500:]


def test_pages_are_the_theme_trim(corpus_book: tuple[str, BuildResult]) -> None:
    theme, result = corpus_book
    trim = load_theme(theme).settings.print.trim
    width, height = parse_trim(str(trim))
    with pikepdf.open(_pdf(result)) as pdf:
        sizes = {tuple(round(float(v)) for v in page.mediabox[2:]) for page in pdf.pages}
    assert sizes == {(round(width), round(height))}


def test_every_story_opens_on_a_recto_under_its_bookmark_at_its_contents_page(corpus_book: tuple[str, BuildResult]) -> None:
    _, result = corpus_book
    path = _pdf(result)
    texts = pdf_pages(path)
    with pikepdf.open(path) as pdf:
        index = {page.objgen: n for n, page in enumerate(pdf.pages, start=1)}
        with pdf.open_outline() as outline:
            marks = {item.title: index[item.destination[0].objgen] for item in outline.root}
    bidi = dict.fromkeys(map(ord, "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"))  # pdftotext marks RTL runs
    lines = [[line.translate(bidi).strip() for line in t.strip().splitlines() if line.strip()] for t in texts]
    first_body = next(n - int(page[-1]) + 1 for n, page in enumerate(lines, start=1) if page and page[-1].isdigit())
    start = next(n for n, t in enumerate(texts) if t.lstrip().startswith("Contents"))
    contents = "\n".join(texts[start : first_body - 1])  # the contents may run over several pages
    for story in result.anthology.stories:
        page = marks[story.title]
        assert page % 2 == 1, story.title  # a recto
        assert lines[page - 1][0].startswith(story.title.split()[0]), (story.title, lines[page - 1][:2])  # no running head above it
        folio = page - first_body + 1
        # After the leader, or after the title itself when a long title leaves the leader no room.
        assert re.search(rf"[.\s]{folio}\s*$", contents, re.M), (story.title, folio)
