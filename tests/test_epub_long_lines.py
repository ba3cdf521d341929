"""Issue 4: a long URL (or any unbroken string) in the text or an end-note wraps inside the page of
the EPUB, in every built-in theme, instead of running off its right edge.

Each theme's book is laid out by headless Debian chromium (tests/reading-system/overflow.mjs) at
320 CSS pixels, a small phone's width, and no line of text may reach past the page.
"""

from __future__ import annotations

import json
import subprocess
import zipfile
from pathlib import Path

import pytest

from compiler.build import build
from compiler.options import BuildOptions
from compiler.package.epub.kepub import content_documents
from compiler.render.theme import load_theme

from .conftest import BUILT_EPUBS
from .helpers import ROOT

TOOLS = ROOT / "tests" / "reading-system"
THEMES = ("classic", "modern", "large-print")
WIDTH = 320
LONG_URL = "https://archiveofourown.org/works/24931486/chapters/60123456?view_adult=true&show_comments=true&page=12#comment_123456789012"
NOTE_URL = "https://web.archive.org/web/20200101000000/https://www.fanfiction.net/s/12175260/1/A-Very-Long-Story-Title-That-Goes-On-And-On"
STORY = f"""# Long Links

by Tester

The story was first posted at {LONG_URL} and mirrored later.[^1]

Then she screamed: AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA.

[^1]: The mirror is at {NOTE_URL} for now.
"""


@pytest.fixture(scope="module")
def books(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    src = tmp_path_factory.mktemp("long-links")
    (src / "links.md").write_text(STORY, encoding="utf-8")
    built = {theme: build(BuildOptions(source=src, output=tmp_path_factory.mktemp(f"long-{theme}"), formats=("epub",), theme=theme)).outputs[0] for theme in THEMES}
    BUILT_EPUBS.extend(built.values())  # EPUBCheck sweeps them at the end of the session
    return built


def test_every_theme_wraps_long_words_in_its_epub_stylesheet() -> None:
    for theme in THEMES:
        css = load_theme(theme, ROOT).stylesheet_text("epub.css")
        assert "overflow-wrap: anywhere" in css and "word-wrap: break-word" in css, theme


@pytest.mark.external
def test_long_urls_stay_inside_a_phone_width_page_in_every_theme(books: dict[str, Path], tmp_path: Path) -> None:
    assert (TOOLS / "node_modules" / "playwright-core").is_dir(), "run `bash tests/run.sh` (npm ci in tests/reading-system)"
    args: list[str] = []
    for theme, epub in books.items():
        folder = tmp_path / theme
        with zipfile.ZipFile(epub) as z:
            z.extractall(folder)
            documents = sorted(content_documents(z))
        args += ["--", str(folder / "EPUB"), *(Path(d).name for d in documents)]
    run = subprocess.run(["node", str(TOOLS / "overflow.mjs"), str(WIDTH), *args[1:]], capture_output=True, text=True, timeout=300, check=False)
    assert run.returncode == 0, run.stderr
    seen = json.loads(run.stdout)
    assert len(seen) == sum(1 for _ in books) * len(documents)
    urls = [s for s in seen if "https" in s["widest"] or s["href"].startswith(("long", "endnotes"))]
    assert urls, "the documents holding the URLs were laid out"
    for page in seen:
        where = f"{Path(page['dir']).parent.name}/{page['href']}"
        assert page["scrollWidth"] <= page["clientWidth"] == WIDTH, f"{where} scrolls sideways: {page}"
        assert page["textRight"] <= WIDTH + 0.5, f"{where}: “{page['widest']}” runs past the page edge"
