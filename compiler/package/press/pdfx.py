"""Package stage (PDF, print profile): the finished PDF made a PDF/X-4 file a printer accepts.

A post-processing step on PDF bytes, so it works on whatever the layout writes (ISO 15930-7):

- an output intent: `GTS_PDFX`, a characterization registered with the ICC (FOGRA39) and the
  embedded CMYK profile (icc/anthology-fogra39.icc; icc/LICENSE.txt says where it comes from);
- identification in both places readers look: `GTS_PDFXVersion` in the Info dictionary and
  `pdfxid:GTS_PDFXVersion` in the XMP packet, with the dates, `Trapped` False and document ids;
- a TrimBox and a BleedBox on every page, nested inside the MediaBox;
- colour fit for a CMYK press (colour.py): no DeviceRGB left;
- no annotations on the printed area (links mean nothing on paper; PDF/X refuses them there);
- every font embedded (weasyprint embeds its fonts; a file that does not is refused, not shipped);
- PDF 1.6, the version PDF/X-4 is based on.

Nothing depends on the clock: the dates are the book's (SOURCE_DATE_EPOCH or its newest input) and
the ids derive from the book's identifier and the bytes, so two builds give the same file.
weasyprint's own `pdf/x-4` variant is not used: it stamps the current time and a random id, and
writes no output intent without a CMYK profile declared in CSS (see FIELD-NOTES.md).
"""

from __future__ import annotations

import datetime
import hashlib
import io
import uuid

import pikepdf
from lxml import etree
from pikepdf import Name

from ... import __version__
from ...diagnostics import stop
from ...model import BookMeta
from .colour import device_rgb_uses, rgb_left, to_press_colour
from .intent import FOGRA39, OutputIntent

VERSION = "PDF/X-4"


def make_pdfx(pdf_bytes: bytes, meta: BookMeta, authors: list[str], intent: OutputIntent = FOGRA39, coloured: bool = False) -> bytes:
    """`coloured`: every piece the PDF was merged from was recoloured and checked already
    (colour.for_press, in the layout workers), with this intent's profile."""
    with pikepdf.open(io.BytesIO(pdf_bytes)) as pdf:
        _check_fonts(pdf)
        _page_boxes(pdf)
        _drop_annotations(pdf)
        if not coloured or intent != FOGRA39:
            to_press_colour(pdf, intent.profile)
            left = device_rgb_uses(pdf)
            if left:
                raise rgb_left(left[0])
        _output_intent(pdf, intent)
        instance = uuid.UUID(bytes=hashlib.sha256(pdf_bytes).digest()[:16], version=5)
        _identify(pdf, meta, authors, f"uuid:{instance}")
        out = io.BytesIO()
        pdf.save(
            out,
            force_version="1.6",
            deterministic_id=True,  # the trailer /ID from the content, not from the clock
            fix_metadata_version=False,  # the XMP packet is written here, whole
            object_stream_mode=pikepdf.ObjectStreamMode.generate,
        )
        return out.getvalue()


def _check_fonts(pdf: pikepdf.Pdf) -> None:
    holders: list[pikepdf.Object] = [page.obj for page in pdf.pages]
    holders += [o for o in pdf.objects if isinstance(o, pikepdf.Stream) and Name.Resources in o]  # forms, patterns, glyphs
    for holder in holders:
        fonts = holder.get(Name.Resources, pikepdf.Dictionary()).get(Name.Font, pikepdf.Dictionary())
        for font in fonts.values():
            if font.get(Name.Subtype) == Name.Type3:
                continue  # its glyphs are drawn by content streams in the file
            if font.get(Name.Subtype) == Name.Type0:
                font = font.DescendantFonts[0]
            descriptor = font.get(Name.FontDescriptor, pikepdf.Dictionary())
            if not any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")):
                name = str(font.get(Name.BaseFont, "?")).lstrip("/")
                raise stop("P032", name=name)


def _box(value: object) -> list[float]:
    assert isinstance(value, pikepdf.Array)
    x0, y0, x1, y1 = (float(v) for v in value)
    return [min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)]


def _page_boxes(pdf: pikepdf.Pdf) -> None:
    # TrimBox ⊆ BleedBox ⊆ MediaBox; with --bleed weasyprint already writes all three.
    for page in pdf.pages:
        obj = page.obj
        media = _box(page.mediabox)
        trim = _box(obj.TrimBox) if Name.TrimBox in obj else media
        bleed = _box(obj.BleedBox) if Name.BleedBox in obj else trim
        bleed = [max(bleed[0], media[0]), max(bleed[1], media[1]), min(bleed[2], media[2]), min(bleed[3], media[3])]
        trim = [max(trim[0], bleed[0]), max(trim[1], bleed[1]), min(trim[2], bleed[2]), min(trim[3], bleed[3])]
        obj.TrimBox = pikepdf.Array(trim)
        obj.BleedBox = pikepdf.Array(bleed)
        if Name.ArtBox in obj:
            del obj.ArtBox  # PDF/X wants the TrimBox or the ArtBox, not both


