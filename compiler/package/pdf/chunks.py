"""Package stage (PDF): the chunk scheduler — a long book laid out in parallel, in chunks.

weasyprint lays a document out in one process, and its cost grows faster than the page count, so a
long book is laid out in chunks: runs of whole stories, each opening on a recto, so a chunk's pages
are the same alone as in the whole book. Measure, then place:

1. the chunks are laid out in parallel worker processes, without folios (the page they start on is
   not known yet), each to a PDF of its own; the pages each story and anchor landed on are read back;
2. as soon as the chunks before it are laid out, a chunk's first page is known and its thin folio
   layer (pagestyle.py) is laid out next; once every chunk is, the end-notes (their "p. N" back to
   the text) and the front matter (half-title, title, rights, contents with its page numbers,
   roman folios): beside each other when the notes are short, else one after the other in one
   worker while the others are let go, which keeps the build's memory down. The workers take the
   most urgent job waiting (layers, stories, notes, front matter), so none waits for a stage to
   end while there is work;
3. merge.py joins them — blank versos where a chunk would otherwise open on a left page, the
   folio layers drawn over their chunks, links and bookmarks working across chunks.

For the print profile the workers also draw in press colours (colour.drawing_for_press) and check
each piece, so the finished book needs no colour pass of its own.

weasyprint prints 0 for a `target-counter()` after a page-counter reset (Kozea/WeasyPrint#2114),
and cannot count pages in another chunk anyway, so every page reference a reader sees is written by
this module as `data-page` on its link. If the page count calls for a wider gutter, the book is laid
out again with it. Laid-out chunks are cached by content (layoutcache.py), so a rebuild after an
edit lays out only the chunks that changed.

The screen profile (tagged PDF/UA-1) and themes whose folios cannot be split from their running
heads are laid out in one pass instead (onepass.py), which is also the reference the tests hold
the chunked layout to: the same pages with the same text.
"""

from __future__ import annotations

import heapq
import os
from pathlib import Path
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from typing import TYPE_CHECKING, Any

from ... import timings
from ...render.theme import PrintSettings, Theme
from ..pagemap import PageMap, Start, labelled
from .merge import Segment, merge
from .options import PdfOptions
from .pagesetup import PageSetup, page_setup
from .pagestyle import PageStyle
from .printdoc import BLANK, Part, html_of, link_targets, mirror_html
from .typesetter import Job, Laid, Stylesheets, Typesetter, lay_out, run_job
from .workers import Workers, core_count, prepare, start_workers

if TYPE_CHECKING:
    from ...options import BuildOptions

# XHTML bytes per chunk: about 25 pages of the classic theme. Smaller chunks spread better over
# the cores and re-lay less after an edit; each carries its own font subsets, so not too small.
CHUNK_BYTES = 60_000
# End-notes up to this long (XHTML bytes) are laid out beside the front matter (_chunked).
NOTES_BESIDE_FRONT = CHUNK_BYTES


def start_early(options: BuildOptions, theme: Theme, input_bytes: int) -> Workers | None:
    """Layout processes for a PDF that will take several chunks, started before the stories are
    read (the PDF row's `start`, package/formats.py), so they are ready when the chunks are. A
    shorter book is laid out in the build's own process: starting processes and importing
    weasyprint in them costs more CPU than a few dozen pages in two processes save, which on a busy
    machine is slower too (measured at 1×: 1.8 s against 1.3 s of CPU)."""
    if input_bytes < 2 * CHUNK_BYTES:  # about as many bytes of XHTML: two chunks or more
        return None
    return start_workers(theme, options.profile, options.one_pass, options.jobs)


def warm_up(source: Path) -> None:
    """From the command line, before it imports the rest of the build: start the layout server
    if the stories folder holds enough for start_early to want layout processes (its files' sizes
    stand in for the stories', which need the manifest to tell)."""
    try:
        size = sum(entry.stat().st_size for entry in os.scandir(source) if entry.is_file())
    except OSError:
        return  # the build will say what is wrong with the folder
    if size >= 2 * CHUNK_BYTES:
        prepare()


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


Key = tuple[str, int]
# The stage each kind of job is counted in (timings.py; bench/'s cost split).
_STAGES = {"chunk": "layout", "layer": "folios", "notes": "notes", "front": "front matter", "blank": "front matter"}


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
            with timings.span("layout start-up"):
                self.local = Typesetter(self.styles)
        return lay_out(self.local, job)

    def _fill(self) -> None:
        assert self.pool is not None
        self.pool.ready()
        busy = {worker for _, _, worker in self.running.values()}
        for worker in [w for w in self.pool.live if w not in busy]:
            if self.queue:
                _, _, key, job = heapq.heappop(self.queue)
                self.running[worker.submit(run_job, job)] = (key, job, worker)
            elif self.last_jobs and self.running:
                self.pool.retire(worker)  # nothing left for it: its memory back (see _chunked)

    def _done(self, key: Key, job: Job, laid: Laid) -> None:
        if laid.spent is not None:
            spent = laid.spent
            timings.record(_STAGES[key[0]], spent.start, spent.end, spent.cpu, spent.pid, job=key[0], n=key[1], pages=len(laid.pages))
        if laid.rgb_left:
            from ..press.colour import rgb_left

            raise rgb_left(laid.rgb_left)
        if self.cache:
            self.cache.put(job, laid)
        self.finished.append((key, laid))

    def close(self, failed: bool = False) -> None:
        if self.pool is not None:
            self.pool.close(failed)
            self.pool = None
        if self.local is not None:
            self.local.close()
            self.local = None


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


