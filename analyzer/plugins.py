"""The analyzer protocol, and discovery of analyzers through entry points.

Built-in analyzers are registered in the ``repo_roadmap.analyzers`` entry-point group
exactly as a third-party one would be, so there is one path for both.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from typing import Any, Protocol, runtime_checkable

from analyzer.model import AnalysisOutput, FileError, Measure, RawFinding, Scope, SourceFile

ENTRY_POINT_GROUP = "repo_roadmap.analyzers"


@dataclass(frozen=True, kw_only=True, slots=True)
class AnalysisRequest:
    """What an analyzer is asked to look at. ``root`` is absolute; file paths are relative."""

    root: str
    files: tuple[SourceFile, ...]
    cache_dir: str | None = None
    # The ``[settings]`` table of the tool's rules file (rules/<tool>.toml).
    options: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True, slots=True)
class AnalyzerFailure:
    """An analyzer could not do its job at all; ``reason`` says why."""

    reason: str


@runtime_checkable
class Analyzer(Protocol):
    """What every analyzer plugin provides.

    ``scope`` is ``"file"`` when files are independent, so the engine may split them across
    worker processes and cache per file, or ``"project"`` when the tool needs the whole
    program at once. ``file_patterns`` are globs (matched against the relative path and
    the file name) selecting the files it wants.

    An analyzer whose whole-project step (a project run, or ``combine``) also reads files at
    the root that may not be among its own (a coverage report git ignores, the packaging
    file naming the project) lists their globs in an optional ``reads_also``: the engine
    puts what they hold in that step's cache keys (see ``reads_also``).
    """

    name: str
    tool: str
    scope: Scope
    file_patterns: tuple[str, ...]

    def tool_version(self) -> str: ...

    def analyze(self, request: AnalysisRequest) -> AnalysisOutput | AnalyzerFailure: ...


def reads_also(analyzer: Analyzer) -> tuple[str, ...]:
    """The root-relative globs of the files an analyzer's whole-project step reads besides
    its own (an optional attribute: most analyzers read only what they are given)."""
    found = getattr(analyzer, "reads_also", ())
    return tuple(str(p) for p in found) if isinstance(found, tuple | list) else ()


@runtime_checkable
class CombiningAnalyzer(Analyzer, Protocol):
    """A per-file analyzer with a cross-file step: the optional two-phase shape.

    ``analyze`` runs on chunks of files (in parallel, cached per file) and may leave
    ``FileFacts`` in its output; once every chunk is done, the engine calls ``combine``
    once with the whole request and every chunk's output. What ``combine`` returns is
    added to the chunks' findings, measures, errors and endpoints; facts are never
    reported. An analyzer without ``combine`` is a plain ``Analyzer``.
    """

    def combine(
        self, request: AnalysisRequest, outputs: Sequence[AnalysisOutput]
    ) -> AnalysisOutput | AnalyzerFailure: ...


def analyze_whole(analyzer: Analyzer, request: AnalysisRequest) -> AnalysisOutput | AnalyzerFailure:
    """Run an analyzer over a whole request in this process, both phases if it has two."""
    output = analyzer.analyze(request)
    if isinstance(output, AnalyzerFailure) or not isinstance(analyzer, CombiningAnalyzer):
        return output
    combined = analyzer.combine(request, [output])
    if isinstance(combined, AnalyzerFailure):
        return combined
    return join_outputs([output, combined])


def join_outputs(outputs: Sequence[AnalysisOutput]) -> AnalysisOutput:
    """One output holding everything reportable in ``outputs`` (facts are left out)."""
    return AnalysisOutput(
        findings=tuple(f for o in outputs for f in o.findings),
        measures=tuple(m for o in outputs for m in o.measures),
        errors=tuple(e for o in outputs for e in o.errors),
        endpoints=tuple(e for o in outputs for e in o.endpoints),
    )


@dataclass(frozen=True, kw_only=True, slots=True)
class LoadedAnalyzer:
    """An entry point and what loading it gave: an analyzer, or the reason it failed."""

    name: str
    analyzer: Analyzer | None
    error: str | None = None


def discover_analyzers() -> tuple[LoadedAnalyzer, ...]:
    """Load every registered analyzer, sorted by name; a broken plugin is reported, not raised."""
    found: dict[str, LoadedAnalyzer] = {}
    for point in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda ep: (ep.name, ep.value)):
        if point.name in found:
            continue
        found[point.name] = _load(point.name, point.load)
    return tuple(found[name] for name in sorted(found))


def _load(name: str, load: object) -> LoadedAnalyzer:
    try:
        factory = load()  # type: ignore[operator]
        candidate = factory() if isinstance(factory, type) else factory
    except Exception as exc:  # a third-party plugin may fail in any way
        return LoadedAnalyzer(name=name, analyzer=None, error=f"could not load: {exc!r}")
    if not isinstance(candidate, Analyzer):
        return LoadedAnalyzer(
            name=name, analyzer=None, error="does not implement the repo_roadmap Analyzer protocol"
        )
    return LoadedAnalyzer(name=name, analyzer=candidate)


PerFile = tuple[Sequence[RawFinding], Sequence[Measure]] | FileError


def gather_per_file(results: Iterable[PerFile]) -> AnalysisOutput:
    """One output from per-file results: each file's findings and measures, or its error."""
    findings: list[RawFinding] = []
    measures: list[Measure] = []
    errors: list[FileError] = []
    for result in results:
        if isinstance(result, FileError):
            errors.append(result)
        else:
            findings.extend(result[0])
            measures.extend(result[1])
    return AnalysisOutput(findings=tuple(findings), measures=tuple(measures), errors=tuple(errors))
