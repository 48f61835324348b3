"""Read coverage data a previous test run left behind, without running anything.

Three formats, tried in this order: Cobertura XML (``coverage.xml``), coverage.py's JSON
report (``coverage.json``) and coverage.py's data file (``.coverage``). The first two carry
statement counts. The data file is read with coverage.py's own API (``CoverageData``,
numbits) and records only the lines that ran, so the statements of each file are counted
with coverage.py's own parser and its default exclusion pragmas (``statement_lines``).
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from coverage.config import DEFAULT_EXCLUDE
from coverage.exceptions import NotPython
from coverage.misc import join_regex
from coverage.numbits import numbits_to_nums
from coverage.parser import PythonParser

MAX_COVERAGE_BYTES = 64 * 1024 * 1024
_ENTITY = re.compile(rb"<!ENTITY", re.IGNORECASE)
# The tables coverage.py's data file keeps what ran in. A data file from the scanned tree
# may define them as views whose query never ends: only real tables are read.
_TABLES = ("coverage_schema", "meta", "file", "context", "line_bits", "arc")
# Reading a real data file of the size cap takes well under a second; a read still running
# after this long is not reading coverage data.
QUERY_SECONDS = 20.0
# A real data file has about ten schema objects; this bounds a forged one.
_MAX_OBJECTS = 1000
_PARSE_ERRORS = (SyntaxError, ValueError, RecursionError, MemoryError, OverflowError)


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
    executed = executed_lines(data)
    files: dict[str, FileCoverage] = {}
    for recorded, lines in executed.items():
        statements = statements_of(recorded)
        if statements is None:
            continue
        files[recorded] = FileCoverage(statements=len(statements), covered=len(statements & lines))
    return CoverageReport(source=name, files=files, percent=_total(files))


def executed_lines(data: bytes) -> dict[str, set[int]]:
    """The lines each recorded file ran, read by coverage.py's own ``CoverageData``.

    The data file comes from the scanned tree, so it is never opened there: its bytes (read
    through the guarded reader) are copied to a private temporary folder; the copy must hold
    real tables only (coverage.py would run whatever query a view hides, and one may never
    end); and ``CoverageData`` reads it in a child process that is killed after
    ``QUERY_SECONDS``. The lines come back as coverage.py's numbits.
    """
    with tempfile.TemporaryDirectory(prefix="repo-roadmap-coverage-") as scratch:
        copy = os.path.join(scratch, "data.coverage")
        descriptor = os.open(copy, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
        _check_tables(copy)
        encoded = _read_in_child(copy, scratch)
    return {path: set(numbits_to_nums(bytes.fromhex(bits))) for path, bits in encoded.items()}


# Run in `python -I` from the scratch folder: coverage.py's API over the private copy.
_READER = """
import json, sys
from coverage import CoverageData
from coverage.numbits import nums_to_numbits
data = CoverageData(basename=sys.argv[1], read_only=True)
data.read()
lines = {p: nums_to_numbits(data.lines(p) or []).hex() for p in data.measured_files()}
json.dump(lines, sys.stdout)
"""


def _read_in_child(copy: str, scratch: str) -> dict[str, str]:
    try:
        completed = subprocess.run(
            [sys.executable, "-I", "-c", _READER, copy],
            cwd=scratch,
            capture_output=True,
            text=True,
            timeout=QUERY_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise CoverageError(f"reading it took longer than {QUERY_SECONDS:g} s") from exc
    if completed.returncode != 0:
        last = (completed.stderr.strip().splitlines() or ["unknown error"])[-1]
        raise CoverageError(f"not a coverage.py data file: {last[:300]}")
    try:
        decoded = json.loads(completed.stdout)
    except ValueError as exc:
        raise CoverageError(f"unexpected output from coverage.py: {exc}") from exc
    return {str(path): str(bits) for path, bits in decoded.items()}


def _check_tables(copy: str) -> None:
    """Every object coverage.py would query must be a plain table: no views, triggers or
    virtual tables (a real data file has none), checked with a clock on every statement."""
    try:
        connection = sqlite3.connect(f"file:{copy}?mode=ro&immutable=1", uri=True)
    except sqlite3.Error as exc:
        raise CoverageError(f"not a coverage.py data file: {exc}") from exc
    deadline = time.monotonic() + QUERY_SECONDS
    connection.set_progress_handler(lambda: int(time.monotonic() > deadline), 10_000)
    try:
        objects = connection.execute(
            f"SELECT name, type, sql FROM sqlite_master LIMIT {_MAX_OBJECTS}"
        ).fetchall()
        computed = [table for table in _TABLES if _has_computed_columns(connection, table)]
    except sqlite3.Error as exc:
        raise CoverageError(f"not a coverage.py data file: {exc}") from exc
    finally:
        connection.close()
    if computed:
        # A generated column is computed on read: from a file of kilobytes, gigabytes.
        raise CoverageError(f"{computed[0]!r} has computed columns, not data")
    kinds = {str(name): str(kind) for name, kind, _ in objects}
    for table in _TABLES:
        if kinds.get(table) != "table":
            found = kinds.get(table)
            raise CoverageError(
                f"{table!r} is a {found}, not a table" if found else f"no {table!r} table"
            )
    for name, kind, sql in objects:
        if kind in ("view", "trigger") or "virtual" in str(sql or "").lower():
            raise CoverageError(f"{name!r} is a {kind}: a coverage.py data file holds tables only")


def _has_computed_columns(connection: sqlite3.Connection, table: str) -> bool:
    # table_xinfo's "hidden" column is non-zero for generated and hidden columns.
    return any(row[6] for row in connection.execute(f"PRAGMA table_xinfo({table})"))


def statement_lines(text: str, path: str) -> set[int] | None:
    """The statements coverage.py counts in a source file, by its own parser: first lines
    of executable statements, without docstrings and without lines its default exclusion
    pragmas (``# pragma: no cover`` and the like) exclude. None when it cannot parse it."""
    parser = PythonParser(text=text, filename=path, exclude=join_regex(DEFAULT_EXCLUDE))
    try:
        parser.parse_source()
    except (NotPython, *_PARSE_ERRORS):
        return None
    return set(parser.statements)


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
