"""Issue 21: many books at once — `build_many` as a library, `anthology batch`, on Dask.

Each book a batch makes is the same bytes as `build()` makes of the same work (SOURCE_DATE_EPOCH
fixed); a book that fails (bad input, over its time or memory, its worker killed) fails alone; an
unchanged work is not built again and a re-run builds only what is missing. The cluster tests start
a real `dask scheduler` and two `dask worker` processes on 127.0.0.1 and kill one mid-build.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path

import pytest

from compiler import BuildOptions, build, build_many
from compiler.batch import BookResult, Limits, Status
from compiler.batch.many import parts_of

from .helpers import ROOT, SEEDS, epub_text

EPOCH = "1700000000"
SEED_TEXT = sorted(SEEDS.glob("*.txt"))


@pytest.fixture(autouse=True)
def _fixed_epoch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)


def make_works(root: Path, names: list[str], stories: int = 1) -> list[Path]:
    """A folder of works, each a folder with `stories` seed stories made its own by a closing line."""
    folders = []
    for name in names:
        folder = root / name
        folder.mkdir(parents=True)
        for k, seed in enumerate(SEED_TEXT[:stories]):
            text = seed.read_text(encoding="utf-8")
            (folder / seed.name).write_text(f"{text}\n\nThe end of work {name}, part {k}.\n", encoding="utf-8")
        folders.append(folder)
    return folders


def jobs_for(works: list[Path], out: Path, formats: tuple[str, ...] = ("epub",)) -> list[BuildOptions]:
    return [BuildOptions(source=w, output=out / w.name, formats=formats) for w in works]


def same_as_a_local_build(book: BookResult, work: Path, scratch: Path) -> None:
    """Each part's books are byte for byte what `build()` writes for the work with that part's
    formats (the EPUB made apart from the PDF has no print page list, as `--format epub` has none)."""
    for part in book.parts:
        local = build(BuildOptions(source=work, output=scratch / f"local-{work.name}-{part.part}", formats=part_formats(book, part.part)))
        assert sorted(p.name for p in part.outputs) == sorted(p.name for p in local.outputs)
        for path in part.outputs:
            assert path.read_bytes() == (local.outputs[0].parent / path.name).read_bytes(), path


def part_formats(book: BookResult, part: str) -> tuple[str, ...]:
    return dict(parts_of(book.options))[part].formats


def no_half_written_files(out: Path) -> list[Path]:
    return sorted(out.rglob("*.part"))


# The library API ---------------------------------------------------------------------------------


def test_the_library_names_are_importable_from_the_package_and_cost_nothing_until_used() -> None:
    code = (
        "import sys, compiler.cli\n"
        "heavy = [m for m in ('compiler.build', 'compiler.batch', 'dask', 'distributed', 'weasyprint') if m in sys.modules]\n"
        "from compiler import build, BuildOptions, build_many\n"
        "import compiler.build\n"
        "from compiler import build as again\n"
        "print(heavy, callable(build), again is build, build.build is compiler.build.build, BuildOptions.__name__, build_many.__name__)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert done.stdout.strip() == "[] True True True BuildOptions build_many"


def test_a_book_is_split_into_an_epub_part_and_a_pdf_part_each_with_what_is_made_from_it() -> None:
    options = BuildOptions(formats=("pdf", "kepub", "epub"), cover_pdf=True)
    parts = {name: part for name, part in parts_of(options)}
    assert list(parts) == ["epub", "pdf"]  # the quick one first
    assert parts["epub"].formats == ("kepub", "epub") and not parts["epub"].cover_pdf
    assert parts["pdf"].formats == ("pdf",) and parts["pdf"].cover_pdf


@pytest.mark.slow
def test_unsplit_the_epub_carries_the_print_page_list_as_build_makes_it(tmp_path: Path) -> None:
    [work] = make_works(tmp_path / "works", ["paged"])
    with ThreadPoolExecutor(1) as pool:
        [result] = build_many(jobs_for([work], tmp_path / "out", ("epub", "pdf")), pool, split=False)
    assert [p.part for p in result.parts] == ["book"] and result.status is Status.BUILT
    build(BuildOptions(source=work, output=tmp_path / "local", formats=("epub", "pdf")))
    for path in result.outputs:
        assert path.read_bytes() == (tmp_path / "local" / path.name).read_bytes()
    [epub] = [p for p in result.outputs if p.suffix == ".epub"]
    assert 'epub:type="page-list"' in epub_documents_text(epub)


def epub_documents_text(path: Path) -> str:
    import zipfile

    with zipfile.ZipFile(path) as book:
        return "".join(book.read(name).decode("utf-8") for name in book.namelist() if name.endswith((".xhtml", ".html")))


def test_build_many_makes_every_book_as_build_does_and_a_broken_work_fails_alone(tmp_path: Path) -> None:
    works = make_works(tmp_path / "works", ["alpha", "beta", "gamma"])
    broken = tmp_path / "works" / "broken"
    broken.mkdir()
    (broken / "empty.txt").write_text("", encoding="utf-8")
    out = tmp_path / "out"
    seen = []
    with ThreadPoolExecutor(2) as pool:
        results = build_many(jobs_for([*works, broken], out), pool, on_book=lambda book: seen.append(book.name))
    assert [r.name for r in results] == ["alpha", "beta", "gamma", "broken"]  # the jobs' order, whatever finished first
    assert sorted(seen) == ["alpha", "beta", "broken", "gamma"]
    assert [r.status for r in results] == [Status.BUILT] * 3 + [Status.FAILED]
    assert "A003" in results[3].reason and "empty.txt" in results[3].reason and results[3].parts[0].exit_code == 3
    for result, work in zip(results, works):
        same_as_a_local_build(result, work, tmp_path)
        assert f"The end of work {work.name}" in epub_text(result.outputs[0])
        assert result.parts[0].peak_memory > 0 and result.parts[0].seconds > 0


def test_any_executor_runs_it_a_process_pool_too(tmp_path: Path) -> None:
    # Forked from this process, which holds book processes of its own from the tests above: the
    # pool's workers start their own rather than share those.
    works = make_works(tmp_path / "works", ["pooled", "forked"])
    with ProcessPoolExecutor(2) as pool:
        results = build_many(jobs_for(works, tmp_path / "out"), pool)
    assert [r.status for r in results] == [Status.BUILT, Status.BUILT]
    assert all(r.parts[0].worker != f"{socket.gethostname()}:{os.getpid()}" for r in results)  # built in the pool's processes
    for result, work in zip(results, works):
        same_as_a_local_build(result, work, tmp_path)


def test_an_unchanged_work_is_not_built_again_an_edited_one_is_and_a_missing_book_is_rebuilt(tmp_path: Path) -> None:
    works = make_works(tmp_path / "works", ["one", "two", "three"])
    out = tmp_path / "out"
    with ThreadPoolExecutor(2) as pool:
        first = build_many(jobs_for(works, out), pool)
        stamps = {r.name: r.outputs[0].stat().st_mtime_ns for r in first}
        again = build_many(jobs_for(works, out), pool)
        assert [r.status for r in again] == [Status.CACHED] * 3
        assert {r.name: r.outputs[0].stat().st_mtime_ns for r in again} == stamps  # not even rewritten
        assert again[0].diagnostics == first[0].diagnostics  # what the build said, said again

        story = next(works[1].glob("*.txt"))
        story.write_text(story.read_text(encoding="utf-8") + "\nA sentence added later.\n", encoding="utf-8")
        (out / "three" / "anthology.epub").unlink()  # as if the first run had been stopped before it
        third = build_many(jobs_for(works, out), pool)
    assert [r.status for r in third] == [Status.CACHED, Status.BUILT, Status.BUILT]
    assert "A sentence added later" in epub_text(third[1].outputs[0])
    for result, work in zip(third, works):
        same_as_a_local_build(result, work, tmp_path)


def test_what_a_killed_build_left_half_written_is_swept_by_the_next_run(tmp_path: Path) -> None:
    works = make_works(tmp_path / "works", ["left"])
    out = tmp_path / "out"
    (out / "left").mkdir(parents=True)
    leftover = out / "left" / ".anthology.epub.k1ll3d.part"  # what atomic.py leaves when its process is killed
    leftover.write_bytes(b"PK\x03\x04 half a zip")
    with ThreadPoolExecutor(1) as pool:
        [result] = build_many(jobs_for(works, out), pool)
    assert result.status is Status.BUILT
    assert no_half_written_files(out) == []


def test_a_book_over_its_time_fails_with_the_reason_and_the_next_book_gets_a_fresh_process(tmp_path: Path) -> None:
    works = make_works(tmp_path / "works", ["slow", "next"])
    out = tmp_path / "out"
    with ThreadPoolExecutor(1) as pool:
        [over] = build_many(jobs_for(works[:1], out), pool, limits=Limits(timeout=0.001))  # no book is made in a millisecond
        [fine] = build_many(jobs_for(works[1:], out), pool)
    assert over.status is Status.FAILED and over.parts[0].diagnostics[0].code == "B011"
    assert "took over 0.001 s" in over.reason
    assert not (out / "slow" / "anthology.epub").exists()
    assert fine.status is Status.BUILT


@pytest.mark.slow
def test_a_book_over_its_memory_is_stopped_and_the_other_books_go_on(tmp_path: Path) -> None:
    works = make_works(tmp_path / "works", ["small", "smaller"])
    huge = tmp_path / "works" / "huge"
    huge.mkdir()
    # About 6 MB of story in two files (a story may be 4 MB): its EPUB build holds some 300 MB; a
    # small book's, under 100 MB.
    for name in ("long1.txt", "long2.txt"):
        (huge / name).write_text(SEED_TEXT[1].read_text(encoding="utf-8") * 150, encoding="utf-8")
    out = tmp_path / "out"
    with ThreadPoolExecutor(2) as pool:
        results = build_many(jobs_for([huge, *works], out), pool, limits=Limits(memory=200 * 2**20))
    assert [r.status for r in results] == [Status.FAILED, Status.BUILT, Status.BUILT]
    assert results[0].parts[0].diagnostics[0].code == "B012" and "over the 200 MB a book may" in results[0].reason
    assert not (out / "huge" / "anthology.epub").exists() and no_half_written_files(out) == []


# On a real Dask cluster --------------------------------------------------------------------------


class Cluster:
    """`dask scheduler` and two `dask worker` processes (one thread each, no nanny: a worker killed
    stays dead) on 127.0.0.1, on free ports the scheduler file names."""

    def __init__(self, folder: Path) -> None:
        self.file = folder / "scheduler.json"
        self.env = {**os.environ, "PYTHONPATH": str(ROOT)}  # the workers run this checkout's code
        self.logs = folder
        common = ["--host", "127.0.0.1", "--no-dashboard", "--scheduler-file", str(self.file)]
        self.scheduler = self._start("scheduler", ["distributed.cli.dask_scheduler", "--port", "0", *common])
        self.workers = {name: self._start(name, ["distributed.cli.dask_worker", "--nthreads", "1", "--no-nanny", "--name", name, *common]) for name in ("w1", "w2")}

    def _start(self, name: str, args: list[str]) -> subprocess.Popen[bytes]:
        with (self.logs / f"{name}.log").open("wb") as log:
            return subprocess.Popen([sys.executable, "-m", *args], env=self.env, stdout=log, stderr=subprocess.STDOUT)

    def stop(self) -> None:
        for process in [*self.workers.values(), self.scheduler]:
            process.kill()
            process.wait()


@pytest.fixture
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Cluster, object]]:
    from distributed import Client

    running = Cluster(tmp_path_factory.mktemp("dask"))
    try:
        client = Client(scheduler_file=str(running.file), timeout="60s")  # Dask waits for the file and the scheduler
        client.wait_for_workers(2, timeout=120)
        yield running, client
        client.close()
    finally:
        running.stop()


@pytest.mark.slow
def test_on_a_dask_cluster_a_worker_killed_mid_build_has_its_book_built_again_elsewhere(tmp_path: Path, cluster: tuple[Cluster, object]) -> None:
    running, client = cluster
    addresses = {info["name"]: address for address, info in client.scheduler_info()["workers"].items()}  # type: ignore[attr-defined]
    works = make_works(tmp_path / "works", ["one", "two", "three", "four"])
    out = tmp_path / "out"
    killed: list[str] = []

    def on_event(event: tuple[float, dict[str, str]]) -> None:
        # The point waited for: w1's book process has begun laying out a PDF (a second of work, in a
        # process that also loads weasyprint first). w1 is killed there; its book process follows it.
        _, stage = event
        if not killed and stage["worker"] == addresses["w1"] and stage["stage"].startswith("laying out the PDF"):
            running.workers["w1"].send_signal(signal.SIGKILL)
            killed.append(stage["book"])

    client.subscribe_topic("anthology-batch", on_event)  # type: ignore[attr-defined]
    results = build_many(jobs_for(works, out, ("epub", "pdf")), client.get_executor())  # type: ignore[attr-defined]
    assert killed, "w1 never laid out a PDF"
    assert [r.status for r in results] == [Status.BUILT] * 4, [r.reason for r in results]
    interrupted = next(r for r in results if r.name == killed[0])
    assert next(p for p in interrupted.parts if p.part == "pdf").worker == addresses["w2"]  # built again on the survivor
    assert no_half_written_files(out) == []
    for result, work in zip(results, works):
        same_as_a_local_build(result, work, tmp_path)
    assert running.workers["w1"].wait() == -signal.SIGKILL


@pytest.mark.slow
def test_anthology_batch_on_a_scheduler_builds_the_works_and_says_which_failed_and_why(tmp_path: Path, cluster: tuple[Cluster, object]) -> None:
    running, _ = cluster
    address = json.loads(running.file.read_text())["address"]
    works = make_works(tmp_path / "works", ["first", "second"])
    (tmp_path / "works" / "broken").mkdir()
    (tmp_path / "works" / "broken" / "empty.txt").write_text("", encoding="utf-8")
    (tmp_path / "works" / "loose.txt").write_text("A story outside any work.\n", encoding="utf-8")
    out = tmp_path / "out"
    command = [sys.executable, "-m", "compiler", "batch", str(tmp_path / "works"), "-o", str(out), "--format", "epub", "--scheduler", address]
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 9, done.stderr
    assert "B020" in done.stderr and "loose.txt" in done.stderr  # a story file in no work is said to be left out
    assert "error B010: 1 of 3 books failed" in done.stderr
    lines = done.stdout.splitlines()
    assert next(line for line in lines if line.startswith("built")).split() == ["built", "2", "2"]
    assert any(line.strip().startswith("broken: epub:") and "A003" in line for line in lines)
    for work in works:
        local = build(BuildOptions(source=work, output=tmp_path / "local" / work.name, formats=("epub",)))
        assert (out / work.name / "anthology.epub").read_bytes() == local.outputs[0].read_bytes()

    listing = tmp_path / "works.txt"  # a list file: one work folder per line, relative to the list
    listing.write_text("# two of them\nworks/first\n\nworks/second\n", encoding="utf-8")
    again = subprocess.run([*command[:4], str(listing), *command[5:]], capture_output=True, text=True, cwd=ROOT)
    assert again.returncode == 0, again.stderr
    assert next(line for line in again.stdout.splitlines() if line.startswith("cached")).split() == ["cached", "2", "2"]


def test_anthology_batch_refuses_two_works_that_would_share_an_output_folder(tmp_path: Path) -> None:
    make_works(tmp_path / "a", ["same"])
    make_works(tmp_path / "b", ["same"])
    listing = tmp_path / "list.txt"
    listing.write_text("a/same\nb/same\n", encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "compiler", "batch", str(listing), "-o", str(tmp_path / "out")], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 3
    assert "B003" in done.stderr and "2 works would be written to" in done.stderr
    assert not (tmp_path / "out").exists()


def test_without_a_scheduler_anthology_batch_starts_a_local_cluster(tmp_path: Path) -> None:
    make_works(tmp_path / "works", ["only"])
    out = tmp_path / "out"
    done = subprocess.run(
        [sys.executable, "-m", "compiler", "batch", str(tmp_path / "works"), "-o", str(out), "--format", "epub", "--workers", "1", "-v"],
        capture_output=True, text=True, cwd=ROOT, env={k: v for k, v in os.environ.items() if k != "DASK_SCHEDULER_ADDRESS"},
    )
    assert done.returncode == 0, done.stderr
    assert "only  epub built" in done.stdout
    assert (out / "only" / "anthology.epub").is_file()



def test_without_dask_anthology_batch_says_what_to_install(tmp_path: Path) -> None:
    make_works(tmp_path / "works", ["any"])
    code = (
        "import sys; sys.modules['distributed'] = None  # as if the batch extra were not installed\n"
        "from compiler.cli import main\n"
        f"sys.argv = ['anthology', 'batch', {str(tmp_path / 'works')!r}, '-o', {str(tmp_path / 'out')!r}]\n"
        "main()\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 9
    assert "B001" in done.stderr and "pip install 'anthology[batch]'" in done.stderr
    assert "Traceback" not in done.stderr
