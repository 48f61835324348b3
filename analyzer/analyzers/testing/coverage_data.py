"""Read coverage data a previous test run left behind, without running anything.

Three formats, tried in this order: Cobertura XML (``coverage.xml``), coverage.py's JSON
report (``coverage.json``) and coverage.py's SQLite data file (``.coverage``). The first two
carry statement counts. The data file records only the lines that ran, so the statements
of each file are counted here from its ``ast`` (see ``statement_lines``): an approximation
of coverage.py's own count (which also honours exclusion pragmas), good to a few percent.
"""

from __future__ import annotations

import ast
import json
import os
import re
import sqlite3
import tempfile
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

MAX_COVERAGE_BYTES = 64 * 1024 * 1024
_ENTITY = re.compile(rb"<!ENTITY", re.IGNORECASE)
# The tables coverage.py's data file keeps what ran in. A data file from the scanned tree
# may define them as views whose query never ends: only real tables are read.
_TABLES = ("file", "line_bits", "arc")
# Reading a real data file of the size cap takes well under a second; a query still running
# after this long is not reading coverage data.
QUERY_SECONDS = 20.0
# Lines recorded per file cannot exceed a file's length; this bounds a forged data file.
_MAX_ROWS = 5_000_000
# A numbits blob holds a bit per line and a path a few hundred bytes: 4 MiB is ample.
_MAX_VALUE_BYTES = 4 * 1024 * 1024


class CoverageError(ValueError):
    """A coverage file exists but cannot be read."""


@dataclass(frozen=True, kw_only=True, slots=True)
class FileCoverage:
    statements: int
    covered: int

    @property
    def percent(self) -> float:
        return round(self.covered / self.statements * 100, 2) if self.statements else 100.0


@dataclass(frozen=True, kw_only=True, slots=True)
class CoverageReport:
    """Per-file coverage as recorded (paths as the report wrote them) and the total."""

    source: str
    files: Mapping[str, FileCoverage]
    percent: float | None


def read_coverage_xml(data: bytes, name: str) -> CoverageReport:
    if _ENTITY.search(data):
        raise CoverageError("XML entity declarations are not accepted")
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise CoverageError(f"not well-formed XML: {exc}") from exc
    if root.tag != "coverage":
        raise CoverageError(f"root element is <{root.tag}>, not <coverage>")
    sources = [s.text.strip() for s in root.iter("source") if s.text and s.text.strip()]
    files: dict[str, FileCoverage] = {}
    for klass in root.iter("class"):
        filename = klass.get("filename")
        if not filename:
            continue
        hits = [_hits(line.get("hits")) for line in klass.iter("line")]
        key = _join(sources, filename)
        previous = files.get(key, FileCoverage(statements=0, covered=0))
        files[key] = FileCoverage(
            statements=previous.statements + len(hits),
            covered=previous.covered + sum(1 for h in hits if h > 0),
        )
    rate = root.get("line-rate")
    return CoverageReport(
        source=name, files=files, percent=_percent(rate) if rate else _total(files)
    )


def _join(sources: list[str], filename: str) -> str:
    """Cobertura paths are relative to a <source>; keep the source when it is relative."""
    relative = [
        s for s in sources if not s.startswith("/") and not re.match(r"^[A-Za-z]:", s) and s != "."
    ]
    return f"{relative[0].rstrip('/')}/{filename}" if len(sources) == 1 and relative else filename


def read_coverage_json(data: bytes, name: str) -> CoverageReport:
    try:
        document = json.loads(data)
    except (ValueError, RecursionError) as exc:
        raise CoverageError(f"not valid JSON: {exc}") from exc
    if not isinstance(document, dict) or not isinstance(document.get("files"), dict):
        raise CoverageError("no 'files' object: not a coverage.py JSON report")
    files = {
        name: _json_file(entry)
        for name, entry in document["files"].items()
        if isinstance(entry, dict)
    }
    totals = document.get("totals")
    percent = totals.get("percent_covered") if isinstance(totals, dict) else None
    return CoverageReport(
        source=name,
        files=files,
        percent=round(float(percent), 2) if percent is not None else _total(files),
    )


def _json_file(entry: Mapping[str, Any]) -> FileCoverage:
    summary = entry.get("summary", {})
    return FileCoverage(
        statements=int(summary.get("num_statements", 0)),
        covered=int(summary.get("covered_lines", 0)),
    )


