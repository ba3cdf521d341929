"""Parse stage: labelled header lines — Usenet/mail headers and "Title: …", "Rating: …" fields.

Usenet archives start with the article's transport headers (RFC 1036: `Path:`, `From:`,
`Newsgroups:`, `Subject:` …). They are not part of the story: the whole block is consumed (and
listed by `inspect`), keeping only what it tells us — the author (`From:`) and title (`Subject:`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_HEADER_LINE = re.compile(r"^(?P<name>[A-Za-z][A-Za-z0-9-]{0,30}):\s?(?P<value>.*)$")
# Headers only transport software writes; one of them makes the block a Usenet/mail header.
_TRANSPORT = {"path", "newsgroups", "message-id", "nntp-posting-host", "lines", "organization", "references", "xref", "received"}
_MAIL = {"from", "subject", "date", "to", "reply-to", "sender", "x-newsreader", "mime-version", "content-type"}
# "Lara Bartram <lara@x.edu>", "dw4557@u.cc.utah.edu (Dylan Winslow)", "lara@x.edu".
# Possessive runs (`*+`, Python 3.11) and a greedy name that stops at the only characters that may
# follow it: no run of spaces is tried at every split (linear; tests/test_linear.py). The name keeps
# its trailing spaces, which _author strips.
_NAME_ADDR = re.compile(r"^\s*+\"?(?P<name>[^<>\"]++)\"?\s*+<[^>]+>\s*+$")
_ADDR_NAME = re.compile(r"^\s*+[^\s@(]+@[^\s(]+\s*+\((?P<name>[^()]+)\)\s*+$")
# Subject decorations: "Re:", "[Ranma][FanFic]", "NEW STORY:", "1/5", "(3/12)", ", part 1".
_SUBJECT_NOISE = (
    re.compile(r"^\s*(?:re|fwd?)\s*:\s*", re.I),
    re.compile(r"^\s*(?:\[[^\]]*\]\s*)+"),
    re.compile(r"^\s*(?:new\s+)?(?:story|fic|fanfic|fan\s*fic|repost)\s*:\s*", re.I),
    # Linear (tests/test_linear.py): a match starts only where a run of spaces starts (the leftmost
    # match does anyway), and spaces taken are never given back (what follows them is no space).
    re.compile(r"(?<!\s)\s*+[(\[]?\b\d{1,3}\s*+/\s*+\d{1,3}[)\]]?\s*$"),
    re.compile(r"(?<!\s)\s*+[:,;\-–—]?\s*+\(?\b(?:part|chapter|pt\.?)\s++\w++\)?\s*$", re.I),
)
# Fan-fiction site fields. Title and Author become the story's; the others stay with the blurb.
# Chinese and Japanese sites label them 标题/タイトル and 作者, with a full-width colon.
FIELD = re.compile(
    r"^\s*(?P<label>title|author|rating|rated|genres?|pairings?|warnings?|fandoms?|characters?|category|"
    r"categories|spoilers?|status|word\s*count|words|标题|標題|题目|タイトル|作者|著者)\s*[:：]\s*(?P<value>\S.*)$",
    re.I,
)
_KEYS = {
    "rated": "rating", "genres": "genre", "pairings": "pairing", "warning": "warnings", "fandoms": "fandom",
    "character": "characters", "categories": "category", "spoiler": "spoilers", "words": "word count",
    "标题": "title", "標題": "title", "题目": "title", "タイトル": "title", "作者": "author", "著者": "author",
}


def field_key(label: str) -> str:
    """"Rated" and "Rating", "Genres" and "Genre", "作者" and "Author": one key each."""
    key = " ".join(label.lower().split())
    return _KEYS.get(key, key)


@dataclass(frozen=True)
class Usenet:
    author: str
    title: str
    names: tuple[str, ...]  # the header names, for `inspect`


def _author(value: str) -> str:
    for pattern in (_NAME_ADDR, _ADDR_NAME):
        if m := pattern.match(value):
            return m.group("name").strip()
    return ""


def clean_subject(subject: str) -> str:
    for pattern in _SUBJECT_NOISE:
        subject = pattern.sub("", subject)
    return subject.strip(" :-–—")


def usenet(lines: tuple[str, ...] | list[str]) -> Usenet | None:
    """The header block if these lines are one: every line a header (or a folded continuation),
    at least two headers, and at least one only transport software or a mailer writes."""
    fields: dict[str, str] = {}
    names: list[str] = []
    for line in lines:
        if line[:1] in " \t" and names:
            continue  # RFC 5322 folding: a continuation of the previous header
        m = _HEADER_LINE.match(line.rstrip())
        if m is None:
            return None
        name = m.group("name").lower()
        names.append(m.group("name"))
        fields.setdefault(name, m.group("value").strip())
    if len(names) < 2 or not (set(fields) & _TRANSPORT or {"from", "subject"} <= set(fields)):
        return None
    if not set(fields) <= _TRANSPORT | _MAIL and not set(fields) & _TRANSPORT:
        return None
    return Usenet(_author(fields.get("from", "")), clean_subject(fields.get("subject", "")), tuple(names))
