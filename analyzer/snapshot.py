"""What one scan read of each file: its content digest, its line count and its stat data.

The main process reads every analyzed file once, before the analyzers run: the digests key
the result cache, the line counts go into the report. After a task, the files it analyzed
are checked for changes by their stat data instead of being read and digested again; a file
whose timestamps are too close to the scan's start to tell a later write apart (a file
saved while the scan started, as git calls such entries "racily clean") is digested again.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from analyzer.cache import digest_bytes
from analyzer.discover.reader import TreeReader, glob_inside
from analyzer.source import MAX_SOURCE_BYTES

# Timestamps are kept at the granularity of the kernel's clock tick, not to the nanosecond:
# a write this close to the read may leave them unchanged.
RACY_NS = 2_000_000_000

# (size, mtime_ns, ctime_ns, inode): any write or replacement changes one of them.
Signature = tuple[int, int, int, int]


@dataclass(frozen=True, kw_only=True, slots=True)
class FileState:
    digest: str
    lines: int
    signature: Signature


@dataclass(frozen=True, kw_only=True, slots=True)
class TreeSnapshot:
    """Every readable file's state when the scan read it; unreadable files are left out."""

    root: str
    states: Mapping[str, FileState]
    read_at_ns: int

    @property
    def digests(self) -> dict[str, str]:
        return {path: state.digest for path, state in self.states.items()}

    def unchanged(self, paths: Iterable[str]) -> set[str]:
        """The paths whose content is still what the snapshot read."""
        kept: set[str] = set()
        with TreeReader(self.root) as reader:
            for path in paths:
                state = self.states.get(path)
                if state is not None and self._same(reader, path, state):
                    kept.add(path)
        return kept

    def _same(self, reader: TreeReader, path: str, state: FileState) -> bool:
        try:
            current = signature(reader.stat(path))
        except OSError:
            return False
        if current != state.signature:
            return False
        if not self._racy(state.signature):
            return True
        try:
            return digest_bytes(reader.read(path, limit=MAX_SOURCE_BYTES)) == state.digest
        except OSError:
            return False

    def _racy(self, stamp: Signature) -> bool:
        return max(stamp[1], stamp[2]) >= self.read_at_ns - RACY_NS


def take_snapshot(root: str | Path, paths: Iterable[str]) -> TreeSnapshot:
    """Read each file once (through the guarded reader): digest, lines and stat data."""
    started = time.time_ns()
    states: dict[str, FileState] = {}
    with TreeReader(root) as reader:
        for path in sorted(set(paths)):
            try:
                status = reader.stat(path)
                data = reader.read(path, limit=MAX_SOURCE_BYTES)
            except OSError:
                continue
            states[path] = FileState(
                digest=digest_bytes(data), lines=count_lines(data), signature=signature(status)
            )
    return TreeSnapshot(root=str(root), states=states, read_at_ns=started)


def signature(status: os.stat_result) -> Signature:
    return (status.st_size, status.st_mtime_ns, status.st_ctime_ns, status.st_ino)


def count_lines(data: bytes) -> int:
    return data.count(b"\n") + (1 if data and not data.endswith(b"\n") else 0)


# The largest file an analyzer reads as data besides its own (a coverage database).
EXTRA_LIMIT = 64 * 1024 * 1024


def digest_extra(root: str | Path, patterns: Iterable[str]) -> str:
    """Which files matching ``patterns`` (globs at the root) exist and what they hold: the
    files an analyzer reads besides its own, read through the guarded reader; one it cannot
    read is named with the reason (the analyzer then reports the same)."""
    parts: list[str] = []
    with TreeReader(root) as reader:
        for pattern in patterns:
            for path in glob_inside(root, pattern):
                try:
                    parts += [path, digest_bytes(reader.read(path, limit=EXTRA_LIMIT))]
                except OSError as exc:
                    parts += [path, f"unreadable: {exc}"]
    return digest_bytes("\0".join(parts).encode("utf-8", "surrogatepass"))
