"""Where each key of a TOML file is written, so an error about a key names its line.

tomllib gives a line only for syntax errors; a schema error ("unknown key titel") is found after
parsing, when the positions are gone. This reads the text once more, line by line: table headers
(`[stories."a.txt"]`) set the current table, `key = value` lines name a key in it, and lines inside
a multi-line array, inline table or string are skipped. Each header and key is handed to tomllib
itself to be read (quoted and dotted keys included), so the key paths match the parsed data's.
"""

from __future__ import annotations

import tomllib

KeyPath = tuple[str, ...]


def _path(data: dict[str, object]) -> KeyPath:
    """The key path of a one-key-per-level table: {"a": {"b": {}}} → ("a", "b")."""
    keys: list[str] = []
    node: object = data
    while isinstance(node, dict) and len(node) == 1:
        key, node = next(iter(node.items()))
        keys.append(key)
    return tuple(keys)


def _scan(line: str) -> tuple[int | None, int, int]:
    """Where the first `=` outside quotes is (None: none), the change in bracket depth over the
    line outside strings, and how many triple quotes it opens or closes (odd: a string spans lines)."""
    equals: int | None = None
    depth = 0
    triples = 0
    quote = ""
    i = 0
    while i < len(line):
        ch = line[i]
        if line.startswith(('"""', "'''"), i) and (not quote or quote == line[i : i + 3]):
            quote = "" if quote else line[i : i + 3]
            triples += 1
            i += 3
            continue
        if quote:
            if ch == "\\" and quote.startswith('"'):
                i += 2
                continue
            if ch == quote:
                quote = ""
        elif ch in "\"'":
            quote = ch
        elif ch == "#":
            break
        elif ch == "=" and equals is None and depth == 0:
            equals = i
        elif ch in "[{":
            depth += 1
        elif ch in "]}":
            depth -= 1
        i += 1
    return equals, depth, triples


def key_lines(text: str) -> dict[KeyPath, int]:
    """The 1-based line of every table header and key in `text`, by key path; a path written twice
    keeps its first line. Lines that cannot be read are skipped (the parse error says where)."""
    found: dict[KeyPath, int] = {}
    table: KeyPath = ()
    depth = 0  # inside a multi-line array or inline table
    in_string = False
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        equals, change, triples = _scan(line)
        if in_string:
            in_string = triples % 2 == 0
            continue
        if depth > 0:
            depth += change
            continue
        if stripped.startswith("[") and equals is None:
            try:
                table = _path(tomllib.loads(stripped.replace("[[", "[").replace("]]", "]")))
            except tomllib.TOMLDecodeError:
                continue
            found.setdefault(table, number)
            continue
        if equals is None:
            continue
        try:
            key = _path(tomllib.loads(line[:equals].strip() + " = 0"))
        except tomllib.TOMLDecodeError:
            continue
        found.setdefault(table + key, number)
        _, depth, _ = _scan(line[equals + 1 :])
        in_string = triples % 2 == 1
    return found


def value_line(text: str, start: int, value: str) -> int:
    """The first line from `start` on that holds `value` as a quoted string (an item of a
    multi-line array), else `start`."""
    lines = text.splitlines()
    for number in range(start, len(lines) + 1):
        line = lines[number - 1]
        if f'"{value}"' in line or f"'{value}'" in line:
            return number
    return start
