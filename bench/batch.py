"""bench: `anthology batch` at archive scale (issue 21).

N works (the labelled corpus's stories and the seeds, scaled and varied: batch_works.py) made into
an EPUB and a PDF each, three ways: `anthology batch` on the local Dask cluster, one `anthology
build` process at a time, and calibre's `ebook-convert` per work and format (what AO3 runs for
each download). Then the parts of a model of how the batch scales past one machine (each book's
cost, Dask's cost per task, a re-run where every book is cached), and whether laying one huge
book's PDF chunks out on the cluster pays (batch_chunks.py). Writes bench/work/batch/results.json
and the batch section of bench/RESULTS.md (between its markers, after the hand-written notes).

    pip install -e '.[batch]'          # once; calibre from Debian (apt-get install calibre)
    python bench/batch.py              # 200 works: about an hour on a busy 2-core machine
    python bench/batch.py --works 24 --skip huge   # a few minutes
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import shutil
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

import batch_runs
import tools
from batch_works import make_works

ROOT = Path(__file__).resolve().parent.parent
EPOCH = "1700000000"  # every run makes the same bytes
BEGIN = "<!-- batch: written by bench/batch.py (issue 21); rerun it rather than editing this section -->"
END = "<!-- end batch -->"


def _mb(value: float) -> str:
    return f"{value / 1e6:,.0f}"


def measure_all(args: argparse.Namespace) -> dict[str, Any]:
    work = Path(args.work).resolve()
    works = make_works(work, args.works)
    names = sorted(works.words)
    base = work / "batch"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "SOURCE_DATE_EPOCH": EPOCH}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    results: dict[str, Any] = {"works": len(names), "words": works.words, "load_before": tools.load_average(), "skip": args.skip}
    for name in ("out-batch", "out-sequential", "out-calibre", "logs"):
        shutil.rmtree(base / name, ignore_errors=True)
    (base / "logs").mkdir()

    print(f"bench: anthology batch, {len(names)} works on the local cluster", file=sys.stderr)
    run = batch_runs.run_batch(works.folder, base / "out-batch", base / "report.json", env, base / "logs" / "batch.log")
    again = batch_runs.run_batch(works.folder, base / "out-batch", base / "report-again.json", env, base / "logs" / "batch-again.log")
    results["batch"] = {
        "seconds": run.seconds, "cpu_seconds": run.cpu_seconds, "returncode": run.returncode,
        "peaks": {"tree": run.peaks.tree, "driver": run.peaks.driver, "per_worker": list(run.peaks.per_worker.values()),
                  "worker_alone": run.peaks.worker_alone, "book_process": run.peaks.book_process},
        "report": json.loads((base / "report.json").read_text()),
        "again_seconds": again.seconds, "again_report": json.loads((base / "report-again.json").read_text()),
    }
    results["sizes"] = {name: sum(p.stat().st_size for p in (base / "out-batch" / name).glob("anthology.*")) for name in names}
    save = base / "results.json"  # after every stage, so that a stage that fails keeps the ones before it
    save.write_text(json.dumps(results, indent=1))
    if "sequential" not in args.skip:
        print("bench: one anthology build at a time", file=sys.stderr)
        runs = batch_runs.run_sequential(names, works.folder, base / "out-sequential", env, base / "logs" / "sequential")
        results["sequential"] = {n: {"seconds": r.seconds, "cpu_seconds": r.cpu_seconds, "peak": r.peak_bytes, "returncode": r.returncode} for n, r in runs.items()}
        save.write_text(json.dumps(results, indent=1))
    if "calibre" not in args.skip and shutil.which("ebook-convert"):
        print(f"bench: calibre ebook-convert, {args.calibre_parallel} at a time", file=sys.stderr)
        wall, converted = batch_runs.run_calibre(works.calibre, base / "out-calibre", batch_runs.calibre_env(), base / "logs" / "calibre", args.calibre_parallel)
        results["calibre"] = {
            "seconds": wall, "parallel": args.calibre_parallel,
            "version": subprocess.run(["ebook-convert", "--version"], capture_output=True, text=True).stdout.splitlines()[0],
            "runs": {n: {f: {"seconds": r.seconds, "peak": r.peak_bytes, "returncode": r.returncode} for f, r in fmts.items()} for n, fmts in converted.items()},
        }
        save.write_text(json.dumps(results, indent=1))
    if "overhead" not in args.skip:
        print("bench: Dask's cost per task", file=sys.stderr)
        results["overhead"] = batch_runs.dask_overhead(2000, len(os.sched_getaffinity(0)))
        save.write_text(json.dumps(results, indent=1))
    if "huge" not in args.skip:
        import batch_chunks
        import corpus

        print(f"bench: one {args.huge_scale}x book's PDF chunks on Dask", file=sys.stderr)
        huge = corpus.generate(ROOT / "seeds", work, args.huge_scale)
        os.environ["SOURCE_DATE_EPOCH"] = EPOCH
        results["huge"] = {"scale": args.huge_scale, "words": huge.words, **batch_chunks.compare(huge.folder, len(os.sched_getaffinity(0)))}
    results["load_after"] = tools.load_average()
    results["when"] = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    results["commit"] = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short=12", "HEAD"], capture_output=True, text=True).stdout.strip()
    save.write_text(json.dumps(results, indent=1))
    return results


def _parts(report: dict[str, Any], part: str, key: str, status: str = "built") -> list[float]:
    return [p[key] for b in report["books"] for p in b["parts"] if p["part"] == part and p["status"] == status]


def section(r: dict[str, Any]) -> str:
    cores = len(os.sched_getaffinity(0))
    n = r["works"]
    batch = r["batch"]
    report = batch["report"]
    built = [b for b in report["books"] if b["status"] == "built"]
    failed = [b for b in report["books"] if b["status"] == "failed"]
    epub_s, pdf_s = _parts(report, "epub", "seconds"), _parts(report, "pdf", "seconds")
    per_book = statistics.mean(sum(p.get("cpu_seconds", p["seconds"]) for p in b["parts"]) for b in built)
    rate = n / batch["seconds"] * 60
    words = sum(r["words"].values())
    out = [BEGIN, "", "## Batch: many books on Dask (issue 21)", ""]
    out += [
        f"Written by `bench/batch.py` on {r['when']} at commit {r['commit']} ({cores} cores; load average {r['load_before']} before, "
        f"{r['load_after']} after: the machine is shared). Reproduce with `python bench/batch.py --works {n}`.",
        "",
        f"**The works**: {n} works, {words:,} words in all: {sum(1 for w in r['words'] if w.startswith('c-'))} one-story works from the "
        "labelled corpus (HTML, Markdown, plain text, legacy encodings; 5 KB to 700 KB) and the rest from the seeds, each 1 to 8 "
        "distinct stories (bench/batch_works.py). Each is made into an EPUB and a PDF (print profile), SOURCE_DATE_EPOCH fixed.",
        "",
        "| how | wall | books a minute | peak memory | notes |",
        "| --- | ---: | ---: | ---: | --- |",
    ]
    peaks = batch["peaks"]
    out.append(
        f"| `anthology batch`, LocalCluster of {cores} workers | {batch['seconds']:.0f} s | **{rate:.1f}** | {_mb(max(peaks['per_worker'] or [0]))} MB a worker "
        f"(its book process {_mb(peaks['book_process'])}, the Dask worker {_mb(peaks['worker_alone'])}); {_mb(peaks['tree'])} MB in all | "
        f"{len(built)} built, {len(failed)} failed; EPUB and PDF as separate tasks; cluster start-up included |"
    )
    if "sequential" in r:
        seq = r["sequential"]
        seq_wall = sum(v["seconds"] for v in seq.values())
        bad = sum(1 for v in seq.values() if v["returncode"])
        out.append(
            f"| one `anthology build` at a time | {seq_wall:.0f} s | {n / seq_wall * 60:.1f} | {_mb(max(v['peak'] for v in seq.values()))} MB "
            f"(largest build) | {n - bad} built, {bad} failed; a long PDF's layout uses every core (`-j`) |"
        )
    if "calibre" in r:
        cal = r["calibre"]
        runs = [run for fmts in cal["runs"].values() for run in fmts.values()]
        bad = sum(1 for fmts in cal["runs"].values() if any(v["returncode"] for v in fmts.values()))
        out.append(
            f"| calibre `ebook-convert` per work and format, {cal['parallel']} at a time | {cal['seconds']:.0f} s | {n / cal['seconds'] * 60:.1f} | "
            f"{_mb(max(v['peak'] for v in runs))} MB (largest conversion) | {cal['version']}; {n - bad} works converted, {bad} failed; "
            f"EPUB {statistics.mean(v['seconds'] for f in cal['runs'].values() for k, v in f.items() if k == 'epub'):.1f} s, "
            f"PDF {statistics.mean(v['seconds'] for f in cal['runs'].values() for k, v in f.items() if k == 'pdf'):.1f} s a work on average; no check of lost words |"
        )
    out += ["", "Per book, inside its book process (the batch's report, `--report`):", "",
            "| part | books | wall, mean (s) | wall, median (s) | wall, slowest (s) | CPU, mean (s) | peak memory, largest (MB) |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for part, seconds in (("EPUB", epub_s), ("PDF", pdf_s)):
        if seconds:
            peak = max(_parts(report, part.lower(), "peak_memory"))
            cpu = statistics.mean(_parts(report, part.lower(), "cpu_seconds"))
            out.append(f"| {part} | {len(seconds)} | {statistics.mean(seconds):.2f} | {statistics.median(seconds):.2f} | {max(seconds):.1f} | {cpu:.2f} | {_mb(peak)} |")
    if failed:
        out += ["", "Failed in the batch: " + "; ".join(f"{b['name']}: " + " ".join(p["reason"] for p in b["parts"] if p["reason"]) for b in failed)]
    again = batch["again_seconds"]
    cached = sum(1 for b in batch["again_report"]["books"] if b["status"] == "cached")
    out += ["", f"**Resume**: the same command again, nothing changed: {cached} of {n} books cached, {again:.1f} s in all "
            f"(cluster start-up included), {again / max(1, 2 * n) * 1000:.0f} ms a part."]
    out += model(r, per_book, rate, cores)
    if "huge" in r:
        h = r["huge"]
        out += ["", f"**One huge book** ({h['scale']}× seeds, {h['words']:,} words): its PDF chunks laid out by the build's own "
                f"{cores} layout processes took {h['local_seconds']:.1f} s; sent to a LocalCluster of {cores} Dask workers instead, "
                f"{h['dask_cold_seconds']:.1f} s on fresh workers and {h['dask_warm_seconds']:.1f} s on warm ones "
                f"(the same PDF: {'yes' if h['same_pages'] else 'no'})."]
    out += ["", END]
    return "\n".join(out)


def model(r: dict[str, Any], per_book: float, rate: float, cores: int) -> list[str]:
    """How it scales past this machine: estimates from the parts measured above."""
    ideal = cores * 60 / per_book
    efficiency = rate / ideal
    lines = ["", "### How it scales (an estimate from the parts measured above)", ""]
    overhead = r.get("overhead")
    sizes = statistics.mean(r["sizes"].values())
    lines += [
        f"- **Per book**: {per_book:.2f} CPU-s on average (EPUB part + PDF part, each in its warm book process; processor time, "
        "which the machine's other load does not inflate as it does wall time). "
        f"{cores} workers would make {ideal:.1f} books a minute at best; the run made {rate:.1f}, so {efficiency:.0%} of that "
        "(cluster start-up, the slowest books finishing last, and what else ran on this machine)."
    ]
    if overhead:
        cap = overhead["tasks_per_second"] / 2 * 60
        lines.append(
            f"- **Dask per task**: {overhead['per_task_ms']:.2f} ms end to end for a task that does nothing ({overhead['tasks']} through "
            f"{cores} workers: {overhead['tasks_per_second']:.0f} tasks a second), so the scheduler alone could hand out some "
            f"{cap:,.0f} books a minute (two tasks a book): about {cap / (60 / per_book):,.0f} busy cores' worth before it is the limit."
        )
    worker_peak = max(r["batch"]["peaks"]["per_worker"] or [0])
    lines.append(f"- **Bytes**: {sizes / 1e6:.2f} MB of books a work on average, written to the shared folder the workers write into.")
    for label, workers in (("16 cores, one machine", 16), (f"10 machines of {cores} cores", 10 * cores), ("10 machines of 16 cores", 160)):
        books = workers * 60 / per_book * efficiency
        lines.append(
            f"- **{label}** ({workers} workers): about {books:,.0f} books a minute ({books * 60 * 24 / 1e6:.2f} million a day), "
            f"{workers * worker_peak / 1e9:.1f} GB of memory in all at this run's worker peak, {books * sizes / 60 / 1e6:.1f} MB/s written."
        )
    lines.append(
        "- These scale the measured cost per book by the workers, at this run's efficiency; they assume cores like these, works like "
        "these (the cost is close to linear in pages), and a file system that keeps up. Past a few hundred workers the scheduler's "
        "share grows and works should be sent in larger groups."
    )
    return lines


def write_section(results_md: Path, text: str) -> None:
    current = results_md.read_text(encoding="utf-8") if results_md.exists() else ""
    if BEGIN in current and END in current:
        start, end = current.index(BEGIN), current.index(END) + len(END)
        updated = current[:start] + text + current[end:]
    else:
        updated = current.rstrip("\n") + "\n\n" + text + "\n"
    results_md.write_text(updated, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--works", type=int, default=200)
    parser.add_argument("--work", default=str(ROOT / "bench" / "work"))
    parser.add_argument("--results", default=str(ROOT / "bench" / "RESULTS.md"))
    parser.add_argument("--skip", default="", help="comma-separated: sequential, calibre, overhead, huge")
    parser.add_argument("--calibre-parallel", type=int, default=len(os.sched_getaffinity(0)))
    parser.add_argument("--huge-scale", type=int, default=100)
    parser.add_argument("--report-only", action="store_true", help="rewrite the section from the last results.json")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    saved = Path(args.work).resolve() / "batch" / "results.json"
    results = json.loads(saved.read_text()) if args.report_only else measure_all(args)
    write_section(Path(args.results), section(results))
    print(f"bench: wrote {args.results}", file=sys.stderr)


if __name__ == "__main__":
    main()
