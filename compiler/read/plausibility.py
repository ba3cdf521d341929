"""Parse stage, step 1 (with decode.py): how much a decoded text looks like what people write.

A legacy 8-bit file does not say which code page it was written in, and every single-byte page
decodes every byte to something. What tells the pages apart is what the high bytes become where
they stand. Read in the right page, a byte between two lowercase letters is a letter (`café`,
`naïve`) or an apostrophe (`don’t`); a byte before a word is an opening quote, after one a closing
quote; a byte after a digit is a unit (`43°`, `12¢`); box-drawing characters stand among other
drawing characters. Read in the wrong page, the same bytes become a capital inside a word
(`weÖre`), a box-drawing character glued to a word (`Romulan╩warship`), a currency sign after a
comma, a C1 control, a word made mostly of accented letters (`Ïðèâåò`: Cyrillic through a Western
page), or letters of two scripts in one word.

`char_score` gives each non-ASCII character a score for its position, from +2 (exactly where such a
character belongs) down to -4 (no text holds it); `plausibility` adds them up, and decode.py picks
the candidate page with the highest sum. `doubtful` lists what a chosen reading still holds that
scores -3 or worse, so the build can say that a file looks mis-decoded. The weights are ordinal,
not fitted: any plausible reading beats any implausible one character for character, which is what
decides real files, since a wrong page mis-reads every occurrence of a byte the same way.
"""

from __future__ import annotations

import re
import unicodedata

_NON_ASCII = re.compile(r"[^\x00-\x7f]")
# Quotation marks by the positions they can take (CLDR's marks of every language: German opens
# with „ and closes with “, Swedish and Finnish close and open with ”, Danish uses » «).
_QUOTES = frozenset("“”‘’„‚«»‹›")
_OPENING = frozenset("“‘„‚«»‹›”")
_CLOSING = frozenset("”’“‘»«›‹")
_APOSTROPHES = frozenset("’ʼ")
# What may stand before an opening mark and after a closing one: spaces, brackets, dashes, other
# quotes, and the markup around text in Markdown and HTML files ("<p>“Yes,”</p>", "*‘No’*").
_SPACE_BEFORE = frozenset(" \t\n([{<>—–-/\"'“‘„‚«»‹›¿¡*_")
_SPACE_AFTER = frozenset(" \t\n.,;:!?…—–-)]}<>/\"'“”‘’„‚«»‹›*_")
_BOX = range(0x2500, 0x2600)  # box drawing, block elements, geometric shapes: BBS and DOS art
_CJK_PUNCTUATION = (range(0x3000, 0x3040), range(0xFF00, 0xFFF0))


def _script(ch: str) -> str:
    if ch.isascii():
        return "LATIN"
    name = unicodedata.name(ch, "")
    script = name.split(" ")[0]
    return "CJK" if script in ("HIRAGANA", "KATAKANA", "CJK", "HALFWIDTH", "FULLWIDTH") else script


def _foreign_word(text: str, i: int) -> bool:
    """The letters around `i` form a word of four or more Latin letters, all accented but one at
    most: how Cyrillic or Greek looks when read through a Western page ("Ïðèâåò"). Latin-script
    words have plain letters among their accented ones ("déjà", "Größe", "różdżkę")."""
    start = i
    while start > 0 and text[start - 1].isalpha():
        start -= 1
    end = i + 1
    while end < len(text) and text[end].isalpha():
        end += 1
    word = text[start:end]
    accented = sum(1 for ch in word if not ch.isascii())
    return len(word) >= 4 and accented >= len(word) - 1


