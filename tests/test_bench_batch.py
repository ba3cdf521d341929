"""The batch benchmark's huge-book measurement (bench/batch_chunks.py, issue 21) lays a book's PDF
chunks out through any executor in place of the build's own layout processes. It is a benchmark
part, not a feature, so only the build's tests would notice when the chunk scheduler's pool changes
shape; this one does: the chunks sent through an executor must give the book the build gives."""

from __future__ import annotations

import multiprocessing
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from .helpers import ROOT, seeds_over

sys.path.insert(0, str(ROOT / "bench"))
import batch_chunks  # noqa: E402  (bench/ is not a package: its modules import each other by name)

from compiler.package.pdf.typesetter import stylesheets  # noqa: E402


class _Counting(ProcessPoolExecutor):
    jobs = 0

    def submit(self, *args, **kwargs):  # type: ignore[no-untyped-def, override]
        self.jobs += 1
        return super().submit(*args, **kwargs)


def test_a_books_chunks_laid_out_through_an_executor_give_the_same_pdf(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    source = seeds_over(tmp_path / "src", 4, "Through an executor")
    rendered, title, authors = batch_chunks.rendered_book(source)
    _, local = batch_chunks.lay_out(rendered, title, authors, 2)
    with _Counting(2, mp_context=multiprocessing.get_context("forkserver")) as executor:
        slots = batch_chunks.DaskSlots(executor, stylesheets(rendered.theme), 2)
        _, through = batch_chunks.lay_out(rendered, title, authors, 2, slots)
    assert executor.jobs >= 2, "the book was laid out without the executor: nothing was measured"
    assert through == local
