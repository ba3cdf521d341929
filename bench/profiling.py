"""Profiling one build with pyinstrument: the call tree as text, plus the hot spots — the functions
with the most self time, and self time summed per package folder — read from its pstats output."""

from __future__ import annotations

import pstats
import re
import shutil
import subprocess
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

# pyinstrument folds library frames away; show the libraries a build spends its time in, down to
# nodes of 2% of the run, so the tree reads as far as weasyprint's layout and drawing.
# (Processor options, as `--show` is not applied when rendering a saved session with `--load`.)
TREE_OPTIONS = (
    "-p", r"processor_options.show_regex=.*/(weasyprint|ebooklib|pydyf|fontTools|jinja2|lxml)/.*",
    "-p", "processor_options.filter_threshold=0.02",
)


@dataclass(frozen=True)
class Profile:
    scale: int
    format: str
    seconds: float
    tree: str  # path of the text call tree
    functions: list[tuple[str, float]]  # (function, self seconds), most first
    folders: list[tuple[str, float]]  # (package folder, self seconds), most first

    def as_dict(self) -> dict:
        return asdict(self)


def _where(filename: str) -> tuple[str, ...]:
    """The path from the package root: ('weasyprint', 'layout', 'inline.py'), ('compiler', …),
    ('stdlib', 'asyncio', 'base_events.py'); () for frames that are not files ('<string>')."""
    parts = Path(filename).parts
    for i, part in enumerate(parts):
        if part in ("site-packages", "dist-packages"):
            return parts[i + 1 :]
    if "compiler" in parts:
        return parts[len(parts) - 1 - parts[::-1].index("compiler") :]
    for i, part in enumerate(parts):
        if re.fullmatch(r"python3\.\d+", part):
            return ("stdlib", *parts[i + 1 :])
    return parts[-1:] if parts and not filename.startswith("<") else ()


def _folder(filename: str) -> str:
    """Two levels deep: 'weasyprint/layout', 'compiler/read', 'stdlib/asyncio'; modules at a top level as they are."""
    where = _where(filename)
    return "/".join(where[:2]) if where else filename


def _short(filename: str, line: int, name: str) -> str:
    return f"{name} ({'/'.join(_where(filename)) or filename}:{line})"


def hot_spots(stats_file: Path, top: int) -> tuple[float, list[tuple[str, float]], list[tuple[str, float]]]:
    stats = pstats.Stats(str(stats_file))
    rows = stats.stats  # type: ignore[attr-defined]  # {(file, line, name): (cc, nc, tottime, cumtime, callers)}
    functions = sorted(((_short(*key), value[2]) for key, value in rows.items()), key=lambda r: -r[1])
    folders: dict[str, float] = {}
    for (filename, _, _), value in rows.items():
        folders[_folder(filename)] = folders.get(_folder(filename), 0.0) + value[2]
    total = sum(value[2] for value in rows.values())
    return total, functions[:top], sorted(folders.items(), key=lambda r: -r[1])[:top]


def render_tree(session: Path, tree: Path, env: dict[str, str], work: Path) -> None:
    load = [sys.executable, "-m", "pyinstrument", "--load", str(session)]
    subprocess.run([*load, "-r", "text", "--no-color", "--unicode", *TREE_OPTIONS, "-o", str(tree)], check=True, env=env, cwd=work)


def profile_build(anthology_source: Path, scale: int, fmt: str, work: Path, keep: Path, env: dict[str, str], top: int = 12) -> Profile:
    # cwd is WORK, never the checkout: `python -m` puts the cwd first on the path, ahead of --rev's snapshot.
    """Profile `anthology build` of one corpus in one format; the text tree is kept in `keep`."""
    out = work / "profile" / f"{scale}x-{fmt}"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    session = out / "build.pyisession"
    # One layout process: pyinstrument sees only its own process, and the layout is the time to see.
    build = ["-m", "compiler", "build", str(anthology_source), "-o", str(out / "book"), "--format", fmt, "-q", "--jobs", "1"]
    subprocess.run([sys.executable, "-m", "pyinstrument", "-r", "pyisession", "-o", str(session), *build], check=True, env=env, cwd=work)
    keep.mkdir(parents=True, exist_ok=True)
    tree = keep / f"profile-{scale}x-{fmt}.txt"
    load = [sys.executable, "-m", "pyinstrument", "--load", str(session)]
    render_tree(session, tree, env, work)
    stats_file = out / "build.pstats"
    subprocess.run([*load, "-r", "pstats", "-o", str(stats_file)], check=True, env=env, cwd=work)
    total, functions, folders = hot_spots(stats_file, top)
    return Profile(scale, fmt, total, str(tree), functions, folders)
