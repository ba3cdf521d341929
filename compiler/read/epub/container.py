"""Parse stage, EPUB: the zip container, opened as something a stranger made.

An EPUB is a zip of XML files. Before any of it is parsed the container is checked, and a book
that could hurt the machine reading it is refused with a diagnostic that says why (A042), never
half-read: too many entries, a member whose name leaves the book (`../../etc/passwd`, `/x`), a
member that unpacks past what any story needs or at a ratio only a zip bomb reaches (sizes are
checked as the bytes arrive, not only as the zip declares them). XML is parsed without loading
DTDs, resolving entities or touching the network (an XXE entity is left out and said, A043).
A book locked with DRM says so (A041) instead of yielding ciphertext.
"""

from __future__ import annotations

import html.entities
import io
import posixpath
import re
import zipfile
from pathlib import Path
from urllib.parse import unquote, urlsplit

from lxml import etree

from ...diagnostics import BuildError, Diagnostic, diagnostic, stop

MAX_ENTRIES = 10_000
MAX_MEMBER_BYTES = 16 * 2**20  # one document unpacked: a novel's chapter is well under 1 MB
MAX_READ_BYTES = 160 * 2**20  # every document read from one book, together
MAX_RATIO = 200  # unpacked to packed: text packs 3-10 to 1; only a bomb packs hundreds to one
_RATIO_FROM = 2**20  # small members may pack tighter (a file of blank lines) and cost nothing

# Font obfuscation (IDPF's and Adobe's) scrambles embedded fonts, not text: no DRM.
_FONT_OBFUSCATION = {"http://www.idpf.org/2008/embedding", "http://ns.adobe.com/pdf/enc#RC"}
_ENC = {"enc": "http://www.w3.org/2001/04/xmlenc#", "c": "urn:oasis:names:tc:opendocument:xmlns:container"}
_XML_ENTITIES = {b"amp", b"lt", b"gt", b"quot", b"apos"}
_NAMED = re.compile(rb"&([A-Za-z][A-Za-z0-9]{1,31});")


def _parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False, huge_tree=False)


def with_numeric_entities(data: bytes) -> bytes:
    """HTML's named entities (`&nbsp;`, `&mdash;`), which XHTML documents use without the DTD that
    defines them, as character references: XML then parses them without loading any DTD."""

    def sub(m: re.Match[bytes]) -> bytes:
        name = m.group(1)
        if name in _XML_ENTITIES:
            return m.group(0)
        point = html.entities.name2codepoint.get(name.decode("ascii"))
        return b"&#%d;" % point if point is not None else m.group(0)

    return _NAMED.sub(sub, data)


def member_path(base: str, href: str) -> str | None:
    """The member an href in `base` names (fragment and query dropped, %-escapes undone); None
    when it leaves the book (a web address, an absolute path, `..` past the top)."""
    try:
        parts = urlsplit(href)
    except ValueError:  # "//[x": urllib refuses a host that opens an IPv6 address and never closes it (found by fuzzing)
        return None
    if parts.scheme or parts.netloc:
        return None
    if not parts.path:
        return base
    joined = posixpath.normpath(posixpath.join(posixpath.dirname(base), unquote(parts.path)))
    if joined.startswith(("../", "/")) or joined == "..":
        return None
    return joined


