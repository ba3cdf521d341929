"""The pipeline, end to end: read → transform → volumes → render → each requested format → check → write.

`build()` reads like the table of contents of the program; each step lives in its own module, each
format in a row of package/formats.py. It is also the library API (`from compiler import build, BuildOptions`; `build(options)`, or
`compiler.build.build(options)`): what to make is one frozen, picklable value; nothing here prints,
asks or exits. Many books at once: compiler/batch/.
"""

from __future__ import annotations

import contextlib
import datetime
import os
import sys
import types
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import timings
from .atomic import replace_together
from .config import Config, book_identifier, load_config
from .diagnostics import Diagnostic, stop, stopping
from .limits import check_paragraphs, check_sizes
from .model import Anthology, BookMeta, Story
from .options import BuildOptions
from .package.epub.cover import cover_file_name, find_cover
from .package.formats import Format, Made, Packager, Work, choices, load, plan, wanted_products
from .read import ReadStories, read_stories, story_files
from .render import RenderedBook, render
from .render.theme import Theme, load_theme
from .transforms import transform
from .trims import parse_trim
from .volumes import VolumePlan, plan_volumes, split, volume_file_name, words_per_page

if TYPE_CHECKING:
    from .check import BookText


@dataclass(frozen=True)
class BuildResult:
    outputs: tuple[Path, ...]
    anthology: Anthology
    consumed: dict[Path, tuple[str, ...]]
    diagnostics: tuple[Diagnostic, ...]
    volumes: tuple[Anthology, ...] = ()  # each volume's book, when the anthology was split (else empty)


def build(options: BuildOptions, progress: Callable[[str], None] | None = None, *, before_replacing: Callable[[], None] | None = None) -> BuildResult:
    """Make the books `options` asks for; `progress` hears each stage as it begins (a terminal's
    status line). Raises BuildError, never writes half a book. `before_replacing` is called once
    every book is written beside its target, just before they all replace the old ones."""
    step = progress or (lambda _stage: None)
    problems = options.problems(choices())
    if problems:
        raise stopping(problems)
    if options.timeout is not None or options.max_memory is not None:
        from .bounded import build_bounded  # the same build, in a process watched for time and memory

        return build_bounded(build, options, progress)
    formats = plan(options)  # with the formats they are made from; one that cannot be made here says so now
    step("reading the stories")
    with timings.span("read"):
        config = load_config(options.source)
        options = options.settled(config)  # the command line over anthology.toml
        input_bytes = check_sizes(story_files(options.source, config))
        theme = load_theme(options.theme or config.theme, options.source)
    with _started(formats, options, theme, input_bytes) as started:
        with timings.span("read"):
            read = read_stories(options.source, config)
        step("typesetting the text")
        with timings.span("transforms"):
            anthology, found = transform(assemble(config, read.stories))
            check_paragraphs(anthology)
            volume_split = volume_plan(read.stories, options, theme)
            volumes = split(anthology, volume_split, theme.settings.labels.volume)
        # The EPUB's cover page names its image: the user's cover.jpg or cover.png, else a drawn one.
        cover = cover_file_name(find_cover(options.source))
        books: dict[Path, bytes] = {}
        keep: list[Callable[[], None]] = []
        diagnostics = list(read.diagnostics) + list(found)
        texts: list[list[BookText]] = []  # each volume's books read back, for the check across volumes
        for volume in volumes:
            # Only the first volume has layout processes begun for it: the PDF packager closes them when done.
            begun = started if volume is volumes[0] else {}
            made, read_back = _book(formats, options, read, volume, theme, cover, begun, _volume_step(step, volume), volume_split)
            number = volume.meta.volume
            books.update({options.output / (volume_file_name(fmt.file_name, number) if number else fmt.file_name): made[fmt.name].data for fmt in formats})
            keep += [m.keep for m in made.values() if m.keep is not None]
            diagnostics += [d for m in made.values() for d in m.diagnostics]
            if options.verify and volume_split.split:
                texts.append(read_back)
        if texts:
            _check_across(texts, read, anthology, volumes)

        step("writing")
        with timings.span("write"):
            _write(options.output, books, keep, before_replacing)
    return BuildResult(tuple(books), anthology, read.consumed, tuple(diagnostics), volumes if volume_split.split else ())


