"""`anthology inspect`: what the parse stage understood of each story, and what it was unsure of.

Runs the parse stage only (no transforms, no rendering) and describes every story: the recognised
fields, the structure of its text, what was deliberately left out (`consumed`: transport headers,
labels, markup) and the diagnostics with file and line, so a user can check the reading and correct
it in anthology.toml before building.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .config import load_config
from .diagnostics import Diagnostic
from .model import AuthorNote, Block, BlockQuote, Heading, Paragraph, Preformatted, SceneBreak, Story, Verse, plain_text
from .read import input_format, read_stories
from .scripts import word_count
from .transforms.language import detected_language


@dataclass(frozen=True)
class StoryReport:
    path: Path
    kind: str  # "text", "markdown" or "html"
    story: Story
    language: str  # what its text is written in (transforms/language.py); "" when that is unsure
    consumed: tuple[str, ...]
    diagnostics: tuple[Diagnostic, ...]
    overridden: tuple[str, ...] = ()  # the manifest keys set for this story
    format: str = ""  # as the labelled corpus names it: text, markdown, html-fragment, ao3-download-html…
    boilerplate: tuple[tuple[str, int], ...] = ()  # text left out as neither story nor note, with its line
    where: tuple[tuple[str, str], ...] = ()  # an EPUB's: what was read from which file or metadata field
    starts: tuple[tuple[int, str], ...] = ()  # an EPUB's documents: (first line, member)

    def at(self, line: int) -> str:
        """A line as the user finds it: "line 12", or "OEBPS/ch1.xhtml:12" inside an EPUB."""
        if not self.starts or line <= 0:
            return f"line {line}"
        first, member = max((s for s in self.starts if s[0] <= line), default=self.starts[0])
        return f"{member}:{line - first + 1}"


def _blocks(blocks: tuple[Block, ...]) -> list[Block]:
    out: list[Block] = []
    for b in blocks:
        out.append(b)
        if isinstance(b, (BlockQuote, AuthorNote)):
            out += _blocks(b.blocks)
    return out


def inspect(source: Path) -> list[StoryReport]:
    config = load_config(source)
    read = read_stories(source, config)
    reports = []
    for story in read.stories:
        path = story.source.path
        diagnostics = tuple(d for d in read.diagnostics if d.path == path)
        override = config.stories.get(path.name)
        keys = tuple(k for k, v in vars(override).items() if v not in (None, {})) if override else ()
        keys = tuple(k for k in keys if k != "fields") + tuple(override.fields) if override else ()
        result = read.works.get((path, story.source.work)) or read.results.get(path)
        reports.append(
            StoryReport(
                path, input_format(path), story, detected_language(story), read.consumed.get(path, ()), diagnostics, keys,
                result.format if result else "", result.boilerplate if result else (),
                result.where if result else (), result.starts if result else (),
            )
        )
    return reports


def _first_text(note: AuthorNote) -> str:
    first = note.blocks[0] if note.blocks else None
    return plain_text(first.children) if isinstance(first, (Paragraph, Heading)) else ""


def _short(text: str, width: int = 70) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _listed(label: str, items: list[str], limit: int = 12) -> list[str]:
    lines = [f"  {label}:{' ' * max(1, 12 - len(label))}{item}" for item in items[:limit]]
    if len(items) > limit:
        lines.append(f"  {' ' * 13}… and {len(items) - limit} more")
    return lines


def describe(report: StoryReport) -> list[str]:
    s = report.story
    blocks = _blocks(s.body)
    paragraphs = [b for b in blocks if isinstance(b, Paragraph)]
    sections = [b for b in blocks if isinstance(b, Heading)]
    lines = [
        f"{report.path.name}  ({report.format or report.kind}, {s.source.encoding})",
        f"  title:       {s.title}" + ("  (guessed from the first line)" if s.title_guessed else ""),
        f"  author:      {', '.join(s.authors) or '(none found)'}",
    ]
    lines += [f"  taken from:  {what}: {where}" for what, where in report.where]
    if report.overridden:
        lines.append(f"  manifest:    sets {', '.join(report.overridden)} (anthology.toml wins over what was read)")
    for f in s.fields:
        lines.append(f"  field:       {f.label}: {_short(plain_text(f.value), 50)}" + (f"  ({report.at(f.line)})" if f.line else ""))
    if s.summary:
        lines.append(f"  summary:     {_short(' / '.join(plain_text(p.children) for p in s.summary))}")
    if s.status:
        lines.append(f"  status:      {s.status}")
    if s.disclaimer:
        lines.append(f"  disclaimer:  {_short(' '.join(plain_text(p.children) for p in s.disclaimer))}")
    for label, notes in (("note before", s.notes_before), ("note after", s.notes_after)):
        for note in notes:
            text = _labelled(note.label, _first_text(note))
            lines.append(f"  {label}:{' ' * (12 - len(label))}{report.at(note.line)}: {_short(text, 56)}")
    if s.glossary:
        lines.append(f"  glossary:    {s.glossary.heading} ({len(s.glossary.entries)} terms, {report.at(s.glossary.line)})")
    if s.endnotes:
        linked = sum(1 for n in s.endnotes if n.ref_ids)
        lines.append(f"  notes:       {len(s.endnotes)} numbered notes, {linked} linked from the text")
    lines.append(
        f"  text:        {len(paragraphs)} paragraphs, {sum(isinstance(b, SceneBreak) for b in blocks)} scene breaks, "
        f"{sum(isinstance(b, BlockQuote) for b in blocks)} quotations, {sum(isinstance(b, Verse) for b in blocks)} verses, "
        f"{sum(word_count(plain_text(p.children)) for p in paragraphs):,} words"
    )
    for h in sections:
        added = "  (added: the first part has no heading)" if h.synthesized else ""
        level = f"  (level {h.level})" if h.level > 1 else ""
        lines.append(f"  section:     {report.at(h.line)}: {_short(plain_text(h.children), 56)}{level}{added}")
    in_text = [b for b in blocks if isinstance(b, AuthorNote)]
    kinds = {"summary": "chapter summary", "end": "end of chapter"}
    lines += _listed(
        "section note",
        [f"{report.at(n.line)}: {_short(_labelled(n.label, _first_text(n)), 50)}" + (f"  ({kinds[n.kind]})" if n.kind in kinds else "") for n in in_text],
    )
    letters = [b for b in blocks if isinstance(b, BlockQuote) and b.kind == "letter"]
    lines += _listed("letter", [f"{report.at(b.line)}: {_short(_text_of_blocks(b.blocks[:1]), 50)} ({len(b.blocks)} paragraphs kept together)" for b in letters])
    lines += _listed(
        "drawing",
        [f"{report.at(b.line)}: {len(b.lines)} lines, {max(map(len, b.lines))} columns, kept in monospace" for b in blocks if isinstance(b, Preformatted)],
    )
    lines += _listed("verse", [f"{report.at(b.line)}: {_short(plain_text(b.lines[0]), 50)} ({len(b.lines)} lines kept)" for b in blocks if isinstance(b, Verse)])
    for part in s.boilerplate:
        label = part.label or f"{part.source}’s notice and licence"
        lines.append(f"  back matter: {report.at(part.line)}: {label}, {len(part.blocks)} paragraphs, kept after the story")
    lines += _listed("site text", [f"{report.at(line)}: {_short(text, 56)}" if line else _short(text, 70) for text, line in report.boilerplate], limit=6)
    if report.language:
        lines.append(f"  language:    {report.language} (read from its text; set [stories.\"{report.path.name}\"] language)")
    if s.trailer:
        lines.append(f"  sign-off:    {_short(' / '.join(plain_text(p.children) for p in s.trailer))}")
    if report.consumed:
        shown = [_short(c, 60) for c in report.consumed if c.strip()]
        lines.append(f"  left out:    {len(shown)} piece(s) of structure or markup, not story text:")
        lines += [f"               {c}" for c in shown[:12]]
        if len(shown) > 12:
            lines.append(f"               … and {len(shown) - 12} more")
    for d in report.diagnostics:
        lines.append(f"  {d}")
    return lines


def format_reports(reports: list[StoryReport]) -> str:
    return "\n\n".join("\n".join(describe(r)) for r in reports) + "\n"


# ---------------------------------------------------------------- `inspect --json`
# The shape the labelled corpus is scored in (../shared/corpus/labels.toml, its header): full texts
# where the labels hold first words, `title` null when the file names none (not the fallback the
# book shows), counts of what the reader made structure of.


def _text_of_blocks(blocks: tuple[Block, ...]) -> str:
    parts: list[str] = []
    for b in blocks:
        if isinstance(b, (Paragraph, Heading)):
            parts.append(plain_text(b.children))
        elif isinstance(b, Verse):
            parts.append(" ".join(plain_text(line) for line in b.lines))
        elif isinstance(b, Preformatted):
            parts.append(" ".join(b.lines))
        elif isinstance(b, (BlockQuote, AuthorNote)):
            parts.append(_text_of_blocks(b.blocks))
    return " ".join(" ".join(parts).split())


def _encoding_name(encoding: str) -> str:
    """The codec's canonical name ("latin_1" → "iso8859-1", "mac_roman" → "mac-roman")."""
    import codecs

    name = encoding.split(" ")[0]  # "utf-8 (stray bytes read as cp1252)"
    try:
        return codecs.lookup(name).name
    except LookupError:
        return name


