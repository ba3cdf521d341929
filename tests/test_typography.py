"""Issue 14 (typography): quotes follow the story's language; primes for feet, inches and minutes;
an apostrophe for elisions, never an opening quote; the author's curly quotes kept as typed."""

from __future__ import annotations

from pathlib import Path

import pytest

from compiler.model import Paragraph, Source, Story, Text, plain_text
from compiler.transforms.typography import _fix, style_for, typography


def fix(text: str, language: str = "en") -> str:
    return _fix(text, "", style_for(language))


@pytest.mark.parametrize(
    ("language", "straight", "typeset"),
    [
        ("en", '"Yes," she said, \'no\'.', "“Yes,” she said, ‘no’."),
        ("de", '"Ja", sagte sie, \'nein\'.', "„Ja“, sagte sie, ‚nein‘."),
        ("de-AT", '"Ja", sagte sie.', "„Ja“, sagte sie."),
        ("pl", '"Tak" - powiedziała, \'nie\'.', "„Tak” – powiedziała, «nie»."),
        ("ru", '"Да", сказала она, \'нет\'.', "«Да», сказала она, „нет“."),
        ("fr", '"Oui", dit-elle.', "«\u202fOui\u202f», dit-elle."),
        ("fr-CH", '"Oui", dit-elle.', "«Oui», dit-elle."),  # Swiss French sets no space inside
        ("sv", '"Ja", sa hon.', "”Ja”, sa hon."),
        ("nl", '"Ja," zei ze.', "‘Ja,’ zei ze."),
        ("ja", '"はい"と言った。', "「はい」と言った。"),
        ("he", '"כן," אמרה.', "”כן,” אמרה."),
    ],
)
def test_straight_quotes_take_the_marks_of_the_story_language(language: str, straight: str, typeset: str) -> None:
    assert fix(straight, language) == typeset


def test_a_paragraph_opening_with_a_quote_set_apart_opens_it_against_its_word() -> None:
    # Issue 20: `" We simulate` became ” We, and a line of the book opened with a closing quote.
    assert fix('" We simulate it," he said.', "en") == "“We simulate it,” he said."
    assert fix('"  Ja", sagte sie.', "de") == "„Ja“, sagte sie."


def test_an_apostrophe_is_the_same_in_every_language() -> None:
    # German closes a single quote with ‘, but "geht's" takes the apostrophe ’, as "l'homme" does in French.
    assert fix("Wie geht's?", "de") == "Wie geht’s?"
    assert fix("l'homme et l'enfant", "fr") == "l’homme et l’enfant"


def test_french_spaces_are_narrow_and_unbreakable_inside_guillemets_and_before_high_punctuation() -> None:
    assert fix('" Bonjour " dit-il. Vraiment ? Oui ! Ah ; bon : voilà.', "fr") == (
        "«\u202fBonjour\u202f» dit-il. Vraiment\u202f? Oui\u202f! Ah\u202f; bon\u00a0: voilà."
    )
    # Guillemets the author typed stay, and get the same spaces (none added where none was typed before !).
    assert fix("« Déjà » et «\u00a0Non\u00a0» et Zut!", "fr") == "«\u202fDéjà\u202f» et «\u202fNon\u202f» et Zut!"


def test_curly_quotes_the_author_typed_stay_as_typed() -> None:
    assert fix("„Ja“, sagte sie, “Englisch”.", "de") == "„Ja“, sagte sie, “Englisch”."
    assert fix("«Да», — сказала она.", "ru") == "«Да», — сказала она."


@pytest.mark.parametrize(
    ("straight", "typeset"),
    [
        ("He was 5'10\" and she was 5' 4\".", "He was 5′10″ and she was 5′ 4″."),
        ("a 6'2 forward", "a 6′2 forward"),
        ("at 43°12'30\" north", "at 43°12′30″ north"),
        ("It was 43° in the shade.", "It was 43° in the shade."),
        ("1'000'000 francs", "1’000’000 francs"),  # a Swiss thousands separator is an apostrophe
    ],
)
def test_feet_inches_and_minutes_are_primes_not_quotes(straight: str, typeset: str) -> None:
    assert fix(straight) == typeset


@pytest.mark.parametrize(
    ("straight", "typeset"),
    [
        ("'Tis the season.", "’Tis the season."),
        ("and 'twas cold 'til dawn", "and ’twas cold ’til dawn"),
        ("give 'em hell", "give ’em hell"),
        ("rock 'n' roll", "rock ’n’ roll"),
        ("back in the '90s, in '85", "back in the ’90s, in ’85"),
        ("'t was late", "’t was late"),
        ("\"'Cause I can,\" he said.", "“’Cause I can,” he said."),
        ("She said 'go' and left.", "She said ‘go’ and left."),  # a real quotation still opens
    ],
)
def test_elisions_take_an_apostrophe_never_an_opening_quote(straight: str, typeset: str) -> None:
    assert fix(straight) == typeset


def test_typography_follows_the_story_language_and_is_idempotent() -> None:
    story = Story(
        "s", "T", False, ("A",), Source(Path("s.txt"), "utf-8", "0"), language="fr",
        body=(Paragraph((Text('"Tu viens ?" demanda-t-il, à 5\'10" du sol.'),)),),
    )
    once = typography(story, "en")  # the story's own language wins over the book's
    assert plain_text(once.body[0].children) == "«\u202fTu viens\u202f?\u202f» demanda-t-il, à 5′10″ du sol."  # type: ignore[union-attr]
    assert typography(once, "en") == once
