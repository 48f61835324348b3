"""Run analyzer plugins over the discovered files in worker processes.

Per-file analyzers are split into chunks across workers; project-wide analyzers get one
task each (mypy additionally runs in its own subprocess). A task that raises, or whose
worker dies, fails only its analyzer; every other analyzer's results are kept.
"""

from __future__ import annotations

import multiprocessing
import time
import traceback
from collections import defaultdict
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field

from analyzer.discover import matches_any
from analyzer.model import AnalysisOutput, AnalyzerRun, FileError, Measure, RawFinding, SourceFile
from analyzer.plugins import AnalysisRequest, Analyzer, AnalyzerFailure

# Small chunks balance load across workers; too small and process overhead dominates.
MIN_CHUNK = 16
CHUNKS_PER_WORKER = 4


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


@dataclass(kw_only=True)
class _Tally:
    total: int = 0
    done: int = 0
    duration_s: float = 0.0
    failures: list[str] = field(default_factory=list)
    outputs: list[AnalysisOutput] = field(default_factory=list)


def select_files(analyzer: Analyzer, files: Sequence[SourceFile]) -> tuple[SourceFile, ...]:
    return tuple(f for f in files if matches_any(f.path, analyzer.file_patterns))


def plan_requests(
    analyzer: Analyzer, request: AnalysisRequest, jobs: int
) -> list[AnalysisRequest]:
    """One request for project-wide analyzers, balanced chunks for per-file ones."""
    files = request.files
    if analyzer.scope != "file" or len(files) <= MIN_CHUNK:
        return [request]
    size = max(MIN_CHUNK, -(-len(files) // (jobs * CHUNKS_PER_WORKER)))
    return [
        AnalysisRequest(root=request.root, files=files[i : i + size], cache_dir=request.cache_dir, options=request.options)
        for i in range(0, len(files), size)
    ]


def execute_task(analyzer: Analyzer, request: AnalysisRequest) -> TaskResult:
    """Runs inside a worker: never raises, so one bad analyzer cannot poison the pool."""
    started = time.perf_counter()
    try:
        outcome = analyzer.analyze(request)
    except BaseException as exc:  # noqa: BLE001 - a plugin may fail in any way; report it
        last = traceback.extract_tb(exc.__traceback__)[-1:] if exc.__traceback__ else []
        where = f" at {last[0].filename.rsplit('/', 1)[-1]}:{last[0].lineno}" if last else ""
        return TaskResult(
            analyzer=analyzer.name, output=None, failure=f"crashed: {type(exc).__name__}: {exc}{where}",
            duration_s=time.perf_counter() - started,
        )
    duration = time.perf_counter() - started
    if isinstance(outcome, AnalyzerFailure):
        return TaskResult(analyzer=analyzer.name, output=None, failure=outcome.reason, duration_s=duration)
    return TaskResult(analyzer=analyzer.name, output=outcome, failure=None, duration_s=duration)


def run_analyzers(
    analyzers: Sequence[Analyzer],
    requests: dict[str, AnalysisRequest],
    *,
    jobs: int,
    timeout_s: float | None = None,
    on_progress: ProgressCallback | None = None,
) -> dict[str, _Tally]:
    """Run every analyzer's tasks in a process pool; tallies are keyed by analyzer name."""
    tallies = {a.name: _Tally() for a in analyzers}
    work = [(a, r) for a in analyzers for r in plan_requests(a, requests[a.name], jobs)]
    # Longest first: project-wide tools (mypy) start before the per-file chunks.
    work.sort(key=lambda pair: pair[0].scope != "project")
    for analyzer, _ in work:
        tallies[analyzer.name].total += 1
    context = multiprocessing.get_context("forkserver")
    with ProcessPoolExecutor(max_workers=max(jobs, 1), mp_context=context) as pool:
        pending: dict[Future[TaskResult], str] = {pool.submit(execute_task, a, r): a.name for a, r in work}
        deadline = time.monotonic() + timeout_s if timeout_s else None
        while pending:
            remaining = None if deadline is None else max(deadline - time.monotonic(), 0)
            done, _ = wait(pending, timeout=remaining, return_when=FIRST_COMPLETED)
            if not done:
                _fail_pending(pending, tallies, f"timed out after {timeout_s:g}s")
                _terminate(pool)
                break
            for future in done:
                name = pending.pop(future)
                _record(tallies[name], future)
                if on_progress:
                    tally = tallies[name]
                    on_progress(Progress(analyzer=name, done=tally.done, total=tally.total))
    return tallies


def _record(tally: _Tally, future: Future[TaskResult]) -> None:
    tally.done += 1
    try:
        result = future.result()
    except BrokenProcessPool:
        tally.failures.append("worker process died (killed or out of memory)")
        return
    except Exception as exc:  # noqa: BLE001 - e.g. an unpicklable plugin result
        tally.failures.append(f"crashed: {type(exc).__name__}: {exc}")
        return
    tally.duration_s += result.duration_s
    if result.failure is not None:
        tally.failures.append(result.failure)
    elif result.output is not None:
        tally.outputs.append(result.output)


def _fail_pending(pending: dict[Future[TaskResult], str], tallies: dict[str, _Tally], reason: str) -> None:
    for future, name in pending.items():
        future.cancel()
        if reason not in tallies[name].failures:
            tallies[name].failures.append(reason)
    pending.clear()


def _terminate(pool: ProcessPoolExecutor) -> None:
    # The executor has no public way to stop a running task; a hung worker is killed.
    for process in list(getattr(pool, "_processes", {}).values()):
        process.terminate()
    pool.shutdown(wait=False, cancel_futures=True)


def merge(
    analyzers: Sequence[Analyzer],
    requests: dict[str, AnalysisRequest],
    tallies: dict[str, _Tally],
    versions: dict[str, str],
) -> AnalysisRun:
    """Combine tallies into analyzer runs plus everything they found, failed ones excluded."""
    runs: list[AnalyzerRun] = []
    findings: list[RawFinding] = []
    measures: list[Measure] = []
    errors: list[FileError] = []
    per_name: dict[str, list[AnalysisOutput]] = defaultdict(list)
    for analyzer in analyzers:
        tally = tallies[analyzer.name]
        failed = bool(tally.failures)
        runs.append(
            AnalyzerRun(
                name=analyzer.name,
                tool_version=versions.get(analyzer.name, "unknown"),
                status="failed" if failed else "ok",
                duration_s=round(tally.duration_s, 3),
                files=len(requests[analyzer.name].files),
                error="; ".join(sorted(set(tally.failures))) if failed else None,
            )
        )
        # A partly failed per-file analyzer still reports what its finished chunks found.
        per_name[analyzer.name].extend(tally.outputs)
    for outputs in per_name.values():
        for output in outputs:
            findings.extend(output.findings)
            measures.extend(output.measures)
            errors.extend(output.errors)
    return AnalysisRun(runs=tuple(runs), findings=tuple(findings), measures=tuple(measures), errors=tuple(errors))