def _letter(prev: str, ch: str, nxt: str, after: str, text: str, i: int, words: bool) -> int:
    cat = unicodedata.category(ch)
    if cat in ("Lm", "Lt") or ch in "ªº":  # modifier letters (ˆ), ordinal indicators: after digits only
        return 1 if prev.isdigit() else -2
    script = _script(ch)
    for side in (prev, nxt):
        if side.isalpha() and _script(side) != script:
            # Two scripts in one word. Japanese does write Latin letters against kana ("Tシャツ"),
            # but half-width kana, which DOS and Windows Japanese pages put at single bytes, hardly.
            return -1 if script == "CJK" and side.isascii() and "HALFWIDTH" not in unicodedata.name(ch, "") else -3
    if not prev.isalpha() and not nxt.isalpha():
        # A letter standing alone: a word of its own ("à", "é", "Å") after a space, not after a comma.
        return 0 if not prev or prev in _SPACE_BEFORE else -1
    if cat == "Lu":
        if prev.isalpha() and prev.islower():
            return -3  # a capital inside a lowercase word: "weÖre", "naivetŽ"
        if nxt.isupper() and after.islower():
            return -2  # a capital glued to a capitalised word: "ÒHello"
    elif cat == "Ll" and nxt.isupper():
        return -2  # "ïCommander"
    if words and script == "LATIN" and _foreign_word(text, i):
        return -3
    return 1


def _quote(prev: str, ch: str, nxt: str) -> int:
    if prev.isalpha() and nxt.isalpha():
        # "don’t"; ‘ there is a slip autocorrect makes, no evidence either way; „ or « is no mark
        return 2 if ch in _APOSTROPHES else 0 if ch == "‘" else -1
    opening = (not prev or prev in _SPACE_BEFORE) and (nxt.isalnum() or nxt in _QUOTES or nxt in ".…'\"*_<")
    closing = (prev.isalnum() or prev in ".,;:!?…—–-'\"*_" or prev in _QUOTES) and (not nxt or nxt in _SPACE_AFTER)
    if (opening and ch in _OPENING) or (closing and ch in _CLOSING):
        return 2
    return -1


def _symbol(prev: str, ch: str, nxt: str) -> int:
    code = ord(ch)
    if code in _BOX:
        # Drawing stands among drawing (a label may touch it: "░░F") or alone between spaces, never
        # glued to a lowercase word or to the punctuation of prose ("said.╙").
        if prev.islower() or nxt.islower():
            return -3
        if (prev and ord(prev) in _BOX) or (nxt and ord(nxt) in _BOX):
            return 1
        if prev.isalnum() or nxt.isalnum():
            return -1
        return 1 if (not prev or prev.isspace()) and (not nxt or nxt.isspace()) else -2
    if ch == "°":
        return 2 if prev.isdigit() or (prev == " " and nxt in "CFK") else -1
    cat = unicodedata.category(ch)
    if cat == "Sc":  # £5, 12¢, 5 €
        return 1 if prev.isdigit() or nxt.isdigit() or (prev == " " and nxt == " ") else -2
    if ch in "©®™":
        return 1 if (prev.isalnum() and not nxt.isalnum()) or (not prev.isalnum() and (nxt.isspace() or nxt.isdigit())) else -2
    if ch == "´" and prev.isalpha() and nxt.isalpha():
        return 1  # an acute accent typed for an apostrophe: "don´t"
    if cat == "Sm":  # ± × ÷ ≤: between numbers or spaces, not glued to words
        return -2 if prev.isalpha() or nxt.isalpha() else 0
    return -2 if cat == "Sk" else -1


def _punctuation(prev: str, ch: str, nxt: str) -> int:
    if ch in _QUOTES:
        return _quote(prev, ch, nxt)
    if ch in "¿¡":
        return 2 if (not prev or prev.isspace() or prev in _SPACE_BEFORE) and (nxt.isalpha() or nxt in _QUOTES) else -1
    cat = unicodedata.category(ch)
    if ch == "…":
        return 2
    if cat == "Pd":  # "word—word", "1990–95", " – "; an en dash joins numbers, not letters
        if prev.isalpha() and nxt.isalpha():
            return 2 if ch == "—" else 0
        return 2 if (not prev or prev.isspace() or prev.isalnum()) and (not nxt or nxt.isspace() or nxt.isalnum()) else 1
    if any(ord(ch) in r for r in _CJK_PUNCTUATION) or cat in ("Ps", "Pe"):
        return 1
    if ch in "•·":  # a list bullet before a space; a middle dot between letters (Catalan l·l)
        return 1 if (nxt == " " and (not prev or prev.isspace())) or (ch == "·" and prev.isalpha() and nxt.isalpha()) else -1
    if ch in "§¶†‡":
        return 1 if nxt.isspace() or nxt.isdigit() or prev.isalnum() else -1
    return -1


