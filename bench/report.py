"""RESULTS.md from the measured results: machine, corpora, times, ratios, growth, the issue's
targets, and the profile's hot spots. Hand-written notes below NOTES_MARK survive a rerun."""

from __future__ import annotations

import os
import re
from pathlib import Path

NOTES_MARK = "<!-- Hand-written notes below this line are kept when the harness rewrites this file. -->"
# Issue 8's targets, read at the largest scale measured against the one ten times smaller.
EPUB_RATIO, PDF_RATIO, PDF_PEAK_MB, GROWTH, HELP_SECONDS = 0.5, 0.5, 400, 11.0, 0.3


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
        for fmt in ("epub", "pdf"):
            ours, theirs = _row(results, scale, fmt, "anthology"), _row(results, scale, fmt, "pandoc")
            if not ours:
                continue
            theirs = theirs or {"median": None, "cpu_median": None, "peak_bytes": None, "pages": None, "seconds": [], "failed": 0}
            pages = f"{ours['pages'] or '–'} / {theirs['pages'] or '–'}" if fmt == "pdf" else ""
            runs = f"{', '.join(map(str, ours['seconds']))}; {', '.join(map(str, theirs['seconds'])) or '–'}"
            failed = " **(failures: see bench/work/logs)**" if ours["failed"] or theirs["failed"] else ""
            lines.append(
                f"| {scale}× | {fmt.upper()} | {_n(ours['median'])} | {_n(theirs['median'])} | {_n(ratio(results, scale, fmt))} "
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
        for fmt in ("epub", "pdf"):
            ours = growth(results, fmt, "anthology", big, small)
            if ours is not None:
                lines.append(f"| {small}× → {big}× | {fmt.upper()} | {_n(ours, 1, '×')} | {_n(growth(results, fmt, 'pandoc', big, small), 1, '×')} | {big / small:.1f}× |")
    return lines


def targets(results: dict) -> list[tuple[str, str, bool | None]]:
    """(target, measured, met) for each of issue 8's targets; met is None when not measured."""
    top = max((r["scale"] for r in results["rows"]), default=0)
    at = f"at {top}×" if top else ""
    out: list[tuple[str, str, bool | None]] = []
    for fmt, limit in (("epub", EPUB_RATIO), ("pdf", PDF_RATIO)):
        r = ratio(results, top, fmt)
        out.append((f"{fmt.upper()} at 100×: at most {limit}× pandoc's time", f"{_n(r)}× {at}", None if r is None or top != 100 else r <= limit))
    row = _row(results, top, "pdf", "anthology")
    peak = row["peak_bytes"] / 1e6 if row else None
    out.append((f"PDF at 100×: peak memory at most {PDF_PEAK_MB} MB", f"{_n(peak, 0)} MB {at}", None if peak is None or top != 100 else peak <= PDF_PEAK_MB))
    for fmt in ("epub", "pdf"):
        g = growth(results, fmt, "anthology", 100, 10)
        out.append((f"Linear growth ({fmt.upper()}): 100× build at most {GROWTH:g}× the 10× build", f"{_n(g, 1)}×", None if g is None else g <= GROWTH))
    inc = [e for e in results.get("incremental", []) if e["share"] is not None]
    worst = max(inc, key=lambda e: e["share"], default=None)
    out.append((
        "Incremental: rebuild after editing one story of 100× at most 15% of a full build, identical output",
        f"{worst['share']:.0%} ({_books(worst['format'])} at {worst['scale']}×, the slowest to rebuild), output {'identical' if all(e['identical'] for e in inc) else 'DIFFERENT'}"
        if worst else "not measured (add `--incremental`)",
        None if worst is None or worst["scale"] != 100 else all(e["share"] <= 0.15 and e["identical"] for e in inc),
    ))
    h = results["help"]["median"]
    out.append((f"`anthology --help` under {HELP_SECONDS} s", f"{_n(h, 3)} s", None if h is None else h < HELP_SECONDS))
    return out


def _books(fmt: str) -> str:
    return " + ".join(f.upper() for f in fmt.split(",")) + (" (the default build)" if "," in fmt else "")


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
        "weasyprint child). CPU is user + system time of the tree, median: steadier than wall time when the machine is busy, "
        "and above it once work runs in parallel. MB = 10⁶ bytes.",
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
        "## Issue 8 targets",
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
