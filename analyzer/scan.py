"""The scan pipeline: discover → analyze (plugins) → normalize. Returns a ScanResult."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import Literal

from analyzer.analyze import (
    AnalysisRun,
    CacheSettings,
    ProgressCallback,
    entry_keys,
    merge,
    report_done,
    run_analyzers,
    select_files,
)
from analyzer.cache import ResultCache, analyzer_fingerprint, rules_digest
from analyzer.cachedir import default_cache_dir, prune_cache
from analyzer.config import ScanConfig
from analyzer.deadline import time_limit
from analyzer.discover import discover_files, read_git_info, read_project_name
from analyzer.identity import ConfigRecord, config_table, scan_identity
from analyzer.model import (
    AnalyzerRun,
    DeferredJoin,
    FileError,
    Finding,
    RawFinding,
    ScanResult,
    ShardPart,
    SourceFile,
    Target,
)
from analyzer.normalize import SourceIndex, normalize, sort_key
from analyzer.plugins import (
    AnalysisRequest,
    Analyzer,
    CombiningAnalyzer,
    LoadedAnalyzer,
    discover_analyzers,
    reads_also,
)
from analyzer.pool import WorkerPool
from analyzer.rules import RuleBook, load_rulebook
from analyzer.screened_cache import (
    Screened,
    load_screened,
    screened_key,
    store_screened,
)
from analyzer.sharding import Shard, defers_join, is_whole_program, reports_on, shard_files
from analyzer.snapshot import TreeSnapshot, digest_extra, take_snapshot
from analyzer.source_index import index_with_cache, spans_pack_key
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
    record: ConfigRecord | None = None,
) -> ScanResult:
    """Scan ``root``; with ``config.shard``, only that shard's part (see analyzer.sharding).
    ``record`` is the configuration the result says it ran with (its identity)."""
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
            files=_in_changed(a, requested_files(a, files, config), config),
            cache_dir=cache_dir,
            options=rulebook.settings_for(a.tool),
        )
        for a in plan.active
    }
    versions = {a.name: safe_version(a) for a in plan.active}
    whole = frozenset(f.path for r in requests.values() for f in r.files)
    part = _shard_part(plan, requests, config.shard)
    analyzed = {f.path for r in part.requests.values() for f in r.files}
    counted = analyzed if config.shard is None else {p for p in whole if config.shard.owns(p)}
    snapshot = take_snapshot(root, analyzed | counted)
    screened, joins = _analyze_and_screen(
        snapshot,
        cache_dir,
        part,
        versions,
        config=config,
        rulebook=rulebook,
        on_progress=on_progress,
    )
    size_errors = _size_errors(part.active, files, oversized, config.max_file_bytes)
    lines = _line_counts(snapshot, counted)
    target = _describe_target(root, files, lines, config.timeout_s)
    runs = tuple(sorted((*screened.runs, *plan.inactive, *part.elsewhere), key=lambda r: r.name))
    return ScanResult(
        target=target,
        analyzers=runs,
        findings=screened.findings,
        measures=tuple(sorted(screened.measures, key=lambda m: (m.name, m.path or ""))),
        errors=_sorted_errors(
            (*screened.errors, *_shard_reported(size_errors, part.active, config.shard))
        ),
        suppressed=screened.suppressed,
        endpoints=tuple(
            sorted(screened.endpoints, key=lambda e: (e.path, e.line, e.route, e.methods))
        ),
        analyzed_paths=frozenset(analyzed),
        identity=scan_identity(
            target, files, runs, record or ConfigRecord(table=config_table(config)), rulebook
        ),
        shard=None if config.shard is None else _shard_record(config.shard, lines, part, joins),
    )


def requested_files(
    analyzer: Analyzer, files: Sequence[SourceFile], config: ScanConfig
) -> tuple[SourceFile, ...]:
    """The files ``analyzer`` is given: those it selects, but no oversized Python file."""
    oversized = {f.path: f.size for f in files if _is_oversized(f, config.max_file_bytes)}
    return _fitting(select_files(analyzer, files), oversized)


def screen_findings(
    raw: Sequence[RawFinding],
    rulebook: RuleBook,
    sources: Mapping[str, SourceIndex],
    config: ScanConfig,
) -> tuple[tuple[Finding, ...], tuple[Finding, ...]]:
    """Normalize raw findings, then apply the configuration's suppressions: the findings
    reported and the ones suppressed, each sorted."""
    normalized = normalize(raw, rulebook, sources, dict(config.severity_overrides))
    split = apply_config_suppressions(
        _reported(normalized.findings, config),
        config.disabled_rules,
        config.path_ignores,
        min_severity=config.min_severity,
    )
    suppressed = (*_reported(normalized.suppressed, config), *split.suppressed)
    return split.kept, tuple(sorted(suppressed, key=sort_key))


@dataclass(frozen=True, kw_only=True, slots=True)
class _Part:
    """What one shard runs: the analyzers, their narrowed requests, and the whole-program
    analyzers another shard runs (as skipped runs)."""

    active: tuple[Analyzer, ...]
    requests: Mapping[str, AnalysisRequest]
    elsewhere: tuple[AnalyzerRun, ...] = ()
    whole_program: frozenset[str] = frozenset()


def _shard_part(
    plan: ScanPlan, requests: Mapping[str, AnalysisRequest], shard: Shard | None
) -> _Part:
    if shard is None:
        return _Part(active=plan.active, requests=requests)
    active = tuple(a for a in plan.active if shard.runs_whole_program or not is_whole_program(a))
    elsewhere = tuple(
        _inactive(
            a.name,
            "skipped",
            f"runs in shard {shard.whole_program} of {shard.count}",
            safe_version(a),
            a.tool,
        )
        for a in plan.active
        if a not in active
    )
    return _Part(
        active=active,
        requests={
            a.name: replace(requests[a.name], files=shard_files(shard, a, requests[a.name].files))
            for a in active
        },
        elsewhere=elsewhere,
        whole_program=frozenset(a.name for a in plan.active if is_whole_program(a)),
    )


def _shard_reported(
    errors: Sequence[FileError], analyzers: Sequence[Analyzer], shard: Shard | None
) -> list[FileError]:
    if shard is None:
        return list(errors)
    by_name = {a.name: a for a in analyzers}
    return [e for e in errors if reports_on(shard, by_name[e.analyzer], e.path)]


def _shard_record(
    shard: Shard, lines: Mapping[str, int], part: _Part, joins: tuple[DeferredJoin, ...]
) -> ShardPart:
    return ShardPart(
        index=shard.index,
        count=shard.count,
        whole_program=shard.whole_program,
        lines=tuple(sorted(lines.items())),
        whole_program_analyzers=tuple(sorted(part.whole_program)),
        joins=joins,
    )


def _cache_root(config: ScanConfig) -> str:
    """The user's cache directory; with the cache off, a scratch one removed after the scan."""
    if not config.use_cache:
        return tempfile.mkdtemp(prefix="repo-roadmap-")
    return str(config.cache_dir or default_cache_dir())


