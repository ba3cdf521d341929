"""The PDF's layout processes (issue 19, issue 17 item 7): weasyprint imported without starting
processes, workers that die with the build however it ends, and nothing left behind."""

from __future__ import annotations

import ctypes.util
import importlib.metadata
import os
import pty
import re
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from compiler.atomic import remove_stale_parts, write_atomically
from compiler.package.pdf import engine

from .helpers import ROOT, seeds_over


def test_weasyprint_is_the_version_whose_private_parts_this_program_reads() -> None:
    # engine.font_folder (and typesetter.describe, pagestarts) read weasyprint's internals: a new
    # weasyprint must be read again before the pin in pyproject.toml moves.
    assert importlib.metadata.version("weasyprint") == engine.WEASYPRINT
    from weasyprint.text.fonts import FontConfiguration

    fonts = FontConfiguration()
    assert hasattr(fonts, "_folder"), "weasyprint no longer keeps its font folder in FontConfiguration._folder"


def test_importing_weasyprint_starts_one_process_not_eighty() -> None:
    # In a fresh interpreter: every process the import starts is counted.
    code = (
        "import subprocess\n"
        "started = []\n"
        "spawn = subprocess.Popen._execute_child\n"
        "def counted(self, args, *rest, **kw):\n"
        "    started.append(args[0] if isinstance(args, list) else args)\n"
        "    return spawn(self, args, *rest, **kw)\n"
        "subprocess.Popen._execute_child = counted\n"
        "from compiler.package.pdf.engine import load\n"
        "load()\n"
        "import weasyprint.text.ffi as ffi\n"
        "assert ffi.pango is not None and ffi.harfbuzz is not None and ffi.fontconfig is not None\n"
        "print(len(started), started)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert int(out.split()[0]) <= 1, out  # `ldconfig -p`, once


def test_the_library_table_answers_as_ctypes_does() -> None:
    lookup = engine.table_lookup(engine._ldconfig_listing())
    for name in ("gobject-2.0", "pango-1.0", "harfbuzz", "fontconfig", "pangoft2-1.0", "c"):
        assert lookup(name) == ctypes.util.find_library(name), name
    assert lookup("libgobject-2.0-0") is None  # a Windows name weasyprint tries: not found, at once


def test_a_dead_writers_temporary_file_is_removed_and_a_live_ones_kept(tmp_path: Path) -> None:
    gone = subprocess.Popen(["true"])
    gone.wait()
    stale = tmp_path / f".anthology.pdf.{gone.pid}.k3j2h1g0.part"
    live = tmp_path / f".anthology.pdf.{os.getppid()}.a1b2c3d4.part"  # pytest's parent: running
    other = tmp_path / f".anthology.epub.{gone.pid}.a1b2c3d4.part"
    for part in (stale, live, other):
        part.write_bytes(b"half a book")
    write_atomically(tmp_path / "anthology.pdf", b"%PDF-")
    assert (tmp_path / "anthology.pdf").read_bytes() == b"%PDF-"
    assert not stale.exists() and live.exists() and other.exists()  # only the file being written is looked at
    assert remove_stale_parts(tmp_path) == [other]


def _descendants(pid: int) -> set[int]:
    found: set[int] = set()
    stack = [pid]
    while stack:
        current = stack.pop()
        try:
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as handle:
                    kids = {int(k) for k in handle.read().split()}
                stack += sorted(kids - found)
                found |= kids
        except OSError:  # it ended meanwhile
            pass
    return found


def _wait_until_gone(pids: set[int], seconds: float) -> set[int]:
    """Each process's pidfd turns readable when it ends; returns those still running after `seconds`."""
    fds = {}
    for pid in pids:
        try:
            fds[os.pidfd_open(pid)] = pid
        except ProcessLookupError:
            pass
    deadline = time.monotonic() + seconds
    try:
        while fds and time.monotonic() < deadline:
            ready, _, _ = select.select(list(fds), [], [], deadline - time.monotonic())
            for fd in ready:
                os.close(fd)
                del fds[fd]
        return set(fds.values())
    finally:
        for fd in fds:
            os.close(fd)


@pytest.mark.slow
@pytest.mark.skipif(not hasattr(os, "pidfd_open") or not Path("/proc/self/task").is_dir(), reason="needs Linux's /proc and pidfd")
@pytest.mark.parametrize("kill", [signal.SIGKILL, signal.SIGTERM], ids=["SIGKILL", "SIGTERM"])
def test_a_killed_build_leaves_no_process_and_no_file_behind(kill: signal.Signals, tmp_path: Path) -> None:
    src = seeds_over(tmp_path / "src", 5, "Killed")
    out, temp = tmp_path / "out", tmp_path / "tmp"
    temp.mkdir()
    env = dict(os.environ, TMPDIR=str(temp), TERM="xterm", COLUMNS="120", PYTHONPATH=str(ROOT))
    # On a terminal, the build says how many stories are laid out: killed once the first chunk is,
    # the layout processes are surely at work.
    leader, follower = pty.openpty()
    build = subprocess.Popen(
        [sys.executable, "-m", "compiler", "build", str(src), "-o", str(out), "--format", "pdf"],
        stdin=subprocess.DEVNULL, stdout=follower, stderr=follower, env=env, cwd=tmp_path, start_new_session=True,
    )
    os.close(follower)
    seen = b""
    try:
        while not re.search(rb"laying out the PDF: [1-9]\d* of", seen):
            ready, _, _ = select.select([leader], [], [], 120)
            assert ready, f"no progress in two minutes: {seen[-400:]!r}"
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the build ended: its terminal is gone
                chunk = b""
            assert chunk, f"the build ended before laying anything out: {seen[-400:]!r}"
            seen += chunk
        workers = _descendants(build.pid)
        assert len(workers) >= 3, workers  # the fork server and two layout processes at least
        build.send_signal(kill)
        # Keep reading its terminal while it stops: a build that writes its last words to a terminal
        # nobody reads would block on the full buffer, which is the test's doing, not the build's.
        deadline = time.monotonic() + 60
        while build.poll() is None and time.monotonic() < deadline:
            ready, _, _ = select.select([leader], [], [], 0.5)
            if ready:
                try:
                    os.read(leader, 65536)
                except OSError:
                    pass
        build.wait(timeout=1)
    finally:
        if build.poll() is None:
            os.killpg(build.pid, signal.SIGKILL)
            build.wait()
        os.close(leader)
    assert _wait_until_gone(workers, 30) == set(), "processes of the killed build still running"
    assert list(temp.iterdir()) == []  # no weasyprint-* or other temporary folder
    if kill == signal.SIGTERM:  # let go like an error: its temporary files removed at once
        assert build.returncode == 128 + signal.SIGTERM
        assert not list(out.rglob("*.part"))
    # And the next build into the folder leaves no temporary file of the killed one either.
    subprocess.run([sys.executable, "-m", "compiler", "build", str(src), "-o", str(out), "--format", "pdf", "-q"], env=env, cwd=tmp_path, check=True)
    assert not [p for p in out.rglob("*") if p.name.endswith(".part")]
    assert list(temp.iterdir()) == []
