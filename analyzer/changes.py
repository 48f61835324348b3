"""Which files changed since a git revision, for ``--changed-since`` (fast PR mode).

git is asked only for the revision's tree (``ls-tree``); the working-tree files are hashed
here, as git blobs, from their raw bytes. ``git diff`` against the working tree would run
the clean filters and diff drivers that ``.gitattributes`` names, which the scanned tree
controls. A file that a filter would normalise (line endings, say) may therefore count as
changed: the safe direction, since it is analyzed rather than skipped.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path

from analyzer.discover.git import GitError, Repository, decode_path, find_repository, run_git
from analyzer.discover.reader import read_inside

# Hashing a file for comparison reads it whole; far larger than any source file we analyze.
_HASH_LIMIT = 256 * 1024 * 1024


class ChangeError(ValueError):
    """The revision cannot be compared with (no git, not a repository, unknown revision)."""


def changed_files(
    root: Path, revision: str, current: Iterable[str], *, timeout: float = 120.0
) -> frozenset[str]:
    """Those of ``current`` (paths relative to ``root``) whose content differs from
    ``revision``'s, or that it does not have. Deleted files are not in ``current``."""
    if not revision.strip() or revision.startswith("-"):
        raise ChangeError(f"--changed-since: {revision!r} is not a revision")
    repository = find_repository(root.resolve())
    if repository is None:
        raise ChangeError(f"--changed-since needs a git checkout; {root} is not in one")
    committed = _blobs_at(repository, root.resolve(), revision, timeout)
    return frozenset(path for path in current if _differs(root, path, committed.get(path)))


def committed_blobs(root: Path, revision: str, *, timeout: float = 120.0) -> dict[str, str]:
    """Path (relative to ``root``) -> blob id, for every file of ``revision`` below ``root``."""
    repository = find_repository(root.resolve())
    if repository is None:
        raise ChangeError(f"{root} is not in a git checkout")
    return _blobs_at(repository, root.resolve(), revision, timeout)


def _blobs_at(repository: Repository, root: Path, revision: str, timeout: float) -> dict[str, str]:
    """Path (relative to ``root``) -> blob id, for every file of ``revision`` below ``root``."""
    try:
        commit = decode_path(
            run_git(
                repository, "rev-parse", "--verify", "-q", f"{revision}^{{commit}}", timeout=timeout
            )
        ).strip()
        listing = run_git(repository, "ls-tree", "-r", "-z", "--full-tree", commit, timeout=timeout)
    except GitError as exc:
        raise ChangeError(f"--changed-since {revision!r}: {exc}") from exc
    prefix = _prefix(repository, root)
    blobs: dict[str, str] = {}
    for record in listing.split(b"\0"):
        meta, _, raw_path = record.partition(b"\t")
        fields = meta.split()
        if len(fields) != 3 or fields[1] != b"blob":
            continue
        path = decode_path(raw_path)
        if path.startswith(prefix):
            blobs[path[len(prefix) :]] = fields[2].decode("ascii")
    return blobs


def _prefix(repository: Repository, root: Path) -> str:
    relative = root.relative_to(repository.work_tree.resolve()).as_posix()
    return "" if relative == "." else f"{relative}/"


def _differs(root: Path, path: str, committed: str | None) -> bool:
    """True unless the file's bytes hash, as a git blob (SHA-1, or SHA-256 when the
    repository uses it), to the revision's blob. Unreadable files count as changed."""
    if committed is None:
        return True
    try:
        data = read_inside(root, path, limit=_HASH_LIMIT)
    except OSError:
        return True
    algorithm = hashlib.sha256 if len(committed) == 64 else hashlib.sha1
    blob = algorithm(b"blob %d\0" % len(data) + data, usedforsecurity=False).hexdigest()
    return blob != committed
