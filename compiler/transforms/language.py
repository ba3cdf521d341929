"""Transform stage: each story's language, so readers, hyphenation, quotation marks and screen
readers get it right.

The manifest's `[stories."FILE"] language` wins. Otherwise the story's own text decides, read by
py3langid (a maintained fork of langid.py: 97 languages in a 4.6 MB model, about 2 ms a story once
loaded). It was measured against lingua-language-detector: both name every labelled corpus story
right from 3,000 characters, but on six-word passages in 19 languages py3langid was right 194 times
in 196 and lingua's low-accuracy mode 173 (its high-accuracy mode needs 1 GB of memory), and
lingua's wheel is 96 MB.

Loading the model costs about 0.4 s of CPU, as much as a small EPUB build. English, the language of
most stories, needs no model: when the commonest English words make up more than a sixth of a
story's words (English prose: 22–32% in the labelled corpus; no other language above 12%, in
samples of 19), it is English. Every other story is read by the model, which gives a calibrated
probability; below 0.9 (a few words, a list of names) the script decides what it can (Hebrew,
Greek, Arabic, Korean, Chinese, Japanese, Cyrillic as Russian), else the book's language stands.

Right-to-left languages are set right to left (`dir="rtl"`) by the renderer.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from collections import Counter
from functools import lru_cache
from typing import Any

from ..model import AuthorNote, Block, BlockQuote, Heading, Paragraph, Story, Verse, plain_text

_SCRIPTS = {"HEBREW": "he", "CYRILLIC": "ru", "ARABIC": "ar", "GREEK": "el", "HANGUL": "ko"}
RIGHT_TO_LEFT = frozenset({"he", "ar", "fa", "ur", "yi", "ps", "ug", "sdh", "hbo"})
_SAMPLE = 5_000  # characters of the story read: more does not change the answer, only the cost
_SURE = 0.9  # the model's probability below which the story's language is not named by it
_ENGLISH = frozenset("the and to of a was he she i it you in that his her".split())
_NO_LANGUAGE = frozenset({"zxx", "und"})  # py3langid's "no linguistic content"


def _paragraphs(blocks: tuple[Block, ...]) -> list[Paragraph]:
    out: list[Paragraph] = []
    for b in blocks:
        if isinstance(b, Paragraph):
            out.append(b)
        elif isinstance(b, (BlockQuote, AuthorNote)):
            out += _paragraphs(b.blocks)
    return out


_ASCII_LETTERS = re.compile("[A-Za-z]")
_WORDS = re.compile(r"[^\W\d_]+")


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


def _sample(story: Story) -> str:
    """The story's own text (not its notes or disclaimer, often in another language than a
    translation they introduce), up to `_SAMPLE` characters."""
    parts: list[str] = []
    size = 0

    def add(text: str) -> None:
        nonlocal size
        parts.append(text)
        size += len(text) + 1

    for block in story.body:
        if size >= _SAMPLE:
            break
        if isinstance(block, (Paragraph, Heading)):
            add(plain_text(block.children))
        elif isinstance(block, Verse):
            add("\n".join(plain_text(line) for line in block.lines))
        elif isinstance(block, BlockQuote):
            add("\n".join(plain_text(p.children) for p in _paragraphs(block.blocks)))
    return "\n".join(parts)[:_SAMPLE]


def _plainly_english(text: str) -> bool:
    """English beyond doubt: the commonest English words are more than a sixth of the words (a
    fifth in a text under 100 words, where chance weighs more), and nearly all words are ASCII."""
    words = _WORDS.findall(text.lower())
    if len(words) < 20 or sum(1 for w in words if not w.isascii()) * 50 > len(words):
        return False
    return sum(1 for w in words if w in _ENGLISH) * (6 if len(words) >= 100 else 5) > len(words)


@lru_cache(maxsize=1)
def _model() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier  # imported here: 0.4 s, only when needed

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def identify(text: str) -> tuple[str, float]:
    """The language `text` is written in (a BCP 47 primary tag, "" for none) and how sure the
    model is (0–1)."""
    if _plainly_english(text):
        return "en", 1.0
    if not _WORDS.search(text):
        return "", 0.0
    language, probability = _model().classify(text)
    return ("" if language in _NO_LANGUAGE else str(language)), float(probability)


def detected_language(story: Story) -> str:
    """The language of the story's text: the model's when it is sure, else its script's; "" when
    neither can tell."""
    language, probability = identify(_sample(story))
    if language and probability >= _SURE:
        return language
    return script_language(story)


def with_language(story: Story, book_language: str) -> Story:
    """The story with its language set, unless it is the book's (the book's `lang` covers it)."""
    if story.language:
        return story
    found = detected_language(story)
    if not found or found == book_language.split("-")[0].lower():
        return story
    return dataclasses.replace(story, language=found)


def is_right_to_left(language: str) -> bool:
    return language.split("-")[0].lower() in RIGHT_TO_LEFT
