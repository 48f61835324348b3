"""SARIF 2.1.0 for GitHub code scanning, built as plain dicts and serialized.

- ``level`` comes from the severity; rule descriptors (``sarif_rules``) make our own
  security rules, not only bandit's, GitHub security alerts.
- URIs are relative to the scan root, with ``uriBaseId`` ``%SRCROOT%``. A finding about the
  whole project (path ``"."``) is shown on line 1 of the project's anchor file (its README,
  else ``pyproject.toml``, ...; ``Target.project_file``), so GitHub can display it.
- ``partialFingerprints`` hold GitHub's ``primaryLocationLineHash`` (see line_hash.py) and
  our own fingerprint under ``repoRoadmap/v1``. A finding about a whole file or the project
  has no line of its own: its line hash is derived from our fingerprint, so editing line 1
  never turns it into a new alert.
- GitHub accepts 25,000 results per run and shows the 5,000 most severe; we keep at most
  ``MAX_RESULTS``, most severe first, and the run's properties say what was left out.
  Suppressed findings are left out unless asked for (``--sarif-include-suppressed``); then
  they carry a ``suppressions`` entry.
- Failed analyzers and per-file errors are ``toolExecutionNotifications``; with a baseline
  each result has a ``baselineState`` and the run's properties count the fixed entries.

Reading the source files for the line hashes is this renderer's only I/O.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, metadata
from typing import Any
from urllib.parse import quote

from analyzer import __version__
from analyzer.completeness import assess_completeness
from analyzer.model import PROJECT_PATH, SEVERITIES, FileError, Finding, ScanResult
from analyzer.normalize import sort_key
from analyzer.render.encode import dump_json
from analyzer.render.line_hash import decode_like_node, line_hashes
from analyzer.render.sarif_rules import LEVELS, rule_descriptor
from analyzer.report import Report
from analyzer.rules import RuleBook, load_rulebook
from analyzer.source import read_bytes

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "repoRoadmap/v1"
BASELINE_STATES = {"new": "new", "baseline": "unchanged"}
# GitHub shows at most 5,000 results of a run (and rejects a run of more than 25,000).
MAX_RESULTS = 5000


@dataclass(frozen=True, kw_only=True, slots=True)
class Selection:
    """The results a SARIF run holds, and the findings left out for the cap."""

    results: tuple[Finding, ...]
    omitted: Mapping[str, int]

    @property
    def omitted_count(self) -> int:
        return sum(self.omitted.values())


def render_sarif(report: Report) -> str:
    return dump_json(build_sarif(report, load_rulebook(report.rule_dirs)))


def select_results(report: Report, limit: int = MAX_RESULTS) -> Selection:
    """Findings (and suppressed ones when asked for), most severe first, at most ``limit``."""
    result = report.result
    candidates = [*result.findings, *(result.suppressed if report.sarif_suppressed else ())]
    candidates.sort(key=lambda f: (SEVERITIES.index(f.severity), *sort_key(f)))
    kept, left = candidates[:limit], candidates[limit:]
    omitted = Counter(f.severity for f in left)
    return Selection(results=tuple(kept), omitted={s: omitted[s] for s in SEVERITIES if omitted[s]})


def build_sarif(report: Report, rules: RuleBook) -> dict[str, Any]:
    result = report.result
    selection = select_results(report)
    everything = selection.results
    anchor = result.target.project_file or PROJECT_PATH
    rule_ids = sorted({f.rule_id for f in everything})
    index = {rule_id: n for n, rule_id in enumerate(rule_ids)}
    hashes = _line_hashes(result.target.root, {f.path for f in everything if f.about == "line"})
    driver: dict[str, Any] = {
        "name": "repo-roadmap",
        "version": __version__,
        "rules": [
            rule_descriptor(rules, rule_id, [f for f in everything if f.rule_id == rule_id])
            for rule_id in rule_ids
        ],
    }
    home = _home_page()
    if home is not None:
        driver["informationUri"] = home
    run: dict[str, Any] = {
        "tool": {"driver": driver},
        "invocations": [_invocation(result, anchor)],
        "results": [_result(f, index[f.rule_id], hashes.get(f.path), anchor) for f in everything],
        "columnKind": "unicodeCodePoints",
        "properties": _run_properties(report, selection),
    }
    return {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}


def _home_page() -> str | None:
    """The project's home page as its package metadata declares it; none is invented."""
    try:
        data = metadata("repo-roadmap")
    except PackageNotFoundError:
        return None
    entries: list[str] = [str(e) for e in data.get_all("Project-URL") or ()]
    for entry in entries:
        label, _, url = entry.partition(",")
        if label.strip().lower() in ("homepage", "source", "repository") and url.strip():
            return url.strip()
    home = str(data["Home-page"]) if "Home-page" in data else ""
    return home or None


def _result(
    finding: Finding, rule_index: int, hashes: Sequence[str] | None, anchor: str
) -> dict[str, Any]:
    fingerprints = {FINGERPRINT_KEY: finding.fingerprint}
    if finding.about != "line":
        fingerprints["primaryLocationLineHash"] = f"{finding.fingerprint[:16]}:1"
    elif hashes is not None and 0 < finding.line <= len(hashes):
        fingerprints["primaryLocationLineHash"] = hashes[finding.line - 1]
    message = finding.message
    if finding.about == "project":
        message += " (about the project as a whole)"
    item: dict[str, Any] = {
        "ruleId": finding.rule_id,
        "ruleIndex": rule_index,
        "level": LEVELS[finding.severity],
        "message": {"text": message},
        "locations": [_location(finding, anchor)],
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


def _location(finding: Finding, anchor: str) -> dict[str, Any]:
    if finding.about != "line":
        region: dict[str, int] = {"startLine": 1}
    else:
        region = {"startLine": finding.line, "startColumn": finding.column}
        end_line = finding.end_line
        if end_line is not None and end_line >= finding.line:
            region["endLine"] = end_line
            end_column = finding.end_column
            if end_column is not None and (end_line > finding.line or end_column > finding.column):
                region["endColumn"] = end_column
    path = anchor if finding.path == PROJECT_PATH else finding.path
    location: dict[str, Any] = {
        "physicalLocation": {"artifactLocation": _artifact(path), "region": region}
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
        "about": finding.about,
    }
    if finding.cwe is not None:
        properties["cwe"] = f"CWE-{finding.cwe}"
    return properties


def _invocation(result: ScanResult, anchor: str) -> dict[str, Any]:
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
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": _artifact(
                            anchor if error.path == PROJECT_PATH else error.path
                        )
                    }
                }
            ],
            "descriptor": {"id": "file-error"},
        }
        for error in result.errors
    )
    return {
        "executionSuccessful": assess_completeness(result).complete,
        "toolExecutionNotifications": notifications,
    }


def _run_properties(report: Report, selection: Selection) -> dict[str, Any]:
    result = report.result
    properties: dict[str, Any] = {
        "suppressedCount": len(result.suppressed),
        "suppressedIncluded": report.sarif_suppressed,
        "fileErrorCount": len(result.errors),
        "analyzers": {run.name: run.status for run in result.analyzers},
    }
    if selection.omitted:
        properties["omittedResults"] = {
            "count": selection.omitted_count,
            "bySeverity": dict(selection.omitted),
            "reason": f"at most {MAX_RESULTS:,} results per run, most severe first "
            "(GitHub shows no more); the JSON export has every finding",
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
