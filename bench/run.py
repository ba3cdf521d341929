"""Benchmark `anthology build` against pandoc 3.9 on the seeds scaled 1×, 10×, 100× (issue 8).

    python bench/run.py --scales 1,10,100

Generates the corpora into bench/work/, times both tools interleaved (per repetition and format,
ours then pandoc, then the other way round on the next repetition, so drift in the machine's speed
hits both alike), times `anthology --help`, optionally profiles one build with pyinstrument, and
writes bench/RESULTS.md (plus bench/work/results.json). See bench/README.md.
"""

from __future__ import annotations

import argparse
import datetime
import json
import shlex
import shutil
import signal
import statistics
import sys
from pathlib import Path

import corpus
import critical
import incremental
import measure
import profiling
import report
import tools as toolbox

BENCH = Path(__file__).resolve().parent
# "both": the default build (`--format epub,pdf`) against pandoc's EPUB and then its PDF of the same text.
FORMATS = ("epub", "pdf", "both")


def _scales(text: str) -> list[int]:
    values = sorted({int(v) for v in text.split(",") if v.strip()})
    if not values or min(values) < 1:
        raise argparse.ArgumentTypeError("scales are positive whole numbers, e.g. 1,10,100")
    return values


def _formats(text: str) -> list[str]:
    values = [v.strip() for v in text.split(",") if v.strip()]
    if not values or any(v not in FORMATS for v in values):
        raise argparse.ArgumentTypeError("formats: any of epub, pdf, both (the default build: the EPUB and the PDF)")
    return values


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python bench/run.py", description=__doc__.split("\n\n")[0])
    p.add_argument("--scales", type=_scales, default=[1, 10], help="corpus sizes, in copies of the seeds (default 1,10)")
    p.add_argument("--formats", type=_formats, default=list(FORMATS), help="epub, pdf, both (the default build) or a list (default all three)")
    p.add_argument("--repeat", type=int, default=3, help="timed runs per tool, format and scale; the median is reported (default 3)")
    p.add_argument("--warmup", type=int, default=1, help="untimed runs of each tool on the 1x corpus first (default 1)")
    p.add_argument("--help-runs", type=int, default=10, help="timed runs of `anthology --help` (default 10)")
    p.add_argument("--incremental", action="store_true", help="also time a rebuild after editing one story, at the largest scale")
    p.add_argument("--profile", type=int, metavar="SCALE", help="also profile one EPUB and one PDF build at this scale with pyinstrument")
    p.add_argument("--rev", help="benchmark this commit (exported to WORK/src-SHA) instead of the working tree")
    p.add_argument("--report-only", action="store_true", help="rewrite RESULTS.md from WORK/results.json without measuring")
    p.add_argument("--no-pandoc", action="store_true", help="time anthology alone")
    p.add_argument("--no-install", action="store_true", help="never pip-install what is missing (pandoc rows are then skipped if pypandoc_binary is absent)")
    p.add_argument("--seeds", type=Path, default=toolbox.ROOT / "seeds", help="folder of seed stories (default seeds/)")
    p.add_argument("--work", type=Path, default=BENCH / "work", help="scratch folder for corpora and outputs (default bench/work/)")
    p.add_argument("--results", type=Path, default=BENCH / "RESULTS.md", help="where to write the report (default bench/RESULTS.md)")
    args = p.parse_args(argv)
    # Absolute: the tools run with WORK as their current folder.
    args.seeds, args.work, args.results = args.seeds.resolve(), args.work.resolve(), args.results.resolve()
    if args.repeat < 1 or args.help_runs < 1 or args.warmup < 0:
        p.error("--repeat and --help-runs must be at least 1, --warmup at least 0")
    return args


def anthology_build(tools: toolbox.Tools, source: Path, out: Path, fmt: str) -> list[str]:
    return [*tools.anthology, "build", str(source), "-o", str(out), "--format", "epub,pdf" if fmt == "both" else fmt, "-q"]


def _pandoc(tools: toolbox.Tools, c: corpus.Corpus, fmt: str, out: Path) -> list[str]:
    assert tools.pandoc is not None
    extra = ["--pdf-engine=weasyprint"] if fmt == "pdf" else []
    return [str(tools.pandoc), str(c.markdown), "-o", str(out / f"pandoc.{fmt}"), *extra]


def commands(tools: toolbox.Tools, c: corpus.Corpus, fmt: str, out: Path) -> dict[str, list[str]]:
    """The two commands being compared, exactly as a user would type them."""
    cmds = {"anthology": anthology_build(tools, c.folder, out, fmt)}
    if tools.pandoc is not None:
        if fmt == "both":  # pandoc writes one book a run: the EPUB, then the PDF, timed as one command
            cmds["pandoc"] = ["sh", "-c", f"{shlex.join(_pandoc(tools, c, 'epub', out))} && {shlex.join(_pandoc(tools, c, 'pdf', out))}"]
        else:
            cmds["pandoc"] = _pandoc(tools, c, fmt, out)
    return cmds


