"""Parse stage: a line drawn as a scene break ("* * *", "-x-", "ZZZZZZ").

Its own module because both the paragraph layout (layout.py) and the ASCII-art test (art.py) ask it,
and those two must not import each other.
"""

from __future__ import annotations

import re

# A line of nothing but separator characters (Markdown escapes allowed): "***", "* * *", "\* \* \*",
# "~~~~", "----", "====", "____", "#", "• • •", "+ + +".
_SYMBOLS = re.compile(r"^(?:[*~=_#+•·°◊♦❦§\-–—\\]\s*){1,}$")
# Letter ornaments: "-x-", "xXx", "oOo", "~o~", "x-x-x", and one letter repeated ("ZZZZZZ", "xxxx").
_LETTERS = re.compile(r"^[-~=*_ ]*(?:x|o|xXx|XxX|oOo|OoO|(?:x[-~ ]){2,}x)[-~=*_ ]*$|^[-~=*_ ]*([A-Za-z])\1{2,}[-~=*_ ]*$", re.I)


def is_separator(line: str) -> bool:
    text = line.strip()
    if not text or len(text) > 60:
        return False
    if _SYMBOLS.match(text):
        return any(ch not in "\\" for ch in text)
    return _LETTERS.match(text) is not None and (len(set(text.lower()) - set(" -~=*_")) <= 2)
