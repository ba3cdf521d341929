"""Parse stage: a folder of story files (plus the manifest) to `Story` values."""

from __future__ import annotations

import dataclasses
import hashlib
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from ..config import MANIFEST, Config, StoryOverride
from ..diagnostics import Diagnostic, ExitCode, fail, info
from ..model import Source, Story
from .anchors import qualify
from .decode import decode
from .emphasis import with_plain_emphasis
from .overrides import apply_overrides
from .plaintext import ReadResult, read_plaintext

STORY_SUFFIXES = (".txt", ".text", ".md", ".markdown", ".html", ".htm", ".xhtml")
# A file's format is its last suffix, or the one before a final ".txt" ("notes.md.txt"): people save
# Markdown and HTML as text files to open them anywhere, and keep the real type in the name.
_MARKDOWN = (".md", ".markdown")
_HTML = (".html", ".htm", ".xhtml")


@dataclass(frozen=True)
class ReadStories:
    stories: tuple[Story, ...]
    consumed: dict[Path, tuple[str, ...]]  # per file: source text taken as structure, not content
    diagnostics: tuple[Diagnostic, ...]


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:40].rstrip("-")


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


def read_story(path: Path, override: StoryOverride | None) -> ReadResult:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise fail(ExitCode.INPUT, "A012", f"cannot read this file ({exc.strerror}); check its permissions", path) from None
    decoded = decode(data, path)
    source = Source(path, decoded.encoding, hashlib.sha256(data).hexdigest())
    kind = input_format(path)
    if kind == "markdown":
        from .markdown import read_markdown

        result = read_markdown(decoded.text, path, source)
    elif kind == "html":
        from .html import read_html

        result = read_html(decoded.text, path, source)
    else:
        result = read_plaintext(decoded.text, path, source, slug="")
    if kind != "markdown":  # Markdown reads its own emphasis; text and HTML may still type it
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
    return ReadResult(story, result.consumed + overridden.replaced, diagnostics)


def read_stories(source: Path, config: Config) -> ReadStories:
    stories: list[Story] = []
    consumed: dict[Path, tuple[str, ...]] = {}
    diagnostics: list[Diagnostic] = []
    used: set[str] = set()
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
        diagnostics.extend(result.diagnostics)
    return ReadStories(tuple(stories), consumed, tuple(diagnostics))
