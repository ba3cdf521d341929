"""Parse stage, step 1: bytes to text.

Stories arrive as whatever their owners saved: UTF-8 with or without a BOM, UTF-16 (with or without
a BOM), Windows and DOS code pages, CRLF or CR line ends, a DOS end-of-file Ctrl-Z, stray NULs. We
decode with the BOM when there is one, strict UTF-8 when it fits, and otherwise ask charset-normalizer
(a maintained detector) rather than guessing by hand. Mojibake (UTF-8 read as cp1252 and saved
again: `â€œ`) is repaired by ftfy, which only changes text its badness heuristic is sure about.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from ..diagnostics import Diagnostic, ExitCode, fail, info, warning

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

# Characters XML 1.0 forbids, and C0/C1 controls that no story means to contain.
_KEEP_CONTROLS = {"\n", "\t"}
# Single-byte code pages whose printable range agrees with Latin-1 for letters: when the detector
# names one of these we trust it; otherwise see `_western`.
_WESTERN = {"latin_1", "iso8859_15", "cp1252", "windows-1252", "ascii", "cp437", "cp850"}
# DOS box-drawing and block bytes (cp437 0xB0–0xDF): ASCII art and BBS files, never Windows text.
_BOX_DRAWING = range(0xB0, 0xE0)
_MAX_REPORTED = 20


@dataclass(frozen=True)
class DecodedText:
    text: str  # newlines normalised to "\n", forbidden characters removed
    encoding: str
    diagnostics: tuple[Diagnostic, ...]


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 saved without a BOM: English text then has a NUL in every other byte."""
    sample = data[:4096]
    if len(sample) < 4 or sample.count(b"\x00") < len(sample) // 4:
        return None
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    if odd > 3 * max(even, 1):
        return "utf-16-le"
    if even > 3 * max(odd, 1):
        return "utf-16-be"
    return None


def _western(data: bytes, guess: str, language: str, candidates: list[tuple[str, float]], chaos: float) -> str:
    """A legacy Western file. charset-normalizer ranks code pages by how 'chaotic' the decoded text
    looks, which for English with a handful of 8-bit punctuation bytes is nearly a tie between a
    dozen Baltic, Central-European and DOS pages. For English we choose the page that such files
    were actually written in: cp437 when DOS box-drawing bytes are present, otherwise cp1252 (a
    superset of Latin-1's printable range, and what Windows and most Usenet posters used)."""
    high = [b for b in data if b >= 0x80]
    if high and sum(b in _BOX_DRAWING for b in high) > len(high) // 2:
        return "cp437"
    if guess in _WESTERN:
        return guess
    # A Western page that decodes the file about as cleanly as the winner is the likelier origin.
    for name, score in candidates:
        if name in _WESTERN and score <= chaos + 0.01:
            return name
    try:
        western = data.decode("cp1252")
    except UnicodeDecodeError:
        return guess
    # Accented letters standing alone between plain ones ("café", "naïve", "déjà") are Western
    # text; runs of them ("Ïðèâåò") are another script read through the wrong page.
    if language == "English" or _isolated_accents(western):
        return "cp1252"
    return guess


def _isolated_accents(text: str) -> bool:
    high = [i for i, ch in enumerate(text) if ord(ch) > 0x7F and ch.isalpha()]
    if not high:
        return False
    runs = sum(1 for i in high if i + 1 < len(text) and ord(text[i + 1]) > 0x7F and text[i + 1].isalpha())
    return runs * 4 <= len(high)


_MOSTLY_UTF8 = "utf-8 (stray bytes read as cp1252)"


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _stray_as_cp1252(error: UnicodeError) -> tuple[str, int]:
    assert isinstance(error, UnicodeDecodeError)
    bad = error.object[error.start : error.end]
    return bad.decode("cp1252", errors="replace"), error.end


codecs.register_error("anthology-cp1252", _stray_as_cp1252)


