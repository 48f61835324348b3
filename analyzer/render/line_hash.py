"""GitHub's ``primaryLocationLineHash``: the rolling hash codeql-action's upload computes.

For every line, a polynomial rolling hash (base 37, 64-bit wrap-around) over the next
100 characters of the file counted from the start of the line, skipping spaces and tabs
and reading ``\\r``, ``\\n`` and ``\\r\\n`` all as ``\\n``. A sentinel (65535) marks the end
of the file, then zeros pad the window. Characters are UTF-16 code units, as in
JavaScript. Identical hashes are told apart by a ``:n`` occurrence suffix.

Computing it ourselves means the SARIF we upload already carries the value GitHub would
have added, so alerts keep their identity across runs whichever way the file is uploaded.
"""

from __future__ import annotations

from collections import Counter

BLOCK_SIZE = 100
_BASE = 37
_MASK = (1 << 64) - 1
_FIRST_MOD = pow(_BASE, BLOCK_SIZE, 1 << 64)
_EOF = 0xFFFF
_TAB, _SPACE, _LF, _CR = 0x09, 0x20, 0x0A, 0x0D


def _code_units(text: str) -> list[int]:
    data = text.encode("utf-16-le", errors="surrogatepass")
    return [int.from_bytes(data[i : i + 2], "little") for i in range(0, len(data), 2)]


def _normalized_units(text: str) -> list[int]:
    """The characters that feed the hash: blanks dropped, every line ending one LF."""
    units: list[int] = []
    previous_cr = False
    for unit in _code_units(text):
        if unit in (_SPACE, _TAB) or (previous_cr and unit == _LF):
            previous_cr = False
            continue
        previous_cr = unit == _CR
        units.append(_LF if previous_cr else unit)
    units.append(_EOF)
    return units


def line_hashes(text: str) -> list[str]:
    """The hash of each line of ``text``, in order (line 1 first)."""
    units = _normalized_units(text)
    starts = _line_starts(units)
    padded = units + [0] * BLOCK_SIZE
    seen: Counter[str] = Counter()
    result: list[str] = []
    value = 0
    # The hash of the window that begins at each line start, rolled forward one unit at a time.
    window_end = 0
    for start in starts:
        while window_end < start + BLOCK_SIZE:
            leaving = padded[window_end - BLOCK_SIZE] if window_end >= BLOCK_SIZE else 0
            value = (_BASE * value + padded[window_end] - _FIRST_MOD * leaving) & _MASK
            window_end += 1
        digest = format(value, "x")
        seen[digest] += 1
        result.append(f"{digest}:{seen[digest]}")
    return result


def _line_starts(units: list[int]) -> list[int]:
    """Indexes in ``units`` where a line begins: the first unit, and each unit after an LF."""
    starts = [0]
    starts.extend(i + 1 for i, unit in enumerate(units[:-1]) if unit == _LF)
    return starts


def decode_like_node(data: bytes) -> str:
    """Decode a file the way the upload action reads it: UTF-8, bad bytes replaced, BOM kept."""
    return data.decode("utf-8", errors="replace")
