"""Issue 20: sewn signatures. The imposed sheets are folded back, in code, the way a binder folds
them, and every page must land once, in order and upright, for every layout, sheet count and
printing mode.

The book is a synthetic PDF whose pages carry their number near the top left corner. The folding
reads the numbers back from the imposed sheets (PDFium: where each number is, and which way up),
not from the imposition's plan, then moves each page cell through the folds in three dimensions:
a fold is half a turn of the moving half about the crease, under the rest of the stack.
"""

from __future__ import annotations

import ctypes
import io
import math
from collections.abc import Callable
from dataclasses import dataclass

import pikepdf
import pypdfium2
import pypdfium2.raw as pdfium_c
import pytest

from compiler.diagnostics import BuildError
from compiler.package.press.imposition import SignatureOptions, impose
from compiler.package.press.marks import stations

PAGE = (396.0, 612.0)  # 5.5 × 8.5 in
A6 = (297.64, 419.53)

# cells across and down one side of the sheet, then the folds in order: a "head" fold brings the
# upper half down behind the lower one, a "spine" fold the left half behind the right one.
LAYOUTS = {
    "folio": (2, 1, ("spine",)),
    "quarto": (2, 2, ("head", "spine")),
    "octavo": (4, 2, ("spine", "head", "spine")),
    "sextodecimo": (4, 4, ("head", "spine", "head", "spine")),
}


def numbered_book(pages: int, size: tuple[float, float] = PAGE) -> bytes:
    pdf = pikepdf.new()
    font = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica))
    width, height = size
    for n in range(1, pages + 1):
        page = pdf.add_blank_page(page_size=size)
        page.Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font))
        text = f"BT /F1 24 Tf {width * 0.12:.1f} {height * 0.85:.1f} Td ({n}) Tj ET"
        frame = f"0.5 w 6 6 {width - 12:.1f} {height - 12:.1f} re S"
        page.Contents = pdf.make_stream(f"{text} {frame}".encode())
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


@dataclass(frozen=True)
class Face:
    page: int | None  # the number read from the sheet; None for a blank
    up: tuple[int, int, int]  # which way the page's head points, in space
    right: tuple[int, int, int]  # which way its lines run


@dataclass
class Piece:
    """One page cell of a sheet, both its faces, while the sheet is folded."""

    x: float
    y: float
    z: float
    top: Face  # the face toward +z
    bottom: Face


