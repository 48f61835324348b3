"""Run analyzer plugins over the discovered files in worker processes, reusing cached results.

Per-file analyzers are split into chunks of about equal size across workers and cached per
file; project-wide analyzers get one task each, started first (they are the longest), and
are cached as a whole. A per-file analyzer with a ``combine`` step gets one more task once
its last chunk is done, fed with every chunk's output and cached as a whole.

A task that fails, hangs or kills its worker fails only its analyzer; a per-file chunk
whose worker died is split and retried, so the files around the culprit are still
analyzed. Every other analyzer's results are kept.
"""

from __future__ import annotations

import heapq
import itertools
import time
from collections import defaultdict, deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from functools import partial
from pathlib import Path

from analyzer.cache import (
    PackEntries,
    ResultCache,
    combine_key,
    digest_bytes,
    file_key,
    output_from_payload,
    output_payload,
    pack_key,
    project_key,
)
from analyzer.discover import compile_patterns
from analyzer.model import (
    AnalysisOutput,
    AnalyzerRun,
    DeferredJoin,
    Endpoint,
    FileError,
    FileFacts,
    Measure,
    RawFinding,
    SourceFile,
)
from analyzer.plugins import AnalysisRequest, Analyzer, AnalyzerFailure, CombiningAnalyzer
from analyzer.pool import Done, Failed, Job, WorkerPool, describe_exception
from analyzer.snapshot import TreeSnapshot

# Chunks per worker and analyzer: more balance the load at the end, fewer cost less overhead.
CHUNKS_PER_WORKER = 4
MIN_CHUNK_FILES = 8


@dataclass(frozen=True, kw_only=True, slots=True)
class Progress:
    analyzer: str
    done: int
    total: int


ProgressCallback = Callable[[Progress], None]


@dataclass(frozen=True, kw_only=True, slots=True)
class TaskResult:
    analyzer: str
    output: AnalysisOutput | None
    failure: str | None
    duration_s: float


@dataclass(frozen=True, kw_only=True, slots=True)
class AnalysisRun:
    runs: tuple[AnalyzerRun, ...]
    findings: tuple[RawFinding, ...]
    measures: tuple[Measure, ...]
    errors: tuple[FileError, ...]
    endpoints: tuple[Endpoint, ...] = ()
    # The facts of two-phase analyzers whose join was deferred (a shard leaves it to merge).
    joins: tuple[DeferredJoin, ...] = ()


# Whether an analyzer's output item about a path (None: the project) is reported; a shard
# that runs whole-program analyzers over everything reports only its own files' items.
ReportsOn = Callable[[Analyzer, str | None], bool]


@dataclass(frozen=True, kw_only=True, slots=True)
class CacheSettings:
    """Where results are cached, and what the keys are made of besides the files."""

    cache: ResultCache
    fingerprints: Mapping[str, str]
    digests: Mapping[str, str]
    # What the digests were read from: a task's result is cached only for files that have
    # not changed since.
    snapshot: TreeSnapshot
    # Per analyzer with ``reads_also``: a digest of those files (see ``digest_extra``).
    extra: Mapping[str, str] = field(default_factory=dict)

    def whole_fingerprint(self, name: str) -> str:
        """The fingerprint keying an analyzer's whole-project step (a project run or a
        combine): the files it reads besides its own are part of it, not of per-file keys."""
        extra = self.extra.get(name)
        if extra is None:
            return self.fingerprints[name]
        return digest_bytes(f"{self.fingerprints[name]}\0{extra}".encode())

    def pack(self, name: str, root: str) -> str:
        """The key of the pack holding an analyzer's per-file entries for one tree."""
        return pack_key("file", self.fingerprints[name], root)

    def whole_key(self, name: str, request: AnalysisRequest, *, combined: bool) -> str | None:
        """The key of a project run over the request's files (``combined``: of a combine
        step); None when one of them could not be read."""
        keyed = combine_key if combined else project_key
        return keyed(self.whole_fingerprint(name), self.digests, (f.path for f in request.files))


def entry_keys(analyzer: Analyzer, request: AnalysisRequest, caching: CacheSettings) -> list[str]:
    """The cache entries a scan reads for ``analyzer``: its pack of per-file entries and its
    combine step, or its project run."""
    if analyzer.scope != "file":
        keys = [caching.whole_key(analyzer.name, request, combined=False)]
    else:
        keys = [caching.pack(analyzer.name, request.root)]
        if _combining(analyzer) is not None:
            keys.append(caching.whole_key(analyzer.name, request, combined=True))
    return [key for key in keys if key is not None]


