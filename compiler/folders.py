"""The folder every command works on when none is named: one rule, so that `init`, `build`,
`check`, `inspect`, `watch`, `deliver` and `themes preview` agree.

It is the current folder: `cd my-stories && anthology init && anthology build` works, the book
going to `my-stories/output/` (only files directly in the folder are read, so the book beside the
stories is never taken for one). The one exception is anthology's own source checkout, whose top
holds the README and the code rather than stories: there, unless an anthology.toml says the
folder is an anthology after all, the default is its sample stories, `seeds/`.
"""

from __future__ import annotations

from pathlib import Path

from .config import MANIFEST

SEEDS = "seeds"


def _checkout() -> Path | None:
    """The source checkout this program runs from, if it runs from one (not from an install)."""
    top = Path(__file__).resolve().parent.parent
    return top if (top / SEEDS).is_dir() and (top / "pyproject.toml").is_file() else None


def default_source(here: Path | None = None) -> Path:
    here = Path.cwd() if here is None else here
    checkout = _checkout()
    if checkout is not None and here.resolve() == checkout and not (here / MANIFEST).is_file():
        return Path(SEEDS)
    return Path(".")