def read_side(pdf: pypdfium2.PdfDocument, index: int, scale: float, cols: int, rows: int) -> dict[tuple[int, int], tuple[int, bool]]:
    """Each cell's page number and whether it is printed upside down, from the text on the sheet."""
    page = pdf[index]
    width, height = page.get_size()
    cell_w, cell_h = PAGE[0] * scale, PAGE[1] * scale
    x0, y0 = (width - cols * cell_w) / 2, (height - rows * cell_h) / 2
    text = page.get_textpage()
    found: dict[tuple[int, int], list[tuple[float, str, float, float]]] = {}
    for i in range(text.count_chars()):
        char = text.get_text_range(i, 1)
        if not char.isdigit():
            continue
        left, bottom, right, top = text.get_charbox(i)
        cx, cy = (left + right) / 2, (bottom + top) / 2
        cell = (int((cx - x0) // cell_w), rows - 1 - int((cy - y0) // cell_h))
        angle = pdfium_c.FPDFText_GetCharAngle(text, i)
        found.setdefault(cell, []).append((cx, char, angle, cy - y0 - (rows - 1 - cell[1]) * cell_h))
    cells = {}
    for cell, chars in found.items():
        assert 0 <= cell[0] < cols and 0 <= cell[1] < rows, cell
        angles = {round(a, 2) for _, _, a, _ in chars}
        assert angles in ({0.0}, {round(math.pi, 2)}), angles  # upright or half a turn, nothing else
        turned = angles == {round(math.pi, 2)}
        number = int("".join(c for _, c, _, _ in sorted(chars, reverse=turned)))
        # The number stands near the page's head: the top of the cell, or its foot when turned.
        assert (chars[0][3] < cell_h / 2) == turned, (number, cell)
        cells[cell] = (number, turned)
    return cells


def fold(front: dict[tuple[int, int], tuple[int, bool]], back: dict[tuple[int, int], tuple[int, bool]], cols: int, rows: int, folds: tuple[str, ...]) -> list[Piece]:
    """The sheet folded; its pieces from the top of the stack down."""
    pieces = []
    for row in range(rows):
        for col in range(cols):
            page, turned = front.get((col, row), (None, False))
            s = -1 if turned else 1
            top = Face(page, (0, s, 0), (s, 0, 0))
            # Turned over left to right, the back's column runs the other way and its lines run toward -x.
            page, turned = back.get((cols - 1 - col, row), (None, False))
            s = -1 if turned else 1
            bottom = Face(page, (0, s, 0), (-s, 0, 0))
            pieces.append(Piece(col + 0.5, rows - row - 0.5, 0.0, top, bottom))
    left, right, foot, head = 0.0, float(cols), 0.0, float(rows)
    for kind in folds:
        axis = min(p.z for p in pieces) - 0.5  # the crease runs just under the stack
        if kind == "spine":
            crease = (left + right) / 2
            moving = [p for p in pieces if p.x < crease]
            turn = (-1, 1, -1)  # half a turn about a line along y
            for p in moving:
                p.x = 2 * crease - p.x
            left = crease
        else:
            crease = (foot + head) / 2
            moving = [p for p in pieces if p.y > crease]
            turn = (1, -1, -1)  # about a line along x
            for p in moving:
                p.y = 2 * crease - p.y
            head = crease
        for p in moving:
            p.z = 2 * axis - p.z
            # The face that looked up now looks down, and both faces are turned in space.
            p.top, p.bottom = (Face(f.page, _times(f.up, turn), _times(f.right, turn)) for f in (p.bottom, p.top))
    assert folds[-1] == "spine"  # the last crease is at the left of the stack: the spine
    assert len({(p.x, p.y) for p in pieces}) == 1
    return sorted(pieces, key=lambda p: -p.z)


def _times(v: tuple[int, int, int], s: tuple[int, int, int]) -> tuple[int, int, int]:
    return (v[0] * s[0], v[1] * s[1], v[2] * s[2])


Side = dict[tuple[int, int], tuple[int, bool]]  # each cell's page and whether it is printed turned


def read_book(
    data: bytes, options: SignatureOptions, signatures: tuple[int, ...], scale: float, read: Callable[[pypdfium2.PdfDocument, int], Side] | None = None
) -> list[Face]:
    """Every face of every leaf, as a reader turns them: sheets folded, nested, signatures stacked.
    `read` tells which page each cell of a sheet side holds (by default: the number drawn on it)."""
    cols, rows, folds = LAYOUTS[options.layout]
    read_side_at = read or (lambda pdf, index: read_side(pdf, index, scale, cols, rows))
    pdf = pypdfium2.PdfDocument(data)
    count = len(pdf)
    assert count == 2 * sum(signatures)
    half = count // 2
    leaves = []
    sheet = 0
    for sheets in signatures:
        folded = []
        for _ in range(sheets):
            front_at, back_at = (2 * sheet, 2 * sheet + 1) if options.duplex else (sheet, half + sheet)
            front = read_side_at(pdf, front_at)
            back = read_side_at(pdf, back_at)
            folded.append(fold(front, back, cols, rows, folds))
            sheet += 1
        middle = len(folded[0]) // 2
        # Each folded sheet goes inside the one before it, at its centre fold.
        leaves += [p for stack in folded for p in stack[:middle]] + [p for stack in reversed(folded) for p in stack[middle:]]
    pdf.close()
    faces = []
    for leaf in leaves:
        faces += [leaf.top, leaf.bottom]
        # Upright: a recto read from above, its verso once the leaf is turned over about the spine.
        assert (leaf.top.up, leaf.top.right) == ((0, 1, 0), (1, 0, 0)) or leaf.top.page is None, leaf.top
        assert (leaf.bottom.up, leaf.bottom.right) == ((0, 1, 0), (-1, 0, 0)) or leaf.bottom.page is None, leaf.bottom
    return faces


CASES = [
    (layout, sheets, duplex)
    for layout, counts in (("folio", (1, 2, 3, 4, 5)), ("quarto", (1, 2, 3)), ("octavo", (1, 2)), ("sextodecimo", (1, 2)))
    for sheets in counts
    for duplex in (True, False)
]


@pytest.mark.parametrize(("layout", "sheets", "duplex"), CASES)
def test_every_page_lands_once_in_order_and_upright_when_folded(layout: str, sheets: int, duplex: bool) -> None:
    cols, rows, _ = LAYOUTS[layout]
    per_signature = 2 * cols * rows * sheets
    pages = 2 * per_signature + 3  # two full signatures and part of a third: blanks needed at the end
    options = SignatureOptions(layout=layout, paper="a3", sheets=sheets, duplex=duplex, marks=())
    imposed = impose(numbered_book(pages), options)
    faces = read_book(imposed.data, options, imposed.signatures, imposed.scale)
    numbers = [f.page for f in faces]
    assert numbers[:pages] == list(range(1, pages + 1))
    assert set(numbers[pages:]) == {None} and len(numbers) - pages == imposed.blanks < 2 * cols * rows
    assert max(imposed.signatures) <= sheets and max(imposed.signatures) - min(imposed.signatures) <= 1


@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_flyleaves_and_a_page_range_fold_back_with_rectos_kept(layout: str) -> None:
    options = SignatureOptions(layout=layout, paper="a3", pages="4-9,12", flyleaves=1, marks=())
    imposed = impose(numbered_book(20), options)
    numbers = [f.page for f in read_book(imposed.data, options, imposed.signatures, imposed.scale)]
    # Two blank pages of the flyleaf, a blank so page 4 stays a left-hand page, then the range (12
    # follows 9 on a left-hand page, as it should), then the closing flyleaf.
    assert numbers[:10] == [None, None, None, 4, 5, 6, 7, 8, 9, 12]
    assert set(numbers[10:]) == {None} and len(numbers) - 10 >= 2


def test_pages_too_large_for_the_paper_are_scaled_with_a_warning_or_refused() -> None:
    book = numbered_book(8)
    imposed = impose(book, SignatureOptions(layout="quarto", paper="letter", marks=()))
    assert imposed.scale < 1
    warned = [d for d in imposed.diagnostics if d.code == "I010"]
    assert warned and "Tabloid" in warned[0].message and f"{imposed.scale:.0%}" in warned[0].message
    with pytest.raises(BuildError) as refused:
        impose(book, SignatureOptions(layout="quarto", paper="letter", fit=False, marks=()))
    assert refused.value.diagnostics[0].code == "I011" and "Tabloid" in refused.value.diagnostics[0].message


def test_a_folio_of_half_letter_pages_fills_a_letter_sheet_at_full_size_landscape() -> None:
    imposed = impose(numbered_book(16), SignatureOptions(layout="folio", paper="letter", marks=()))
    assert imposed.scale == 1 and imposed.landscape and imposed.signatures == (4,)
    with pikepdf.open(io.BytesIO(imposed.data)) as pdf:
        assert [round(float(v)) for v in pdf.pages[0].mediabox] == [0, 0, 792, 612]


def test_a_portrait_sheet_for_quarto_and_sextodecimo() -> None:
    for layout in ("quarto", "sextodecimo"):
        imposed = impose(numbered_book(40, A6), SignatureOptions(layout=layout, paper="a3", marks=()))
        assert not imposed.landscape


def test_imposing_twice_gives_the_same_bytes() -> None:
    book = numbered_book(30)
    options = SignatureOptions(layout="octavo", paper="tabloid", marks=("cut", "crop", "sewing", "order"))
    assert impose(book, options).data == impose(book, options).data


@pytest.mark.parametrize(
    ("options", "code"),
    [
        (SignatureOptions(layout="duodecimo"), "I004"),
        (SignatureOptions(paper="b5"), "I001"),
        (SignatureOptions(pages="9-3"), "I002"),
        (SignatureOptions(pages="a-b"), "I002"),
        (SignatureOptions(sheets=0), "I003"),
        (SignatureOptions(marks=("registration",)), "I005"),
    ],
)
def test_bad_options_are_diagnostics_not_tracebacks(options: SignatureOptions, code: str) -> None:
    with pytest.raises(BuildError) as stopped:
        impose(numbered_book(8), options)
    assert stopped.value.diagnostics[0].code == code


def _dark_rows(data: bytes, index: int, x: float) -> list[int]:
    """Rows (in points from the top) where the sheet is dark just beside the vertical line at x."""
    pdf = pypdfium2.PdfDocument(data)
    image = pdf[index].render(scale=1).to_pil().convert("L")
    pdf.close()
    column = [image.getpixel((round(x) + 1, y)) for y in range(image.height)]
    return [y for y, v in enumerate(column) if v < 128]


def _runs(rows: list[int]) -> list[tuple[int, int]]:
    runs: list[tuple[int, int]] = []
    for y in rows:
        if runs and y == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], y)
        else:
            runs.append((y, y))
    return runs


