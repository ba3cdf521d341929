"""Each story's language: from the manifest or its script; right-to-left stories are set so."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from compiler.build import build
from compiler.options import BuildOptions

from .helpers import CORPUS, NS, epub_documents

HEBREW = "hpmor_he_ch02_rtl_bom_crlf_comments.txt"
RUSSIAN = "hpmor_ru_ch01_bom.md.txt"


def _chapter_sections(epub: Path) -> list:  # type: ignore[type-arg]
    return [s for root in epub_documents(epub).values() for s in root.xpath("//x:section[@epub:type='chapter']", namespaces=NS)]


@pytest.mark.corpus
def test_stories_in_other_scripts_get_their_language_and_direction(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    for name in (HEBREW, RUSSIAN):
        shutil.copy2(CORPUS / name, src / name)
    (src / "english.txt").write_text("Plain\n\nby X\n\nAn English story.\n", encoding="utf-8")
    result = build(BuildOptions(source=src, output=tmp_path / "out"))  # EPUBCheck and Ace-relevant markup; the PDF sets Hebrew RTL
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
    result = build(BuildOptions(source=src, output=tmp_path / "out", formats=("epub",)))
    assert result.anthology.stories[0].language == "fr"
    (section,) = _chapter_sections(result.outputs[0])
    assert section.get("lang") == "fr" and section.get("dir") is None


@pytest.mark.corpus
def test_hebrew_quotes_open_and_close_with_the_hebrew_mark_and_gershayim_stay_inside_words(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    shutil.copy2(CORPUS / HEBREW, src / HEBREW)
    result = build(BuildOptions(source=src, output=tmp_path / "out", formats=("epub",)))
    (section,) = _chapter_sections(result.outputs[0])
    text = "".join(section.itertext())
    # CLDR's Hebrew delimiters are ” … ” : an English “ would stand on the wrong side of RTL text.
    assert "“" not in text and "‘" not in text
    assert text.count("”") > 120  # the straight double quotes of the chapter (the rest are in its notes)
    # ג'יי (J.): an apostrophe between two letters is a geresh, not a quote. It is in the story's
    # disclaimer, which the book sets on its rights page.
    rights = "".join(t for root in epub_documents(result.outputs[0]).values() for t in root.itertext())
    assert "לג׳יי קיי" in rights


def test_english_quotes_are_unchanged_by_the_language_table() -> None:
    from compiler.transforms.typography import _fix, style_for

    assert _fix('"Hello," she said, \'yes\'', "", style_for("en")) == "“Hello,” she said, ‘yes’"
    assert _fix('"שלום," אמר', "", style_for("he")) == "”שלום,” אמר"
    assert _fix('צה"ל', "", style_for("he")) == "צה״ל"  # gershayim inside an acronym
    assert _fix("他说……好......", "", style_for("zh")) == "他说……好......"  # a CJK ellipsis is two characters


FIXTURES = Path(__file__).parent / "fixtures" / "read"


def test_chinese_and_japanese_stories_read_without_bogus_spaces_and_count_every_character(tmp_path: Path) -> None:
    """CJK text: language from the script (kana make it Japanese), hard-wrapped lines joined with no
    space between two CJK characters, every character counted as a word by the nothing-lost check
    (the build verifies it: V001). The EPUB and the model are checked here; whether the PDF's fonts
    have the glyphs is the theme's CJK fallback font, tested with it."""
    from compiler.check import words
    from compiler.inspect import describe, inspect
    from compiler.model import Heading, Paragraph, plain_text

    src = tmp_path / "in"
    src.mkdir()
    for name in ("cjk_zh.txt", "cjk_ja.md"):
        shutil.copy2(FIXTURES / name, src / name)
    result = build(BuildOptions(source=src, output=tmp_path / "out", formats=("epub",)))
    stories = {s.source.path.name: s for s in result.anthology.stories}
    zh, ja = stories["cjk_zh.txt"], stories["cjk_ja.md"]
    assert (zh.language, ja.language) == ("zh", "ja")
    assert (zh.title, zh.authors, ja.title, ja.authors) == ("雨夜的车站", ("林晚秋",), "雨の駅", ("佐藤ゆき",))
    assert [plain_text(b.children) for b in zh.body if isinstance(b, Heading)] == ["第一章", "第二章"]
    first = next(plain_text(b.children) for b in zh.body if isinstance(b, Paragraph))
    assert "她把伞靠在长椅边上，看着站台尽头" in first and " " not in first  # joined across the wrap
    assert "傘をベンチの横に" in plain_text(next(b for b in ja.body if isinstance(b, Paragraph)).children)
    chapters = {s.get("lang"): "".join(s.itertext()) for s in _chapter_sections(result.outputs[0])}
    assert "她把伞靠在长椅边上，看着站台尽头" in chapters["zh"] and "……远处" in chapters["zh"]  # ellipsis kept
    assert "傘をベンチの横に立てかけて" in chapters["ja"]
    # Words: each CJK character is one, in the check and in what `inspect` reports.
    assert words("她把伞")["伞"] == 1 and sum(words("雨夜的车站").values()) == 5
    report = {r.path.name: "\n".join(describe(r)) for r in inspect(src)}
    assert "language:    zh" in report["cjk_zh.txt"] and "language:    ja" in report["cjk_ja.md"]
    body_chars = sum(len([c for c in plain_text(b.children) if c.isalpha()]) for b in zh.body if isinstance(b, Paragraph))
    assert f"{body_chars:,} words" in report["cjk_zh.txt"]


