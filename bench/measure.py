"""Running one command and measuring it: wall time, CPU time and peak memory of its whole process tree.

CPU time is what the kernel charged to every process the command started: this process adopts the
orphans of its commands (PR_SET_CHILD_SUBREAPER), reaps them all, and reads how much its reaped
children cost (RUSAGE_CHILDREN) before and after. A process that outlived the command by ten
seconds is killed, and said so (`left_running`).

Peak memory is the larger of two readings, because each misses something:
- `ru_maxrss` from wait4(2): exact, but the largest *single* process in the tree (Linux folds
  reaped descendants in as a max, not a sum), so it under-counts pandoc + its weasyprint child, or
  a build that lays chapters out in parallel worker processes;
- the sum of VmRSS over the process and all its descendants, sampled every 20 ms from /proc:
  catches processes alive at once, but can miss a spike shorter than the interval.
"""

from __future__ import annotations

import contextlib
import os
import resource
import signal
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

SAMPLE_SECONDS = 0.02


@dataclass(frozen=True)
class Run:
    seconds: float  # wall clock
    cpu_seconds: float  # user + system time of the process and every descendant (orphans too, on Linux)
    peak_bytes: int
    returncode: int
    log: Path  # stdout and stderr of the command
    spawned: float = 0.0  # time.time() just before the command was started
    reaped: float = 0.0  # … and once it was reaped
    left_running: int = 0  # 1: descendants still alive ORPHANS_GRACE after the command ended (killed then)


def _children(pid: int) -> list[int]:
    kids: list[int] = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as handle:
                kids += [int(k) for k in handle.read().split()]
    except OSError:  # the process ended between two reads
        pass
    return kids


def _rss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as handle:
            for line in handle:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def tree_rss(pid: int) -> int:
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        total += _rss(current)
        stack += _children(current)
    return total


class _Sampler(threading.Thread):
    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak = 0
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            self.peak = max(self.peak, tree_rss(self.pid))
            self.done.wait(SAMPLE_SECONDS)


_PR_SET_CHILD_SUBREAPER = 36  # linux/prctl.h
ORPHANS_GRACE = 10.0  # seconds a descendant may outlive the command before it is killed (and reported)


def _adopt_orphans() -> bool:
    """Make this process the reaper of its descendants' orphans (Linux), so that their CPU time is
    counted even when their own parent exited without waiting for them: a fork server and the
    workers it forked outlive the command by a moment, and only their reaper hears what they cost."""
    try:
        import ctypes

        return bool(ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0)
    except (OSError, AttributeError):
        return False


def _reap_orphans(group: int) -> int:
    """Wait for every descendant left behind; kill its process group if any is still alive
    ORPHANS_GRACE seconds on. Returns 1 if it had to (a build must leave nothing running), else 0."""
    killed: list[int] = []

    def kill() -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(group, signal.SIGKILL)
            killed.append(group)

    timer = threading.Timer(ORPHANS_GRACE, kill)
    timer.start()
    try:
        while True:
            os.waitpid(-1, 0)
    except ChildProcessError:  # none left
        pass
    finally:
        timer.cancel()
    return len(killed)


def run(command: list[str], log: Path, env: dict[str, str] | None = None, cwd: Path | None = None) -> Run:
    """Run `command` to the end; time it from spawn to reaping (of the command, not its orphans)."""
    log.parent.mkdir(parents=True, exist_ok=True)
    # Reaping orphans waits for any child (waitpid(-1)): with commands run from several threads at
    # once (calibre's conversions, in parallel) it would take the others' children, so only a run
    # on the main thread adopts them; a command run on a thread is counted by its own wait4.
    adopting = threading.current_thread() is threading.main_thread() and _adopt_orphans()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with open(log, "wb") as out:
        spawned = time.time()
        start = time.perf_counter()
        # A session of its own, so an interrupted benchmark can end the whole tree (pandoc's
        # weasyprint child too) and leave nothing running.
        proc = subprocess.Popen(
            command, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env, cwd=cwd, start_new_session=True
        )
        sampler = _Sampler(proc.pid)
        sampler.start()
        try:
            # wait4 rather than proc.wait(): it also hands back the child's resource usage.
            _, status, usage = os.wait4(proc.pid, 0)
        except BaseException:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            sampler.done.set()
            raise
        seconds = time.perf_counter() - start
        reaped = spawned + seconds
        proc.returncode = os.waitstatus_to_exitcode(status)
        sampler.done.set()
        sampler.join()
        left = _reap_orphans(proc.pid) if adopting else 0
    peak = max(usage.ru_maxrss * 1024, sampler.peak)  # ru_maxrss is in KiB on Linux
    if adopting:  # everything the command started, reaped by whichever process
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    else:
        cpu = usage.ru_utime + usage.ru_stime
    return Run(seconds, cpu, peak, proc.returncode, log, spawned, reaped, left)


def log_tail(log: Path, lines: int = 15) -> str:
    try:
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""
