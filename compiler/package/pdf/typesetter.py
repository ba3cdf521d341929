"""Package stage (PDF): weasyprint set up once per process, and the jobs worker processes run.

A `Typesetter` holds what every layout of a build shares: the font configuration, the URL fetcher
that reads only the theme's files, and the theme's stylesheets parsed once. Worker processes each
build one at start-up (`start_worker`), then lay out chunks and folio layers sent to them as plain
data (`Job`), returning plain data (`Laid`): nothing weasyprint-specific crosses a process boundary.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from ...render.theme import Theme
from ..pagemap import Start
from .leafturns import keep_words_whole, set_words_whole
from .remake import Layout
from .pagestarts import page_starts


def _fetcher(roots: tuple[Path, ...]) -> Any:  # a weasyprint URLFetcher (weasyprint is untyped)
    """A URL fetcher that reads only the theme's own files: no network, nothing else on disk."""
    from weasyprint.urls import URLFetcher

    allowed = tuple(root.resolve() for root in roots)

    class ThemeOnly(URLFetcher):
        def fetch(self, url: str, headers: Any = None) -> Any:
            parts = urlsplit(url)
            if parts.scheme == "data":
                return super().fetch(url, headers)
            if parts.scheme == "file":
                path = Path(unquote(parts.path)).resolve()
                if any(path.is_relative_to(root) for root in allowed):
                    return super().fetch(url, headers)
            raise ValueError(f"refused to fetch {url}: a book reads only its theme's files")

    return ThemeOnly(allowed_protocols=("file", "data"))


@dataclass(frozen=True)
class Stylesheets:
    roots: tuple[Path, ...]  # the theme's folders: all a layout may read
    sheets: tuple[Path, ...]  # print.css of each theme in the chain, parent first


def stylesheets(theme: Theme) -> Stylesheets:
    """The theme's print.css chain and the folders a layout may read."""
    return Stylesheets(theme.folders, tuple(theme.chain("print.css")))


class Typesetter:
    def __init__(self, styles: Stylesheets) -> None:
        from .engine import load

        weasyprint = load()  # heavy: imported only when a PDF is wanted
        from weasyprint.text.fonts import FontConfiguration

        self.weasyprint = weasyprint
        self.fonts = FontConfiguration()
        self.fetcher = _fetcher(styles.roots)
        # One CSS object per theme in the chain, so each resolves its fonts/ against its own folder.
        self.base_url = str(styles.sheets[-1].parent) + "/"
        self.theme_css = [
            weasyprint.CSS(filename=str(sheet), font_config=self.fonts, url_fetcher=self.fetcher) for sheet in styles.sheets
        ]

    def close(self) -> None:
        """Remove the copies of the theme's fonts weasyprint made for this typesetter."""
        from .engine import font_folder

        folder = font_folder(self.fonts)
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)

    def __call__(self, html: str, page_css: str, after_theme: str = "", whole_words: bool = False) -> Any:
        """`html` laid out; with `whole_words` (a layout that begins on a recto), laid out again
        where a word is broken across a leaf turn, that word kept whole (leafturns.py)."""
        wp = self.weasyprint

        def css(text: str) -> Any:
            return wp.CSS(string=text, font_config=self.fonts, url_fetcher=self.fetcher)

        # The page geometry comes first so the theme may still refine :blank or named pages; what
        # comes after the theme (the folio/head split) overrides it at equal specificity.
        sheets = [css(page_css), *self.theme_css] + ([css(after_theme)] if after_theme else [])

        def lay_out(source: str) -> tuple[Any, Any]:
            parsed = wp.HTML(string=source, base_url=self.base_url, url_fetcher=self.fetcher)
            return parsed, parsed.render(stylesheets=sheets, font_config=self.fonts)

        if not whole_words:
            return lay_out(html)[1]
        parsed = wp.HTML(string=html, base_url=self.base_url, url_fetcher=self.fetcher)
        layout = Layout(parsed, sheets, self.fonts)
        if layout.editable:
            return set_words_whole(layout)
        return keep_words_whole(parsed, layout.document, lay_out)


