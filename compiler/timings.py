"""Where a build's time goes: spans of wall and CPU time, recorded only when asked.

bench/ sets `ANTHOLOGY_TIMINGS` to a file; the build then appends one JSON line per span (the stage,
when it began and ended in seconds since the epoch, the CPU it took, the process that ran it) and
bench/ reads them into the cost split per stage and the critical path on more cores. Without the
variable nothing is measured or kept.

The recorder of the build in progress is a context variable, not a module global: two builds in one
process (a batch runner, `anthology watch`) each record their own, and none records when asked not to.
Work done in the PDF layout processes is timed there and sent back with its result (typesetter.Laid).
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import asdict, dataclass, field
from pathlib import Path

ENVIRONMENT = "ANTHOLOGY_TIMINGS"


@dataclass(frozen=True)
class Span:
    stage: str  # "read", "transforms", … or a layout job's kind: "chunk", "layer", "notes", "front"
    start: float  # time.time()
    end: float
    cpu: float  # seconds of CPU (user + system) the span's process spent in it
    pid: int
    detail: dict[str, int | str] = field(default_factory=dict)


@dataclass
class Recorder:
    spans: list[Span] = field(default_factory=list)

    def add(self, span: Span) -> None:
        self.spans.append(span)


_CURRENT: ContextVar[Recorder | None] = ContextVar("anthology_timings", default=None)


@contextlib.contextmanager
def recording(path: str | None = None) -> Iterator[Recorder | None]:
    """Record the spans of the work inside, and append them to `path` (default: $ANTHOLOGY_TIMINGS)
    as JSON lines when it ends, however it ends; nothing at all without a path."""
    path = path if path is not None else os.environ.get(ENVIRONMENT)
    if not path:
        yield None
        return
    recorder = Recorder()
    token = _CURRENT.set(recorder)
    try:
        yield recorder
    finally:
        _CURRENT.reset(token)
        with Path(path).open("a", encoding="utf-8") as out:
            for span in recorder.spans:
                out.write(json.dumps(asdict(span)) + "\n")


def active() -> bool:
    return _CURRENT.get() is not None


@contextlib.contextmanager
def span(stage: str, **detail: int | str) -> Iterator[None]:
    """Time the work inside as `stage`, in this process."""
    recorder = _CURRENT.get()
    if recorder is None:
        yield
        return
    start, cpu = time.time(), time.process_time()
    try:
        yield
    finally:
        recorder.add(Span(stage, start, time.time(), time.process_time() - cpu, os.getpid(), dict(detail)))


def record(stage: str, start: float, end: float, cpu: float, pid: int, **detail: int | str) -> None:
    """A span timed elsewhere (in a layout process)."""
    recorder = _CURRENT.get()
    if recorder is not None:
        recorder.add(Span(stage, start, end, cpu, pid, dict(detail)))


def started() -> None:
    """The process so far, from its start (as /proc tells it) to now: the interpreter and the imports."""
    if _CURRENT.get() is None:
        return
    now = time.time()
    try:
        ticks = int(Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()[19])  # field 22: start, in ticks after boot
        age = float(Path("/proc/uptime").read_text().split()[0]) - ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        age = 0.0
    record("start-up", now - max(age, 0.0), now, time.process_time(), os.getpid())
