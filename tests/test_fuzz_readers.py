"""Issue 17, fuzzing (readers side): any bytes given to a reader, in every format, become a story or
a diagnostic (BuildError), never another exception. Without coverage guidance (hypothesis, seeded
with hostile shapes and the corpus's first kilobytes when ../shared is there); atheris installs
here as a wheel, and a coverage-guided run over the same targets is the next step (see the report
of issue 17 part B). Crashes found become regression examples below."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from compiler.diagnostics import BuildError
from compiler.read import read_story

from .helpers import CORPUS

SUFFIXES = (".txt", ".md", ".html", ".xhtml")
SEEDS = [
    b"<html><body>" + b"<div>" * 300 + b"deep" + b"</div>" * 300,
    b"---\na: &a [1]\nb: [*a, *a]\n---\n# T\n\ntext",
    b'<?xml version="1.0" encoding="utf-8"?><html><body><p>x</p></body></html>',
    b"\xef\xbb\xbf\x93cp1252\x94",
    b"\xff\xfe\x00\xd8x\x00",
    b"by" + b" " * 300 + b"\n\ntext",
    b"<i>" * 250 + b"x",
    # Found by this test (exit 70 on main before): a reference to a control character alone in a
    # file; a Markdown file holding the start of a whole page (lxml: "too many bodies"); a doctype
    # alone as Markdown's HTML block (lxml: "Document is empty").
    b"&#1;",
    b"<!DOCTYPE html><html><head>\n",
    b"<!DOCTYPE html>\n",
]
if CORPUS.is_dir():
    SEEDS += [p.read_bytes()[:1024] for p in sorted(CORPUS.glob("*.txt"))[:8]]


def _read(tmp: Path, data: bytes, suffix: str) -> None:
    path = tmp / f"story{suffix}"
    path.write_bytes(data)
    try:
        read_story(path, None)
    except BuildError:
        pass  # a diagnostic with a code: what bad input is owed


@pytest.mark.parametrize("suffix", SUFFIXES)
@pytest.mark.parametrize("seed", range(len(SEEDS)))
def test_hostile_seeds_read_or_give_a_diagnostic(tmp_path: Path, suffix: str, seed: int) -> None:
    _read(tmp_path, SEEDS[seed], suffix)


_MARKUP = st.sampled_from(["<p>", "</p>", "<i>", "</i>", "<div>", "<dl><dt>", "*", "_", "> ", "- ", "1. ", "#", "---\n",
                           "\n", "  ", "by ", "Subject: ", "&amp;", "&#1;", "\u202e", "\u200b", "<!--", "-->", "`"])
_TEXT = st.lists(st.one_of(_MARKUP, st.text(max_size=12)), max_size=60).map("".join)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(text=_TEXT, suffix=st.sampled_from(SUFFIXES), raw=st.binary(max_size=64))
@example(text="<i>" * 300, suffix=".html", raw=b"")
def test_any_text_in_any_format_reads_or_gives_a_diagnostic(tmp_path: Path, text: str, suffix: str, raw: bytes) -> None:
    _read(tmp_path, text.encode("utf-8", "surrogatepass") + raw, suffix)
