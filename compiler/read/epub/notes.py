"""Parse stage, EPUB: notes kept linked — a mention in the text and the note it points to.

A link is a note reference when the book says so (`epub:type="noteref"`, `role="doc-noteref"`), or
when its text is a marker ("1", "[2]", "*", "a") and what it points to is a note: marked as one
(`footnote`, `endnote`, `rearnote`, `doc-endnote`…, or inside a list or section of them), or a
block that links back to the mention (the way converters from word processors write endnotes).
The note's block leaves the text and becomes an `EndNote`; the mention becomes a `NoteRef`; the
marker and the back-link inside the note are left out (listed as consumed). A notes section that
is left empty (a "Notes" heading over its list) goes with its notes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Protocol

from lxml import etree

from ...model import EndNote, Inline, NoteRef, Text
from ..inlines import squash_space
from .container import member_path
from .join import Joined

_NOTE = {"footnote", "endnote", "rearnote", "note", "doc-footnote", "doc-endnote"}
_NOTES = {"footnotes", "endnotes", "rearnotes", "doc-endnotes", "doc-footnotes"}
_MARKER = re.compile(r"^[\[(]?\s*(?P<key>\d{1,4}|[a-zA-Z]{1,2}|[*†‡§¶#]{1,3}|[ivxlc]{1,6})\s*[\])]?\.?$")
_BLOCKS = {"p", "li", "div", "aside", "section", "dd", "dt", "blockquote", "td", "footer"}


def _kinds(el: etree._Element) -> set[str]:
    return set((el.get("data-epub-type") or "").split()) | set((el.get("role") or "").split())


def _text(el: etree._Element) -> str:
    return " ".join("".join(el.itertext()).split())


@dataclass
class Notes:
    refs: dict[etree._Element, tuple[str, str, str]] = field(default_factory=dict)  # <a> → (note id, ref id, marker)
    bodies: dict[str, etree._Element] = field(default_factory=dict)  # note id → its block
    containers: list[etree._Element] = field(default_factory=list)  # notes sections left empty
    consumed: list[str] = field(default_factory=list)


def _body_of(target: etree._Element) -> etree._Element:
    el: etree._Element | None = target
    while el is not None and el.tag not in _BLOCKS:
        el = el.getparent()
    return el if el is not None and el.tag != "body" else target


def _points_to(link: etree._Element, joined: Joined, ref: etree._Element) -> bool:
    href = link.get("href", "")
    if "#" not in href:
        return False
    target = joined.ids.get((member_path(joined.member_of.get(link, ""), href) or "", href.split("#", 1)[1]))
    return target is not None and (target is ref or target in ref.iterancestors())


def _links_back(body: etree._Element, joined: Joined, ref: etree._Element) -> bool:
    return any(_points_to(a, joined, ref) for a in body.iter("a"))


def find_notes(joined: Joined) -> Notes:
    notes = Notes()
    by_body: dict[etree._Element, str] = {}
    for a, member, href in joined.links:
        if "#" not in href:
            continue
        target_member = member_path(member, href)
        target = joined.ids.get((target_member or "", href.split("#", 1)[1]))
        if target is None or target is a or a in target.iter():
            continue
        if any(x in by_body for x in a.iterancestors()):
            continue  # a note's link back to its mention
        marker = _text(a)
        said = bool(_kinds(a) & {"noteref", "doc-noteref"})
        body = _body_of(target)
        if body in a.iterancestors():
            continue  # a link to the paragraph it stands in: a cross-reference, not a note
        marked = bool(_kinds(body) & _NOTE or _kinds(target) & _NOTE) or any(_kinds(x) & _NOTES for x in body.iterancestors())
        if not (said or _MARKER.match(marker) and (marked or _links_back(body, joined, a))):
            continue
        if body not in by_body:
            note_id = f"note-{len(by_body) + 1}"
            by_body[body] = note_id
            notes.bodies[note_id] = body
        note_id = by_body[body]
        ref_id = f"ref-{len(notes.refs) + 1}"
        notes.refs[a] = (note_id, ref_id, marker)
    for body in by_body:
        for holder in body.iterancestors():
            if _kinds(holder) & _NOTES and holder not in notes.containers:
                notes.containers.append(holder)
    return notes


class InlineReader(Protocol):
    """What endnotes() reads with: html.Reader, named by its shape."""

    skip: set[etree._Element]

    def inlines(self, el: etree._Element) -> list[Inline]: ...


def endnotes(notes: Notes, joined: Joined, reader: InlineReader) -> tuple[dict[etree._Element, NoteRef], tuple[EndNote, ...]]:
    """The NoteRefs that replace the mentions, and the notes with their text (their own marker and
    back-links left out, and listed in `notes.consumed`)."""
    refs: dict[etree._Element, NoteRef] = {}
    mentions: dict[str, list[etree._Element]] = {}
    markers: dict[str, str] = {}
    for a, (note_id, ref_id, marker) in notes.refs.items():
        m = _MARKER.match(marker)
        key = m.group("key") if m else marker
        shown = f"[{key}]" if m and marker == key else marker  # a bare number reads as part of the word before
        refs[a] = NoteRef(note_id, ref_id, (Text(shown),))
        mentions.setdefault(note_id, []).append(a)
        markers.setdefault(note_id, key)
    out = []
    for note_id, body in notes.bodies.items():
        for link in body.iter("a"):
            if any(_points_to(link, joined, a) for a in mentions[note_id]):
                reader.skip.add(link)
                notes.consumed.append(_text(link))
        inl = _without_marker(squash_space(tuple(reader.inlines(body))), markers[note_id], notes.consumed)
        out.append(EndNote(note_id, (Text(markers[note_id]),), inl, tuple(refs[a].ref_id for a in mentions[note_id]), marked=True))
    return refs, tuple(out)


def _without_marker(inl: tuple[Inline, ...], key: str, consumed: list[str]) -> tuple[Inline, ...]:
    """The note's text without its own number in front ("1. The ford…", "[1] The ford…")."""
    if not inl or not isinstance(inl[0], Text):
        return inl
    m = re.match(rf"^\s*[\[(]?{re.escape(key)}[\])]?[.:)]?\s+", inl[0].text)
    if m is None:
        return inl
    consumed.append(m.group(0).strip())
    return (Text(inl[0].text[m.end():]),) + inl[1:]
