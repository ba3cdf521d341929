"""RESULTS.md from the measured results: machine, corpora, times, ratios, growth, the issue's
targets, and the profile's hot spots. Hand-written notes below NOTES_MARK survive a rerun."""

from __future__ import annotations

import os
import re
from pathlib import Path

NOTES_MARK = "<!-- Hand-written notes below this line are kept when the harness rewrites this file. -->"
# Issue 19's targets: the default build (EPUB + PDF) against pandoc's EPUB + PDF at each scale,
# the CPU and memory of the 100× build, and the start-up; issue 8's growth and rebuild still watched.
BOTH_RATIOS = {1: 0.8, 10: 0.7, 100: 0.65}
CPU_100, PEAK_MB, HELP_SECONDS = 60.0, 400, 0.15
GROWTH = 11.0
FORMAT_NAMES = {"epub": "EPUB", "pdf": "PDF", "both": "EPUB + PDF"}


def pdf_pages(path: Path) -> int | None:
    try:
        import pikepdf

        with pikepdf.open(path) as pdf:
            return len(pdf.pages)
    except ImportError:
        found = re.findall(rb"/Type\s*/Page[^s]", path.read_bytes())
        return len(found) or None
    except Exception:  # an unreadable PDF: the build's own failure is reported elsewhere
        return None


def _row(results: dict, scale: int, fmt: str, tool: str) -> dict | None:
    return next((r for r in results["rows"] if (r["scale"], r["format"], r["tool"]) == (scale, fmt, tool)), None)


def ratio(results: dict, scale: int, fmt: str) -> float | None:
    ours, theirs = _row(results, scale, fmt, "anthology"), _row(results, scale, fmt, "pandoc")
    if not ours or not theirs or not ours["median"] or not theirs["median"]:
        return None
    return ours["median"] / theirs["median"]


def growth(results: dict, fmt: str, tool: str, big: int, small: int) -> float | None:
    a, b = _row(results, big, fmt, tool), _row(results, small, fmt, tool)
    return a["median"] / b["median"] if a and b and a["median"] and b["median"] else None


def _n(value: float | None, digits: int = 2, suffix: str = "") -> str:
    return "–" if value is None else f"{value:.{digits}f}{suffix}"


def _mb(value: int | None) -> str:
    return "–" if value is None else f"{value / 1e6:.0f}"


