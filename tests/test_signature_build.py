"""Issue 20: `anthology build --profile signatures` writes the book and, beside it, the sheets for
a sewn binding; folded back in code, the sheets give the book's pages once each, in order, upright.

Each cell of a sheet is told by its text: the characters whose centres fall in it, compared with
each page of the book beside it (the same characters in any order, so a page printed upside down is
still recognised; which way up it is comes from the characters' angle, as PDFium reads it).
"""

from __future__ import annotations

import math
import re
import shutil
import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pypdfium2
import pypdfium2.raw as pdfium_c
import pytest

from compiler.package.press import marks
from compiler.package.press.imposition import SignatureOptions

from .helpers import SEEDS
from .test_signatures import LAYOUTS, Side, read_book


def _anthology(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "compiler", *args], capture_output=True, text=True)


def _page_chars(page: pypdfium2.PdfPage) -> list[tuple[str, float, float, float]]:
    text = page.get_textpage()
    found = []
    for i in range(text.count_chars()):
        char = text.get_text_range(i, 1)
        if char.strip():
            left, bottom, right, top = text.get_charbox(i)
            found.append((char, (left + right) / 2, (bottom + top) / 2, pdfium_c.FPDFText_GetCharAngle(text, i)))
    return found


def _key(chars: list[str]) -> str:
    return "".join(sorted(chars))


def _book_pages(book: Path) -> dict[str, int]:
    """Each page with text, by its characters, to its number; a page with none is blank."""
    pdf = pypdfium2.PdfDocument(book)
    keys = [_key([c for c, *_ in _page_chars(pdf[i])]) for i in range(len(pdf))]
    pdf.close()
    filled = [k for k in keys if k]
    assert len(set(filled)) == len(filled), "two pages of the book hold the same characters: the test cannot tell them apart"
    return {k: n for n, k in enumerate(keys, 1) if k}


