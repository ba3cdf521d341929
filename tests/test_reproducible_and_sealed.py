"""Issue 7: byte-identical outputs in every profile; rendering reaches nothing outside the theme."""

from __future__ import annotations

from pathlib import Path

import pytest

from compiler.build import build
from compiler.options import BuildOptions
from compiler.package.pdf.typesetter import _fetcher
from compiler.render.theme import load_theme

from .helpers import SEEDS


@pytest.mark.parametrize("profile", ["screen", "booklet"])
def test_every_profile_is_byte_identical_between_builds(profile: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    first = build(BuildOptions(source=SEEDS, output=tmp_path / "a", formats=("pdf",), profile=profile)).outputs[0].read_bytes()
    second = build(BuildOptions(source=SEEDS, output=tmp_path / "b", formats=("pdf",), profile=profile)).outputs[0].read_bytes()
    assert first == second


def test_the_fetcher_reads_theme_files_and_refuses_everything_else(tmp_path: Path) -> None:
    theme = load_theme("classic")
    fetch = _fetcher(theme.folders)
    font = theme.find("fonts/EBGaramond12-Regular.otf")
    response = fetch.fetch(font.as_uri())
    assert response is not None
    response.close()
    secret = tmp_path / "secret.txt"
    secret.write_text("private", encoding="utf-8")
    for url in (secret.as_uri(), "http://127.0.0.1:9/x.css", "https://example.org/font.woff", "ftp://example.org/x", (theme.folders[0] / ".." / ".." / "README.md").as_uri()):
        with pytest.raises(ValueError, match="refused"):
            fetch.fetch(url)


def test_a_theme_that_points_outside_builds_without_reaching_out(tmp_path: Path) -> None:
    mine = tmp_path / "leaky"
    mine.mkdir()
    (mine / "theme.toml").write_text('extends = "classic"\n', encoding="utf-8")
    secret = tmp_path / "secret.css"
    secret.write_text("p { color: red; }", encoding="utf-8")
    (mine / "print.css").write_text(
        f'@import url("{secret.as_uri()}");\n@import url("http://127.0.0.1:9/x.css");\n'
        'body { background: url("https://example.org/bg.png"); }\n',
        encoding="utf-8",
    )
    import compiler.package.pdf.typesetter as pdf  # seeds are one chunk: laid out in this process

    asked: list[str] = []
    original = pdf._fetcher

    def spying(roots):  # type: ignore[no-untyped-def]
        fetcher = original(roots)
        inner = fetcher.fetch

        def fetch(url, headers=None):  # type: ignore[no-untyped-def]
            asked.append(url)
            return inner(url, headers)

        fetcher.fetch = fetch
        return fetcher

    pdf._fetcher = spying
    try:
        result = build(BuildOptions(source=SEEDS, output=tmp_path / "out", formats=("pdf",), theme=str(mine)))
    finally:
        pdf._fetcher = original
    assert result.outputs[0].stat().st_size > 50_000  # the book is still made
    # weasyprint asked for the outside resources and every one was refused (the fetcher raises)
    assert any(u.startswith("http://127.0.0.1") for u in asked) and any(u == secret.as_uri() for u in asked)
