"""Parse stage, step 1: bytes to text.

Stories arrive as whatever their owners saved: UTF-8 with or without a BOM, UTF-16, Windows and DOS
code pages, CRLF or CR line ends. We decode with the BOM when there is one, strict UTF-8 when it
fits, and otherwise ask charset-normalizer (a maintained detector) rather than guessing by hand.
"""

from __future__ import annotations

import codecs
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from ..diagnostics import Diagnostic, ExitCode, fail, warning

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

# Characters XML 1.0 forbids, and C0/C1 controls that no story means to contain.
_KEEP_CONTROLS = {"\n", "\t"}


@dataclass(frozen=True)
class DecodedText:
    text: str  # newlines normalised to "\n", forbidden characters removed
    encoding: str
    diagnostics: tuple[Diagnostic, ...]


def _detect(data: bytes, path: Path) -> tuple[str, str]:
    for bom, name in _BOMS:
        if data.startswith(bom):
            return data.decode(name), name
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes  # imported here: only legacy files pay for it

    best = from_bytes(data).best()
    if best is None:
        raise fail(
            ExitCode.INPUT,
            "A001",
            "this file is not text in any encoding we know (is it a binary file?); "
            "remove it from the folder or convert it to UTF-8",
            path,
        )
    return str(best), best.encoding


def _is_unwanted(ch: str) -> bool:
    if ch in _KEEP_CONTROLS:
        return False
    cat = unicodedata.category(ch)
    return cat == "Cc" or cat == "Cs" or ch in "\ufffe\uffff"


def decode(data: bytes, path: Path) -> DecodedText:
    if b"\x00" in data[:4096] and not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        if data[:4096].count(b"\x00") > 16:
            raise fail(ExitCode.INPUT, "A001", "this looks like a binary file, not a story; remove it", path)
    text, encoding = _detect(data, path)
    text = text.replace("\r\n", "\n").replace("\r", "\n").rstrip("\x1a")
    diagnostics: list[Diagnostic] = []
    if any(_is_unwanted(ch) for ch in text):
        kept: list[str] = []
        line = 1
        for ch in text:
            if ch == "\n":
                line += 1
            if _is_unwanted(ch):
                diagnostics.append(
                    warning("A002", f"dropped control character U+{ord(ch):04X}", path, line)
                )
                continue
            kept.append(ch)
        text = "".join(kept)
    if not text.strip():
        raise fail(ExitCode.INPUT, "A003", "this file is empty; add the story's text or remove the file", path)
    return DecodedText(text, encoding, tuple(diagnostics[:20]))
