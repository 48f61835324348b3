"""The analysis and screening stages of a scan, cached as one entry.

A warm rescan of an unchanged tree would read every analyzer's cached outputs (thousands of
per-file entries), index the sources their findings name and normalize them again, only to
arrive at the findings it stored last time. This entry holds that result under a key made
of everything the two stages read: each active analyzer's fingerprint (tool version,
adapter code, options, rules), the path and content digest of every file it is given, the
configuration that screens findings, and the code of the stages themselves. Any change to
one of them is a new key, and the scan takes the per-analyzer path, which still reuses
every unchanged file's entry.

Only complete runs are stored: no analyzer failed, no file changed while it was read, and
every finding is about a file in the key (or the project).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from analyzer.analyze import CacheSettings
from analyzer.cache import (
    FORMAT,
    ResultCache,
    digest_bytes,
    module_digest,
    records_from_payload,
    records_payload,
)
from analyzer.config import ScanConfig
from analyzer.identity import config_table
from analyzer.model import PROJECT_PATH, AnalyzerRun, Endpoint, FileError, Finding, Measure
from analyzer.plugins import AnalysisRequest, Analyzer

# The code between the analyzers' outputs and the screened findings: a change to any of
# these modules changes what the stages produce, so it is part of the key. (The analyzers'
# own code is in their fingerprints.)
STAGE_MODULES = (
    "analyzer.analyze",
    "analyzer.cache",
    "analyzer.columns",
    "analyzer.discover",
    "analyzer.model",
    "analyzer.normalize",
    "analyzer.rules",
    "analyzer.scan",
    "analyzer.screened_cache",
    "analyzer.source",
    "analyzer.source_index",
    "analyzer.suppress",
    "analyzer.tables",
)


@dataclass(frozen=True, kw_only=True, slots=True)
class Screened:
    """What the analysis and screening stages give the rest of the scan."""

    runs: tuple[AnalyzerRun, ...]
    findings: tuple[Finding, ...]
    suppressed: tuple[Finding, ...]
    measures: tuple[Measure, ...]
    errors: tuple[FileError, ...]
    endpoints: tuple[Endpoint, ...]


def screened_key(
    caching: CacheSettings,
    analyzers: Sequence[Analyzer],
    requests: Mapping[str, AnalysisRequest],
    config: ScanConfig,
) -> str | None:
    """The entry's key, or None when an input file could not be read (nothing is cached)."""
    parts = [
        "screened",
        FORMAT,
        *(module_digest(name) for name in STAGE_MODULES),
        _screening_settings(config),
    ]
    for analyzer in sorted(analyzers, key=lambda a: a.name):
        request = requests[analyzer.name]
        parts += [analyzer.name, caching.whole_fingerprint(analyzer.name), request.root]
        for path in sorted(f.path for f in request.files):
            digest = caching.digests.get(path)
            if digest is None:
                return None
            parts += [path, digest]
    return digest_bytes("\0".join(parts).encode("utf-8", "surrogatepass"))


def _screening_settings(config: ScanConfig) -> str:
    """What the configuration changes in the findings: the table the scan's identity is
    made of, and the ``--changed-since`` paths (sorted, so the text is stable)."""
    only = None if config.only_paths is None else sorted(config.only_paths)
    return json.dumps([config_table(config), only], sort_keys=True, ensure_ascii=True)


def load_screened(cache: ResultCache, key: str) -> Screened | None:
    """The stored result (every run's duration zero: nothing ran), or None."""
    payload = cache.load_payload(key)
    if not isinstance(payload, dict):
        return None
    try:
        screened = Screened(
            runs=records_from_payload(AnalyzerRun, payload["runs"]),
            findings=records_from_payload(Finding, payload["findings"]),
            suppressed=records_from_payload(Finding, payload["suppressed"]),
            measures=records_from_payload(Measure, payload["measures"]),
            errors=records_from_payload(FileError, payload["errors"]),
            endpoints=records_from_payload(Endpoint, payload["endpoints"]),
        )
    except (KeyError, TypeError, ValueError):
        return None
    return screened


def store_screened(
    cache: ResultCache, key: str, screened: Screened, keyed_paths: frozenset[str]
) -> None:
    """Store a complete result; anything else is left for the per-analyzer entries."""
    if any(run.status != "ok" for run in screened.runs):
        return
    about = {f.path for f in (*screened.findings, *screened.suppressed)} - {PROJECT_PATH}
    if not about <= keyed_paths:
        return  # a finding about a file outside the key could go stale unnoticed
    payload: dict[str, Any] = {
        "runs": records_payload(replace(r, duration_s=0.0) for r in screened.runs),
        "findings": records_payload(screened.findings),
        "suppressed": records_payload(screened.suppressed),
        "measures": records_payload(screened.measures),
        "errors": records_payload(screened.errors),
        "endpoints": records_payload(screened.endpoints),
    }
    cache.store_payload(key, payload)
