"""The dead-code analyzer's two phases (see the package's docstring): its settings, the
per-file scan that records what vulture sees, and the join that asks one vulture holding
every file's records what is unused. Imported when the analyzer runs, so a scan served
from the cache loads neither vulture nor the whitelists."""

from __future__ import annotations

import ast
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from analyzer.analyzers.deadcode import SOURCE_PATTERNS
from analyzer.analyzers.deadcode.context import item_key
from analyzer.analyzers.deadcode.facts import context_of, encode, replay
from analyzer.analyzers.deadcode.recorder import RecordingVulture
from analyzer.analyzers.deadcode.usage import used_names
from analyzer.analyzers.deadcode.whitelists import (
    BaseIndex,
    Classifier,
    Item,
    Whitelist,
    WhitelistError,
    active_whitelists,
    parse_whitelists,
)
from analyzer.discover import matches_any
from analyzer.model import AnalysisOutput, Confidence, FileError, FileFacts, RawFinding
from analyzer.plugins import AnalysisRequest, AnalyzerFailure
from analyzer.rules import load_settings
from analyzer.source import PARSE_ERRORS, describe_parse_error, read_source

MIN_CONFIDENCE = 60


@dataclass(frozen=True, kw_only=True, slots=True)
class DeadCodeSettings:
    ignore_decorators: tuple[str, ...]
    ignore_names: tuple[str, ...]
    whitelists: tuple[Whitelist, ...]


def parse_settings(table: Mapping[str, Any]) -> DeadCodeSettings:
    """Raises WhitelistError on a bad value."""
    whitelists = table.get("whitelists", {})
    if not isinstance(whitelists, Mapping):
        raise WhitelistError("whitelists must be a table of tables")
    return DeadCodeSettings(
        ignore_decorators=_strings(table, "ignore_decorators"),
        ignore_names=_strings(table, "ignore_names"),
        whitelists=parse_whitelists(whitelists),
    )


def _strings(table: Mapping[str, Any], key: str) -> tuple[str, ...]:
    value = table.get(key, [])
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise WhitelistError(f"{key} must be a list of strings")
    return tuple(value)


def first_phase(request: AnalysisRequest) -> AnalysisOutput | AnalyzerFailure:
    """The per-file phase: what vulture records in each Python file, as its facts."""
    settings = _settings(request)
    if isinstance(settings, AnalyzerFailure):
        return settings
    errors: list[FileError] = []
    facts: list[FileFacts] = []
    for source in request.files:
        if not matches_any(source.path, SOURCE_PATTERNS):
            continue  # a dependency file, read by the join
        scanner = RecordingVulture()
        error = _scan_one(scanner, request.root, source.path)
        if error is not None:
            errors.append(error)
        encoded = encode(scanner, source.path)
        if encoded is not None:
            facts.append(FileFacts(path=source.path, data=encoded))
    return AnalysisOutput(errors=tuple(errors), facts=tuple(facts))


def join(
    request: AnalysisRequest, outputs: Sequence[AnalysisOutput]
) -> AnalysisOutput | AnalyzerFailure:
    """The join: one vulture holding every file's records says what is unused."""
    settings = _settings(request)
    if isinstance(settings, AnalyzerFailure):
        return settings
    scanner = RecordingVulture()
    try:
        for item in sorted((f for o in outputs for f in o.facts), key=lambda f: f.path):
            replay(scanner, item.path, item.data)
    except (KeyError, TypeError, ValueError) as exc:
        return AnalyzerFailure(reason=f"unreadable facts from the per-file pass: {exc!r}")
    dependency_files = sorted(
        f.path for f in request.files if not matches_any(f.path, SOURCE_PATTERNS)
    )
    used = used_names(
        (m for modules in scanner.imports.values() for m in modules),
        request.root,
        dependency_files,
    )
    try:
        findings = _classify(scanner, settings, active_whitelists(settings.whitelists, used))
    except (TypeError, ValueError) as exc:
        return AnalyzerFailure(reason=f"unreadable facts from the per-file pass: {exc!r}")
    return AnalysisOutput(findings=tuple(findings))


