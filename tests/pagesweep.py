"""The page-quality sweep: the check of compiler/package/press/quality.py over every book PDF the
test session built (conftest.py runs it once, at the end, as it runs EPUBCheck over every EPUB).

A book PDF is a laid-out book: it has the renderer's `doc-…` destinations (imposed sheets, wrap
covers and the few-line PDFs a test makes with weasyprint have none). Its text block comes from the
built-in theme whose trim the pages have (classic's margins for any other size: the three themes'
margins differ by a twentieth of an inch at most).

What fails the session: any finding in a book, except
- in a book a test made with faults on purpose (`@pytest.mark.page_faults`), reported apart;
- what the README explains cannot be helped, up to the count it gives in any one book: UNAVOIDABLE
  (the seeds' own tests, test_page_quality.py, still want nothing at all in theirs).
"""

from __future__ import annotations

import io
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pikepdf

from compiler.package.press.pagetext import TextBlock, starts
from compiler.package.press.quality import Finding, check_pdf
from compiler.render.theme import load_theme

THEMES = ("classic", "modern", "large-print")
# Findings the README explains cannot be helped, by code: how many any one book may hold. Q001: a
# preformatted block (a printed edition's contents list, a stanza) is kept whole and moves whole.
UNAVOIDABLE: dict[str, int] = {"Q001": 1}


def _block(data: bytes) -> TextBlock:
    with pikepdf.open(io.BytesIO(data)) as pdf:
        box = [float(v) for v in pdf.pages[0].trimbox]
    size = (round((box[2] - box[0]) / 72, 2), round((box[3] - box[1]) / 72, 2))
    for name in THEMES:
        settings = load_theme(name).settings
        width, height = (float(v) for v in settings.print.trim.split("x"))
        if (round(width, 2), round(height, 2)) == size:
            return TextBlock.from_theme(settings)
    return TextBlock.from_theme(load_theme("classic").settings)


def is_book(data: bytes) -> bool:
    try:  # the renderer's document wrappers, not any PDF's bookmarks (pandoc's, in the benchmark)
        return any(start.opening and start.name.startswith("doc-") for start in starts(data))
    except pikepdf.PdfError:  # a test's broken file on purpose, or a half-written one: no book
        return False


@dataclass
class Sweep:
    books: int = 0
    found: dict[Path, list[Finding]] = field(default_factory=dict)
    on_purpose: dict[Path, list[Finding]] = field(default_factory=dict)

    def counted(self, which: dict[Path, list[Finding]]) -> Counter[str]:
        return Counter(f.kind.value for findings in which.values() for f in findings)

    @property
    def failing(self) -> dict[Path, list[Finding]]:
        """The books with more findings of a kind than the README explains."""
        return {
            path: findings
            for path, findings in self.found.items()
            if any(n > UNAVOIDABLE.get(code, 0) for code, n in Counter(f.kind.value for f in findings).items())
        }

    @property
    def failed(self) -> bool:
        return bool(self.failing)

    def lines(self) -> list[str]:
        clean = self.books - len(self.found) - len(self.on_purpose)
        counts = self.counted(self.found)
        summary = ", ".join(f"{n} {code}" for code, n in sorted(counts.items())) or "nothing"
        out = [f"Page quality on every book PDF the tests built: {clean} of {self.books} clean; found {summary}"]
        if self.on_purpose:
            made = ", ".join(f"{n} {code}" for code, n in sorted(self.counted(self.on_purpose).items()))
            out.append(f"  (and {made} in {len(self.on_purpose)} book(s) made with faults on purpose)")
        explained = {code: n for code, n in counts.items() if code in UNAVOIDABLE}
        if explained:
            out.append(f"  explained in the README (at most {', '.join(f'{UNAVOIDABLE[c]} {c}' for c in sorted(explained))} a book): "
                       + ", ".join(f"{n} {code}" for code, n in sorted(explained.items())))
        for path, findings in sorted(self.found.items()):
            out += [f"  {f.diagnostic(path)}" for f in findings]
        return out


def sweep(paths: list[Path], on_purpose: set[Path]) -> Sweep:
    """Every book among `paths` checked; `on_purpose`: folders of tests that make faulty books."""
    result = Sweep()
    for path in paths:
        data = path.read_bytes()
        if not is_book(data):
            continue
        result.books += 1
        findings = check_pdf(data, _block(data))
        if findings:
            target = result.on_purpose if any(path.is_relative_to(folder) for folder in on_purpose) else result.found
            target[path] = findings
    return result
