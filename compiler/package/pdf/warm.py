"""Package stage (PDF): what every layout worker needs, loaded once in the fork server.

multiprocessing's fork server imports this module (workers.py names it as the server's preload) and
then forks each layout worker from itself, so a worker starts with weasyprint, pypdfium2 and the
layout modules already imported. Nothing else imports it: importing it is its whole purpose.
"""

from __future__ import annotations

import atexit
import gc
import os
import shutil
from multiprocessing import forkserver

from ... import timings  # noqa: F401  (imported for the workers: they time each job)
from .. import extract  # noqa: F401  (each page's text read back: pypdfium2, imported when first used)
from . import pagestarts, typesetter  # noqa: F401
from .engine import load

load()
import pypdfium2  # noqa: E402, F401
import weasyprint.text.fonts  # noqa: E402, F401

# Everything loaded so far lives as long as the server and its workers: out of the collector's sight,
# so no worker's collections walk it (nor copy its memory pages by writing their headers).
gc.freeze()


def _remove_listener_folder() -> None:
    """The server listens on a socket in a `pymp-*` folder its starting process made and removes as
    it exits; a process killed outright leaves it. The server ends only once that process and every
    worker are gone, so whatever is left of the folder then is left over. (The address is private to
    multiprocessing: read as Python 3.11 to 3.13 keep it, and the killed-build test watches it.)"""
    address = getattr(getattr(forkserver, "_forkserver", None), "_forkserver_address", None)
    if isinstance(address, str) and address.startswith("/"):
        folder = os.path.dirname(address)
        if os.path.basename(folder).startswith("pymp-"):
            shutil.rmtree(folder, ignore_errors=True)


atexit.register(_remove_listener_folder)
