"""Package stage (PDF): the layout worker processes.

Each worker lays out whatever chunks and folio layers it is sent (typesetter.run_job), one at a
time, and is let go when the work runs out. Three things make them cheap and safe:

- **Warm starts.** Where the platform forks (Linux, macOS), workers are forked from
  multiprocessing's fork server, which imports weasyprint and the layout modules once (warm.py);
  a worker then only reads the theme (about 0.03 s of CPU) instead of starting an interpreter and
  importing weasyprint (about 0.4 s each). The server is started on a thread of its own, as the
  build begins, so the build reads the stories meanwhile; it lives as long as the process that
  started it, so a second build in that process (a batch runner, `anthology watch`) starts its
  workers at once. Elsewhere they are spawned.
- **They die with the build.** Each watches a pipe whose only writer is the build's process (its
  "lifeline"): when that process ends, however it ends (SIGKILL included), the pipe reads as closed
  and the worker exits at once, instead of living on and holding its parent's output open.
- **They leave nothing behind.** A worker's temporary files (weasyprint's copies of the theme's
  fonts, `weasyprint-*`) go into a folder of its own, removed when it exits, either way.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import shutil
import tempfile
import threading
import time
from concurrent.futures import Future, ProcessPoolExecutor
from multiprocessing.connection import Connection, wait
from multiprocessing.context import BaseContext
from multiprocessing.util import Finalize

from ... import timings
from ...render.theme import Theme
from .pagestyle import page_style
from .typesetter import Stylesheets, start_typesetter, stylesheets

# Imported by the fork server before it forks any worker; see warm.py.
_PRELOAD = ["compiler.package.pdf.warm"]


def _context() -> BaseContext:
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        # The server is the process's one; this names what it loads if it is not running yet.
        context.set_forkserver_preload(_PRELOAD)
        return context
    # spawn, not fork: a worker starts lean instead of sharing the whole build's memory.
    return multiprocessing.get_context("spawn")


def prepare() -> None:
    """Start the fork server now, if workers are forked from one: it takes about a third of a
    second to import weasyprint, which the command line can spend importing and reading the
    stories. Without a fork server (or when one runs already) this does nothing."""
    if core_count() > 1 and isinstance(_context(), multiprocessing.context.ForkServerContext):
        from multiprocessing import forkserver

        forkserver.ensure_running()


def _start(styles: Stylesheets, lifeline: Connection) -> None:
    """In a new worker process, before any job: its temporary folder, its lifeline, the theme."""
    folder = tempfile.mkdtemp(prefix="anthology-layout-")
    tempfile.tempdir = folder  # this process's temporary files (weasyprint's fonts) go in here
    # At a normal exit (multiprocessing runs its finalizers as the process ends).
    Finalize(None, shutil.rmtree, args=(folder,), kwargs={"ignore_errors": True}, exitpriority=10)
    threading.Thread(target=_watch, args=(lifeline, folder), name="lifeline", daemon=True).start()
    start_typesetter(styles)
    # What start-up made lives as long as the worker: out of the collector's sight, so that the
    # collections each job's garbage sets off do not walk weasyprint's modules and tables again.
    gc.freeze()


def _watch(lifeline: Connection, folder: str) -> None:
    """The build's process holds the only writing end: the pipe turns readable (closed) only when
    that process is gone, or has let the workers go."""
    wait([lifeline])
    shutil.rmtree(folder, ignore_errors=True)
    os._exit(0)


def _ready() -> tuple[int, float, float]:
    """A job that does nothing: submitting one per worker starts it now. Returns what its start cost."""
    return os.getpid(), time.time(), time.process_time()


class Workers:
    """Layout worker processes, each in an executor of its own so that one can be let go while
    another works; started by build() before the stories are read when the book will take several
    chunks, else by the runner when it has several jobs."""

    def __init__(self, styles: Stylesheets, count: int) -> None:
        self.styles = styles
        self.live: list[ProcessPoolExecutor] = []
        self.context = _context()
        self._lifeline, self._held = self.context.Pipe(duplex=False)  # (the workers' end, ours)
        self._starting: list[tuple[float, Future[tuple[int, float, float]]]] = []
        self._failed: BaseException | None = None
        # Starting the fork server takes as long as importing weasyprint: done beside the build.
        self._starter: threading.Thread | None = threading.Thread(target=self._first, args=(count,), name="layout workers", daemon=True)
        self._starter.start()

    def _first(self, count: int) -> None:
        try:
            self._grow(count)
        except BaseException as exc:  # raised again where the workers are wanted (ready)
            self._failed = exc

    def ready(self) -> None:
        """Wait until the workers asked for at first are started."""
        if self._starter is not None:
            self._starter.join()
            self._starter = None
        if self._failed is not None:
            failed, self._failed = self._failed, None
            raise failed

    def grow(self, count: int) -> None:
        self.ready()
        self._grow(count)

    def _grow(self, count: int) -> None:
        while len(self.live) < count:
            worker = ProcessPoolExecutor(max_workers=1, mp_context=self.context, initializer=_start, initargs=(self.styles, self._lifeline))
            self._starting.append((time.time(), worker.submit(_ready)))
            self.live.append(worker)

    def retire(self, worker: ProcessPoolExecutor) -> None:
        """Let an idle worker exit now, giving its memory back."""
        self.live.remove(worker)
        worker.shutdown(wait=False)

    def close(self, failed: bool = False) -> None:
        """Let every worker go. `failed`: the build stops, so they stop now, mid-job if need be."""
        if self._starter is not None:
            self._starter.join()
            self._starter = None
        if failed:
            self._held.close()  # their lifeline: each exits as soon as it sees it closed
        for worker in self.live:
            worker.shutdown(cancel_futures=True)  # nothing queued is started
        self.live = []
        self._held.close()
        self._lifeline.close()
        for spawned, future in self._starting:
            if future.done() and future.exception() is None:
                pid, ready, cpu = future.result()
                timings.record("layout start-up", spawned, ready, cpu, pid)
        self._starting = []


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
