"""The walk the leaf-rewriting transforms share (xmlchars, longwords).

The model is frozen dataclasses and tuples. A transform that changes a few leaves rebuilds only the
nodes above them, so a story with nothing to change comes back as the very same object. Each leaf
is seen with the line of the nearest node above it that has one, which is where its warning points.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Callable

UNTOUCHED: Any = object()  # what a leaf function returns for a value that is not a leaf of its kind

Leaf = Callable[[Any, int], Any]


def rewrite(value: Any, leaf: Leaf, line: int = 0) -> Any:
    """`value` with every leaf `leaf` rewrites replaced; the same object where nothing changed."""
    done = leaf(value, line)
    if done is not UNTOUCHED:
        return done
    if isinstance(value, tuple):
        walked = tuple(rewrite(item, leaf, line) for item in value)
        return value if all(a is b for a, b in zip(walked, value)) else walked
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        here = getattr(value, "line", 0) or line
        changes = {}
        for f in dataclasses.fields(value):
            old = getattr(value, f.name)
            new = rewrite(old, leaf, here)
            if new is not old:
                changes[f.name] = new
        return dataclasses.replace(value, **changes) if changes else value
    return value  # numbers, booleans, paths (a file's name is not text of the book)
