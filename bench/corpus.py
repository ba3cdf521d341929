"""Benchmark corpora: the seed stories scaled to N× as distinct story files, plus the same text as
one Markdown file for pandoc.

Copy k of a seed is its own story: its own file, its own title (set in the generated
anthology.toml, so stories without a title line get one too) and its own cast — the seeds' character
names are swapped for others from a pool, one word for one word, so the word count is unchanged and
no two files hold the same bytes (a content-hash cache must not be able to fold copies together).
Copy 0 keeps the seed's text as it is.

The Markdown holds the same chunks of text in the same order: each story is a level-1 heading (its
title) followed by every chunk of the file as a paragraph, and a gap of two or more blank lines (a
scene break in the anthology reader) becomes `* * *`.
"""

from __future__ import annotations

import hashlib
import random
import re
from dataclasses import dataclass
from pathlib import Path

# Names that occur in the seeds, and single-word names to swap in for them.
CAST = ("Sakura", "Naruto", "Sasuke", "Shikamaru", "Ino", "Orochimaru", "Kakashi", "Tsunade", "Hinata")
POOL = (
    "Akane", "Botan", "Chiyo", "Daichi", "Emiko", "Fumio", "Goro", "Haruka", "Isamu", "Jiro",
    "Kaede", "Mamoru", "Natsuki", "Osamu", "Rin", "Satoshi", "Takeshi", "Umeko", "Yuki", "Zenji",
)
TITLE_WORDS = (
    "Autumn", "Lanterns", "Rain", "Embers", "Paper", "Cranes", "Tides", "Winter", "Ashes", "Blossoms",
    "Thread", "Harbour", "Silence", "Echoes", "Morning", "Shadows", "Glass", "River", "Stone", "Wind",
)


@dataclass(frozen=True)
class Corpus:
    scale: int
    folder: Path  # story files + anthology.toml, the input of `anthology build`
    markdown: Path  # the same text as one Markdown file, the input of pandoc
    stories: int
    words: int  # words in the story files (pandoc's file adds only the titles)


def _chunks(text: str) -> list[tuple[int, str]]:
    """(blank lines before, text) for each run of non-blank lines; lines inside a run re-flowed."""
    out: list[tuple[int, str]] = []
    gap, current = 0, []
    for line in text.split("\n"):
        if line.strip():
            current.append(line.strip())
            continue
        if current:
            out.append((gap, " ".join(current)))
            current, gap = [], 0
        gap += 1
    if current:
        out.append((gap, " ".join(current)))
    return out


def _recast(text: str, seed: int, copy: int, seen: set[str]) -> str:
    """The seed with a cast of its own, different from every text in `seen` (copy 0: the seed)."""
    if copy == 0:
        return text
    for attempt in range(1000):
        rng = random.Random(f"anthology-bench/{seed}/{copy}/{attempt}")
        names = dict(zip(CAST, rng.sample(POOL, len(CAST))))
        recast = re.sub(r"\b(" + "|".join(CAST) + r")\b", lambda m: names[m.group(1)], text)  # noqa: B023 (used at once, in this iteration)
        if recast not in seen:
            return recast
    raise SystemExit(f"bench: cannot make copy {copy} of seed {seed} distinct (does it name anyone in CAST?)")


def _title(seed: int, copy: int) -> str:
    rng = random.Random(f"anthology-bench-title/{seed}/{copy}")
    first, second = rng.sample(TITLE_WORDS, 2)
    return f"{first} and {second}, No. {copy * 2 + seed + 1}"


# Pandoc Markdown: escape what would start markup (emphasis, links, raw HTML, citations, math,
# sub/superscript) anywhere, and what starts a block (heading, list, quote, definition) at a line
# start. Quotes, dashes and dots stay bare so pandoc's `smart` typography sees them, as ours does.
_INLINE = re.compile(r"([\\`*_\[\]<>~^@$|{}])")
_BLOCK_START = re.compile(r"^(#|[-+:>]\s|\d+[.)]\s)")


def markdown_paragraph(text: str) -> str:
    text = _INLINE.sub(r"\\\1", text)
    return _BLOCK_START.sub(r"\\\1", text)


def _toml_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _stamp(seeds: list[Path], scale: int) -> str:
    # This file's own bytes are part of the stamp: change the generator and the corpora are remade.
    digest = hashlib.sha256(Path(__file__).read_bytes() + f"/{scale}".encode())
    for seed in seeds:
        digest.update(seed.name.encode() + b"\0" + seed.read_bytes())
    return digest.hexdigest()


def seed_files(seeds_dir: Path) -> list[Path]:
    files = sorted(p for p in seeds_dir.glob("*.txt") if p.is_file())
    if not files:
        raise SystemExit(f"bench: no seed stories (*.txt) in {seeds_dir}")
    return files


def generate(seeds_dir: Path, work: Path, scale: int) -> Corpus:
    """Write (or reuse, when the seeds and this generator are unchanged) the N× corpus."""
    seeds = seed_files(seeds_dir)
    folder = work / f"corpus-{scale}x"
    markdown = work / f"corpus-{scale}x.md"
    stamp = _stamp(seeds, scale)
    texts = [p.read_text(encoding="utf-8") for p in seeds]
    stories = scale * len(seeds)
    words = scale * sum(len(t.split()) for t in texts)  # recasting swaps one word for one word
    stamp_file = folder / ".bench-stamp"
    if stamp_file.exists() and stamp_file.read_text() == stamp and markdown.exists():
        return Corpus(scale, folder, markdown, stories, words)

    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.txt"):
        old.unlink()
    manifest = [
        f"title = {_toml_string(f'Benchmark Anthology ({scale}x)')}",
        'editor = "anthology bench"',
        'language = "en"',
        "",
    ]
    md = ["---", f"title: {_toml_string(f'Benchmark Anthology ({scale}x)')}", "lang: en", "---", ""]
    seen: set[str] = set()
    for copy in range(scale):
        for i, (seed, text) in enumerate(zip(seeds, texts)):
            body = _recast(text, i, copy, seen)
            seen.add(body)
            name = f"{copy:03d}-{i}-{seed.stem}.txt"
            title = _title(i, copy)
            (folder / name).write_text(body, encoding="utf-8")
            manifest += [f"[stories.{_toml_string(name)}]", f"title = {_toml_string(title)}", ""]
            md += [f"# {markdown_paragraph(title)}", ""]
            for n, (gap, chunk) in enumerate(_chunks(body)):
                if n and gap >= 2:
                    md += ["* * *", ""]
                md += [markdown_paragraph(chunk), ""]
    (folder / "anthology.toml").write_text("\n".join(manifest), encoding="utf-8")
    markdown.write_text("\n".join(md), encoding="utf-8")
    stamp_file.write_text(stamp)
    return Corpus(scale, folder, markdown, stories, words)
