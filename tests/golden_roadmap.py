"""Build the golden roadmap outputs of the noxpanel fixture, with machine-specific values masked.

Regenerate the checked-in files (only on purpose, after reading the diff) with:

    python -m tests.regen_golden
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from pathlib import Path

from analyzer.config import ScanConfig
from analyzer.model import ScanResult
from analyzer.render.json_report import build_report
from analyzer.render.markdown import render_markdown
from analyzer.report import Report, with_roadmap
from analyzer.scan import run_scan

GOLDEN_DIR = Path(__file__).resolve().parent / "golden"
MARKDOWN = GOLDEN_DIR / "noxpanel.roadmap.md"
JSON = GOLDEN_DIR / "noxpanel.report.json"
FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "noxpanel"
# A Monday, so the Gantt chart's dates do not depend on when the test runs.
REPORT_DATE = date(2025, 1, 6)


def masked(result: ScanResult) -> ScanResult:
    """Replace what differs between machines and checkouts: commit, branch, durations,
    tool versions and the absolute root."""
    return replace(
        result,
        target=replace(
            result.target, root="<root>", git_commit="0123456789abcdef", git_branch="main"
        ),
        analyzers=tuple(
            replace(run, duration_s=0.0, tool_version="0.0") for run in result.analyzers
        ),
    )


def build_outputs(cache_dir: Path) -> tuple[str, str]:
    config = ScanConfig(jobs=1, cache_dir=cache_dir, use_cache=False)
    result = masked(run_scan(FIXTURE, config))
    report = with_roadmap(
        Report(result=result, root_label="fixtures/noxpanel", generated_on=REPORT_DATE)
    )
    data = build_report(report)
    data["tool"]["version"] = "0.0"
    return render_markdown(report), json.dumps(data, indent=2, ensure_ascii=False) + "\n"
