"""Batch benchmark works: N works as an archive holds them, one folder each, and the same text as
one file per work for calibre's ebook-convert (which converts one file, as AO3 hands it one work).

- the labelled corpus's stories, each a one-story work as downloaded (HTML, Markdown, plain text,
  legacy encodings; from 5 KB to 700 KB), about one work in six;
- the rest from the seeds, scaled and varied: work k holds 1 to 8 of the 20 distinct stories of
  bench/corpus.py's 10× corpus (each with its own cast and title), so works run from 2,500 to
  20,000 words; a closing line of its own makes every work different bytes.

Remade only when the corpus, the seeds or this generator change.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tomllib
from dataclasses import dataclass
from pathlib import Path

import corpus as seed_corpus

ROOT = Path(__file__).resolve().parent.parent
CORPUS = Path(os.environ.get("ANTHOLOGY_CORPUS") or ROOT.parent / "shared" / "corpus")
_STORY_SUFFIXES = (".txt", ".md", ".html")


@dataclass(frozen=True)
class Works:
    folder: Path  # one folder per work: `anthology batch FOLDER`
    calibre: dict[str, Path]  # work name -> the one file ebook-convert is given
    words: dict[str, int]  # work name -> words in its story files


def _corpus_stories() -> list[Path]:
    return sorted(p for p in CORPUS.iterdir() if p.is_file() and any(s in p.suffixes for s in _STORY_SUFFIXES) and p.name != "labels.toml")


def _real_suffix(path: Path) -> str:
    """`x.html.txt` is HTML saved as text: calibre chooses its reader by the last suffix."""
    suffixes = path.suffixes
    return suffixes[-2] if len(suffixes) >= 2 and suffixes[-1] == ".txt" and suffixes[-2] in (".html", ".md") else suffixes[-1]


def _stamp(count: int, stories: list[Path]) -> str:
    digest = hashlib.sha256(f"{count}".encode() + Path(__file__).read_bytes())
    for path in stories:
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()


def make_works(work: Path, count: int) -> Works:
    base = work / "batch"
    folder, inputs = base / "works", base / "calibre-inputs"
    seeds = seed_corpus.generate(ROOT / "seeds", work, 10)  # 20 distinct stories, titled in its anthology.toml
    seed_stories = sorted(seeds.folder.glob("*.txt"))
    titles = {name: table["title"] for name, table in tomllib.loads((seeds.folder / "anthology.toml").read_text(encoding="utf-8"))["stories"].items()}
    real = _corpus_stories() if CORPUS.is_dir() else []
    real = real[: min(len(real), round(count * 33 / 200))]
    stamp = _stamp(count, real + seed_stories)
    if (base / ".stamp").exists() and (base / ".stamp").read_text() == stamp:
        return _read_back(folder, inputs)
    shutil.rmtree(base, ignore_errors=True)
    folder.mkdir(parents=True)
    inputs.mkdir()
    for story in real:
        name = "c-" + story.name.split(".")[0]
        (folder / name).mkdir()
        shutil.copy2(story, folder / name / story.name)
        shutil.copy2(story, inputs / f"{name}{_real_suffix(story)}")
    for k in range(count - len(real)):
        name = f"s-{k:03d}"
        (folder / name).mkdir()
        chosen = [seed_stories[(k * 7 + j) % len(seed_stories)] for j in range(1 + k % 8)]
        manifest = [f'title = "Collected Stories, No. {k}"', 'editor = "anthology bench"', ""]
        joined = []
        for j, story in enumerate(chosen):
            text = story.read_text(encoding="utf-8") + (f"\n\nCollected for work {k}.\n" if j == 0 else "")
            (folder / name / story.name).write_text(text, encoding="utf-8")
            manifest += [f'[stories."{story.name}"]', f'title = "{titles[story.name]}"', ""]
            joined += [titles[story.name], "", text, ""]
        (folder / name / "anthology.toml").write_text("\n".join(manifest), encoding="utf-8")
        (inputs / f"{name}.txt").write_text("\n".join(joined), encoding="utf-8")
    (base / ".stamp").write_text(stamp)
    return _read_back(folder, inputs)


def _read_back(folder: Path, inputs: Path) -> Works:
    calibre = {p.name.split(".")[0]: p for p in sorted(inputs.iterdir())}
    words = {w.name: sum(len(p.read_bytes().split()) for p in w.iterdir() if p.name != "anthology.toml") for w in sorted(folder.iterdir())}
    return Works(folder, calibre, words)