def _output(tool: str, fmt: str, out: Path) -> Path:
    """The book the row describes (for "both", the PDF: its page count)."""
    ext = "pdf" if fmt == "both" else fmt
    return out / (f"anthology.{ext}" if tool == "anthology" else f"pandoc.{ext}")


def _fresh(folder: Path) -> Path:
    # Every timed build writes into an empty folder: nothing from an earlier run can be reused.
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return folder


def time_scale(tools: toolbox.Tools, c: corpus.Corpus, args: argparse.Namespace) -> list[dict]:
    samples: dict[tuple[str, str], list[measure.Run]] = {}
    outputs: dict[tuple[str, str], Path] = {}
    timed: dict[str, list[tuple[measure.Run, Path]]] = {}
    for rep in range(args.repeat):
        for fmt in args.formats:
            out = _fresh(args.work / "out" / f"{c.scale}x-{fmt}")
            order = list(commands(tools, c, fmt, out).items())
            for tool, cmd in order if rep % 2 == 0 else reversed(order):
                env = tools.env
                if tool == "anthology":  # where each stage's time went (compiler/timings.py), read by critical.py
                    log = args.work / "timings" / f"{c.scale}x-{fmt}-{rep}.jsonl"
                    log.parent.mkdir(parents=True, exist_ok=True)
                    log.unlink(missing_ok=True)
                    env = {**env, "ANTHOLOGY_TIMINGS": str(log)}
                run = measure.run(cmd, args.work / "logs" / f"{c.scale}x-{fmt}-{tool}-{rep}.log", env=env, cwd=args.work)
                if tool == "anthology":
                    timed.setdefault(fmt, []).append((run, log))
                print(f"  {c.scale:>4}x {fmt:4} {tool:9} run {rep + 1}/{args.repeat}: {run.seconds:7.2f} s, "
                      f"{run.cpu_seconds:7.2f} s CPU, {run.peak_bytes / 1e6:6.0f} MB" + ("" if run.returncode == 0 else f"  FAILED (exit {run.returncode})"),
                      file=sys.stderr, flush=True)
                if run.returncode != 0:
                    print(measure.log_tail(run.log), file=sys.stderr)
                samples.setdefault((fmt, tool), []).append(run)
                outputs[(fmt, tool)] = _output(tool, fmt, out)
    rows = []
    for (fmt, tool), runs in samples.items():
        ok = [r for r in runs if r.returncode == 0]
        path = outputs[(fmt, tool)]
        rows.append({
            "scale": c.scale, "format": fmt, "tool": tool,
            "seconds": [round(r.seconds, 3) for r in runs],
            "median": round(statistics.median(r.seconds for r in ok), 3) if ok else None,
            "cpu_median": round(statistics.median(r.cpu_seconds for r in ok), 3) if ok else None,
            "peak_bytes": max(r.peak_bytes for r in runs),
            "failed": len(runs) - len(ok),
            "output_bytes": path.stat().st_size if path.exists() else None,
            "pages": report.pdf_pages(path) if fmt in ("pdf", "both") and path.exists() else None,
            "command": shlex.join(commands(tools, c, fmt, Path("OUT"))[tool]),
            "left_running": sum(r.left_running for r in runs),
            **({"stages": _stages(timed.get(fmt, []))} if tool == "anthology" else {}),
        })
    return rows


