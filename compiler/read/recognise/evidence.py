"""Recogniser: the evidence rules look at — label words, heading shapes, what prose looks like.

Patterns over *source text* (never over rendered markup). Label words are given in the languages
met so far; a new language is a new alternative here, not a new rule.
"""

from __future__ import annotations

import re

from ...scripts import columns

_SEP = r"\s*[:;.\-–—…]+\s*"

SUMMARY = re.compile(rf"^\s*(?:summary|blurb|synopsis|résumé|resumen|zusammenfassung|описание|аннотация){_SEP}(?P<rest>.*)$", re.I | re.S)
# "Disclaimer", "Disclaimers", "Standard disclaimer", and the same in the languages we have met.
DISCLAIMER = re.compile(
    rf"^\s*(?:standard\s+)?(?:disclaimers?|disclamer|отказ от прав|дисклеймер|descargo(?: de responsabilidad)?|"
    rf"avertissement|haftungsausschluss|zastrzeżenie|כתב ויתור|הסתייגות){_SEP}(?P<rest>.*)$",
    re.I | re.S,
)
# "{These characters are not property of us…}", "[I don't own Harry Potter]", "<insert disclaimer>":
# a whole block in brackets that talks about ownership (note markers such as "[a]" may follow).
BRACKETED_DISCLAIMER = re.compile(
    r"^\s*[{\[<](?P<rest>[^{}\[\]<>]*\b(?:own|owns|property|belong|belongs|disclaim\w*|copyright\w*|trademarks?)\b[^{}\[\]<>]*"
    r"|[^{}\[\]<>]*(?:הסתייגות|принадлеж|авторск)[^{}\[\]<>]*)[}\]>]\s*(?:\[\w{1,3}\]\s*)*$",
    re.I | re.S,
)
# Ownership said without a label: "Harry Potter belongs to J.K. Rowling", "I don't own …".
OWNERSHIP = re.compile(
    r"\b(?:belongs?\s+to|property\s+of|(?:do\s+not|don'?t|doesn'?t)\s+own|not\s+mine|no\s+es\s+mío|gehör\w*|"
    r"принадлеж\w*|owned\s+by|all\s+rights\s+reserved)\b",
    re.I,
)
# The separate things a disclaimer says, each its own evidence: who owns or holds the rights, that
# the story is fiction, that any likeness is chance, that no harm or money is meant.
DISCLAIMER_CUES = (
    re.compile(r"\b(?:belongs?\s+to|property\s+of|(?:do\s+not|don'?t|doesn'?t)\s+own|owned\s+by|copyrighted\s+by|trademarks?\s+of)\b", re.I),
    re.compile(r"(?:\bcopyright\b|\(c\)|©)", re.I),
    re.compile(r"\ball\s+rights\s+reserved\b", re.I),
    re.compile(r"\bwork\s+of\s+fiction\b|\bused\s+fictitiously\b", re.I),
    re.compile(r"\bresemblance\s+to\s+(?:actual|real)\b", re.I),
    re.compile(r"\bno\s+(?:copyright\s+)?infringement\b|\bno\s+(?:money|profit)\b|\bnot\s+(?:making|for)\s+(?:any\s+)?(?:money|profit)\b", re.I),
)


_NAME = re.compile(r"^(?:[A-Z][\w'’.-]*\.?\s+){1,3}[A-Z][\w'’-]+$")


def split_names(value: str) -> list[str]:
    """"Annie Fellows-Johnston and Albion Fellows Bacon": two authors, when each side is a
    person's name (capitalised words, two to four); "Simon and Schuster" alone stays one name."""
    parts = [p.strip() for p in re.split(r"\s+(?:and|&)\s+|\s*,\s*(?:and\s+)?", value.strip()) if p.strip()]
    if len(parts) > 1 and all(_NAME.match(p) for p in parts):
        return parts
    return [value.strip()]


def disclaimer_cues(text: str) -> int:
    """How many of a disclaimer's separate statements a passage makes."""
    return sum(bool(cue.search(text)) for cue in DISCLAIMER_CUES)


