"""Which new findings sit on lines that were already there at the plan's commit.

A finding the plan did not have is not always on code written since: annotating a function
makes mypy check its body, a type changed in one module surfaces errors in another, a
function that grew crosses a complexity rank on its unchanged ``def`` line, and a rule may
have been turned on. When the scanned tree is a git checkout that has the plan's
commit, each file with new findings is compared with its blob at that commit (``git
cat-file``, which runs no filter the scanned tree could name): a flagged line whose text
(normalized as fingerprints normalize it) occurs no more often now than it did then was
there before. Counting occurrences keeps a second ``except Exception:`` or ``<script>``
added next to an old one from passing as old.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Final

from analyzer.changes import ChangeError, committed_blobs
from analyzer.discover.git import GitError, Repository, find_repository, run_git
from analyzer.discover.reader import read_inside
from analyzer.model import PROJECT_PATH
from analyzer.normalize import normalized_line
from analyzer.progress.snapshot import PastFinding
from analyzer.source import MAX_SOURCE_BYTES, source_lines

# Files compared at most: one git process each; a larger reorganization is left unmarked.
MAX_FILES: Final = 2000
_COMMIT = re.compile(r"^[0-9a-f]{7,64}$")


def lines_already_there(
    root: Path, commit: str | None, findings: Iterable[PastFinding]
) -> frozenset[str] | None:
    """Fingerprints of ``findings`` whose flagged line the file already had at ``commit``;
    None when that cannot be told (no git, no such commit, too many files)."""
    if commit is None or not _COMMIT.match(commit):
        return None
    by_path: dict[str, list[PastFinding]] = {}
    for finding in findings:
        if finding.path != PROJECT_PATH and finding.line > 0 and _inside(finding.path):
            by_path.setdefault(finding.path, []).append(finding)
    repository = find_repository(root.resolve())
    if repository is None or len(by_path) > MAX_FILES:
        return None
    try:
        blobs = committed_blobs(root, commit)
        return frozenset(
            fingerprint
            for path, found in sorted(by_path.items())
            if path in blobs
            for fingerprint in _old_lines(
                found, _read_now(root, path), _blob(repository, blobs[path])
            )
        )
    except (ChangeError, GitError):
        return None


def _old_lines(
    findings: Iterable[PastFinding], now: tuple[str, ...], then: tuple[str, ...]
) -> Iterable[str]:
    before = _counts(then)
    after = _counts(now)
    for finding in findings:
        text = normalized_line(now[finding.line - 1]) if finding.line <= len(now) else ""
        if text and after[text] <= before[text]:
            yield finding.fingerprint


def _counts(lines: tuple[str, ...]) -> Mapping[str, int]:
    return Counter(normalized_line(line) for line in lines)


def _read_now(root: Path, path: str) -> tuple[str, ...]:
    try:
        data = read_inside(root, path, limit=MAX_SOURCE_BYTES)
    except OSError:
        return ()
    return source_lines(data.decode("utf-8", errors="replace"))


def _blob(repository: Repository, blob: str) -> tuple[str, ...]:
    data = run_git(repository, "cat-file", "blob", blob)
    if len(data) > MAX_SOURCE_BYTES:
        return ()
    return source_lines(data.decode("utf-8", errors="replace"))


def _inside(path: str) -> bool:
    return not path.startswith("/") and ".." not in path.split("/")
