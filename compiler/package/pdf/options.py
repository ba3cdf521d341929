"""Package stage (PDF): how a layout is to be done, shared by the chunk scheduler and the one-pass layout."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from .layoutcache import LayoutCache
from .workers import Workers


@dataclass
class PdfOptions:
    trim: str | None = None
    profile: str = "print"
    bleed: bool = False
    cache: LayoutCache | None = None
    workers: int | None = None  # None: one per core
    chunk_bytes: int | None = None  # None: CHUNK_BYTES
    one_pass: bool = False  # lay the book out in one pass (the tests' reference)
    page_map: bool = True  # note where each page begins in the text (the EPUB's page list); else only the page labels
    pool: Workers | None = None  # worker processes started early (start_workers); closed once laid out
    progress: Callable[[int, int], None] = field(default=lambda done, total: None)  # stories laid out, of all
