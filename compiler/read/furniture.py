"""Parse stage: recognisers for the furniture of stories pasted from fan-fiction sites.

Each recogniser looks at one chunk of text (lines between blank lines) and says what it is. They are
patterns over *source text* (never over rendered markup), kept here in one table-like module so a
new convention is one new entry.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_SEP = r"\s*[:;.\-–—]+\s*"

SUMMARY = re.compile(rf"^\s*summary{_SEP}(?P<rest>.*)$", re.I | re.S)
# "Disclaimer", "Disclaimers", "Standard disclaimer", and the same in the languages we have met.
DISCLAIMER = re.compile(
    rf"^\s*(?:standard\s+)?(?:disclaimers?|disclamer|отказ от прав|дисклеймер|descargo(?: de responsabilidad)?|"
    rf"avertissement|haftungsausschluss|כתב ויתור|הסתייגות){_SEP}(?P<rest>.*)$",
    re.I | re.S,
)
# "{These characters are not property of us…}", "[I don't own Harry Potter]", "<insert disclaimer>":
# a whole chunk in brackets that talks about ownership.
BRACKETED_DISCLAIMER = re.compile(
    r"^\s*[{\[<](?P<rest>[^{}\[\]<>]*\b(?:own|owns|property|belong|belongs|disclaim\w*|copyright\w*|trademarks?)\b[^{}\[\]<>]*"
    r"|[^{}\[\]<>]*(?:הסתייגות|принадлеж|авторск)[^{}\[\]<>]*)[}\]>]\s*$",
    re.I | re.S,
)
AUTHOR_NOTE = re.compile(
    rf"^\s*(?:a\s*/\s*n|an(?=\s*:)|author'?s'?\s+notes?|notes?\s+from\s+the\s+author|примечани[ея]\s+автора|от\s+автора|"
    rf"n\s*/\s*a|nota\s+del\s+autor|note\s+de\s+l'auteur|הערת\s+המחבר){_SEP}(?P<rest>.*)$",
    re.I | re.S,
)
BYLINE = re.compile(r"^\s*\(?\s*by\s*:?\s+(?P<name>[^()\n]{1,60}?)\s*\)?\s*$", re.I)
# "[jan.10/09 START]", "[Updated 3/4]", "[COMPLETE]": progress stamps fan-fiction authors add.
STATUS = re.compile(
    r"\[(?P<stamp>[^\[\]\n]{0,40}\b(?:start(?:ed)?|end(?:ed)?|complete[d]?|updated?|wip|finished|done)\b[^\[\]\n]{0,20})\]",
    re.I,
)
GLOSSARY_HEADING = re.compile(
    r"^\s*(?P<heading>[^\n]{0,60}\b(?:symbology|symbolism|glossary|legend|terms|translations?|meanings?)\b[^\n]{0,60}?)\s*:?\s*$",
    re.I,
)
GLOSSARY_ENTRY = re.compile(
    r"^\s*(?P<term>[^\s()–—:][^()–—:\n]{0,40}?)\s*(?:\((?P<qual>[^()\n]{1,40})\))?\s*(?:[–—]|\s-\s|:)\s*(?P<definition>\S.*)$"
)
# "To be continued…", "TBC", "The End", "Fin": the author's own closing line.
END_MARK = re.compile(r"^\W*(?:to\s+be\s+continued|tbc|the\s+end|end|fin|конец|продолжение\s+следует|סוף)\W*$", re.I)
# "... Comments pretty please?", "Please review!", "R&R": requests that close a post.
REVIEW_REQUEST = re.compile(r"\b(?:reviews?|comments?|r\s*&\s*r)\b", re.I)


@dataclass(frozen=True)
class Signed:
    """What follows a status stamp on a summary line: usually the author's signature."""

    text: str
    stamp: str
    signature: str


def split_stamp(text: str) -> Signed:
    match = STATUS.search(text)
    if match is None:
        return Signed(text.strip(), "", "")
    before = text[: match.start()].strip()
    after = text[match.end() :].strip()
    # A signature is a short handle, not a sentence: one or two words, no sentence punctuation.
    if after and len(after.split()) <= 3 and not re.search(r"[.!?]$", after):
        return Signed(before, match.group(0), after)
    return Signed((before + " " + after).strip(), match.group(0), "")


def is_title_like(text: str) -> bool:
    """A line that could be a title: short, one line, not a sentence or dialogue."""
    if "\n" in text or not text.strip():
        return False
    words = text.split()
    if len(words) > 12 or text.strip()[0] in "\"“'‘(-–—*":
        return False
    return not re.search(r"[.,;:]$", text.strip())


def is_review_request(text: str) -> bool:
    return len(text.split()) <= 15 and REVIEW_REQUEST.search(text) is not None
