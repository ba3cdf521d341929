"""Parse stage: a folder of story files (plus the manifest) to `Story` values."""

from __future__ import annotations

import dataclasses
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from ..config import MANIFEST, Config, StoryOverride
from ..confine import is_folder
from ..diagnostics import Diagnostic, ExitCode, fail, info
from ..diagnostics import warning
from ..model import Block, Paragraph, Source, Story, plain_text
from .anchors import qualify, slugify
from .decode import decode
from .emphasis import with_plain_emphasis
from .stream import Document, Given
from .overrides import apply_overrides

STORY_SUFFIXES = (".txt", ".text", ".md", ".markdown", ".html", ".htm", ".xhtml", ".epub")
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
    where: tuple[tuple[str, str], ...] = ()  # what was read from where: ("title", "content.opf dc:title")
    starts: tuple[tuple[int, str], ...] = ()  # an EPUB's documents: (first line, member), to name a line's place

    def place(self, line: int) -> str:
        """A line of the story as the user finds it: "line 12", or "OEBPS/ch1.xhtml:12" in an EPUB."""
        if not self.starts or line <= 0:
            return f"line {line}"
        first, member = max((s for s in self.starts if s[0] <= line), default=self.starts[0])
        return f"{member}:{line - first + 1}"


@dataclass(frozen=True)
class ReadStories:
    stories: tuple[Story, ...]
    consumed: dict[Path, tuple[str, ...]]  # per file: source text taken as structure, not content
    diagnostics: tuple[Diagnostic, ...]
    results: dict[Path, ReadResult] = dataclasses.field(default_factory=dict)  # per file (its first work), for inspect
    works: dict[tuple[Path, int], ReadResult] = dataclasses.field(default_factory=dict)  # per (file, Source.work)


def story_files(source: Path, config: Config) -> list[Path]:
    if not is_folder(source):
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
    return "markdown" if last in _MARKDOWN else "html" if last in _HTML else "epub" if last == ".epub" else "text"


def named(title: str) -> bool:
    """A title names a story only with a letter or a digit in it: a first line of "—", "…" or
    "“—”" is a mark, and the story is untitled."""
    return any(ch.isalnum() for ch in title)


def guess_title(body: tuple[Block, ...]) -> str:
    """Untitled works are known by their first line; use the first words of the first sentence
    (of the first paragraph that has a word in it)."""
    for block in body:
        if isinstance(block, Paragraph):
            text = plain_text(block.children)
            sentence = re.split(r"(?<=[.!?…])\s", text.strip(), maxsplit=1)[0]
            words = sentence.split()
            title = " ".join(words[:8]).strip("\"“”'‘’")
            title = title.rstrip(".,;:!?")
            if named(title):
                return title + ("…" if len(words) > 8 else "")
    return "Untitled"


def recognised(path: Path, text: str, kind: str, source: Source) -> ReadResult:
    """A decoded file through its reader, the recogniser and assembly: the story as written."""
    if kind == "markdown":
        from .markdown import read_markdown

        doc = read_markdown(text, path)
    elif kind == "html":
        from .html import read_html

        doc = read_html(text, path)
    else:
        from .sites.fanficfare_text import read_fanficfare_text
        from .text import read_text

        doc = read_fanficfare_text(text, path) or read_text(text, path)
    return recognised_document(doc, kind, source)


def recognised_document(doc: Document, kind: str, source: Source, fallback: Given | None = None) -> ReadResult:
    """A reader's stream through the recogniser and assembly. `fallback`: what the file states about
    itself apart from its pages (an EPUB's package document), for what the pages do not say."""
    from .assemble import _Builder
    from .recognise import recognise

    path = source.path
    ctx = recognise(doc)
    built = _Builder(ctx, source).build()
    story = built.story
    if fallback is not None:
        story = dataclasses.replace(
            story,
            title=story.title or fallback.title,
            title_guessed=story.title_guessed and not fallback.title,
            authors=story.authors or fallback.authors,
            summary=story.summary or fallback.summary,
        )
    diagnostics = list(doc.diagnostics) + list(ctx.diagnostics)
    if not named(story.title):
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
    """A story file read; of an EPUB that holds several works, the first (read_works reads all)."""
    return read_works(path, override)[0]


