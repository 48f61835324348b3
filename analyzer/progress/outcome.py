"""What ``roadmap progress`` found: the plan's recommendations and phases, the schedule, the
metrics, new debt and the burn-down, as frozen data the renderers lay out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

from analyzer.progress.snapshot import Comparison, PastFinding, Snapshot

# A plan finding, seen from a later report: still there (same fingerprint, or the same
# rule, symbol and message in another place), suppressed since, not re-checked (its
# analyzer did not run, its file had an error), or fixed.
FindingState = Literal["remaining", "moved", "suppressed", "unverified", "fixed"]
RecommendationStatus = Literal["done", "in progress", "not started", "not measurable"]
PhaseStatus = Literal["complete", "in progress", "not started"]
ScheduleStatus = Literal["ahead", "on schedule", "behind", "complete", "unknown"]
MetricChange = Literal["better", "worse", "unchanged"]
Measured = Literal["both", "then only", "now only", "neither"]
DatedBy = Literal["report", "--since"]


@dataclass(frozen=True, kw_only=True, slots=True)
class FindingCounts:
    total: int = 0
    fixed: int = 0
    suppressed: int = 0
    remaining: int = 0
    moved: int = 0
    unverified: int = 0
    # Of the fixed, those whose file is byte for byte what it was at the plan's commit: a
    # whole-program analyzer stopped reporting them (vulture, when a name became used
    # elsewhere) or the configuration changed. Counted only when the commits can be compared.
    fixed_unedited: int = 0

    @property
    def closed(self) -> int:
        return self.fixed + self.suppressed

    @property
    def open(self) -> int:
        return self.remaining + self.moved + self.unverified


@dataclass(frozen=True, kw_only=True, slots=True)
class RecommendationProgress:
    id: str
    title: str
    kind: str
    priority: str
    status: RecommendationStatus
    counts: FindingCounts
    hours: float
    # The effort still ahead: the recommendation's hours times the share of its findings open.
    hours_left: float
    start_week: int | None
    end_week: int | None
    # Its last scheduled week is over (only when the plan is dated).
    due: bool

    @property
    def scheduled(self) -> bool:
        return self.start_week is not None

    @property
    def share_done(self) -> float:
        total = self.counts.total
        return self.counts.closed / total if total else 0.0


@dataclass(frozen=True, kw_only=True, slots=True)
class PhaseProgress:
    name: str
    first_week: int | None
    last_week: int | None
    recommendation_ids: tuple[str, ...]
    done: int
    # Recommendations whose progress can be measured (a ratchet with no finding cannot).
    measurable: int
    status: PhaseStatus
    due: bool


@dataclass(frozen=True, kw_only=True, slots=True)
class ScheduleProgress:
    status: ScheduleStatus
    # The day week 1 started, and where that date came from; None when unknown.
    start: date | None
    dated_by: DatedBy | None
    # Working days (Monday to Friday) from the start to today.
    elapsed_days: int | None
    # Working days the scheduled work spans.
    plan_days: int
    planned_hours: float
    planned_hours_done: float | None
    hours_done: float
    # Earned schedule: how many weeks ahead (positive) or behind (negative) of the plan.
    weeks_ahead: float | None
    overdue: tuple[str, ...]
    note: str


@dataclass(frozen=True, kw_only=True, slots=True)
class MetricProgress:
    id: str
    name: str
    unit: str
    baseline: float | None
    now: float | None
    target: float | None
    comparison: Comparison | None
    # (now - baseline) / (target - baseline): 1.0 is the target reached; None without one.
    share: float | None
    change: MetricChange | None
    # When it was measured: a coverage file that appeared makes "now only".
    measured: Measured
    note: str


@dataclass(frozen=True, kw_only=True, slots=True)
class DebtGroup:
    kind: str
    severity: str
    count: int


@dataclass(frozen=True, kw_only=True, slots=True)
class DebtFinding:
    finding: PastFinding
    # The recommendation kind the scan made now files it under (its category otherwise).
    kind: str
    # Its line was in the file at the plan's commit: that line did not change, something
    # around it did (a function grew, annotations made mypy check a body, a type changed
    # elsewhere) or a rule was turned on.
    line_was_there: bool = False


@dataclass(frozen=True, kw_only=True, slots=True)
class NewDebt:
    # New since the plan (by fingerprint, not moved), worst first.
    findings: tuple[DebtFinding, ...]
    groups: tuple[DebtGroup, ...]
    # Plan findings that a later report showed fixed and that are back now.
    returning: tuple[PastFinding, ...]
    # Suppressed in the plan, reported now (a suppression removed, a rule enabled).
    unsuppressed: tuple[PastFinding, ...]
    # The new findings' lines were compared with the plan's commit (see line_was_there).
    lines_checked: bool = False

    @property
    def on_old_lines(self) -> int:
        return sum(1 for item in self.findings if item.line_was_there)


@dataclass(frozen=True, kw_only=True, slots=True)
class BurndownPoint:
    label: str
    source: str
    date: date | None
    commit: str | None
    # Effort left of the plan's scheduled pull requests, and of all of them (with the backlog).
    remaining_hours: float
    remaining_hours_all: float
    # What the schedule expected to be left on that date; None when the plan is not dated.
    planned_remaining_hours: float | None
    open_findings: int
    findings: int


@dataclass(frozen=True, kw_only=True, slots=True)
class Progress:
    plan: Snapshot
    now: Snapshot
    # Reports between the plan and now, oldest first.
    between: tuple[Snapshot, ...]
    today: date
    recommendations: tuple[RecommendationProgress, ...]
    phases: tuple[PhaseProgress, ...]
    schedule: ScheduleProgress
    metrics: tuple[MetricProgress, ...]
    new_debt: NewDebt
    burndown: tuple[BurndownPoint, ...]
    counts: FindingCounts
    # Whether fixes were checked against the files' content at the plan's commit.
    edits_checked: bool = False

    def with_status(self, status: RecommendationStatus) -> tuple[RecommendationProgress, ...]:
        return tuple(rec for rec in self.recommendations if rec.status == status)

    @property
    def hours(self) -> float:
        return sum(rec.hours for rec in self.recommendations)

    @property
    def hours_left(self) -> float:
        return sum(rec.hours_left for rec in self.recommendations)