def _mostly_utf8(data: bytes) -> str | None:
    """A UTF-8 file with a few stray bytes (a pasted Windows-1252 snippet, a cut-off sequence):
    decode it as UTF-8 and read only the stray bytes as cp1252, rather than read the whole file
    through a code page and turn every correct accent into mojibake."""
    text = data.decode("utf-8", errors="anthology-cp1252")
    valid = sum(1 for ch in data.decode("utf-8", errors="ignore") if ord(ch) > 0x7F)
    stray = len(data) - len(data.decode("utf-8", errors="ignore").encode("utf-8"))
    return text if valid and stray <= valid else None


def _detect(data: bytes, path: Path) -> tuple[str, str]:
    for bom, name in _BOMS:
        if data.startswith(bom):
            return data.decode(name), name
    utf16 = _utf16_without_bom(data)
    if utf16 is not None:
        try:
            return data.decode(utf16), utf16
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    mostly = _mostly_utf8(data)
    if mostly is not None:
        return mostly, _MOSTLY_UTF8
    from charset_normalizer import from_bytes  # imported here: only legacy files pay for it

    matches = from_bytes(data)
    best = matches.best()
    if best is None:
        raise fail(
            ExitCode.INPUT,
            "A001",
            "this file is not text in any encoding we know (is it a binary file?); "
            "remove it from the folder or convert it to UTF-8",
            path,
        )
    candidates = [(m.encoding, m.chaos) for m in matches]
    encoding = _western(data, best.encoding, best.language, candidates, best.chaos)
    return data.decode(encoding, errors="replace"), encoding


def _is_unwanted(ch: str) -> bool:
    if ch in _KEEP_CONTROLS:
        return False
    cat = unicodedata.category(ch)
    return cat == "Cc" or cat == "Cs" or ch in "\ufffe\uffff"


# The same test as one regular expression, to find whether a whole text has any in one C-level scan.
_UNWANTED = re.compile(
    "[" + "".join(re.escape(chr(c)) for c in [*range(0x20), *range(0x7F, 0xA0)] if chr(c) not in _KEEP_CONTROLS) + "\ud800-\udfff\ufffe\uffff]"
)


def _drop_controls(text: str, path: Path, diagnostics: list[Diagnostic]) -> str:
    """Remove controls, one warning per line that had some (first few lines only), naming them."""
    out: list[str] = []
    reported = 0
    for number, line in enumerate(text.split("\n"), start=1):
        bad = [(col, ch) for col, ch in enumerate(line, start=1) if _is_unwanted(ch)]
        if not bad:
            out.append(line)
            continue
        if reported < _MAX_REPORTED:
            names = ", ".join(sorted({f"U+{ord(ch):04X}" for _, ch in bad}))
            diagnostics.append(
                warning("A002", f"dropped {len(bad)} control character(s) {names} from column {bad[0][0]}", path, number)
            )
        reported += 1
        out.append("".join(ch for ch in line if not _is_unwanted(ch)))
    if reported > _MAX_REPORTED:
        diagnostics.append(warning("A002", f"dropped control characters on {reported - _MAX_REPORTED} more lines", path))
    return "\n".join(out)


# A UTF-8 lead byte read as cp1252/Latin-1 (Â, Ã, â, Ð, Ñ, …) followed by a continuation byte read
# the same way (C1 controls, or the cp1252 punctuation at 0x80–0x9F, or Latin-1 0xA0–0xBF).
_SUSPECT = re.compile(
    "[\u00c2-\u00f4][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc"
    "\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]"
)