def _stages(timed: list[tuple[measure.Run, Path]]) -> dict | None:
    """The cost split and the critical path on more cores, from the run of median wall time."""
    ok = sorted(((run, log) for run, log in timed if run.returncode == 0 and log.exists()), key=lambda t: t[0].seconds)
    if not ok:
        return None
    run, log = ok[len(ok) // 2]
    spans = critical.load(log)
    stages = critical.split(spans, run.spawned, run.reaped, run.cpu_seconds)
    return {
        "run_seconds": round(run.seconds, 3),
        "run_cpu": round(run.cpu_seconds, 3),
        "split": [{"stage": s.name, "cpu": round(s.cpu, 3), "wall": round(s.wall, 3)} for s in stages],
        "critical_path": {str(k): round(critical.critical_path(spans, stages, k), 2) for k in (2, 4, 8, 16)},
    }


def warm_up(tools: toolbox.Tools, c: corpus.Corpus, args: argparse.Namespace) -> None:
    # Untimed: fills the page cache with Python's modules, pandoc and the fonts.
    for i in range(args.warmup):
        for fmt in args.formats:
            out = _fresh(args.work / "out" / f"warmup-{fmt}")
            for tool, cmd in commands(tools, c, fmt, out).items():
                measure.run(cmd, args.work / "logs" / f"warmup-{fmt}-{tool}-{i}.log", env=tools.env, cwd=args.work)


def time_help(tools: toolbox.Tools, args: argparse.Namespace) -> dict:
    runs = [measure.run([*tools.anthology, "--help"], args.work / "logs" / "help.log", env=tools.env, cwd=args.work) for _ in range(args.help_runs)]
    ok = [r.seconds for r in runs if r.returncode == 0]
    return {"seconds": [round(r.seconds, 3) for r in runs], "median": round(statistics.median(ok), 3) if ok else None,
            "failed": len(runs) - len(ok), "command": shlex.join([*tools.anthology, "--help"])}


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    # A plain `kill` ends the benchmark like Ctrl-C: the running build's process group goes with it.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if args.report_only:
        results = json.loads((args.work / "results.json").read_text(encoding="utf-8"))
        args.results.write_text(report.markdown(results, args.results.parent, args.results), encoding="utf-8")
        print(report.summary(results))
        return 0
    install = not args.no_install
    args.work.mkdir(parents=True, exist_ok=True)
    tools = toolbox.find_tools(install and not args.no_pandoc, args.rev, args.work)
    if args.no_pandoc:
        tools = toolbox.Tools(tools.anthology, None, tools.env, tools.code)
    elif tools.pandoc is None:
        print(f"bench: pandoc is absent ({toolbox.PANDOC_PACKAGE} not installed): timing anthology alone", file=sys.stderr)
    if args.profile:
        toolbox.need_pyinstrument(install)
    started = datetime.datetime.now(datetime.timezone.utc)
    load_before = toolbox.load_average()
    corpora = {s: corpus.generate(args.seeds, args.work, s) for s in sorted(set(args.scales) | {1} | ({args.profile} if args.profile else set()))}
    print("bench: warming up", file=sys.stderr, flush=True)
    warm_up(tools, corpora[1], args)
    rows = []
    for scale in args.scales:
        c = corpora[scale]
        print(f"bench: {scale}x ({c.stories} stories, {c.words:,} words)", file=sys.stderr, flush=True)
        rows += time_scale(tools, c, args)
    edits = []
    # Each book alone, then both at once: what `anthology build` makes by default.
    rebuilt = list(dict.fromkeys(["epub,pdf" if f == "both" else f for f in args.formats] + (["epub,pdf"] if {"epub", "pdf"} <= set(args.formats) else [])))
    for fmt in rebuilt if args.incremental else ():
        print(f"bench: incremental {fmt} rebuild at {max(args.scales)}x", file=sys.stderr, flush=True)
        edits.append(incremental.measure_incremental(
            corpora[max(args.scales)], fmt, args.work, lambda src, out, f: anthology_build(tools, src, out, f), tools.env))
    print("bench: anthology --help", file=sys.stderr, flush=True)
    help_time = time_help(tools, args)
    profiles = []
    for fmt in args.formats if args.profile else ():
        print(f"bench: profiling a {args.profile}x {fmt} build", file=sys.stderr, flush=True)
        profiles.append(profiling.profile_build(corpora[args.profile].folder, args.profile, fmt, args.work, args.results.parent / "profiles", tools.env).as_dict())
    results = {
        "command": "python bench/run.py " + shlex.join(argv if argv is not None else sys.argv[1:]),
        "started": started.strftime("%Y-%m-%d %H:%M UTC"),
        "minutes": round((datetime.datetime.now(datetime.timezone.utc) - started).total_seconds() / 60, 1),
        "repeat": args.repeat,
        "machine": toolbox.describe_machine(tools, load_before),
        "corpora": [{"scale": c.scale, "stories": c.stories, "words": c.words, "markdown_words": len(c.markdown.read_text(encoding="utf-8").split())}
                    for c in corpora.values() if c.scale in args.scales],
        "rows": rows,
        "help": help_time,
        "incremental": edits,
        "profiles": profiles,
    }
    (args.work / "results.json").write_text(json.dumps(results, indent=2), encoding="utf-8")
    args.results.parent.mkdir(parents=True, exist_ok=True)
    args.results.write_text(report.markdown(results, args.results.parent, args.results), encoding="utf-8")
    print(report.summary(results))
    print(f"bench: wrote {args.results} and {args.work / 'results.json'}", file=sys.stderr)
    failed = sum(r["failed"] for r in rows + edits) + help_time["failed"]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
