"""Security analyzer: bandit, through its Python API, with every installed bandit plugin."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from importlib.metadata import version
from pathlib import Path
from typing import Any

from analyzer.model import AnalysisOutput, Confidence, FileError, Measure, RawFinding, Severity
from analyzer.plugins import AnalysisRequest, AnalyzerFailure
from analyzer.source import parse_file


class SecurityAnalyzer:
    name = "security"
    tool = "bandit"
    scope = "file"
    file_patterns = ("*.py", "*.pyw")

    def tool_version(self) -> str:
        return version("bandit")

    def analyze(self, request: AnalysisRequest) -> AnalysisOutput | AnalyzerFailure:
        from bandit.core import config, manager

        by_absolute = {str(Path(request.root) / f.path): f.path for f in request.files}
        # A default BanditConfig reads no file: the target's .bandit or pyproject settings
        # are never consulted unless the user passes them to us explicitly.
        with _quiet_bandit_logs():
            bandit = manager.BanditManager(config.BanditConfig(), "file", quiet=True)
            bandit.discover_files(list(by_absolute), recursive=False)
            bandit.run_tests()
        findings = tuple(_to_finding(issue, by_absolute) for issue in bandit.get_issue_list())
        errors = tuple(
            _skipped_file(request.root, by_absolute.get(name, name), reason)
            for name, reason in bandit.skipped
        )
        return AnalysisOutput(
            findings=findings, errors=errors, measures=_nosec_measures(bandit, by_absolute)
        )


def _to_finding(issue: Any, by_absolute: dict[str, str]) -> RawFinding:
    lines = list(issue.linerange) or [issue.lineno]
    cwe = getattr(issue.cwe, "id", 0) or None
    end_col = getattr(issue, "end_col_offset", None)
    return RawFinding(
        tool="bandit",
        tool_code=issue.test_id,
        message=issue.text,
        path=by_absolute.get(issue.fname, issue.fname),
        line=int(issue.lineno),
        column=int(issue.col_offset) + 1,
        end_line=max(lines) if lines else None,
        end_column=int(end_col) + 1 if end_col else None,
        column_unit="utf-8-bytes",
        severity=_lower_severity(issue.severity),
        confidence=_lower_confidence(issue.confidence),
        cwe=int(cwe) if cwe else None,
        details=(("test_name", str(issue.test)),),
    )


def _lower_severity(value: str) -> Severity:
    lowered = value.lower()
    return lowered if lowered in ("high", "medium", "low") else "info"  # type: ignore[return-value]


def _lower_confidence(value: str) -> Confidence:
    lowered = value.lower()
    return lowered if lowered in ("high", "medium") else "low"  # type: ignore[return-value]


def _skipped_file(root: str, path: str, bandit_reason: str) -> FileError:
    """bandit's own reasons are generic ("exception while scanning file"); say what is wrong."""
    parsed = parse_file(root, path, "security")
    if isinstance(parsed, FileError):
        return parsed
    return FileError(path=path, analyzer="security", reason=f"bandit: {bandit_reason}")


def _nosec_measures(bandit: Any, by_absolute: dict[str, str]) -> tuple[Measure, ...]:
    measures = []
    for name, data in sorted(bandit.metrics.data.items()):
        if name in by_absolute and data.get("nosec"):
            measures.append(
                Measure(name="security.nosec", value=float(data["nosec"]), path=by_absolute[name])
            )
    return tuple(measures)


@contextmanager
def _quiet_bandit_logs() -> Iterator[None]:
    # Imported here, as bandit is: a scan served from the cache never needs logging.
    import logging

    # bandit logs per-file problems itself; we report them as errors instead.
    logger = logging.getLogger("bandit")
    previous = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        logger.setLevel(previous)
