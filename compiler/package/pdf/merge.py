"""Package stage (PDF): separately laid-out parts of the book joined into one PDF with pikepdf.

Each part is a complete PDF from weasyprint with its own pages, fonts, named destinations (one per
id), link annotations and outline. Joining keeps all of that working across parts:
- pages are appended in reading order, each with its folio layer drawn over it;
- the named destinations of all parts become one name tree, so a link by name finds its target in
  whichever part it is;
- links to another part (written as printdoc.CROSS_LINK URLs) become links by name;
- the outlines are concatenated, their targets moved to the pages' new places.
The document information and catalogue entries (title, authors, language) are the first part's.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import NamedTuple
from urllib.parse import unquote

import pikepdf
from pikepdf import Array, Dictionary, OutlineItem, String

from .printdoc import CROSS_LINK

FOLIO_LAYER = "/AnthologyFolios"


@dataclass(frozen=True)
class Segment:
    pdf: bytes
    layer: bytes | None = None  # a PDF with as many pages, drawn over these (the folios)


def _dests(pdf: pikepdf.Pdf) -> dict[str, tuple[int, Array]]:
    """name → (page index, the rest of the destination array: /XYZ x y z)."""
    names = pdf.Root.get("/Names")
    if names is None or "/Dests" not in names:
        return {}
    index = {page.obj.objgen: n for n, page in enumerate(pdf.pages)}
    found = {}
    for name, dest in pikepdf.NameTree(names.Dests).items():
        found[str(name)] = (index[dest[0].objgen], Array(list(dest)[1:]))
    return found


class _Entry(NamedTuple):
    """A bookmark: its title, the page it opens, where on the page, and the bookmarks under it."""

    title: str
    page: int
    xy: list[float]
    children: list[_Entry]


def _outline(pdf: pikepdf.Pdf) -> list[_Entry]:
    index = {page.obj.objgen: n for n, page in enumerate(pdf.pages)}

    def walk(items: list[OutlineItem]) -> list[_Entry]:
        out = []
        for item in items:
            dest = item.destination
            if isinstance(dest, Array) and len(dest) >= 4:
                out.append(_Entry(item.title, index[dest[0].objgen], [float(v) for v in list(dest)[2:4]], walk(item.children)))
        return out

    with pdf.open_outline() as outline:
        return walk(list(outline.root))


def _overlay(pdf: pikepdf.Pdf, page: pikepdf.Page, over: pikepdf.Page) -> None:
    """Draw `over` (a page of the same size) on top of `page`. By hand rather than with
    Page.add_overlay, which names the new resource at random: the book must be reproducible."""
    form = pdf.copy_foreign(over.as_form_xobject())
    # weasyprint shares one resource dictionary among all pages: this page gets its own copy.
    resources = Dictionary(dict(page.obj.Resources.items())) if "/Resources" in page.obj else Dictionary()
    xobjects = Dictionary(dict(resources.XObject.items())) if "/XObject" in resources else Dictionary()
    xobjects[FOLIO_LAYER] = form
    resources.XObject = xobjects
    page.obj.Resources = resources
    page.contents_add(pdf.make_stream(b"q\n"), prepend=True)
    page.contents_add(pdf.make_stream(b"\nQ\nq " + FOLIO_LAYER.encode() + b" Do Q\n"))


def merge(segments: list[Segment]) -> bytes:
    out = pikepdf.new()
    dests: dict[str, tuple[int, Array]] = {}
    outline: list[_Entry] = []
    first: pikepdf.Pdf | None = None
    for segment in segments:
        src = pikepdf.open(io.BytesIO(segment.pdf))
        if first is None:
            first = src  # the front matter: its document information and catalogue entries are the book's
        offset = len(out.pages)
        if segment.layer is not None:
            layer = pikepdf.open(io.BytesIO(segment.layer))
            assert len(layer.pages) == len(src.pages), "a folio layer must match its part page for page"
            for page, over in zip(src.pages, layer.pages):
                if "/Contents" in over and b"BT" in over.Contents.read_bytes():  # any text drawn
                    _overlay(src, page, over)
        for name, (n, rest) in _dests(src).items():
            dests.setdefault(name, (offset + n, rest))
        outline += _shift(_outline(src), offset)
        out.pages.extend(src.pages)
    assert first is not None
    for page in out.pages:
        for annot in page.get("/Annots", []):
            uri = annot.A.get("/URI") if "/A" in annot else None
            if uri is not None and str(uri).startswith(CROSS_LINK):
                del annot["/A"]
                annot.Dest = String(unquote(str(uri)[len(CROSS_LINK):]))
    # One sorted leaf, as weasyprint writes it: building a balanced tree name by name is slower.
    pages = [page.obj for page in out.pages]
    flat: list[object] = []
    for name in sorted(dests):
        n, rest = dests[name]
        flat += [String(name), Array([pages[n], *rest])]
    out.Root.Names = Dictionary(Dests=out.make_indirect(Dictionary(Names=Array(flat))))
    with out.open_outline() as root:
        root.root.extend(_items(outline))
    for key in ("/Lang", "/ViewerPreferences", "/PageMode", "/MarkInfo"):
        if key in first.Root:
            out.Root[key] = out.copy_foreign(first.Root[key]) if isinstance(first.Root[key], (Dictionary, Array)) else first.Root[key]
    if "/Info" in first.trailer:
        out.trailer.Info = out.make_indirect(out.copy_foreign(first.trailer.Info))
    buffer = io.BytesIO()
    # Reproducible: the file identifier is computed from the content, no timestamps are added.
    out.save(buffer, deterministic_id=True, compress_streams=True, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    return buffer.getvalue()


def _shift(items: list[_Entry], offset: int) -> list[_Entry]:
    return [_Entry(t, offset + n, xy, _shift(children, offset)) for t, n, xy, children in items]


def _items(items: list[_Entry]) -> list[OutlineItem]:
    made = []
    for title, n, (left, top), children in items:
        item = OutlineItem(title, n, "XYZ", left=left, top=top)
        item.children.extend(_items(children))
        made.append(item)
    return made

