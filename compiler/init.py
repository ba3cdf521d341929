"""`anthology init`: write an anthology.toml from what the reader recognised in each story.

Every value is written out (so the user sees what the build will use) with a comment saying where it
came from; guessed values say so. The file is valid TOML that `anthology build` reads as it is.
"""

from __future__ import annotations

import json
from pathlib import Path

from .config import MANIFEST, load_config
from .diagnostics import stop
from .read import read_stories


def _q(text: str) -> str:
    # A JSON string is a valid TOML basic string (same escapes for quotes, backslashes and \\uXXXX).
    return json.dumps(text, ensure_ascii=False)


def manifest_text(source: Path) -> str:
    config = load_config(source)
    read = read_stories(source, config)
    title = source.resolve().name.replace("_", " ").replace("-", " ").strip().title() or config.title
    lines = [
        "# anthology.toml: written by `anthology init` from what it recognised in the stories.",
        "# Every key is optional; change what is wrong and delete what you do not need.",
        "",
        f"title = {_q(title)}  # from the folder name",
        'editor = ""  # who compiled the anthology: on the title page, and the EPUB\'s editor',
        f"language = {_q(config.language)}",
        "# Readers know the book by its identifier, derived from the title and editor, so a corrected",
        "# build replaces the copy on their shelf. To start a new book instead, give it a new one:",
        '# identifier = "urn:isbn:…"',
        "",
        "# Reading order (file names).",
        "order = [",
        *[f"  {_q(s.source.path.name)}," for s in read.stories],
        "]",
    ]
    for story in read.stories:
        name = story.source.path.name
        lines += ["", f"[stories.{_q(name)}]"]
        if story.title_guessed:
            lines.append(f"title = {_q(story.title)}  # guessed: the story has no title line; give it one")
        else:
            lines.append(f"title = {_q(story.title)}  # from its title line")
        if story.authors:
            lines.append(f"author = {_q(' & '.join(story.authors))}  # from its byline or signature")
        else:
            lines.append('# author = ""  # no byline found: who wrote it?')
    return "\n".join(lines) + "\n"


def write_manifest(source: Path, force: bool = False) -> Path:
    target = source / MANIFEST
    if target.exists() and not force:
        raise stop("C010", target)  # a usage error (exit 2): the message says --force
    text = manifest_text(source)
    target.write_text(text, encoding="utf-8")
    return target