# A rights notice: "Copyright (c) 1993 Allen Ruffin", "this story is (c) 1990 …", "© 2004".
RIGHTS = re.compile(r"(?:\bcopyright\b|\(c\)|©)\s*\d{0,4}", re.I)
AUTHOR_NOTE = re.compile(
    rf"^\s*(?:a\s*/\s*n|an(?=\s*:)|author'?s'?\s+notes?|author’s\s+notes?|notes?\s+from\s+the\s+author|примечани[ея]\s+автора|"
    rf"от\s+автора|n\s*/\s*a|nota\s+del\s+autor|nota\s+de\s+la\s+autora|note\s+de\s+l'auteur|nda|anmerkung(?:en)?(?:\s+des\s+autors)?|"
    rf"הערת\s+המחבר|t/?n|translator'?s'?\s+notes?|notes?){_SEP}(?P<rest>.*)$",
    re.I | re.S,
)
# Inside the story a bare "Note:" is more often part of it (a memo, a sign) than the author's.
AUTHOR_NOTE_STRICT = re.compile(
    rf"^\s*(?:a\s*/\s*n|an(?=\s*:)|author'?s'?\s+notes?|author’s\s+notes?|notes?\s+from\s+the\s+author|примечани[ея]\s+автора|"
    rf"от\s+автора|n\s*/\s*a|nota\s+del\s+autor|nota\s+de\s+la\s+autora|note\s+de\s+l'auteur|nda|anmerkung(?:en)?(?:\s+des\s+autors)?|"
    rf"הערת\s+המחבר|t/?n|translator'?s'?\s+notes?){_SEP}(?P<rest>.*)$",
    re.I | re.S,
)
# Author labels in header fields and bylines, in the languages met: "Autora: Rinoaebastel".
AUTHOR_FIELD = re.compile(r"^\s*(?:author|autora?|auteure?|autorin|verfasser(?:in)?|автор|autorka|written\s+by|作者|著者)\s*[:：]\s*(?P<name>\S.{0,60}?)\s*$", re.I)
# Possessive runs of spaces (`*+`, Python 3.11): "by" and 300 spaces once took 106 s, each split of
# the spaces between the optional parts tried in turn; these take the same lines in linear time.
BYLINE = re.compile(r"^\s*+(?:\(\s*+)?(?:written\s++)?by(?:\s*+:)?\s++(?P<name>[^()\n]{1,60}?)\s*+(?:\)\s*+)?$", re.I)
# The same in the languages met ("Por You_Light_The_Sky", "von Anna", "par Marie"): these words
# also open ordinary phrases ("Por favor", "par exemple"), so the name must start with a capital.
BYLINE_OTHER = re.compile(
    r"^\s*+(?:\(\s*+)?(?:por|par|von|door|av|przez|di|от)(?:\s*+:)?\s++(?P<name>[^\W\d_][^()\n]{0,59}?)\s*+(?:\)\s*+)?$", re.I
)
# "an EXCALIBUR EPIC by": a byline whose name is on the next line.
BY_ALONE = re.compile(r"^\s*(?:.{0,40}\s)?by\s*:?\s*$", re.I)
# "[jan.10/09 START]", "[Updated 3/4]", "[COMPLETE]": progress stamps fan-fiction authors add.
STATUS = re.compile(
    r"\[(?P<stamp>[^\[\]\n]{0,40}\b(?:start(?:ed)?|end(?:ed)?|complete[d]?|updated?|wip|finished|done)\b[^\[\]\n]{0,20})\]",
    re.I,
)
GLOSSARY_HEADING = re.compile(
    r"^\s*(?P<heading>[^\n]{0,60}\b(?:symbology|symbolism|glossary|legend|terms|translations?|meanings?|vocabulary|words)\b[^\n]{0,60}?)\s*:?\s*$",
    re.I,
)
# Runs of spaces are taken whole (possessive): two `\s*` side by side tried every split of a run
# between them, so a term and 100,000 spaces cost quadratic time. The spaced hyphen's leading space
# is then looked back at rather than taken.
GLOSSARY_ENTRY = re.compile(
    r"^\s*+(?P<term>[^\s()–—:][^()–—:\n]{0,40}?)(?:\s*+\((?P<qual>[^()\n]{1,40})\))?\s*+(?:[–—]|(?<=\s)-\s|:)\s*+(?P<definition>\S.*)$"
)
# "To be continued…", "TBC", "The End", "Fin", "-end-", "T H E  E N D", "KONIEC PROLOGU", "CDN…".
END_MARK = re.compile(
    r"^\W*(?:to\s+be\s+continued|tbc|cdn|c\.d\.n|the\s+end\??|end|fin|finis|konie[cn]\w*(?:\s+\w+)?|fine|ende|конец|"
    r"продолжение\s+следует|continuar[áa]|continuará|סוף|t\s*h\s*e\s+e\s*n\s*d|concluded\s+in\s+part\s+\w+|end\s+of\s+part\s+\w+|"
    # "END part 1....part 2 will be posted shortly": the end of a posted part, and what comes next
    r"end\s+(?:of\s+)?(?:part|chapter|pt\.?)\s*\w+(?:\s*[.…!:;,-]+\s*[^.!?\n]{0,60})?)\W*$",
    re.I,
)
# "... Comments pretty please?", "Please review!", "R&R": requests that close a post.
REVIEW_REQUEST = re.compile(r"\b(?:reviews?|comments?|r\s*&\s*r|feedback)\b", re.I)

