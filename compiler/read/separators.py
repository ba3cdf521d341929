"""Parse stage: a line drawn as a scene break ("* * *", "-x-", "ZZZZZZ").

Its own module because both the paragraph layout (layout.py) and the ASCII-art test (art.py) ask it,
and those two must not import each other.
"""

from __future__ import annotations

import re

# A line of nothing but separator characters (Markdown escapes allowed): "***", "* * *", "\* \* \*",
# "~~~~", "----", "====", "____", "#", "• • •", "+ + +".
# (A symbol, then any mix of symbols and spaces: the same lines as a repeated group, in linear time.)
_SYMBOLS = re.compile(r"^[*~=_#+•·°◊♦❦§\-–—\\][*~=_#+•·°◊♦❦§\-–—\\\s]*$")
# Letter ornaments: "-x-", "xXx", "oOo", "~o~", "x-x-x", and one letter repeated ("ZZZZZZ", "xxxx").
_LETTERS = re.compile(r"^[-~=*_ ]*(?:x|o|xXx|XxX|oOo|OoO|(?:x[-~ ]){2,}x)[-~=*_ ]*$|^[-~=*_ ]*([A-Za-z])\1{2,}+[-~=*_ ]*$", re.I)
# Rows of ornaments: symbols (not sentence punctuation or quotes) and the drawing marks above.
# Colons drawn in a row (":::", ": : :"); never fewer than three, as one or two are punctuation.
_COLONS = re.compile(r"^:\s*:\s*:[:\s]*$")
_GLYPHS = re.compile(r"^(?:[^\x00-\x7f\w\s“”‘’«»…¿¡€£„‚‹›]\s*)+$")  # non-ASCII ornaments: "❀ ❀ ❀", "☆☆☆"


def is_separator(line: str) -> bool:
    """A row of a repeated mark, drawn to set scenes apart: "* * *", "~~~~" (of any length: a row of
    200 tildes is a break, not text), "oOo", "-x-", "ZZZZ", a row of fancy glyphs ("❀ ❀ ❀")."""
    text = line.strip()
    if not text:
        return False
    if text.endswith(".") and len(text.replace(" ", "")) >= 4 and _SYMBOLS.match(text[:-1].rstrip()):
        # "* * *." : a row that a translator or an editor ended with a full stop is still drawn.
        text = text[:-1].rstrip()
    if _COLONS.match(text):
        return True
    if _SYMBOLS.match(text):
        return any(ch not in "\\" for ch in text)
    if _GLYPHS.match(text) and len(text.replace(" ", "")) >= 3:
        return True
    return len(text) <= 60 and _LETTERS.match(text) is not None and (len(set(text.lower()) - set(" -~=*_")) <= 2)
