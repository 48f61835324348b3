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
from pathlib import Path

from analyzer.analyzers.api.facts import ModuleFacts, facts_from_json, facts_to_json
from analyzer.analyzers.api.settings import ApiSettings
from analyzer.cache import (
    PackEntries,
    ResultCache,
    digest_bytes,
    module_digest,
    output_from_payload,
    output_payload,
    pack_key,
)
from analyzer.model import AnalysisOutput


class FactsMemo:
    def __init__(self, cache_dir: str | None, root: str, settings: ApiSettings) -> None:
        self._cache = ResultCache(Path(cache_dir) / "api") if cache_dir else None
        self._salt = digest_bytes(
            f"{version('libcst')}\0{module_digest(__package__ or '')}\0{settings!r}".encode()
        )
        self._pack_key = pack_key("api-second-round", self._salt, root)
        self._entries: PackEntries = self._cache.load_pack(self._pack_key) if self._cache else {}
        self._changed = False

    def _key(self, path: str, data: bytes) -> str:
        return digest_bytes(f"{self._salt}\0{path}\0{digest_bytes(data)}".encode())

    def get(self, path: str, data: bytes) -> ModuleFacts | None:
        entry = self._entries.get(path)
        if entry is None or entry[0] != self._key(path, data) or not isinstance(entry[1], dict):
            return None
        body = output_from_payload(entry[1].get("findings"))
        try:
            facts = facts_from_json(str(entry[1].get("facts")))
        except (KeyError, TypeError, ValueError):
            return None
        return None if body is None else replace(facts, findings=body.findings)

    def put(self, path: str, data: bytes, facts: ModuleFacts) -> None:
        findings = output_payload(AnalysisOutput(findings=facts.findings))
        self._entries[path] = (
            self._key(path, data),
            {"facts": facts_to_json(facts), "findings": findings},
        )
        self._changed = True

    def save(self) -> None:
        if self._cache is not None and self._changed:
            self._cache.store_pack(self._pack_key, self._entries)
            self._changed = False
