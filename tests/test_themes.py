"""Issue 6 (themes): three built-in themes, each building the seeds into valid books with its own type."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pikepdf
import pytest

from compiler.build import build
from compiler.options import BuildOptions
from compiler.render.theme import load_theme

from .helpers import SEEDS, pdf_pages

FONT_OF = {"classic": "Anthology-Serif", "modern": "Anthology-Sans", "large-print": "Anthology-Large"}
TRIM_OF = {"classic": (396, 612), "modern": (432, 648), "large-print": (504, 720)}


@pytest.mark.parametrize("theme", sorted(FONT_OF))
def test_each_theme_builds_the_seeds_in_its_own_type_and_trim(theme: str, tmp_path: Path) -> None:
    result = build(BuildOptions(source=SEEDS, output=tmp_path, theme=theme))  # its EPUB goes through EPUBCheck with the rest
    pdf = next(p for p in result.outputs if p.suffix == ".pdf")
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout.splitlines()[2:]
    names = {row.split()[0].split("+", 1)[1] for row in fonts}
    assert all(row.split()[-5] == "yes" for row in fonts)  # embedded
    assert {n for n in names if not n.startswith(FONT_OF[theme])} == set(), names
    with pikepdf.open(pdf) as doc:
        assert {tuple(round(float(v)) for v in p.mediabox)[2:] for p in doc.pages} == {TRIM_OF[theme]}
    assert any("Breaking Down" in page for page in pdf_pages(pdf))


def test_child_theme_inherits_templates_and_cascades_stylesheets() -> None:
    theme = load_theme("modern")
    assert [p.parent.name for p in theme.chain("print.css")] == ["classic", "modern"]
    assert theme.find("templates/chapter.xhtml").parent.parent.name == "classic"
    assert theme.settings.print.trim == "6x9"


def test_a_user_theme_folder_overrides_one_file_and_keeps_the_rest(tmp_path: Path) -> None:
    mine = tmp_path / "mytheme"
    (mine / "templates").mkdir(parents=True)
    (mine / "theme.toml").write_text('name = "mine"\nextends = "classic"\n', encoding="utf-8")
    rights = load_theme("classic").find("templates/rights.xhtml").read_text(encoding="utf-8")
    (mine / "templates" / "rights.xhtml").write_text(rights.replace("Each story in this collection", "Every tale here"), encoding="utf-8")
    result = build(BuildOptions(source=SEEDS, output=tmp_path / "out", formats=("pdf",), theme=str(mine)))
    text = "".join(pdf_pages(result.outputs[0]))
    assert "Every tale here" in text and "Breaking Down" in text


def test_unknown_theme_is_a_clear_error_listing_the_choices(tmp_path: Path) -> None:
    run = subprocess.run(
        [sys.executable, "-m", "compiler", "build", str(SEEDS), "-o", str(tmp_path), "--theme", "gothic"],
        capture_output=True, text=True,
    )
    assert run.returncode == 5
    assert "classic" in run.stderr and "large-print" in run.stderr and "Traceback" not in run.stderr
    assert not list(tmp_path.iterdir())  # nothing written


CJK_FONT_OF = {"classic": "Noto-Serif-CJK-SC", "modern": "Noto-Sans-CJK-SC", "large-print": "Noto-Sans-CJK-SC"}
CJK_STORIES = {
    "ja.txt": "桜の森の満開の下\n\nby 坂口安吾\n\n" + "桜の花が咲くと人々は酒をぶらさげたり団子をたべて花の下を歩いて絶景だの春ランマンだのと浮かれて陽気になりますが、これは嘘です。" * 3 + "\n",
    "zh.txt": "月下独酌\n\nby 李白\n\n花间一壶酒，独酌无相亲。举杯邀明月，对影成三人。月既不解饮，影徒随我身。暂伴月将影，行乐须及春。\n",
    "en.txt": "The Tea House\n\nby Someone\n\nShe wrote 「お茶」 on the card and, in her grandmother’s hand, 茶馆.\n",
}


@pytest.mark.parametrize("theme", sorted(CJK_FONT_OF))
def test_chinese_and_japanese_print_in_the_noto_cjk_the_theme_names(theme: str, tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    for name, text in CJK_STORIES.items():
        (src / name).write_text(text, encoding="utf-8")
    result = build(BuildOptions(source=src, output=tmp_path / "out", formats=("pdf",), theme=theme))  # the nothing-lost check reads it back
    assert [d for d in result.diagnostics if d.code == "P010"] == []
    pdf = result.outputs[0]
    rows = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout.splitlines()[2:]
    assert all(row.split()[-5] == "yes" for row in rows)  # embedded
    names = {row.split()[0].split("+", 1)[1] for row in rows}
    assert CJK_FONT_OF[theme] in names and all(n.startswith((FONT_OF[theme], CJK_FONT_OF[theme])) for n in names), names
    text = "".join(pdf_pages(pdf)).replace("\n", "")
    assert "花间一壶酒，独酌无相亲。" in text and "桜の森の満開の下" in text and "「お茶」" in text  # glyphs map back to text


def test_every_problem_of_a_theme_toml_is_listed_at_once_with_the_nearest_key(tmp_path: Path) -> None:
    mine = tmp_path / "mytheme"
    mine.mkdir()
    (mine / "theme.toml").write_text(
        'extends = "classic"\nautor_separator = " / "\n[print]\ntrim = 6\ninsde = 0.9\n[[system_fonts]]\nfamily = "X"\nunicode_range = "U+ZZ"\n',
        encoding="utf-8",
    )
    run = subprocess.run(
        [sys.executable, "-m", "compiler", "build", str(SEEDS), "-o", str(tmp_path / "out"), "--theme", str(mine)],
        capture_output=True, text=True,
    )
    assert run.returncode == 5 and "Traceback" not in run.stderr
    assert 'T005: unknown key autor_separator; did you mean "author_separator"?' in run.stderr
    assert 'T005: unknown key print.insde; did you mean "inside"?' in run.stderr
    assert "T007: print.trim must be a string, not a number" in run.stderr
    assert "T004: system_fonts[1] needs files" in run.stderr and "'U+ZZ' is not a range" in run.stderr
    assert not (tmp_path / "out").exists()


def test_a_child_theme_overrides_its_parents_settings_key_by_key(tmp_path: Path) -> None:
    mine = tmp_path / "mytheme"
    mine.mkdir()
    (mine / "theme.toml").write_text('extends = "modern"\n[print]\ninside = 1.0\n[labels]\nnotes = "Endnotes"\n[extra]\nmotto = "x"\n', encoding="utf-8")
    settings = load_theme(str(mine)).settings
    assert settings.print.inside == 1.0 and settings.print.trim == "6x9"  # the rest of [print] from modern
    assert settings.labels.notes == "Endnotes" and settings.labels.contents == "Contents"
    assert settings.for_templates()["extra"] == {"motto": "x"}
