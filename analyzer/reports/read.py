"""Read a JSON report back into the model: the scan result, its identity, its history.

``roadmap merge`` unions shards' reports and plans across repositories from them; anything
else that compares reports (``roadmap progress``) can read them here too. A report is
untrusted input: it is read with a size cap, only from a regular file, as strict UTF-8 JSON
(no NaN), and every field that becomes part of the model is checked (``fields.Node``); the
first problem is one ``ReportError`` line naming the file and the field.

What a report does not hold is not invented: a report read back has no absolute root (its
``target.root`` is the root as the scan's user named it) and knows which files were
analyzed only when it is a shard's.
"""

from __future__ import annotations

import json
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, get_args

from analyzer.discover.history import FileChurn, FunctionChurn, History
from analyzer.model import (
    CONFIDENCES,
    SEVERITIES,
    About,
    AnalyzerRun,
    BaselineStatus,
    DeferredJoin,
    Endpoint,
    FileError,
    FileFacts,
    Finding,
    Measure,
    Scalar,
    ScanIdentity,
    ScanResult,
    ShardPart,
    SuppressionReason,
    Target,
)
from analyzer.reports.fields import Node, ReportError

# A million-line tree's report is tens of megabytes; this bounds a hostile or wrong file.
REPORT_LIMIT = 1024 * 1024 * 1024
# The report versions this reader understands: the ones that carry ``scan``.
READABLE_VERSIONS = frozenset({"1.2"})
_STATUSES: tuple[Literal["ok", "failed", "skipped"], ...] = ("ok", "failed", "skipped")
_ABOUT: tuple[str, ...] = get_args(About)
_SUPPRESSIONS: tuple[str, ...] = get_args(SuppressionReason)
_BASELINE_STATUSES: tuple[str, ...] = get_args(BaselineStatus)


@dataclass(frozen=True, kw_only=True, slots=True)
class ReadReport:
    """One report as the model: ``source`` names it in messages."""

    source: str
    root_label: str
    result: ScanResult
    # The git history the report's roadmap weighed; None in a shard's report.
    history: History | None = None


def read_report_file(path: Path, *, limit: int = REPORT_LIMIT) -> ReadReport:
    source = str(path)
    return parse_report(_read_capped(path, limit, source), source)


def _read_capped(path: Path, limit: int, source: str) -> bytes:
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as exc:
        raise ReportError(f"{source}: cannot read: {exc.strerror or exc}") from exc
    try:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode):
            raise ReportError(f"{source}: not a regular file")
        if info.st_size > limit:
            raise ReportError(f"{source}: larger than {limit / 1048576:g} MiB")
        with os.fdopen(os.dup(descriptor), "rb") as handle:
            data = handle.read(limit + 1)
    except OSError as exc:
        raise ReportError(f"{source}: cannot read: {exc.strerror or exc}") from exc
    finally:
        os.close(descriptor)
    if len(data) > limit:
        raise ReportError(f"{source}: larger than {limit / 1048576:g} MiB")
    return data


def parse_report(data: bytes, source: str) -> ReadReport:
    try:
        document = json.loads(data.decode("utf-8"), parse_constant=_no_constant)
    except UnicodeDecodeError as exc:
        raise ReportError(f"{source}: not UTF-8 text ({exc.reason})") from exc
    except json.JSONDecodeError as exc:
        raise ReportError(f"{source}: not JSON ({exc.msg}, line {exc.lineno})") from exc
    except (RecursionError, ValueError, MemoryError) as exc:
        raise ReportError(f"{source}: cannot read: {type(exc).__name__}: {exc}"[:300]) from exc
    return read_document(Node(document, "", source))


def _no_constant(name: str) -> float:
    raise ValueError(f"{name} is not a number JSON allows")


def read_document(root: Node) -> ReadReport:
    if not isinstance(root.value, dict) or root.optional("tool") is None:
        raise root.fail("is not a repo-roadmap JSON report")
    if root.key("tool").key("name").value != "repo-roadmap":
        raise root.fail("is not a repo-roadmap JSON report")
    version = root.key("schema_version").value
    if version not in READABLE_VERSIONS:
        raise root.fail(
            f"is a version {str(version)[:20]} report; this roadmap reads version "
            f"{', '.join(sorted(READABLE_VERSIONS))} (scan again with this version)"
        )
    scan = root.optional("scan")
    if scan is None:
        raise root.fail("has no 'scan' section to merge from (scan again with this version)")
    shard = _shard(scan.optional("shard"))
    target = root.key("target")
    return ReadReport(
        source=root.source,
        root_label=target.key("root").text(),
        result=ScanResult(
            target=_target(target),
            analyzers=tuple(_run(item) for item in root.key("analyzers").items()),
            findings=tuple(_finding(item) for item in root.key("findings").items()),
            measures=_measures(root.key("metrics").key("files"), scan.key("project_measures")),
            errors=tuple(_error(item) for item in root.key("errors").items()),
            suppressed=tuple(_finding(item) for item in root.key("suppressed").items()),
            endpoints=tuple(_endpoint(item) for item in root.key("endpoints").items()),
            analyzed_paths=frozenset(path for path, _ in shard.lines) if shard else frozenset(),
            identity=_identity(scan.key("identity"), scan.key("config")),
            shard=shard,
        ),
        history=_history(root.optional("roadmap")),
    )


def _target(node: Node) -> Target:
    git = node.key("git")
    return Target(
        root=node.key("root").text(),
        files_scanned=node.key("files_scanned").integer(),
        lines=node.key("lines").integer(),
        git_commit=git.key("commit").optional_text(),
        git_branch=git.key("branch").optional_text(),
        name=node.key("name").optional_text(),
        project_file=node.key("project_file").optional_text(),
    )