def _drop_annotations(pdf: pikepdf.Pdf) -> None:
    for page in pdf.pages:
        annots = page.obj.get(Name.Annots)
        if annots is None:
            continue
        kept = [a for a in annots if a.get(Name.Subtype) in (Name.PrinterMark, Name.TrapNet)]
        if kept:
            page.obj.Annots = pikepdf.Array(kept)
        else:
            del page.obj.Annots


def _output_intent(pdf: pikepdf.Pdf, intent: OutputIntent) -> None:
    profile = pikepdf.Stream(pdf, intent.profile.read_bytes())
    profile.N = 4
    pdf.Root.OutputIntents = pikepdf.Array([
        pikepdf.Dictionary(
            Type=Name.OutputIntent,
            S=Name.GTS_PDFX,
            OutputConditionIdentifier=intent.identifier,
            OutputCondition=intent.condition,
            RegistryName=intent.registry,
            Info=f"{intent.identifier}: {intent.condition}",
            DestOutputProfile=pdf.make_indirect(profile),
        )
    ])


_NS = {
    "x": "adobe:ns:meta/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "dc": "http://purl.org/dc/elements/1.1/",
    "xmp": "http://ns.adobe.com/xap/1.0/",
    "xmpMM": "http://ns.adobe.com/xap/1.0/mm/",
    "pdf": "http://ns.adobe.com/pdf/1.3/",
    "pdfxid": "http://www.npes.org/pdfx/ns/id/",
}


def _q(name: str) -> str:
    prefix, local = name.split(":")
    return f"{{{_NS[prefix]}}}{local}"


def _xmp(fields: dict[str, str], title: str, authors: list[str]) -> bytes:
    root = etree.Element(_q("x:xmpmeta"), nsmap={"x": _NS["x"]})
    rdf = etree.SubElement(root, _q("rdf:RDF"), nsmap={k: v for k, v in _NS.items() if k != "x"})
    about = etree.SubElement(rdf, _q("rdf:Description"), {_q("rdf:about"): ""})
    for name, value in fields.items():
        etree.SubElement(about, _q(name)).text = value
    alt = etree.SubElement(etree.SubElement(about, _q("dc:title")), _q("rdf:Alt"))
    etree.SubElement(alt, _q("rdf:li"), {"{http://www.w3.org/XML/1998/namespace}lang": "x-default"}).text = title
    if authors:
        seq = etree.SubElement(etree.SubElement(about, _q("dc:creator")), _q("rdf:Seq"))
        for author in authors:
            etree.SubElement(seq, _q("rdf:li")).text = author
    body = etree.tostring(root, encoding="utf-8", pretty_print=True)
    # The packet wrapper lets tools update the metadata in place (XMP part 1, 7.3).
    return b'<?xpacket begin="\xef\xbb\xbf" id="W5M0MpCehiHzreSzNTczkc9d"?>\n' + body + b'<?xpacket end="r"?>'


def _identify(pdf: pikepdf.Pdf, meta: BookMeta, authors: list[str], instance_id: str) -> None:
    # meta.modified is ISO 8601 in UTC, from SOURCE_DATE_EPOCH or the newest input (build._modified).
    moment = datetime.datetime.strptime(meta.modified, "%Y-%m-%dT%H:%M:%SZ")
    pdf_date = moment.strftime("D:%Y%m%d%H%M%S+00'00'")
    info = pdf.docinfo
    title = meta.full_title  # a volume's: "Title — Volume II"
    producer = str(info.get(Name.Producer, "WeasyPrint"))
    creator = f"anthology {__version__}"
    info.Title = title
    info.Creator = creator
    info.Producer = producer
    info.CreationDate = pdf_date
    info.ModDate = pdf_date
    info.Trapped = Name("/False")
    info.GTS_PDFXVersion = VERSION
    fields = {
        "pdfxid:GTS_PDFXVersion": VERSION,
        "pdf:Producer": producer,
        "pdf:Trapped": "False",
        "xmp:CreatorTool": creator,
        "xmp:CreateDate": meta.modified,
        "xmp:ModifyDate": meta.modified,
        "xmp:MetadataDate": meta.modified,
        "xmpMM:DocumentID": meta.identifier,  # the book's: shared by its EPUB and PDF renditions
        "xmpMM:InstanceID": instance_id,
        "xmpMM:VersionID": "1",
        "xmpMM:RenditionClass": "default",
        "dc:format": "application/pdf",
    }
    metadata = pikepdf.Stream(pdf, _xmp(fields, title, authors))
    metadata.Type = Name.Metadata
    metadata.Subtype = Name.XML
    pdf.Root.Metadata = pdf.make_indirect(metadata)
