"""Dead-code analyzer: vulture, through its Python API, at vulture's default 60% confidence."""

from __future__ import annotations

import ast
from importlib.metadata import version
from typing import Any

from analyzer.model import AnalysisOutput, Confidence, FileError, RawFinding
from analyzer.plugins import AnalysisRequest, AnalyzerFailure
from analyzer.source import PARSE_ERRORS, describe_parse_error, read_source

MIN_CONFIDENCE = 60


def _make_vulture(ignore_decorators: tuple[str, ...], ignore_names: tuple[str, ...]) -> Any:
    import vulture

    class _RecordingVulture(vulture.Vulture):  # type: ignore[misc]
        """vulture prints parse problems; record them as per-file reasons instead."""

        def __init__(self) -> None:
            super().__init__(
                verbose=False,
                ignore_names=list(ignore_names),
                ignore_decorators=list(ignore_decorators),
            )
            self.problems: list[str] = []

        def _log(self, *args: object, file: object = None, force: bool = False) -> None:
            if force:
                self.problems.append(" ".join(map(str, args)))

    return _RecordingVulture()


class DeadCodeAnalyzer:
    name = "dead-code"
    tool = "vulture"
    scope = "project"
    file_patterns = ("*.py", "*.pyw")

    def tool_version(self) -> str:
        return version("vulture")

    def analyze(self, request: AnalysisRequest) -> AnalysisOutput | AnalyzerFailure:
        scanner = _make_vulture(
            _strings(request, "ignore_decorators"), _strings(request, "ignore_names")
        )
        errors: list[FileError] = []
        for source_file in request.files:
            error = _scan_one(scanner, request.root, source_file.path)
            if error is not None:
                errors.append(error)
        items = scanner.get_unused_code(min_confidence=MIN_CONFIDENCE)
        return AnalysisOutput(
            findings=tuple(_to_finding(item) for item in items), errors=tuple(errors)
        )


def _strings(request: AnalysisRequest, key: str) -> tuple[str, ...]:
    value = request.options.get(key, ())
    return tuple(str(v) for v in value) if isinstance(value, list | tuple) else ()


def _scan_one(scanner: Any, root: str, path: str) -> FileError | None:
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
