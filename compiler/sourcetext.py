"""Verification, the expected side: the words a story's source holds, taken out with a deliberately
simple extraction of its own that shares nothing with the readers (compiler/read/**).

The nothing-lost check (check.py) must not lose what the readers lose: a parser's depth limit, a
Markdown nesting cap or a dropped `<div>` would hide its own losses if the check used the same
parser. So the source is never parsed into a tree here. HTML is tokenised with the standard
library's `html.parser` (a flat tag scanner: no depth, no tree, no limit), and the text between tags
is kept, with a line break at every tag that starts a block on a page (so a `<dt>` and its `<dd>`
stay two words, as a browser shows them) and none at inline tags (`wo<em>r</em>d` is one word).
Left out are only the parts no one sees: `<script>`, `<style>`, `<template>`, `<title>` (the rest of
`<head>` holds no text), `<noscript>`, `<select>` menus, buttons and text boxes, `<svg>`/`<iframe>` fallbacks, comments, and
elements marked `hidden` or styled `display: none`/`visibility: hidden`. Markdown is the same text
with its markup taken off line by line: front matter, link destinations and reference definitions,
code-fence info strings and list numbers (markup characters such as `*` `#` `>` are no word
characters, so they need no removing). Plain text is all text.

Every pattern here is linear (bounded repeats, no nested quantifiers): the check runs on hostile
files too (tests/test_linear.py walks this module's patterns).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

# Elements a page shows on lines of their own: words never continue across their edges. Any other
# tag, known or not, is inline, as a browser draws an unknown element.
BLOCK_TAGS = frozenset(
    "address article aside blockquote body br caption center dd details dialog dir div dl dt fieldset figcaption "
    "figure footer form frame frameset h1 h2 h3 h4 h5 h6 header hgroup hr html legend li listing main menu nav ol "
    "p plaintext pre section summary table tbody td tfoot th thead tr ul xmp img".split()
)
# Elements whose content no reader of the page sees as text.
UNSEEN_TAGS = frozenset("script style template title noscript select option datalist button textarea iframe svg math object".split())
_VOID = frozenset("area base br col embed hr img input link meta param source track wbr".split())
_HIDDEN_STYLE = re.compile(r"display\s{0,20}:\s{0,20}none|visibility\s{0,20}:\s{0,20}hidden", re.I)


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping: str | None = None  # the tag whose content is being left out
        self.depth = 0  # how many of that tag are open inside the left-out part

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.skipping is not None:
            if tag == self.skipping:
                self.depth += 1
            return
        unseen = tag in UNSEEN_TAGS or any(
            name == "hidden" or (name == "style" and value and _HIDDEN_STYLE.search(value)) for name, value in attrs
        )
        if unseen and tag not in _VOID:
            self.skipping, self.depth = tag, 1
        elif tag in BLOCK_TAGS:
            self.parts.append("\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.skipping is None and tag in BLOCK_TAGS:  # <br/>, <hr/>
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if self.skipping is not None:
            if tag == self.skipping:
                self.depth -= 1
                if not self.depth:
                    self.skipping = None
            return
        if tag in BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if self.skipping is None:
            self.parts.append(data)


def html_text(text: str) -> str:
    """The visible text of an HTML page or fragment, a line break at every block's edges."""
    parser = _Text()
    parser.feed(text)
    parser.close()
    return "".join(parser.parts)


# YAML front matter: a `---` first line up to the next `---` or `...` line (what every static site
# generator reads; the reader takes it as the story's facts, shown on the title page, not as text).
_FRONT_END = re.compile(r"^(?:---|\.\.\.)[ \t]*$", re.M)
# `](destination "title")`: a link's address, never shown. Bounded so a line of `](` is linear.
_DESTINATION = re.compile(r"\]\([^()\n]{0,2000}\)")
# `[label]: destination`: a reference definition, never shown.
_REFERENCE = re.compile(r"^ {0,3}\[[^\]\n]{1,999}\]:[ \t]{0,100}\S")
_FENCE = re.compile(r"^([ \t]{0,3}(?:`{3,}|~{3,}))[^`\n]{0,1000}$")
# A list item's number or bullet (also inside quotes: `> 1. `); an ordered list's numbers are drawn
# by the reading system, not kept as text.
_LIST_NUMBER = re.compile(r"^((?:[ \t]{0,40}>){0,100}[ \t]{0,40})\d{1,9}[.)](?=[ \t]|$)")


# Emphasis marks between two letters ("*CRASH*SPLINTER*WHAM*", "*discretion*on") join the words on
# the page when CommonMark takes them as emphasis, and stand as characters when it does not ("f*ck"):
# which, only a full parse can tell. So they become JOINER, and the check accepts either reading.
JOINER = "\ue000"
_INTRAWORD_MARK = re.compile(r"(?<=[^\W_])[*_]{1,3}(?=[^\W_])")


def markdown_text(text: str) -> str:
    """A Markdown story's text: tags removed as in HTML (raw HTML is common in fiction kept by static
    site generators), and the markup that is not text taken off each line."""
    if text.startswith("---"):
        first = text.find("\n")
        end = _FRONT_END.search(text, first + 1) if first >= 0 else None
        if end is not None:
            text = text[end.end():]
    lines = []
    for line in text.split("\n"):
        if _REFERENCE.match(line) and not line.lstrip().startswith("[^"):  # footnotes are text
            continue
        line = _FENCE.sub(r"\1", line)
        line = _LIST_NUMBER.sub(r"\1", line)
        lines.append(_INTRAWORD_MARK.sub(JOINER, _DESTINATION.sub("]", line)))
    return html_text("\n".join(lines))


def source_text(text: str, kind: str) -> str:
    """The words a reader of the source sees: markup removed, never interpreted."""
    if kind == "html":
        return html_text(text)
    if kind == "markdown":
        return markdown_text(text)
    return text
