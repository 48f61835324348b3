"""The join's second round, remembered per file from one scan to the next.

The second round parses the modules that declarations refer to; when one file of a tree
changes, they are nearly always the same modules with the same contents. What the round
made of each is kept in one pack in the scan's cache directory (a scratch directory with
``--no-cache``), each entry under a key naming the file's contents, the settings, libcst's
version and this package's code, so an entry from other code or settings never matches.
"""

from __future__ import annotations

from dataclasses import replace
from importlib.metadata import version

from analyzer.analyzers.api.facts import ModuleFacts, facts_from_json, facts_to_json
from analyzer.analyzers.api.settings import ApiSettings
from analyzer.cache import module_digest, output_from_payload, output_payload
from analyzer.memo import FileMemo
from analyzer.model import AnalysisOutput


class FactsMemo:
    def __init__(self, cache_dir: str | None, root: str, settings: ApiSettings) -> None:
        salt = f"{version('libcst')}\0{module_digest(__package__ or '')}\0{settings!r}"
        self._memo = FileMemo(cache_dir, namespace="api-second-round", salt=salt, root=root)

    def get(self, path: str, data: bytes) -> ModuleFacts | None:
        entry = self._memo.get(path, data)
        if entry is None:
            return None
        body = output_from_payload(entry.get("findings"))
        try:
            facts = facts_from_json(str(entry.get("facts")))
        except (KeyError, TypeError, ValueError):
            return None
        return None if body is None else replace(facts, findings=body.findings)

    def put(self, path: str, data: bytes, facts: ModuleFacts) -> None:
        findings = output_payload(AnalysisOutput(findings=facts.findings))
        self._memo.put(path, data, {"facts": facts_to_json(facts), "findings": findings})

    def save(self) -> None:
        self._memo.save()