def _analyze_and_screen(
    snapshot: TreeSnapshot,
    cache_dir: str,
    part: _Part,
    versions: Mapping[str, str],
    *,
    config: ScanConfig,
    rulebook: RuleBook,
    on_progress: ProgressCallback | None,
) -> tuple[Screened, tuple[DeferredJoin, ...]]:
    """The analyzers' findings, normalized and screened, and a shard's deferred joins.
    An unchanged tree is served whole from the cache (see analyzer.screened_cache)."""
    cache = ResultCache(Path(cache_dir) / "results") if config.use_cache else None
    caching = _cache_settings(snapshot, cache, part.active, part.requests, versions, rulebook)
    key = (
        screened_key(caching, part.active, part.requests, config)
        if caching is not None and config.shard is None
        else None
    )
    try:
        served = load_screened(caching.cache, key) if caching and key else None
        if caching is not None and served is not None:
            _keep_entries_behind(caching, part, snapshot.root)
            report_done(part.active, on_progress)
            return served, ()
        analysis, sources = _analyze(
            snapshot, caching, part, versions, config=config, on_progress=on_progress
        )
        with time_limit(config.timeout_s, "normalizing the findings"):
            kept, suppressed = screen_findings(analysis.findings, rulebook, sources, config)
        screened = Screened(
            runs=analysis.runs,
            findings=kept,
            suppressed=suppressed,
            measures=analysis.measures,
            errors=analysis.errors,
            endpoints=analysis.endpoints,
        )
        if caching is not None and key is not None:
            _store_if_unchanged(caching, key, screened, part)
        return screened, analysis.joins
    finally:
        if not config.use_cache:
            shutil.rmtree(cache_dir, ignore_errors=True)
        else:
            prune_cache(Path(cache_dir), config.cache_max_bytes)