def _times(results: dict) -> list[str]:
    lines = [
        "| scale | format | anthology median (s) | pandoc median (s) | ratio ours/pandoc | anthology peak (MB) | pandoc peak (MB) "
        "| anthology CPU (s) | pandoc CPU (s) | pages ours / pandoc | all runs (s): ours; pandoc |",
        "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for scale in sorted({r["scale"] for r in results["rows"]}):
        for fmt in FORMAT_NAMES:
            ours, theirs = _row(results, scale, fmt, "anthology"), _row(results, scale, fmt, "pandoc")
            if not ours:
                continue
            theirs = theirs or {"median": None, "cpu_median": None, "peak_bytes": None, "pages": None, "seconds": [], "failed": 0}
            pages = f"{ours['pages'] or '–'} / {theirs['pages'] or '–'}" if fmt != "epub" else ""
            runs = f"{', '.join(map(str, ours['seconds']))}; {', '.join(map(str, theirs['seconds'])) or '–'}"
            failed = " **(failures: see bench/work/logs)**" if ours["failed"] or theirs["failed"] else ""
            lines.append(
                f"| {scale}× | {FORMAT_NAMES[fmt]} | {_n(ours['median'])} | {_n(theirs['median'])} | {_n(ratio(results, scale, fmt))} "
                f"| {_mb(ours['peak_bytes'])} | {_mb(theirs['peak_bytes'])} | {_n(ours.get('cpu_median'))} | {_n(theirs.get('cpu_median'))} "
                f"| {pages} | {runs}{failed} |"
            )
    return lines


def _growth(results: dict) -> list[str]:
    scales = sorted({r["scale"] for r in results["rows"]})
    pairs = [(b, a) for a, b in zip(scales, scales[1:])]
    if not pairs:
        return ["Only one scale was measured."]
    lines = ["| from → to | format | anthology | pandoc | linear would be |", "| --- | --- | ---: | ---: | ---: |"]
    for big, small in pairs:
        for fmt in FORMAT_NAMES:
            ours = growth(results, fmt, "anthology", big, small)
            if ours is not None:
                lines.append(f"| {small}× → {big}× | {FORMAT_NAMES[fmt]} | {_n(ours, 1, '×')} | {_n(growth(results, fmt, 'pandoc', big, small), 1, '×')} | {big / small:.1f}× |")
    return lines


def targets(results: dict) -> list[tuple[str, str, bool | None]]:
    """(target, measured, met) for issue 19's targets (and issue 8's still watched); met is None when not measured."""
    out: list[tuple[str, str, bool | None]] = []
    for scale, limit in BOTH_RATIOS.items():
        r = ratio(results, scale, "both")
        ours = _row(results, scale, "both", "anthology")
        cpu = f", CPU {_n(ours.get('cpu_median'), 1)} s against {_n((_row(results, scale, 'both', 'pandoc') or {}).get('cpu_median'), 1)} s" if ours else ""
        out.append((f"EPUB + PDF at {scale}×: at most {limit}× pandoc's EPUB + PDF (wall time, one run)", f"{_n(r)}×{cpu}", None if r is None else r <= limit))
    big = _row(results, 100, "both", "anthology")
    cpu = big.get("cpu_median") if big else None
    out.append((f"EPUB + PDF at 100×: total CPU at most {CPU_100:g} s", f"{_n(cpu, 1)} s", None if cpu is None else cpu <= CPU_100))
    peak = big["peak_bytes"] / 1e6 if big else None
    out.append((f"EPUB + PDF at 100×: peak memory at most {PEAK_MB} MB (RSS summed over the process tree)", f"{_n(peak, 0)} MB", None if peak is None else peak <= PEAK_MB))
    h = results["help"]["median"]
    out.append((f"`anthology --help` under {HELP_SECONDS} s", f"{_n(h, 3)} s", None if h is None else h < HELP_SECONDS))
    for fmt in FORMAT_NAMES:
        g = growth(results, fmt, "anthology", 100, 10)
        if g is not None:
            out.append((f"(issue 8) linear growth, {FORMAT_NAMES[fmt]}: 100× build at most {GROWTH:g}× the 10× build", f"{_n(g, 1)}×", g <= GROWTH))
    inc = [e for e in results.get("incremental", []) if e["share"] is not None]
    worst = max(inc, key=lambda e: e["share"], default=None)
    if worst:
        out.append((
            "(issue 8) incremental: rebuild after editing one story of 100× at most 15% of a full build, identical output",
            f"{worst['share']:.0%} ({_books(worst['format'])} at {worst['scale']}×, the slowest to rebuild), output {'identical' if all(e['identical'] for e in inc) else 'DIFFERENT'}",
            None if worst["scale"] != 100 else all(e["share"] <= 0.15 and e["identical"] for e in inc),
        ))
    return out


def _stages(results: dict) -> list[str]:
    """The cost split and the critical path of the largest default build measured."""
    rows = [r for r in results["rows"] if r["tool"] == "anthology" and r.get("stages")]
    if not rows:
        return ["Not measured in this run (time the default build: `--formats both`)."]
    row = max(rows, key=lambda r: (r["scale"], r["format"] == "both"))
    st = row["stages"]
    total_cpu = sum(s["cpu"] for s in st["split"]) or 1.0
    lines = [
        f"The {row['scale']}× {FORMAT_NAMES[row['format']]} build of median wall time ({st['run_seconds']:.2f} s, "
        f"{st['run_cpu']:.1f} s of CPU), as the build timed itself (`ANTHOLOGY_TIMINGS`, compiler/timings.py; bench/critical.py "
        "reads it). CPU counts every process; wall is the time the build's own process spent in the stage, one after "
        "another (the layout jobs run in the layout processes meanwhile, while it waits in \"PDF, in the build's process\").",
        "",
        "| stage | CPU (s) | share of CPU | wall in the build's process (s) |",
        "| --- | ---: | ---: | ---: |",
        *(f"| {s['stage']} | {s['cpu']:.2f} | {s['cpu'] / total_cpu:.0%} | {s['wall']:.2f} |" for s in st["split"]),
        "",
        "What the same build would take with more layout processes on idle cores, replaying its measured jobs "
        "(bench/critical.py: the build's own work in order, the layout jobs scheduled as compiler/package/pdf/chunks.py does):",
        "",
        "| cores | " + " | ".join(st["critical_path"]) + " |",
        "| --- |" + " ---: |" * len(st["critical_path"]),
        "| seconds | " + " | ".join(f"{v:.1f}" for v in st["critical_path"].values()) + " |",
    ]
    return lines


def _books(fmt: str) -> str:
    return " + ".join(f.upper() for f in fmt.replace("both", "epub,pdf").split(",")) + (" (the default build)" if "," in fmt or fmt == "both" else "")


def _incremental(results: dict) -> list[str]:
    rows = results.get("incremental", [])
    if not rows:
        return ["Not measured in this run (add `--incremental`)."]
    return [
        "One story edited (a sentence appended to its longest paragraph), then `anthology build` again into the folder of the "
        "first build, against a clean build of the edited corpus into an empty folder. One run each.",
        "",
        "| scale | format | story edited | rebuild (s) | clean build (s) | rebuild / clean | same bytes as the clean build |",
        "| ---: | --- | --- | ---: | ---: | ---: | --- |",
        *(f"| {e['scale']}× | {_books(e['format'])} | `{e['edited']}` | {e['rebuild_seconds']:.2f} | {e['clean_seconds']:.2f} "
          f"| {_n(e['share'] and e['share'] * 100, 0, '%')} | {'yes' if e['identical'] else '**no**'} |" for e in rows),
    ]


def _profiles(results: dict, where: Path) -> list[str]:
    lines: list[str] = []
    for p in results["profiles"]:
        tree = os.path.relpath(p["tree"], where)
        lines += [
            f"### {p['scale']}× {p['format'].upper()} build: {p['seconds']:.1f} s sampled",
            "",
            f"Call tree: [{tree}]({tree}). Self time summed per package folder, and the functions with the most self time:",
            "",
            "| package folder | self (s) | share |",
            "| --- | ---: | ---: |",
            *(f"| `{name}` | {s:.2f} | {s / p['seconds']:.0%} |" for name, s in p["folders"]),
            "",
            "| function | self (s) | share |",
            "| --- | ---: | ---: |",
            *(f"| `{name}` | {s:.2f} | {s / p['seconds']:.0%} |" for name, s in p["functions"]),
            "",
        ]
    return lines or ["Not profiled in this run (add `--profile 10`)."]


def _kept_notes(path: Path) -> str:
    if not path.exists():
        return ""
    text = path.read_text(encoding="utf-8")
    return text.split(NOTES_MARK, 1)[1].strip() if NOTES_MARK in text else ""


def markdown(results: dict, where: Path, results_path: Path | None = None) -> str:
    m = results["machine"]
    verdict = {True: "met", False: "**not met**", None: "not measured"}
    notes = _kept_notes(results_path) if results_path else ""
    lines = [
        "# Benchmark: `anthology build` against pandoc 3.9",
        "",
        "Written by `bench/run.py` (see [README.md](README.md)); rerun it rather than editing the tables. Reproduce with:",
        "",
        "```sh",
        results["command"],
        "```",
        "",
        f"Run {results['started']}, {results['minutes']} min in all. Each figure is the median of {results['repeat']} timed runs; "
        "the two tools ran interleaved (ours first on odd repetitions, pandoc first on even ones), each into an empty folder, "
        "after an untimed warm-up. Peak memory is the largest over the runs, of the whole process tree (pandoc's includes its "
        "weasyprint child). CPU is user + system time of every process the command started (orphans included: the harness "
        "reaps them), median: steadier than wall time when the machine is busy, and above it once work runs in parallel. "
        "EPUB + PDF is the default build (`--format epub,pdf`) against pandoc's EPUB and then its PDF, one command. MB = 10⁶ bytes.",
        "",
        "## Machine",
        "",
        "| | |",
        "| --- | --- |",
        *(f"| {k} | {v} |" for k, v in m.items()),
        "",
        "## Corpora",
        "",
        "The seeds copied N times as distinct stories (own title, own cast of names); pandoc reads the same text as one Markdown file.",
        "",
        "| scale | stories | words in the story files | words in pandoc's Markdown |",
        "| ---: | ---: | ---: | ---: |",
        *(f"| {c['scale']}× | {c['stories']} | {c['words']:,} | {c['markdown_words']:,} |" for c in results["corpora"]),
        "",
        "## Build times",
        "",
        *_times(results),
        "",
        "## Growth",
        "",
        *_growth(results),
        "",
        "## Incremental rebuild",
        "",
        *_incremental(results),
        "",
        "## Start-up",
        "",
        f"`{results['help']['command']}`: median {_n(results['help']['median'], 3)} s over {len(results['help']['seconds'])} runs "
        f"({', '.join(map(str, results['help']['seconds']))}).",
        "",
        "## Where the time goes",
        "",
        *_stages(results),
        "",
        "## Targets (issue 19)",
        "",
        "| target | measured | verdict |",
        "| --- | --- | --- |",
        *(f"| {t} | {v} | {verdict[ok]} |" for t, v, ok in targets(results)),
        "",
        "## Profile (pyinstrument)",
        "",
        *_profiles(results, where),
        "",
        NOTES_MARK,
        "",
        notes,
    ]
    return "\n".join(lines).rstrip() + "\n"


def summary(results: dict) -> str:
    """The build-time table alone, for the terminal."""
    return "\n".join(_times(results) + [""] + [f"{t}: {v}" for t, v, _ in targets(results)])
