"""What identifies a scan, so reports can be told to belong together (or not).

The tree (its commit, and a digest of every discovered path and size), the configuration
as an effective ``[tool.roadmap]`` table, the rules it ran with and each tool's version.
The table travels in the report: ``roadmap merge`` validates it again and applies it, so
the merge plans and gates with the configuration the shards scanned with.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from analyzer import __version__
from analyzer.cache import rules_digest
from analyzer.config import GateConfig, ScanConfig
from analyzer.model import AnalyzerRun, ScanIdentity, SourceFile, Target
from analyzer.planning.settings import PlanSettings
from analyzer.rules import RuleBook

TOOL_NAME = "repo-roadmap"


@dataclass(frozen=True, kw_only=True, slots=True)
class ConfigRecord:
    """The configuration a scan records: its ``[tool.roadmap]`` table and rules folders."""

    table: Mapping[str, Any]
    rule_dirs: tuple[Path, ...] = ()


def config_table(
    scan: ScanConfig, gate: GateConfig | None = None, plan: PlanSettings | None = None
) -> dict[str, Any]:
    """The effective configuration as a ``[tool.roadmap]`` table: every key that changes
    what a scan finds, plans or gates (not ``jobs``, ``timeout`` or the cache)."""
    table: dict[str, Any] = {
        "include": list(scan.include),
        "exclude": list(scan.exclude),
        "analyzers": dict.fromkeys(sorted(scan.disabled_analyzers), False),
        "disable_rules": list(scan.disabled_rules),
        "severity_overrides": dict(scan.severity_overrides),
        "per_path_ignores": {glob: list(rules) for glob, rules in scan.path_ignores},
        "min_severity": scan.min_severity,
        "max_file_kb": scan.max_file_bytes // 1024,
    }
    if scan.selected_analyzers is not None:
        table["select"] = sorted(scan.selected_analyzers)
    if gate is not None:
        table["fail_on"] = gate.fail_on or "none"
        table["strict"] = gate.strict
        if gate.baseline is not None:
            table["baseline"] = gate.baseline
    if plan is not None:
        table["plan"] = plan_table(plan)
    return table


def plan_table(plan: PlanSettings) -> dict[str, Any]:
    """``[tool.roadmap.plan]``: the keys a project may set (see ``plan_settings_from_table``)."""
    low, high = plan.review_rate_lines_per_hour
    return {
        "developers": plan.developers,
        "hours_per_week": plan.hours_per_week,
        "horizon_weeks": plan.horizon_weeks,
        "review_budget_lines": plan.review_budget_lines,
        "review_rate_lines_per_hour": [low, high],
    }


def scan_identity(
    target: Target,
    files: Sequence[SourceFile],
    runs: Iterable[AnalyzerRun],
    record: ConfigRecord,
    rulebook: RuleBook,
) -> ScanIdentity:
    rules = rules_fingerprint(rulebook, record.rule_dirs)
    return ScanIdentity(
        root_name=target.name or Path(target.root).name or "project",
        commit=target.git_commit,
        files_digest=files_digest(files),
        config_hash=config_hash(record.table, rules),
        rules_digest=rules,
        tool_versions=(
            *sorted((run.name, run.tool_version) for run in runs),
            (TOOL_NAME, __version__),
        ),
        config=record.table,
    )


def files_digest(files: Iterable[SourceFile]) -> str:
    """Every discovered path and its size: two checkouts of one commit agree, a dirty one not."""
    state = hashlib.sha256()
    for source in sorted(files, key=lambda f: f.path):
        state.update(f"{source.path}\0{source.size}\n".encode("utf-8", "surrogateescape"))
    return state.hexdigest()


def config_hash(table: Mapping[str, Any], rules: str) -> str:
    canonical = json.dumps(table, sort_keys=True, ensure_ascii=True, separators=(",", ":"))
    return hashlib.sha256(f"{canonical}\n{rules}".encode()).hexdigest()


def rules_fingerprint(rulebook: RuleBook, rule_dirs: Sequence[Path]) -> str:
    """The tool rules in effect, and every TOML file of the ``--rules-dir`` folders (their
    planning, recommendation and metric files change the plan a merge makes)."""
    state = hashlib.sha256(rules_digest(rulebook).encode())
    for directory in rule_dirs:
        for path in sorted(directory.glob("*.toml")):
            state.update(path.name.encode("utf-8", "surrogateescape") + b"\0")
            try:
                state.update(hashlib.sha256(path.read_bytes()).digest())
            except OSError:
                state.update(b"unreadable")
    return state.hexdigest()
