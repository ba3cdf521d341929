"""Package stage (PDF): which of a theme's page-margin boxes carry folios, and which running heads.

Chapters are laid out in independent chunks (see layout.py) before anyone knows on which page a
chunk will start, so what depends on that page — the folio — cannot be set with the chunk. The
margin boxes are therefore split in two layers: the chunk draws the running heads and every other
margin content, and a thin folio layer, laid out once the page numbers are known, draws only the
folios; the merge lays one over the other.

The split is read from the theme's own `@page` rules, with a CSS parser rather than patterns: a
margin box whose `content` uses `counter(page)` or `counter(pages)` is a folio; any other visible
content is a head. A theme that mixes both in one box ("12 · Story Title"), or styles `@page
:first` (which names a different page in a chunk than in the whole book), cannot be split, and the
book is then laid out in one pass.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import tinycss2
import tinycss2.ast


@dataclass(frozen=True)
class MarginBox:
    selector: str  # the @page prelude, e.g. ":left" or "contents"
    box: str  # e.g. "bottom-center"


@dataclass(frozen=True)
class PageStyle:
    folios: tuple[MarginBox, ...]  # boxes that show a page number
    heads: tuple[MarginBox, ...]  # boxes that show anything else
    splittable: bool  # False: lay the book out in one pass
    reason: str = ""  # why not, for the log

    def without_folios(self) -> str:
        """CSS that, placed after the theme, empties every folio box: for the chunk layouts."""
        return _emptied(self.folios)

    def folios_only(self, first_folio: int) -> str:
        """CSS for the folio layer: every other box emptied, no crop marks (the chunk has them),
        and the page counter starting at this chunk's first folio."""
        return _emptied(self.heads) + f"@page {{ marks: none; }}\n@page :first {{ counter-reset: page {first_folio}; }}\n"


def _emptied(boxes: tuple[MarginBox, ...]) -> str:
    # The same selector as the theme's rule, later in the cascade: it wins at equal specificity.
    return "".join(f"@page {b.selector} {{ @{b.box} {{ content: none; }} }}\n" for b in boxes)


def _content_kind(declarations: list[tinycss2.ast.Node]) -> str:
    """'folio', 'head', 'mixed' or '' (no visible content) for one margin box's declarations."""
    kind = ""
    for decl in declarations:
        if decl.type != "declaration" or decl.lower_name != "content":
            continue
        tokens = [t for t in decl.value if t.type not in ("whitespace", "comment")]
        if not tokens or (len(tokens) == 1 and tokens[0].type == "ident" and tokens[0].lower_value in ("none", "normal")):
            kind = ""  # a later declaration in the same block wins
            continue
        folio = any(_is_page_counter(t) for t in tokens)
        other = any(not _is_page_counter(t) and t.type != "string" for t in tokens)
        kind = "mixed" if folio and other else "folio" if folio else "head"
    return kind


def _is_page_counter(token: tinycss2.ast.Node) -> bool:
    if token.type != "function" or token.lower_name not in ("counter", "counters"):
        return False
    names = [a for a in token.arguments if a.type == "ident"]
    return bool(names) and names[0].lower_value in ("page", "pages")


def page_style(sheets: tuple[Path, ...]) -> PageStyle:
    folios: list[MarginBox] = []
    heads: list[MarginBox] = []
    for sheet in sheets:
        rules = tinycss2.parse_stylesheet(sheet.read_text(encoding="utf-8"), skip_comments=True, skip_whitespace=True)
        for rule in rules:
            if rule.type != "at-rule" or rule.lower_at_keyword != "page" or rule.content is None:
                continue
            selector = tinycss2.serialize(rule.prelude).strip()
            if ":first" in selector.replace(" ", ""):
                return PageStyle((), (), False, f"{sheet.name} styles @page :first")
            for inner in tinycss2.parse_blocks_contents(rule.content, skip_comments=True, skip_whitespace=True):
                if inner.type != "at-rule" or inner.content is None:
                    continue
                box = MarginBox(selector, inner.lower_at_keyword)
                kind = _content_kind(tinycss2.parse_blocks_contents(inner.content, skip_comments=True, skip_whitespace=True))
                if kind == "mixed":
                    return PageStyle((), (), False, f"{sheet.name}: @page {selector} @{box.box} mixes a folio with other content")
                if kind == "folio":
                    folios.append(box)
                elif kind == "head":
                    heads.append(box)
    return PageStyle(tuple(folios), tuple(heads), True)
