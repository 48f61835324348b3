"""The JSON export: every finding the active configuration reports, as plain data."""

from __future__ import annotations

from dataclasses import asdict, fields
from datetime import date
from typing import Any

from analyzer import __version__
from analyzer.completeness import assess_completeness
from analyzer.model import Finding
from analyzer.planning.metrics.aggregate import aggregate
from analyzer.render.encode import dump_json
from analyzer.render.plan_data import plan_sections
from analyzer.render.scan_data import scan_section
from analyzer.report import Report

SCHEMA_VERSION = "1.2"


def finding_to_dict(finding: Finding) -> dict[str, Any]:
    # A flat copy: every field is a scalar except details (``asdict`` recursion is slow on
    # thousands of findings).
    data = {name: getattr(finding, name) for name in _FINDING_FIELDS}
    data["details"] = dict(finding.details)
    return data


_FINDING_FIELDS = tuple(item.name for item in fields(Finding))


def build_report(report: Report) -> dict[str, Any]:
    """The report as plain data; the JSON export and the terminal summary both use it."""
    result, root_label = report.result, report.root_label
    metrics = aggregate(result.measures, result.findings)
    target = result.target
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "repo-roadmap", "version": __version__},
        # The day the roadmap is dated (week 1 of its schedule starts then); what
        # ``roadmap progress`` measures the schedule from.
        "generated_on": (report.generated_on or date.today()).isoformat(),
        "target": {
            "root": root_label,
            "name": target.name,
            "files_scanned": target.files_scanned,
            "lines": target.lines,
            "project_file": target.project_file,
            "git": {"commit": target.git_commit, "branch": target.git_branch},
        },
        # False exactly when --strict would exit 3 (see analyzer/completeness.py).
        "scan_complete": assess_completeness(result).complete,
        "analyzers": [asdict(run) for run in result.analyzers],
        "findings": [finding_to_dict(f) for f in result.findings],
        "suppressed": [finding_to_dict(f) for f in result.suppressed],
        "endpoints": [asdict(endpoint) for endpoint in result.endpoints],
        "metrics": {
            "project": metrics.project,
            "findings_by_severity": metrics.by_severity,
            "findings_by_category": metrics.by_category,
            "files": metrics.files,
        },
        "errors": [asdict(error) for error in result.errors],
        "baseline": _baseline_summary(report),
        # A shard's report is not planned: only the merge of all shards sees the project.
        **(_unplanned() if result.shard is not None else plan_sections(report)),
        "scan": scan_section(result),
    }


def _unplanned() -> dict[str, Any]:
    return {"recommendations": [], "roadmap": None, "hotspots": []}


def _baseline_summary(report: Report) -> dict[str, Any] | None:
    """Counts of new and baselined findings, and the baseline entries now fixed."""
    comparison = report.baseline
    if comparison is None:
        return None
    return {
        "new": comparison.new_count,
        "baseline": comparison.baseline_count,
        "fixed": [asdict(entry) for entry in comparison.fixed],
        "unverified": [asdict(entry) for entry in comparison.unverified],
    }


def render_json(report: Report) -> str:
    return dump_json(build_report(report))