def _repair_mojibake(text: str, path: Path, diagnostics: list[Diagnostic]) -> str:
    """Repair line by line, only lines that show the mojibake signature: fast on clean files, and the
    report can say where. ftfy's badness heuristic leaves text alone unless it is sure."""
    if not _SUSPECT.search(text):
        return text
    import ftfy  # imported here: most files are clean and skip it

    lines = text.split("\n")
    changed: list[int] = []
    for i, line in enumerate(lines):
        if _SUSPECT.search(line):
            # Only the encoding fix: quotes, ligatures, entities and line breaks stay as written.
            fixed = ftfy.fix_encoding(line)
            if fixed != line:
                lines[i] = fixed
                changed.append(i + 1)
    if changed:
        diagnostics.append(
            info("A021", f"repaired mis-decoded characters (mojibake such as “â€œ”) on {len(changed)} line(s)", path, changed[0])
        )
    return "\n".join(lines)


def _quote_role(text: str, i: int) -> str:
    before = text[i - 1] if i else " "
    after = text[i + 1] if i + 1 < len(text) else " "
    if before.isalpha() and after.isalpha():
        return "’"  # we™re: between letters, an apostrophe
    if (before.isspace() or before in "([—-") and (after.isalnum() or after in ".…"):
        return "“"
    if (before.isalnum() or before in ".,!?…—-") and (after.isspace() or after in ".,;:!?)—-"):
        return "”"
    return ""


def _quote_bytes(text: str, path: Path, diagnostics: list[Diagnostic]) -> str:
    """Some 8-bit files carry quotes as bytes of another code page (the Star Trek archive has
    0x95/0xA2/0x99 for “ ” ’, left over from a chain of conversions no detector can name). A symbol
    that stands in a quote's position nearly every time it occurs is that quote: we decide from
    where each character sits, not from a table of byte values."""
    found: dict[str, Counter[str]] = {}
    for i, ch in enumerate(text):
        if ord(ch) > 0x7F and unicodedata.category(ch)[0] in "SP" and ch not in "“”‘’«»„‚–—…":
            found.setdefault(ch, Counter())[_quote_role(text, i)] += 1
    mapping: dict[str, str] = {}
    for ch, roles in found.items():
        role, n = roles.most_common(1)[0]
        total = sum(roles.values())
        if role and total >= 5 and n >= 0.9 * total:
            mapping[ch] = role
    if not mapping:
        return text
    diagnostics.append(
        info("A022", "8-bit quote characters read as " + ", ".join(f"{k} → {v}" for k, v in sorted(mapping.items())), path)
    )
    return "".join(mapping.get(ch, ch) for ch in text)


def decode(data: bytes, path: Path) -> DecodedText:
    if b"\x00" in data[:4096] and not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        if data[:4096].count(b"\x00") > 16 and _utf16_without_bom(data) is None:
            raise fail(ExitCode.INPUT, "A001", "this looks like a binary file, not a story; remove it", path)
    text, encoding = _detect(data, path)
    # CRLF (DOS), CR (classic Mac) and LF, even mixed in one file; Ctrl-Z is DOS's end-of-file mark.
    text = text.replace("\r\n", "\n").replace("\r", "\n").rstrip("\x1a")
    diagnostics: list[Diagnostic] = []
    if encoding == _MOSTLY_UTF8:
        lines = [n for n, line in enumerate(data.split(b"\n"), start=1) if not _is_utf8(line)]
        shown = ", ".join(str(n) for n in lines[:10]) + (" …" if len(lines) > 10 else "")
        diagnostics.append(
            warning("A004", f"bytes that are not UTF-8 on line(s) {shown} were read as cp1252; check them", path, lines[0])
        )
    # Mojibake first: "â€\x9d" is a right quote whose last byte became a C1 control.
    text = _repair_mojibake(text, path, diagnostics)
    if _UNWANTED.search(text):
        text = _drop_controls(text, path, diagnostics)
    if encoding not in ("utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "utf-32", _MOSTLY_UTF8):
        text = _quote_bytes(text, path, diagnostics)
    if not text.strip():
        raise fail(ExitCode.INPUT, "A003", "this file is empty; add the story's text or remove the file", path)
    return DecodedText(text, encoding, tuple(diagnostics))