def volume_plan(stories: tuple[Story, ...], options: BuildOptions, theme: Theme) -> VolumePlan:
    """Where the anthology splits into volumes (compiler/volumes.py), pages estimated for the
    trim and margins the print book will have. `options` settled: the manifest's budget in it."""
    margins = theme.settings.print
    per_page = words_per_page(parse_trim(options.trim or margins.trim), margins.top, margins.bottom, margins.inside, margins.outside)
    return plan_volumes(stories, options.volumes, per_page)


def _volume_step(step: Callable[[str], None], volume: Anthology) -> Callable[[str], None]:
    label = volume.meta.volume_label
    return (lambda stage: step(f"{label}: {stage}")) if label else step


def _book(
    formats: tuple[Format, ...], options: BuildOptions, read: ReadStories, anthology: Anthology, theme: Theme, cover: str | None,
    started: dict[str, Any], step: Callable[[str], None], volume_split: VolumePlan,
) -> tuple[dict[str, Made], list[BookText]]:
    """One book (the anthology, or one volume of it) in every format, each checked for every word
    of its stories; with the text of each book checked, as it was read back for the check."""
    with timings.span("render"):
        rendered = render(anthology, theme, cover)
    made: dict[str, Made] = {}
    read_back: list[BookText] = []
    for fmt in (f for f in formats if not f.made_from_a_book):
        made[fmt.name] = _package(fmt, Work(options, anthology, rendered, theme, made, wanted_products(fmt, formats), started.get(fmt.name), step))
    if options.verify:
        step("checking every word")
        with timings.span("check"):
            # A volume answers for the files whose stories are all in it; a file whose works went to
            # several volumes is checked across them (_check_across).
            consumed = {path: labels for path, labels in read.consumed.items() if path in _whole_files(read, anthology)} if volume_split.split else read.consumed
            read_back = _read_back(formats, made, f"-vol{anthology.meta.volume}" if volume_split.split else "")
            _check_sources(read_back, consumed, anthology, rendered)
    for fmt in (f for f in formats if f.made_from_a_book):  # from books known to be whole
        made[fmt.name] = _package(fmt, Work(options, anthology, rendered, theme, made, wanted_products(fmt, formats), started.get(fmt.name), step))
        _check_conversion(fmt, made)
    return made, read_back


def _whole_files(read: ReadStories, volume: Anthology) -> set[Path]:
    """The story files all of whose works are in `volume` (a file of one story: the story's)."""
    ids = {(s.source.path, s.source.work) for s in volume.stories}
    return {s.source.path for s in volume.stories} - {s.source.path for s in read.stories if (s.source.path, s.source.work) not in ids}


def assemble(config: Config, stories: tuple[Story, ...]) -> Anthology:
    meta = BookMeta(
        title=config.title,
        editor=config.editor,
        language=config.language,
        identifier=book_identifier(config),  # stable across edits of the stories
        modified=_modified(config, stories),
        subjects=config.subjects,
    )
    return Anthology(meta, stories)


