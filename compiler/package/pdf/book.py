"""Package stage: the rendered documents, laid out by weasyprint into a print PDF.

weasyprint lays a document out in one process, and its cost grows faster than the page count, so a
long book is laid out in chunks: runs of whole stories, each opening on a recto, so a chunk's pages
are the same alone as in the whole book. Measure, then place:

1. the chunks are laid out in parallel worker processes, without folios (the page they start on is
   not known yet), each to a PDF of its own; the pages each story and anchor landed on are read back;
2. as soon as the chunks before it are laid out, a chunk's first page is known and its thin folio
   layer (pagestyle.py) is laid out next; once every chunk is, the end-notes (their "p. N" back to
   the text), then the front matter (half-title, title, rights, contents with its page numbers,
   roman folios), in one worker while the others are let go, which keeps the build's memory down.
   The workers take the most urgent job waiting (layers, stories, notes, front matter), so none
   waits for a stage to end while there is work;
3. pdfmerge.py joins them — blank versos where a chunk would otherwise open on a left page, the
   folio layers drawn over their chunks, links and bookmarks working across chunks.

For the print profile the workers also draw in press colours (colour.drawing_for_press) and check
each piece, so the finished book needs no colour pass of its own.

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

import heapq
import os
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from multiprocessing import get_context
from typing import Any

from ..extract import pdf_page_texts
from ...render import RenderedBook
from ...render.theme import Theme
from .layoutcache import LayoutCache
from ..epub.pagelist import Start, page_starts
from .pagesetup import PageSetup, page_setup
from .pagestyle import PageStyle, page_style
from .merge import Segment, merge
from .printdoc import Part, html_of, mirror_html, parts_of
from .typesetter import Job, Laid, Stylesheets, Typesetter, laid_out, run_job, start_worker

DEFAULT_TRIM = "5.5x8.5"
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
    pool: Workers | None = None  # worker processes started early (start_workers); closed once laid out
    progress: Callable[[int, int], None] = field(default=lambda done, total: None)  # stories laid out, of all


@dataclass(frozen=True)
class PdfBook:
    data: bytes
    page_texts: tuple[str, ...]  # every page's text, read back from the pages the PDF is made of
    pages: tuple[tuple[str, Start | None], ...] = ()  # each page's number as printed, and where it begins
    coloured: bool = False  # every piece already recoloured for the press and checked (colour.for_press)


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


def _ready() -> None:
    """A job that does nothing: submitting one per worker makes the pool start them all now."""


class Workers:
    """Layout worker processes, each in an executor of its own so that one can be let go while
    another works: spawned at once so they load weasyprint and the theme (about a second and a
    half each) while the build goes on: started by build() before the stories are read when the
    book will take several chunks, else by the runner when it has several jobs."""

    def __init__(self, styles: Stylesheets, count: int) -> None:
        self.styles = styles
        self.live: list[ProcessPoolExecutor] = []
        self.grow(count)

    def grow(self, count: int) -> None:
        while len(self.live) < count:
            # spawn, not fork: a worker starts lean instead of sharing the whole build's memory.
            worker = ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn"), initializer=start_worker, initargs=(self.styles,))
            worker.submit(_ready)
            self.live.append(worker)

    def retire(self, worker: ProcessPoolExecutor) -> None:
        """Let an idle worker exit now, giving its memory back."""
        self.live.remove(worker)
        worker.shutdown(wait=False)

    def close(self) -> None:
        for worker in self.live:
            worker.shutdown(cancel_futures=True)  # after an error, nothing queued is started
        self.live = []


def core_count() -> int:
    return len(os.sched_getaffinity(0))


Key = tuple[str, int]


class _Runner:
    """Runs layout jobs, most urgent first: a cached job is done at once, the others run in the
    worker processes when there are several (or here, one at a time). Jobs are added as what they
    need becomes known, so the workers never wait for a stage to end while there is work."""

    def __init__(self, styles: Stylesheets, options: PdfOptions) -> None:
        self.styles = styles
        self.cache = options.cache
        self.workers = options.workers or core_count()
        self.pool: Workers | None = options.pool
        self.local: Typesetter | None = None
        self.queue: list[tuple[int, int, Key, Job]] = []  # a heap: (priority, order added, key, job)
        self.running: dict[Future[Laid], tuple[Key, Job, ProcessPoolExecutor]] = {}
        self.finished: list[tuple[Key, Laid]] = []
        self.added = 0
        self.last_jobs = False  # set once no more jobs will come but those that follow running ones

    def add(self, key: Key, job: Job, priority: int) -> None:
        hit = self.cache.get(job) if self.cache else None
        if hit is not None:
            self.finished.append((key, hit))
        else:
            heapq.heappush(self.queue, (priority, self.added, key, job))
        self.added += 1

    def use_workers(self) -> None:
        """Start worker processes, if worth it: several jobs queued and several cores (again, after
        some were let go at the end of a layout that has to be done over)."""
        self.last_jobs = False
        if len(self.queue) > 1 and self.workers > 1:
            if self.pool is None:
                self.pool = Workers(self.styles, self.workers)
            else:
                self.pool.grow(self.workers)

    def busy(self) -> bool:
        return bool(self.finished or self.queue or self.running)

    def next(self) -> tuple[Key, Laid]:
        """The next job done, in whatever order they finish."""
        if not self.finished:
            if self.pool is None:
                _, _, key, job = heapq.heappop(self.queue)
                self._done(key, job, self._here(job))
            else:
                self._fill()
                done, _ = wait(self.running, return_when=FIRST_COMPLETED)
                for future in sorted(done, key=lambda f: self.running[f][0]):
                    key, job, _ = self.running.pop(future)
                    self._done(key, job, future.result())
                self._fill()  # before the caller works on the result: the workers go on meanwhile
        return self.finished.pop(0)

    def _here(self, job: Job) -> Laid:
        """Lay a job out in this process."""
        if self.local is None:
            self.local = Typesetter(self.styles)
        return laid_out(self.local(job.html, job.page_css, job.after_theme), job.press, job.texts)

    def _fill(self) -> None:
        assert self.pool is not None
        busy = {worker for _, _, worker in self.running.values()}
        for worker in [w for w in self.pool.live if w not in busy]:
            if self.queue:
                _, _, key, job = heapq.heappop(self.queue)
                self.running[worker.submit(run_job, job)] = (key, job, worker)
            elif self.last_jobs and self.running:
                self.pool.retire(worker)  # nothing left for it: its memory back (see _chunked)

    def _done(self, key: Key, job: Job, laid: Laid) -> None:
        if laid.rgb_left:
            from ..press.colour import rgb_left

            raise rgb_left(laid.rgb_left)
        if self.cache:
            self.cache.put(job, laid)
        self.finished.append((key, laid))

    def close(self) -> None:
        if self.pool is not None:
            self.pool.close()
            self.pool = None


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


def stylesheets(theme: Theme) -> Stylesheets:
    return Stylesheets(theme.folders, tuple(theme.chain("print.css")))


def start_workers(theme: Theme, profile: str, one_pass: bool = False, count: int | None = None) -> Workers | None:
    """`count` worker processes (None: one per core) for a book that will be laid out in chunks,
    started now so they are ready when the chunks are; None when it will be laid out in one pass
    or by one process."""
    styles = stylesheets(theme)
    count = count or core_count()
    if profile == "screen" or one_pass or count < 2 or not page_style(styles.sheets).splittable:
        return None
    return Workers(styles, count)


def package_pdf(rendered: RenderedBook, title: str, authors: list[str], options: PdfOptions | None = None) -> PdfBook:
    options = options or PdfOptions()
    styles = stylesheets(rendered.theme)
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
    return PdfBook(data, texts, places, coloured=options.profile == "print")


# What the workers take first when several jobs wait: a thin folio layer as soon as its chunk is
# placed (so none is left for the end), the stories, then the end-notes (the longest job left once
# the stories are laid out) and the front matter.
_LAYER, _STORIES, _NOTES, _FRONT = range(4)


def _chunked(
    runner: _Runner, parts: list[Part], first_id: dict[str, str], head: dict[str, Any], setup: PageSetup, split: PageStyle, options: PdfOptions
) -> tuple[list[Segment], tuple[str, ...], tuple[tuple[str, Start | None], ...]]:
    page_css = setup.css()
    press = options.profile == "print"
    front = [p for p in parts if p.doc.matter == "front"]
    back = [p for p in parts if p.doc.matter == "back"]
    chunks = chunks_of([p for p in parts if p.doc.matter == "body"], options.chunk_bytes or CHUNK_BYTES)
    groups = chunks + ([back] if back else [])  # the notes are placed like one more chunk

    def job(html: str, after_theme: str = "", texts: bool = True) -> Job:
        return Job(html, page_css, after_theme, press, texts)

    # 1. The stories, in parallel, their pages counted from folio 1 on a recto and without folios.
    for n, chunk in enumerate(chunks):
        runner.add(("chunk", n), job(html_of(chunk, first_id, head, None, whole_book=False), split.without_folios()), _STORIES)
    runner.use_workers()
    stories = sum(len(chunk) for chunk in chunks)
    counted = 0
    options.progress(0, stories)
    # 2. As soon as the pages before a chunk are known, its folio layer; once all the stories are
    # laid out, the end-notes (their "p. N" back to the text) and the front matter with its contents.
    laid: dict[int, Laid] = {}
    layers: dict[int, Laid] = {}
    starts: list[int] = []  # each group's first folio
    folios: dict[str, int] = {}
    next_page = 1
    front_laid = blank = None
    rest_asked = False

    def place(n: int) -> None:
        nonlocal next_page
        result = laid[n]
        starts.append(next_page)
        for k, page in enumerate(result.pages):
            for anchor in page.anchors:  # a box split over pages is anchored on each: keep the first
                folios.setdefault(anchor, next_page + k)
        mirror = mirror_html(groups[n], _doc_pages(groups[n], result), head)
        runner.add(("layer", n), job(mirror, split.folios_only(next_page), texts=False), _LAYER)  # a folio's text is not the book's
        next_page += len(result.pages) + len(result.pages) % 2  # the next one opens on a recto

    def ask_front() -> None:
        # After the end-notes, in the same worker, while the other is let go: a worker laying out
        # the notes of a long book and another the front matter were the build's peak of memory
        # (issue 8: 400 MB at 500k words; 326 MB this way, the peak now while the stories are laid
        # out). It costs about two seconds at that size (the front matter's own time).
        runner.add(("front", 0), job(html_of(front, first_id, head, folios, whole_book=False)), _FRONT)
        runner.add(("blank", 0), job(_BLANK), _FRONT)

    while runner.busy():
        (kind, n), result = runner.next()
        if kind == "chunk":
            laid[n] = result
            counted += len(chunks[n])
            options.progress(counted, stories)
            while len(starts) < len(chunks) and len(starts) in laid:
                place(len(starts))
            if len(starts) == len(chunks) and not rest_asked:
                rest_asked = True
                if back:
                    runner.add(("notes", len(chunks)), job(html_of(back, first_id, head, folios, whole_book=False), split.without_folios()), _NOTES)
                    # The contents lists the end-notes too; they open on the next recto.
                    for anchor in (back[0].anchor, first_id[back[0].doc.file_name]):
                        folios.setdefault(anchor, next_page)
                else:
                    ask_front()
                runner.last_jobs = True  # but those that follow the end-notes
        elif kind == "notes":
            laid[n] = result
            place(n)
            ask_front()
        elif kind == "layer":
            layers[n] = result
        elif kind == "front":
            front_laid = result
        else:
            blank = result
    assert front_laid is not None and blank is not None
    # 3. In order: front matter padded to an even count, then each chunk on a recto.
    segments = [Segment(front_laid.pdf)]
    texts = list(front_laid.texts)
    front_starts = [p.start for p in front_laid.pages]
    if len(front_laid.pages) % 2:
        segments.append(Segment(blank.pdf))
        texts += blank.texts
        front_starts.append(None)
    body_starts: list[Start | None] = []
    for n in range(len(groups)):
        result, layer = laid[n], layers[n]
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
