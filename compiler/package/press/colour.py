"""Package stage (PDF, print profile): colour for a CMYK press — no DeviceRGB left in the file.

weasyprint paints everything in DeviceRGB (`0 0 0 rg` for black text). PDF/X-4 with a CMYK output
intent forbids DeviceRGB, and a press would turn RGB black into four-ink "rich" black, whose
colours never register exactly under small type. So, in every content stream:

- neutral colours (r = g = b: text, rules, crop marks) become DeviceGray, which PDF/X prints with
  black ink alone;
- other colours become DeviceCMYK, converted with the output intent's own profile (littleCMS,
  relative colorimetric with black-point compensation), so the printer gets what the proof shows;
- anything else that names DeviceRGB (images, shadings, transparency groups, `cs` operators) is
  re-tagged as ICC-based sRGB (icc/sRGB.icc), which PDF/X-4 allows: the pixels stay as they are.

Two ways to get there, with the same operators and values: a finished PDF is rewritten stream by
stream (`to_press_colour`: the one-pass layout, the wrap cover); the chunked layout instead has
weasyprint write gray and CMYK as it draws (`drawing_for_press`) and only re-tags objects after
(`for_press`), in its workers, which spares parsing every page of the book again (4 s at 1,858 pages).
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pikepdf
from pikepdf import Name, Operator

from ...diagnostics import BuildError, stop
from .intent import FOGRA39, SRGB

if TYPE_CHECKING:
    from PIL.ImageCms import ImageCmsTransform

# Tolerance for "neutral": weasyprint writes 8-bit colours as 6-digit decimals (0.501961).
_NEUTRAL = 1 / 512
_ICC_NAME = Name("/AnthologySRGB")


def _number(value: float) -> Decimal:
    return Decimal(f"{value:.6f}").normalize() + Decimal(0)  # "+ 0" turns 1E+1 back into 10


@lru_cache(maxsize=4)
def _to_cmyk(profile: Path) -> ImageCmsTransform:
    from PIL import ImageCms

    return ImageCms.buildTransform(
        ImageCms.getOpenProfile(str(SRGB)), ImageCms.getOpenProfile(str(profile)), "RGB", "CMYK",
        renderingIntent=ImageCms.Intent.RELATIVE_COLORIMETRIC, flags=ImageCms.Flags.BLACKPOINTCOMPENSATION,
    )


@lru_cache(maxsize=1024)
def _cmyk(rgb: tuple[float, float, float], profile: Path) -> tuple[Decimal, ...]:
    from PIL import Image, ImageCms

    pixel = Image.new("RGB", (1, 1), tuple(round(v * 255) for v in rgb))
    converted = ImageCms.applyTransform(pixel, _to_cmyk(profile))
    assert converted is not None  # a new image (None only for a conversion in place)
    values = converted.getpixel((0, 0))
    assert isinstance(values, tuple)  # a CMYK pixel: four channels
    return tuple(_number(v / 255) for v in values)


def _device_colour(operands: list[Any], operator: str, profile: Path) -> tuple[list[Decimal], str]:
    r, g, b = (float(v) for v in operands)
    stroke = operator == "RG"
    if max(r, g, b) - min(r, g, b) <= _NEUTRAL:
        return [_number((r + g + b) / 3)], "G" if stroke else "g"
    return list(_cmyk((r, g, b), profile)), "K" if stroke else "k"


@contextmanager
def drawing_for_press(profile: Path) -> Iterator[None]:
    """While weasyprint writes a PDF: its RGB colours drawn as gray or CMYK straight away, as
    `to_press_colour` would rewrite them, so no content stream needs parsing afterwards. Every
    colour weasyprint paints passes through pydyf's `set_color_rgb` (weasyprint 70, pinned)."""
    from weasyprint.pdf.stream import Stream

    original = Stream.set_color_rgb

    def set_color_rgb(self: Any, r: float, g: float, b: float, stroke: bool = False) -> None:
        operands, operator = _device_colour([r, g, b], "RG" if stroke else "rg", profile)
        self.stream.append(" ".join([*(str(v) for v in operands), operator]).encode())

    Stream.set_color_rgb = set_color_rgb
    try:
        yield
    finally:
        Stream.set_color_rgb = original


