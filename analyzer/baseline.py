"""Baselines: the findings a project accepted, so CI fails only on what a change added.

A baseline is a JSON file listing findings by fingerprint (see analyzer/normalize.py: the
rule, path, enclosing symbol, whitespace-normalized line text and occurrence index, never
the line number). Matching counts: a fingerprint in the baseline matches at most as many
current findings as it was listed, so a second copy of a baselined line is new.

Line, symbol and message are stored for people reading the file and for reporting fixed
findings; they play no part in matching.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from typing import Any

from analyzer.model import Finding
from analyzer.render.encode import dump_json

BASELINE_VERSION = 1


class BaselineError(ValueError):
    """The baseline file cannot be read or is not a repo-roadmap baseline."""


@dataclass(frozen=True, kw_only=True, slots=True)
class BaselineEntry:
    fingerprint: str
    rule_id: str
    path: str
    line: int
    symbol: str | None
    message: str


@dataclass(frozen=True, kw_only=True, slots=True)
class Baseline:
    entries: tuple[BaselineEntry, ...]


@dataclass(frozen=True, kw_only=True, slots=True)
class Comparison:
    """Current findings marked ``new`` or ``baseline``, and what became of the baseline."""

    findings: tuple[Finding, ...]
    matched: tuple[BaselineEntry, ...]
    # In the baseline, absent now, and the scan would have seen them: fixed.
    fixed: tuple[BaselineEntry, ...]
    # In the baseline, absent now, but their file or analyzer was not (fully) analyzed.
    unverified: tuple[BaselineEntry, ...]

    @property
    def new_count(self) -> int:
        return sum(1 for f in self.findings if f.baseline_status == "new")

    @property
    def baseline_count(self) -> int:
        return sum(1 for f in self.findings if f.baseline_status == "baseline")


def entry_for(finding: Finding) -> BaselineEntry:
    return BaselineEntry(
        fingerprint=finding.fingerprint,
        rule_id=finding.rule_id,
        path=finding.path,
        line=finding.line,
        symbol=finding.symbol,
        message=finding.message,
    )


def create_baseline(findings: Sequence[Finding]) -> Baseline:
    return Baseline(entries=_sorted(entry_for(f) for f in findings))


def compare(
    findings: Sequence[Finding],
    baseline: Baseline,
    *,
    unverified_paths: Collection[str] = (),
    verified_tools: Collection[str] | None = None,
    scope: Collection[str] | None = None,
    suppressed: Sequence[Finding] = (),
    unanalyzed_paths: Collection[str] = (),
) -> Comparison:
    """Mark each finding; split unmatched entries into fixed and unverified.

    An unmatched entry is unverified, not fixed, when its file had an error, its tool is not
    among ``verified_tools`` (it did not run successfully, is disabled or failed to load),
    it still exists but is suppressed now, its file still exists but was not analyzed
    (``unanalyzed_paths``: excluded, ignored by git, over the size limit), or (``scope``
    given, as with ``--changed-since``) its file is outside the files the scan reported on.
    """
    remaining = Counter(entry.fingerprint for entry in baseline.entries)
    by_fingerprint = {entry.fingerprint: entry for entry in baseline.entries}
    marked: list[Finding] = []
    matched: list[BaselineEntry] = []
    for finding in findings:
        if remaining[finding.fingerprint] > 0:
            remaining[finding.fingerprint] -= 1
            matched.append(by_fingerprint[finding.fingerprint])
            marked.append(replace(finding, baseline_status="baseline"))
        else:
            marked.append(replace(finding, baseline_status="new"))
    fixed: list[BaselineEntry] = []
    unverified: list[BaselineEntry] = []
    still_there = Counter(finding.fingerprint for finding in suppressed)
    for entry in baseline.entries:
        if remaining[entry.fingerprint] <= 0:
            continue
        remaining[entry.fingerprint] -= 1
        tool = entry.rule_id.split(".", 1)[0]
        skipped = scope is not None and entry.path not in scope
        unchecked = verified_tools is not None and tool not in verified_tools
        hidden = still_there[entry.fingerprint] > 0
        if hidden:
            still_there[entry.fingerprint] -= 1
        unseen = entry.path in unverified_paths or entry.path in unanalyzed_paths
        if unseen or unchecked or skipped or hidden:
            unverified.append(entry)
        else:
            fixed.append(entry)
    return Comparison(
        findings=tuple(marked),
        matched=_sorted(matched),
        fixed=_sorted(fixed),
        unverified=_sorted(unverified),
    )


def prune(comparison: Comparison) -> Baseline:
    """The baseline without its fixed entries. Nothing is ever added: it only tightens."""
    return Baseline(entries=_sorted((*comparison.matched, *comparison.unverified)))


def _sorted(entries: Any) -> tuple[BaselineEntry, ...]:
    return tuple(sorted(entries, key=lambda e: (e.path, e.line, e.rule_id, e.fingerprint)))


def dumps_baseline(baseline: Baseline, tool_version: str) -> str:
    document = {
        "version": BASELINE_VERSION,
        "tool": {"name": "repo-roadmap", "version": tool_version},
        "findings": [
            {
                "fingerprint": e.fingerprint,
                "rule_id": e.rule_id,
                "path": e.path,
                "line": e.line,
                "symbol": e.symbol,
                "message": e.message,
            }
            for e in baseline.entries
        ],
    }
    return dump_json(document)


def loads_baseline(text: str, source: str) -> Baseline:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BaselineError(f"{source}: not JSON: {exc}") from exc
    except (RecursionError, ValueError) as exc:
        raise BaselineError(f"{source}: cannot read: {type(exc).__name__}") from exc
    if not isinstance(document, dict) or document.get("version") != BASELINE_VERSION:
        raise BaselineError(f"{source}: not a repo-roadmap baseline (version {BASELINE_VERSION})")
    items = document.get("findings")
    if not isinstance(items, list):
        raise BaselineError(f"{source}: 'findings' must be a list")
    return Baseline(entries=_sorted(_entry(item, source, n) for n, item in enumerate(items)))


def _entry(item: object, source: str, index: int) -> BaselineEntry:
    if not isinstance(item, dict):
        raise BaselineError(f"{source}: findings[{index}] must be an object")
    fingerprint, rule_id, path = item.get("fingerprint"), item.get("rule_id"), item.get("path")
    if not (isinstance(fingerprint, str) and isinstance(rule_id, str) and isinstance(path, str)):
        raise BaselineError(
            f"{source}: findings[{index}] needs string fingerprint, rule_id and path"
        )
    line = item.get("line")
    symbol = item.get("symbol")
    message = item.get("message")
    return BaselineEntry(
        fingerprint=fingerprint,
        rule_id=rule_id,
        path=path,
        line=line if isinstance(line, int) else 0,
        symbol=symbol if isinstance(symbol, str) else None,
        message=message if isinstance(message, str) else "",
    )