def _settings(request: AnalysisRequest) -> DeadCodeSettings | AnalyzerFailure:
    try:
        return parse_settings(request.options or load_settings("vulture"))
    except WhitelistError as exc:
        return AnalyzerFailure(reason=f"rules/vulture.toml settings: {exc}")


def _classify(
    scanner: RecordingVulture, settings: DeadCodeSettings, whitelists: tuple[Whitelist, ...]
) -> list[RawFinding]:
    classifier = Classifier(
        whitelists=whitelists,
        ignore_decorators=settings.ignore_decorators,
        ignore_names=settings.ignore_names,
        bases=BaseIndex(scanner.class_bases),
    )
    findings = []
    for raw in scanner.get_unused_code(min_confidence=MIN_CONFIDENCE):
        finding = _to_finding(raw)
        context = context_of(scanner, item_key(raw))
        reason = (
            None
            if context is None
            else classifier.reason(
                Item(
                    path=finding.path,
                    name=str(raw.name),
                    typ=str(raw.typ),
                    context=context,
                    file_imports=frozenset(scanner.imports.get(finding.path, ())),
                    named_in_string=_named_in_string(
                        finding.path, str(raw.name), scanner.dotted_strings
                    ),
                )
            )
        )
        findings.append(finding if reason is None else _whitelisted(finding, reason))
    return findings


def _named_in_string(path: str, name: str, dotted: Mapping[str, set[str]]) -> bool:
    """Does a string like ``"pkg.module.Name"`` name this definition? The module part must
    end the file's dotted path (so ``src/`` and other roots before it do not matter)."""
    modules = dotted.get(name)
    if not modules:
        return False
    stem = path.removesuffix(".py").removesuffix("/__init__").replace("/", ".")
    return any(stem == m or stem.endswith(f".{m}") for m in modules)


def _whitelisted(finding: RawFinding, reason: str) -> RawFinding:
    return replace(
        finding,
        suppressed_by="whitelisted",
        details=(*finding.details, ("whitelisted_by", reason)),
    )


def _scan_one(scanner: RecordingVulture, root: str, path: str) -> FileError | None:
    text = read_source(root, path, "dead-code")
    if isinstance(text, FileError):
        return text
    before = len(scanner.problems)
    try:
        # The relative path is the name vulture reports back, so no mapping is needed.
        scanner.scan(text, filename=path)
    except (RecursionError, MemoryError) as exc:
        return FileError(path=path, analyzer="dead-code", reason=describe_parse_error(exc))
    if len(scanner.problems) > before:
        return _explain(text, path, scanner.problems[-1])
    return None


def _explain(text: str, path: str, vulture_message: str) -> FileError:
    """vulture's message quotes the whole offending line; Python's own error is shorter."""
    try:
        ast.parse(text, filename=path, type_comments=True)
    except PARSE_ERRORS as exc:
        return FileError(path=path, analyzer="dead-code", reason=describe_parse_error(exc))
    return FileError(path=path, analyzer="dead-code", reason=f"vulture: {vulture_message[:200]}")


def _to_finding(item: Any) -> RawFinding:
    code = "unreachable-code" if item.typ == "unreachable_code" else f"unused-{item.typ}"
    return RawFinding(
        tool="vulture",
        tool_code=code,
        message=item.message,
        path=item.filename.as_posix(),
        line=int(item.first_lineno),
        end_line=int(item.last_lineno),
        confidence=_confidence(int(item.confidence)),
        details=(
            ("vulture_confidence", int(item.confidence)),
            ("name", str(item.name)),
            ("size", int(item.size)),
        ),
    )


def _confidence(percent: int) -> Confidence:
    if percent >= 100:
        return "high"
    return "medium" if percent >= 80 else "low"
