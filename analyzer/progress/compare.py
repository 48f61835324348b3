"""Compare the scan made now with the report the team started from (and any reports between).

The first report, by date, holds the plan: its recommendations, schedule, metrics and
findings. Each recommendation is done when none of its findings is open now, in progress
when some are closed, not started when none is; a phase is complete when all its
measurable recommendations are done. New debt is what the scan made now reports that the
plan did not know; returning findings were gone in some report and are back.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import PurePosixPath

from analyzer.model import SEVERITIES
from analyzer.progress.burndown import burndown
from analyzer.progress.match import match_findings
from analyzer.progress.metrics import compare_metrics
from analyzer.progress.outcome import (
    DatedBy,
    DebtFinding,
    DebtGroup,
    NewDebt,
    PhaseProgress,
    PhaseStatus,
    Progress,
    RecommendationProgress,
)
from analyzer.progress.recommendations import count_states, is_due, recommendation_progress
from analyzer.progress.schedule import compare_schedule, working_days
from analyzer.progress.snapshot import Comparison, PastFinding, Snapshot


def order_reports(reports: Sequence[Snapshot]) -> tuple[Snapshot, ...]:
    """Oldest first: by date when every report has one, else in the order given."""
    if all(report.generated_on is not None for report in reports):
        return tuple(sorted(reports, key=lambda report: report.generated_on or date.min))
    return tuple(reports)


def project_name(snapshot: Snapshot) -> str | None:
    """The project's name, else the last part of the root it was scanned as."""
    if snapshot.name:
        return snapshot.name.strip().lower().replace("_", "-")
    last = PurePosixPath(snapshot.root.replace("\\", "/").rstrip("/")).name
    return None if last in ("", ".", "..") else last.lower()


def display_name(progress: Progress) -> str:
    """What the reports call the project: a name from its packaging, else its folder."""
    plan, now = progress.plan, progress.now
    return plan.name or now.name or project_name(plan) or project_name(now) or "the project"


def same_project(earlier: Snapshot, later: Snapshot) -> bool:
    """The same name, or at least one fingerprint in common (findings or suppressed)."""
    name = project_name(earlier)
    if name is not None and name == project_name(later):
        return True
    ours = earlier.fingerprints | earlier.suppressed
    return not ours.isdisjoint(later.fingerprints | later.suppressed)


def compare_progress(
    *,
    reports: Sequence[Snapshot],
    now: Snapshot,
    today: date,
    since: date | None = None,
    directions: Mapping[str, Comparison] | None = None,
    grades: Mapping[str, str] | None = None,
    unchanged_paths: frozenset[str] | None = None,
    old_lines: frozenset[str] | None = None,
) -> Progress:
    """``reports`` oldest first (the plan, then any later ones); ``today`` is the date of a
    scan made now (a report given as NOW is compared as of its own date). ``directions``
    says which way each metric should go for reports that do not (before 1.2); ``grades``
    which rules grade one measurement (see ``match``); ``unchanged_paths`` the files whose
    content is what it was at the plan's commit, and ``old_lines`` the findings now whose
    line the file had then, when the commits could be compared."""
    plan, between = reports[0], tuple(reports[1:])
    start, dated_by = _start(plan, since)
    as_of = now.generated_on or today
    elapsed = working_days(start, as_of) if start is not None else None
    matching = match_findings(plan, now, grades)
    unedited = frozenset(
        f.fingerprint
        for f in plan.findings
        if unchanged_paths is not None and f.path in unchanged_paths
    )
    recommendations = recommendation_progress(plan, matching.states, elapsed, unedited)
    return Progress(
        plan=plan,
        now=now,
        between=between,
        today=as_of,
        recommendations=recommendations,
        phases=phase_progress(plan, recommendations, elapsed),
        schedule=compare_schedule(recommendations, start, dated_by, as_of),
        metrics=compare_metrics(plan, now, directions or {}),
        new_debt=NewDebt(
            findings=_worst_first(matching.new, now, old_lines or frozenset()),
            groups=_groups(matching.new, now),
            returning=_returning((plan, *between), now),
            unsuppressed=matching.unsuppressed,
            lines_checked=old_lines is not None,
        ),
        burndown=burndown(plan, (*between, now), start, as_of, grades),
        counts=count_states((f.fingerprint for f in plan.findings), matching.states, unedited),
        edits_checked=unchanged_paths is not None,
    )


