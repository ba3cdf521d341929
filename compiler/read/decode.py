"""Parse stage, step 1: bytes to text.

Stories arrive as whatever their owners saved: UTF-8 with or without a BOM, UTF-16 (with or without
a BOM), Windows, DOS and Mac code pages, CRLF or CR line ends, a DOS end-of-file Ctrl-Z, stray NULs.
We decode with the BOM when there is one, and strict UTF-8 when it fits. A legacy 8-bit file names
no code page, and every single-byte page decodes every byte to something, so we read it in each
candidate page (the Western pages such files were written in, plus what charset-normalizer, a
maintained detector, proposes) and keep the reading that looks most like text where its high bytes
stand (plausibility.py). Mojibake (UTF-8 read as cp1252 and saved again: `â€œ`) is repaired by ftfy,
which only changes text its badness heuristic is sure about; what still looks mis-decoded after all
that is reported as a warning (A023), since the book would carry it as the file does.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from ..diagnostics import Diagnostic, ExitCode, fail, info, warning
from .plausibility import doubtful, plausibility

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

# Characters XML 1.0 forbids, and C0/C1 controls that no story means to contain.
_KEEP_CONTROLS = {"\n", "\t"}
# The code pages legacy story files were written in, in the order a tie between equally plausible
# readings is settled: Windows Western first (Windows, and so most Usenet and fan-fiction posters),
# then ISO Latin-1, DOS (BBS files; cp437 before its Western European revision cp850), classic Mac
# OS, and the Central European pages (Polish, Czech, Hungarian…), Windows' then ISO's.
_LEGACY = ("cp1252", "latin-1", "cp437", "cp850", "mac_roman", "cp1250", "iso8859_2")
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


def _legacy(data: bytes, candidates: list[str]) -> str:
    """The candidate page whose reading is the most plausible text, judged as `_quote_bytes` will
    leave it (a file whose quotes are bytes of another page reads as text once they are quotes)."""
    best, best_score = "", -(10**9)
    for name in dict.fromkeys([*_LEGACY, *candidates]):
        try:
            text = data.decode(name)
        except (UnicodeDecodeError, LookupError):
            continue
        width = {ch: len(ch.encode(name)) for ch in set(_HIGH.findall(text))}
        score = plausibility(_quote_bytes(text)[0], width=width)
        if score > best_score:
            best, best_score = name, score
    # cp1252 and Latin-1 differ only in 0x80–0x9F; a file with none of those bytes is Latin-1 text
    # (the same characters either way), and is named so.
    if best == "cp1252" and not _C1_BYTES.search(data):
        return "latin-1"
    return best


_C1_BYTES = re.compile(rb"[\x80-\x9f]")
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
            try:
                return data.decode(name), name
            except UnicodeDecodeError:
                pass
            if name.startswith("utf-8"):  # a UTF-8 BOM on cp1252 bytes: the BOM says too much
                data = data[len(bom):]
                break
            try:  # a lone surrogate: kept here, dropped with a warning (A002) like any control
                return data.decode(name, "surrogatepass"), name
            except UnicodeDecodeError:
                raise fail(ExitCode.INPUT, "A001", f"this file starts as {name.upper()} but is not valid {name.upper()} "
                           "(an odd number of bytes); convert it to UTF-8", path) from None
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
    # charset-normalizer's choice joins the Western pages (a Cyrillic, Greek or Japanese file is
    # its to name); the other pages it lists are the long tail (cp775, hp_roman8…) that only wins
    # near-ties by accident.
    encoding = _legacy(data, [best.encoding])
    return data.decode(encoding), encoding


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
    report can say where. ftfy's badness heuristic leaves text alone unless it is sure; it knows the
    Mac and DOS signatures too ("‚Äú", "ΓÇ£"), which `_SUSPECT` leaves to it."""
    if not _SUSPECT.search(text) and not _OTHER_SIGNATURES.search(text):
        return text
    import ftfy  # imported here: most files are clean and skip it

    lines = text.split("\n")
    changed: list[int] = []
    for i, line in enumerate(lines):
        if _SUSPECT.search(line) or _OTHER_SIGNATURES.search(line):
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


# UTF-8 read as classic Mac OS Roman ("‚Äú" for “) or as DOS cp437 ("ΓÇ£", "├⌐" for é), then saved.
_OTHER_SIGNATURES = re.compile("[‚√¬][\u0080-\uffff]|[Γ├┬╨╤][\u0080-\uffff]")


# An English contraction or elision after an apostrophe: "we're", "that's", "rock 'n' roll".
_CONTRACTION = re.compile(r"(?:s|t|d|m|re|ve|ll|em|n)(?![^\W\d_])", re.I)