def read_works(path: Path, override: StoryOverride | None) -> list[ReadResult]:
    """The story a file holds, or the works an EPUB anthology holds, each a story of its own."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise fail(ExitCode.INPUT, "A012", f"cannot read this file ({exc.strerror}); check its permissions", path) from None
    digest = hashlib.sha256(data).hexdigest()
    if input_format(path) == "epub":
        from .epub import read_epub

        book = read_epub(data, path)
        results = []
        for n, work in enumerate(book.works, start=1):
            source = Source(path, "utf-8", digest, n if len(book.works) > 1 else 0)
            result = recognised_document(work.document, "epub", source, work.fallback)
            # The package's title, authors and summary were taken only where the pages gave none.
            taken = {"title": result.story.title == work.fallback.title, "authors": result.story.authors == work.fallback.authors,
                     "summary": result.story.summary == work.fallback.summary}
            where = tuple(w for w in work.where if taken.get(w[0], True) or not w[1].endswith(("dc:title", "dc:creator", "dc:description")))
            result = dataclasses.replace(result, where=where, starts=work.starts)
            result = dataclasses.replace(result, diagnostics=(book.diagnostics if n == 1 else ()) + tuple(_placed(d, result) for d in result.diagnostics))
            results.append(_finished(result, override, path, "utf-8"))
        return results
    decoded = decode(data, path)
    source = Source(path, decoded.encoding, digest)
    result = recognised(path, decoded.text, input_format(path), source)
    return [_finished(dataclasses.replace(result, diagnostics=decoded.diagnostics + result.diagnostics), override, path, decoded.encoding)]


def _placed(d: Diagnostic, result: ReadResult) -> Diagnostic:
    """A diagnostic about an EPUB's line, said with the document it is in and that document's line."""
    if not result.starts or d.line <= 0 or d.path != result.story.source.path:
        return d
    member, _, local = result.place(d.line).rpartition(":")
    return dataclasses.replace(d, message=f"{member}: {d.message}", line=int(local))


def _finished(result: ReadResult, override: StoryOverride | None, path: Path, encoding: str) -> ReadResult:
    """Typed emphasis, the manifest's overrides, and what the file's reading says about itself."""
    if input_format(path) != "markdown":  # Markdown reads its own emphasis; text and HTML may still type it
        result = dataclasses.replace(result, story=with_plain_emphasis(result.story))
    overridden = apply_overrides(result.story, override)
    diagnostics = result.diagnostics + overridden.diagnostics
    story = overridden.story
    if not named(story.title) and not (override and override.title):  # no words to name it by
        story = dataclasses.replace(story, title="Untitled", title_guessed=True)
    if override and override.title:
        diagnostics = tuple(d for d in diagnostics if d.code != "A101")
    if override and override.named_authors():
        diagnostics = tuple(d for d in diagnostics if d.code != "A102")
    if encoding not in ("utf-8", "utf-8-sig"):
        diagnostics += (info("A020", f"read as {encoding}", path),)
    return dataclasses.replace(result, story=story, consumed=result.consumed + overridden.replaced, diagnostics=diagnostics)


def read_stories(source: Path, config: Config) -> ReadStories:
    stories: list[Story] = []
    consumed: dict[Path, tuple[str, ...]] = {}
    diagnostics: list[Diagnostic] = []
    used: set[str] = set()
    results: dict[Path, ReadResult] = {}
    works: dict[tuple[Path, int], ReadResult] = {}
    for path in story_files(source, config):
        for result in read_works(path, config.stories.get(path.name)):
            base = slugify(result.story.title) or "story-" + result.story.source.sha256[:8]
            if not base[0].isalpha():  # slugs become XML ids (and NCX ids), which cannot start with a digit
                base = "story-" + base
            slug, n = base, 2
            while slug in used:
                slug, n = f"{base}-{n}", n + 1
            used.add(slug)
            stories.append(qualify(dataclasses.replace(result.story, slug=slug)))
            # One file read once by the nothing-lost check: what any of its works took as structure.
            consumed[path] = consumed.get(path, ()) + result.consumed
            results.setdefault(path, result)
            works[(path, result.story.source.work)] = result
            diagnostics.extend(result.diagnostics)
    if not config.order:
        stories = in_series_order(stories)
    return ReadStories(tuple(stories), consumed, tuple(diagnostics), results, works)


def in_series_order(stories: list[Story]) -> list[Story]:
    """Works of one series in the order of their parts ("Part 3 of …"), in the places the series'
    works had among the others: file names rarely sort as the parts do, and a manifest's `order`
    (which the caller leaves alone) is the user's own word."""
    places: dict[str, list[int]] = {}
    for k, story in enumerate(stories):
        if story.origin.series and story.origin.part:
            places.setdefault(story.origin.series.casefold(), []).append(k)
    out = list(stories)
    for slots in places.values():
        ordered = sorted((stories[k] for k in slots), key=lambda s: s.origin.part)
        for k, story in zip(slots, ordered):
            out[k] = story
    return out