class Unsplittable(Exception):
    """The theme's page names could not be mirrored in a folio layer: lay the book out in one pass."""


def chunked_book(
    styles: Stylesheets, parts: list[Part], first_id: dict[str, str], head: dict[str, Any], trim: str, margins: PrintSettings, split: PageStyle, options: PdfOptions
) -> tuple[bytes, tuple[str, ...], PageMap]:
    """The PDF, each page's text and the page map; for print, every piece drawn in press colours."""
    runner = _Runner(styles, options)
    failed = True
    try:
        pages = options.cache.pages_hint if options.cache and options.cache.pages_hint else _estimate_pages(parts)
        for _ in range(4):  # a wider gutter can add pages, which can call for a wider gutter: converge
            setup = page_setup(trim, margins, pages, options.bleed)
            segments, texts, places = _chunked(runner, parts, first_id, head, setup, split, options)
            total = len(texts)
            if page_setup(trim, margins, total, options.bleed) == setup:
                break
            pages = total
        if options.cache:
            options.cache.pages_hint = total
        failed = False
    finally:
        runner.close(failed)  # before the merge: the workers' memory is given back first
    with timings.span("merge"):
        return merge(segments), texts, places


# What the workers take first when several jobs wait: a thin folio layer as soon as its chunk is
# placed (so none is left for the end), the stories, then the end-notes (the longest job left once
# the stories are laid out) and the front matter.
_LAYER, _STORIES, _NOTES, _FRONT = range(4)


def _chunked(
    runner: _Runner, parts: list[Part], first_id: dict[str, str], head: dict[str, Any], setup: PageSetup, split: PageStyle, options: PdfOptions
) -> tuple[list[Segment], tuple[str, ...], PageMap]:
    page_css = setup.css()
    press = options.profile == "print"
    front = [p for p in parts if p.doc.matter == "front"]
    back = [p for p in parts if p.doc.matter == "back"]
    chunks = chunks_of([p for p in parts if p.doc.matter == "body"], options.chunk_bytes or CHUNK_BYTES)
    groups = chunks + ([back] if back else [])  # the notes are placed like one more chunk

    def job(html: str, after_theme: str = "", texts: bool = True, whole_words: bool = False) -> Job:
        return Job(html, page_css, after_theme, press, texts, options.page_map, whole_words)

    # 1. The stories, in parallel, their pages counted from folio 1 on a recto and without folios.
    for n, chunk in enumerate(chunks):
        runner.add(("chunk", n), job(html_of(chunk, first_id, head, None, whole_book=False), split.without_folios(), whole_words=True), _STORIES)
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
    rest_asked = front_asked = False

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
        nonlocal front_asked
        front_asked = True
        runner.add(("front", 0), job(html_of(front, first_id, head, folios, whole_book=False)), _FRONT)
        runner.add(("blank", 0), job(BLANK), _FRONT)

    def front_beside_notes() -> bool:
        """The front matter laid out beside the end-notes rather than after them: when it needs no
        page of the notes but their first (known before they are laid out, like the contents'
        "Notes … 19"), and the notes are short. Those of a long book are laid out alone, the other
        worker let go: a worker laying out the notes of 500k words and another the front matter
        were the build's peak of memory (issue 8: 400 MB; 326 MB this way). That costs the front
        matter's own time, about two seconds at that size."""
        opening = {back[0].anchor, first_id[back[0].doc.file_name]}
        inside = set().union(*(part.ids for part in back)) - opening
        short = sum(len(part.doc.xhtml) for part in back) <= NOTES_BESIDE_FRONT
        return short and not (link_targets(front, first_id) & inside)

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
                    notes = html_of(back, first_id, head, folios, whole_book=False)
                    runner.add(("notes", len(chunks)), job(notes, split.without_folios(), whole_words=True), _NOTES)
                    # The contents lists the end-notes too; they open on the next recto.
                    for anchor in (back[0].anchor, first_id[back[0].doc.file_name]):
                        folios.setdefault(anchor, next_page)
                if not back or front_beside_notes():
                    ask_front()
                runner.last_jobs = True  # but those that follow the end-notes
        elif kind == "notes":
            laid[n] = result
            place(n)
            if not front_asked:
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
            raise Unsplittable("a folio layer does not match its chunk's pages")  # the theme names pages deeper than the mirror
        segments.append(Segment(result.pdf, layer.pdf))
        texts += result.texts
        body_starts += [p.start for p in result.pages]
    return segments, tuple(texts), labelled(front_starts, body_starts)