class Container:
    """The members of one EPUB, read with the limits above. Raises BuildError (exit 3) on a book
    that cannot or must not be read; `diagnostics` gathers what was read with a caveat."""

    def __init__(self, data: bytes, path: Path) -> None:
        self.path = path
        self.diagnostics: list[Diagnostic] = []
        self._read = 0
        try:
            self.zip = zipfile.ZipFile(io.BytesIO(data))
            infos = self.zip.infolist()
        except (zipfile.BadZipFile, OSError, ValueError) as exc:
            raise stop("A040", path, reason=f"it is not a zip archive ({exc})") from None
        if len(infos) > MAX_ENTRIES:
            raise stop("A042", path, reason=f"it has {len(infos):,} entries, over the {MAX_ENTRIES:,} a book may have")
        self.infos: dict[str, zipfile.ZipInfo] = {}
        for info in infos:
            name = info.filename
            if "\\" in name or "\x00" in name or name.startswith("/") or re.match(r"^[A-Za-z]:", name) or ".." in name.split("/"):
                raise stop("A042", path, reason=f"an entry's name leads out of the book ({name!r})")
            self.infos[name] = info
        self._drm()

    def has(self, name: str) -> bool:
        return name in self.infos

    def read(self, name: str) -> bytes:
        info = self.infos.get(name)
        if info is None:
            raise KeyError(name)
        if info.flag_bits & 0x1:
            raise stop("A041", self.path, scheme=f"{name} is encrypted")
        if info.file_size > MAX_MEMBER_BYTES:
            raise stop("A042", self.path, reason=f"{name} unpacks to {info.file_size / 2**20:.0f} MB, over the {MAX_MEMBER_BYTES // 2**20} MB a document may be")
        if info.file_size > _RATIO_FROM and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise stop("A042", self.path, reason=f"{name} unpacks {info.file_size // max(info.compress_size, 1):,} times its packed size (a zip bomb)")
        try:
            with self.zip.open(info) as member:
                # The declared size may lie: read no more than the limit allows, whatever it says.
                data = member.read(MAX_MEMBER_BYTES + 1)
        except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError) as exc:
            raise stop("A040", self.path, reason=f"{name} cannot be unpacked ({exc})") from None
        if len(data) > MAX_MEMBER_BYTES:
            raise stop("A042", self.path, reason=f"{name} unpacks past the {MAX_MEMBER_BYTES // 2**20} MB a document may be")
        self._read += len(data)
        if self._read > MAX_READ_BYTES:
            raise stop("A042", self.path, reason=f"its documents unpack to over {MAX_READ_BYTES // 2**20} MB together")
        return data

    def xml(self, name: str) -> etree._Element:
        """A member parsed as XML, safely; a member that is not XML stops the reading (A040)."""
        try:
            root = etree.fromstring(with_numeric_entities(self.read(name)), _parser())
        except etree.XMLSyntaxError as exc:
            raise stop("A040", self.path, reason=f"{name} is not well-formed XML ({exc})") from None
        self.note_entities(name, root)
        return root

    def note_entities(self, name: str, root: etree._Element) -> None:
        """A document whose DTD declares entities (the way XXE and entity bombs work): they are not
        expanded, and the user hears so, since any text they held is not in the book."""
        dtd = root.getroottree().docinfo.internalDTD
        names = [e.name for e in dtd.iterentities()] if dtd is not None else []
        if names:
            self.diagnostics.append(diagnostic("A043", self.path, member=name, names=", ".join(sorted(set(names))[:5])))

    def rootfile(self) -> str:
        """The package document's name, from META-INF/container.xml."""
        if not self.has("META-INF/container.xml"):
            raise stop("A040", self.path, reason="it has no META-INF/container.xml (is it an EPUB?)")
        root = self.xml("META-INF/container.xml")
        for rootfile in root.iterfind(".//c:rootfile", _ENC):
            if rootfile.get("media-type", "application/oebps-package+xml") == "application/oebps-package+xml":
                full = rootfile.get("full-path", "")
                name = member_path("", full)
                if name is None:
                    raise stop("A042", self.path, reason=f"its package document's path leads out of the book ({full!r})")
                if not self.has(name):
                    raise stop("A040", self.path, reason=f"its package document {full} is missing")
                return name
        raise stop("A040", self.path, reason="META-INF/container.xml names no package document")

    def _drm(self) -> None:
        """Adobe ADEPT, Barnes & Noble, Kobo and Apple lock a book by encrypting its documents and
        listing them in META-INF/encryption.xml; font obfuscation alone is not a lock."""
        if not self.has("META-INF/encryption.xml"):
            return
        try:
            root = self.xml("META-INF/encryption.xml")
        except BuildError:
            return
        locked = []
        for data in root.iterfind(".//enc:EncryptedData", _ENC):
            method = data.find("enc:EncryptionMethod", _ENC)
            algorithm = method.get("Algorithm", "") if method is not None else ""
            ref = data.find(".//enc:CipherReference", _ENC)
            if algorithm not in _FONT_OBFUSCATION and ref is not None:
                locked.append(ref.get("URI", ""))
        if locked:
            scheme = "Adobe ADEPT" if self.has("META-INF/rights.xml") else "encrypted documents"
            raise stop("A041", self.path, scheme=f"{scheme}: {len(locked)} of its files")
