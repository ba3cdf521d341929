"""Parse stage: Markdown (CommonMark, via markdown-it-py) to a `Story`.

A real parser, never passthrough: the token stream is mapped onto the model — emphasis and strong,
headings as sections, `>` quotes as `BlockQuote`, rules as scene breaks. YAML front matter gives the
title and author; its other keys are metadata and are consumed. Footnotes (`[^id]` with `[^id]: …`
definitions, indented continuation lines) become end-notes linked both ways. Link targets and
markup are left out of the text (and listed as consumed); link text stays.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.token import Token

from ..diagnostics import info
from ..model import (
    Block,
    BlockQuote,
    Emphasis,
    EndNote,
    Heading,
    Inline,
    NoteRef,
    Paragraph,
    Preformatted,
    SceneBreak,
    Source,
    Strong,
    Text,
    Verse,
)
from ..scripts import columns
from .art import dedent, is_preformatted
from .blockstory import Found, story_from_blocks
from .inlines import squash_space
from .layout import LONG_LINE, is_verse
from .plaintext import ReadResult

_FRONT = re.compile(r"\A---[ \t]*\n(?P<yaml>.*?)\n(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.S)
_FOOTDEF = re.compile(r"^\[\^(?P<key>[^\]\s]+)\]:[ \t]?(?P<body>.*)$")
_FOOTREF = re.compile(r"\[\^(?P<key>[^\]\s]+)\]")
_REFUSE = re.compile(r"(?<=\])\[[^\]^][^\]]*\]")
_REFDEF = re.compile(r"^ {0,3}\[[^\]^][^\]]*\]:\s*\S+.*$")
_SENTENCE_END = re.compile(r"[.!?…:;\"'”’)*_—-]\s*$")
_BYLINE_VALUE = re.compile(r"^\s*by\s+(?P<name>.+)$", re.I)


def _front_matter(text: str, found: Found) -> str:
    """Strip YAML front matter (kept as blank lines, so line numbers still match the file)."""
    m = _FRONT.match(text)
    if m is None:
        return text
    import yaml  # PyYAML: front matter is YAML, and hand-parsing YAML goes wrong on quoting

    try:
        data = yaml.safe_load(m.group("yaml")) or {}
    except yaml.YAMLError:
        return text  # not front matter after all: leave it as text
    if not isinstance(data, dict):
        return text
    title = data.get("title")
    author = data.get("author") or data.get("authors")
    subtitle = str(data.get("subtitle") or "")
    if isinstance(title, str) and title.strip():
        found.title = title.strip()
    if isinstance(author, str) and author.strip():
        found.authors = (author.strip(),)
    elif isinstance(author, list):
        found.authors = tuple(str(a) for a in author)
    elif (by := _BYLINE_VALUE.match(subtitle)) is not None:
        found.authors = tuple(a.strip() for a in re.split(r"\s+and\s+|\s*&\s*|,\s*", by.group("name")) if a.strip())
    # Every line of it is metadata, not story: consumed (the title and author reappear as such).
    found.consumed.extend(line for line in m.group(0).split("\n") if line.strip())
    return "\n" * m.group(0).count("\n") + text[m.end() :]


def _footnotes(text: str, found: Found) -> tuple[str, dict[str, tuple[str, int]]]:
    """Take `[^id]: …` definitions (and their indented continuations) out of the text."""
    # "[text][LABEL]": the label names a link target, it is not text.
    found.consumed.extend(ref.group(0) for ref in _REFUSE.finditer(text))
    lines = text.split("\n")
    defs: dict[str, tuple[str, int]] = {}
    i = 0
    while i < len(lines):
        m = _FOOTDEF.match(lines[i])
        if m is None:
            if _REFDEF.match(lines[i]):
                found.consumed.append(lines[i].strip())  # a reference link's target: markup
            i += 1
            continue
        start, body = i, [m.group("body")]
        found.consumed.append(f"[^{m.group('key')}]")
        lines[i] = ""
        i += 1
        while i < len(lines) and (lines[i].startswith(("    ", "\t")) or (lines[i].strip() and body[-1].strip())):
            if _FOOTDEF.match(lines[i]):
                break
            body.append(lines[i].strip())
            lines[i] = ""
            i += 1
        defs[m.group("key")] = ("\n".join(body), start + 1)
    return "\n".join(lines), defs


class _Inlines:
    """markdown-it inline tokens to model inlines; footnote markers to `NoteRef`s."""

    def __init__(self, found: Found, defs: dict[str, tuple[str, int]]) -> None:
        self.found = found
        self.defs = defs
        self.numbers = {key: n for n, key in enumerate(defs, start=1)}
        self.refs: dict[str, list[str]] = {}

    def _text(self, text: str) -> list[Inline]:
        out: list[Inline] = []
        pos = 0
        for m in _FOOTREF.finditer(text):
            key = m.group("key")
            if key not in self.defs:
                continue
            out += [Text(text[pos : m.start()])] if m.start() > pos else []
            ids = self.refs.setdefault(key, [])
            safe = re.sub(r"[^A-Za-z0-9]+", "-", key).strip("-")
            ids.append(f"ref-{safe}" + (f"-{len(ids) + 1}" if ids else ""))
            self.found.consumed.append(m.group(0))
            # "[4]", not "4": a bare number would read (and be extracted) as part of the word before.
            out.append(NoteRef(f"note-{safe}", ids[-1], (Text(f"[{self.numbers[key]}]"),)))
            pos = m.end()
        return out + ([Text(text[pos:])] if pos < len(text) else [])

    def convert(self, tokens: list[Token]) -> tuple[Inline, ...]:
        stack: list[tuple[str, list[Inline]]] = [("", [])]
        for t in tokens:
            kind = t.type
            if kind == "text":
                stack[-1][1].extend(self._text(t.content))
            elif kind in ("softbreak", "hardbreak"):
                stack[-1][1].append(Text("\n"))  # re-flowed later; kept for header recognition
            elif kind == "code_inline":
                stack[-1][1].append(Text(t.content))
            elif kind in ("em_open", "strong_open", "link_open", "s_open"):
                stack.append((kind, []))
                if kind == "link_open":
                    self.found.consumed.append(str(t.attrs.get("href", "")))
            elif kind in ("em_close", "strong_close", "link_close", "s_close") and len(stack) > 1:
                opened, children = stack.pop()
                node: Inline | None = None
                if opened == "em_open":
                    node = Emphasis(tuple(children))
                elif opened == "strong_open":
                    node = Strong(tuple(children))
                stack[-1][1].extend([node] if node else children)
            elif kind == "image":
                stack[-1][1].append(Text(t.content))
                self.found.consumed.append(str(t.attrs.get("src", "")))
            elif kind == "html_inline":
                self.found.consumed.append(t.content)  # a tag: markup, not text
        while len(stack) > 1:
            _, children = stack.pop()
            stack[-1][1].extend(children)
        return tuple(stack[0][1])

    def endnotes(self, md: MarkdownIt, env: dict[str, Any]) -> tuple[EndNote, ...]:
        notes = []
        for key, (body, _line) in self.defs.items():
            safe = re.sub(r"[^A-Za-z0-9]+", "-", key).strip("-")
            tokens = md.parseInline(body, env)[0].children or []
            label = (Text(str(self.numbers[key])),)
            notes.append(EndNote(f"note-{safe}", label, squash_space(self.convert(tokens)), tuple(self.refs.get(key, ()))))
        return tuple(notes)


def _lines_as_paragraphs(source: str, children: tuple[Inline, ...]) -> list[tuple[int, tuple[Inline, ...]]]:
    """A Markdown paragraph written one paragraph per line (no blank lines between them) is many
    paragraphs: cut at the soft breaks after lines that end a sentence, as in plain text (layout.py)."""
    lines = source.split("\n")
    if len(lines) < 2 or sum(columns(line) > LONG_LINE for line in lines) * 3 < len(lines):
        return [(0, children)]
    ends = [bool(_SENTENCE_END.search(line)) for line in lines]
    groups: list[tuple[int, tuple[Inline, ...]]] = []
    current: list[Inline] = []
    start = breaks = 0
    for node in children:
        if isinstance(node, Text) and node.text == "\n":
            breaks += 1
            if ends[breaks - 1]:
                groups.append((start, tuple(current)))
                current, start = [], breaks
                continue
        current.append(node)
    groups.append((start, tuple(current)))
    return [(n, g) for n, g in groups if g]


def _split_lines(children: tuple[Inline, ...]) -> tuple[tuple[Inline, ...], ...]:
    lines: list[list[Inline]] = [[]]
    for node in children:
        if isinstance(node, Text) and node.text == "\n":
            lines.append([])
        else:
            lines[-1].append(node)
    return tuple(tuple(line) for line in lines if line)


def _setext_rule(opening: Token, inline: Token) -> bool:
    return opening.markup in ("-", "=") and ("\n" in inline.content or len(inline.content.split()) > 12)


def _walk(tokens: list[Token], inl: _Inlines, found: Found) -> list[Block]:
    stack: list[list[Block]] = [[]]
    pending: Token | None = None
    marker = ""
    for i, t in enumerate(tokens):
        line = t.map[0] + 1 if t.map else 0
        if t.type in ("paragraph_open", "heading_open"):
            pending = t
            continue
        if t.type == "inline":
            children = inl.convert(t.children or [])
            where = tokens[i - 1].map[0] + 1 if i and tokens[i - 1].map else 0
            if pending is not None and pending.type == "heading_open" and _setext_rule(pending, t):
                # A hard-wrapped paragraph followed by "-----": CommonMark reads a setext heading,
                # but in a story it is a paragraph and then a scene-break rule.
                stack[-1] += [Paragraph(children, where), SceneBreak(where)]
            elif pending is not None and pending.type == "heading_open":
                stack[-1].append(Heading(children, "", where))
            elif children and is_verse(t.content.split("\n")):
                stack[-1].append(Verse(_split_lines(children), where))
            elif children:
                if marker:
                    children, marker = (Text(marker),) + children, ""
                stack[-1] += [Paragraph(group, where + n) for n, group in _lines_as_paragraphs(t.content, children)]
            pending = None
        elif t.type == "blockquote_open":
            stack.append([])
        elif t.type == "blockquote_close" and len(stack) > 1:
            inner = stack.pop()
            stack[-1].append(BlockQuote(tuple(inner), line))
        elif t.type == "hr":
            stack[-1].append(SceneBreak(line))
        elif t.type == "list_item_open" and i + 1 < len(tokens) and tokens[i + 1].type == "list_item_close":
            stack[-1].append(SceneBreak(line))  # a lone "*" or "-" line: an empty list item to CommonMark
        elif t.type == "list_item_open" and t.info:
            marker = f"{t.info}{t.markup} "  # "1) ": an ordered item keeps its number, as written
        elif t.type == "fence" or (t.type == "code_block" and is_preformatted(t.content.split("\n"))):
            # A fence is the author saying "keep these lines as they are"; an indented block only
            # when it looks drawn, since stories indent paragraphs by accident (art.py).
            stack[-1].append(Preformatted(dedent(t.content.rstrip("\n").split("\n")), line))
        elif t.type == "code_block":
            stack[-1].append(Paragraph((Text(t.content.rstrip("\n")),), line))
        elif t.type == "html_block":
            # Raw HTML in Markdown is read as HTML: its tags are markup, its text is story.
            from .html import fragment_blocks

            stack[-1] += fragment_blocks(t.content, found, line)
    while len(stack) > 1:
        inner = stack.pop()
        stack[-1].extend(inner)
    return stack[0]


def read_markdown(text: str, path: Path, source: Source) -> ReadResult:
    found = Found()
    text = _front_matter(text, found)
    text, defs = _footnotes(text, found)
    md = MarkdownIt("commonmark")
    env: dict[str, Any] = {}
    tokens = md.parse(text, env)
    inl = _Inlines(found, defs)
    blocks = _walk(tokens, inl, found)
    found.endnotes = inl.endnotes(md, env)
    unlinked = [key for key in defs if not inl.refs.get(key)]
    for key in unlinked:
        found.diagnostics.append(info("A130", f"footnote [^{key}] is never referred to in the text", path, defs[key][1]))
    return story_from_blocks(blocks, path, source, found)
