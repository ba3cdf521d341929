"""Issue 17, fuzzing (loaders side): any bytes as a stories folder's anthology.toml, and any bytes as
a theme's theme.toml, load or give a diagnostic (BuildError), never another exception. Seeded with
the shapes that broke loaders before (deep nesting, wrong types, NUL bytes, a file that is not
UTF-8) and mutated by hypothesis around TOML's own syntax."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from compiler.config import MANIFEST, load_config
from compiler.diagnostics import BuildError
from compiler.render.theme import load_theme

from .fuzz.seeds import LOADER_SHAPES
from .helpers import ROOT

SEEDS = LOADER_SHAPES  # shared with the atheris seeds (tests/fuzz/seeds.py), where crashes found are added
_TOML = st.sampled_from(['title = ', '"x"', "[", "]", "[[", "]]", "{", "}", " = ", "\n", "true", "-1", "1e999", "'''",
                         "[stories.\"a.txt\"]\n", "[volumes]\n", "[labels]\n", "[page]\n", "extends = ", "count = ", ",", "."])
_TEXT = st.lists(st.one_of(_TOML, st.text(max_size=8)), max_size=40).map("".join)


def _config(tmp: Path, data: bytes) -> None:
    (tmp / MANIFEST).write_bytes(data)
    try:
        load_config(tmp)
    except BuildError:
        pass


def _theme(tmp: Path, data: bytes) -> None:
    folder = tmp / "theme"
    if not folder.exists():
        shutil.copytree(ROOT / "themes" / "classic", folder)
    (folder / "theme.toml").write_bytes(data)
    try:
        load_theme(str(folder), tmp)
    except BuildError:
        pass


@pytest.mark.parametrize("seed", range(len(SEEDS)))
def test_hostile_manifests_and_theme_files_load_or_give_a_diagnostic(tmp_path: Path, seed: int) -> None:
    _config(tmp_path, SEEDS[seed])
    _theme(tmp_path, SEEDS[seed])


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=_TEXT, raw=st.binary(max_size=16))
def test_any_manifest_loads_or_gives_a_diagnostic(tmp_path: Path, text: str, raw: bytes) -> None:
    _config(tmp_path, text.encode("utf-8", "surrogatepass") + raw)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=_TEXT, raw=st.binary(max_size=16))
def test_any_theme_file_loads_or_gives_a_diagnostic(tmp_path: Path, text: str, raw: bytes) -> None:
    _theme(tmp_path, text.encode("utf-8", "surrogatepass") + raw)
