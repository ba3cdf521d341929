"""Recogniser: what is true of the whole file before any block is read — its paragraph spacing,
its usual indent, whether its prose is in capitals, bracketed placeholders, lettered sequences,
and what the file states outright (`Given`)."""

from __future__ import annotations

import re
from collections import Counter

from ..stream import HEADING, PARA, Candidate, Document, caps_share
from . import evidence as ev
from .table import Context


def facts(ctx: Context) -> None:
    stream = ctx.stream
    gaps = Counter(c.gap for k, c in enumerate(stream) if k and c.kind == PARA and ctx.stream[k - 1].kind == PARA)
    ctx.facts["gap"] = gaps.most_common(1)[0][0] if gaps else 1
    long_paras = [c for c in stream if c.kind == PARA and c.words >= 15]
    ctx.facts["caps_prose"] = bool(long_paras) and sum(caps_share(c.text) > 0.8 for c in long_paras) * 2 > len(long_paras)
    ctx.facts["sequence"] = _sequences(stream)
    ctx.facts["brackets"] = _bracket_groups(stream)
    ctx.facts["syntax_headings"] = any(c.kind == HEADING and c.text for c in stream)
    ctx.facts["set_apart"] = [
        k for k, c in enumerate(stream)
        if c.kind == PARA and len(c.line_texts) == 1 and c.words <= 12 and (c.style == "bold" or c.centred)
        and not ev.ends_sentence(c.text) and not ev.is_dialogue(c.text) and not ev.is_chapter_like(c.text)
        and not (ctx.title and _words(c.text) <= _words(ctx.title))  # the title shown again
    ]
    ctx.facts["caps_run"] = _caps_run(stream)
    indents = Counter(c.indent for c in stream if c.kind == PARA and c.raw and c.words >= 8)
    ctx.facts["indent"] = indents.most_common(1)[0][0] if indents else 0
    name = doc_name(ctx.doc)
    ctx.facts["chapter_file"] = bool(re.search(r"(?:^|[^a-z])(?:ch|chap|chapter|kapitel|capitulo|chapitre|glava)[-_ .]?\d+", name, re.I))


def _caps_run(stream: list[Candidate]) -> set[int]:
    """Short lines in capitals that recur in one shape — the same indent, the same kind of block
    right under them — three times or more: a collection's titles (its headings), the first one
    included, however few blank lines the file puts around them."""
    shapes: dict[tuple[int, str, int], list[int]] = {}
    for k, c in enumerate(stream):
        rows = c.raw or c.line_texts
        if (c.kind != PARA or len(rows) != 1 or not 2 <= c.words <= 12 or caps_share(c.text) < 0.85
                or not re.search(r"[^\W\d_]{2}", c.text) or ev.ends_sentence(c.text) or ev.END_MARK.match(c.text)):
            continue
        nxt = stream[k + 1] if k + 1 < len(stream) else None
        if nxt is None:
            continue
        shapes.setdefault((c.indent, nxt.kind, min(nxt.gap, 2)), []).append(k)
    found = sorted((ks for ks in shapes.values() if len(ks) >= 3), key=len, reverse=True)
    return set(found[0]) if found else set()


def _words(text: str) -> set[str]:
    return set(re.findall(r"\w+", text.casefold()))


def _bracket_groups(stream: list[Candidate]) -> set[int]:
    """Transcribers' placeholders ("[Illustration: …]"), and bracketed passages that run over
    several blocks ("[Illustration:" … "Vol. One Front End]"): never headings, verse or breaks."""
    inside: set[int] = set()
    k = 0
    while k < len(stream):
        c = stream[k]
        text = c.text if c.kind == PARA else ""
        if text.startswith("[") and "]" not in text:
            j = k + 1
            while j < min(len(stream), k + 12) and not (stream[j].kind == PARA and stream[j].text.rstrip().endswith("]")):
                j += 1
            if j < len(stream) and j < k + 12:
                inside.update(range(k, j + 1))
                k = j + 1
                continue
        if text and ev.PLACEHOLDER.match(text):
            inside.add(k)
        k += 1
    return inside


def doc_name(doc: Document) -> str:
    return doc.path.name


def _sequences(stream: list[Candidate]) -> set[str]:
    """Lettered or numbered titles whose marks run in sequence (A then B, 1 then 2): only those
    are headings ("A. First Choices"), not a stray "I. said so" in the text."""
    found: list[tuple[int, str, str]] = []
    for k, c in enumerate(stream):
        rows = c.raw or c.line_texts
        if c.kind == PARA and len(rows) == 1 and (m := ev.LETTERED.match(c.text)) and not ev.ends_sentence(m.group("title")):
            found.append((k, m.group("mark"), c.text.strip()))
    keep: set[str] = set()
    for (_, a, ta), (_, b, tb) in zip(found, found[1:]):
        if _follows(a, b):
            keep.update((ta, tb))
    return keep


def _follows(a: str, b: str) -> bool:
    if a.isdigit() and b.isdigit():
        return int(b) == int(a) + 1
    if a.isalpha() and b.isalpha():
        return ord(b) - ord(a) in (1, 2)  # one letter may be glued to a paragraph, out of sight
    return (a.isalpha() and b == "1") or (a.isdigit() and b.isalpha() and b <= "C")


def given(ctx: Context) -> None:
    g = ctx.doc.given
    if g.title:
        ctx.title, ctx.title_rule = g.title, "stated"
    ctx.authors += list(g.authors)
    ctx.fields += list(g.fields)