def _labelled(label: str, text: str) -> str:
    """A passage as the reader sees it in the file: its label ("A/N:") and its text."""
    return f"{label} {text}".strip() if label else text


def _verbatim(blocks: list[Block]) -> int:
    """Blocks that keep their lines; the stanzas of one poem (verse right after verse) count once."""
    count, previous = 0, False
    for b in blocks:
        # A quotation of verse (a poem set as "> line  " with hard breaks) keeps its lines too.
        quoted_verse = isinstance(b, BlockQuote) and bool(b.blocks) and all(isinstance(x, (Verse, Preformatted)) for x in b.blocks)
        kept = isinstance(b, (Verse, Preformatted)) or isinstance(b, BlockQuote) and (b.kind == "letter" or quoted_verse)
        count += kept and not previous
        previous = kept
    return count


def as_json(report: StoryReport, book_language: str) -> dict[str, object]:
    s = report.story
    blocks = _blocks(s.body)
    notes_inside = [b for b in blocks if isinstance(b, AuthorNote)]
    return {
        "file": report.path.name,
        "format": report.format or report.kind,
        "encoding": _encoding_name(s.source.encoding),
        "language": s.language or report.language or book_language,
        "title": None if s.title_guessed else s.title,
        "authors": list(s.authors),
        "summary": _labelled(s.summary_label, _text_of_blocks(s.summary)) or None,
        "disclaimers": [t for t in [_labelled(s.disclaimer_label, _text_of_blocks(s.disclaimer))] if t],
        "notes_before": [_labelled(n.label, _text_of_blocks(n.blocks)) for n in s.notes_before],
        "notes_after": [_labelled(n.label, _text_of_blocks(n.blocks)) for n in s.notes_after],
        "section_notes": sum(n.kind != "summary" for n in notes_inside),
        "headings": [plain_text(b.children) for b in blocks if isinstance(b, Heading) and not b.synthesized],
        "scene_breaks": sum(isinstance(b, SceneBreak) for b in s.body),
        "notes": len(s.endnotes) + (len(s.glossary.entries) if s.glossary else 0),
        "verbatim_blocks": _verbatim([b for b in s.body]),
        "fields": {f.key: plain_text(f.value) for f in s.fields},
        "boilerplate": [text for text, _ in report.boilerplate] + [
            " ".join(_text_of_blocks(p.blocks).split()[:12]) for p in s.boilerplate
        ],
        "lines": {
            "headings": [b.line for b in blocks if isinstance(b, Heading) and not b.synthesized],
            "scene_breaks": [b.line for b in s.body if isinstance(b, SceneBreak)],
            "notes_before": [n.line for n in s.notes_before],
            "notes_after": [n.line for n in s.notes_after],
            "section_notes": [n.line for n in notes_inside],
            "boilerplate": [line for _, line in report.boilerplate] + [p.line for p in s.boilerplate],
        },
        "diagnostics": [str(d) for d in report.diagnostics],
    }


def volume_plan(source: Path, count: int | None, theme_name: str | None, stories: list[Story]) -> tuple[list[str], list[dict[str, object]]] | None:
    """How `build` would split the book into volumes (`--volumes N`, else the manifest's [volumes]),
    as lines and as JSON; None when it is one book. The same plan the build makes (build.volume_plan)."""
    from .budget import VolumeBudget
    from .build import volume_plan as plan_of
    from .diagnostics import stopping
    from .options import BuildOptions
    from .render.theme import load_theme
    from .volumes import describe_plan, plan_as_json

    options = BuildOptions(source=source, theme=theme_name, volumes=VolumeBudget(count=count))
    problems = [d for d in options.problems(()) if d.code == "U008"]
    if problems:
        raise stopping(problems)
    options = options.settled(load_config(source))
    if not options.volumes.given:
        return None
    theme = load_theme(options.theme or "classic", source)
    plan = plan_of(tuple(stories), options, theme)
    return describe_plan(plan, stories, theme.settings.labels.volume), plan_as_json(plan, stories)