@dataclass(kw_only=True)
class _Tally:
    total: int = 0
    done: int = 0
    cached_files: int = 0
    duration_s: float = 0.0
    failures: list[str] = field(default_factory=list)
    outputs: list[AnalysisOutput] = field(default_factory=list)
    # Per-file chunks still running, and whether a combine step must follow them.
    chunks_left: int = 0
    needs_combine: bool = False
    combined: AnalysisOutput | None = None
    # A per-file analyzer's cache pack as this scan leaves it, and whether it must be written.
    pack: PackEntries = field(default_factory=dict)
    pack_changed: bool = False


@dataclass(frozen=True, kw_only=True, slots=True)
class _Task:
    analyzer: Analyzer
    request: AnalysisRequest
    # Set on a combine task: the outputs of every per-file chunk.
    outputs: tuple[AnalysisOutput, ...] | None = None


def select_files(analyzer: Analyzer, files: Sequence[SourceFile]) -> tuple[SourceFile, ...]:
    matches = compile_patterns(tuple(analyzer.file_patterns))
    return tuple(f for f in files if matches(f.path))


def split_files(files: Sequence[SourceFile], jobs: int) -> list[tuple[SourceFile, ...]]:
    """About CHUNKS_PER_WORKER chunks per worker of roughly equal byte size, largest first.

    Files are dealt largest first to the lightest chunk, so one directory of heavy files
    (``db/models``, say) is spread over every chunk instead of making one long chunk that
    finishes last; each chunk keeps the files in their original order.
    """
    if len(files) <= MIN_CHUNK_FILES:
        return [tuple(files)] if files else []
    count = max(min(len(files) // MIN_CHUNK_FILES, max(jobs, 1) * CHUNKS_PER_WORKER), 1)
    order = {f.path: index for index, f in enumerate(files)}
    chunks: list[tuple[int, int, list[SourceFile]]] = [(0, i, []) for i in range(count)]
    for source_file in sorted(files, key=lambda f: (-f.size, order[f.path])):
        size, index, members = heapq.heappop(chunks)
        members.append(source_file)
        heapq.heappush(chunks, (size + source_file.size, index, members))
    ordered = sorted(chunks, key=lambda c: (-c[0], c[1]))
    return [tuple(sorted(m, key=lambda f: order[f.path])) for _, _, m in ordered if m]


def execute_task(analyzer: Analyzer, request: AnalysisRequest) -> TaskResult:
    """Runs inside a worker: never raises, so one bad analyzer cannot poison the pool."""
    started = time.perf_counter()
    try:
        outcome = analyzer.analyze(request)
    except Exception as exc:
        return TaskResult(
            analyzer=analyzer.name,
            output=None,
            failure=describe_exception(exc),
            duration_s=time.perf_counter() - started,
        )
    duration = time.perf_counter() - started
    if isinstance(outcome, AnalyzerFailure):
        return TaskResult(
            analyzer=analyzer.name, output=None, failure=outcome.reason, duration_s=duration
        )
    return TaskResult(analyzer=analyzer.name, output=outcome, failure=None, duration_s=duration)


def execute_combine(
    analyzer: CombiningAnalyzer, request: AnalysisRequest, outputs: tuple[AnalysisOutput, ...]
) -> TaskResult:
    """Runs inside a worker: the cross-file step of a two-phase analyzer, never raising."""
    started = time.perf_counter()
    try:
        outcome = analyzer.combine(request, outputs)
    except Exception as exc:
        outcome = AnalyzerFailure(reason=describe_exception(exc))
    duration = time.perf_counter() - started
    if isinstance(outcome, AnalyzerFailure):
        return TaskResult(
            analyzer=analyzer.name, output=None, failure=outcome.reason, duration_s=duration
        )
    return TaskResult(analyzer=analyzer.name, output=outcome, failure=None, duration_s=duration)


def run_analyzers(
    analyzers: Sequence[Analyzer],
    requests: Mapping[str, AnalysisRequest],
    *,
    pool: WorkerPool,
    jobs: int,
    caching: CacheSettings | None = None,
    on_progress: ProgressCallback | None = None,
    deferred: frozenset[str] = frozenset(),
) -> dict[str, _Tally]:
    """Run what the cache does not already hold; tallies are keyed by analyzer name.

    The combine step of the two-phase analyzers named in ``deferred`` is not run: their
    facts are kept for whoever joins them (``roadmap merge``, for a shard)."""
    tallies = {a.name: _Tally() for a in analyzers}
    project: list[_Task] = []
    per_file: list[list[_Task]] = []
    for analyzer in analyzers:
        tally = tallies[analyzer.name]
        combining = _combining(analyzer)
        if combining is not None and analyzer.name not in deferred:
            tally.needs_combine = not _take_cached_combine(
                combining, requests[analyzer.name], tally, caching
            )
        missing = _take_cached(analyzer, requests[analyzer.name], tally, caching)
        if missing is None:
            continue
        if analyzer.scope == "file":
            chunks = split_files(missing.files, jobs)
            tally.chunks_left = len(chunks)
            per_file.append(
                [_Task(analyzer=analyzer, request=replace(missing, files=c)) for c in chunks]
            )
        else:
            project.append(_Task(analyzer=analyzer, request=missing))
    project.sort(key=lambda t: (-len(t.request.files), t.analyzer.name))
    # A combine step whose chunks all came from the cache can start at once.
    ready = [
        _combine_task(a, requests[a.name], tallies[a.name])
        for a in analyzers
        if tallies[a.name].needs_combine and tallies[a.name].chunks_left == 0
    ]
    tasks = [*project, *ready, *_interleave(per_file)]
    for task in tasks:
        tallies[task.analyzer.name].total += 1
    for tally in tallies.values():
        tally.total += int(tally.needs_combine and tally.chunks_left > 0)
    _report_cached(analyzers, tallies, on_progress)
    _run_tasks(tasks, tallies, requests, pool=pool, caching=caching, on_progress=on_progress)
    for analyzer in analyzers:
        _store_pack(analyzer, requests[analyzer.name], tallies[analyzer.name], caching)
    return tallies


def _combining(analyzer: Analyzer) -> CombiningAnalyzer | None:
    return (
        analyzer if analyzer.scope == "file" and isinstance(analyzer, CombiningAnalyzer) else None
    )


def _combine_task(analyzer: Analyzer, request: AnalysisRequest, tally: _Tally) -> _Task:
    return _Task(analyzer=analyzer, request=request, outputs=tuple(tally.outputs))


def _take_cached_combine(
    analyzer: CombiningAnalyzer,
    request: AnalysisRequest,
    tally: _Tally,
    caching: CacheSettings | None,
) -> bool:
    """Move a cached combine output into the tally; False when it must be computed."""
    if not request.files:
        return True
    if caching is None:
        return False
    key = caching.whole_key(analyzer.name, request, combined=True)
    tally.combined = caching.cache.load_output(key) if key else None
    return tally.combined is not None


def _interleave(groups: Sequence[Sequence[_Task]]) -> Iterator[_Task]:
    """Round-robin over analyzers, so every analyzer progresses and none finishes last alone."""
    for index in range(max((len(g) for g in groups), default=0)):
        for group in groups:
            if index < len(group):
                yield group[index]


def _take_cached(
    analyzer: Analyzer, request: AnalysisRequest, tally: _Tally, caching: CacheSettings | None
) -> AnalysisRequest | None:
    """Move cached outputs into the tally; return the request for what is left, or None."""
    if caching is None:
        return request if request.files else None
    fingerprint = caching.fingerprints[analyzer.name]
    if analyzer.scope != "file":
        key = caching.whole_key(analyzer.name, request, combined=False)
        cached = caching.cache.load_output(key) if key else None
        if cached is None:
            return request
        tally.outputs.append(cached)
        tally.cached_files = len(request.files)
        return None
    pack = caching.cache.load_pack(caching.pack(analyzer.name, request.root))
    tally.pack = _kept_entries(pack, request)
    tally.pack_changed = len(tally.pack) != len(pack)
    missing: list[SourceFile] = []
    for source_file in request.files:
        digest = caching.digests.get(source_file.path)
        entry = pack.get(source_file.path)
        cached = (
            output_from_payload(entry[1])
            if digest and entry and entry[0] == file_key(fingerprint, source_file.path, digest)
            else None
        )
        if cached is None or entry is None:
            missing.append(source_file)
        else:
            tally.outputs.append(cached)
            tally.cached_files += 1
            tally.pack[source_file.path] = entry
    return replace(request, files=tuple(missing)) if missing else None


def _kept_entries(pack: PackEntries, request: AnalysisRequest) -> PackEntries:
    """Entries of files this scan does not look at (``--changed-since``) but that exist."""
    asked = {f.path for f in request.files}
    root = Path(request.root)
    return {p: e for p, e in pack.items() if p not in asked and (root / p).is_file()}


def _store_pack(
    analyzer: Analyzer, request: AnalysisRequest, tally: _Tally, caching: CacheSettings | None
) -> None:
    if caching is None or analyzer.scope != "file" or not tally.pack_changed:
        return
    caching.cache.store_pack(caching.pack(analyzer.name, request.root), tally.pack)
    tally.pack_changed = False


def _report_cached(
    analyzers: Sequence[Analyzer],
    tallies: Mapping[str, _Tally],
    on_progress: ProgressCallback | None,
) -> None:
    report_done([a for a in analyzers if tallies[a.name].total == 0], on_progress)


def report_done(analyzers: Sequence[Analyzer], on_progress: ProgressCallback | None) -> None:
    """Progress for analyzers with nothing left to run: each is done at once."""
    if on_progress is not None:
        for analyzer in analyzers:
            on_progress(Progress(analyzer=analyzer.name, done=1, total=1))


class _Queue:
    """The pool's job queue, remembering which task each job key stands for."""

    def __init__(self, tasks: Sequence[_Task]) -> None:
        self.jobs: deque[Job] = deque()
        self.tasks: dict[int, _Task] = {}
        self._keys = itertools.count()
        for task in tasks:
            self.add(task)

    def add(self, task: _Task, *, first: bool = False) -> None:
        key = next(self._keys)
        self.tasks[key] = task
        job = (
            Job(key=key, function=execute_task, arguments=(task.analyzer, task.request))
            if task.outputs is None
            else Job(
                key=key,
                function=execute_combine,
                arguments=(task.analyzer, task.request, task.outputs),
            )
        )
        if first:
            self.jobs.appendleft(job)
        else:
            self.jobs.append(job)


def _run_tasks(
    tasks: Sequence[_Task],
    tallies: Mapping[str, _Tally],
    requests: Mapping[str, AnalysisRequest],
    *,
    pool: WorkerPool,
    caching: CacheSettings | None,
    on_progress: ProgressCallback | None,
) -> None:
    queue = _Queue(tasks)
    for outcome in pool.run(queue.jobs):
        task = queue.tasks.pop(outcome.key)
        tally = tallies[task.analyzer.name]
        if isinstance(outcome, Failed) and _worth_splitting(task, outcome):
            for half in _halves(task):
                queue.add(half, first=True)
            tally.total += 2
            tally.chunks_left += 2
        else:
            _record(tally, outcome, task, caching)
        if task.outputs is None and task.analyzer.scope == "file":
            tally.chunks_left -= 1
            if tally.chunks_left == 0 and tally.needs_combine:
                queue.add(_combine_task(task.analyzer, requests[task.analyzer.name], tally))
            if tally.chunks_left == 0:
                # Written while the other analyzers still run, not all at the end.
                _store_pack(task.analyzer, requests[task.analyzer.name], tally, caching)
        tally.done += 1
        if on_progress:
            on_progress(Progress(analyzer=task.analyzer.name, done=tally.done, total=tally.total))


def _worth_splitting(task: _Task, outcome: Failed) -> bool:
    # A worker that died on a chunk is retried in halves to isolate the culprit file;
    # a timeout is not (each retry would wait for the limit again).
    return (
        task.analyzer.scope == "file"
        and task.outputs is None
        and len(task.request.files) > 1
        and outcome.reason.startswith("worker process")
    )


def _halves(task: _Task) -> tuple[_Task, _Task]:
    files = task.request.files
    middle = len(files) // 2
    return (
        _Task(analyzer=task.analyzer, request=replace(task.request, files=files[:middle])),
        _Task(analyzer=task.analyzer, request=replace(task.request, files=files[middle:])),
    )


def _record(
    tally: _Tally, outcome: Done | Failed, task: _Task, caching: CacheSettings | None
) -> None:
    if isinstance(outcome, Failed):
        tally.failures.append(_name_culprit(outcome.reason, task))
        return
    result = outcome.value
    if not isinstance(result, TaskResult):
        tally.failures.append("crashed: the worker returned something other than a result")
        return
    tally.duration_s += result.duration_s
    if result.failure is not None:
        tally.failures.append(result.failure)
    elif result.output is not None:
        if task.outputs is None:
            tally.outputs.append(result.output)
        else:
            tally.combined = result.output
        if caching is not None and not (task.outputs is not None and tally.failures):
            _store(task, result.output, caching, tally)


def _name_culprit(reason: str, task: _Task) -> str:
    files = task.request.files
    return (
        f"{reason} while analyzing {files[0].path}"
        if task.analyzer.scope == "file" and task.outputs is None and len(files) == 1
        else reason
    )


def _store(task: _Task, output: AnalysisOutput, caching: CacheSettings, tally: _Tally) -> None:
    """Cache what was just computed, for files that did not change while it ran."""
    request, fingerprint = task.request, caching.fingerprints[task.analyzer.name]
    unchanged = caching.snapshot.unchanged(f.path for f in request.files)
    if task.analyzer.scope != "file" or task.outputs is not None:
        key = caching.whole_key(task.analyzer.name, request, combined=task.outputs is not None)
        if key and len(unchanged) == len(request.files):
            caching.cache.store_output(key, output)
        return
    per_path = _split_by_path(output, {f.path for f in request.files})
    if per_path is None:
        return
    for path in sorted(unchanged):
        key = file_key(fingerprint, path, caching.digests[path])
        tally.pack[path] = (key, output_payload(per_path[path]))
        tally.pack_changed = True


def _split_by_path(output: AnalysisOutput, paths: set[str]) -> dict[str, AnalysisOutput] | None:
    """One output per file, or None when something cannot be attributed to one of them."""
    parts: dict[str, dict[str, list[object]]] = {p: defaultdict(list) for p in paths}
    for part in fields(AnalysisOutput):
        for item in getattr(output, part.name):
            path = getattr(item, "path", None)
            if path not in parts:
                return None
            parts[path][part.name].append(item)
    return {
        path: AnalysisOutput(**{name: tuple(items) for name, items in by_part.items()})  # type: ignore[arg-type]
        for path, by_part in parts.items()
    }


def merge(
    analyzers: Sequence[Analyzer],
    requests: Mapping[str, AnalysisRequest],
    tallies: Mapping[str, _Tally],
    versions: Mapping[str, str],
    *,
    deferred: frozenset[str] = frozenset(),
    reports_on: ReportsOn | None = None,
) -> AnalysisRun:
    """Combine tallies into analyzer runs plus everything they found (what ``reports_on``
    keeps), and the facts of the ``deferred`` joins."""
    runs: list[AnalyzerRun] = []
    findings: list[RawFinding] = []
    measures: list[Measure] = []
    errors: list[FileError] = []
    endpoints: list[Endpoint] = []
    joins = [
        _deferred_join(a.name, tallies[a.name].outputs) for a in analyzers if a.name in deferred
    ]
    for analyzer in analyzers:
        tally = tallies[analyzer.name]
        failed = bool(tally.failures)
        runs.append(
            AnalyzerRun(
                name=analyzer.name,
                tool=analyzer.tool,
                tool_version=versions.get(analyzer.name, "unknown"),
                status="failed" if failed else "ok",
                duration_s=round(tally.duration_s, 3),
                files=len(requests[analyzer.name].files),
                error="; ".join(sorted(set(tally.failures))) if failed else None,
            )
        )
        # A partly failed per-file analyzer still reports what its finished chunks found.
        combined = [tally.combined] if tally.combined is not None else []
        for output in [*tally.outputs, *combined]:
            if reports_on is not None:
                output = _reported_part(output, partial(reports_on, analyzer))
            findings.extend(output.findings)
            measures.extend(output.measures)
            errors.extend(output.errors)
            endpoints.extend(output.endpoints)
    return AnalysisRun(
        runs=tuple(runs),
        findings=tuple(findings),
        measures=tuple(measures),
        errors=tuple(errors),
        endpoints=tuple(endpoints),
        joins=tuple(joins),
    )


def _deferred_join(name: str, outputs: Sequence[AnalysisOutput]) -> DeferredJoin:
    facts: list[FileFacts] = [f for o in outputs for f in o.facts]
    return DeferredJoin(
        analyzer=name,
        facts=tuple(sorted(facts, key=lambda f: (f.path, f.data))),
        errors=tuple(
            sorted({e for o in outputs for e in o.errors}, key=lambda e: (e.path, e.reason))
        ),
    )


def _reported_part(output: AnalysisOutput, keep: Callable[[str | None], bool]) -> AnalysisOutput:
    return AnalysisOutput(
        findings=tuple(f for f in output.findings if keep(f.path)),
        measures=tuple(m for m in output.measures if keep(m.path)),
        errors=tuple(e for e in output.errors if keep(e.path)),
        endpoints=tuple(e for e in output.endpoints if keep(e.path)),
    )
