"""Batch benchmark: one huge book's PDF chunks laid out on a Dask cluster, against the build's own
layout processes (issue 21: "measure whether it pays").

The chunk scheduler (compiler/package/pdf/chunks.py) gives each job to a free slot of a pool of
layout processes (package/pdf/workers.py: `live`, `grow`, `retire`, `close`). `DaskSlots` is a pool
of that shape whose slots send each job to a Dask cluster instead, where a worker sets weasyprint
and the theme up once (as a layout process does) and lays the chunk out. Same chunks, same pages:
the question is only whether the cluster's transfers and start-up cost less than it gains. It is a
measurement, not a feature: nothing in the build uses it (see RESULTS.md for why).
"""

from __future__ import annotations

import time
from concurrent.futures import Executor, Future
from pathlib import Path
from typing import Any

from compiler.build import assemble
from compiler.config import load_config
from compiler.package.epub.cover import cover_file_name, find_cover
from compiler.package.pdf.book import authors_of, package_pdf
from compiler.package.pdf.options import PdfOptions
from compiler.package.pdf.typesetter import Job, Laid, Stylesheets, stylesheets
from compiler.read import read_stories
from compiler.render import RenderedBook, render
from compiler.render.theme import load_theme
from compiler.transforms import transform

_set_up: Stylesheets | None = None


def _lay_out(styles: Stylesheets, job: Job) -> Laid:
    """On a Dask worker: the theme set up once per worker process, then the job, as a layout process runs it."""
    global _set_up
    from compiler.package.pdf import typesetter

    if _set_up != styles:
        typesetter.start_typesetter(styles)
        _set_up = styles
    return typesetter.run_job(job)


class _Slot:
    def __init__(self, executor: Executor, styles: Stylesheets) -> None:
        self.executor, self.styles = executor, styles

    def submit(self, _run_job: Any, job: Job) -> Future[Laid]:
        return self.executor.submit(_lay_out, self.styles, job)


class DaskSlots:
    """A pool of `count` slots on a Dask cluster, shaped like package/pdf/workers.Workers."""

    def __init__(self, executor: Executor, styles: Stylesheets, count: int) -> None:
        self.executor, self.styles = executor, styles
        self.live: list[_Slot] = []
        self.grow(count)

    def ready(self) -> None:
        """The slots need no start-up here: a Dask worker sets the theme up on its first job."""

    def grow(self, count: int) -> None:
        while len(self.live) < count:
            self.live.append(_Slot(self.executor, self.styles))

    def retire(self, slot: _Slot) -> None:
        self.live.remove(slot)

    def close(self, failed: bool = False) -> None:
        """The cluster's workers are the cluster's to stop; `failed` changes nothing here."""
        self.live = []


def rendered_book(source: Path) -> tuple[RenderedBook, str, list[str]]:
    """The book as build() has it before the PDF is laid out."""
    config = load_config(source)
    theme = load_theme(config.theme, source)
    anthology, _ = transform(assemble(config, read_stories(source, config).stories))
    rendered = render(anthology, theme, cover_file_name(find_cover(source)))
    return rendered, anthology.meta.title, authors_of(anthology)


def lay_out(rendered: RenderedBook, title: str, authors: list[str], workers: int, pool: Any = None) -> tuple[float, bytes]:
    start = time.perf_counter()
    book = package_pdf(rendered, title, authors, PdfOptions(profile="print", workers=workers, pool=pool, page_map=False))
    return time.perf_counter() - start, book.data


def compare(source: Path, workers: int) -> dict[str, Any]:
    """Seconds to lay the book out with the build's own processes, then on a fresh LocalCluster
    of as many workers (cold: each sets weasyprint up on its first chunk) and again (warm)."""
    from distributed import Client, LocalCluster

    rendered, title, authors = rendered_book(source)
    local_seconds, local_pdf = lay_out(rendered, title, authors, workers)
    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, Client(cluster) as client:
        executor = client.get_executor(pure=False)
        styles = stylesheets(rendered.theme)
        cold_seconds, cold_pdf = lay_out(rendered, title, authors, workers, DaskSlots(executor, styles, workers))
        warm_seconds, warm_pdf = lay_out(rendered, title, authors, workers, DaskSlots(executor, styles, workers))
    return {
        "pages_bytes": len(local_pdf),
        "local_seconds": local_seconds,
        "dask_cold_seconds": cold_seconds,
        "dask_warm_seconds": warm_seconds,
        "same_pages": cold_pdf == local_pdf and warm_pdf == local_pdf,
    }
