"""Package stage: the rendered documents, laid out by weasyprint into a print PDF.

weasyprint lays a document out in one process, and its cost grows faster than the page count, so a
long book is laid out in chunks: runs of whole stories, each opening on a recto, so a chunk's pages
are the same alone as in the whole book. Measure, then place:

1. the chunks are laid out in parallel worker processes, without folios (the page they start on is
   not known yet), each to a PDF of its own; the pages each story and anchor landed on are read back;
2. with the page numbers known: the end-notes (their "p. N" back to the text), a thin folio layer
   per chunk (pagestyle.py), and the front matter (half-title, title, rights, contents with its
   page numbers, roman folios) are laid out;
3. pdfmerge.py joins them — blank versos where a chunk would otherwise open on a left page, the
   folio layers drawn over their chunks, links and bookmarks working across chunks.

weasyprint prints 0 for a `target-counter()` after a page-counter reset (Kozea/WeasyPrint#2114),
and cannot count pages in another chunk anyway, so every page reference a reader sees is written by
this module as `data-page` on its link. If the page count calls for a wider gutter, the book is laid
out again with it. Laid-out chunks are cached by content (layoutcache.py), so a rebuild after an
edit lays out only the chunks that changed.

The screen profile (tagged PDF/UA-1) and themes whose folios cannot be split from their running
heads are laid out in one pass instead (`_one_pass`), which is also the reference the tests hold
the chunked layout to: the same pages with the same text.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import Executor, ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from multiprocessing import get_context
from typing import Any

from ..check import pdf_page_texts
from ..render import RenderedBook
from .layoutcache import LayoutCache
from .pagelist import Start, page_starts
from .pagesetup import PageSetup, page_setup
from .pagestyle import PageStyle, page_style
from .pdfmerge import Segment, merge
from .printdoc import Part, html_of, mirror_html, parts_of
from .typesetter import Job, Laid, Stylesheets, Typesetter, laid_out, run_job, start_worker

DEFAULT_TRIM = "5.5x8.5"
PROFILES = ("print", "screen", "booklet")
# XHTML bytes per chunk: about 25 pages of the classic theme. Smaller chunks spread better over
# the cores and re-lay less after an edit; each carries its own font subsets, so not too small.
CHUNK_BYTES = 60_000
_BLANK = '<!DOCTYPE html><html><body><div class="doc front-matter"></div></body></html>'


@dataclass
class PdfOptions:
    trim: str | None = None
    profile: str = "print"
    bleed: bool = False
    cache: LayoutCache | None = None
    workers: int | None = None  # None: one per core
    chunk_bytes: int | None = None  # None: CHUNK_BYTES
    one_pass: bool = False  # lay the book out in one pass (the tests' reference)
    progress: Callable[[int, int], None] = field(default=lambda done, total: None)  # stories laid out, of all


@dataclass(frozen=True)
class PdfBook:
    data: bytes
    page_texts: tuple[str, ...]  # every page's text, read back from the pages the PDF is made of
    pages: tuple[tuple[str, Start | None], ...] = ()  # each page's number as printed, and where it begins


def _roman(n: int) -> str:
    out = ""
    for value, letters in ((1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"),
                           (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")):
        while n >= value:
            out, n = out + letters, n - value
    return out


def _labelled(front: list[Start | None], body: list[Start | None]) -> tuple[tuple[str, Start | None], ...]:
    """Front matter numbered in roman, the body in arabic from 1, as the folios read."""
    return tuple((_roman(n), s) for n, s in enumerate(front, 1)) + tuple((str(n), s) for n, s in enumerate(body, 1))


def chunks_of(parts: list[Part], budget: int) -> list[list[Part]]:
    """Consecutive stories, a new chunk once the budget is spent: an edit inside a story moves a
    boundary only if it crosses the budget, so other chunks keep their cached layout."""
    chunks: list[list[Part]] = []
    size = budget
    for part in parts:
        if size >= budget:
            chunks.append([])
            size = 0
        chunks[-1].append(part)
        size += len(part.doc.xhtml)
    return chunks


class _Runner:
    """Runs layout jobs through the cache, in worker processes when there are several."""

    def __init__(self, styles: Stylesheets, options: PdfOptions) -> None:
        self.styles = styles
        self.cache = options.cache
        self.workers = options.workers or len(os.sched_getaffinity(0))
        self.pool: Executor | None = None
        self.local: Typesetter | None = None

    def run(self, jobs: list[Job], start_pool: bool = False, finished: Callable[[int], None] = lambda n: None) -> list[Laid]:
        """`start_pool`: worth starting worker processes for (the chunks); later, smaller stages use
        them only if they are already running. `finished(n)` is called as job n is done."""
        done: dict[int, Laid] = {}
        todo: list[int] = []
        for n, job in enumerate(jobs):
            hit = self.cache.get(job) if self.cache else None
            if hit is not None:
                done[n] = hit
                finished(n)
            else:
                todo.append(n)
        if len(todo) > 1 and self.workers > 1 and (self.pool is not None or start_pool):
            if self.pool is None:
                # spawn, not fork: a worker starts lean instead of sharing the whole build's memory.
                self.pool = ProcessPoolExecutor(
                    max_workers=min(self.workers, len(todo)), mp_context=get_context("spawn"), initializer=start_worker, initargs=(self.styles,)
                )
            futures = {self.pool.submit(run_job, jobs[n]): n for n in todo}
            for future in as_completed(futures):
                done[futures[future]] = future.result()
                finished(futures[future])
        else:
            for n in todo:
                if self.local is None:
                    self.local = Typesetter(self.styles)
                done[n] = laid_out(self.local(jobs[n].html, jobs[n].page_css, jobs[n].after_theme))
                finished(n)
        if self.cache:
            for n in todo:
                self.cache.put(jobs[n], done[n])
        return [done[n] for n in range(len(jobs))]

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)  # after an error, nothing queued is started


def _doc_pages(parts: list[Part], laid: Laid) -> list[int]:
    """How many pages each document of a chunk took, blank versos before the next one left out."""
    starts = []
    for part in parts:
        starts.append(next(n for n, page in enumerate(laid.pages) if part.anchor in page.anchors))
    counts = []
    for k, start in enumerate(starts):
        end = starts[k + 1] if k + 1 < len(starts) else len(laid.pages)
        counts.append(sum(1 for page in laid.pages[start:end] if not page.kind[1]))
    return counts


def _estimate_pages(parts: list[Part]) -> int:
    # About 1,500 characters of XHTML to a page in the classic theme: close enough to pick the
    # gutter first time for most books; a wrong guess costs one more layout, never a wrong book.
    return sum(len(part.doc.xhtml) for part in parts) // 1500


def package_pdf(rendered: RenderedBook, title: str, authors: list[str], options: PdfOptions | None = None) -> PdfBook:
    options = options or PdfOptions()
    styles = Stylesheets(rendered.theme.folders, tuple(rendered.theme.chain("print.css")))
    split = page_style(styles.sheets)
    head = {"title": title, "authors": authors, "language": rendered.language}
    settings = rendered.theme.settings
    print_settings = settings.get("print", {})
    assert isinstance(print_settings, dict)
    trim = options.trim or str(print_settings.get("trim", DEFAULT_TRIM))
    parts, first_id = parts_of(rendered.print_front + rendered.docs)
    if options.profile == "screen" or options.one_pass or not split.splittable:
        data, places = _one_pass(styles, parts, first_id, head, trim, settings, options)
        return PdfBook(data, pdf_page_texts(data), places)
    try:
        return _chunked_book(styles, parts, first_id, head, trim, settings, split, options)
    except _Unsplittable:
        data, places = _one_pass(styles, parts, first_id, head, trim, settings, options)
        return PdfBook(data, pdf_page_texts(data), places)


class _Unsplittable(Exception):
    """The theme's page names could not be mirrored in a folio layer: lay the book out in one pass."""


