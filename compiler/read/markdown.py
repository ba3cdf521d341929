"""Parse stage, Markdown (CommonMark, via markdown-it-py): to the common stream of candidates.

A real parser, never passthrough: paragraphs, `#` headings (with their level), `>` quotations,
rules, fenced and drawn code blocks become candidates (stream.py) for the recogniser; emphasis and
strong stay inline markup; raw HTML blocks are read as HTML. YAML front matter is what the file
states outright (title, author, summary, notes, rating…); every line of it is consumed. Footnotes
(`[^id]` with `[^id]: …` definitions and their indented continuations) become end-notes linked
both ways. Link targets and markup are left out of the text (and listed as consumed); link text stays.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.token import Token

from ..diagnostics import Diagnostic, diagnostic, info
from ..model import EndNote, Field, Inline, NoteRef, Paragraph, Strong, Emphasis, Text
from ..scripts import columns
from .art import dedent, is_preformatted
from .headers import field_key
from .inlines import squash_space
from .layout import LONG_LINE, one_per_line
from .separators import is_separator
from .stream import HEADING, PARA, PRE, QUOTE, RULE, Candidate, Document, Given, settle, whole_style

_FRONT = re.compile(r"\A---[ \t]*\n(?P<yaml>.*?)\n(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.S)
# "[^1]: body"; also "[^1] : body", as French typing puts a space before the colon.
_FOOTDEF = re.compile(r"^\[\^(?P<key>[^\]\s]+)\][ \u00a0\u202f]?:[ \t]?(?P<body>.*)$")
_FOOTREF = re.compile(r"\[\^(?P<key>[^\]\s]+)\]")
_REFUSE = re.compile(r"(?<=\])\[[^\]^][^\]]*\]")
_REFDEF = re.compile(r"^ {0,3}\[[^\]^][^\]]*\]:\s*\S+.*$")
_SENTENCE_END = re.compile(r"[.!?…:;\"'”’)*_—-]\s*$")
_BYLINE_VALUE = re.compile(r"^\s*by\s+(?P<name>.+)$", re.I)
# Front-matter keys that are header fields a book shows with the summary.
_FIELDS = {"rating", "rated", "pairing", "pairings", "warnings", "warning", "fandom", "fandoms", "characters", "genre", "genres", "category"}


def _html_blocks(value: str, consumed: list[str]) -> tuple[tuple[Inline, ...], ...]:
    """A front-matter value that may hold HTML ("<b><a …>kivrin</a></b>"): its paragraphs' inlines."""
    from .html import fragment_stream

    return tuple(c.inlines for c in fragment_stream(value, consumed) if c.inlines)


class _Aliased(Exception):
    """Front matter that uses YAML aliases (`&a`, `*a`)."""


def _load_yaml(text: str) -> Any:
    """YAML without aliases: nested aliases expand exponentially (420 bytes of them took 17 GB),
    and front matter has no use for them. SafeLoader otherwise."""
    import yaml  # PyYAML: front matter is YAML, and hand-parsing YAML goes wrong on quoting

    class NoAliases(yaml.SafeLoader):
        def compose_node(self, parent: Any, index: Any) -> Any:
            if self.check_event(yaml.AliasEvent):
                raise _Aliased()
            return super().compose_node(parent, index)

    return yaml.load(text, Loader=NoAliases)  # noqa: S506 - a SafeLoader, less aliases


