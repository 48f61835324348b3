"""The JSON export: every finding the active configuration reports, as plain data."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from analyzer import __version__
from analyzer.metrics import aggregate
from analyzer.model import Finding, ScanResult

SCHEMA_VERSION = "1.0"


def finding_to_dict(finding: Finding) -> dict[str, Any]:
    data = asdict(finding)
    data["details"] = dict(finding.details)
    return data


def build_report(result: ScanResult, root_label: str) -> dict[str, Any]:
    """The report as a dict. ``root_label`` is the root as the user named it, not resolved."""
    metrics = aggregate(result.measures, result.findings)
    target = result.target
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "repo-roadmap", "version": __version__},
        "target": {
            "root": root_label,
            "files_scanned": target.files_scanned,
            "lines": target.lines,
            "git": {"commit": target.git_commit, "branch": target.git_branch},
        },
        "analyzers": [asdict(run) for run in result.analyzers],
        "findings": [finding_to_dict(f) for f in result.findings],
        "suppressed": [finding_to_dict(f) for f in result.suppressed],
        "metrics": {
            "project": metrics.project,
            "findings_by_severity": metrics.by_severity,
            "findings_by_category": metrics.by_category,
            "files": metrics.files,
        },
        "errors": [asdict(error) for error in result.errors],
    }


def dumps(report: dict[str, Any]) -> str:
    return json.dumps(report, indent=2, sort_keys=False, ensure_ascii=False) + "\n"
