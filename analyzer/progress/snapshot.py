"""What ``roadmap progress`` needs of a JSON report: its findings, plan, metrics and date.

Only the parts progress uses are kept; every value was checked by ``read`` (a report is
untrusted data), and text from it (titles, messages, paths) is still target text that
every output escapes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

from analyzer.model import Severity

Comparison = Literal["at_most", "at_least"]


@dataclass(frozen=True, kw_only=True, slots=True)
class PastFinding:
    fingerprint: str
    rule_id: str
    tool: str
    category: str
    severity: Severity
    message: str
    path: str
    line: int
    symbol: str | None


@dataclass(frozen=True, kw_only=True, slots=True)
class PlannedRecommendation:
    id: str
    kind: str
    title: str
    priority: str
    hours: float
    finding_ids: tuple[str, ...]
    # Weeks of the schedule (1-based, five working days each); None in the backlog.
    start_week: int | None
    end_week: int | None
    # A CI ratchet (it gates rules): its kind says how the work is done, not what debt it is.
    ratchet: bool = False

    @property
    def scheduled(self) -> bool:
        return self.start_week is not None and self.end_week is not None


@dataclass(frozen=True, kw_only=True, slots=True)
class PlannedPhase:
    name: str
    first_week: int | None
    last_week: int | None
    recommendation_ids: tuple[str, ...]


@dataclass(frozen=True, kw_only=True, slots=True)
class MetricReading:
    """A success metric as one report measured it."""

    id: str
    name: str
    unit: str
    value: float | None
    target: float | None
    # None in reports before schema 1.2; the bundled metric of the same id then decides.
    comparison: Comparison | None
    applicable: bool
    not_measured_reason: str | None


@dataclass(frozen=True, kw_only=True, slots=True)
class AnalyzerStatus:
    name: str
    tool: str
    status: str


@dataclass(frozen=True, kw_only=True, slots=True)
class Snapshot:
    """One report: the plan a team started from, a later report, or the scan made now."""

    # How the user named it: the report's file name, or the scanned directory.
    source: str
    schema_version: str
    # The day it is dated; None for reports before schema 1.2.
    generated_on: date | None
    root: str
    name: str | None
    commit: str | None
    scan_complete: bool
    findings: tuple[PastFinding, ...]
    suppressed: frozenset[str]
    analyzers: tuple[AnalyzerStatus, ...]
    # Files some analyzer could not analyze: their findings cannot be said to be fixed.
    error_paths: frozenset[str]
    recommendations: tuple[PlannedRecommendation, ...]
    phases: tuple[PlannedPhase, ...]
    metrics: tuple[MetricReading, ...]

    @property
    def fingerprints(self) -> frozenset[str]:
        return frozenset(f.fingerprint for f in self.findings)

    @property
    def verified_tools(self) -> frozenset[str]:
        """Tools whose analyzer ran to the end: a finding of any other tool that is absent
        may simply not have been looked for."""
        return frozenset(run.tool for run in self.analyzers if run.status == "ok")