# ---------------------------------------------------------------- headings

_NUMBER_WORDS = (
    "one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|"
    "seventeen|eighteen|nineteen|twenty|first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|last|final"
)
NUMBER = rf"(?:\d{{1,3}}|[ivxlc]{{1,7}}|{_NUMBER_WORDS})"
LABELS = (
    r"chapter|chap\.|ch\.|part|book|volume|vol\.|act|scene|lesson|episode|section|canto|stave|"
    r"глава|часть|книга|פרק|חלק|capítulo|capitulo|parte|libro|chapitre|partie|livre|kapitel|teil|buch|rozdział|część|chương|phần"
)
CHAPTER = re.compile(
    rf"^(?:.{{0,40}},\s*)?(?:{LABELS})\s+{NUMBER}\b\.?(?:\s*[:.\-–—]\s*(?P<title>\S.*)|\s+(?P<rest>\S.*))?$",
    re.I,
)
STANDALONE = re.compile(
    r"^(?:prologue|epilogue|interlude|afterword|foreword|intermission|coda|пролог|эпилог|prólogo|epílogo|prolog|epilog|"
    r"épilogue|פרולוג|אפילוג)\b\.?(?:\s*[:.\-–—]\s*\S.*)?$",
    re.I,
)
# A block that is only a number: "1", "VII", "IV." — how many plain-text stories number their parts.
BARE = re.compile(r"^(?:\d{1,3}|[IVXLC]{1,7})\.?$")
# Chinese and Japanese: "第一章", "第2章 重逢", "第三話", "第十二回".
CJK_NUMBER = "[0-9０-９一二三四五六七八九十百千零〇两]{1,6}"
CJK_HEADING = re.compile(rf"^第\s*(?P<num>{CJK_NUMBER})\s*(?P<unit>[章回节節話话部卷幕篇])(?:[\s:：.．、]*\S.{{0,40}})?$")
# "A. First Choices", "C.Third Suspicions", "H . Pain", "1. Good And Bad": a lettered or numbered
# section title (its letters must run in sequence for the rule to be sure).
LETTERED = re.compile(r"^\.?(?P<mark>[A-Z]|\d{1,2})\s?\.\s?(?P<title>[^\W\d_][^.!?]{1,70})$")
# A level above chapters: "BOOK I", "PART TWO", "VOLUME III".
UPPER_LEVEL = re.compile(rf"^(?:book|part|volume|vol\.|livre|partie|teil|buch|часть|книга|parte|libro)\s+{NUMBER}\b", re.I)
# Preface sections of a book: what they hold is the author's note before the text.
PREFACE = re.compile(
    r"^(?:foreword|preface|introduction|author'?s\s+(?:note|preface|foreword)|a\s+note\s+from\s+the\s+author|prefatory\s+note|"
    r"avant-propos|préface|vorwort|einleitung|prefacio|предисловие|вступление)\W*$",
    re.I,
)
# "[Illustration: …]", "[Sidenote: …]": a transcriber's placeholder for what the printed page had.
PLACEHOLDER = re.compile(r"^\[(?:illustration|sidenote|music|image|transcriber'?s?\s+note)\b", re.I)
CONTENTS = re.compile(r"^(?:table\s+of\s+)?contents?\b|^index$|^inhalt|^содержание|^índice|^table\s+des\s+matières", re.I)
MAX_HEADING_WORDS = 14


