"""Package stage (PDF): weasyprint imported once per process, without the processes its import starts.

weasyprint loads Pango, HarfBuzz and fontconfig through cffi, trying several names for each library
(`libgobject-2.0-0`, `gobject-2.0-0`, `gobject-2.0`, …). For every name dlopen() does not take as it
is, cffi asks `ctypes.util.find_library`, which on Linux runs `ldconfig -p` and, when that finds
nothing, gcc and then ld: 86 processes and about 0.3 s of CPU per import, paid again by every layout
process (FIELD-NOTES). While weasyprint is imported here, find_library is answered from one reading
of `ldconfig -p`, by the rule CPython applies to it (the soname of the first `lib<name>.` entry for
this machine's ABI); a name not there is "not found" at once, as gcc and ld would find it nowhere
either. If the import fails that way, it is tried again the slow way, so a library only gcc can
find still loads.

Only the standard library's find_library is replaced, and only during the import; weasyprint itself
is not touched. This module is also the one place that reads a private attribute of weasyprint's
(`font_folder`): WEASYPRINT is the version it was written for, and tests/test_pdf_engine.py fails
when the installed one differs.
"""

from __future__ import annotations

import contextlib
import ctypes.util
import os
import re
import struct
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

WEASYPRINT = "70.0"  # pinned in pyproject.toml; what font_folder() was written against
_LOCK = threading.Lock()  # find_library is a module attribute: one import at a time replaces it
# CPython's Lib/ctypes/util.py (_findSoname_ldconfig): the ABI ldconfig names each library with.
_ABIS = {"x86_64-64": "libc6,x86-64", "ppc64-64": "libc6,64bit", "sparc64-64": "libc6,64bit", "s390x-64": "libc6,64bit", "ia64-64": "libc6,IA-64"}


def _ldconfig_listing() -> bytes:
    try:
        return subprocess.run(
            ["/sbin/ldconfig", "-p"], stdin=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdout=subprocess.PIPE,
            env={"LC_ALL": "C", "LANG": "C"}, check=False,
        ).stdout
    except OSError:
        return b""


def table_lookup(listing: bytes) -> Callable[[str], str | None]:
    """find_library answered from one `ldconfig -p` listing."""
    machine = os.uname().machine + ("-32" if struct.calcsize("l") == 4 else "-64")
    abi = _ABIS.get(machine, "libc6")
    found: dict[str, str | None] = {}

    def find_library(name: str) -> str | None:
        if name not in found:
            match = re.search(os.fsencode(rf"\s+(lib{re.escape(name)}\.[^\s]+)\s+\({abi}"), listing)
            found[name] = os.fsdecode(match.group(1)) if match else None
        return found[name]

    return find_library


@contextlib.contextmanager
def _libraries_from_table() -> Iterator[None]:
    original = ctypes.util.find_library
    ctypes.util.find_library = table_lookup(_ldconfig_listing())  # type: ignore[assignment]  # the same signature
    try:
        yield
    finally:
        ctypes.util.find_library = original


def load() -> ModuleType:
    """The weasyprint module, imported now if it is not yet."""
    if "weasyprint" in sys.modules:
        return sys.modules["weasyprint"]
    with _LOCK:
        if sys.platform.startswith("linux"):
            try:
                with _libraries_from_table():
                    import weasyprint
                return weasyprint
            except OSError:
                pass  # a library ldconfig does not list: the slow way below
        import weasyprint

        return weasyprint


def font_folder(fonts: Any) -> Path | None:
    """The temporary folder a weasyprint FontConfiguration copies a theme's fonts into: weasyprint
    removes it only when the object is collected, which a process ending with os._exit never does.
    Private in weasyprint (`_folder`, 70.0), so read here and nowhere else."""
    folder = getattr(fonts, "_folder", None)
    return Path(folder) if folder else None
