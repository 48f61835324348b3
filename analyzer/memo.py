"""Per-file results an analyzer remembers between scans, inside one of its own tasks.

The engine caches what an analyzer returns; some project-wide analyzers also do per-file
work of their own first (the typing analyzer parses every file before it runs mypy). A
``FileMemo`` keeps that work in one pack in the scan's cache directory, each entry under a
key naming the file's contents and a caller-chosen salt (tool versions, settings, our own
code), so an entry from other code or settings never matches and a changed file is redone.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from analyzer.cache import PackEntries, ResultCache, digest_bytes, pack_key


class FileMemo:
    def __init__(self, cache_dir: str | None, *, namespace: str, salt: str, root: str) -> None:
        self._cache = ResultCache(Path(cache_dir) / namespace) if cache_dir else None
        self._salt = digest_bytes(salt.encode())
        self._pack_key = pack_key(namespace, self._salt, root)
        self._entries: PackEntries = self._cache.load_pack(self._pack_key) if self._cache else {}
        self._changed = False

    def _key(self, path: str, data: bytes) -> str:
        identity = f"{self._salt}\0{path}\0{digest_bytes(data)}"
        return digest_bytes(identity.encode("utf-8", "surrogatepass"))

    def get(self, path: str, data: bytes) -> dict[str, Any] | None:
        """What was remembered for exactly this content of ``path``, or None."""
        entry = self._entries.get(path)
        if entry is None or entry[0] != self._key(path, data) or not isinstance(entry[1], dict):
            return None
        return entry[1]

    def put(self, path: str, data: bytes, payload: dict[str, Any]) -> None:
        self._entries[path] = (self._key(path, data), payload)
        self._changed = True

    def save(self) -> None:
        if self._cache is not None and self._changed:
            self._cache.store_pack(self._pack_key, self._entries)
            self._changed = False
