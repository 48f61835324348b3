"""The data every pipeline stage passes along: small, frozen, keyword-only dataclasses."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Severity = Literal["high", "medium", "low", "info"]
Confidence = Literal["high", "medium", "low"]
Scope = Literal["file", "project"]
Scalar = str | int | float | bool | None
BaselineStatus = Literal["new", "baseline"]
# "whitelisted": an analyzer knows the item is used by a framework (a vulture whitelist in
# rules/vulture.toml, or one of its ignored decorators); the finding's details name which.
SuppressionReason = Literal["inline", "rule-disabled", "path-ignored", "whitelisted"]

SEVERITIES: tuple[Severity, ...] = ("high", "medium", "low", "info")
CONFIDENCES: tuple[Confidence, ...] = ("high", "medium", "low")


@dataclass(frozen=True, kw_only=True, slots=True)
class SourceFile:
    """A file discovered under the scan root. ``path`` is POSIX and relative to the root."""

    path: str
    size: int


@dataclass(frozen=True, kw_only=True, slots=True)
class RawFinding:
    """What an adapter reports, in the tool's terms but already 1-based and root-relative."""

    tool: str
    tool_code: str
    message: str
    path: str
    line: int
    column: int = 1
    end_line: int | None = None
    end_column: int | None = None
    severity: Severity | None = None
    confidence: Confidence | None = None
    cwe: int | None = None
    details: tuple[tuple[str, Scalar], ...] = ()
    # Set when the analyzer itself knows the finding is not to be reported (vulture items a
    # framework whitelist covers); normalize files it under ``suppressed``, never drops it.
    suppressed_by: SuppressionReason | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class Finding:
    """A normalized finding; ``fingerprint`` survives line shifts."""

    fingerprint: str
    rule_id: str
    tool: str
    tool_code: str
    category: str
    severity: Severity
    confidence: Confidence
    message: str
    path: str
    line: int
    column: int
    end_line: int | None
    end_column: int | None
    symbol: str | None
    cwe: int | None
    details: tuple[tuple[str, Scalar], ...] = ()
    # Set only when a baseline is in use: was this finding already in it?
    baseline_status: BaselineStatus | None = None
    # Set only on suppressed findings: "inline", "rule-disabled", "path-ignored" or
    # "whitelisted".
    suppressed_by: SuppressionReason | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class FileError:
    """A file one analyzer could not process; the scan goes on without it."""

    path: str
    analyzer: str
    reason: str


@dataclass(frozen=True, kw_only=True, slots=True)
class Measure:
    """A number an analyzer measured, for one file (``path``) or the whole project."""

    name: str
    value: float
    path: str | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class Endpoint:
    """One HTTP endpoint: a route (or one method of a class-based view) and its handler."""

    framework: str
    methods: tuple[str, ...]
    route: str
    handler: str
    path: str
    line: int
    is_async: bool
    documented: bool
    authenticated: bool
    # What authenticates it (see analyzer/analyzers/api/auth.py): decorator, dependency,
    # router, app hook, blueprint hook, view class, handler, settings default, middleware,
    # public (login and similar flows, public by design) or none.
    auth_source: str = "none"
    # The handler changes state (database or file writes, calls named like create/delete).
    writes: bool = False


@dataclass(frozen=True, kw_only=True, slots=True)
class FileFacts:
    """What a two-phase analyzer learned about one file, for its ``combine`` step only.

    ``data`` is the analyzer's own encoding (JSON text, say): the engine caches it per file
    like any other output and hands it back to ``combine``, but never reports it.
    """

    path: str
    data: str


@dataclass(frozen=True, kw_only=True, slots=True)
class AnalysisOutput:
    """Everything an analyzer produced for the files it was given."""

    findings: tuple[RawFinding, ...] = ()
    measures: tuple[Measure, ...] = ()
    errors: tuple[FileError, ...] = ()
    endpoints: tuple[Endpoint, ...] = ()
    facts: tuple[FileFacts, ...] = ()


@dataclass(frozen=True, kw_only=True, slots=True)
class AnalyzerRun:
    """How one analyzer fared: ``ok``, ``failed`` (with ``error``) or ``skipped``."""

    name: str
    tool_version: str
    status: Literal["ok", "failed", "skipped"]
    duration_s: float
    files: int
    error: str | None = None
    # The tool the analyzer wraps ("bandit"), so "1.9.4" is never read as our version.
    tool: str = ""


@dataclass(frozen=True, kw_only=True, slots=True)
class Target:
    """What was scanned."""

    root: str
    files_scanned: int
    lines: int
    git_commit: str | None = None
    git_branch: str | None = None
    # The project's own name, from its packaging metadata (read as data), when it has one.
    name: str | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class ScanResult:
    """The outcome of the analysis stages, before grouping and planning."""

    target: Target
    analyzers: tuple[AnalyzerRun, ...]
    findings: tuple[Finding, ...]
    measures: tuple[Measure, ...]
    errors: tuple[FileError, ...]
    suppressed: tuple[Finding, ...] = field(default=())
    endpoints: tuple[Endpoint, ...] = field(default=())
    # Every file at least one analyzer was given: a baseline entry elsewhere is unverified.
    analyzed_paths: frozenset[str] = field(default=frozenset())