def test_signature_order_marks_step_down_the_spines_of_stacked_signatures() -> None:
    # A folio on Letter at full size: the spine of the outer sheet's outside is the sheet's centre line.
    imposed = impose(numbered_book(64), SignatureOptions(layout="folio", paper="letter", marks=("order",)))
    assert imposed.signatures == (4, 4, 4, 4)
    tops = []
    for signature in range(4):
        runs = _runs(_dark_rows(imposed.data, 2 * 4 * signature, 396))
        assert len(runs) == 1, runs  # one block on the spine, nothing else on that line
        tops.append(runs[0][0])
        assert 36 <= runs[0][0] and runs[0][1] <= 612 - 36  # between the kettle stations
    assert tops == sorted(tops) and len(set(tops)) == 4 and tops[1] - tops[0] >= 6
    assert _dark_rows(imposed.data, 1, 396) == []  # not on the inside of the sheet


def test_sewing_stations_are_marked_across_the_centre_fold_of_each_signature() -> None:
    imposed = impose(numbered_book(32), SignatureOptions(layout="folio", paper="letter", marks=("sewing",), stations=5))
    # The innermost sheet is the fourth; its inside (the back) holds pages 8 and 9, the centre spread.
    runs = _runs(_dark_rows(imposed.data, 7, 396))
    expected = [round(d) for d in stations(612, 5)]  # from the head, which is the top of the sheet here
    assert [round((a + b) / 2) for a, b in runs] == pytest.approx(expected, abs=2)
    assert _dark_rows(imposed.data, 6, 396) == []  # the outside of that sheet is left clean


