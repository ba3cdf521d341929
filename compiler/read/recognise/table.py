"""Recogniser: the table of named rules, and what a reading of the stream is.

A `Rule` names a convention, the zone of the story it applies in, the role it gives, the evidence it
needs (said in words, for `inspect` and the docs) and how sure it is when that evidence is there.
Its test looks at one position of the stream and returns a `Claim` (how many candidates it covers,
how sure it is, and what it found) or None. Rules do not act: the passes (recognise/__init__.py)
collect every claim on a position, weigh them against the reading "this is story text", take the
strongest, and report the close calls.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ...diagnostics import Diagnostic, info
from ...model import Field
from ..stream import Candidate, Document

# Roles: what a candidate is in the story.
STORY = "story"
VERSE = "verse"
TITLE = "title"
TITLE_REPEAT = "title-repeat"  # the title shown again at the head of the text: kept as text, not a heading
BYLINE = "byline"
FIELD = "field"
SUMMARY = "summary"
DISCLAIMER = "disclaimer"
NOTE_BEFORE = "note-before"
NOTE_AFTER = "note-after"
SECTION_NOTE = "section-note"
SECTION_SUMMARY = "section-summary"
SECTION_END_NOTE = "section-end-note"
HEADING = "heading"
BREAK = "break"
FENCE = "fence"  # a drawn separator that sets off furniture: no scene break
BOILERPLATE = "boilerplate"  # a distributor's or site's words: left out, listed by inspect
FRONT_MATTER = "front-matter"  # a printed book's title page, imprint, contents: kept, apart from the story
DISTRIBUTOR = "distributor"  # Project Gutenberg's header and licence: kept as back matter
END_MARK = "end-mark"
SIGNOFF = "signoff"
GLOSSARY = "glossary"
SLUG = "slug"  # "[LONDON, 1888]", "Six months later:": a scene break that is also text
NOTE_LIST = "note-list"  # a closing list of numbered notes ("[1] …"), linked from markers in the text
LETTER = "letter"  # a letter or message inside the story: salutation, paragraphs, sign-off, name

HEAD, BODY, TAIL, ANY, FRAME = "head", "body", "tail", "any", "frame"  # FRAME: boilerplate, read first
PASS = "pass"  # a rule a pass applies itself (listed in the table for its name and evidence)


@dataclass(frozen=True)
class Claim:
    span: int  # how many candidates from the position
    confidence: float  # 0..1
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Rule:
    name: str
    zone: str
    role: str
    evidence: str
    test: Callable[[Context, int], Claim | None]


@dataclass(frozen=True)
class Label:
    role: str
    rule: str
    confidence: float
    group: int = 0  # candidates of one passage (a note of three paragraphs) share a group
    data: dict[str, Any] = field(default_factory=dict)


@dataclass
class Context:
    """The stream being read and what has been learnt so far."""

    doc: Document
    labels: list[Label | None]
    title: str = ""
    title_rule: str = ""
    authors: list[str] = field(default_factory=list)
    fields: list[Field] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    consumed: list[str] = field(default_factory=list)
    groups: int = 0
    facts: dict[str, Any] = field(default_factory=dict)  # file-wide measures (paragraph gap, drawn breaks…)

    @property
    def stream(self) -> list[Candidate]:
        return self.doc.stream

    def free(self, i: int) -> bool:
        return 0 <= i < len(self.stream) and self.labels[i] is None

    def role(self, i: int) -> str:
        label = self.labels[i] if 0 <= i < len(self.labels) else None
        return label.role if label else ""

    def rule_of(self, i: int) -> str:
        label = self.labels[i] if 0 <= i < len(self.labels) else None
        return label.rule if label else ""

    def group_of(self, i: int) -> int:
        label = self.labels[i] if 0 <= i < len(self.labels) else None
        return label.group if label else 0

    def data_of(self, i: int) -> dict[str, Any]:
        label = self.labels[i] if 0 <= i < len(self.labels) else None
        return label.data if label else {}

    def set(self, i: int, role: str, rule: str, confidence: float = 1.0, group: int = 0, **data: Any) -> None:
        self.labels[i] = Label(role, rule, confidence, group, data)

    def new_group(self) -> int:
        self.groups += 1
        return self.groups


_CLOSE = 0.15  # a losing claim this close to the story reading is reported

RULES: list[Rule] = []


def rule(name: str, zone: str, role: str, evidence: str) -> Callable[[Callable[[Context, int], Claim | None]], Rule]:
    """Register a rule in the table (the table is the list, in the order rules were written)."""

    def make(test: Callable[[Context, int], Claim | None]) -> Rule:
        r = Rule(name, zone, role, evidence, test)
        RULES.append(r)
        return r

    return make


def documented(name: str, zone: str, role: str, evidence: str) -> str:
    """A convention a pass applies itself (it spans several blocks, or needs the whole file), put
    in the table under its name and evidence like the others; returns the name."""
    RULES.append(Rule(name, PASS, role, f"[{zone}] {evidence}", lambda ctx, i: None))
    return name


def claims(ctx: Context, i: int, zone: str) -> list[tuple[Rule, Claim]]:
    """Every claim the rules of a zone make on position i, strongest first."""
    zones = (zone,) if zone == FRAME else (zone, ANY)
    found = [(r, c) for r in RULES if r.zone in zones and (c := r.test(ctx, i)) is not None]
    return sorted(found, key=lambda rc: -rc[1].confidence)


def close_calls(ctx: Context, i: int, found: list[tuple[Rule, Claim]], story: float) -> None:
    for r, cl in found:
        if cl.confidence >= story - _CLOSE and cl.confidence >= 0.4:
            c = ctx.stream[i]
            ctx.diagnostics.append(
                info("A160", f'"{short(c.text)}" is read as story text; it could be the {r.role.replace("-", " ")} '
                     f"({r.name}: {r.evidence}), but the evidence is weak", ctx.doc.path, c.line)
            )
            return


def short(text: str, n: int = 50) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"