# ------------------------------------------------------------------ issue 14: Latin scripts too

LANGUAGES = Path(__file__).parent / "fixtures" / "language"


def _folder(tmp_path: Path, *names: str) -> Path:
    src = tmp_path / "in"
    src.mkdir(parents=True)
    for name in names:
        shutil.copy2(LANGUAGES / name, src / name)
    return src


def test_every_story_gets_the_language_of_its_text_latin_scripts_included(tmp_path: Path) -> None:
    src = _folder(tmp_path, "de.txt", "en.txt", "es.txt", "fr.txt", "nl.txt", "pl.txt", "vi.txt")
    result = build(BuildOptions(source=src, output=tmp_path / "out", formats=("epub",)))
    langs = {s.source.path.name: s.language for s in result.anthology.stories}
    # The English story is in the book's language: the book's lang covers it, the section has none.
    assert langs == {"de.txt": "de", "en.txt": "", "es.txt": "es", "fr.txt": "fr", "nl.txt": "nl", "pl.txt": "pl", "vi.txt": "vi"}
    sections = {s.get("lang"): "".join(s.itertext()) for s in _chapter_sections(result.outputs[0])}
    assert set(sections) == {"de", "es", "fr", "nl", "pl", "vi", None}
    assert "„Das ist doch nicht möglich“, sagte sie" in sections["de"] and "„Wie geht’s?“" in sections["de"]
    assert "«\u202fTu viens\u202f?\u202f» demanda" in sections["fr"] and "le vieux Paul\u00a0: personne" in sections["fr"]
    assert "„Wszystko w porządku?” zapytał" in sections["pl"]
    assert "“¿Estás bien?”, le preguntó" in sections["es"]  # CLDR sets Spanish quotes as English ones
    assert "“Are you all right?” he asked" in sections[None]


def test_the_manifest_language_wins_over_the_text(tmp_path: Path) -> None:
    src = _folder(tmp_path, "de.txt")
    (src / "anthology.toml").write_text('[stories."de.txt"]\nlanguage = "de-CH"\n', encoding="utf-8")
    result = build(BuildOptions(source=src, output=tmp_path / "out", formats=("epub",)))
    assert result.anthology.stories[0].language == "de-CH"
    (section,) = _chapter_sections(result.outputs[0])
    assert section.get("lang") == "de-CH" and "„Das ist doch nicht möglich“" in "".join(section.itertext())


def test_a_story_too_short_to_tell_keeps_the_book_language(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    (src / "tiny.txt").write_text("Plain\n\nby X\n\nAn English story.\n", encoding="utf-8")  # the model guesses Bikol here
    result = build(BuildOptions(source=src, output=tmp_path / "out", formats=("epub",)))
    assert result.anthology.stories[0].language == ""


def test_inspect_json_reports_each_story_language(tmp_path: Path) -> None:
    import json
    import subprocess
    import sys

    src = _folder(tmp_path, "fr.txt", "en.txt", "vi.txt")
    run = subprocess.run([sys.executable, "-m", "compiler", "inspect", "--json", str(src)], capture_output=True, text=True, check=True)
    assert {s["file"]: s["language"] for s in json.loads(run.stdout)["stories"]} == {"en.txt": "en", "fr.txt": "fr", "vi.txt": "vi"}


def test_a_book_whose_stories_are_all_in_one_other_language_says_how_to_make_it_the_book_language(tmp_path: Path) -> None:
    src = _folder(tmp_path, "fr.txt")
    result = build(BuildOptions(source=src, output=tmp_path / "out", formats=("epub",)))
    (hint,) = [d for d in result.diagnostics if d.code == "A030"]
    assert 'language = "fr"' in hint.message
    assert not [d for d in build(BuildOptions(source=_folder(tmp_path / "two", "fr.txt", "en.txt"), output=tmp_path / "out2", formats=("epub",))).diagnostics if d.code == "A030"]


def test_an_english_book_does_not_load_the_language_model(tmp_path: Path) -> None:
    """The model costs 0.4 s of CPU to load, as much as a small EPUB build: English stories, most
    stories, are told by their commonest words instead."""
    import subprocess
    import sys

    src = _folder(tmp_path, "en.txt")
    shutil.copy2(Path(__file__).parent.parent / "seeds" / "000_a1435ebc971daef6.txt", src / "seed.txt")
    code = (
        "import sys; from pathlib import Path; from compiler.build import build; from compiler.options import BuildOptions; "
        f"build(BuildOptions(source=Path({str(src)!r}), output=Path({str(tmp_path / 'out')!r}), formats=('epub',))); "
        "print('py3langid' in sys.modules)"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert run.stdout.strip() == "False"
