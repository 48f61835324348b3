"""The scan pipeline: discover → analyze (plugins) → normalize. Returns a ScanResult."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterable, Mapping, Sequence
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
from analyzer.cache import ResultCache, analyzer_fingerprint, rules_digest
from analyzer.cachedir import default_cache_dir, prune_cache
from analyzer.config import ScanConfig
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
from analyzer.snapshot import TreeSnapshot, take_snapshot
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
        elif config.selected_analyzers is not None and item.name not in config.selected_analyzers:
            inactive.append(
                _inactive(
                    item.name,
                    "skipped",
                    "not selected (--select)",
                    safe_version(item.analyzer),
                    item.analyzer.tool,
                )
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
    analyzed = {f.path for r in requests.values() for f in r.files}
    snapshot = take_snapshot(root, analyzed)
    analysis, sources = _analyze(
        snapshot,
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
            _reported(normalized.findings, config),
            config.disabled_rules,
            config.path_ignores,
            min_severity=config.min_severity,
        )
    return ScanResult(
        target=_describe_target(root, files, analyzed, snapshot, config.timeout_s),
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
    snapshot: TreeSnapshot,
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
    root = snapshot.root
    try:
        with WorkerPool(config.jobs, timeout_s=config.timeout_s) as pool:
            caching = _cache_settings(snapshot, cache, analyzers, requests, versions, rulebook)
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
        else:
            prune_cache(Path(cache_dir), config.cache_max_bytes)
    return analysis, sources


def _cache_settings(
    snapshot: TreeSnapshot,
    cache: ResultCache | None,
    analyzers: Sequence[Analyzer],
    requests: Mapping[str, AnalysisRequest],
    versions: Mapping[str, str],
    rulebook: RuleBook,
) -> CacheSettings | None:
    if cache is None:
        return None
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
        cache=cache, fingerprints=fingerprints, digests=snapshot.digests, snapshot=snapshot
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
    root: Path,
    files: Sequence[SourceFile],
    analyzed: set[str],
    snapshot: TreeSnapshot,
    timeout: float | None,
) -> Target:
    git = read_git_info(root, timeout)
    return Target(
        root=str(root),
        files_scanned=len(analyzed),
        lines=sum(state.lines for state in snapshot.states.values()),
        git_commit=git.commit,
        git_branch=git.branch,
        name=read_project_name(root),
        project_file=project_anchor(f.path for f in files),
    )


# Where a finding about the whole project is shown: the README, where a reader starts, else
# the packaging files; then any file at the top, then any file at all.
_ANCHORS = ("readme.md", "readme.rst", "readme.txt", "readme", "pyproject.toml", "setup.cfg")


def project_anchor(paths: Iterable[str]) -> str | None:
    """The real file that project-level findings are anchored to, or None without files."""
    ordered = sorted(paths, key=lambda p: (p.count("/"), p))
    top = {p.lower(): p for p in reversed(ordered) if "/" not in p}
    for name in _ANCHORS:
        if name in top:
            return top[name]
    readmes = [p for p in top.values() if p.lower().startswith("readme")]
    if readmes:
        return min(readmes)
    return ordered[0] if ordered else None
