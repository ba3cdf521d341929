"""Transform stage (data for typography.py): the quotation marks each language sets.

Straight quotes become the story's language's marks: a straight double quote its primary pair, a
straight single quote (one that is not an apostrophe) its alternate pair. The pairs are the
Unicode CLDR's `delimiters` (CLDR 47, common/main/*.xml: quotationStart, quotationEnd,
alternateQuotationStart, alternateQuotationEnd), the data browsers use for `<q>`; languages CLDR
sets like English (Danish, Spanish, Vietnamese, Chinese, Korean…) are not listed. An apostrophe is
’ in every language, whatever its closing single quote is (German ‘, Swedish ’).

French sets a narrow no-break space (U+202F) inside guillemets and before ; ! ?, and a no-break
space before the colon (Imprimerie nationale, Lexique des règles typographiques); Swiss French
sets guillemets without spaces.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Marks:
    """Opening and closing double, then single, quotation marks (CLDR `delimiters`)."""

    open2: str = "“"
    close2: str = "”"
    open1: str = "‘"
    close1: str = "’"


ENGLISH = Marks()

_GROUPS: dict[str, tuple[str, ...]] = {
    "„”‚’": ("ff",),
    "«»‹›": ("am", "fa", "fr-ch", "gsw"),
    "”“’‘": ("ar", "ur", "syr"),
    "«»“”": ("ast", "br", "ca", "el", "eu", "it", "kk", "mg", "pt-pt", "sc", "sq", "ti"),
    "«»„“": ("be", "ru", "uk", "ky", "cv", "sah"),
    "„“„“": ("bg", "lt"),
    "„“‚‘": ("cs", "de", "dsb", "et", "hr", "hsb", "is", "lb", "mk", "sk", "sl"),
    "„”‘’": ("bs",),
    "«»‘’": ("no", "rw"),
    "””’’": ("fi", "he", "sv"),
    "«»”“": ("fr-ca",),
    "«»«»": ("fr", "hy"),
    "„”»«": ("hu",),
    "‘’“”": ("ia", "nso", "tn"),
    "「」『』": ("ja", "yue", "zh-hant"),
    "„“«»": ("ka",),
    "‘’‘’": ("nl",),
    "„”«»": ("pl", "ro"),
    "„”’’": ("sr",),
    "“”“”": ("tk",),
    "“”’‘": ("uz",),
}
_BY_LANGUAGE = {language: Marks(*group) for group, languages in _GROUPS.items() for language in languages}


def marks_for(language: str) -> Marks:
    """The marks of a BCP 47 tag: its language and region first ("fr-CH"), then its language."""
    parts = language.lower().replace("_", "-").split("-")
    for key in ("-".join(parts[:2]), parts[0]):
        if key in _BY_LANGUAGE:
            return _BY_LANGUAGE[key]
    return ENGLISH


def french_spacing(language: str) -> bool:
    parts = language.lower().replace("_", "-").split("-")
    return parts[0] == "fr" and "ch" not in parts[1:]
