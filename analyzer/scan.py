"""The scan pipeline: discover → analyze (plugins) → normalize. Returns a ScanResult."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from analyzer.analyze import ProgressCallback, merge, run_analyzers, select_files
from analyzer.config import ScanConfig, default_cache_dir
from analyzer.discover import discover_files, read_git_info
from analyzer.model import AnalyzerRun, FileError, ScanResult, SourceFile, Target
from analyzer.normalize import index_sources, normalize, sort_key
from analyzer.plugins import AnalysisRequest, Analyzer, LoadedAnalyzer, discover_analyzers
from analyzer.rules import RuleBook, load_rulebook


@dataclass(frozen=True, kw_only=True, slots=True)
class ScanPlan:
    """Which analyzers run, and which were skipped or could not load."""

    active: tuple[Analyzer, ...]
    inactive: tuple[AnalyzerRun, ...]


def plan_analyzers(loaded: Sequence[LoadedAnalyzer], config: ScanConfig) -> ScanPlan:
    active: list[Analyzer] = []
    inactive: list[AnalyzerRun] = []
    for item in loaded:
        if item.analyzer is None:
            inactive.append(_inactive(item.name, "failed", item.error or "could not load", "unknown"))
        elif item.name in config.disabled_analyzers:
            inactive.append(_inactive(item.name, "skipped", "disabled by configuration", safe_version(item.analyzer)))
        else:
            active.append(item.analyzer)
    return ScanPlan(active=tuple(active), inactive=tuple(inactive))


def safe_version(analyzer: Analyzer) -> str:
    try:
        return analyzer.tool_version()
    except Exception:  # noqa: BLE001 - a plugin's metadata lookup may fail in any way
        return "unknown"


def _inactive(name: str, status: str, reason: str, version: str) -> AnalyzerRun:
    return AnalyzerRun(name=name, tool_version=version, status=status, duration_s=0.0, files=0, error=reason)  # type: ignore[arg-type]


def run_scan(
    root: Path,
    config: ScanConfig,
    *,
    rules: RuleBook | None = None,
    on_progress: ProgressCallback | None = None,
    loaded: Sequence[LoadedAnalyzer] | None = None,
) -> ScanResult:
    root = root.resolve()
    rulebook = rules or load_rulebook()
    files = discover_files(root, include=config.include, exclude=config.exclude)
    plan = plan_analyzers(discover_analyzers() if loaded is None else loaded, config)
    cache_dir = str(config.cache_dir or default_cache_dir())
    requests = {
        a.name: AnalysisRequest(root=str(root), files=select_files(a, files), cache_dir=cache_dir)
        for a in plan.active
    }
    versions = {a.name: safe_version(a) for a in plan.active}
    tallies = run_analyzers(
        plan.active, requests, jobs=config.jobs, timeout_s=config.timeout_s, on_progress=on_progress
    )
    analysis = merge(plan.active, requests, tallies, versions)
    sources = index_sources(str(root), {f.path for f in analysis.findings})
    normalized = normalize(analysis.findings, rulebook, sources)
    analyzed = {f.path for r in requests.values() for f in r.files}
    return ScanResult(
        target=_describe_target(root, files, analyzed),
        analyzers=tuple(sorted((*analysis.runs, *plan.inactive), key=lambda r: r.name)),
        findings=normalized.findings,
        measures=tuple(sorted(analysis.measures, key=lambda m: (m.name, m.path or ""))),
        errors=_sorted_errors(analysis.errors),
        suppressed=tuple(sorted(normalized.suppressed, key=sort_key)),
    )


def _sorted_errors(errors: Sequence[FileError]) -> tuple[FileError, ...]:
    return tuple(sorted(set(errors), key=lambda e: (e.path, e.analyzer, e.reason)))


def _describe_target(root: Path, files: Sequence[SourceFile], analyzed: set[str]) -> Target:
    git = read_git_info(root)
    lines = sum(_count_lines(root / f.path) for f in files if f.path in analyzed)
    return Target(
        root=str(root), files_scanned=len(analyzed), lines=lines, git_commit=git.commit, git_branch=git.branch
    )


def _count_lines(path: Path) -> int:
    try:
        data = path.read_bytes()
    except OSError:
        return 0
    return data.count(b"\n") + (1 if data and not data.endswith(b"\n") else 0)