def _front_matter(text: str, given: dict[str, Any], consumed: list[str], found: list[Diagnostic] | None = None, path: Path | None = None) -> str:
    """Read YAML front matter into `given` and blank it out (line numbers still match the file)."""
    m = _FRONT.match(text)
    if m is None:
        return text
    import yaml

    try:
        data = _load_yaml(m.group("yaml")) or {}
    except _Aliased:
        if found is not None:
            found.append(diagnostic("A006", path, 1))
        return text  # kept as text: every word of it reaches the book
    except yaml.YAMLError:
        return text  # not front matter after all: leave it as text
    if not isinstance(data, dict):
        return text
    title = data.get("title")
    author = data.get("author") or data.get("authors")
    subtitle = str(data.get("subtitle") or "")
    if isinstance(title, str) and title.strip():
        given["title"] = title.strip()
    if isinstance(author, str) and author.strip():
        given["authors"] = (author.strip(),)
    elif isinstance(author, list):
        given["authors"] = tuple(str(a) for a in author)
    elif (by := _BYLINE_VALUE.match(subtitle)) is not None:
        given["authors"] = tuple(a.strip() for a in re.split(r"(?<!\s)\s+and\s+|(?<!\s)\s*&\s*|,\s*", by.group("name")) if a.strip())
    line = text[: m.start("yaml")].count("\n") + 1
    if isinstance(data.get("summary"), str) and data["summary"].strip():
        given["summary"] = tuple(Paragraph(inl, line) for inl in _html_blocks(data["summary"], consumed))
    if isinstance(data.get("notes"), str) and data["notes"].strip():
        given["notes_before"] = (tuple(Paragraph(inl, line) for inl in _html_blocks(data["notes"], consumed)),)
    fields = [
        Field(field_key(k), str(k).capitalize(), (Text(str(v)),), line)
        for k, v in data.items()
        if str(k).lower() in _FIELDS and isinstance(v, (str, int)) and str(v).strip()
    ]
    if fields:
        given["fields"] = tuple(fields)
    # Every line of it is metadata, not story: consumed (what the book shows reappears as such).
    consumed.extend(line for line in m.group(0).split("\n") if line.strip())
    return "\n" * m.group(0).count("\n") + text[m.end() :]


def _footnotes(text: str, consumed: list[str]) -> tuple[str, dict[str, tuple[str, int]]]:
    """Take `[^id]: …` definitions (and their indented continuations) out of the text."""
    # "[text][LABEL]": the label names a link target, it is not text.
    consumed.extend(ref.group(0) for ref in _REFUSE.finditer(text))
    lines = text.split("\n")
    defs: dict[str, tuple[str, int]] = {}
    i = 0
    while i < len(lines):
        m = _FOOTDEF.match(lines[i])
        if m is None:
            if _REFDEF.match(lines[i]):
                consumed.append(lines[i].strip())  # a reference link's target: markup
            i += 1
            continue
        start, body = i, [m.group("body")]
        consumed.append(f"[^{m.group('key')}]")
        lines[i] = ""
        i += 1
        while i < len(lines):
            # A note runs on over indented lines, lines right under it, and blank lines followed by
            # more indented lines: a note of several paragraphs, or holding code, stays whole.
            indented = lines[i].startswith(("    ", "\t"))
            more = not lines[i].strip() and i + 1 < len(lines) and lines[i + 1].startswith(("    ", "\t"))
            if _FOOTDEF.match(lines[i]) or not (indented or more or (lines[i].strip() and body[-1].strip())):
                break
            body.append(lines[i].strip())
            lines[i] = ""
            i += 1
        defs[m.group("key")] = ("\n".join(body), start + 1)
    return "\n".join(lines), defs


class _Inlines:
    """markdown-it inline tokens to model inlines; footnote markers to `NoteRef`s."""

    def __init__(self, consumed: list[str], defs: dict[str, tuple[str, int]]) -> None:
        self.consumed = consumed
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
            self.consumed.append(m.group(0))
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
            elif kind == "softbreak":
                stack[-1][1].append(Text("\n"))  # a source line break: re-flowed unless the lines are verse
            elif kind == "hardbreak":
                stack[-1][1].append(Text("\n\n"))  # the author's own line break
            elif kind == "code_inline":
                stack[-1][1].append(Text(t.content))
            elif kind in ("em_open", "strong_open", "link_open", "s_open"):
                stack.append((kind, []))
                if kind == "link_open":
                    self.consumed.append(str(t.attrs.get("href", "")))
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
                self.consumed.append(str(t.attrs.get("src", "")))
            elif kind == "html_inline":
                self.consumed.append(t.content)  # a tag: markup, not text
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
            notes.append(EndNote(f"note-{safe}", label, squash_space(self.convert(tokens)), tuple(self.refs.get(key, ())), marked=True))
        return tuple(notes)


