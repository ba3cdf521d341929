"""Batch stage: many books at once, on Dask or any `concurrent.futures.Executor` — archive scale.

    from compiler import build_many, BuildOptions
    results = build_many([BuildOptions(source=work, output=out / work.name, formats=("epub", "pdf")) for work in works])

- `many.py`: `build_many(jobs, executor=None)`, each job split into parts (the EPUB, the PDF) that
  run apart, every outcome a value;
- `values.py`: the values (Task, PartResult, BookResult, Limits);
- `supervise.py`: what a worker runs: the part in a warm book process, within its time and memory;
- `child.py`: the book process;
- `stamps.py`: content keys, so an unchanged work is not built again, and the sweep of what a
  killed process left half-written;
- `cluster.py`: Dask (a LocalCluster, or a scheduler's workers), imported only when used;
- `works.py` and `summary.py`: `anthology batch`'s folder or list of works, and its closing table.
"""

from __future__ import annotations

from .many import build_many
from .values import BookResult, Limits, PartResult, Status

__all__ = ["BookResult", "Limits", "PartResult", "Status", "build_many"]
