"""Batch stage: the Dask cluster the parts run on, as a `concurrent.futures.Executor`.

With an address (`--scheduler tcp://host:8786`, or DASK_SCHEDULER_ADDRESS as Dask itself reads it),
the parts go to that scheduler's workers, on as many machines as it has; without one, to a
LocalCluster started here: one worker process per core, one thread each (a book process per worker,
supervise.py), torn down at the end. Dask is imported only here, and only when a batch runs.

A worker on another machine reads the works and writes the books under the same paths as here:
give them a shared file system, and the same anthology installed.
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Iterator
from concurrent.futures import Executor
from typing import Any

from ..diagnostics import stop

INSTALL = "pip install 'anthology[batch]'"


def require_dask() -> None:
    """Stop with B001 if the batch extra (Dask, psutil) is not installed here."""
    from importlib.util import find_spec

    if any(find_spec(name) is None for name in ("dask", "distributed", "psutil")):
        raise stop("B001", install=INSTALL)


def _distributed() -> Any:
    require_dask()
    import distributed

    return distributed


def scheduler_address(given: str | None) -> str | None:
    """The scheduler asked for: the option, else Dask's own configuration (DASK_SCHEDULER_ADDRESS)."""
    if given:
        return given
    import dask

    address = dask.config.get("scheduler-address", None)
    return str(address) if address else None


@contextlib.contextmanager
def dask_client(scheduler: str | None = None, workers: int | None = None) -> Iterator[Any]:
    """A `distributed.Client`: connected to the scheduler named, else to a LocalCluster of its own."""
    distributed = _distributed()
    address = scheduler_address(scheduler)
    if address:
        try:
            client = distributed.Client(address, timeout="10s")
        except (OSError, TimeoutError) as exc:
            raise stop("B005", address=address, reason=str(exc) or type(exc).__name__) from None
        with client:
            yield client
        return
    # No dashboard (it needs bokeh, and a port); the cluster's own logs only when something is wrong.
    # Its workers outlive a driver killed outright (SIGKILL: no cleanup runs), so each also stops
    # itself once it has lost the scheduler (which lives in this process) for a minute.
    with distributed.LocalCluster(
        n_workers=workers or len(os.sched_getaffinity(0)), threads_per_worker=1, processes=True, dashboard_address=None,
        silence_logs=logging.ERROR, death_timeout="60s",
    ) as cluster, distributed.Client(cluster) as client:
        yield client


@contextlib.contextmanager
def dask_executor(scheduler: str | None = None, workers: int | None = None) -> Iterator[Executor]:
    with dask_client(scheduler, workers) as client:
        yield client.get_executor()
