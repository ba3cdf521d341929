"""Parse stage: numbered notes — `[1]` with `[Footnote 1: …]`, `[a]` comments, Markdown `[^id]`.

A note definition is taken out of the text and becomes an `EndNote`; every marker in the text that
names it becomes a `NoteRef`, and the note lists each of them, so the two link both ways (like the
glossary notes of transforms/notes.py). Ids are local here ("note-1"); `anchors.qualify` prefixes
the story's slug once it is known.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass

from ..model import AuthorNote, Block, BlockQuote, EndNote, Heading, Inline, NoteRef, Paragraph, Text, plain_text
from .inlines import drop_prefix, split_markers

# Project Gutenberg: "[Footnote 3: My surprise at this coincidence …]" as a paragraph of its own.
PG_FOOTNOTE = re.compile(r"^\s*\[(?P<label>Footnote|Note)\s+(?P<key>[0-9]{1,3}|[a-z]|[*†‡])\s*:\s*(?P<body>.*)\]\s*$", re.S | re.I)
PG_OPEN = re.compile(r"^\s*\[(?:Footnote|Note)\s+(?:[0-9]{1,3}|[a-z]|[*†‡])\s*:", re.I)
# Comment exports ("[a]body [b]body" at the end of a Google-Docs text): each "[x]" starts a note.
# A closing list of notes, one to a paragraph: "[1] …", "[*] the translator's note …" (a word
# processor's endnotes saved as text or HTML).
LIST_ITEM = re.compile(r"^\s*\[(?P<key>[0-9]{1,3}|[a-z]{1,2}|\*)\]\s*(?=\S)")
COMMENT_START = re.compile(r"(?:^|(?<=\s))\[(?P<key>[a-z]{1,2}|[0-9]{1,3})\](?=\S)")


@dataclass(frozen=True)
class NoteDef:
    key: str  # as the author wrote it: "1", "a", "210917-2"
    body: tuple[Inline, ...]
    line: int = 0


def _safe(key: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", key).strip("-") or "x"


def _shown(key: str, n: int) -> str:
    # Short keys ("1", "a") are shown as written; long Markdown ids ("210917-2") by their number.
    return key if len(key) <= 3 else str(n)


def _link_blocks(blocks: tuple[Block, ...], marker: re.Pattern[str], defs: dict[str, NoteDef], refs: dict[str, list[str]]) -> tuple[Block, ...]:
    numbers = {key: n for n, key in enumerate(defs, start=1)}

    def make(m: re.Match[str]) -> Inline | None:
        key = m.group("key")
        if key not in defs:
            return None
        ids = refs.setdefault(key, [])
        ref_id = f"ref-{_safe(key)}" + (f"-{len(ids) + 1}" if ids else "")
        ids.append(ref_id)
        # Shown in brackets, as the source wrote it: a bare "4" would read as part of the word before.
        return NoteRef(f"note-{_safe(key)}", ref_id, (Text(f"[{_shown(key, numbers[key])}]"),))

    out: list[Block] = []
    for block in blocks:
        if isinstance(block, (Paragraph, Heading)):
            block = dataclasses.replace(block, children=split_markers(block.children, marker, make))
        elif isinstance(block, (BlockQuote, AuthorNote)):
            block = dataclasses.replace(block, blocks=_link_blocks(block.blocks, marker, defs, refs))
        out.append(block)
    return tuple(out)


def attach(blocks: tuple[Block, ...], defs: list[NoteDef], marker: re.Pattern[str]) -> tuple[tuple[Block, ...], tuple[EndNote, ...]]:
    """Link the markers (a pattern with a `key` group) to the definitions; notes in definition order."""
    if not defs:
        return blocks, ()
    by_key = {d.key: d for d in defs}
    refs: dict[str, list[str]] = {}
    blocks = _link_blocks(blocks, marker, by_key, refs)
    notes = tuple(
        EndNote(f"note-{_safe(d.key)}", (Text(_shown(d.key, n)),), d.body, tuple(refs.get(d.key, ())), marked=True)
        for n, d in enumerate(by_key.values(), start=1)
    )
    return blocks, notes


def plain_footnotes(blocks: tuple[Block, ...], consumed: list[str]) -> tuple[tuple[Block, ...], tuple[EndNote, ...]]:
    """Numbered notes in plain text: `[Footnote N: …]` paragraphs, or a closing run of `[a]…` comments,
    linked from `[N]` / `[a]` markers in the text."""
    defs: list[NoteDef] = []
    kept: list[Block] = []
    i = 0
    while i < len(blocks):
        block = blocks[i]
        text = plain_text(block.children) if isinstance(block, Paragraph) else ""
        # A long note runs over several paragraphs until its closing bracket (Gutenberg's footnote 13).
        j = i
        while PG_OPEN.match(text) and not text.rstrip().endswith("]") and j + 1 < min(len(blocks), i + 8):
            nxt = blocks[j + 1]
            if not isinstance(nxt, Paragraph):
                break
            text, j = text + " " + plain_text(nxt.children), j + 1
        if m := PG_FOOTNOTE.match(text):
            consumed.append(f"[{m.group('label')}")
            defs.append(NoteDef(m.group("key"), (Text(m.group("body").strip()),), block.line))
            i = j + 1
        else:
            kept.append(block)
            i += 1
    # Comments exported at the very end: "[a]…[b]…" (several may share one paragraph).
    while kept and isinstance(kept[-1], Paragraph) and COMMENT_START.match(plain_text(kept[-1].children)):
        last = kept.pop()
        assert isinstance(last, Paragraph)
        text = plain_text(last.children)
        starts = list(COMMENT_START.finditer(text))
        found = [
            NoteDef(m.group("key"), (Text(text[m.end() : nxt.start() if nxt else len(text)].strip()),), last.line)
            for m, nxt in zip(starts, starts[1:] + [None])
        ]
        defs = found + defs
    listed: list[NoteDef] = []
    while kept and isinstance(kept[-1], Paragraph) and (m := LIST_ITEM.match(plain_text(kept[-1].children))):
        last = kept.pop()
        assert isinstance(last, Paragraph)
        listed.insert(0, NoteDef(m.group("key"), drop_prefix(last.children, m.end()), last.line))
    told = " ".join(plain_text(b.children) for b in kept if isinstance(b, (Paragraph, Heading)))
    if len(listed) >= 2 and sum(f"[{d.key}]" in told for d in listed) * 2 >= len(listed):
        consumed += [f"[{d.key}]" for d in listed]
        defs = defs + listed
    else:
        kept += [Paragraph((Text(f"[{d.key}] "),) + d.body, d.line) for d in listed]
    if not defs:
        return blocks, ()
    keys = "|".join(re.escape(d.key) for d in defs)
    return attach(tuple(kept), defs, re.compile(rf"\[(?P<key>{keys})\]"))