def _start(plan: Snapshot, since: date | None) -> tuple[date | None, DatedBy | None]:
    if since is not None:
        return since, "--since"
    if plan.generated_on is not None:
        return plan.generated_on, "report"
    return None, None


def phase_progress(
    plan: Snapshot, recommendations: Sequence[RecommendationProgress], elapsed: int | None
) -> tuple[PhaseProgress, ...]:
    by_id = {rec.id: rec for rec in recommendations}
    phases = []
    for phase in plan.phases:
        members = [by_id[i] for i in phase.recommendation_ids if i in by_id]
        measurable = [rec for rec in members if rec.status != "not measurable"]
        done = sum(1 for rec in measurable if rec.status == "done")
        phases.append(
            PhaseProgress(
                name=phase.name,
                first_week=phase.first_week,
                last_week=phase.last_week,
                recommendation_ids=phase.recommendation_ids,
                done=done,
                measurable=len(measurable),
                status=_phase_status(measurable, done),
                due=is_due(phase.last_week, elapsed),
            )
        )
    return tuple(phases)


def _phase_status(measurable: Sequence[RecommendationProgress], done: int) -> PhaseStatus:
    if measurable and done == len(measurable):
        return "complete"
    started = any(rec.counts.closed for rec in measurable)
    return "in progress" if started else "not started"


def severity_rank(finding: PastFinding) -> tuple[int, str, int, str]:
    return (SEVERITIES.index(finding.severity), finding.path, finding.line, finding.rule_id)


def _kinds(now: Snapshot) -> dict[str, str]:
    """The kind of the pull request that fixes each finding now; a ratchet's findings keep
    their category (a CI gate is a way of working, not a kind of debt)."""
    return {
        fp: rec.kind
        for rec in now.recommendations
        if rec.kind and not rec.ratchet
        for fp in rec.finding_ids
    }


def _worst_first(
    findings: Sequence[PastFinding], now: Snapshot, old_lines: frozenset[str]
) -> tuple[DebtFinding, ...]:
    kinds = _kinds(now)
    return tuple(
        DebtFinding(
            finding=f,
            kind=kinds.get(f.fingerprint, f.category),
            line_was_there=f.fingerprint in old_lines,
        )
        for f in sorted(findings, key=severity_rank)
    )


def _groups(findings: Sequence[PastFinding], now: Snapshot) -> tuple[DebtGroup, ...]:
    kinds = _kinds(now)
    counts = Counter((kinds.get(f.fingerprint, f.category), f.severity) for f in findings)
    ordered = sorted(
        counts.items(), key=lambda item: (SEVERITIES.index(item[0][1]), -item[1], item[0][0])
    )
    return tuple(
        DebtGroup(kind=kind, severity=severity, count=count) for (kind, severity), count in ordered
    )


def _returning(chain: Sequence[Snapshot], now: Snapshot) -> tuple[PastFinding, ...]:
    """Findings open now that an earlier report had, and a report after it had fixed: gone
    while its analyzer ran and its file was analyzed, and not suppressed."""
    present = [snapshot.fingerprints for snapshot in chain]
    back = []
    for finding in now.findings:
        seen = fixed = False
        for snapshot, fingerprints in zip(chain, present, strict=True):
            if finding.fingerprint in fingerprints:
                seen = True
            elif seen and _would_see(snapshot, finding):
                fixed = True
        if fixed:
            back.append(finding)
    return tuple(sorted(back, key=severity_rank))


def _would_see(snapshot: Snapshot, finding: PastFinding) -> bool:
    return (
        finding.tool in snapshot.verified_tools
        and finding.path not in snapshot.error_paths
        and finding.fingerprint not in snapshot.suppressed
    )
