"""Parse stage: a folder of story files (plus the manifest) to `Story` values."""

from __future__ import annotations

import dataclasses
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from ..config import MANIFEST, Config, StoryOverride
from ..diagnostics import Diagnostic, ExitCode, fail, info
from ..diagnostics import warning
from ..model import Block, Paragraph, Source, Story, Text
from .anchors import qualify, slugify
from .decode import decode
from .emphasis import with_plain_emphasis
from .overrides import apply_overrides

STORY_SUFFIXES = (".txt", ".text", ".md", ".markdown", ".html", ".htm", ".xhtml")
# A file's format is its last suffix, or the one before a final ".txt" ("notes.md.txt"): people save
# Markdown and HTML as text files to open them anywhere, and keep the real type in the name.
_MARKDOWN = (".md", ".markdown")
_HTML = (".html", ".htm", ".xhtml")


@dataclass(frozen=True)
class ReadResult:
    story: Story
    consumed: tuple[str, ...]  # labels taken as structure ("A/N:"), left out of the text on purpose
    diagnostics: tuple[Diagnostic, ...]
    format: str = "text"  # as the labelled corpus names formats: text, markdown, html-fragment, ao3-download-html…
    boilerplate: tuple[tuple[str, int], ...] = ()  # (first words, line) of text that is neither story nor note


@dataclass(frozen=True)
class ReadStories:
    stories: tuple[Story, ...]
    consumed: dict[Path, tuple[str, ...]]  # per file: source text taken as structure, not content
    diagnostics: tuple[Diagnostic, ...]
    results: dict[Path, ReadResult] = dataclasses.field(default_factory=dict)  # per file, for inspect


def story_files(source: Path, config: Config) -> list[Path]:
    if not source.is_dir():
        raise fail(ExitCode.INPUT, "A010", "no such folder; give the folder that holds the stories", source)
    found = sorted(
        p for p in source.iterdir() if p.is_file() and p.suffix.lower() in STORY_SUFFIXES and p.name != MANIFEST
    )
    for path in sorted(source.iterdir()):
        # A story's name that leads nowhere (a link that loops, or to a file since removed) is a
        # story the user meant to include and that cannot be read: said, not skipped.
        if path.suffix.lower() in STORY_SUFFIXES and path.is_symlink() and not path.exists():
            raise fail(ExitCode.INPUT, "A012", "cannot read this file (a link that loops or leads nowhere); remove the link, or point it at the story", path)
    if config.order:
        listed = [source / name for name in config.order]
        found = listed + [p for p in found if p not in listed]
    root = source.resolve()
    for path in found:
        # A link out of the folder would pull a file the user did not put in the anthology.
        if not path.resolve().is_relative_to(root):
            raise fail(
                ExitCode.INPUT,
                "A013",
                f"this links outside the stories folder (to {path.resolve()}); copy the story in instead",
                path,
            )
    if not found:
        raise fail(
            ExitCode.INPUT,
            "A011",
            f"no stories here (looked for {', '.join(STORY_SUFFIXES)} files); add some or name another folder",
            source,
        )
    return found


def input_format(path: Path) -> str:
    suffixes = [s.lower() for s in path.suffixes]
    if len(suffixes) >= 2 and suffixes[-1] == ".txt":
        suffixes = suffixes[:-1]
    last = suffixes[-1] if suffixes else ""
    return "markdown" if last in _MARKDOWN else "html" if last in _HTML else "text"


def guess_title(body: tuple[Block, ...]) -> str:
    """Untitled works are known by their first line; use the first words of the first sentence."""
    for block in body:
        if isinstance(block, Paragraph):
            first = block.children[0] if block.children else Text("")
            text = first.text if isinstance(first, Text) else ""
            sentence = re.split(r"(?<=[.!?…])\s", text.strip(), maxsplit=1)[0]
            words = sentence.split()
            title = " ".join(words[:8]).strip("\"“”'‘’")
            title = title.rstrip(".,;:!?")
            return title + ("…" if len(words) > 8 else "")
    return "Untitled"


