"""Issue 5 (profiles): screen is tagged PDF/UA-1; booklet imposes pages in folding order."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pikepdf

from compiler.build import build
from compiler.package.booklet import PAPER_THICKNESS, folding_order

from .helpers import SEEDS, pdf_pages


def test_folding_order_of_an_eight_page_signature() -> None:
    sides = [(s.left, s.right) for s in folding_order(8)]
    # 1-based: sheet 1 front 8|1, back 2|7; sheet 2 front 6|3, back 4|5
    assert sides == [(7, 0), (1, 6), (5, 2), (3, 4)]


def test_folding_order_pads_with_blanks_and_splits_signatures() -> None:
    sides = folding_order(10, sheets_per_signature=2)  # 8 pages in the first signature, 2 (+2 blank) in the next
    assert len(sides) == 6
    assert (sides[4].left, sides[4].right) == (None, 8) and (sides[5].left, sides[5].right) == (9, None)
    assert sides[2].creep == PAPER_THICKNESS and sides[0].creep == 0  # inner sheets move toward the spine


def test_booklet_is_letter_landscape_in_folding_order(tmp_path: Path) -> None:
    plain = build(SEEDS, tmp_path / "plain", ("pdf",))
    booklet = build(SEEDS, tmp_path / "booklet", ("pdf",), profile="booklet")
    pages = len(pdf_pages(plain.outputs[0]))
    with pikepdf.open(booklet.outputs[0]) as pdf:
        assert len(pdf.pages) == 2 * ((pages + 3) // 4)
        assert {tuple(round(float(v)) for v in p.mediabox) for p in pdf.pages} == {(0, 0, 792, 612)}
    sides = pdf_pages(booklet.outputs[0])
    title = plain.anthology.meta.title
    assert sides[0].strip() == title  # the half-title is the right half of the first side
    assert "Rights and Disclaimers" in sides[3]  # page 4 is left on the back of the first inner side


def test_screen_profile_is_tagged_with_the_book_structure(tmp_path: Path) -> None:
    result = build(SEEDS, tmp_path, ("pdf",), profile="screen")
    pdf = result.outputs[0]
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "Tagged:          yes" in info
    struct = subprocess.run(["pdfinfo", "-struct", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert struct.count("H2") >= 4 and "P (block)" in struct
    with pikepdf.open(pdf) as doc:
        assert str(doc.Root.Lang) == "en"
        with doc.open_outline() as outline:
            assert len(list(outline.root)) >= 4
