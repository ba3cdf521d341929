"""Package stage (PDF): the layout worker processes.

Each worker is a process of its own that loads weasyprint and the theme once (about a second and a
half) and then lays out whatever chunks and folio layers it is sent (typesetter.run_job). They are
spawned early, while the build reads the stories, and let go one by one as the work runs out.
"""

from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context

from ...render.theme import Theme
from .pagestyle import page_style
from .typesetter import Stylesheets, start_worker, stylesheets


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


def start_workers(theme: Theme, profile: str, one_pass: bool = False, count: int | None = None) -> Workers | None:
    """`count` worker processes (None: one per core) for a book that will be laid out in chunks,
    started now so they are ready when the chunks are; None when it will be laid out in one pass
    or by one process."""
    styles = stylesheets(theme)
    count = count or core_count()
    if profile == "screen" or one_pass or count < 2 or not page_style(styles.sheets).splittable:
        return None
    return Workers(styles, count)
