"""The benchmark harness (bench/run.py, issue 8) runs end to end at 1× and reports real figures.

A benchmark, not a timed test: nothing here judges speed, only that every row is measured and
every number is a sane positive one. pandoc's rows may be missing only where pypandoc_binary (in
the `test` extra) is not installed.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import json
import math
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
FORMATS = ("epub", "pdf", "both")  # "both": the default build against pandoc's EPUB then PDF
LABELS = {"epub": "EPUB", "pdf": "PDF", "both": "EPUB + PDF"}


def _has_pandoc() -> bool:
    try:
        importlib.metadata.version("pypandoc_binary")
    except importlib.metadata.PackageNotFoundError:
        return False
    return True


HAS_PANDOC = _has_pandoc()
needs_pandoc = pytest.mark.skipif(not HAS_PANDOC, reason="pypandoc_binary is not installed (pip install -e '.[test]')")


@pytest.fixture(scope="module")
def bench(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, str, Path]:
    """One run of the harness at 1×, one repetition, into a temporary folder."""
    tmp = tmp_path_factory.mktemp("bench")
    command = [
        sys.executable, str(BENCH / "run.py"), "--scales", "1", "--repeat", "1", "--warmup", "0", "--help-runs", "2",
        "--no-install", "--work", str(tmp / "work"), "--results", str(tmp / "RESULTS.md"),
    ]
    # This checkout's code, whichever `anthology` is installed: its modules first on the path.
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, cwd=ROOT, env=env)
    assert done.returncode == 0, f"bench/run.py failed:\n{done.stdout}\n{done.stderr}"
    results = json.loads((tmp / "work" / "results.json").read_text(encoding="utf-8"))
    return results, (tmp / "RESULTS.md").read_text(encoding="utf-8"), tmp


def _row(results: dict, fmt: str, tool: str) -> dict:
    rows = [r for r in results["rows"] if (r["scale"], r["format"], r["tool"]) == (1, fmt, tool)]
    assert len(rows) == 1, f"expected one 1× {fmt} row for {tool}, got {rows}"
    return rows[0]


def _positive(value: object) -> bool:
    return isinstance(value, (int, float)) and math.isfinite(value) and value > 0


@pytest.mark.parametrize("fmt", FORMATS)
def test_anthology_rows_are_measured(bench: tuple[dict, str, Path], fmt: str) -> None:
    row = _row(bench[0], fmt, "anthology")
    assert row["failed"] == 0
    assert _positive(row["median"]) and row["median"] < 120
    assert 10e6 < row["peak_bytes"] < 4e9, "peak memory of a Python build is tens to hundreds of MB"
    assert row["output_bytes"] and row["output_bytes"] > 1000
    if fmt != "epub":
        assert row["pages"] and row["pages"] >= 5, "the two seeds make a book of more than a few pages"
    assert row["left_running"] == 0, "every process the build started ended with it"


@needs_pandoc
@pytest.mark.parametrize("fmt", FORMATS)
def test_pandoc_rows_are_measured_and_ratios_positive(bench: tuple[dict, str, Path], fmt: str) -> None:
    results, text, _ = bench
    row = _row(results, fmt, "pandoc")
    assert row["failed"] == 0 and _positive(row["median"]) and _positive(row["peak_bytes"])
    assert "--pdf-engine=weasyprint" in row["command"] if fmt != "epub" else "--pdf-engine" not in row["command"]
    if fmt == "both":
        assert ".epub" in row["command"] and ".pdf" in row["command"], "pandoc writes both books in the timed command"
    # The RESULTS.md row: scale, format, both medians, a positive ratio that is ours / theirs.
    cells = re.search(rf"^\| 1× \| {re.escape(LABELS[fmt])} \| ([\d.]+) \| ([\d.]+) \| ([\d.]+) \| (\d+) \| (\d+) \|", text, re.M)
    assert cells, f"no 1× {LABELS[fmt]} row with both tools in RESULTS.md:\n{text}"
    ours, theirs, ratio = (float(cells.group(i)) for i in (1, 2, 3))
    assert ratio > 0 and ratio == pytest.approx(ours / theirs, rel=0.05, abs=0.01)
    assert "pandoc 3.9" in results["machine"]["pandoc"]


def test_results_describe_machine_command_and_start_up(bench: tuple[dict, str, Path]) -> None:
    results, text, _ = bench
    assert re.search(r"^python bench/run\.py --scales 1 ", text, re.M), "the command that reproduces the run"
    assert re.search(r"\| CPU \| .*nproc \d+ \|", text) and re.search(r"\| memory \| [\d.]+ GiB \|", text)
    for tool in ("Python", "weasyprint", "ebooklib", "pandoc"):
        assert re.search(rf"^\| {tool} \| \S", text, re.M), f"{tool} version missing"
    assert _positive(results["help"]["median"]) and results["help"]["failed"] == 0
    assert re.search(r"`[^`]*anthology --help`: median [\d.]+ s", text)
    assert [c["scale"] for c in results["corpora"]] == [1]
    assert results["corpora"][0]["words"] == sum(len(p.read_text(encoding="utf-8").split()) for p in (ROOT / "seeds").glob("*.txt"))


def test_results_split_the_default_build_per_stage_and_give_its_critical_path(bench: tuple[dict, str, Path]) -> None:
    results, text, _ = bench
    stages = _row(results, "both", "anthology")["stages"]
    split = {s["stage"]: s for s in stages["split"]}
    assert {"start-up", "read", "transforms", "render", "layout", "front matter", "EPUB", "check", "teardown and unaccounted"} <= set(split)
    assert all(s["cpu"] >= 0 and s["wall"] >= 0 for s in split.values()) and split["layout"]["cpu"] > 0
    assert sum(s["cpu"] for s in split.values()) == pytest.approx(stages["run_cpu"], rel=0.05)
    paths = [stages["critical_path"][k] for k in ("2", "4", "8", "16")]
    assert all(_positive(v) for v in paths) and paths == sorted(paths, reverse=True)
    assert "## Where the time goes" in text and re.search(r"^\| layout \| [\d.]+ \| \d+% \| [\d.]+ \|$", text, re.M)
    assert re.search(r"^\| cores \| 2 \| 4 \| 8 \| 16 \|$", text, re.M)
    assert "## Targets (issue 19)" in text and re.search(r"^\| EPUB \+ PDF at 1×: at most 0\.8× .* \| [\d.]+×, CPU", text, re.M)


def test_corpus_copies_are_distinct_stories(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("bench_corpus", BENCH / "corpus.py")
    assert spec and spec.loader
    corpus = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = corpus  # dataclasses look their module up while the class is made
    spec.loader.exec_module(corpus)
    seeds = sorted((ROOT / "seeds").glob("*.txt"))
    c = corpus.generate(ROOT / "seeds", tmp_path, 3)
    stories = sorted(c.folder.glob("*.txt"))
    assert len(stories) == c.stories == 3 * len(seeds)
    texts = [p.read_text(encoding="utf-8") for p in stories]
    assert len(set(texts)) == len(texts), "every copy is its own story, not the same bytes again"
    assert sum(len(t.split()) for t in texts) == c.words == 3 * sum(len(p.read_text(encoding="utf-8").split()) for p in seeds)
    manifest = (c.folder / "anthology.toml").read_text(encoding="utf-8")
    titles = re.findall(r'^title = "(.*)"$', manifest, re.M)[1:]
    assert len(titles) == len(set(titles)) == len(stories), "every story has a title of its own"
    headings = re.findall(r"^# (.*)$", c.markdown.read_text(encoding="utf-8"), re.M)
    assert headings == [corpus.markdown_paragraph(t) for t in titles], "pandoc gets the same stories in the same order"


def test_incremental_rebuild_is_measured_against_a_clean_build(tmp_path: Path) -> None:
    command = [
        sys.executable, str(BENCH / "run.py"), "--scales", "1", "--formats", "epub", "--repeat", "1", "--warmup", "0",
        "--help-runs", "1", "--no-pandoc", "--no-install", "--incremental",
        "--work", str(tmp_path / "work"), "--results", str(tmp_path / "RESULTS.md"),
    ]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, cwd=ROOT, env=env)
    assert done.returncode == 0, f"bench/run.py --incremental failed:\n{done.stdout}\n{done.stderr}"
    (row,) = json.loads((tmp_path / "work" / "results.json").read_text(encoding="utf-8"))["incremental"]
    assert row["failed"] == 0 and _positive(row["rebuild_seconds"]) and _positive(row["clean_seconds"])
    assert row["share"] == pytest.approx(row["rebuild_seconds"] / row["clean_seconds"], rel=0.01)
    assert isinstance(row["identical"], bool)
    edited = (tmp_path / "work" / "incremental" / "1x-epub" / "corpus" / row["edited"]).read_text(encoding="utf-8")
    assert "She paused, and the moment passed." in edited, "one story really was edited"
    text = (tmp_path / "RESULTS.md").read_text(encoding="utf-8")
    assert re.search(r"^\| 1× \| EPUB \| `[^`]+` \| [\d.]+ \| [\d.]+ \| \d+% \| (yes|\*\*no\*\*) \|$", text, re.M)
