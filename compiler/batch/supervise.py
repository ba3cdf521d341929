"""Batch stage: one part of one book run in a book process, within its limits. `build_part` is the
function build_many sends to the executor's workers (Dask's, a process pool's, threads).

It hands the task to a book process (child.py) of this worker — started on first use, then kept
warm for the next book — and waits for the answer while watching the clock and the memory of that
process and its children every 0.1 s (as Dask's nanny watches its worker). A part that runs over
its time or memory is killed with its process, which is replaced for the next book: it fails with
the reason (B011, B012) and the other books go on. A worker killed from outside takes its book
process with it (child.py's lifeline) and Dask sends the part to another worker.

`build_part` never raises: every outcome is a PartResult. It imports nothing heavy, so a worker
that only supervises stays small; the pipeline lives in the book process.
"""

from __future__ import annotations

import atexit
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from ..diagnostics import ExitCode, diagnostic
from .values import PartResult, Task, failed, with_where

EVENTS = "anthology-batch"  # the Dask event topic a part's stages are logged under (Client.subscribe_topic)
_POLL = 0.1  # seconds between looks at a book process's clock and memory


class BookProcess:
    def __init__(self) -> None:
        task_read, task_write = os.pipe()
        answer_read, answer_write = os.pipe()
        life_read, life_write = os.pipe()
        self.log = tempfile.TemporaryFile()  # its stderr: the tail explains a crash
        env = dict(os.environ)
        # The same program as this worker's, wherever this worker found it (a checkout, a wheel).
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(Path(__file__).resolve().parents[2]), env.get("PYTHONPATH", "")) if p)
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "compiler.batch.child", str(task_read), str(answer_write), str(life_read)],
                pass_fds=(task_read, answer_write, life_read), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                stderr=self.log, env=env, start_new_session=True,  # its own group: killed with whatever it started
            )
        finally:
            for fd in (task_read, answer_write, life_read):
                os.close(fd)
        self.tasks = Connection(task_write, readable=False)
        self.answers = Connection(answer_read, writable=False)
        self.lifeline = life_write
        self.books = 0
        self.alive = True

    def memory(self) -> int:
        """Resident bytes of the process and everything it started."""
        import psutil  # the batch extra's; imported where used, so that `import compiler.batch` never needs it

        try:
            root = psutil.Process(self.process.pid)
            return sum(p.memory_info().rss for p in [root, *root.children(recursive=True)])
        except psutil.Error:
            return 0

    def run(self, task: Task, say: Callable[[str], None]) -> tuple[PartResult, int]:
        """The part's result and the most memory the process held meanwhile."""
        self.books += 1
        limits = task.limits
        deadline = time.monotonic() + limits.timeout if limits.timeout else float("inf")
        peak = 0
        try:
            self.tasks.send(task)
            look = time.monotonic() + _POLL  # when to look at the clock and the memory next
            while True:
                if self.answers.poll(max(0.0, min(look, deadline) - time.monotonic())):
                    kind, payload = self.answers.recv()
                    if kind == "done":
                        return payload, max(peak, self.memory())
                    say(payload)  # a stage of the build: however many come, the looks below still happen
                    if time.monotonic() < min(look, deadline):
                        continue
                look = time.monotonic() + _POLL
                used = self.memory()
                peak = max(peak, used)
                if limits.memory is not None and used > limits.memory:
                    self.kill()
                    return failed(task, (diagnostic("B012", task.options.source, used=used // 2**20, limit=limits.memory // 2**20),), ExitCode.BATCH), peak
                if time.monotonic() >= deadline:
                    self.kill()
                    return failed(task, (diagnostic("B011", task.options.source, limit=f"{limits.timeout:g}"),), ExitCode.BATCH), peak
        except (EOFError, OSError):
            pass
        self.kill()  # it died by itself: a crash in a library, or the system's out-of-memory killer
        return failed(task, (diagnostic("B013", task.options.source, how=self._how()),), ExitCode.BATCH), peak

    def _how(self) -> str:
        code = self.process.returncode
        how = f"killed by signal {-code}" if code is not None and code < 0 else f"exit status {code}"
        self.log.seek(0)
        tail = self.log.read().decode("utf-8", "replace").strip().splitlines()[-3:]
        return how + (f": {' / '.join(tail)}" if tail else "")

    def kill(self) -> None:
        if self.alive:
            self.alive = False
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.process.wait()
            self._close()

    def close(self) -> None:
        """Let it go: it exits when it reads the end of its tasks, or at once once its lifeline closes."""
        if self.alive:
            self.alive = False
            self._close()

    def _close(self) -> None:
        for end in (self.tasks, self.answers):
            end.close()
        os.close(self.lifeline)
        self.log.close()

    def forget(self) -> None:
        """In a forked copy of the worker: let go of this copy of its pipes; the parent keeps it."""
        self.alive = False
        self._close()


# The idle book processes of this worker (a worker with several threads runs several at once).
_idle: list[BookProcess] = []
_lock = threading.Lock()


def _forget_in_child() -> None:
    """A worker forked from a process that holds book processes (a ProcessPoolExecutor's, made
    after a build_many of its parent's) starts with none: two processes must never share one."""
    global _idle, _lock
    for process in _idle:
        process.forget()
    _idle, _lock = [], threading.Lock()


os.register_at_fork(after_in_child=_forget_in_child)


@atexit.register
def _let_go() -> None:
    with _lock:
        while _idle:
            process = _idle.pop()
            process.close()
            process.process.wait()  # at once: it exits on its lifeline's end; reaped, so its time is counted


def _dask_worker() -> Any:
    """The Dask worker this runs in, if any (distributed is never imported for it)."""
    if "distributed" not in sys.modules:
        return None
    from distributed import get_worker

    try:
        return get_worker()
    except ValueError:
        return None


def build_part(task: Task) -> PartResult:
    """Run one part in a book process of this worker, within the task's limits."""
    started = time.perf_counter()
    worker = _dask_worker()
    where = str(worker.address) if worker is not None else f"{socket.gethostname()}:{os.getpid()}"

    def say(stage: str) -> None:  # a part's progress, on the Dask dashboard's and clients' event stream
        if worker is not None:
            try:
                worker.log_event(EVENTS, {"book": task.book, "part": task.part, "stage": stage, "worker": where})
            except Exception:  # progress is a courtesy: it never stops a book
                pass

    with _lock:
        process = _idle.pop() if _idle else None
    try:
        process = process or BookProcess()
    except OSError as exc:
        result = failed(task, (diagnostic("B013", task.options.source, how=f"could not start: {exc.strerror}"),), ExitCode.BATCH)
        return with_where(result, time.perf_counter() - started, 0, where)
    result, peak = process.run(task, say)
    limit = task.limits.memory
    # Kept for the next book unless it is due for replacement or holds half its ceiling already.
    if process.alive and process.books < task.limits.books_per_process and (limit is None or process.memory() < limit // 2):
        with _lock:
            _idle.append(process)
    else:
        process.close()
    return with_where(result, time.perf_counter() - started, peak, where)