def _chunked_book(
    styles: Stylesheets, parts: list[Part], first_id: dict[str, str], head: dict[str, Any], trim: str, settings: dict[str, Any], split: PageStyle, options: PdfOptions
) -> PdfBook:
    runner = _Runner(styles, options)
    try:
        pages = options.cache.pages_hint if options.cache and options.cache.pages_hint else _estimate_pages(parts)
        for _ in range(4):  # a wider gutter can add pages, which can call for a wider gutter: converge
            setup = page_setup(trim, settings, pages, options.bleed)
            segments, texts, places = _chunked(runner, parts, first_id, head, setup, split, options)
            total = len(texts)
            if page_setup(trim, settings, total, options.bleed) == setup:
                break
            pages = total
        if options.cache:
            options.cache.pages_hint = total
    finally:
        runner.close()  # before the merge: the workers' memory is given back first
    data = merge(segments)
    return PdfBook(data, texts, places)


def _chunked(
    runner: _Runner, parts: list[Part], first_id: dict[str, str], head: dict[str, Any], setup: PageSetup, split: PageStyle, options: PdfOptions
) -> tuple[list[Segment], tuple[str, ...], tuple[tuple[str, Start | None], ...]]:
    page_css = setup.css()
    front = [p for p in parts if p.doc.matter == "front"]
    back = [p for p in parts if p.doc.matter == "back"]
    chunks = chunks_of([p for p in parts if p.doc.matter == "body"], options.chunk_bytes or CHUNK_BYTES)

    def chunk_job(chunk: list[Part], folios: dict[str, int] | None) -> Job:
        return Job(html_of(chunk, first_id, head, folios, whole_book=False), page_css, split.without_folios())

    # 1. The stories, in parallel; their pages counted from folio 1 on a recto.
    stories = sum(len(chunk) for chunk in chunks)
    counted = [0]

    def finished(n: int) -> None:
        counted[0] += len(chunks[n])
        options.progress(counted[0], stories)

    options.progress(0, stories)
    laid = runner.run([chunk_job(chunk, None) for chunk in chunks], start_pool=True, finished=finished)
    folios: dict[str, int] = {}
    starts: list[int] = []
    next_page = 1
    for result in laid:
        starts.append(next_page)
        for n, page in enumerate(result.pages):
            for anchor in page.anchors:  # a box split over pages is anchored on each: keep the first
                folios.setdefault(anchor, next_page + n)
        next_page += len(result.pages) + len(result.pages) % 2  # the next chunk opens on a recto
    # 2. What needs the page numbers: end-notes, folio layers, front matter.
    groups = chunks + ([back] if back else [])
    back_jobs = [chunk_job(back, folios)] if back else []
    if back:
        # The contents lists the end-notes too; they open on the next recto, laid out beside the
        # front matter rather than before it.
        for anchor in (back[0].anchor, first_id[back[0].doc.file_name]):
            folios.setdefault(anchor, next_page)
    front_job = Job(html_of(front, first_id, head, folios, whole_book=False), page_css)
    back_laid = runner.run(back_jobs + [front_job, Job(_BLANK, page_css)])
    laid += back_laid[: len(back_jobs)]
    if back:
        starts.append(next_page)
    front_laid, blank = back_laid[-2], back_laid[-1]
    layers = runner.run(
        [
            Job(mirror_html(group, _doc_pages(group, result), head), page_css, split.folios_only(start))
            for group, result, start in zip(groups, laid, starts)
        ]
    )
    # 3. In order: front matter padded to an even count, then each chunk on a recto.
    segments = [Segment(front_laid.pdf)]
    texts = list(front_laid.texts)
    front_starts = [p.start for p in front_laid.pages]
    if len(front_laid.pages) % 2:
        segments.append(Segment(blank.pdf))
        texts += blank.texts
        front_starts.append(None)
    body_starts: list[Start | None] = []
    for n, (result, layer) in enumerate(zip(laid, layers)):
        if n and len(laid[n - 1].pages) % 2:
            segments.append(Segment(blank.pdf))
            texts += blank.texts
            body_starts.append(None)
        if [p.kind for p in layer.pages] != [p.kind for p in result.pages]:
            raise _Unsplittable("a folio layer does not match its chunk's pages")  # the theme names pages deeper than the mirror
        segments.append(Segment(result.pdf, layer.pdf))
        texts += result.texts
        body_starts += [p.start for p in result.pages]
    return segments, tuple(texts), _labelled(front_starts, body_starts)


