"""Each story's language: from the manifest or its script; right-to-left stories are set so."""

from __future__ import annotations

import shutil
from pathlib import Path

from compiler.build import build

from .helpers import CORPUS, NS, epub_documents

HEBREW = "hpmor_he_ch02_rtl_bom_crlf_comments.txt"
RUSSIAN = "hpmor_ru_ch01_bom.md.txt"


def _chapter_sections(epub: Path) -> list:  # type: ignore[type-arg]
    return [s for root in epub_documents(epub).values() for s in root.xpath("//x:section[@epub:type='chapter']", namespaces=NS)]


def test_stories_in_other_scripts_get_their_language_and_direction(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    for name in (HEBREW, RUSSIAN):
        shutil.copy2(CORPUS / name, src / name)
    (src / "english.txt").write_text("Plain\n\nby X\n\nAn English story.\n", encoding="utf-8")
    result = build(src, tmp_path / "out")  # EPUBCheck and Ace-relevant markup; the PDF sets Hebrew RTL
    langs = {s.source.path.name: s.language for s in result.anthology.stories}
    assert langs == {HEBREW: "he", RUSSIAN: "ru", "english.txt": ""}
    sections = {s.get("id"): s for s in _chapter_sections(next(p for p in result.outputs if p.suffix == ".epub"))}
    hebrew = next(s for s in sections.values() if s.get("lang") == "he")
    assert hebrew.get("dir") == "rtl" and hebrew.get("{http://www.w3.org/XML/1998/namespace}lang") == "he"
    russian = next(s for s in sections.values() if s.get("lang") == "ru")
    assert russian.get("dir") is None
    assert sum(1 for s in sections.values() if s.get("lang") is None) == 1


def test_the_manifest_sets_a_story_language(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    (src / "fr.txt").write_text("Conte\n\nby X\n\nIl était une fois une lampe.\n", encoding="utf-8")
    (src / "anthology.toml").write_text('[stories."fr.txt"]\nlanguage = "fr"\n', encoding="utf-8")
    result = build(src, tmp_path / "out", ("epub",))
    assert result.anthology.stories[0].language == "fr"
    (section,) = _chapter_sections(result.outputs[0])
    assert section.get("lang") == "fr" and section.get("dir") is None


def test_hebrew_quotes_open_and_close_with_the_hebrew_mark_and_gershayim_stay_inside_words(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    shutil.copy2(CORPUS / HEBREW, src / HEBREW)
    result = build(src, tmp_path / "out", ("epub",))
    (section,) = _chapter_sections(result.outputs[0])
    text = "".join(section.itertext())
    # CLDR's Hebrew delimiters are ” … ” : an English “ would stand on the wrong side of RTL text.
    assert "“" not in text and "‘" not in text
    assert text.count("”") > 120  # the straight double quotes of the chapter (the rest are in its notes)
    assert "לג׳יי קיי" in text  # ג'יי (J.): an apostrophe between two letters is a geresh, not a quote


def test_english_quotes_are_unchanged_by_the_language_table() -> None:
    from compiler.transforms.typography import _fix, style_for

    assert _fix('"Hello," she said, \'yes\'', "", style_for("en")) == "“Hello,” she said, ‘yes’"
    assert _fix('"שלום," אמר', "", style_for("he")) == "”שלום,” אמר"
    assert _fix('צה"ל', "", style_for("he")) == "צה״ל"  # gershayim inside an acronym
    assert _fix("他说……好......", "", style_for("zh")) == "他说……好......"  # a CJK ellipsis is two characters
