"""A build with a ceiling: `--timeout SECONDS` and `--max-memory MB` (BuildOptions.timeout, .max_memory).

The build runs in a process of its own, leading a process group of its own, so the layout workers
it starts are in that group too; this process watches it. Past the time, or when the resident
memory of the whole group (the build and every worker, added up: shared libraries count in each)
passes the ceiling, the group is killed at once (SIGKILL: a build deep in weasyprint would not
stop for less) and the build stops with L010 or L011 and exit code 8. Nothing is half-written: the
books are replaced only after the watched process asks to and is let (the renames take
microseconds and are never interrupted), the temporary files a killed build leaves in the output
folder are removed, and its TMPDIR (where weasyprint keeps its own temporary folders) is a private
folder removed with it.

Why not RLIMIT_AS: it limits each process's address space, not the group's, and weasyprint's
processes map far more than they touch (glibc reserves an arena per thread, fontconfig maps every
font file), so a limit low enough to matter fails allocations at random inside Pango or cairo
instead of stopping the build. The resident set is what the machine gives up, so that is watched.
"""

from __future__ import annotations

import dataclasses
import multiprocessing
import os
import shutil
import signal
import tempfile
import time
import traceback
from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, Protocol, TypeVar

from .diagnostics import BuildError, ExitCode, stop
from .options import BuildOptions

Result = TypeVar("Result", covariant=True)


class Builder(Protocol[Result]):
    """`compiler.build.build`, passed in (by reference: it is pickled into the watched process)."""

    def __call__(self, options: BuildOptions, progress: Callable[[str], None] | None = None, *, before_replacing: Callable[[], None] | None = None) -> Result: ...

POLL = 0.1  # seconds between looks at the clock and the memory: how far past a limit a build can run


def _tree_rss(pid: int) -> int:
    """Resident bytes of a process and all its descendants."""
    import psutil

    try:
        root = psutil.Process(pid)
        processes = [root, *root.children(recursive=True)]
    except psutil.Error:
        return 0
    total = 0
    for process in processes:
        try:
            total += process.memory_info().rss
        except psutil.Error:
            continue  # ended between the listing and the look
    return total


def _child(build: Builder[Any], options: BuildOptions, conn: Connection, scratch: str) -> None:
    """The watched build: in its own process group, with its own TMPDIR, talking through `conn`."""
    os.setpgid(0, 0)
    os.environ["TMPDIR"] = scratch  # inherited by the layout workers it spawns
    tempfile.tempdir = scratch

    def before_replacing() -> None:
        conn.send(("replace",))
        conn.recv()  # the watcher's go-ahead: from now on it never kills this process

    try:
        result = build(options, lambda stage: conn.send(("stage", stage)), before_replacing=before_replacing)
        conn.send(("done", result))
    except BuildError as exc:
        conn.send(("error", int(exc.exit_code), exc.diagnostics))
    except BaseException as exc:  # a bug: said as the watcher's own internal error
        conn.send(("crash", f"{type(exc).__name__}: {exc}", traceback.format_exc()))


class BuildCrashed(RuntimeError):
    """The watched build raised something other than BuildError (a bug), or died by itself."""


def _kill(process: multiprocessing.process.BaseProcess) -> None:
    pid = process.pid
    if pid is None:
        return
    for target in (lambda: os.killpg(pid, signal.SIGKILL), lambda: os.kill(pid, signal.SIGKILL)):
        try:
            target()
        except (ProcessLookupError, PermissionError):
            pass


def _remove_temporaries(output: Path) -> None:
    """The hidden `.NAME.*.part` files a killed build may have left beside the books."""
    from .package.formats import FORMATS

    names = tuple(f".{fmt.file_name}." for fmt in FORMATS)
    try:
        leftovers = [p for p in output.iterdir() if p.name.startswith(names) and p.name.endswith(".part")]
    except OSError:
        return
    for path in leftovers:
        path.unlink(missing_ok=True)


def build_bounded(build: Builder[Result], options: BuildOptions, progress: Callable[[str], None] | None = None) -> Result:
    step = progress or (lambda _stage: None)
    context = multiprocessing.get_context("spawn")  # a fresh interpreter: safe from any caller's threads
    scratch = tempfile.mkdtemp(prefix="anthology-build-")
    ours, theirs = context.Pipe()
    unbounded = dataclasses.replace(options, timeout=None, max_memory=None)
    process = context.Process(target=_child, args=(build, unbounded, theirs, scratch), name="anthology-build")
    started = time.monotonic()
    stage = "starting"
    watching = True  # until the build asks to replace the books
    finished = False  # the build said how it ended (its books, or its errors)
    try:
        process.start()
        theirs.close()
        while True:
            if ours.poll(POLL):
                try:
                    message: tuple[Any, ...] = ours.recv()
                except EOFError:
                    raise BuildCrashed(f"the build process ended without a word (exit code {process.exitcode})") from None
                if message[0] == "stage":
                    stage = message[1]
                    step(stage)
                elif message[0] == "replace":
                    watching = False  # the books are being replaced: let it finish, whatever it takes
                    ours.send("go")
                elif message[0] == "done":
                    finished = True
                    result: Result = message[1]
                    return result
                elif message[0] == "error":
                    finished = True
                    raise BuildError(ExitCode(message[1]), message[2])
                else:
                    crash = BuildCrashed(message[1])
                    crash.add_note(f"in the build process:\n{message[2]}")  # shown with --debug
                    raise crash
            if not watching:
                continue
            elapsed = time.monotonic() - started
            if options.timeout is not None and elapsed > options.timeout:
                _kill(process)
                raise stop("L010", options.source, seconds=f"{options.timeout:g}", stage=stage)
            if options.max_memory is not None and process.pid is not None:
                used = _tree_rss(process.pid)
                if used > options.max_memory * 2**20:
                    _kill(process)
                    raise stop("L011", options.source, used=f"{used / 2**20:,.0f}", limit=f"{options.max_memory:,}", stage=stage)
    finally:
        if not finished and watching:
            _kill(process)  # the build and every worker it started: its process group
        process.join()
        ours.close()
        shutil.rmtree(scratch, ignore_errors=True)
        _remove_temporaries(options.output)
