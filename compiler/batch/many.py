"""Batch stage: many books at once, `build_many(jobs, executor=None)`.

Each job is the value `build()` takes. It is split into parts (values.py), every part is submitted
to an executor — by default a Dask cluster (cluster.py): a LocalCluster of worker processes on this
machine, or the scheduler that `scheduler=` or DASK_SCHEDULER_ADDRESS names — and every part comes
back as a value, built, cached or failed with its reason. Any `concurrent.futures.Executor` also
works (a ProcessPoolExecutor, Ray's, Dask's `client.get_executor()`). Scheduling, retrying the
parts of a worker that died and spreading over machines are the executor's: nothing here schedules.

Every EPUB part is submitted before any PDF part, so the fast books are done first; a part that
fails, however it fails, fails alone.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor, Future, as_completed

from ..diagnostics import Diagnostic, ExitCode, diagnostic
from ..options import BuildOptions
from .supervise import build_part
from .values import BookResult, Limits, PartResult, Task, failed


def parts_of(options: BuildOptions) -> tuple[tuple[str, BuildOptions], ...]:
    """The job's formats in independent builds, each named by its first format: every format with the
    one its book is made from (the KEPUB and AZW3 with the EPUB, the wrap cover with the PDF). The
    paged part (the PDF, which takes longest) comes last."""
    from ..package.formats import BY_NAME

    def root(name: str) -> str:
        made_from = [need.format for need in BY_NAME[name].needs if need.product == "book"] if name in BY_NAME else []
        return root(made_from[0]) if made_from else name

    groups: dict[str, list[str]] = {}
    for name in options.formats:
        groups.setdefault(root(name), []).append(name)
    order = sorted(groups, key=lambda name: BY_NAME[name].paged if name in BY_NAME else False)
    # The EPUB built apart from the PDF has no print page list (package/formats.py): it would have to
    # wait for the PDF's layout, which is what splitting them avoids.
    return tuple((name, dataclasses.replace(options, formats=tuple(groups[name]), cover_pdf=options.cover_pdf and name == "pdf")) for name in order)


def _tasks(options: BuildOptions, name: str, limits: Limits, rebuild: bool, epoch: str | None, split: bool) -> list[Task]:
    whole = dataclasses.replace(options, source=options.source.absolute(), output=options.output.absolute(), jobs=1)
    if not split:  # one build, as `anthology build` makes it: the EPUB with the PDF's page list
        return [Task(name, "book", whole, epoch, limits, rebuild)]
    return [Task(name, part, part_options, epoch, limits, rebuild) for part, part_options in parts_of(whole)]


def _lost(task: Task, exc: BaseException) -> PartResult:
    """A part whose worker never answered (Dask gave up after several died running it, a pool broke)."""
    reason = f"{type(exc).__name__}: {exc}".strip().rstrip(":")
    return failed(task, (diagnostic("B015", task.options.source, reason=reason[:300]),), ExitCode.BATCH)


def build_many(
    jobs: Iterable[BuildOptions],
    executor: Executor | None = None,
    *,
    scheduler: str | None = None,
    workers: int | None = None,
    limits: Limits = Limits(),
    rebuild: bool = False,
    split: bool = True,
    names: Iterable[str] | None = None,
    on_part: Callable[[PartResult], None] | None = None,
    on_book: Callable[[BookResult], None] | None = None,
) -> list[BookResult]:
    """Build every job's books; one BookResult per job, in the jobs' order. Never raises for a book:
    a book that cannot be made is a result with its reason.

    `executor`: where the parts run (it is not shut down here); None: a Dask cluster, `scheduler`'s
    (an address, e.g. tcp://host:8786), else DASK_SCHEDULER_ADDRESS's, else a LocalCluster of
    `workers` processes (one per core). `limits`: each part's time and memory. `rebuild`: build
    even the books whose last build is still right. `split`: the EPUB and the PDF as separate tasks
    (False: one, so that the EPUB carries the PDF's page list, as `build()` makes it). `names`: how results and progress name each job
    (default: its source folder's name). `on_part`, `on_book`: called with each part as it finishes,
    and with each book once its last part has.
    """
    jobs = list(jobs)
    labels = list(names) if names is not None else [job.source.name for job in jobs]
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    per_job = [_tasks(job, label, limits, rebuild, epoch, split) for job, label in zip(jobs, labels)]
    finished: dict[int, PartResult] = {}
    tasks = {id(task): task for parts in per_job for task in parts}
    job_of = {id(task): n for n, parts in enumerate(per_job) for task in parts}
    waiting = [len(parts) for parts in per_job]
    order = sorted(tasks.values(), key=lambda t: t.part != "epub")  # stable: every EPUB first, in the jobs' order
    with _executor(executor, scheduler, workers) as pool:
        futures: dict[Future[PartResult], Task] = {}
        try:
            for task in order:
                futures[pool.submit(build_part, task)] = task
            for future in as_completed(futures):
                task = futures[future]
                try:
                    result = future.result()
                except Exception as exc:
                    result = _lost(task, exc)
                finished[id(task)] = result
                if on_part is not None:
                    on_part(result)
                n = job_of[id(task)]
                waiting[n] -= 1
                if on_book is not None and not waiting[n]:
                    on_book(BookResult(jobs[n], tuple(finished[id(t)] for t in per_job[n])))
        finally:
            for future in futures:  # on an interrupt: what has not started never will
                future.cancel()
    return [BookResult(job, tuple(finished[id(task)] for task in parts)) for job, parts in zip(jobs, per_job)]


@contextlib.contextmanager
def _executor(executor: Executor | None, scheduler: str | None, workers: int | None) -> Iterator[Executor]:
    if executor is not None:
        yield executor
        return
    from .cluster import dask_executor

    with dask_executor(scheduler, workers) as pool:
        yield pool


def problems_of(jobs: Iterable[BuildOptions]) -> list[Diagnostic]:
    """Options that no book could be built with (a bad format, profile, cover request), each once:
    what the command line checks before starting a cluster."""
    from ..package.formats import choices

    found: dict[str, Diagnostic] = {}
    for job in jobs:
        for problem in job.problems(choices()):
            found.setdefault(str(problem), problem)
    return list(found.values())
