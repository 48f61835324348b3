"""Which part of a scan one CI job does: ``--shard K/N`` and ``--whole-program-shard``.

A file belongs to one shard, chosen by a hash of its path: every job computes the same
split without talking to the others, and adding a file never moves another one. Per-file
work (bandit, radon, and the per-file phase of the two-phase analyzers: api, frontend,
testing, documentation, dead code) is done by the shard that owns the file; those
analyzers' joins need every file's facts, so each shard hands its facts on and ``roadmap
merge`` runs the joins. Whole-program analyzers (mypy, infrastructure: scope ``project``)
run in one shard (``--whole-program-shard K``, 1 by default), or with ``all`` in every
shard, each reporting only what concerns its own files (exact, since each still sees the
whole program, but every job then pays for the whole program).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Literal

from analyzer.model import PROJECT_PATH, SourceFile
from analyzer.plugins import Analyzer, CombiningAnalyzer

ALL_SHARDS: Literal["all"] = "all"
WholeProgram = int | Literal["all"]
# More shards than this is a typo, not a CI matrix.
MAX_SHARDS = 1024
# ASCII digits, a few of them: int() of 5,000 digits raises instead of saying "too many".
_SPEC = re.compile(r"^\s*([0-9]{1,9})\s*/\s*([0-9]{1,9})\s*$")
_NUMBER = re.compile(r"^\s*[0-9]{1,9}\s*$")


class ShardError(ValueError):
    """A ``--shard`` or ``--whole-program-shard`` value that does not make sense."""


@dataclass(frozen=True, kw_only=True, slots=True)
class Shard:
    """Shard ``index`` of ``count`` (1-based), and where whole-program analyzers run."""

    index: int
    count: int
    whole_program: WholeProgram = 1

    @property
    def label(self) -> str:
        return f"{self.index}/{self.count}"

    @property
    def runs_whole_program(self) -> bool:
        return self.whole_program == ALL_SHARDS or self.whole_program == self.index

    @property
    def filters_whole_program(self) -> bool:
        """Whole-program analyzers run here on everything but report only this shard's files."""
        return self.whole_program == ALL_SHARDS

    def owns(self, path: str | None) -> bool:
        """Whether this shard reports on ``path``; the project as a whole (``.`` or no
        path) belongs to shard 1."""
        if path is None or path == PROJECT_PATH:
            return self.index == 1
        return shard_of(path, self.count) == self.index


def shard_of(path: str, count: int) -> int:
    """The 1-based shard that owns ``path``: a hash of the path, so the split needs no
    coordination and a new file never moves an old one."""
    digest = hashlib.sha256(path.encode("utf-8", "surrogateescape")).digest()
    return int.from_bytes(digest[:8], "big") % count + 1


def parse_shard(text: str, whole_program: str | None = None) -> Shard:
    """``K/N`` (``2/8``) and the ``--whole-program-shard`` value (``K`` or ``all``)."""
    match = _SPEC.match(text)
    if match is None:
        raise ShardError(f"--shard {text!r}: expected K/N, as in --shard 2/8")
    index, count = int(match.group(1)), int(match.group(2))
    if not 1 <= count <= MAX_SHARDS:
        raise ShardError(f"--shard {text!r}: N must be between 1 and {MAX_SHARDS}")
    if not 1 <= index <= count:
        raise ShardError(f"--shard {text!r}: K must be between 1 and N ({count})")
    return Shard(index=index, count=count, whole_program=_whole_program(whole_program, count))


def _whole_program(text: str | None, count: int) -> WholeProgram:
    if text is None:
        return 1
    if text.strip().lower() == ALL_SHARDS:
        return ALL_SHARDS
    if not _NUMBER.match(text) or not 1 <= int(text) <= count:
        raise ShardError(
            f"--whole-program-shard {text!r}: expected a shard number from 1 to {count}, "
            f"or {ALL_SHARDS}"
        )
    return int(text)


def is_whole_program(analyzer: Analyzer) -> bool:
    """An analyzer that needs the whole program at once (mypy, infrastructure)."""
    return analyzer.scope == "project"


def defers_join(analyzer: Analyzer) -> bool:
    """A per-file analyzer with a cross-file join: its per-file phase is sharded, its join
    waits for ``roadmap merge``."""
    return analyzer.scope == "file" and isinstance(analyzer, CombiningAnalyzer)


def reports_on(shard: Shard, analyzer: Analyzer, path: str | None) -> bool:
    """Whether ``shard`` reports what ``analyzer`` says about ``path`` (None: the project)."""
    if is_whole_program(analyzer) and not shard.filters_whole_program:
        return shard.runs_whole_program
    return shard.owns(path)


def shard_files(
    shard: Shard, analyzer: Analyzer, files: tuple[SourceFile, ...]
) -> tuple[SourceFile, ...]:
    """The files ``analyzer`` is given in ``shard``: whole-program analyzers see the whole
    program; per-file ones only the shard's own files."""
    if is_whole_program(analyzer):
        return files
    return tuple(f for f in files if shard.owns(f.path))
