"""Shards' reports into one scan result: checked to belong together, then unioned.

Shards belong together when they are parts ``1..N`` of one ``N``, each once, and share
one identity (root, commit, files, configuration and rules, tool versions) and one
placement of the whole-program analyzers; the first difference is a ``ReportError`` that
names the two files and what differs, and a missing shard is named. The union is the
unsharded scan's result, less the joins the shards left to the merge (see
``analyzer.joins``): every list sorted as the scan sorts it, analyzers' runs combined.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Literal

from analyzer.joins import JoinOutcome
from analyzer.model import (
    AnalyzerRun,
    DeferredJoin,
    ScanIdentity,
    ScanResult,
    ShardPart,
    SourceFile,
    Target,
)
from analyzer.normalize import sort_key
from analyzer.render.encode import as_read_back
from analyzer.reports.fields import ReportError
from analyzer.reports.read import ReadReport


@dataclass(frozen=True, kw_only=True, slots=True)
class ShardSet:
    """Reports checked to be all the shards of one scan, by shard number."""

    reports: tuple[ReadReport, ...]
    identity: ScanIdentity
    count: int


def check_shards(reports: Sequence[ReadReport]) -> ShardSet:
    if not reports:
        raise ReportError("no reports to merge")
    for report in reports:
        if report.result.shard is None or report.result.identity is None:
            raise ReportError(
                f"{report.source}: not a shard's report (roadmap scan --shard K/N); "
                "to plan across repositories, use roadmap merge --org"
            )
    first = reports[0]
    for other in reports[1:]:
        _check_same_scan(first, other)
    by_index: dict[int, ReadReport] = {}
    for report in reports:
        index = _part(report).index
        if index in by_index:
            raise ReportError(
                f"shard {index}/{_part(report).count} is given twice: "
                f"{by_index[index].source} and {report.source}"
            )
        by_index[index] = report
    count = _part(first).count
    missing = [index for index in range(1, count + 1) if index not in by_index]
    if missing:
        named = ", ".join(f"{index}/{count}" for index in missing)
        noun = "shard" if len(missing) == 1 else "shards"
        verb = "is" if len(missing) == 1 else "are"
        raise ReportError(f"{noun} {named} {verb} missing: every shard of the scan is needed")
    ordered = tuple(by_index[index] for index in range(1, count + 1))
    _check_disjoint(ordered)
    assert first.result.identity is not None
    return ShardSet(reports=ordered, identity=first.result.identity, count=count)


def _part(report: ReadReport) -> ShardPart:
    assert report.result.shard is not None
    return report.result.shard


def _check_same_scan(first: ReadReport, other: ReadReport) -> None:
    one, two = first.result.identity, other.result.identity
    assert one is not None and two is not None
    names = f"{first.source} and {other.source}"
    differences = (
        ("shard counts", _part(first).count, _part(other).count),
        ("project roots", one.root_name, two.root_name),
        ("commits", one.commit, two.commit),
        ("trees (their files differ)", one.files_digest, two.files_digest),
        ("configurations or rules", one.config_hash, two.config_hash),
        ("whole-program shards", _part(first).whole_program, _part(other).whole_program),
    )
    for what, left, right in differences:
        if left != right:
            raise ReportError(
                f"{names} are not shards of one scan: different {what} "
                f"({_short(left)} and {_short(right)})"
            )
    if one.tool_versions != two.tool_versions:
        theirs = dict(two.tool_versions)
        differing = [(n, v) for n, v in one.tool_versions if theirs.get(n) != v]
        name, version = differing[0] if differing else ("tools", "")
        raise ReportError(
            f"{names} are not shards of one scan: different tool versions "
            f"({name} {version} and {theirs.get(name, 'none')})"
        )


def _short(value: object) -> str:
    text = str(value)
    return text[:12] if len(text) == 64 or len(text) == 40 else text


def _check_disjoint(reports: Sequence[ReadReport]) -> None:
    owner: dict[str, str] = {}
    for report in reports:
        for path, _ in _part(report).lines:
            if path in owner:
                raise ReportError(
                    f"{path} was analyzed by two shards ({owner[path]} and {report.source}): "
                    "the shards did not split the same tree"
                )
            owner[path] = report.source


def union_shards(shards: ShardSet) -> tuple[ScanResult, tuple[DeferredJoin, ...]]:
    """One result from all shards (without the deferred joins' findings), and the joins."""
    results = [report.result for report in shards.reports]
    return (
        ScanResult(
            target=_target(results),
            analyzers=_runs(shards),
            findings=tuple(sorted((f for r in results for f in r.findings), key=sort_key)),
            measures=tuple(
                sorted(
                    (m for r in results for m in r.measures), key=lambda m: (m.name, m.path or "")
                )
            ),
            errors=tuple(
                sorted(
                    {e for r in results for e in r.errors},
                    key=lambda e: (e.path, e.analyzer, e.reason),
                )
            ),
            suppressed=tuple(sorted((f for r in results for f in r.suppressed), key=sort_key)),
            endpoints=tuple(
                sorted(
                    (e for r in results for e in r.endpoints),
                    key=lambda e: (e.path, e.line, e.route, e.methods),
                )
            ),
            analyzed_paths=frozenset(path for r in results for path in r.analyzed_paths),
            identity=shards.identity,
        ),
        _joins(results),
    )


def _target(results: Sequence[ScanResult]) -> Target:
    first = results[0].target
    return Target(
        root=first.root,
        files_scanned=sum(r.target.files_scanned for r in results),
        lines=sum(r.target.lines for r in results),
        git_commit=first.git_commit,
        git_branch=first.git_branch,
        name=first.name,
        project_file=first.project_file,
    )


def _runs(shards: ShardSet) -> tuple[AnalyzerRun, ...]:
    """Each analyzer's runs combined: a whole-program analyzer's from the shards that ran it;
    a per-file one's summed over all shards (files, time), failed if any part failed."""
    collected: dict[str, list[AnalyzerRun]] = defaultdict(list)
    whole_program: set[str] = set()
    for report in shards.reports:
        part = _part(report)
        whole_program.update(part.whole_program_analyzers)
        ran_whole = part.whole_program == "all" or part.whole_program == part.index
        for run in report.result.analyzers:
            if run.name not in part.whole_program_analyzers or ran_whole:
                collected[run.name].append(run)
    return tuple(
        _combined(runs, whole=name in whole_program) for name, runs in sorted(collected.items())
    )


def _combined(runs: Sequence[AnalyzerRun], *, whole: bool) -> AnalyzerRun:
    statuses = {run.status for run in runs}
    status: Literal["ok", "failed", "skipped"] = (
        "failed" if "failed" in statuses else "ok" if "ok" in statuses else "skipped"
    )
    errors = sorted({run.error for run in runs if run.error})
    first = runs[0]
    return AnalyzerRun(
        name=first.name,
        tool=first.tool,
        tool_version=first.tool_version,
        status=status,
        duration_s=round(
            max(r.duration_s for r in runs) if whole else sum(r.duration_s for r in runs), 3
        ),
        files=max(r.files for r in runs) if whole else sum(r.files for r in runs),
        error="; ".join(errors) if errors else None,
    )


def _joins(results: Sequence[ScanResult]) -> tuple[DeferredJoin, ...]:
    facts: dict[str, list[DeferredJoin]] = defaultdict(list)
    for result in results:
        assert result.shard is not None
        for join in result.shard.joins:
            facts[join.analyzer].append(join)
    return tuple(
        DeferredJoin(
            analyzer=name,
            facts=tuple(
                sorted((f for j in joins for f in j.facts), key=lambda f: (f.path, f.data))
            ),
            errors=tuple(
                sorted({e for j in joins for e in j.errors}, key=lambda e: (e.path, e.reason))
            ),
        )
        for name, joins in sorted(facts.items())
    )


def with_tree_paths(
    result: ScanResult, joins: Sequence[DeferredJoin], files: Sequence[SourceFile]
) -> tuple[ScanResult, tuple[DeferredJoin, ...]]:
    """The union and the joins with paths as the checkout spells them. A report carries a
    file name that is not UTF-8 as visible text (``a\\xff.py``, see ``render.encode``); the
    joins and SARIF's line hashes must read the file itself, and the merged report must
    fingerprint and write it exactly as the unsharded scan does."""
    real = _real_paths([f.path for f in files])
    if not real:
        return result, tuple(joins)

    def fix(path: str) -> str:
        return real.get(path, path)

    return replace(
        result,
        findings=tuple(replace(f, path=fix(f.path)) for f in result.findings),
        suppressed=tuple(replace(f, path=fix(f.path)) for f in result.suppressed),
        errors=tuple(replace(e, path=fix(e.path)) for e in result.errors),
        measures=tuple(replace(m, path=m.path and fix(m.path)) for m in result.measures),
        endpoints=tuple(replace(e, path=fix(e.path)) for e in result.endpoints),
        analyzed_paths=frozenset(fix(path) for path in result.analyzed_paths),
    ), tuple(
        replace(
            join,
            facts=tuple(
                sorted(
                    (replace(f, path=fix(f.path)) for f in join.facts),
                    key=lambda f: (f.path, f.data),
                )
            ),
            errors=tuple(
                sorted(
                    {replace(e, path=fix(e.path)) for e in join.errors},
                    key=lambda e: (e.path, e.reason),
                )
            ),
        )
        for join in joins
    )


def _real_paths(paths: Sequence[str]) -> dict[str, str]:
    """Visible form -> the name itself, for names that are not UTF-8; a visible form that
    is also a real name (a file literally called ``a\\xff.py``) is left alone."""
    taken = set(paths)
    found: dict[str, str] = {}
    for path in paths:
        shown = as_read_back(path)
        if shown != path and shown not in taken:
            found[shown] = path
    return found


def with_joins(result: ScanResult, outcome: JoinOutcome, root: str) -> ScanResult:
    """The union completed with what the joins found, its root the checkout they read."""
    runs = tuple(_with_join(run, outcome) for run in result.analyzers)
    return replace(
        result,
        target=replace(result.target, root=root),
        analyzers=runs,
        findings=tuple(sorted((*result.findings, *outcome.findings), key=sort_key)),
        suppressed=tuple(sorted((*result.suppressed, *outcome.suppressed), key=sort_key)),
        measures=tuple(
            sorted((*result.measures, *outcome.measures), key=lambda m: (m.name, m.path or ""))
        ),
        errors=tuple(
            sorted({*result.errors, *outcome.errors}, key=lambda e: (e.path, e.analyzer, e.reason))
        ),
        endpoints=tuple(
            sorted(
                (*result.endpoints, *outcome.endpoints),
                key=lambda e: (e.path, e.line, e.route, e.methods),
            )
        ),
    )


def _with_join(run: AnalyzerRun, outcome: JoinOutcome) -> AnalyzerRun:
    if run.name not in outcome.durations:
        return run
    failure = outcome.failures.get(run.name)
    errors = sorted(
        {*(run.error.split("; ") if run.error else ()), *([failure] if failure else [])}
    )
    return replace(
        run,
        status="failed" if errors else run.status,
        duration_s=round(run.duration_s + outcome.durations[run.name], 3),
        error="; ".join(errors) if errors else None,
    )
