"""Columns in Unicode code points, whatever unit a tool counted in.

SARIF declares ``columnKind: unicodeCodePoints`` and the README promises characters, but the
tools count differently: ``ast`` (so bandit, radon and every check built on it) gives UTF-8
byte offsets, libcst, PyYAML and our own text parsers count code points, and mypy reports
a unit of its own. Each adapter says which unit its finding's columns are in
(``RawFinding.column_unit``) and ``normalize`` converts them here, once, with the flagged
line's text. A line of ASCII (nearly all of them) needs no work.
"""

from __future__ import annotations

from typing import Literal

# "mypy": what mypy 1.x-2.x print as a column on a line with non-ASCII text before it:
# 2 x code points - UTF-8 bytes of the text before the column (it corrects a byte offset
# to characters twice). tests/test_columns.py pins this against the installed mypy.
ColumnUnit = Literal["code-points", "utf-8-bytes", "mypy"]


def to_code_points(line: str, column: int, unit: ColumnUnit) -> int:
    """The 1-based code-point column of a 1-based ``column`` counted in ``unit``."""
    if unit == "code-points" or column <= 1 or line.isascii():
        return column
    offset = column - 1
    if unit == "utf-8-bytes":
        return _from_utf8(line, offset) + 1
    return _from_mypy(line, offset) + 1


def _from_utf8(line: str, offset: int) -> int:
    encoded = line.encode("utf-8", "surrogateescape")
    if offset >= len(encoded):
        return len(line) + offset - len(encoded)
    # A cut inside a character (a tool pointing mid-character) counts that character as before.
    return len(encoded[:offset].decode("utf-8", "surrogateescape"))


def _from_mypy(line: str, offset: int) -> int:
    """The code-point index whose mypy value is ``offset``. The mapping is not one-to-one
    (a two-byte character adds nothing), so prefer a position after an ASCII character or
    at the start, where a token begins; else the first match; else the value as given."""
    value = 0
    first: int | None = None
    for index, char in enumerate(line):
        if value == offset:
            if index == 0 or line[index - 1].isascii():
                return index
            first = index if first is None else first
        value += 2 - len(char.encode("utf-8", "surrogateescape"))
    if value == offset:
        return len(line)
    return first if first is not None else offset