def _lines_as_paragraphs(source: str, children: tuple[Inline, ...], per_line_file: bool = False) -> list[tuple[int, tuple[Inline, ...]]]:
    """A Markdown paragraph written one paragraph per line (no blank lines between them) is many
    paragraphs: cut at the soft breaks after lines that end a sentence, as in plain text (layout.py).
    Whether the file is written so is a fact about the whole file (`per_line_file`)."""
    lines = source.split("\n")
    if len(lines) < 2 or (not per_line_file and sum(columns(line) > LONG_LINE for line in lines) * 3 < len(lines)):
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
        if isinstance(node, Text) and node.text in ("\n", "\n\n"):
            lines.append([])
        else:
            lines[-1].append(node)
    return tuple(squash_space(tuple(line)) for line in lines if line)


def _setext_rule(opening: Token, inline: Token) -> bool:
    """A line of text over a dashed line: CommonMark's setext heading, but in a story a paragraph
    and a scene break when the text runs over lines, is long, or is a sentence."""
    text = inline.content.strip()
    sentence = bool(re.search(r"[.!?…,;]['\"’”)*_]*$", text)) or text[:1] in "\"“'‘"
    return opening.markup in ("-", "=") and ("\n" in text or len(text.split()) > 12 or sentence)


def _para(children: tuple[Inline, ...], source: str, line: int, gap: int, raw_lines: list[str]) -> Candidate:
    lines = _split_lines(children)
    explicit = any(isinstance(n, Text) and n.text == "\n\n" for n in children)  # a hard break
    inl = squash_space(tuple(Text("\n") if isinstance(n, Text) and n.text == "\n\n" else n for n in children))
    return Candidate(
        PARA, inl, line=line, gap=gap, lines=lines if len(lines) > 1 else (), explicit=explicit,
        raw=tuple(raw_lines), numbers=tuple(range(line, line + len(raw_lines))), style=whole_style(inl),
    )


class _Walk:
    """markdown-it's block tokens to candidates; a quotation's content to model blocks."""

    def __init__(self, inl: _Inlines, consumed: list[str], source: list[str]) -> None:
        self.inl = inl
        self.consumed = consumed
        self.source = source
        self.last_end = 0  # the source line after the last block, to count blank lines
        self.per_line = one_per_line([b.split("\n") for b in "\n".join(source).split("\n\n")])

    def gap(self, start: int) -> int:
        lines = self.source[self.last_end : start]
        return sum(1 for line in lines if not line.strip())

    def run(self, tokens: list[Token]) -> list[Candidate]:
        stack: list[list[Candidate]] = [[]]
        pending: Token | None = None
        marker = ""
        for i, t in enumerate(tokens):
            line = t.map[0] + 1 if t.map else 0
            if t.map and len(stack) == 1 and t.type not in ("inline",) and t.nesting >= 0:
                gap = self.gap(t.map[0])
            else:
                gap = 0
            if t.type in ("paragraph_open", "heading_open"):
                pending = t
                pending_gap = gap
                if t.map and len(stack) == 1:
                    self.last_end = t.map[1]
                continue
            if t.type == "inline":
                children = self.inl.convert(t.children or [])
                opening = tokens[i - 1].map if i else None
                where = opening[0] + 1 if opening else 0
                raw = t.content.split("\n")
                setext = pending is not None and pending.type == "heading_open" and _setext_rule(pending, t)
                if setext or (pending is not None and pending.type == "paragraph_open" and children):
                    # A hard-wrapped paragraph followed by "-----": CommonMark reads a setext heading,
                    # but in a story it is a paragraph and then a scene-break rule.
                    if marker:
                        children, marker = (Text(marker),) + children, ""
                    groups = _lines_as_paragraphs(t.content, children, self.per_line)
                    for k, (n, group) in enumerate(groups):
                        upto = groups[k + 1][0] if k + 1 < len(groups) else len(raw)
                        stack[-1].append(_para(group, t.content, where + n, pending_gap if k == 0 else 0, raw[n:upto]))
                    if setext:
                        assert pending is not None
                        stack[-1].append(Candidate(RULE, (Text(pending.markup * 3),), line=where + len(raw)))
                elif pending is not None and pending.type == "heading_open":
                    inl = squash_space(children)
                    stack[-1].append(Candidate(HEADING, inl, line=where, gap=pending_gap, level=int(pending.tag[1]), style=whole_style(inl)))
                pending = None
            elif t.type == "blockquote_open":
                stack.append([])
                if t.map and len(stack) == 2:
                    self.quote_gap, self.quote_line = gap, line
                    self.last_end = t.map[1]
            elif t.type == "blockquote_close" and len(stack) > 1:
                inner = stack.pop()
                from .stream import as_block

                blocks = tuple(as_block(c) for c in inner)
                stack[-1].append(Candidate(QUOTE, blocks=blocks, line=self.quote_line if len(stack) == 1 else line, gap=self.quote_gap if len(stack) == 1 else 0))
            elif t.type == "hr":
                stack[-1].append(Candidate(RULE, (Text(t.markup),), line=line, gap=gap))
                self._advance(t, stack)
            elif t.type == "list_item_open" and i + 1 < len(tokens) and tokens[i + 1].type == "list_item_close":
                stack[-1].append(Candidate(RULE, (Text(t.markup),), line=line, gap=gap))  # a lone "*" or "-": an empty list item to CommonMark
                self._advance(t, stack)
            elif t.type == "list_item_open" and t.info:
                marker = f"{t.info}{t.markup} "  # "1) ": an ordered item keeps its number, as written
            elif t.type == "fence" or (t.type == "code_block" and is_preformatted(t.content.split("\n"))):
                # A fence is the author saying "keep these lines as they are"; an indented block only
                # when it looks drawn, since stories indent paragraphs by accident (art.py).
                stack[-1].append(Candidate(PRE, raw=dedent(t.content.rstrip("\n").split("\n")), line=line, gap=gap))
                self._advance(t, stack)
            elif t.type == "code_block":
                raw = t.content.rstrip("\n").split("\n")
                stack[-1].append(_para((Text(t.content.rstrip("\n")),), t.content, line, gap, raw))
                self._advance(t, stack)
            elif t.type == "html_block":
                # Raw HTML in Markdown is read as HTML: its tags are markup, its text is story.
                from .html import fragment_stream

                inner = fragment_stream(t.content, self.consumed, line)
                if inner:
                    inner[0] = dataclasses.replace(inner[0], gap=inner[0].gap + gap)
                stack[-1] += inner
                self._advance(t, stack)
        while len(stack) > 1:
            inner = stack.pop()
            stack[-1].extend(inner)
        return stack[0]

    def _advance(self, t: Token, stack: list[list[Candidate]]) -> None:
        if t.map and len(stack) == 1:
            self.last_end = t.map[1]


