"""Package stage (PDF): a weasyprint layout kept open, to be laid out again from one page on.

weasyprint paginates page by page, keeping for each page where in the box tree it starts (its
`page_maker`), and re-makes only the pages marked changed, and those after them until a page starts
where it started before; the rest it keeps as they were. It uses this for page-based counters. This
module uses it for edits to the box tree (leafturns.py sets a word unbreakable): the tree is built
and the styles are cascaded once, and an edit on page 30 of 36 lays out pages 30 and 31, not 36
pages from a new parse.

`HTML.render` throws the tree and the page maker away, so `Layout` makes the same calls it does
and keeps them. Laying out again needs two of weasyprint's module functions replaced for its
duration (the page maker must not be reset, and the pages kept must be handed back as they were
before their margin boxes were added); weasyprint 70 is pinned in pyproject.toml and
tests/test_pdf_engine.py fails when the installed one differs.
"""

from __future__ import annotations

import contextlib
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

Skip = dict[int, Any] | None  # weasyprint's skip stack: child index → the skip stack inside it


class Layout:
    """One document laid out, with what it takes to lay it out again after an edit of its box tree."""

    def __init__(self, html: Any, stylesheets: list[Any], font_config: Any) -> None:
        from weasyprint import DEFAULT_OPTIONS
        from weasyprint.css.counters import CounterStyle
        from weasyprint.document import Document
        from weasyprint.formatting_structure.build import build_formatting_structure
        from weasyprint.text.fonts import FontConfiguration

        self.html = html
        self.font_config = font_config = font_config or FontConfiguration()
        options = {**DEFAULT_OPTIONS, "stylesheets": stylesheets}
        self.context = Document._build_layout_context(html, font_config, CounterStyle(), {}, options)
        c = self.context
        self.root = build_formatting_structure(
            html.etree_element, c.style_for, c.get_image_from_uri, html.base_url, c.target_collector, c.counter_style, c.footnotes
        )
        # Each page box as pagination left it, before layout_document added its margin boxes.
        self._kept: list[tuple[Any, tuple[Any, ...], list[Any]]] = []
        self.document = self._paginate(again=False)

    @property
    def editable(self) -> bool:
        """Whether re-making some pages gives what laying all out again would: not with CSS
        footnotes or running elements, whose per-page records weasyprint only appends to."""
        running = self.context.running_elements  # name → page → elements; names are made on lookup
        return not self.context.footnotes and not any(any(pages.values()) for pages in running.values())

    def starts(self) -> list[Skip]:
        """Where each page starts in the box tree (None: at the beginning)."""
        return [entry[0] for entry in self.context.page_maker]

    def restart(self, starts: list[Skip]) -> None:
        """Replace where each page starts, after an edit moved boxes (same count, same meaning)."""
        maker = self.context.page_maker
        for n, start in enumerate(starts):
            maker[n] = (start, *maker[n][1:])

    def again(self, changed: list[int]) -> Any:
        """The document laid out again from each of these pages on (weasyprint stops re-making
        pages where one starts as it did before)."""
        for n in changed:
            self.context.page_maker[n][-1]["content_changed"] = True
        self.document = self._paginate(again=True)
        return self.document

    def _paginate(self, again: bool) -> Any:
        import weasyprint.layout as layout
        from weasyprint.document import Document, DocumentMetadata, Page
        from weasyprint.html import get_html_metadata

        paginate = layout.make_all_pages
        kept = self._kept
        fresh: list[tuple[Any, tuple[Any, ...], list[Any]]] = []

        def make_all_pages(context: Any, root_box: Any, html: Any, pages: list[Any]) -> Iterator[Any]:
            if not pages and kept:
                for page, children, root_children in kept:
                    page.children = children
                    children[0].children = root_children
                pages = [page for page, _, _ in kept]
            fresh.clear()
            for page in paginate(context, root_box, html, pages):
                fresh.append((page, page.children, list(page.children[0].children)))
                yield page

        with contextlib.ExitStack() as undo:
            undo.callback(setattr, layout, "make_all_pages", paginate)
            layout.make_all_pages = make_all_pages
            if again:
                # The page maker holds what the kept pages need; the string sets are gathered anew.
                undo.callback(setattr, layout, "initialize_page_maker", layout.initialize_page_maker)
                layout.initialize_page_maker = lambda context, root_box: None
                self.context.string_set = defaultdict(lambda: defaultdict(list))
            page_boxes = list(layout.layout_document(self.html, self.root, self.context))
        self._kept = list(fresh)
        return Document(
            [Page(box) for box in page_boxes],
            DocumentMetadata(**get_html_metadata(self.html)),
            self.html.url_fetcher,
            self.font_config,
            {},
            None,
        )
