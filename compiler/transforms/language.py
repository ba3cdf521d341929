"""Transform stage: each story's language, so readers, hyphenation and screen readers get it right.

The manifest's `[stories."FILE"] language` wins; otherwise a story written mostly in another script
than the book's (Hebrew, Cyrillic, Greek, Arabic, CJK) gets that script's usual language. Right-to-
left languages are set right to left (`dir="rtl"`) by the renderer.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from collections import Counter

from ..model import AuthorNote, Block, BlockQuote, Paragraph, Story, plain_text

_SCRIPTS = {"HEBREW": "he", "CYRILLIC": "ru", "ARABIC": "ar", "GREEK": "el", "HANGUL": "ko"}
RIGHT_TO_LEFT = frozenset({"he", "ar", "fa", "ur", "yi"})


def _paragraphs(blocks: tuple[Block, ...]) -> list[Paragraph]:
    out: list[Paragraph] = []
    for b in blocks:
        if isinstance(b, Paragraph):
            out.append(b)
        elif isinstance(b, (BlockQuote, AuthorNote)):
            out += _paragraphs(b.blocks)
    return out


_ASCII_LETTERS = re.compile("[A-Za-z]")


def script_language(story: Story) -> str:
    """The language a story's letters say it is in; "" for Latin script or a mix."""
    counts: Counter[str] = Counter()
    for paragraph in _paragraphs(story.body)[:400]:
        if counts.total() > 20_000:  # letters enough to know the script of the story
            break
        text = plain_text(paragraph.children)
        # ASCII letters counted at once, without naming each: most of the letters of most stories.
        counts["LATIN"] += len(_ASCII_LETTERS.findall(text))
        if text.isascii():
            continue
        for ch in text:
            if ch.isalpha() and not ch.isascii():
                counts[unicodedata.name(ch, "?").split(" ")[0]] += 1
    if not counts:
        return ""
    # Japanese writes with Han ideographs and kana together, kana usually the larger part; Chinese
    # uses no kana at all. Count them as one script, and let the kana tell the language.
    kana = counts.pop("HIRAGANA", 0) + counts.pop("KATAKANA", 0)
    if kana or counts.get("CJK"):
        counts["CJK"] += kana
    script, n = counts.most_common(1)[0]
    if n * 2 <= sum(counts.values()):
        return ""
    if script == "CJK":
        return "ja" if kana * 10 >= n else "zh"
    return _SCRIPTS.get(script, "")


def with_language(story: Story, book_language: str) -> Story:
    if story.language:
        return story
    found = script_language(story)
    if not found or found == book_language.split("-")[0].lower():
        return story
    return dataclasses.replace(story, language=found)


def is_right_to_left(language: str) -> bool:
    return language.split("-")[0].lower() in RIGHT_TO_LEFT
