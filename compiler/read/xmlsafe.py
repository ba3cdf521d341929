"""Parse stage, HTML and EPUB: what libxml2's HTML parser reads but lxml will not set.

The HTML parser keeps, from any page, what XML cannot hold: control characters (`&#1;`, a raw
control byte), element and attribute names such as `a<b` (from `<a<b>`), comments holding `--`.
lxml refuses each of them (ValueError) the moment a reader sets such a string on a tree — when
deep markup is flattened (depth.py) or an EPUB's documents are copied into one (epub/join.py).
Found by fuzzing (tests/fuzz). Control characters are no one's words: text files lose them too
(decode.py, A002)."""

from __future__ import annotations

import re

from lxml import etree

from ..model import NOT_XML
# libxml2's HTML parser drops everything after `</html>` (and keeps what follows `</body>` outside
# the body), where HTML5 parsers, browsers among them, read it into the body: two pages joined into
# one file (`cat`), or text a site appends after the page. Without these end tags, libxml2 closes
# the body and the page at the end of the file, as HTML5 does; the line numbers stay the same.
END_TAGS = re.compile(r"</(?:body|html)\s*>", re.IGNORECASE)
END_TAGS_BYTES = re.compile(rb"</(?:body|html)\s*>", re.IGNORECASE)
_COMMENT_DASH = re.compile("-(?=-|$)")  # a comment holds no "--" and does not end with "-"


def xml_name(name: str) -> bool:
    """Whether lxml takes `name` as an element's or attribute's name."""
    try:
        etree.QName(name)
    except ValueError:
        return False
    return True


def as_xml(root: etree._Element) -> etree._Element:
    """The tree made one XML can hold, in place: control characters dropped, elements with names
    XML refuses renamed `span` (their text kept), such attributes dropped, comments' dashes spaced."""
    for el in root.iter():
        if isinstance(el, etree._Comment):
            el.text = _COMMENT_DASH.sub("- ", NOT_XML.sub("", el.text or ""))
        elif isinstance(el.tag, str):
            if not xml_name(el.tag):
                el.tag = "span"
            kept = {key: NOT_XML.sub("", value) for key, value in el.attrib.items() if xml_name(key)}
            el.attrib.clear()  # a name with a control character in it cannot even be deleted by name
            el.attrib.update(kept)
            if el.text:
                el.text = NOT_XML.sub("", el.text)
        if el.tail:
            el.tail = NOT_XML.sub("", el.tail)
    return root