class _Recolour:
    """Rewrites one PDF in place; the sRGB colour space object is made once, when first needed."""

    def __init__(self, pdf: pikepdf.Pdf, profile: Path) -> None:
        self.pdf = pdf
        self.profile = profile
        self._icc: pikepdf.Object | None = None
        self.rewritten = False  # a content stream rewritten

    @property
    def changed(self) -> bool:
        return self._icc is not None or self.rewritten

    def icc(self) -> pikepdf.Object:
        if self._icc is None:
            stream = pikepdf.Stream(self.pdf, SRGB.read_bytes())
            stream.N = 3
            self._icc = self.pdf.make_indirect(pikepdf.Array([Name.ICCBased, stream]))
        return self._icc

    def content(self, holder: pikepdf.Object, resources: pikepdf.Object) -> bytes:
        ops: list[tuple[list[Any], Operator]] = []
        named = False
        for instruction in pikepdf.parse_content_stream(holder):
            operands, operator = instruction.operands, instruction.operator
            op = str(operator)
            if op in ("rg", "RG"):
                values, name = _device_colour(list(operands), op, self.profile)
                ops.append((list(values), Operator(name)))
            elif op in ("cs", "CS") and operands and operands[0] == Name.DeviceRGB:
                ops.append(([_ICC_NAME], operator))
                named = True
            else:
                ops.append((list(operands), operator))
        if named:
            if Name.ColorSpace not in resources:
                resources.ColorSpace = pikepdf.Dictionary()
            resources.ColorSpace[_ICC_NAME] = self.icc()
        return pikepdf.unparse_content_stream(ops)

    def objects(self) -> None:
        """Images, shadings, groups and colour-space resources that name DeviceRGB."""
        for obj in list(self.pdf.objects):
            if not isinstance(obj, (pikepdf.Dictionary, pikepdf.Stream)):
                continue
            for key in (Name.ColorSpace, Name.CS):
                value = obj.get(key)
                if value == Name.DeviceRGB:
                    obj[key] = self.icc()
                elif isinstance(value, pikepdf.Dictionary):  # a resources' /ColorSpace table
                    for name, space in list(value.items()):
                        if space == Name.DeviceRGB:
                            value[name] = self.icc()
                        elif isinstance(space, pikepdf.Array):
                            self._array(space)
                elif isinstance(value, pikepdf.Array):
                    self._array(value)

    def _array(self, space: pikepdf.Array) -> None:
        # [/Indexed /DeviceRGB …], [/Pattern /DeviceRGB], [/DeviceN names /DeviceRGB …]: the base space.
        for i, item in enumerate(space):
            if item == Name.DeviceRGB:
                space[i] = self.icc()


def _resources(holder: pikepdf.Object) -> pikepdf.Object:
    if Name.Resources not in holder:
        holder.Resources = pikepdf.Dictionary()
    return holder.Resources


def to_press_colour(pdf: pikepdf.Pdf, profile: Path) -> None:
    recolour = _Recolour(pdf, profile)
    for page in pdf.pages:
        page.obj.Contents = pikepdf.Stream(pdf, recolour.content(page.obj, _resources(page.obj)))
    for obj in list(pdf.objects):
        is_form = isinstance(obj, pikepdf.Stream) and obj.get(Name.Subtype) == Name.Form
        is_tiling = isinstance(obj, pikepdf.Stream) and obj.get(Name.PatternType) == 1
        if is_form or is_tiling:
            obj.write(recolour.content(obj, _resources(obj)))
    recolour.objects()


def for_press(data: bytes) -> tuple[bytes, str]:
    """One laid-out piece of the book (drawn under `drawing_for_press`) made fit for the press
    profile, and the first place DeviceRGB is still painted ("" when none). Done piece by piece
    in the layout workers, the whole book's colour costs no time of its own. Content streams are
    rewritten only if something in them still names DeviceRGB (a gradient, say)."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        recolour = _Recolour(pdf, FOGRA39.profile)
        recolour.objects()
        left = device_rgb_uses(pdf)
        if left:
            to_press_colour(pdf, FOGRA39.profile)
            recolour.rewritten = True
            left = device_rgb_uses(pdf)
        if not recolour.changed and not left:
            return data, ""  # nothing changed: the bytes as weasyprint wrote them
        out = io.BytesIO()
        pdf.save(out, deterministic_id=True)
        return out.getvalue(), (left[0] if left else "")


def device_rgb_uses(pdf: pikepdf.Pdf) -> list[str]:
    """Where a PDF still paints in DeviceRGB: empty for a file fit for a CMYK output intent."""
    found: list[str] = []
    holders: list[tuple[str, pikepdf.Object]] = [(f"page {n}", page.obj) for n, page in enumerate(pdf.pages, start=1)]
    holders += [(f"object {o.objgen}", o) for o in pdf.objects if isinstance(o, pikepdf.Stream) and (o.get(Name.Subtype) == Name.Form or o.get(Name.PatternType) == 1)]
    for where, holder in holders:
        for instruction in pikepdf.parse_content_stream(holder, "rg RG cs CS"):  # filtered in qpdf: fast
            if str(instruction.operator) in ("rg", "RG") or Name.DeviceRGB in list(instruction.operands):
                found.append(f"{where}: {instruction.operator}")
                break
    for obj in pdf.objects:
        if isinstance(obj, (pikepdf.Dictionary, pikepdf.Stream)):
            for key in (Name.ColorSpace, Name.CS):
                value = obj.get(key)
                values = list(value.values()) if isinstance(value, pikepdf.Dictionary) else [value]
                for space in values:
                    if space == Name.DeviceRGB or (isinstance(space, pikepdf.Array) and Name.DeviceRGB in list(space)):
                        found.append(f"object {obj.objgen}: {key} DeviceRGB")
    return found


def rgb_left(where: str) -> BuildError:
    return stop("P031", where=where)
