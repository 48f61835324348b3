"""SARIF 2.1.0 for GitHub code scanning, built as plain dicts and serialized.

- ``level`` comes from the severity; security rules carry GitHub's numeric
  ``security-severity`` so alerts are ranked.
- URIs are relative to the scan root, with ``uriBaseId`` ``%SRCROOT%``.
- ``partialFingerprints`` hold GitHub's ``primaryLocationLineHash`` (see line_hash.py) and
  our own fingerprint under ``repoRoadmap/v1``.
- Suppressed findings are results with a ``suppressions`` entry; failed analyzers and
  per-file errors are ``toolExecutionNotifications``; with a baseline each result has a
  ``baselineState`` and the run's properties count the fixed entries.

Reading the source files for the line hashes is this renderer's only I/O.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any
from urllib.parse import quote

from analyzer import __version__
from analyzer.model import SEVERITIES, FileError, Finding, ScanResult, Severity
from analyzer.render.encode import dump_json
from analyzer.render.line_hash import decode_like_node, line_hashes
from analyzer.report import Report
from analyzer.rules import Rule, RuleBook, load_rulebook
from analyzer.source import read_bytes

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "repoRoadmap/v1"
INFORMATION_URI = "https://pypi.org/project/repo-roadmap/"
LEVELS: Mapping[Severity, str] = {
    "high": "error",
    "medium": "warning",
    "low": "note",
    "info": "note",
}
# GitHub ranks security alerts by this number: >= 9.0 critical, 7.0 high, 4.0 medium, 0.1 low.
SECURITY_SEVERITY: Mapping[Severity, str] = {
    "high": "8.0",
    "medium": "5.5",
    "low": "3.0",
    "info": "1.0",
}
BASELINE_STATES = {"new": "new", "baseline": "unchanged"}
_WORD = re.compile(r"[A-Za-z0-9]+")


def render_sarif(report: Report) -> str:
    return dump_json(build_sarif(report, load_rulebook(report.rule_dirs)))


def build_sarif(report: Report, rules: RuleBook) -> dict[str, Any]:
    result = report.result
    everything = (*result.findings, *result.suppressed)
    rule_ids = sorted({f.rule_id for f in everything})
    index = {rule_id: n for n, rule_id in enumerate(rule_ids)}
    hashes = _line_hashes(result.target.root, {f.path for f in everything})
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "repo-roadmap",
                "version": __version__,
                "informationUri": INFORMATION_URI,
                "rules": [_rule(rules, rule_id, everything) for rule_id in rule_ids],
            }
        },
        "invocations": [_invocation(result)],
        "results": [_result(f, index[f.rule_id], hashes.get(f.path)) for f in everything],
        "columnKind": "unicodeCodePoints",
        "properties": _run_properties(report),
    }
    return {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}


def _rule(rules: RuleBook, rule_id: str, findings: Sequence[Finding]) -> dict[str, Any]:
    tool, _, code = rule_id.partition(".")
    rule: Rule = rules.find(rule_id) or rules.lookup(tool, code)
    severities = [f.severity for f in findings if f.rule_id == rule_id]
    worst = min(severities, key=SEVERITIES.index)
    help_text = rule.help or rule.title
    properties: dict[str, Any] = {"tags": sorted({rule.category, tool})}
    if rule.category == "security":
        properties["tags"] = sorted({*properties["tags"], "security"})
        properties["security-severity"] = SECURITY_SEVERITY[worst]
    return {
        "id": rule_id,
        "name": _pascal_case(rule.title) or _pascal_case(rule_id),
        "shortDescription": {"text": rule.title},
        "fullDescription": {"text": help_text},
        "help": {"text": f"{help_text}\n\nRule {rule_id} ({tool} {code})."},
        "defaultConfiguration": {"level": LEVELS[worst]},
        "properties": properties,
    }


def _pascal_case(text: str) -> str:
    return "".join(word[:1].upper() + word[1:] for word in _WORD.findall(text))


def _result(finding: Finding, rule_index: int, hashes: Sequence[str] | None) -> dict[str, Any]:
    fingerprints = {FINGERPRINT_KEY: finding.fingerprint}
    if hashes is not None and 0 < finding.line <= len(hashes):
        fingerprints["primaryLocationLineHash"] = hashes[finding.line - 1]
    item: dict[str, Any] = {
        "ruleId": finding.rule_id,
        "ruleIndex": rule_index,
        "level": LEVELS[finding.severity],
        "message": {"text": finding.message},
        "locations": [_location(finding)],
        "partialFingerprints": dict(sorted(fingerprints.items())),
        "properties": _finding_properties(finding),
    }
    if finding.baseline_status is not None:
        item["baselineState"] = BASELINE_STATES[finding.baseline_status]
    if finding.suppressed_by is not None:
        kind = "inSource" if finding.suppressed_by == "inline" else "external"
        item["suppressions"] = [
            {"kind": kind, "justification": f"repo-roadmap: {finding.suppressed_by}"}
        ]
    return item


def _location(finding: Finding) -> dict[str, Any]:
    region: dict[str, int] = {"startLine": finding.line, "startColumn": finding.column}
    end_line = finding.end_line
    if end_line is not None and end_line >= finding.line:
        region["endLine"] = end_line
        end_column = finding.end_column
        if end_column is not None and (end_line > finding.line or end_column > finding.column):
            region["endColumn"] = end_column
    location: dict[str, Any] = {
        "physicalLocation": {"artifactLocation": _artifact(finding.path), "region": region}
    }
    if finding.symbol:
        location["logicalLocations"] = [{"fullyQualifiedName": finding.symbol}]
    return location


def _artifact(path: str) -> dict[str, str]:
    return {"uri": quote(path.encode("utf-8", "surrogateescape")), "uriBaseId": SRCROOT}


def _finding_properties(finding: Finding) -> dict[str, Any]:
    properties: dict[str, Any] = {
        "severity": finding.severity,
        "confidence": finding.confidence,
        "category": finding.category,
    }
    if finding.cwe is not None:
        properties["cwe"] = f"CWE-{finding.cwe}"
    return properties


def _invocation(result: ScanResult) -> dict[str, Any]:
    notifications: list[dict[str, Any]] = [
        {
            "level": "error",
            "message": {"text": f"analyzer {run.name} failed: {run.error or 'unknown error'}"},
            "descriptor": {"id": "analyzer-failed"},
        }
        for run in result.analyzers
        if run.status == "failed"
    ]
    notifications.extend(
        {
            "level": "warning",
            "message": {"text": f"{error.analyzer} could not analyze {error.path}: {error.reason}"},
            "locations": [{"physicalLocation": {"artifactLocation": _artifact(error.path)}}],
            "descriptor": {"id": "file-error"},
        }
        for error in result.errors
    )
    return {
        "executionSuccessful": not any(run.status == "failed" for run in result.analyzers),
        "toolExecutionNotifications": notifications,
    }


def _run_properties(report: Report) -> dict[str, Any]:
    result = report.result
    properties: dict[str, Any] = {
        "suppressedCount": len(result.suppressed),
        "fileErrorCount": len(result.errors),
        "analyzers": {run.name: run.status for run in result.analyzers},
    }
    comparison = report.baseline
    if comparison is not None:
        properties["baseline"] = {
            "new": comparison.new_count,
            "unchanged": comparison.baseline_count,
            "fixed": len(comparison.fixed),
            "unverified": len(comparison.unverified),
        }
    return properties


def _line_hashes(root: str, paths: Iterable[str]) -> dict[str, list[str]]:
    hashes: dict[str, list[str]] = {}
    for path in sorted(paths):
        data = read_bytes(root, path, "sarif")
        if isinstance(data, FileError):
            continue
        hashes[path] = line_hashes(decode_like_node(data))
    return hashes
