"""Facts about writing systems that several stages share: how wide a character is on a terminal
line, where joining two hard-wrapped lines needs a space, and what counts as a word.

Chinese and Japanese are written without spaces between words. A hard-wrapped CJK text joined
with a space (as Latin text is) gets a bogus space in the middle of a sentence; CSS Text 3 §4.1.3
(segment break transformation) removes the break instead when the characters on both sides are
East Asian wide (F, W or H) and neither is Hangul, since Korean does use spaces. The same texts
have no word boundaries to count by, so each ideograph or kana counts as one word, as word
counters for these languages do.
"""

from __future__ import annotations

import re
import unicodedata

# Han ideographs (with extensions and compatibility forms), kana, CJK symbols and punctuation,
# full-width forms: the characters that stand without spaces between them.
_CJK_RANGES = (
    "\u2e80-\u2fdf\u3000-\u303f\u3040-\u309f\u30a0-\u30ff\u3100-\u312f\u31a0-\u31ff\u3400-\u4dbf"
    "\u4e00-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef\U00020000-\U0003134f"
)
_CJK_CHAR = f"[{_CJK_RANGES}]"
# A letter that is not CJK, as one class (faster than a lookahead before each letter).
_NON_CJK_LETTER = f"[^\\W\\d_{_CJK_RANGES}]"
# Letters and digits count apart ("zinnia⁶" is not a new word); a CJK letter is a word of its own.
WORD = re.compile(rf"{_NON_CJK_LETTER}+|\d+|[^\W\d_]")
# For the nothing-lost check, digits count one by one: a number beside right-to-left text can come
# back out of a PDF in visual order ("0ﹰ0" reads back as "00"), and every digit is still there.
CHECK_WORD = re.compile(rf"{_NON_CJK_LETTER}+|\d|[^\W\d_]")
_TOKEN = re.compile(rf"(?=[^\W\d_]){_CJK_CHAR}|[^\s{_CJK_RANGES}]+")  # CJK punctuation is no word


def is_wide(ch: str) -> bool:
    """East Asian wide or full-width, and not Hangul: joins its neighbours without a space."""
    return unicodedata.east_asian_width(ch) in ("W", "F", "H") and not unicodedata.name(ch, "").startswith("HANGUL")


def join_space(before: str, after: str) -> str:
    """What replaces a line break between `before` and `after`: nothing between two wide characters."""
    return "" if before and after and is_wide(before[-1]) and is_wide(after[0]) else " "


def join_lines(parts: list[str] | tuple[str, ...]) -> str:
    out = ""
    for part in parts:
        out = out + join_space(out, part) + part if out and part else out + part
    return out


def columns(line: str) -> int:
    """How many terminal columns a line takes: wide characters take two (a 35-character Chinese
    line fills 70 columns, as a hard wrap does)."""
    # Nothing below U+0378 is wide: only the rest (a dash, a curly quote in Latin text) is looked up.
    return len(line) + sum(1 for ch in _MAYBE_WIDE.findall(line) if unicodedata.east_asian_width(ch) in ("W", "F"))


_MAYBE_WIDE = re.compile("[\u0378-\U0010ffff]")


def word_count(text: str) -> int:
    """Words as a reader counts them: runs between spaces, each CJK character one word."""
    return sum(1 for token in _TOKEN.findall(text) if any(ch.isalnum() for ch in token))  # "—" is no word