@dataclass(frozen=True)
class Job:
    html: str
    page_css: str  # the page geometry (pagesetup.PageSetup.css())
    after_theme: str = ""
    press: bool = False  # recolour for a CMYK press (colour.py) here, in parallel, not in the whole book
    texts: bool = True  # read each page's text back (not for a folio layer: its text is not the book's)
    starts: bool = True  # note where each page begins in the text, for the EPUB's page list (pagemap.py)
    whole_words: bool = False  # no word broken across a leaf turn (leafturns.py): the stories and the notes


@dataclass(frozen=True)
class PageInfo:
    kind: tuple[str, bool, str, int]  # weasyprint's page type: side, blank, name, index
    anchors: tuple[str, ...]  # ids whose box starts on this page, in no particular order
    start: Start | None = None  # where in the text the page begins (pagestarts.py), if asked


@dataclass(frozen=True)
class Spent:
    """What laying a job out cost, where it ran (for timings.py; never cached)."""

    start: float  # time.time()
    end: float
    cpu: float  # seconds of CPU in the process that laid it out
    pid: int


@dataclass(frozen=True)
class Laid:
    pdf: bytes
    pages: tuple[PageInfo, ...]
    texts: tuple[str, ...]  # each page's text read back from `pdf`, for the nothing-lost check; () if not asked
    rgb_left: str = ""  # with `press`: where DeviceRGB is still painted (never cached: the build fails)
    spent: Spent | None = None  # None: found in the layout cache


def laid_out(document: Any, press: bool = False, texts: bool = True, starts: bool = True) -> Laid:
    """A weasyprint document written to PDF, described, and (with `texts`) its text read back:
    here, in the worker, where it runs in parallel and is cached with the chunk."""
    from ..extract import pdf_page_texts

    left = ""
    if not press:
        pdf = document.write_pdf()
    else:
        from ..press.colour import drawing_for_press, for_press
        from ..press.intent import FOGRA39

        with drawing_for_press(FOGRA39.profile):
            pdf = document.write_pdf()
        pdf, left = for_press(pdf)
    return Laid(pdf, describe(document, starts), pdf_page_texts(pdf) if texts else (), left)


def describe(document: Any, starts: bool = True) -> tuple[PageInfo, ...]:
    infos = []
    for page, start in zip(document.pages, page_starts(document.pages) if starts else [None] * len(document.pages)):
        kind = page._page_box.page_type  # weasyprint 70's PageType; pinned in pyproject.toml
        infos.append(PageInfo((kind.side, kind.blank, kind.name, kind.index), tuple(page.anchors), start))
    return tuple(infos)


_WORKER: Typesetter | None = None


def start_typesetter(styles: Stylesheets) -> None:
    """In a worker process (workers.py), before its first job."""
    global _WORKER
    _WORKER = Typesetter(styles)


def lay_out(typesetter: Typesetter, job: Job, tidy: bool = False) -> Laid:
    """One chunk or folio layer laid out and written as a PDF of its own, timed. `tidy`: give the
    memory it leaves behind back to the system afterwards (in a worker, between jobs)."""
    start, cpu = time.time(), time.process_time()
    document = typesetter(job.html, job.page_css, job.after_theme, job.whole_words)
    laid = laid_out(document, job.press, job.texts, job.starts)
    del document
    if tidy:
        _give_back_memory()
    return dataclasses.replace(laid, spent=Spent(start, time.time(), time.process_time() - cpu, os.getpid()))


def run_job(job: Job) -> Laid:
    """In a worker process: lay out one chunk or folio layer."""
    assert _WORKER is not None, "start_worker was not called in this process"
    return lay_out(_WORKER, job, tidy=True)


def _give_back_memory() -> None:
    """A laid-out chunk leaves megabytes of freed boxes that glibc keeps for later; give them back
    to the system between jobs, so two workers plus the build stay small (issue 8: 400 MB)."""
    import ctypes
    import gc

    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc: nothing to trim
        pass
