"""Batch stage: what many builds are asked to do and what each one did, as plain picklable values.

A job is the value `build()` takes (BuildOptions: a source folder, an output folder, formats…). It is
split into parts, one per book that can be made on its own: the EPUB (with the KEPUB and AZW3 made
from it) and the PDF (with the wrap cover), so that the fast EPUB is never held back by the PDF.
Each part is a `Task` run in a book process of its own (supervise.py) and comes back as a
`PartResult`; a job's parts together are its `BookResult`.
"""

from __future__ import annotations

import dataclasses
import enum
from dataclasses import dataclass
from pathlib import Path

from ..diagnostics import Diagnostic, Severity
from ..options import BuildOptions


class Status(enum.StrEnum):
    BUILT = "built"
    CACHED = "cached"  # unchanged since the last build into the same folder: its books kept as they are
    FAILED = "failed"


@dataclass(frozen=True)
class Limits:
    """What one part of one book may take; a book process that runs over is killed (the book fails,
    the others go on) and a new one started for the next book."""

    timeout: float | None = 600.0  # seconds of wall time a part may take
    memory: int | None = 2 * 2**30  # bytes of resident memory its process (and its children) may hold
    books_per_process: int = 100  # a book process is replaced after this many, as a precaution against leaks


@dataclass(frozen=True)
class Task:
    """One part of one book, as sent to a worker."""

    book: str  # the work's name, as the summary shows it
    part: str  # the format the part is made of: "epub" or "pdf" (package/formats.py)
    options: BuildOptions  # absolute paths; this part's formats only; one layout process (the cluster spreads the books)
    epoch: str | None  # SOURCE_DATE_EPOCH where build_many was called: the same books on every machine
    limits: Limits = Limits()
    rebuild: bool = False  # build even when the last build's books are still right


@dataclass(frozen=True)
class PartResult:
    book: str
    part: str
    status: Status
    outputs: tuple[Path, ...] = ()
    diagnostics: tuple[Diagnostic, ...] = ()  # the build's own; for a failure, the errors that stopped it
    reason: str = ""  # why it failed, in one line
    exit_code: int = 0  # what `anthology build` would have exited with
    seconds: float = 0.0  # wall time from handing the part to its book process to its answer
    cpu_seconds: float = 0.0  # processor time the book process spent on it (and whatever it ran, e.g. calibre)
    peak_memory: int = 0  # bytes: the book process's largest resident size while it worked on this part
    worker: str = ""  # where it ran: the Dask worker's address, or host:pid


@dataclass(frozen=True)
class BookResult:
    """One job: its parts, EPUB first."""

    options: BuildOptions
    parts: tuple[PartResult, ...]

    @property
    def name(self) -> str:
        return self.parts[0].book if self.parts else self.options.source.name

    @property
    def status(self) -> Status:
        statuses = {p.status for p in self.parts}
        if Status.FAILED in statuses or not statuses:
            return Status.FAILED
        return Status.BUILT if Status.BUILT in statuses else Status.CACHED

    @property
    def outputs(self) -> tuple[Path, ...]:
        return tuple(path for p in self.parts for path in p.outputs)

    @property
    def diagnostics(self) -> tuple[Diagnostic, ...]:
        """Each once: both parts read the same stories, and say the same about them."""
        return tuple(dict.fromkeys(d for p in self.parts for d in p.diagnostics))

    @property
    def reason(self) -> str:
        return "; ".join(f"{p.part}: {p.reason}" for p in self.parts if p.status is Status.FAILED)


def failed(task: Task, diagnostics: tuple[Diagnostic, ...], exit_code: int) -> PartResult:
    """A part that could not be made, its reason the first error among `diagnostics`."""
    errors = [d for d in diagnostics if d.severity >= Severity.ERROR] or list(diagnostics)
    reason = f"{errors[0].code}: {errors[0].message}" if errors else "failed"
    if errors and errors[0].path is not None:
        reason = f"{errors[0].where()}: {reason}"
    return PartResult(task.book, task.part, Status.FAILED, (), diagnostics, reason, exit_code)


def with_where(result: PartResult, seconds: float, peak_memory: int, worker: str) -> PartResult:
    return dataclasses.replace(result, seconds=seconds, peak_memory=max(result.peak_memory, peak_memory), worker=worker)