def test_inner_leaves_are_moved_toward_the_spine_by_a_paper_thickness_each() -> None:
    thickness = 1.0  # a thick card, so the shift is easy to see
    imposed = impose(numbered_book(16), SignatureOptions(layout="folio", paper="letter", marks=(), paper_thickness=thickness))
    pdf = pypdfium2.PdfDocument(imposed.data)

    def left_of(index: int, number: str) -> float:
        text = pdf[index].get_textpage()
        every = text.get_text_range()
        for i in range(text.count_chars()):
            if every[i : i + len(number)] == number and not every[i + len(number) : i + len(number) + 1].isdigit() and not every[i - 1 : i].isdigit():
                x, y = ctypes.c_double(), ctypes.c_double()
                pdfium_c.FPDFText_GetCharOrigin(text, i, x, y)  # where the pen starts: the same for every digit
                return x.value
        raise AssertionError(number)

    # Rectos (odd pages) lie right of the fold and move left toward it; versos move right.
    outer_recto, inner_recto = left_of(0, "1") - 396, left_of(6, "7") - 396
    outer_verso, inner_verso = left_of(1, "2"), left_of(7, "8")
    pdf.close()
    assert inner_recto == pytest.approx(outer_recto - 3 * thickness, abs=0.01)
    assert inner_verso == pytest.approx(outer_verso + 3 * thickness, abs=0.01)