def recognised(path: Path, text: str, kind: str, source: Source) -> ReadResult:
    """A decoded file through its reader, the recogniser and assembly: the story as written."""
    from .assemble import _Builder
    from .recognise import recognise

    if kind == "markdown":
        from .markdown import read_markdown

        doc = read_markdown(text, path)
    elif kind == "html":
        from .html import read_html

        doc = read_html(text, path)
    else:
        from .text import read_text

        doc = read_text(text, path)
    ctx = recognise(doc)
    built = _Builder(ctx, source).build()
    story = built.story
    diagnostics = list(doc.diagnostics) + list(ctx.diagnostics)
    if not story.title:
        story = dataclasses.replace(story, title=guess_title(story.body), title_guessed=True)
        first = next((b.line for b in story.body if getattr(b, "line", 0)), 1)
        diagnostics.append(
            warning("A101", f'no title found; using its first words, "{story.title}". '
                    f'Set one in anthology.toml: [stories."{path.name}"] title = "…"', path, first)
        )
    if any(part.source == "Project Gutenberg" for part in story.boilerplate):
        first = next(part.line for part in story.boilerplate if part.source == "Project Gutenberg")
        diagnostics.append(info("A140", "Project Gutenberg's header and licence are kept as the story's back matter", path, first))
    if not story.authors:
        diagnostics.append(warning("A102", f'no author found; set [stories."{path.name}"] author = "…" in anthology.toml', path, 1))
    fmt = doc.given.format or ("ffn-download" if any(d.code == "A120" for d in doc.diagnostics) else _format(kind, ctx))
    return ReadResult(story, tuple(built.consumed), tuple(diagnostics), fmt, tuple(built.boilerplate))


def _format(kind: str, ctx: object) -> str:
    from .recognise import Context

    assert isinstance(ctx, Context)
    if ctx.facts.get("published"):
        return "gutenberg"
    if any(lab and lab.rule == "transport-header" for lab in ctx.labels):
        return "usenet"
    return {"html": "html-fragment"}.get(kind, kind)


def read_story(path: Path, override: StoryOverride | None) -> ReadResult:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise fail(ExitCode.INPUT, "A012", f"cannot read this file ({exc.strerror}); check its permissions", path) from None
    decoded = decode(data, path)
    source = Source(path, decoded.encoding, hashlib.sha256(data).hexdigest())
    result = recognised(path, decoded.text, input_format(path), source)
    if input_format(path) != "markdown":  # Markdown reads its own emphasis; text and HTML may still type it
        result = dataclasses.replace(result, story=with_plain_emphasis(result.story))
    overridden = apply_overrides(result.story, override)
    diagnostics = decoded.diagnostics + result.diagnostics + overridden.diagnostics
    story = overridden.story
    if not story.title.strip():  # a first line of nothing but punctuation leaves no words to name it by
        story = dataclasses.replace(story, title="Untitled", title_guessed=True)
    if override and override.title:
        diagnostics = tuple(d for d in diagnostics if d.code != "A101")
    if override and override.named_authors():
        diagnostics = tuple(d for d in diagnostics if d.code != "A102")
    if decoded.encoding not in ("utf-8", "utf-8-sig"):
        diagnostics += (info("A020", f"read as {decoded.encoding}", path),)
    return dataclasses.replace(result, story=story, consumed=result.consumed + overridden.replaced, diagnostics=diagnostics)


def read_stories(source: Path, config: Config) -> ReadStories:
    stories: list[Story] = []
    consumed: dict[Path, tuple[str, ...]] = {}
    diagnostics: list[Diagnostic] = []
    used: set[str] = set()
    results: dict[Path, ReadResult] = {}
    for path in story_files(source, config):
        result = read_story(path, config.stories.get(path.name))
        base = slugify(result.story.title) or "story-" + result.story.source.sha256[:8]
        if not base[0].isalpha():  # slugs become XML ids (and NCX ids), which cannot start with a digit
            base = "story-" + base
        slug, n = base, 2
        while slug in used:
            slug, n = f"{base}-{n}", n + 1
        used.add(slug)
        stories.append(qualify(dataclasses.replace(result.story, slug=slug)))
        consumed[path] = result.consumed
        results[path] = result
        diagnostics.extend(result.diagnostics)
    return ReadStories(tuple(stories), consumed, tuple(diagnostics), results)