def _one_pass(
    styles: Stylesheets, parts: list[Part], first_id: dict[str, str], head: dict[str, Any], trim: str, settings: dict[str, Any], options: PdfOptions
) -> tuple[bytes, tuple[tuple[str, Start | None], ...]]:
    """The whole body in one layout, then the notes and the front matter with the page numbers
    measured in it, joined by weasyprint itself (which keeps PDF/UA tags whole)."""
    typeset = Typesetter(styles)
    front = [p for p in parts if p.doc.matter == "front"]
    body = [p for p in parts if p.doc.matter == "body"]
    back = [p for p in parts if p.doc.matter == "back"]
    pages = 0
    for _ in range(4):
        setup = page_setup(trim, settings, pages, options.bleed)
        css = setup.css()
        chapters = typeset(html_of(body, first_id, head, None), css)
        folios: dict[str, int] = {}
        for number, page in enumerate(chapters.pages, start=1):
            for anchor in page.anchors:
                folios.setdefault(anchor, number)
        body_pages = list(chapters.pages)
        if back:
            # The notes continue the body's page count, opening on the next recto.
            start = len(body_pages) + 1 + len(body_pages) % 2
            notes = typeset(html_of(back, first_id, head, folios), css, f"@page :first {{ counter-reset: page {start}; }}")
            for number, page in enumerate(notes.pages, start=start):
                for anchor in page.anchors:  # so the contents can list the notes' page too
                    folios.setdefault(anchor, number)
            if len(body_pages) % 2:
                body_pages += typeset(_BLANK, css).pages
            body_pages += notes.pages
        front_doc = typeset(html_of(front, first_id, head, folios), css)
        front_pages = list(front_doc.pages)
        if len(front_pages) % 2:
            front_pages += typeset(_BLANK, css).pages
        total = len(front_pages) + len(body_pages)
        if page_setup(trim, settings, total, options.bleed) == setup:
            break
        pages = total
    book = front_doc.copy(front_pages + body_pages)
    places = _labelled(page_starts(front_pages), page_starts(body_pages))
    if options.profile == "screen":
        # Tagged PDF/UA-1 (structure tree, language, title shown): what screen readers need.
        return book.write_pdf(pdf_variant="pdf/ua-1"), places
    return book.write_pdf(), places


def booklet_sheet(trim: str | None) -> str:
    """The paper a booklet is imposed on: A4 halves are A5, Letter halves are 5.5 × 8.5 in."""
    return "a4" if (trim or "").strip().lower() == "a5" else "letter"