def _quote_role(text: str, i: int) -> str:
    before = text[i - 1] if i else " "
    after = text[i + 1] if i + 1 < len(text) else " "
    if before.isdigit():
        return ""  # after a number a symbol is a unit: 43°, 12¢, 5£
    if before.isalpha() and after.isalpha():
        # Between letters only before a contraction ("we™re"); between two words it is not a quote.
        return "’" if _CONTRACTION.match(text, i + 1) else ""
    if (before.isspace() or before in "([—-") and (after.isalnum() or after in ".…"):
        return "“"
    if (before.isalnum() or before in ".,!?…—-") and (after.isspace() or after in ".,;:!?)—-"):
        return "”"
    return ""


_HIGH = re.compile(r"[^\x00-\x7f]")


def _quote_bytes(text: str) -> tuple[str, dict[str, str]]:
    """Some 8-bit files carry quotes as bytes of another code page (the Star Trek archive has
    0x95/0xA2/0x99 for “ ” ’, left over from a chain of conversions no detector can name). A symbol
    that stands in a quote's position nearly every time it occurs is that quote: we decide from
    where each character sits, not from a table of byte values. Returns the text and the mapping."""
    found: dict[str, Counter[str]] = {}
    for match in _HIGH.finditer(text):
        ch = match.group(0)
        if unicodedata.category(ch)[0] in "SP" and ch not in "“”‘’«»„‚–—…":
            found.setdefault(ch, Counter())[_quote_role(text, match.start())] += 1
    mapping: dict[str, str] = {}
    for ch, roles in found.items():
        role, n = roles.most_common(1)[0]
        total = sum(roles.values())
        if role and total >= 5 and n >= 0.9 * total:
            mapping[ch] = role
    if not mapping:
        return text, mapping
    return text.translate({ord(k): v for k, v in mapping.items()}), mapping


def _mojibake_left(text: str, encoding: str, path: Path) -> list[Diagnostic]:
    """Characters that still look mis-decoded after the repairs: replacement characters, ftfy's
    mojibake signatures, and what no plausible reading holds (a capital inside a word, drawing glued
    to a word). In a UTF-8 file the author typed every character, so there only a character that
    comes back three times counts (a mis-decode is systematic: every apostrophe, every é)."""
    found = doubtful(text)
    if encoding.startswith("utf"):
        counts = Counter(ch for _, ch, _ in found)
        found = [f for f in found if counts[f[1]] >= 3 or f[1] == "\ufffd"]
    if _SUSPECT.search(text) or _OTHER_SIGNATURES.search(text):
        from ftfy.badness import is_bad  # imported here: most files show no signature

        numbered = enumerate(text.split("\n"), start=1)
        found += [(n, "", line.strip()[:30]) for n, line in numbered if (_SUSPECT.search(line) or _OTHER_SIGNATURES.search(line)) and is_bad(line)]
    if not found:
        return []
    found.sort()
    lines = sorted({n for n, _, _ in found})
    shown = ", ".join(f"“{word}”" for _, _, word in found[:3])
    where = ", ".join(str(n) for n in lines[:10]) + (" …" if len(lines) > 10 else "")
    return [
        warning(
            "A023",
            f"text that looks mis-decoded (mojibake) is left on {len(lines)} line(s) ({where}), such as {shown}; "
            f"it was read as {encoding}: re-save the file as UTF-8 from the program that shows it right, "
            "or correct those characters",
            path,
            lines[0],
        )
    ]


# A character that draws something: not a space, a zero-width space or joiner, a direction mark or
# embedding, a word joiner, a byte order mark or a soft hyphen. A file without one is empty.
_DRAWN = re.compile("[^\\s\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff]")


def decode(data: bytes, path: Path) -> DecodedText:
    if b"\x00" in data[:4096] and not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        if data[:4096].count(b"\x00") > 16 and _utf16_without_bom(data) is None:
            raise fail(ExitCode.INPUT, "A001", "this looks like a binary file, not a story; remove it", path)
    text, encoding = _detect(data, path)
    # CRLF (DOS), CR (classic Mac) and LF, even mixed in one file; Ctrl-Z is DOS's end-of-file mark.
    # CR CR LF is one line end converted twice (a DOS file through a second CRLF conversion), not
    # a line end and a blank line: read as two, every line of a poem would stand apart.
    text = re.sub(r"\r+\n", "\n", text).replace("\r", "\n").rstrip("\x1a")
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
    if not encoding.startswith("utf"):
        text, mapping = _quote_bytes(text)
        if mapping:
            read = ", ".join(f"{k} → {v}" for k, v in sorted(mapping.items()))
            diagnostics.append(info("A022", f"8-bit quote characters read as {read}", path))
    if not _DRAWN.search(text):  # nothing but spaces and characters that draw nothing
        raise fail(ExitCode.INPUT, "A003", "this file is empty; add the story's text or remove the file", path)
    diagnostics += _mojibake_left(text, encoding, path)
    return DecodedText(text, encoding, tuple(diagnostics))