_LIST_MARK = re.compile(r"^(\s{0,3})([*+-](?=\s)|~(?=~~))")


def _drawn_rows(text: str) -> str:
    """A drawn row CommonMark would take for a list or a code fence ("* * *." with a full stop after
    it is a bullet holding a bullet; "~~~~." opens a fence) is a separator to the reader: its first
    mark is escaped so it stays one line."""
    lines = text.split("\n")
    for k, line in enumerate(lines):
        if _LIST_MARK.match(line) and is_separator(line) and line.rstrip().endswith("."):
            lines[k] = _LIST_MARK.sub(r"\1\\\2", line, count=1)
    return "\n".join(lines)


def read_markdown(text: str, path: Path) -> Document:
    given: dict[str, Any] = {}
    consumed: list[str] = []
    refused: list[Diagnostic] = []
    text = _front_matter(text, given, consumed, refused, path)
    text, defs = _footnotes(text, consumed)
    text = _drawn_rows(text)
    # CommonMark's preset stops at 20 levels and drops what is deeper (a list 10 deep is 20 levels):
    # 64 keeps any nesting a story holds, well within Python's recursion in the parser.
    md = MarkdownIt("commonmark", {"maxNesting": 64})
    env: dict[str, Any] = {}
    tokens = md.parse(text, env)
    inl = _Inlines(consumed, defs)
    stream = settle(_Walk(inl, consumed, text.split("\n")).run(tokens))
    doc = Document(path, "markdown", stream, given=Given(**given), consumed=consumed, endnotes=inl.endnotes(md, env))
    doc.diagnostics += refused
    for key in (k for k in defs if not inl.refs.get(k)):
        doc.diagnostics.append(info("A130", f"footnote [^{key}] is never referred to in the text", path, defs[key][1]))
    return doc
