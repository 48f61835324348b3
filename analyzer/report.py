"""What every renderer receives: the scan result, how the user named the target, and the plan."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path

from analyzer.baseline import Comparison
from analyzer.discover.history import History
from analyzer.model import ScanResult
from analyzer.planning.group import Recommendation
from analyzer.planning.org import OrgPlan
from analyzer.planning.roadmap import Roadmap, load_planning, plan_roadmap
from analyzer.planning.settings import PlanSettings


@dataclass(frozen=True, kw_only=True, slots=True)
class Report:
    result: ScanResult
    # The root as the user typed it: outputs never show absolute paths of the machine.
    root_label: str
    # Set when the scan was compared with a baseline: which findings are new.
    baseline: Comparison | None = None
    # Filled by with_roadmap; renderers plan with defaults when it is None.
    recommendations: tuple[Recommendation, ...] = ()
    roadmap: Roadmap | None = None
    # The day the roadmap is dated (and its Gantt chart starts); an input, so output is
    # deterministic. Templates the user points --template-dir at, before the bundled ones.
    generated_on: date | None = None
    template_dir: Path | None = None
    # --rules-dir: renderers read rule titles, help and kinds with the same overrides.
    rule_dirs: tuple[Path, ...] = ()
    # --sarif-include-suppressed: SARIF lists suppressed findings too (GitHub counts them
    # against its limit, so by default they are left out; the JSON always has them).
    sarif_suppressed: bool = False


@dataclass(frozen=True, kw_only=True, slots=True)
class OrgReport:
    """A roadmap across repositories (``roadmap merge --org``), for its renderers."""

    plan: OrgPlan
    # Each repository's root as its scan's user named it.
    root_labels: Mapping[str, str]
    generated_on: date
    template_dir: Path | None = None
    rule_dirs: tuple[Path, ...] = ()


def with_roadmap(
    report: Report,
    settings: PlanSettings | None = None,
    rule_dirs: Iterable[Path] = (),
    history: History | None = None,
) -> Report:
    """The report with its recommendations and roadmap; what the command line calls."""
    planning = load_planning(tuple(rule_dirs), settings)
    recommendations, roadmap = plan_roadmap(report.result, planning, history)
    return replace(report, recommendations=recommendations, roadmap=roadmap)


def planned(report: Report) -> Report:
    """The report with its roadmap, planned with the bundled defaults if nobody planned it."""
    return report if report.roadmap is not None else with_roadmap(report)


def report_date(environ: Mapping[str, str]) -> date:
    """The date a roadmap is dated: ``SOURCE_DATE_EPOCH`` (reproducible builds) or today."""
    epoch = environ.get("SOURCE_DATE_EPOCH", "")
    if epoch.isascii() and epoch.isdigit():
        try:
            return datetime.fromtimestamp(int(epoch), tz=UTC).date()
        except (OverflowError, OSError, ValueError):
            pass  # beyond the dates this platform has: ignored like any other bad value
    return date.today()
