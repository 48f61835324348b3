"""The data every pipeline stage passes along: small, frozen, keyword-only dataclasses."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from analyzer.columns import ColumnUnit

Severity = Literal["high", "medium", "low", "info"]
Confidence = Literal["high", "medium", "low"]
Scope = Literal["file", "project"]
Scalar = str | int | float | bool | None
BaselineStatus = Literal["new", "baseline"]
# "whitelisted": an analyzer knows the item is used by a framework (a vulture whitelist in
# rules/vulture.toml, or one of its ignored decorators); the finding's details name which.
SuppressionReason = Literal[
    "inline", "rule-disabled", "path-ignored", "whitelisted", "below-min-severity"
]
# What a finding is about: a place in a file (the default), a whole file (a module without
# tests: reported on line 1), or the whole project (a missing changelog: path ".").
About = Literal["line", "file", "project"]
PROJECT_PATH = "."

SEVERITIES: tuple[Severity, ...] = ("high", "medium", "low", "info")
CONFIDENCES: tuple[Confidence, ...] = ("high", "medium", "low")


@dataclass(frozen=True, kw_only=True, slots=True)
class SourceFile:
    """A file discovered under the scan root. ``path`` is POSIX and relative to the root."""

    path: str
    size: int


@dataclass(frozen=True, kw_only=True, slots=True)
class RawFinding:
    """What an adapter reports, in the tool's terms but already 1-based and root-relative.

    ``column_unit`` is the unit the tool counted columns in (``ast`` counts UTF-8 bytes);
    normalize converts every column to code points with it.
    """

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
    column_unit: ColumnUnit = "code-points"
    about: About = "line"


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
    # "file" and "project" findings are fingerprinted without a line's text.
    about: About = "line"


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
    # The real file that findings about the whole project (path ".") are shown on in SARIF,
    # GitLab and annotations: the README, else pyproject.toml, ...; None in an empty tree.
    project_file: str | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class ScanIdentity:
    """What makes reports parts of one scan: the same tree, configuration, rules and tools.

    ``roadmap merge`` refuses shards whose identities differ, and says in what.
    """

    root_name: str
    commit: str | None
    # A digest of every discovered path and its size: one tree, even outside git.
    files_digest: str
    # A digest of ``config`` and of the rules (bundled and --rules-dir) it ran with.
    config_hash: str
    rules_digest: str
    # (analyzer, its tool's version), and ("repo-roadmap", our version).
    tool_versions: tuple[tuple[str, str], ...]
    # The effective ``[tool.roadmap]`` table (what changes results: not jobs or timeout),
    # so a merge applies the same configuration; validated again when read back.
    config: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True, slots=True)
class DeferredJoin:
    """A two-phase analyzer's per-file facts from one shard, for the join ``roadmap merge``
    runs; ``errors`` are the per-file phase's errors (its join needs to know them)."""

    analyzer: str
    facts: tuple[FileFacts, ...]
    errors: tuple[FileError, ...] = ()


@dataclass(frozen=True, kw_only=True, slots=True)
class ShardPart:
    """What a shard scan adds to its result: which shard, and what the merge needs."""

    index: int
    count: int
    # The shard that runs whole-program analyzers, or "all" (each filters to its files).
    whole_program: int | Literal["all"]
    # Lines of each analyzed file this shard owns: the union over shards is the scan's.
    lines: tuple[tuple[str, int], ...]
    # The whole-program analyzers of the scan, whichever shard runs them.
    whole_program_analyzers: tuple[str, ...] = ()
    joins: tuple[DeferredJoin, ...] = ()


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
    identity: ScanIdentity | None = None
    # Set on the result of ``roadmap scan --shard K/N``.
    shard: ShardPart | None = None
