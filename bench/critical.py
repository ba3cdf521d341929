"""Where one build's time went (its timings, compiler/timings.py), and what it would take on more cores.

`split()` sums the recorded spans per stage: CPU for every stage, wall time for the work the build's
own process did one stage after another. What no span covers (the interpreter's start before the
first import is timed, the layout server's imports, the processes it runs, the exit) is the
remainder of the CPU the harness measured for the whole process tree.

`critical_path()` replays the same build on k layout processes: the work of the build's own process
in the order it did it, the layout jobs with their measured CPU times as durations (what they take
on an idle core), scheduled the way compiler/package/pdf/chunks.py schedules them:

- every chunk of stories is queued once the stories are rendered;
- a chunk's folio layer once it and every chunk before it are laid out (its first page is known);
- the end-notes once every chunk is laid out, their folio layer after them;
- the front matter (and the blank verso it may need) once the end-notes are laid out, or beside
  them, once every chunk is, when the build laid it out so (it began before the notes ended);
- a free process takes the most urgent job queued: folio layers, then stories, then the end-notes,
  then the front matter, in the order they were queued.

It is a model: it leaves out what the build's process does while the jobs run (a few per cent) and
the contention between processes; on the measured core count it should come close to the wall time
of a run on an idle machine.
"""

from __future__ import annotations

import heapq
import json
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

# The stages in the order a build meets them, as timings.py names them; the rest follow.
ORDER = (
    "start-up", "read", "transforms", "render", "layout start-up", "PDF, in the build's process", "layout", "folios",
    "notes", "front matter", "merge", "PDF/X", "EPUB", "check", "write", "teardown and unaccounted",
)
_JOB_KINDS = {"chunk": 1, "layer": 0, "notes": 2, "front": 3, "blank": 3}  # chunks.py: _LAYER, _STORIES, _NOTES, _FRONT


def load(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _parent(spans: list[dict]) -> int:
    return next(s["pid"] for s in spans if s["stage"] == "start-up")


@dataclass(frozen=True)
class Stage:
    name: str
    cpu: float  # seconds of CPU, every process
    wall: float  # seconds the build's own process spent in it (0 for work done only in layout processes)


def split(spans: list[dict], started: float, ended: float, total_cpu: float) -> list[Stage]:
    """CPU and wall time per stage. `started`/`ended`: when the harness spawned and reaped the
    build; `total_cpu`: what it measured for the whole process tree."""
    parent = _parent(spans)
    cpu: dict[str, float] = defaultdict(float)
    wall: dict[str, float] = defaultdict(float)
    mine = [s for s in spans if s["pid"] == parent]
    for s in spans:
        name = {"pdf": "PDF, in the build's process", "epub": "EPUB"}.get(s["stage"], s["stage"])
        own_cpu, own_wall = s["cpu"], s["end"] - s["start"]
        if s["pid"] == parent:
            # A span of this process less the spans of this process inside it (the PDF's merge, or
            # its jobs when they ran here rather than in layout processes).
            inner = [t for t in mine if t is not s and s["start"] <= t["start"] and t["end"] <= s["end"]]
            own_cpu -= sum(t["cpu"] for t in inner)
            own_wall -= sum(t["end"] - t["start"] for t in inner)
            wall[name] += max(own_wall, 0.0)
        cpu[name] += max(own_cpu, 0.0)
    start_up = next(s for s in mine if s["stage"] == "start-up")
    wall["start-up"] += max(start_up["start"] - started, 0.0)  # before the process could time itself
    wall["teardown and unaccounted"] = max(ended - max(s["end"] for s in mine), 0.0)
    cpu["teardown and unaccounted"] = max(total_cpu - sum(cpu.values()), 0.0)
    names = [n for n in ORDER if n in cpu or n in wall] + sorted(set(cpu) - set(ORDER))
    return [Stage(n, cpu.get(n, 0.0), wall.get(n, 0.0)) for n in names]


@dataclass(frozen=True)
class _Job:
    kind: str
    n: int
    cpu: float


def critical_path(spans: list[dict], stages: list[Stage], cores: int) -> float:
    """Seconds the build would take with `cores` layout processes on idle cores (see the module)."""
    by = {s.name: s for s in stages}
    timed = [s for s in spans if s["detail"].get("job")]
    jobs = [_Job(s["detail"]["job"], int(s["detail"]["n"]), s["cpu"]) for s in timed]
    if not jobs:  # laid out in the build's own process: one after another
        return sum(s.cpu for s in stages)
    notes = [s for s in timed if s["detail"]["job"] == "notes"]
    fronts = [s for s in timed if s["detail"]["job"] == "front"]
    beside = bool(notes and fronts and fronts[0]["start"] < notes[0]["end"])
    before = sum(by[n].cpu for n in ("start-up", "read", "transforms", "render", "layout start-up", "PDF, in the build's process") if n in by)
    after = sum(by[n].cpu for n in ("merge", "PDF/X", "EPUB", "check", "write") if n in by) + by["teardown and unaccounted"].wall
    return before + _schedule(jobs, cores, beside) + after


def _schedule(jobs: list[_Job], cores: int, beside: bool) -> float:
    chunks = sorted((j for j in jobs if j.kind == "chunk"), key=lambda j: j.n)
    layers = {j.n: j for j in jobs if j.kind == "layer"}
    notes = next((j for j in jobs if j.kind == "notes"), None)
    front = [j for j in jobs if j.kind in ("front", "blank")]
    queue: list[tuple[int, int, _Job]] = []
    added = 0

    def add(job: _Job | None) -> None:
        nonlocal added
        if job is not None:
            heapq.heappush(queue, (_JOB_KINDS[job.kind], added, job))
            added += 1

    for job in chunks:
        add(job)
    free = [0.0] * cores  # when each process is next free
    running: list[tuple[float, int, _Job]] = []  # (ends, order, job)
    done_chunks: set[int] = set()
    placed = 0
    now, order = 0.0, 0
    while queue or running:
        while queue and min(free) <= now:
            k = free.index(min(free))
            _, _, job = heapq.heappop(queue)
            free[k] = now + job.cpu
            heapq.heappush(running, (free[k], order, job))
            order += 1
        if not running:
            now = min(free)
            continue
        now, _, job = heapq.heappop(running)
        if job.kind == "chunk":
            done_chunks.add(job.n)
            while placed in done_chunks:
                add(layers.get(placed))
                placed += 1
            if len(done_chunks) == len(chunks):
                add(notes)
                if notes is None or beside:
                    for j in front:
                        add(j)
        elif job.kind == "notes":
            add(layers.get(job.n))
            for j in front if not beside else ():
                add(j)
    return max(now, max(free))
