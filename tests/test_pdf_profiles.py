"""Issue 5 (profiles): print is PDF/X-4; screen is tagged PDF/UA-1; booklet imposes pages in folding order."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import pikepdf
import pytest
from lxml import etree

from compiler.build import build
from compiler.diagnostics import BuildError
from compiler.model import BookMeta
from compiler.options import BuildOptions
from compiler.package.press.booklet import PAPER_THICKNESS, folding_order
from compiler.package.press.colour import device_rgb_uses
from compiler.package.press.pdfx import make_pdfx

from .helpers import ROOT, SEEDS, pdf_pages


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
    plain = build(BuildOptions(source=SEEDS, output=tmp_path / "plain", formats=("pdf",)))
    booklet = build(BuildOptions(source=SEEDS, output=tmp_path / "booklet", formats=("pdf",), profile="booklet"))
    pages = len(pdf_pages(plain.outputs[0]))
    with pikepdf.open(booklet.outputs[0]) as pdf:
        assert len(pdf.pages) == 2 * ((pages + 3) // 4)
        assert {tuple(round(float(v)) for v in p.mediabox) for p in pdf.pages} == {(0, 0, 792, 612)}
    sides = pdf_pages(booklet.outputs[0])
    title = plain.anthology.meta.title
    assert sides[0].strip() == title  # the half-title is the right half of the first side
    assert "Rights and Disclaimers" in sides[3]  # page 4 is left on the back of the first inner side


def test_screen_profile_is_tagged_with_the_book_structure(tmp_path: Path) -> None:
    result = build(BuildOptions(source=SEEDS, output=tmp_path, formats=("pdf",), profile="screen"))
    pdf = result.outputs[0]
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "Tagged:          yes" in info
    struct = subprocess.run(["pdfinfo", "-struct", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert struct.count("H2") >= 4 and "P (block)" in struct
    with pikepdf.open(pdf) as doc:
        assert str(doc.Root.Lang) == "en"
        with doc.open_outline() as outline:
            assert len(list(outline.root)) >= 4


# ------------------------------------------------------------------ print: PDF/X-4


def _xmp(pdf: pikepdf.Pdf) -> etree._Element:
    return etree.fromstring(pdf.Root.Metadata.read_bytes().split(b"?>", 1)[1].rsplit(b"<?xpacket", 1)[0])


def test_print_profile_is_pdfx4_with_an_embedded_cmyk_output_intent(seeds_build) -> None:  # type: ignore[no-untyped-def]
    pdf_path = next(p for p in seeds_build.outputs if p.suffix == ".pdf")
    with pikepdf.open(pdf_path) as pdf:
        assert pdf.pdf_version == "1.6"  # PDF/X-4 is based on PDF 1.6
        (intent,) = pdf.Root.OutputIntents
        assert intent.S == "/GTS_PDFX" and str(intent.OutputConditionIdentifier) == "FOGRA39"
        assert str(intent.RegistryName) == "http://www.color.org" and str(intent.Info)
        icc = intent.DestOutputProfile.read_bytes()
        assert intent.DestOutputProfile.N == 4 and icc[12:20] == b"prtrCMYK"  # an output profile, CMYK
        assert icc == (ROOT / "compiler" / "package" / "press" / "icc" / "anthology-fogra39.icc").read_bytes()
        info = pdf.docinfo
        assert str(info.GTS_PDFXVersion) == "PDF/X-4" and info.Trapped == "/False"
        assert str(info.Title) == seeds_build.anthology.meta.title
        assert str(info.CreationDate).startswith("D:") and str(info.ModDate) == str(info.CreationDate)
        xmp = _xmp(pdf)
        assert "/Filter" not in pdf.Root.Metadata  # readable by tools that do not inflate streams
        ns = {"pdfxid": "http://www.npes.org/pdfx/ns/id/", "pdf": "http://ns.adobe.com/pdf/1.3/", "xmpMM": "http://ns.adobe.com/xap/1.0/mm/"}
        assert xmp.findtext(".//pdfxid:GTS_PDFXVersion", namespaces=ns) == "PDF/X-4"
        assert xmp.findtext(".//pdf:Trapped", namespaces=ns) == "False"
        assert xmp.findtext(".//xmpMM:DocumentID", namespaces=ns) == seeds_build.anthology.meta.identifier
        assert len(pdf.trailer.ID) == 2
        for page in pdf.pages:
            assert "/TrimBox" in page.obj and "/BleedBox" in page.obj
            assert "/Annots" not in page.obj  # nothing but ink on the printed area
    check = subprocess.run(["qpdf", "--check", str(pdf_path)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout


def test_print_pdf_paints_black_text_in_black_ink_only_and_no_device_rgb(seeds_build) -> None:  # type: ignore[no-untyped-def]
    with pikepdf.open(next(p for p in seeds_build.outputs if p.suffix == ".pdf")) as pdf:
        assert device_rgb_uses(pdf) == []
        colours = {(str(op), tuple(str(v) for v in args)) for page in pdf.pages for args, op in pikepdf.parse_content_stream(page) if str(op) in ("g", "G", "k", "K")}
    assert ("g", ("0",)) in colours  # black text is DeviceGray 0: K only, never four-colour black


def test_bleed_boxes_nest_inside_the_media_box(tmp_path: Path) -> None:
    result = build(BuildOptions(source=SEEDS, output=tmp_path, formats=("pdf",), trim="5x8", bleed=True))
    with pikepdf.open(result.outputs[0]) as pdf:
        for page in pdf.pages:
            media, bleed, trim = ([float(v) for v in page.obj[key]] for key in ("/MediaBox", "/BleedBox", "/TrimBox"))
            assert media[:2] <= bleed[:2] <= trim[:2] and trim[2:] <= bleed[2:] <= media[2:]
            assert trim == [0, 0, 360, 576]


def test_colours_images_and_gradients_leave_device_rgb_behind() -> None:
    import weasyprint

    # A red 1×1 PNG, a brown heading, a grey rule and a gradient: DeviceRGB four ways in weasyprint's PDF.
    png = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC"
    html = (
        '<h1 style="color:#8b6b3d">Title</h1><hr style="border:0;border-top:1pt solid #808080">'
        f'<img src="data:image/png;base64,{png}" style="width:1in">'
        '<div style="height:1in;background:linear-gradient(#c00,#00c)"></div>'
    )
    source = weasyprint.HTML(string=html).write_pdf()
    with pikepdf.open(io.BytesIO(source)) as before:
        assert device_rgb_uses(before)
    meta = BookMeta("T", "", "en", "urn:uuid:00000000-0000-5000-8000-000000000000", "2023-11-14T22:13:20Z")
    with pikepdf.open(io.BytesIO(make_pdfx(source, meta, ["A"]))) as after:
        assert device_rgb_uses(after) == []
        ops = [(str(op), [float(v) for v in args]) for args, op in pikepdf.parse_content_stream(after.pages[0]) if str(op) in ("g", "k")]
        image = next(o for o in after.objects if isinstance(o, pikepdf.Stream) and o.get("/Subtype") == "/Image")
        assert image.ColorSpace[0] == "/ICCBased" and image.ColorSpace[1].N == 3  # tagged sRGB, pixels untouched
    assert ("g", [pytest.approx(0.501961)]) in ops  # the grey rule: black ink only
    brown = next(args for op, args in ops if op == "k")
    assert brown[2] > brown[1] > brown[0]  # #8b6b3d in CMYK: more yellow than magenta than cyan


def test_colours_drawn_for_the_press_in_the_workers_match_the_rewrite_of_a_finished_pdf() -> None:
    """The chunked layout draws press colours as weasyprint writes (colour.drawing_for_press) instead
    of rewriting the finished book: the same operators and values as the rewrite, nothing RGB left."""
    import weasyprint

    from compiler.package.pdf.typesetter import laid_out

    png = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC"
    html = (
        '<h1 style="color:#8b6b3d">Title</h1><p style="color:#444">Grey text</p><hr style="border:0;border-top:1pt solid #808080">'
        f'<img src="data:image/png;base64,{png}" style="width:1in">'
        '<div style="height:1in;background:linear-gradient(#c00,#00c)"></div>'
    )
    meta = BookMeta("T", "", "en", "urn:uuid:00000000-0000-5000-8000-000000000000", "2023-11-14T22:13:20Z")

    def colours(data: bytes) -> list[tuple[str, list[float]]]:
        with pikepdf.open(io.BytesIO(data)) as pdf:
            assert device_rgb_uses(pdf) == []
            return [(str(op), [round(float(v), 6) for v in args]) for args, op in pikepdf.parse_content_stream(pdf.pages[0]) if str(op) in ("g", "G", "k", "K")]

    rewritten = colours(make_pdfx(weasyprint.HTML(string=html).write_pdf(), meta, ["A"]))
    laid = laid_out(weasyprint.HTML(string=html).render(), press=True)
    assert laid.rgb_left == ""
    drawn = colours(laid.pdf)
    assert drawn == rewritten and ("g", [0.266667]) in drawn and any(op == "k" for op, _ in drawn)
    assert colours(make_pdfx(laid.pdf, meta, ["A"], coloured=True)) == drawn
    # Without a gradient or an image, the PDF as weasyprint draws it is already fit for the press:
    # nothing left for the rewrite, the bytes kept as written.
    from compiler.package.press.colour import drawing_for_press, for_press
    from compiler.package.press.intent import FOGRA39

    with drawing_for_press(FOGRA39.profile):
        plain = weasyprint.HTML(string=html.split("<img")[0]).write_pdf()
    with pikepdf.open(io.BytesIO(plain)) as pdf:
        assert device_rgb_uses(pdf) == []
    assert for_press(plain) == (plain, "")


def test_pdfx_is_deterministic_and_refuses_fonts_that_are_not_embedded() -> None:
    meta = BookMeta("T", "", "en", "urn:uuid:00000000-0000-5000-8000-000000000000", "2023-11-14T22:13:20Z")
    with pikepdf.new() as pdf:
        page = pdf.add_blank_page(page_size=(200, 200))
        page.obj.Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=pikepdf.Dictionary(Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica)))
        page.obj.Contents = pdf.make_stream(b"BT /F1 12 Tf 0 0 0 rg 10 10 Td (x) Tj ET")
        bare = io.BytesIO()
        pdf.save(bare)
    with pytest.raises(BuildError) as err:
        make_pdfx(bare.getvalue(), meta, [])
    assert err.value.diagnostics[0].code == "P032" and "Helvetica" in err.value.diagnostics[0].message
    plain = weasyprint_pdf("<p>Hello</p>")
    assert make_pdfx(plain, meta, []) == make_pdfx(plain, meta, [])


def weasyprint_pdf(html: str) -> bytes:
    import weasyprint

    return weasyprint.HTML(string=html).write_pdf()  # type: ignore[no-any-return]
