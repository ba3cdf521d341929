"""Transform stage (after the others): the anthology split between stories into volumes.

A bound volume tops out near 175–200k words, so a long anthology is printed as several books. The
plan chooses where to split by words alone (never inside a story): the linear partition of the
stories, in reading order, that makes the largest volume as small as it can be, and among those the
most even one. Each volume is then a whole `Anthology` of its own (its stories, its rights page
gathered from their disclaimers, its notes, its own identifier) that the build makes by the same
path as any book. One volume is the anthology itself, untouched: the same book, byte for byte.
"""

from __future__ import annotations

import dataclasses
import math
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .budget import VolumeBudget
from .model import AuthorNote, Block, BlockQuote, Heading, Paragraph, Preformatted, Story, Verse, Anthology, plain_text
from .scripts import word_count
from .transforms.frontmatter import gather_rights

# Words a square inch of text block holds in the classic theme (measured: the seeds' stories set 5.5 × 8.5 in
# at its margins, about 285 words a full page). A theme with larger type holds fewer: a page budget
# is an estimate, said as one wherever it is shown.
WORDS_PER_SQUARE_INCH = 9.7
FRONT_PAGES = 6  # half-title, title, rights and contents, each on its recto or with its verso


@dataclass(frozen=True)
class PlannedVolume:
    number: int  # 1, 2, …
    stories: tuple[int, ...]  # indices into the anthology's stories, in reading order
    words: int
    pages: int  # estimated, for `inspect` and a page budget


@dataclass(frozen=True)
class VolumePlan:
    volumes: tuple[PlannedVolume, ...]
    words_per_page: float

    @property
    def split(self) -> bool:
        return len(self.volumes) > 1


def roman(number: int) -> str:
    """Volume numbers as books print them: I, II, … XIV."""
    out = []
    for value, letters in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        count, number = divmod(number, value)
        out.append(letters * count)
    return "".join(out)


def volume_label(template: str, number: int) -> str:
    """The theme's wording ([labels] volume, "Volume {roman}") for one volume; `{number}` is the arabic figure."""
    return template.replace("{roman}", roman(number)).replace("{number}", str(number))


# ---------------------------------------------------------------- how long each story is


def _block_texts(blocks: Iterable[Block]) -> Iterable[str]:
    for block in blocks:
        if isinstance(block, (Paragraph, Heading)):
            yield plain_text(block.children)
        elif isinstance(block, Verse):
            yield from (plain_text(line) for line in block.lines)
        elif isinstance(block, Preformatted):
            yield from block.lines
        elif isinstance(block, (BlockQuote, AuthorNote)):
            yield from _block_texts(block.blocks)


def story_words(story: Story) -> int:
    """Every word the story brings to the book: its text, notes, summary, disclaimer, end-notes."""
    texts = [story.title, *(plain_text(f.value) for f in story.fields)]
    texts += _block_texts((*story.summary, *story.disclaimer, *story.notes_before, *story.body, *story.notes_after, *story.trailer))
    texts += (plain_text(n.label) + " " + plain_text(n.body) for n in story.endnotes)
    texts += _block_texts(b for part in story.boilerplate for b in part.blocks)
    return sum(word_count(text) for text in texts)


def words_per_page(trim: tuple[float, float], top: float, bottom: float, inside: float, outside: float) -> float:
    """About how many words a full page holds: its text block (trim in points, margins in inches)."""
    width, height = trim[0] / 72 - inside - outside, trim[1] / 72 - top - bottom
    return max(1.0, width * height * WORDS_PER_SQUARE_INCH)


def story_pages(words: int, per_page: float) -> int:
    # A story opens on a new page (a recto, in most themes): half a page lost to its opening and
    # half a page, on average, to the blank verso before the next one.
    return math.ceil(words / per_page) + 1


# ---------------------------------------------------------------- where to split


def partition(weights: Sequence[int], parts: int) -> tuple[tuple[int, int], ...]:
    """`weights` cut into `parts` consecutive runs (fewer if there are fewer weights), as (start,
    end) pairs: the largest run as small as it can be, then the sum of squares (the most even
    split) as small as it can be. Dynamic programming over the cut points, O(parts × n²) at worst;
    a cut that would make a run past the best largest run found is never tried."""
    n = len(weights)
    parts = max(1, min(parts, n))
    if n == 0:
        return ((0, 0),)
    prefix = [0]
    for w in weights:
        prefix.append(prefix[-1] + w)
    # best[j][i]: (largest run, sum of squares) of the first i weights in j runs; cut[j][i]: where the last run starts.
    best: list[list[tuple[int, int] | None]] = [[None] * (n + 1) for _ in range(parts + 1)]
    cut = [[0] * (n + 1) for _ in range(parts + 1)]
    best[0][0] = (0, 0)
    for j in range(1, parts + 1):
        for i in range(j, n - (parts - j) + 1):  # room for one weight in each run still to come
            here: tuple[int, int] | None = None
            for m in range(i - 1, j - 2, -1):  # the last run is weights[m:i], longest last
                prev = best[j - 1][m]
                run = prefix[i] - prefix[m]
                if here is not None and run > here[0]:
                    break  # longer runs only make it worse
                if prev is None:
                    continue
                candidate = (max(prev[0], run), prev[1] + run * run)
                if here is None or candidate < here:
                    here, cut[j][i] = candidate, m
            best[j][i] = here
    runs = []
    end = n
    for j in range(parts, 0, -1):
        start = cut[j][end]
        runs.append((start, end))
        end = start
    return tuple(reversed(runs))


