"""The scan pipeline: discover → analyze (plugins) → normalize. Returns a ScanResult."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from analyzer.analyze import (
    AnalysisRun,
    CacheSettings,
    ProgressCallback,
    merge,
    run_analyzers,
    select_files,
)
from analyzer.cache import ResultCache, analyzer_fingerprint, digest_files, rules_digest
from analyzer.config import ScanConfig, default_cache_dir
from analyzer.deadline import time_limit
from analyzer.discover import discover_files, read_git_info, read_project_name
from analyzer.model import AnalyzerRun, FileError, Finding, ScanResult, SourceFile, Target
from analyzer.normalize import SourceIndex, normalize, sort_key
from analyzer.plugins import (
    AnalysisRequest,
    Analyzer,
    CombiningAnalyzer,
    LoadedAnalyzer,
    discover_analyzers,
)
from analyzer.pool import WorkerPool
from analyzer.rules import RuleBook, load_rulebook
from analyzer.source import read_bytes
from analyzer.source_index import index_with_cache
from analyzer.suppress import apply_config_suppressions


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
            inactive.append(
                _inactive(item.name, "failed", item.error or "could not load", "unknown", "")
            )
        elif item.name in config.disabled_analyzers:
            inactive.append(
                _inactive(
                    item.name,
                    "skipped",
                    "disabled by configuration",
                    safe_version(item.analyzer),
                    item.analyzer.tool,
                )
            )
        else:
            active.append(item.analyzer)
    return ScanPlan(active=tuple(active), inactive=tuple(inactive))


def safe_version(analyzer: Analyzer) -> str:
    try:
        return analyzer.tool_version()
    except Exception:
        return "unknown"


def _inactive(
    name: str, status: Literal["failed", "skipped"], reason: str, version: str, tool: str
) -> AnalyzerRun:
    return AnalyzerRun(
        name=name,
        tool=tool,
        tool_version=version,
        status=status,
        duration_s=0.0,
        files=0,
        error=reason,
    )


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
    files = discover_files(
        root, include=config.include, exclude=config.exclude, timeout=config.timeout_s
    )
    plan = plan_analyzers(discover_analyzers() if loaded is None else loaded, config)
    cache_dir = _cache_root(config)
    oversized = {f.path: f.size for f in files if _is_oversized(f, config.max_file_bytes)}
    requests = {
        a.name: AnalysisRequest(
            root=str(root),
            files=_in_changed(a, _fitting(select_files(a, files), oversized), config),
            cache_dir=cache_dir,
            options=rulebook.settings_for(a.tool),
        )
        for a in plan.active
    }
    versions = {a.name: safe_version(a) for a in plan.active}
    analysis, sources = _analyze(
        str(root),
        cache_dir,
        plan.active,
        requests,
        versions,
        config=config,
        rulebook=rulebook,
        on_progress=on_progress,
    )
    with time_limit(config.timeout_s, "normalizing the findings"):
        normalized = normalize(
            analysis.findings, rulebook, sources, dict(config.severity_overrides)
        )
        split = apply_config_suppressions(
            _reported(normalized.findings, config), config.disabled_rules, config.path_ignores
        )
    analyzed = {f.path for r in requests.values() for f in r.files}
    return ScanResult(
        target=_describe_target(root, files, analyzed, config.timeout_s),
        analyzers=tuple(sorted((*analysis.runs, *plan.inactive), key=lambda r: r.name)),
        findings=split.kept,
        measures=tuple(sorted(analysis.measures, key=lambda m: (m.name, m.path or ""))),
        errors=_sorted_errors(
            (*analysis.errors, *_size_errors(plan.active, files, oversized, config.max_file_bytes))
        ),
        suppressed=tuple(
            sorted((*_reported(normalized.suppressed, config), *split.suppressed), key=sort_key)
        ),
        endpoints=tuple(
            sorted(analysis.endpoints, key=lambda e: (e.path, e.line, e.route, e.methods))
        ),
        analyzed_paths=frozenset(analyzed),
    )


def _cache_root(config: ScanConfig) -> str:
    """The user's cache directory; with the cache off, a scratch one removed after the scan."""
    if not config.use_cache:
        return tempfile.mkdtemp(prefix="repo-roadmap-")
    return str(config.cache_dir or default_cache_dir())