def _run(node: Node) -> AnalyzerRun:
    return AnalyzerRun(
        name=node.key("name").text(),
        tool_version=node.key("tool_version").text(),
        status=node.key("status").choice(_STATUSES),
        duration_s=node.key("duration_s").number(minimum=0),
        files=node.key("files").integer(),
        error=node.key("error").optional_text(),
        tool=node.key("tool").text(),
    )


def _finding(node: Node) -> Finding:
    return Finding(
        fingerprint=node.key("fingerprint").text(),
        rule_id=node.key("rule_id").text(),
        tool=node.key("tool").text(),
        tool_code=node.key("tool_code").text(),
        category=node.key("category").text(),
        severity=node.key("severity").choice(SEVERITIES),
        confidence=node.key("confidence").choice(CONFIDENCES),
        message=node.key("message").text(),
        path=node.key("path").text(),
        line=node.key("line").integer(minimum=1),
        column=node.key("column").integer(),
        end_line=node.key("end_line").optional_integer(),
        end_column=node.key("end_column").optional_integer(),
        symbol=node.key("symbol").optional_text(),
        cwe=node.key("cwe").optional_integer(),
        details=tuple((name, _scalar(value)) for name, value in node.key("details").entries()),
        baseline_status=node.key("baseline_status").optional_choice(_BASELINE_STATUSES),  # type: ignore[arg-type]
        suppressed_by=node.key("suppressed_by").optional_choice(_SUPPRESSIONS),  # type: ignore[arg-type]
        about=node.key("about").choice(_ABOUT),  # type: ignore[arg-type]
    )


def _scalar(node: Node) -> Scalar:
    value = node.value
    if value is None or isinstance(value, str | bool):
        return value
    # An integer too, so that one too large for a float is refused here, not in planning.
    return node.number()


def _endpoint(node: Node) -> Endpoint:
    return Endpoint(
        framework=node.key("framework").text(),
        methods=node.key("methods").texts(),
        route=node.key("route").text(),
        handler=node.key("handler").text(),
        path=node.key("path").text(),
        line=node.key("line").integer(minimum=1),
        is_async=node.key("is_async").flag(),
        documented=node.key("documented").flag(),
        authenticated=node.key("authenticated").flag(),
        auth_source=node.key("auth_source").text(),
        writes=node.key("writes").flag(),
    )


def _error(node: Node) -> FileError:
    return FileError(
        path=node.key("path").text(),
        analyzer=node.key("analyzer").text(),
        reason=node.key("reason").text(),
    )


def _measures(files: Node, project: Node) -> tuple[Measure, ...]:
    """Per-file measures (``metrics.files``) and project ones, in the scan's order."""
    measures = [
        Measure(name=item.key("name").text(), value=item.key("value").number())
        for item in project.items()
    ]
    for path, values in files.entries():
        measures.extend(
            Measure(name=name, value=value.number(), path=path) for name, value in values.entries()
        )
    return tuple(sorted(measures, key=lambda m: (m.name, m.path or "")))


def _identity(node: Node, config: Node) -> ScanIdentity:
    if not isinstance(config.value, dict):
        raise config.fail("must be an object")
    return ScanIdentity(
        root_name=node.key("root_name").text(),
        commit=node.key("commit").optional_text(),
        files_digest=node.key("files_digest").text(),
        config_hash=node.key("config_hash").text(),
        rules_digest=node.key("rules_digest").text(),
        tool_versions=tuple(
            (item.key("name").text(), item.key("version").text())
            for item in node.key("tool_versions").items()
        ),
        # Validated where it is applied, by the configuration's own validator.
        config=config.value,
    )


def _shard(node: Node | None) -> ShardPart | None:
    if node is None:
        return None
    count = node.key("count").integer(minimum=1)
    index = node.key("index").integer(minimum=1)
    if index > count:
        raise node.key("index").fail(f"must be at most the shard count ({count})")
    whole = node.key("whole_program")
    return ShardPart(
        index=index,
        count=count,
        whole_program="all" if whole.value == "all" else whole.integer(minimum=1),
        lines=tuple((path, lines.integer()) for path, lines in node.key("lines").entries()),
        whole_program_analyzers=node.key("whole_program_analyzers").texts(),
        joins=tuple(_join(item) for item in node.key("joins").items()),
    )


def _join(node: Node) -> DeferredJoin:
    analyzer = node.key("analyzer").text()
    return DeferredJoin(
        analyzer=analyzer,
        facts=tuple(
            FileFacts(path=item.key("path").text(), data=item.key("data").text())
            for item in node.key("facts").items()
        ),
        errors=tuple(
            FileError(
                path=item.key("path").text(), analyzer=analyzer, reason=item.key("reason").text()
            )
            for item in node.key("errors").items()
        ),
    )


def _history(roadmap: Node | None) -> History | None:
    if roadmap is None:
        return None
    node = roadmap.key("history")
    return History(
        available=node.key("available").flag(),
        note=node.key("note").text(),
        commits=node.key("commits").integer(),
        since=node.key("since").optional_text(),
        until=node.key("until").optional_text(),
        truncated=node.key("truncated").flag(),
        files=tuple(
            FileChurn(
                path=item.key("path").text(),
                commits=item.key("commits").integer(),
                lines_changed=item.key("lines_changed").integer(),
            )
            for item in node.key("files").items()
        ),
        functions=tuple(
            FunctionChurn(
                path=item.key("path").text(),
                symbol=item.key("symbol").text(),
                commits=item.key("commits").integer(),
                lines_changed=item.key("lines_changed").integer(),
            )
            for item in node.key("functions").items()
        ),
        function_files=node.key("function_files").texts(),
    )
