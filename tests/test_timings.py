"""A build's timings (compiler/timings.py, issue 19): what bench/ reads into the cost split per
stage and the critical path on more cores. Never timed tests: only that the spans are there."""

from __future__ import annotations

import importlib.util
import json
import shutil
import sys
from pathlib import Path

import pytest

from compiler import timings
from compiler.build import build
from compiler.options import BuildOptions

from .helpers import ROOT, SEEDS


def _critical():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("bench_critical", ROOT / "bench" / "critical.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is made
    spec.loader.exec_module(module)
    return module


def test_without_the_variable_nothing_is_recorded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(timings.ENVIRONMENT, raising=False)
    with timings.recording() as recorder:
        assert recorder is None and not timings.active()
        with timings.span("read"):
            pass
    assert list(tmp_path.iterdir()) == []


def test_a_build_records_each_stage_and_every_layout_job(tmp_path: Path) -> None:
    src = tmp_path / "src"
    shutil.copytree(SEEDS, src)
    log = tmp_path / "timings.jsonl"
    with timings.recording(str(log)):
        build(BuildOptions(source=src, output=tmp_path / "out", cache=False))
    spans = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    stages = {s["stage"] for s in spans}
    assert {"read", "transforms", "render", "pdf", "epub", "check", "write", "layout", "folios", "front matter", "merge"} <= stages
    for s in spans:
        assert s["end"] >= s["start"] and s["cpu"] >= 0 and s["pid"] > 0
    jobs = [s for s in spans if s["detail"].get("job")]
    assert {s["detail"]["job"] for s in jobs} >= {"chunk", "layer", "front", "blank"}
    assert sum(s["detail"]["pages"] for s in jobs if s["detail"]["job"] in ("chunk", "notes", "front", "blank")) >= 20
    # A second build in the same process records its own spans, and only when asked.
    with timings.recording(str(tmp_path / "second.jsonl")):
        build(BuildOptions(source=src, output=tmp_path / "out2", formats=("epub",)))
    second = [json.loads(line) for line in (tmp_path / "second.jsonl").read_text(encoding="utf-8").splitlines()]
    assert "pdf" not in {s["stage"] for s in second} and "epub" in {s["stage"] for s in second}
    assert len(log.read_text(encoding="utf-8").splitlines()) == len(spans)


def _span(stage: str, start: float, cpu: float, pid: int = 1, **detail: object) -> dict:
    return {"stage": stage, "start": start, "end": start + cpu, "cpu": cpu, "pid": pid, "detail": detail}


def test_the_critical_path_replays_the_jobs_as_the_scheduler_orders_them() -> None:
    critical = _critical()
    # The build's process: 1 s before the layout, 0.5 s after; four chunks of 2 s, their folio
    # layers 0.1 s, notes 1 s, front matter 0.5 s after the notes.
    spans = [_span("start-up", 0, 1.0), _span("pdf", 1.0, 0.0), _span("merge", 20, 0.5)]
    spans += [_span("layout", 1, 2.0, 2, job="chunk", n=n, pages=30) for n in range(4)]
    spans += [_span("folios", 9, 0.1, 2, job="layer", n=n, pages=30) for n in range(5)]
    spans += [_span("notes", 10, 1.0, 2, job="notes", n=4, pages=5), _span("front matter", 12, 0.5, 2, job="front", n=0, pages=6)]
    stages = critical.split(spans, started=0.0, ended=20.5, total_cpu=sum(s["cpu"] for s in spans))
    by = {s.name: s for s in stages}
    assert by["layout"].cpu == 8.0 and by["folios"].cpu == pytest.approx(0.5) and by["teardown and unaccounted"].cpu == pytest.approx(0.0)
    # 2 processes: chunks 0,1 (2 s), layers 0 and 1 and chunks 2, 3 (two rounds of 2 s, the layers
    # in between), the last layers and the notes, then the notes' layer and the front matter.
    two = critical.critical_path(spans, stages, 2)
    assert two == pytest.approx(1.0 + 2 + 0.1 + 2 + 0.1 + 1.0 + 0.5 + 0.5, abs=0.01)
    many = critical.critical_path(spans, stages, 16)  # every chunk at once, then the layers beside the notes
    assert many == pytest.approx(1.0 + 2 + 1.0 + 0.5 + 0.5, abs=0.01)
    assert many < two < critical.critical_path(spans, stages, 1)