def read_coverage_sqlite(
    data: bytes, name: str, statements_of: Callable[[str], set[int] | None]
) -> CoverageReport:
    """``statements_of`` maps a recorded path to the statement lines of the matching source."""
    executed = _executed_lines(data)
    files: dict[str, FileCoverage] = {}
    for recorded, lines in executed.items():
        statements = statements_of(recorded)
        if statements is None:
            continue
        files[recorded] = FileCoverage(statements=len(statements), covered=len(statements & lines))
    return CoverageReport(source=name, files=files, percent=_total(files))


def _executed_lines(data: bytes) -> dict[str, set[int]]:
    try:
        with _database(data) as connection:
            _check_tables(connection)
            return _query_lines(connection)
    except sqlite3.Error as exc:
        raise CoverageError(f"not a coverage.py data file: {exc}") from exc


@contextmanager
def _database(data: bytes) -> Iterator[sqlite3.Connection]:
    """The data file as a read-only database held in memory, never opened in the tree (where
    SQLite would also read or write a journal beside it), with every query on a clock."""
    with tempfile.TemporaryDirectory(prefix="repo-roadmap-coverage-") as scratch:
        connection = _open_copy(data, scratch)
        # No value larger than this may be built: a generated column or a function in a
        # view could otherwise make one of gigabytes from a file of kilobytes.
        connection.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, _MAX_VALUE_BYTES)
        deadline = time.monotonic() + QUERY_SECONDS
        connection.set_progress_handler(lambda: int(time.monotonic() > deadline), 10_000)
        try:
            yield connection
        finally:
            connection.close()


def _open_copy(data: bytes, scratch: str) -> sqlite3.Connection:
    connection = sqlite3.connect(":memory:")
    if hasattr(connection, "deserialize"):
        connection.deserialize(data)
        return connection
    connection.close()
    copy = os.path.join(scratch, "coverage.sqlite")
    with open(copy, "wb") as handle:
        handle.write(data)
    return sqlite3.connect(f"file:{copy}?mode=ro&immutable=1", uri=True)


def _check_tables(connection: sqlite3.Connection) -> None:
    kinds = dict(
        connection.execute(
            "SELECT name, type FROM sqlite_master WHERE name IN (?, ?, ?)", _TABLES
        ).fetchall()
    )
    for table in _TABLES:
        if kinds.get(table) != "table":
            found = kinds.get(table)
            raise CoverageError(
                f"{table!r} is a {found}, not a table" if found else f"no {table!r} table"
            )
        # table_xinfo marks generated and hidden columns: values computed on read.
        if any(row[6] for row in connection.execute(f"PRAGMA table_xinfo({table})")):
            raise CoverageError(f"{table!r} has computed columns, not data")


def _query_lines(connection: sqlite3.Connection) -> dict[str, set[int]]:
    paths = dict(connection.execute(f"SELECT id, path FROM file LIMIT {_MAX_ROWS}").fetchall())
    lines: dict[str, set[int]] = {str(p): set() for p in paths.values()}
    query = f"SELECT file_id, numbits FROM line_bits LIMIT {_MAX_ROWS}"
    for file_id, numbits in connection.execute(query):
        if file_id in paths and isinstance(numbits, bytes):
            lines[str(paths[file_id])].update(numbits_to_lines(numbits))
    query = f"SELECT file_id, fromno, tono FROM arc LIMIT {_MAX_ROWS}"
    for file_id, start, end in connection.execute(query):
        if file_id in paths:
            lines[str(paths[file_id])].update(
                n for n in (start, end) if isinstance(n, int) and 0 < n < _MAX_ROWS
            )
    return lines


def numbits_to_lines(numbits: bytes) -> list[int]:
    """coverage.py's numbits: bit ``n % 8`` of byte ``n // 8`` is set when line ``n`` ran."""
    return [
        index * 8 + bit
        for index, byte in enumerate(numbits)
        for bit in range(8)
        if byte & (1 << bit)
    ]


def statement_lines(tree: ast.Module) -> set[int]:
    """First lines of executable statements: what coverage.py counts, minus docstrings."""
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.stmt) and not _is_docstring(node):
            lines.add(min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))]))
    return lines


def _is_docstring(node: ast.stmt) -> bool:
    return (
        isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Constant)
        and isinstance(node.value.value, str)
    )


def _hits(value: str | None) -> int:
    try:
        return int(value or 0)
    except ValueError:
        return 0


def _percent(rate: str) -> float:
    try:
        return round(float(rate) * 100, 2)
    except ValueError as exc:
        raise CoverageError(f"line-rate {rate!r} is not a number") from exc


def _total(files: Mapping[str, FileCoverage]) -> float | None:
    statements = sum(f.statements for f in files.values())
    return (
        round(sum(f.covered for f in files.values()) / statements * 100, 2) if statements else None
    )
