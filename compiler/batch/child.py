"""Batch stage: the book process, which builds the parts its worker sends it, one at a time.

supervise.py starts it as `python -m compiler.batch.child TASKS ANSWERS LIFELINE` (three pipe
descriptors). It reads a Task from TASKS, builds it, and answers on ANSWERS with ("stage", text) as
the build goes and ("done", PartResult) at the end. Its imports stay warm from one book to the next
(the pipeline, and weasyprint once a PDF is made: a second and a half of start-up saved per book).

LIFELINE is a pipe nobody writes to: its end of file means the worker that started this process is
gone (killed, or its machine lost), and the process exits at once rather than go on writing a book
that the cluster is building again elsewhere.
"""

from __future__ import annotations

import dataclasses
import os
import resource
import sys
import threading
import traceback
from collections.abc import Callable
from multiprocessing.connection import Connection

from ..diagnostics import BuildError, ExitCode, diagnostic
from .stamps import content_key, still_built, sweep, write_stamp
from .values import PartResult, Status, Task, failed


def run(task: Task, say: Callable[[str], None]) -> PartResult:
    """Build one part, unless its books are still those of its last build, with the processor time
    it took; never raises."""
    before = _cpu()
    result = _run(task, say)
    return dataclasses.replace(result, cpu_seconds=_cpu() - before)


def _cpu() -> float:
    mine, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return mine.ru_utime + mine.ru_stime + children.ru_utime + children.ru_stime


def _run(task: Task, say: Callable[[str], None]) -> PartResult:
    from ..build import build
    from ..package.formats import plan

    # The caller's SOURCE_DATE_EPOCH (or none), whatever this machine's environment says: the same
    # sources give the same books on every worker.
    if task.epoch is None:
        os.environ.pop("SOURCE_DATE_EPOCH", None)
    else:
        os.environ["SOURCE_DATE_EPOCH"] = task.epoch
    options = task.options
    try:
        formats = plan(options)  # also each format's preflight, here, on the machine that makes it
        sweep(options.output, task.part, tuple(f.file_name for f in formats))
        key = content_key(options, task.epoch)
        kept = None if task.rebuild else still_built(options.output, task.part, key)
        if kept is not None:
            return PartResult(task.book, task.part, Status.CACHED, kept[0], kept[1])
        result = build(options, say)
        if content_key(options, task.epoch) == key:  # a work edited while it was built is not stamped
            write_stamp(options.output, task.part, key, result.outputs, result.diagnostics)
        return PartResult(task.book, task.part, Status.BUILT, result.outputs, result.diagnostics)
    except BuildError as exc:
        return failed(task, tuple(exc.diagnostics), exc.exit_code)
    except Exception as exc:  # a bug, or the disk: this book fails with it, the others go on
        where = traceback.extract_tb(exc.__traceback__)[-1]
        error = f"{type(exc).__name__}: {exc} (at {os.path.basename(where.filename)}:{where.lineno})"
        return failed(task, (diagnostic("B014", options.source, error=error),), ExitCode.BATCH)


def _die_with_parent(lifeline: int) -> None:
    while os.read(lifeline, 1):  # nobody writes: this returns b"" once the parent's end is closed
        pass
    os._exit(1)


def main(argv: list[str]) -> None:
    tasks = Connection(int(argv[0]), writable=False)
    answers = Connection(int(argv[1]), readable=False)
    threading.Thread(target=_die_with_parent, args=(int(argv[2]),), daemon=True).start()
    from .. import build as _warm  # noqa: F401  (the pipeline loaded before the first book arrives)

    while True:
        try:
            task = tasks.recv()
        except EOFError:  # the worker let this process go
            return
        answers.send(("done", run(task, lambda stage: answers.send(("stage", stage)))))


if __name__ == "__main__":
    main(sys.argv[1:])
