"""Which files changed since a git revision, for ``--changed-since`` (fast PR mode)."""

from __future__ import annotations

import subprocess
from pathlib import Path


class ChangeError(ValueError):
    """The revision cannot be compared with (no git, not a repository, unknown revision)."""


def changed_files(root: Path, revision: str) -> frozenset[str]:
    """Paths (relative to ``root``) that differ from ``revision`` in the working tree,
    committed or not, plus untracked files git does not ignore. Deleted files are left out."""
    if revision.startswith("-"):
        raise ChangeError(f"--changed-since: {revision!r} is not a revision")
    diff = _git(
        root,
        "diff",
        "--name-only",
        "--no-renames",
        "--diff-filter=d",
        "--relative",
        "-z",
        revision,
        "--",
    )
    untracked = _git(root, "ls-files", "--others", "--exclude-standard", "-z", "--", ".")
    return frozenset(p for p in (*diff.split("\0"), *untracked.split("\0")) if p)


def _git(root: Path, *args: str) -> str:
    try:
        completed = subprocess.run(
            ["git", "-C", str(root), *args], capture_output=True, check=False, timeout=120
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ChangeError(f"--changed-since needs git: {exc}") from exc
    if completed.returncode != 0:
        message = completed.stderr.decode("utf-8", errors="replace").strip().splitlines()
        raise ChangeError(
            f"--changed-since: git {args[0]} failed: {message[0] if message else 'unknown error'}"
        )
    return completed.stdout.decode("utf-8", errors="surrogateescape")
