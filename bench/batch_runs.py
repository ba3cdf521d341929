"""Batch benchmark runs: the same works made three ways, and the parts of the scaling model.

- `anthology batch` on the local Dask cluster (one worker process per core), its process tree
  sampled every 0.1 s so that each worker's peak (the worker and its book process) is known;
- one `anthology build` process at a time, each work into its own folder (bench/measure.py);
- calibre's `ebook-convert` per work and format, `parallel` at a time (AO3 converts each download
  in the web request that asks for it; on this machine's cores, as many at once as it has);
- Dask's own cost per task: no-op tasks through the same executor `build_many` uses.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import measure
import psutil

ROOT = Path(__file__).resolve().parent.parent
PYTHON = [sys.executable, "-m", "compiler"]


@dataclass
class TreePeaks:
    """Peaks over a run, in bytes: the whole tree, each Dask worker with its book process, each alone."""

    tree: int = 0
    driver: int = 0
    per_worker: dict[int, int] = field(default_factory=dict)  # worker pid -> peak of it and its children
    worker_alone: int = 0
    book_process: int = 0


@dataclass(frozen=True)
class BatchRun:
    seconds: float
    cpu_seconds: float
    returncode: int
    peaks: TreePeaks
    log: Path


def _rss(process: psutil.Process) -> int:
    try:
        return int(process.memory_info().rss)
    except psutil.Error:
        return 0


def _sample(pid: int, peaks: TreePeaks, done: threading.Event) -> None:
    while not done.is_set():
        try:
            driver = psutil.Process(pid)
            workers = driver.children()
        except psutil.Error:
            return
        total = own = _rss(driver)
        for worker in workers:
            try:
                books = worker.children(recursive=True)
            except psutil.Error:
                books = []
            alone = _rss(worker)
            below = sum(_rss(b) for b in books)
            total += alone + below
            peaks.per_worker[worker.pid] = max(peaks.per_worker.get(worker.pid, 0), alone + below)
            peaks.worker_alone = max(peaks.worker_alone, alone)
            peaks.book_process = max([peaks.book_process] + [_rss(b) for b in books])
        peaks.tree, peaks.driver = max(peaks.tree, total), max(peaks.driver, own)
        done.wait(0.1)


def run_batch(works: Path, out: Path, report: Path, env: dict[str, str], log: Path) -> BatchRun:
    command = [*PYTHON, "batch", str(works), "-o", str(out), "--report", str(report), "-q"]
    with log.open("wb") as sink:
        start = time.perf_counter()
        proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=sink, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        peaks, done = TreePeaks(), threading.Event()
        sampler = threading.Thread(target=_sample, args=(proc.pid, peaks, done), daemon=True)
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        done.set()
        sampler.join()
    return BatchRun(seconds, usage.ru_utime + usage.ru_stime, os.waitstatus_to_exitcode(status), peaks, log)


def run_sequential(names: list[str], works: Path, out: Path, env: dict[str, str], logs: Path) -> dict[str, measure.Run]:
    return {name: measure.run([*PYTHON, "build", str(works / name), "-o", str(out / name), "-q"], logs / f"{name}.log", env, ROOT) for name in names}


def run_calibre(inputs: dict[str, Path], out: Path, env: dict[str, str], logs: Path, parallel: int) -> tuple[float, dict[str, dict[str, measure.Run]]]:
    """Wall time of the whole, and each conversion's run."""
    out.mkdir(parents=True, exist_ok=True)
    jobs = [(name, fmt) for name in inputs for fmt in ("epub", "pdf")]

    def convert(job: tuple[str, str]) -> tuple[str, str, measure.Run]:
        name, fmt = job
        # calibre picks its reader by suffix: .html, .txt, and .md (its text reader, as Markdown).
        command = ["ebook-convert", str(inputs[name]), str(out / f"{name}.{fmt}")]
        return name, fmt, measure.run(command, logs / f"{name}.{fmt}.log", env)

    runs: dict[str, dict[str, measure.Run]] = {}
    start = time.perf_counter()
    with ThreadPoolExecutor(parallel) as pool:
        for name, fmt, run in pool.map(convert, jobs):
            runs.setdefault(name, {})[fmt] = run
    return time.perf_counter() - start, runs


def calibre_env() -> dict[str, str]:
    # calibre renders PDFs in Qt WebEngine: headless, and without Chromium's sandbox as root.
    return {**os.environ, "QT_QPA_PLATFORM": "offscreen", "QTWEBENGINE_CHROMIUM_FLAGS": "--no-sandbox"}


def _nothing() -> None:
    return None


def dask_overhead(tasks: int, workers: int) -> dict[str, float]:
    """Seconds per no-op task through a LocalCluster's executor (client → scheduler → worker → back),
    with `workers` workers taking them in parallel, after a warm-up."""
    from distributed import Client, LocalCluster

    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, Client(cluster) as client:
        pool = client.get_executor(pure=False)
        list(pool.map(lambda _: None, range(50)))
        start = time.perf_counter()
        futures = [pool.submit(_nothing) for _ in range(tasks)]
        for future in futures:
            future.result()
        seconds = time.perf_counter() - start
    return {"tasks": tasks, "seconds": seconds, "per_task_ms": seconds / tasks * 1000, "tasks_per_second": tasks / seconds}