def char_score(text: str, i: int, words: bool = True) -> int:
    """How plausible the non-ASCII character at `i` is where it stands: +2 to -4. `words`: also
    judge the word it stands in (mostly accented letters), which compares readings of one file but
    says nothing of a text on its own (Vietnamese "được" is mostly accented)."""
    ch = text[i]
    prev = text[i - 1] if i else ""
    nxt = text[i + 1] if i + 1 < len(text) else ""
    cat = unicodedata.category(ch)
    major = cat[0]
    if ch == "\ufffd" or cat in ("Cc", "Cn", "Co", "Cs"):
        return -4  # C1 controls, unassigned code points, replacement characters: no story holds them
    if major == "L":
        return _letter(prev, ch, nxt, text[i + 2] if i + 2 < len(text) else "", text, i, words)
    if major == "P":
        return _punctuation(prev, ch, nxt)
    if major == "S":
        return _symbol(prev, ch, nxt)
    if major == "Z":  # a no-break space: between words, or beside another space (indents, "end.  Next")
        return 1
    if major == "N":  # "9¾", "10²"; a note mark after a word ("word¹"), not inside one ("wzi¹³")
        if prev.isdigit():
            return 2
        if nxt.isalpha():
            return -2
        return 1 if (prev.isalpha() and ch in "¹²³") or (prev.isspace() and (nxt.isspace() or not nxt)) else -1
    if major == "M":  # combining marks follow letters
        return 1 if prev.isalpha() else -2
    return 0  # format characters (soft hyphen, joiners)


def plausibility(text: str, limit: int = 20_000, width: dict[str, int] | None = None) -> int:
    """The sum of `char_score` over the first `limit` non-ASCII characters of `text`, each weighted
    by `width[ch]`, the bytes it took in the file (2 for a Shift_JIS or GBK character): every byte
    of the file is judged once, whichever page groups them into characters."""
    total = 0
    for n, match in enumerate(_NON_ASCII.finditer(text)):
        if n == limit:
            break
        ch = match.group(0)
        total += char_score(text, match.start()) * (width.get(ch, 1) if width else 1)
    return total


# The characters a mis-decoding leaves that score -3: capitals and letters of any script (a capital
# inside a word, two scripts in one word), drawing, controls and replacement characters. The usual
# typography (curly quotes, dashes, no-break spaces) scores -1 at worst and is not looked at.
_SUSPECTS = re.compile("[^\x00-\x7f’‘“”—–…\u00a0]")


def doubtful(text: str) -> list[tuple[int, str, str]]:
    """What the text holds that no plausible reading has (characters scored -3 or worse): the
    1-based line, the character and the word around it, the first such character of each line.
    Lowercase letters are judged only beside a capital or another script's letter, which is where a
    mis-decoding shows (a Russian or Vietnamese text is all non-ASCII letters, and costs nothing)."""
    found: list[tuple[int, str, str]] = []
    for number, line in enumerate(text.split("\n"), start=1):
        for match in _SUSPECTS.finditer(line):
            ch, i = match.group(0), match.start()
            if ch.islower() and (i == 0 or line[i - 1].islower() or not line[i - 1].isalpha()):
                continue  # a lowercase letter after a lowercase one or at a word's start: text
            if char_score(line, i, words=False) <= -3:
                start = line.rfind(" ", 0, i) + 1
                end = line.find(" ", match.end())
                found.append((number, ch, line[start : end if end >= 0 else len(line)][:30]))
                break
    return found