def _modified(config: Config, stories: tuple[Story, ...]) -> str:
    # Reproducible builds: SOURCE_DATE_EPOCH (https://reproducible-builds.org/specs/source-date-epoch/)
    # wins; otherwise the newest input, never the wall clock.
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch is None:
        paths = [s.source.path for s in stories] + ([config.path] if config.path else [])
        epoch = str(max(int(p.stat().st_mtime) for p in paths))
    moment = datetime.datetime.fromtimestamp(int(epoch), tz=datetime.timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


@contextlib.contextmanager
def _started(formats: tuple[Format, ...], options: BuildOptions, theme: Theme, input_bytes: int) -> Iterator[dict[str, Any]]:
    """Work a format begins before the stories are read (the PDF's layout processes, which take a
    second and a half to load), closed when the build ends, however it ends."""
    with timings.span("layout start-up"):
        started = {fmt.name: load(fmt.start)(options, theme, input_bytes) for fmt in formats if fmt.start}
    try:
        yield started
    finally:
        for begun in started.values():
            if begun is not None:
                begun.close()


def _package(fmt: Format, work: Work) -> Made:
    work.progress(fmt.stage)
    with timings.span(fmt.name):
        packager: Packager = load(fmt.packager)
        return packager(work)


def _texts(fmt: Format, made: Made) -> tuple[str, ...]:
    return made.texts if made.texts is not None else tuple(load(fmt.reader)(made.data))


def _read_back(formats: tuple[Format, ...], made: dict[str, Made], suffix: str = "") -> list[BookText]:
    """The text of each book checked against the stories; `suffix` names a volume's ("-vol2") in what the check reports."""
    from .check import BookText

    return [BookText(fmt.name + suffix, _texts(fmt, made[fmt.name]), fmt.paged) for fmt in formats if fmt.checked_against == "sources"]


def _heads(anthology: Anthology) -> set[str]:
    from .render.view import running_head

    titles = {anthology.meta.title, "Notes", "Contents"} | {s.title for s in anthology.stories}
    return titles | {running_head(t) for t in titles}


def _check_sources(books: list[BookText], consumed: dict[Path, tuple[str, ...]], anthology: Anthology, rendered: RenderedBook) -> None:
    """Nothing lost: every word of every story (of `consumed`'s files) must be in each book before anything is written."""
    from .check import expected_from, verify_books
    from .package.pdf.fonts import theme_coverage

    # Which characters the print fonts can set, to tell a missing glyph from a lost word: read from
    # the font files (a third of a second) only if a word is missing from a printed book.
    lost = verify_books(books, expected_from(consumed, anthology), _heads(anthology), lambda: theme_coverage(rendered))
    if lost:
        raise stopping(lost)


def _check_across(texts: list[list[BookText]], read: ReadStories, anthology: Anthology, volumes: tuple[Anthology, ...]) -> None:
    """Nothing lost across the volumes: each format's volumes together hold every word of every
    story file, and each story stands in exactly one volume. A file whose works went to several
    volumes is checked here only (each volume answers for its whole files itself)."""
    from .check import BookText, expected_from, verify_books

    placed = [(s.source.path, s.source.work, s.slug) for volume in volumes for s in volume.stories]
    if sorted(placed) != sorted((s.source.path, s.source.work, s.slug) for s in anthology.stories):
        raise AssertionError("the volumes do not hold every story exactly once")  # a bug in compiler/volumes.py, never the user's
    whole = set().union(*(_whole_files(read, volume) for volume in volumes))
    shared = {path: labels for path, labels in read.consumed.items() if path not in whole}
    if not shared:
        return
    together = [BookText(books[0].format.split("-vol")[0], tuple(part for volume in texts for part in volume[k].parts), books[0].paged) for k, books in enumerate(zip(*texts))]
    # Disclaimers merged on the whole anthology's rights page: a volume may print one again, never fewer.
    lost = verify_books(together, expected_from(shared, anthology), set().union(*(_heads(v) for v in volumes)))
    if lost:
        raise stopping(lost)


def _check_conversion(fmt: Format, made: dict[str, Made]) -> None:
    """A format made from another's book keeps every word of it (the KEPUB: V002)."""
    if not fmt.checked_against or fmt.checked_against == "sources":
        return
    from .check import BookText, lost_in_conversion
    from .package.formats import BY_NAME

    source = BY_NAME[fmt.checked_against]
    original = BookText(source.name, _texts(source, made[source.name]), source.paged)
    lost = lost_in_conversion(original, BookText(fmt.name, _texts(fmt, made[fmt.name]), fmt.paged))
    if lost:
        raise stopping(lost)


def _write(output: Path, books: dict[Path, bytes], keep: list[Callable[[], None]], ready: Callable[[], None] | None) -> None:
    try:
        output.mkdir(parents=True, exist_ok=True)
        # All the books or none: a failed build never leaves a truncated book, nor a new one beside an old one.
        replace_together(books, ready)
    except OSError as exc:
        raise stop("O001", output, reason=exc.strerror or str(exc)) from None
    for then in keep:  # the layout cache: kept only when it can be; the books are written either way
        then()


class _CallableModule(types.ModuleType):
    """This module, callable: `from compiler import build` gives the module (importing a submodule
    binds its name in the package, so a function called `build` could not stay there), and
    `build(options)` builds. Setting a module's class is Python's documented way to do this."""

    def __call__(self, options: BuildOptions, progress: Callable[[str], None] | None = None, *, before_replacing: Callable[[], None] | None = None) -> BuildResult:
        return build(options, progress, before_replacing=before_replacing)


sys.modules[__name__].__class__ = _CallableModule