def _store_if_unchanged(caching: CacheSettings, key: str, screened: Screened, part: _Part) -> None:
    """Store the result unless a file changed while the scan read it."""
    keyed = frozenset(f.path for r in part.requests.values() for f in r.files)
    if len(caching.snapshot.unchanged(keyed)) == len(keyed):
        store_screened(caching.cache, key, screened, keyed)


def _keep_entries_behind(caching: CacheSettings, part: _Part, root: str) -> None:
    """Mark the entries a served result stands for as used, so pruning keeps them for the
    next scan that changes a file."""
    for analyzer in part.active:
        for key in entry_keys(analyzer, part.requests[analyzer.name], caching):
            caching.cache.touch(key)
    caching.cache.touch(spans_pack_key(root))


def _analyze(
    snapshot: TreeSnapshot,
    caching: CacheSettings | None,
    part: _Part,
    versions: Mapping[str, str],
    *,
    config: ScanConfig,
    on_progress: ProgressCallback | None,
) -> tuple[AnalysisRun, dict[str, SourceIndex]]:
    """Run the analyzers (what the cache lacks) and index the sources their findings name.
    A shard defers the two-phase analyzers' joins and reports only its own part."""
    shard = config.shard
    analyzers, requests = part.active, part.requests
    deferred = frozenset(a.name for a in analyzers if shard is not None and defers_join(a))
    with WorkerPool(config.jobs, timeout_s=config.timeout_s) as pool:
        tallies = run_analyzers(
            analyzers,
            requests,
            pool=pool,
            jobs=config.jobs,
            caching=caching,
            on_progress=on_progress,
            deferred=deferred,
        )
        analysis = merge(
            analyzers,
            requests,
            tallies,
            versions,
            deferred=deferred,
            reports_on=None if shard is None else partial(reports_on, shard),
        )
        sources = index_with_cache(
            snapshot.root,
            {f.path for f in analysis.findings},
            cache=None if caching is None else caching.cache,
            pool=pool,
        )
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
    extra = {
        a.name: digest_extra(snapshot.root, also) for a in analyzers if (also := reads_also(a))
    }
    return CacheSettings(
        cache=cache,
        fingerprints=fingerprints,
        digests=snapshot.digests,
        snapshot=snapshot,
        extra=extra,
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
    root: Path, files: Sequence[SourceFile], lines: Mapping[str, int], timeout: float | None
) -> Target:
    git = read_git_info(root, timeout)
    return Target(
        root=str(root),
        files_scanned=len(lines),
        lines=sum(lines.values()),
        git_commit=git.commit,
        git_branch=git.branch,
        name=read_project_name(root),
        project_file=project_anchor(f.path for f in files),
    )


def _line_counts(snapshot: TreeSnapshot, paths: Iterable[str]) -> dict[str, int]:
    """Lines of each file as the scan read it; a file it could not read counts 0."""
    states = snapshot.states
    return {path: states[path].lines if path in states else 0 for path in sorted(paths)}


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