def is_chapter_like(text: str) -> bool:
    """"Chapter 2: The Ford", "Part Two", "Prologue", "第三章", "Глава 1": a heading by its words."""
    text = text.strip()
    if not text or len(text.split()) > MAX_HEADING_WORDS:
        return False
    return bool(CHAPTER.match(text) or STANDALONE.match(text) or CJK_HEADING.match(text))


# ---------------------------------------------------------------- what prose and titles look like

_SENTENCE_END = re.compile(r"[.!?…。！？]['\"’”»)\]]*$")
_OPENING_QUOTE = re.compile(r"^[\"“„«‘'‚—–-]")


def ends_sentence(text: str) -> bool:
    return bool(_SENTENCE_END.search(text.strip()))


def is_dialogue(text: str) -> bool:
    return bool(_OPENING_QUOTE.match(text.strip()))


def is_title_like(text: str, max_words: int = 12) -> bool:
    """A line that could be a title: short, not a sentence, not dialogue."""
    text = text.strip()
    if not text or "\n" in text:
        return False
    words = text.split()
    if len(words) > max_words or is_dialogue(text) and not (text[0] in "\"“" and text.rstrip()[-1:] in "\"”"):
        return False
    bare = unquote(text)
    if re.search(r"[^\W\d_]{4,}[.!?]\S*\s+[A-Z]", text):
        return False  # two sentences ("… that year.[1] Nobody minded."), not a title
    return not re.search(r"[,;:]$", text) and not (ends_sentence(bare) and len(bare.split()) > 5)


def strip_decoration(text: str) -> str:
    """"****  DREAM  SCHOOL ****", "░░░TITLE░░░", "~ Title ~": the words inside the ornament."""
    return " ".join(re.sub(r"^[\W_]+|[\W_]+$", lambda m: "" if not re.search(r"[\"“”'’!?.)]", m.group(0)) else m.group(0), text).split())


def unquote(text: str) -> str:
    t = text.strip()
    if len(t) > 2 and t[0] in "\"“'‘«" and t[-1] in "\"”'’»":
        return t[1:-1].strip()
    return t


# Author's-note talk: words an author uses about the post itself, not about the story's world.
_META = re.compile(
    r"\b(?:this\s+(?:story|fic|fanfic|chapter|part|effort|piece|one-shot|oneshot|work)|my\s+(?:first|story|fic|fanfic)|"
    r"(?:first|second|third|next|last|\d+(?:st|nd|rd|th)?)\s+(?:part|chapter|installment)|repost\w*|posted|posting|crosspost\w*|"
    r"comments?|flames?|feedback|c&c|reviews?|reviewers?|e-?mail|beta(?:-?read\w*)?|disclaimer|profanity|rated|fanfiction|fan\s+fiction|"
    r"part\s+\d+\s+of|originally\s+(?:entitled|titled|named|called)|(?:write|e-?mail|contact)\s+(?:to\s+)?the\s+author|"
    r"a/n|author'?s\s+note|enjoy|thanks\s+(?:to|for)|thank\s+you|wrote\s+(?:this|it)|i\s+wrote|written\s+for|split\s+(?:up\s+)?into|"
    r"contact\w*|snail\s*mail|p\.\s?o\.\s+box|versuch|(?:die|diese|meine)\s+geschichte|fanfic\w*|fanfikt\w*|(?:esta|mi)\s+historia|fic)\b|"
    # An address starts where its run of non-spaces does, and its name holds no "@": `\S+@` tried
    # from every letter of a long run, to its end and back, cost quadratic time.
    r"(?<!\S)[^\s@]++@[^\s@]+\.\w+|https?://|www\.",
    re.I,
)


def meta_cues(text: str) -> int:
    """How many times a passage talks about itself as a post (its author, readers, parts, e-mail)."""
    return len(_META.findall(text))


_LETTER = re.compile(r"[^\W\d_]")


def prose_weight(text: str) -> float:
    """How sure a block is story prose by its look alone: long, sentences, dialogue. A short line
    all in capitals is set apart, not prose."""
    words = len(text.split())
    letters = _LETTER.findall(text)
    if letters and words <= 20 and sum(ch.isupper() for ch in letters) >= 0.85 * len(letters):
        return 0.3
    if words >= 40:
        return 0.9
    if is_dialogue(text) and words >= 3:
        return 0.85
    if ends_sentence(text) and words >= 8:
        return 0.75
    if ends_sentence(text):
        return 0.5
    return 0.3 if words > 3 else 0.2


def width(text: str) -> int:
    return columns(text)
