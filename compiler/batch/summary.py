"""Batch stage: what `anthology batch` says at the end — a table of books built, cached and failed
(by book and by format), each failure with its reason, and with -v a line per book."""

from __future__ import annotations

import json
import re

from .values import BookResult, Status

_UNITS = {"": 1, "k": 10**3, "m": 10**6, "g": 10**9, "t": 10**12, "ki": 2**10, "mi": 2**20, "gi": 2**30, "ti": 2**40}


def parse_size(text: str) -> int:
    """Bytes from "2GB", "1500 MB", "2GiB" or "2147483648" (as Dask writes memory limits)."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kmgt]i?)?b?\s*", text.lower())
    if not match:
        raise ValueError(f"not a size: {text!r} (say 2GB, 1500MB or 2GiB)")
    return int(float(match.group(1)) * _UNITS[match.group(2) or ""])


def _seconds(value: float) -> str:
    return f"{value:.1f} s" if value < 120 else f"{value / 60:.1f} min"


def summary_lines(results: list[BookResult], elapsed: float, verbose: bool) -> list[str]:
    parts = sorted({p.part for r in results for p in r.parts}, key=lambda name: name != "epub")
    counts = {status: sum(1 for r in results if r.status is status) for status in Status}
    by_part = {(status, part): sum(1 for r in results for p in r.parts if p.part == part and p.status is status) for status in Status for part in parts}
    width = max(5, *(len(str(n)) for n in counts.values()))
    lines = ["", f"{'':8}{'books':>{width}}" + "".join(f"{part:>{width + 2}}" for part in parts)]
    for status in Status:
        lines.append(f"{status.value:8}{counts[status]:>{width}}" + "".join(f"{by_part[status, part]:>{width + 2}}" for part in parts))
    if verbose:
        lines.append("")
        name_width = max(len(r.name) for r in results) if results else 0
        for r in results:
            cells = [f"{p.part} {p.status.value} {_seconds(p.seconds)}" for p in r.parts]
            lines.append(f"{r.name:<{name_width}}  " + "  ".join(cells))
    failed = [r for r in results if r.status is Status.FAILED]
    if failed:
        lines += ["", "failed:"]
        lines += [f"  {r.name}: {r.reason}" for r in failed]
    built = counts[Status.BUILT]
    rate = f" ({built} built: {built / elapsed * 60:.1f} a minute)" if elapsed > 0 and built else ""
    lines += ["", f"{len(results)} books in {_seconds(elapsed)}{rate}"]
    return lines


def report_json(results: list[BookResult], elapsed: float) -> str:
    """Every book and part as data (`anthology batch --report`): for an archive's logs and for bench/."""
    books = [
        {
            "name": r.name, "source": str(r.options.source), "status": r.status.value,
            "parts": [
                {
                    "part": p.part, "status": p.status.value, "seconds": round(p.seconds, 3), "cpu_seconds": round(p.cpu_seconds, 3), "peak_memory": p.peak_memory,
                    "worker": p.worker, "reason": p.reason, "outputs": [str(o) for o in p.outputs],
                }
                for p in r.parts
            ],
        }
        for r in results
    ]
    return json.dumps({"elapsed": round(elapsed, 3), "books": books}, ensure_ascii=False, indent=1)
