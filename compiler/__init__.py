"""anthology: turns a folder of stories into an anthology, as an EPUB 3 and a print PDF.

The library API, importable from here:

    from compiler import build, BuildOptions              # one book
    from compiler import build_many                       # many, on Dask or any Executor

Each name is imported when first used (PEP 562), so `import compiler` (and `anthology --help`, which
imports it) loads none of the pipeline. No import statement names a submodule here: the layering
test reads them, and every submodule imports `__version__` from this package.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

# name -> the module that defines it. `build` is the module compiler.build itself, which is callable
# (see the end of build.py): importing that submodule anywhere binds the name `build` here to the
# module, so a plain function under the same name could not stay put.
_LAZY = {
    "build": "compiler.build",
    "BuildResult": "compiler.build",
    "BuildOptions": "compiler.options",
    "BuildError": "compiler.diagnostics",
    "Diagnostic": "compiler.diagnostics",
    "build_many": "compiler.batch",
    "BookResult": "compiler.batch",
    "PartResult": "compiler.batch",
    "Limits": "compiler.batch",
}
__all__ = ["__version__", *_LAZY]


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module = importlib.import_module(_LAZY[name])
    value = module if name == "build" else getattr(module, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