def _side_reader(pages: dict[str, int], trim: tuple[float, float], layout: str, room: float) -> Callable[[pypdfium2.PdfDocument, int], Side]:
    cols, rows, _ = LAYOUTS[layout]

    def read(pdf: pypdfium2.PdfDocument, index: int) -> Side:
        page = pdf[index]
        width, height = page.get_size()
        scale = min(1.0, (width - room) / (cols * trim[0]), (height - room) / (rows * trim[1]))
        cell_w, cell_h = trim[0] * scale, trim[1] * scale
        x0, y0 = (width - cols * cell_w) / 2, (height - rows * cell_h) / 2
        cells: dict[tuple[int, int], list[tuple[str, float]]] = {}
        for char, x, y, angle in _page_chars(page):
            cell = (int((x - x0) // cell_w), rows - 1 - int((y - y0) // cell_h))
            assert 0 <= cell[0] < cols and 0 <= cell[1] < rows, (char, x, y)
            cells.setdefault(cell, []).append((char, angle))
        side: Side = {}
        for cell, chars in cells.items():
            angles = {round(a, 2) for _, a in chars}
            assert angles in ({0.0}, {round(math.pi, 2)}), angles  # upright or half a turn, nothing else
            key = _key([c for c, _ in chars])
            assert key in pages, f"cell {cell} of side {index + 1} holds no page of the book"
            side[cell] = (pages[key], angles == {round(math.pi, 2)})
        return side

    return read


def _signatures(total: int, most: int) -> tuple[int, ...]:
    """Sheets per signature as the README says they are spread: as few signatures as `most` sheets
    a signature allows, their sizes differing by one sheet at most, the larger first."""
    count = -(-total // most)
    size, extra = divmod(total, count)
    return tuple(size + 1 if n < extra else size for n in range(count))


CASES = [
    ("folio", "letter", 4, True, 0, "", ()),
    ("quarto", "tabloid", 2, True, 0, "", ("cut", "crop", "sewing", "order")),
    ("octavo", "a3", 1, False, 1, "3-20", ("sewing", "order")),
    ("sextodecimo", "a3", 1, True, 0, "", ("order",)),
    ("folio", "a4", 3, False, 2, "", ("crop",)),
]


@pytest.mark.parametrize(("layout", "paper", "sheets", "duplex", "flyleaves", "pages", "marked"), CASES)
def test_the_signatures_profile_writes_sheets_that_fold_back_into_the_book(
    tmp_path: Path, layout: str, paper: str, sheets: int, duplex: bool, flyleaves: int, pages: str, marked: tuple[str, ...]
) -> None:
    run = _anthology(
        "build", str(SEEDS), "-o", str(tmp_path), "--format", "pdf", "--profile", "signatures", "-v", "--layout", layout, "--paper-size", paper,
        "--sheets", str(sheets), "--duplex" if duplex else "--single-sided", "--flyleaves", str(flyleaves), "--pages", pages, "--marks", ",".join(marked),
    )
    assert run.returncode == 0, run.stderr
    book, sheets_pdf = tmp_path / "anthology.pdf", tmp_path / "anthology-signatures.pdf"
    assert f"wrote {sheets_pdf}" in run.stdout and f"wrote {book}" in run.stdout  # the imposed sheets beside the book

    numbers = _book_pages(book)
    count = len(pypdfium2.PdfDocument(book))
    trim_pdf = pypdfium2.PdfDocument(book)
    trim = trim_pdf[0].get_size()
    trim_pdf.close()
    room = 2 * marks.ROOM if set(marked) & marks.OUTSIDE else 0.0
    read = _side_reader(numbers, trim, layout, room)
    sides = len(pypdfium2.PdfDocument(sheets_pdf))
    signatures = _signatures(sides // 2, sheets)
    summary = re.search(r"info I020: (\d+) " + layout + r" sheets? in (\d+) signatures?", run.stderr)
    assert summary and (int(summary[1]), int(summary[2])) == (sides // 2, len(signatures)), run.stderr

    options = SignatureOptions(layout=layout, paper=paper, sheets=sheets, duplex=duplex, flyleaves=flyleaves, pages=pages, marks=marked)
    faces = [f.page for f in read_book(sheets_pdf.read_bytes(), options, signatures, 1.0, read)]
    present = set(numbers.values())
    if pages:
        first, last = (int(n) for n in pages.split("-"))
        wanted = list(range(first, last + 1)) if first % 2 else [0] + list(range(first, last + 1))  # a left-hand page first keeps a blank before it
    else:
        wanted = list(range(1, count + 1))
    expected = [None] * (2 * flyleaves) + [n if n in present else None for n in wanted]
    assert faces[: len(expected)] == expected
    assert set(faces[len(expected) :]) == {None}  # blanks only after the last page: whole sheets, then the closing flyleaves
    assert len(faces) - len(expected) < 2 * flyleaves + 4 * LAYOUTS[layout][0] * LAYOUTS[layout][1]

    if shutil.which("qpdf"):
        check = subprocess.run(["qpdf", "--check", str(sheets_pdf)], capture_output=True, text=True)
        assert check.returncode == 0, check.stdout
    if shutil.which("pdffonts"):
        rows = subprocess.run(["pdffonts", str(sheets_pdf)], capture_output=True, text=True, check=True).stdout.splitlines()[2:]
        assert rows and all(row.split()[-5] == "yes" for row in rows), rows  # every font embedded, as in the book


def test_bad_signature_choices_are_all_reported_before_any_layout(tmp_path: Path) -> None:
    run = _anthology(
        "build", str(SEEDS), "-o", str(tmp_path), "--profile", "signatures", "--layout", "duodecimo", "--sheets", "0", "--flyleaves", "-1",
        "--marks", "glue", "--paper-size", "b5", "--pages", "9-3",
    )
    assert run.returncode == 4, run.stderr
    codes = Counter(re.findall(r"error (I\d{3}):", run.stderr))
    assert codes == Counter({"I004": 1, "I003": 2, "I005": 1, "I001": 1, "I002": 1}), run.stderr
    assert "Traceback" not in run.stderr and not (tmp_path / "anthology.pdf").exists()


def test_the_manifest_chooses_the_imposition_and_the_command_line_wins(tmp_path: Path) -> None:
    source = tmp_path / "stories"
    shutil.copytree(SEEDS, source)
    manifest = source / "anthology.toml"
    manifest.write_text(manifest.read_text(encoding="utf-8") + '\n[signatures]\nlayout = "quarto"\nsheets = 1\npaper = "tabloid"\n', encoding="utf-8")
    run = _anthology("build", str(source), "-o", str(tmp_path / "a"), "--format", "pdf", "--profile", "signatures", "-v")
    assert run.returncode == 0, run.stderr
    assert re.search(r"info I020: \d+ quarto sheets in \d+ signatures \(\d+ of 1 sheet\)", run.stderr), run.stderr
    run = _anthology("build", str(source), "-o", str(tmp_path / "b"), "--format", "pdf", "--profile", "signatures", "-v", "--layout", "folio", "--sheets", "2")
    assert re.search(r"info I020: \d+ folio sheets in \d+ signatures \([^)]*of 2 sheets", run.stderr), run.stderr

    manifest.write_text(manifest.read_text(encoding="utf-8").replace('layout = "quarto"', 'layout = "quatro"'), encoding="utf-8")
    run = _anthology("build", str(source), "-o", str(tmp_path / "c"), "--profile", "signatures")
    assert run.returncode == 4
    assert f"{manifest}: error I004: unknown signature layout 'quatro'" in run.stderr, run.stderr


def test_signature_flags_without_the_signatures_profile_are_a_usage_error(tmp_path: Path) -> None:
    run = _anthology("build", str(SEEDS), "-o", str(tmp_path), "--format", "pdf", "--layout", "octavo", "--flyleaves", "1")
    assert run.returncode == 2
    assert "error U007: --layout, --flyleaves are for --profile signatures" in run.stderr, run.stderr