def _analyze(
    root: str,
    cache_dir: str,
    analyzers: Sequence[Analyzer],
    requests: Mapping[str, AnalysisRequest],
    versions: Mapping[str, str],
    *,
    config: ScanConfig,
    rulebook: RuleBook,
    on_progress: ProgressCallback | None,
) -> tuple[AnalysisRun, dict[str, SourceIndex]]:
    """Run the analyzers (what the cache lacks) and index the sources their findings name."""
    cache = ResultCache(Path(cache_dir) / "results") if config.use_cache else None
    try:
        with WorkerPool(config.jobs, timeout_s=config.timeout_s) as pool:
            caching = _cache_settings(root, cache, analyzers, requests, versions, rulebook)
            tallies = run_analyzers(
                analyzers,
                requests,
                pool=pool,
                jobs=config.jobs,
                caching=caching,
                on_progress=on_progress,
            )
            analysis = merge(analyzers, requests, tallies, versions)
            sources = index_with_cache(
                root, {f.path for f in analysis.findings}, cache=cache, pool=pool
            )
    finally:
        if not config.use_cache:
            shutil.rmtree(cache_dir, ignore_errors=True)
    return analysis, sources


def _cache_settings(
    root: str,
    cache: ResultCache | None,
    analyzers: Sequence[Analyzer],
    requests: Mapping[str, AnalysisRequest],
    versions: Mapping[str, str],
    rulebook: RuleBook,
) -> CacheSettings | None:
    if cache is None:
        return None
    unique = {f.path: f for r in requests.values() for f in r.files}
    rules = rules_digest(rulebook)
    fingerprints = {
        a.name: analyzer_fingerprint(
            name=a.name,
            module=type(a).__module__,
            tool_version=versions.get(a.name, "unknown"),
            options=requests[a.name].options,
            rules_digest=rules,
        )
        for a in analyzers
    }
    return CacheSettings(
        cache=cache, fingerprints=fingerprints, digests=digest_files(root, unique.values())
    )


def _is_oversized(source: SourceFile, limit: int) -> bool:
    return source.size > limit and source.path.endswith((".py", ".pyi", ".pyw"))


def _fitting(files: tuple[SourceFile, ...], oversized: Mapping[str, int]) -> tuple[SourceFile, ...]:
    return tuple(f for f in files if f.path not in oversized) if oversized else files


def _size_errors(
    analyzers: Sequence[Analyzer],
    files: Sequence[SourceFile],
    oversized: Mapping[str, int],
    limit: int,
) -> list[FileError]:
    """One error per analyzer that would have read an oversized file."""
    big = [f for f in files if f.path in oversized]
    return [
        FileError(
            path=f.path,
            analyzer=a.name,
            reason=f"not analyzed: {f.size / 1048576:.1f} MiB is over the "
            f"{limit / 1048576:g} MiB limit "
            "for one source file (likely generated; raise max_file_kb in [tool.roadmap])",
        )
        for a in analyzers
        for f in select_files(a, big)
    ]


def _in_changed(
    analyzer: Analyzer, files: tuple[SourceFile, ...], config: ScanConfig
) -> tuple[SourceFile, ...]:
    """With ``--changed-since``, per-file analyzers see only changed files; project-wide
    and two-phase analyzers (their combine step joins modules) still see the whole program."""
    if (
        config.only_paths is None
        or analyzer.scope != "file"
        or isinstance(analyzer, CombiningAnalyzer)
    ):
        return files
    return tuple(f for f in files if f.path in config.only_paths)


def _reported(findings: Sequence[Finding], config: ScanConfig) -> tuple[Finding, ...]:
    if config.only_paths is None:
        return tuple(findings)
    return tuple(f for f in findings if f.path in config.only_paths)


def _sorted_errors(errors: Sequence[FileError]) -> tuple[FileError, ...]:
    return tuple(sorted(set(errors), key=lambda e: (e.path, e.analyzer, e.reason)))


def _describe_target(
    root: Path, files: Sequence[SourceFile], analyzed: set[str], timeout: float | None
) -> Target:
    git = read_git_info(root, timeout)
    lines = sum(_count_lines(root, f.path) for f in files if f.path in analyzed)
    return Target(
        root=str(root),
        files_scanned=len(analyzed),
        lines=lines,
        git_commit=git.commit,
        git_branch=git.branch,
        name=read_project_name(root),
    )


def _count_lines(root: Path, path: str) -> int:
    data = read_bytes(root, path, "scan")
    if isinstance(data, FileError):
        return 0
    return data.count(b"\n") + (1 if data and not data.endswith(b"\n") else 0)