def _runs_for(weights: Sequence[int], limit: int) -> tuple[tuple[int, int], ...]:
    """The fewest runs that keep each within `limit` (a story longer than it is a volume alone)."""
    parts = max(1, math.ceil(sum(weights) / limit))
    while True:
        runs = partition(weights, parts)
        if parts >= len(weights) or all(sum(weights[a:b]) <= limit for a, b in runs):
            return runs
        parts += 1


def plan_volumes(stories: Sequence[Story], budget: VolumeBudget, per_page: float) -> VolumePlan:
    """Where the anthology splits: by `budget` (a count, or a word or page budget); one volume when none is given."""
    words = [story_words(s) for s in stories]
    pages = [story_pages(w, per_page) for w in words]
    if budget.count is not None:
        runs = partition(words, budget.count)
    elif budget.words is not None:
        runs = _runs_for(words, budget.words)
    elif budget.pages is not None:
        runs = _runs_for(pages, max(1, budget.pages - FRONT_PAGES))
    else:
        runs = ((0, len(stories)),)
    volumes = tuple(
        PlannedVolume(k, tuple(range(a, b)), sum(words[a:b]), FRONT_PAGES + sum(pages[a:b])) for k, (a, b) in enumerate(runs, start=1)
    )
    return VolumePlan(volumes, per_page)


# ---------------------------------------------------------------- the volumes as books

_NAMESPACE = uuid.UUID("5b0f3f52-7d7e-5e33-9c0d-2f4a1e6b8c10")  # any fixed UUID: volumes' identifiers apart from others'


def volume_identifier(identifier: str, number: int) -> str:
    """Each volume is a book of its own to a reader that files books by identifier (Kobo, calibre):
    derived from the anthology's, so a rebuild files each volume as the same book again."""
    return f"urn:uuid:{uuid.uuid5(_NAMESPACE, f'{identifier}{chr(10)}volume {number}')}"


def split(anthology: Anthology, plan: VolumePlan, label: str) -> tuple[Anthology, ...]:
    """One Anthology per planned volume. Its rights page carries the disclaimers of its own stories
    (gathered again from them), its notes are its stories' own; `label` is the theme's wording."""
    if not plan.split:
        return (anthology,)
    count = len(plan.volumes)
    books = []
    for volume in plan.volumes:
        meta = dataclasses.replace(
            anthology.meta, identifier=volume_identifier(anthology.meta.identifier, volume.number),
            volume=volume.number, volumes=count, volume_label=volume_label(label, volume.number),
        )
        books.append(gather_rights(Anthology(meta, tuple(anthology.stories[k] for k in volume.stories))))
    return tuple(books)


def volume_file_name(file_name: str, number: int) -> str:
    """`anthology.epub` → `anthology-vol2.epub`; `anthology-cover.pdf` → `anthology-vol2-cover.pdf`."""
    stem, dot, suffix = file_name.partition(".")
    base, dash, rest = stem.partition("-")
    return f"{base}-vol{number}{dash}{rest}{dot}{suffix}"


def describe_plan(plan: VolumePlan, stories: Sequence[Story], label: str) -> list[str]:
    """The plan as `anthology inspect` shows it: each volume, its stories, words and estimated pages."""
    lines = [f"volumes: {len(plan.volumes)}, split between stories by words (pages estimated at about {plan.words_per_page:.0f} words a page)"]
    for volume in plan.volumes:
        lines.append(f"  {volume_label(label, volume.number)}: {len(volume.stories)} {'story' if len(volume.stories) == 1 else 'stories'}, {volume.words:,} words, about {volume.pages:,} pages")
        lines += [f"    {stories[k].source.path.name}  {stories[k].title}" for k in volume.stories]
    return lines


def plan_as_json(plan: VolumePlan, stories: Sequence[Story]) -> list[dict[str, object]]:
    return [
        {"volume": v.number, "files": [stories[k].source.path.name for k in v.stories], "words": v.words, "estimated_pages": v.pages}
        for v in plan.volumes
    ]
