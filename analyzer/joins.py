"""The cross-file joins a sharded scan leaves to ``roadmap merge``.

A two-phase analyzer (api, frontend, testing, documentation) runs its per-file phase in the
shard that owns each file; its join needs every file's facts, so each shard's report
carries its facts and the merge runs the join once, over all of them, in the checkout the
shards scanned (a join may read files: the API analyzer parses modules that declarations
refer to, the documentation analyzer reads the README). Its findings are normalized and
suppressed exactly as a scan does, so the merged report is the unsharded scan's.

The checkout is verified first: the same commit, and the same discovered files and sizes.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from analyzer.analyze import TaskResult, execute_combine
from analyzer.cache import ResultCache
from analyzer.config import ScanConfig
from analyzer.discover import discover_files, read_git_info
from analyzer.identity import files_digest
from analyzer.model import (
    AnalysisOutput,
    DeferredJoin,
    Endpoint,
    FileError,
    Finding,
    Measure,
    RawFinding,
    ScanIdentity,
    SourceFile,
)
from analyzer.plugins import AnalysisRequest, Analyzer, CombiningAnalyzer
from analyzer.pool import Done, Job, WorkerPool
from analyzer.rules import RuleBook
from analyzer.scan import requested_files, screen_findings
from analyzer.source_index import index_with_cache


class JoinError(ValueError):
    """The checkout or the installed analyzers are not the ones the shards scanned with."""


@dataclass(frozen=True, kw_only=True, slots=True)
class JoinOutcome:
    findings: tuple[Finding, ...] = ()
    suppressed: tuple[Finding, ...] = ()
    measures: tuple[Measure, ...] = ()
    errors: tuple[FileError, ...] = ()
    endpoints: tuple[Endpoint, ...] = ()
    # Each join's failure (None when it ran) and how long it took.
    failures: Mapping[str, str | None] = field(default_factory=dict)
    durations: Mapping[str, float] = field(default_factory=dict)


def check_tree(root: Path, identity: ScanIdentity, config: ScanConfig) -> tuple[SourceFile, ...]:
    """The files of ``root``, when it is the tree the shards scanned; else a ``JoinError``."""
    if identity.commit is not None:
        commit = read_git_info(root, config.timeout_s).commit
        if commit != identity.commit:
            found = commit[:12] if commit else "no git commit"
            raise JoinError(
                f"{root} is at {found}, the shards scanned commit {identity.commit[:12]}: "
                "check out that commit, or point --root at its checkout"
            )
    files = tuple(
        discover_files(
            root, include=config.include, exclude=config.exclude, timeout=config.timeout_s
        )
    )
    if files_digest(files) != identity.files_digest:
        raise JoinError(
            f"the files under {root} differ from the ones the shards scanned (another "
            "checkout, or changed since): merge in the checkout the shards scanned (--root)"
        )
    return files


def join_analyzers(
    joins: Sequence[DeferredJoin], installed: Sequence[Analyzer], identity: ScanIdentity
) -> dict[str, CombiningAnalyzer]:
    """The installed analyzer for each join, at the version the shards ran."""
    versions = dict(identity.tool_versions)
    by_name = {a.name: a for a in installed}
    found: dict[str, CombiningAnalyzer] = {}
    for name in sorted({join.analyzer for join in joins}):
        analyzer = by_name.get(name)
        if not isinstance(analyzer, CombiningAnalyzer):
            raise JoinError(
                f"the shards left the {name} analyzer's join, which is not installed here"
            )
        try:
            version = analyzer.tool_version()
        except Exception:
            version = "unknown"
        if versions.get(name) != version:
            raise JoinError(
                f"the {name} analyzer here is {version}, the shards ran {versions.get(name)}"
            )
        found[name] = analyzer
    return found


def run_joins(
    root: Path,
    files: Sequence[SourceFile],
    joins: Sequence[DeferredJoin],
    analyzers: Mapping[str, CombiningAnalyzer],
    *,
    config: ScanConfig,
    rulebook: RuleBook,
    cache_dir: str,
) -> JoinOutcome:
    """Run each join over all shards' facts, then normalize what they found."""
    requests = {
        name: AnalysisRequest(
            root=str(root),
            files=requested_files(analyzer, files, config),
            cache_dir=cache_dir,
            options=rulebook.settings_for(analyzer.tool),
        )
        for name, analyzer in analyzers.items()
    }
    outputs: dict[str, AnalysisOutput] = {}
    failures: dict[str, str | None] = {}
    durations: dict[str, float] = {}
    with WorkerPool(config.jobs, timeout_s=config.timeout_s) as pool:
        jobs = [
            Job(
                key=index,
                function=execute_combine,
                arguments=(analyzers[join.analyzer], requests[join.analyzer], _phase_output(join)),
            )
            for index, join in enumerate(joins)
        ]
        started = time.perf_counter()
        for outcome in pool.run(jobs):
            name = joins[outcome.key].analyzer
            result = outcome.value if isinstance(outcome, Done) else None
            if isinstance(result, TaskResult):
                failures[name] = result.failure
                durations[name] = result.duration_s
                if result.output is not None:
                    outputs[name] = result.output
            else:
                failures[name] = getattr(outcome, "reason", "crashed")
                durations[name] = time.perf_counter() - started
        raw: list[RawFinding] = [f for o in outputs.values() for f in o.findings]
        cache = ResultCache(Path(cache_dir) / "results") if config.use_cache else None
        sources = index_with_cache(str(root), {f.path for f in raw}, cache=cache, pool=pool)
    kept, suppressed = screen_findings(raw, rulebook, sources, config)
    return JoinOutcome(
        findings=kept,
        suppressed=suppressed,
        measures=tuple(m for o in outputs.values() for m in o.measures),
        errors=tuple(e for o in outputs.values() for e in o.errors),
        endpoints=tuple(e for o in outputs.values() for e in o.endpoints),
        failures=failures,
        durations=durations,
    )


def _phase_output(join: DeferredJoin) -> tuple[AnalysisOutput, ...]:
    """What the per-file phase of every shard gave the join: facts, and per-file errors."""
    return (AnalysisOutput(facts=join.facts, errors=join.errors),)
