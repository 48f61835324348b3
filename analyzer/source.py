"""Reading files from the scanned tree as text, the way Python itself would decode them.

Every read goes through ``analyzer.discover.reader``: regular files inside the root only,
no symlink out of it at any component, and a size cap.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from collections.abc import Iterable, Iterator
from pathlib import Path

from analyzer.discover.reader import TreeReader, read_inside
from analyzer.model import FileError

# Files beyond this size are almost always generated; they are still read, but the limit
# keeps one pathological file from exhausting memory.
MAX_SOURCE_BYTES = 20 * 1024 * 1024


# Python ends a line at \n, \r\n or \r only; str.splitlines() also splits at form feeds,
# \x1c-\x1e, \x85 and \u2028/9, which would shift every later line number.
_NEWLINE = re.compile(r"\r\n|\r|\n")


def source_lines(text: str) -> tuple[str, ...]:
    """The lines of a source text as Python and the tools number them."""
    lines = _NEWLINE.split(text)
    if lines and lines[-1] == "":
        lines.pop()
    return tuple(lines)


def read_bytes(root: str | Path, path: str, analyzer: str) -> bytes | FileError:
    """The bytes of ``root/path`` through the guarded reader, or why they cannot be read."""
    try:
        return read_inside(root, path, limit=MAX_SOURCE_BYTES)
    except OSError as exc:
        return _unreadable(path, analyzer, exc)


def read_many(
    root: str | Path, paths: Iterable[str], analyzer: str
) -> Iterator[tuple[str, bytes | FileError]]:
    """``read_bytes`` of each path, in order, resolving each directory of the tree once."""
    with TreeReader(root) as reader:
        for path in paths:
            try:
                yield path, reader.read(path, limit=MAX_SOURCE_BYTES)
            except OSError as exc:
                yield path, _unreadable(path, analyzer, exc)


def _unreadable(path: str, analyzer: str, exc: OSError) -> FileError:
    return FileError(path=path, analyzer=analyzer, reason=f"unreadable: {exc.strerror or exc}")


def read_source(root: str, path: str, analyzer: str) -> str | FileError:
    """Decode ``root/path`` per PEP 263 (BOM, coding cookie, UTF-8 default)."""
    data = read_bytes(root, path, analyzer)
    return data if isinstance(data, FileError) else decode_source(data, path, analyzer)


def decode_source(data: bytes, path: str, analyzer: str) -> str | FileError:
    if len(data) > MAX_SOURCE_BYTES:
        return FileError(path=path, analyzer=analyzer, reason=f"too large: {len(data)} bytes")
    if b"\x00" in data:
        return FileError(path=path, analyzer=analyzer, reason="binary file: contains NUL bytes")
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        text = data.decode(encoding)
    except (SyntaxError, LookupError, UnicodeDecodeError) as exc:
        return FileError(path=path, analyzer=analyzer, reason=f"cannot decode: {exc}")
    return text.removeprefix("\ufeff")


def parse_text(text: str, path: str, analyzer: str) -> ast.Module | FileError:
    """``ast.parse``, with a file Python rejects (or cannot nest that deep) as a FileError."""
    try:
        return ast.parse(text, filename=path)
    except PARSE_ERRORS as exc:
        return FileError(path=path, analyzer=analyzer, reason=describe_parse_error(exc))


def parse_file(root: str, path: str, analyzer: str) -> tuple[str, ast.Module] | FileError:
    """Read, decode and parse one file: its text and tree, or why not."""
    text = read_source(root, path, analyzer)
    if isinstance(text, FileError):
        return text
    tree = parse_text(text, path, analyzer)
    return tree if isinstance(tree, FileError) else (text, tree)


def describe_parse_error(exc: BaseException) -> str:
    """A one-line reason for a file a parser rejected."""
    if isinstance(exc, SyntaxError):
        where = f" (line {exc.lineno})" if exc.lineno else ""
        return f"syntax error{where}: {exc.msg}"
    if isinstance(exc, RecursionError | MemoryError):
        return f"too deeply nested to parse: {type(exc).__name__}"
    return f"cannot parse: {type(exc).__name__}: {exc}"


PARSE_ERRORS = (SyntaxError, ValueError, RecursionError, MemoryError, OverflowError)
