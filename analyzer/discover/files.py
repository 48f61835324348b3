"""Find the files to scan. The only stage that walks the file system.

In a git checkout: the files git tracks plus the untracked ones it does not ignore.
Elsewhere: a walk that skips virtualenvs, VCS folders, build outputs and caches.
Symlinks are never followed out of the scan root, and never into loops.
"""

from __future__ import annotations

import fnmatch
import os
import re
import stat
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from pathspec import GitIgnoreSpec

from analyzer.discover.git import (
    DEFAULT_TIMEOUT_S,
    GitError,
    Repository,
    decode_path,
    find_repository,
    run_git,
)
from analyzer.discover.reader import TreeReader
from analyzer.model import SourceFile

SKIPPED_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        ".tox",
        ".nox",
        ".venv",
        "venv",
        "env",
        ".env",
        "virtualenv",
        "__pycache__",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        ".hypothesis",
        "node_modules",
        "build",
        "dist",
        "site-packages",
        ".eggs",
        "htmlcov",
    }
)


# What a test file looks like, for everything that treats tests differently (default
# suppressions, risk); the testing analyzer's own, tunable list in rules/testing.toml starts
# from the same globs (a test keeps the two equal).
TEST_FILE_PATTERNS = (
    "tests/*",
    "test/*",
    "*/tests/*",
    "*/test/*",
    "test_*.py",
    "*_test.py",
    "conftest.py",
)


def is_test_file(path: str) -> bool:
    return matches_any(path, TEST_FILE_PATTERNS)


# The same test files in .gitignore syntax, for user-facing defaults (per-path ignores).
TEST_FILE_GLOBS = ("tests/", "test/", "test_*.py", "*_test.py", "conftest.py")


def matches_globs(path: str, patterns: Sequence[str]) -> bool:
    """True when ``.gitignore``-style patterns match the relative path, as ruff and git read
    them: a pattern without a slash matches a file or folder name at any depth (``tests``),
    a trailing slash matches folders only (``tests/``), a pattern with a slash in it is
    anchored at the root (``src/*.py`` is not ``src/a/b.py``), ``**`` spans folders (also
    none: ``**/migrations/**`` matches ``migrations/x.py``), a folder that matches takes
    everything under it, and ``!pattern`` takes a path back out again (the last match wins).
    """
    return bool(patterns) and compile_globs(tuple(patterns)).match_file(path)


@lru_cache(maxsize=64)
def compile_globs(patterns: tuple[str, ...]) -> GitIgnoreSpec:
    """The compiled patterns; raises ``ValueError`` for one that is not valid."""
    return GitIgnoreSpec.from_lines(patterns)


@dataclass(frozen=True, kw_only=True, slots=True)
class GitInfo:
    commit: str | None
    branch: str | None


def discover_files(
    root: Path,
    *,
    include: Sequence[str] = (),
    exclude: Sequence[str] = (),
    timeout: float | None = None,
) -> tuple[SourceFile, ...]:
    """Every regular file under ``root`` that is not excluded, sorted by path. ``timeout``
    bounds git (a FIFO named as an ignore file would hold it); past it, the tree is walked."""
    candidates = _git_files(root, git_time_limit(timeout))
    relative = candidates if candidates is not None else _walk(root)
    selected = []
    with TreeReader(root) as reader:
        for rel in sorted(set(relative)):
            if _is_skipped(rel, include, exclude):
                continue
            source = _stat_inside(reader, rel)
            if source is not None:
                selected.append(source)
    return tuple(selected)


def matches_any(path: str, patterns: Iterable[str]) -> bool:
    """True when a glob matches the relative path, or the file name for patterns without '/'."""
    return compile_patterns(tuple(patterns))(path)


@lru_cache(maxsize=256)
def compile_patterns(patterns: tuple[str, ...]) -> Callable[[str], bool]:
    """``matches_any`` for fixed patterns: one regular expression for the whole path, one for
    the file name, and the ``folder/**`` prefixes, instead of ``fnmatch`` per pattern."""
    whole = _union(patterns)
    by_name = _union(tuple(p for p in patterns if "/" not in p))
    prefixes = tuple(p[:-2] for p in patterns if p.endswith("/**"))

    def matches(path: str) -> bool:
        if whole.match(path) or by_name.match(path.rsplit("/", 1)[-1]):
            return True
        return bool(prefixes) and (path + "/").startswith(prefixes)

    return matches


def _union(patterns: tuple[str, ...]) -> re.Pattern[str]:
    if not patterns:
        return re.compile(r"(?!)")
    return re.compile("|".join(f"(?:{fnmatch.translate(p)})" for p in patterns))


def _is_skipped(rel: str, include: Sequence[str], exclude: Sequence[str]) -> bool:
    if include and not matches_globs(rel, include):
        return True
    return matches_globs(rel, exclude)


def _stat_inside(reader: TreeReader, rel: str) -> SourceFile | None:
    """The file, when it is a regular file reached without leaving the root at any component."""
    try:
        status = reader.stat(rel)
    except OSError:
        return None
    return SourceFile(path=rel, size=status.st_size) if stat.S_ISREG(status.st_mode) else None


def _walk(root: Path) -> Iterator[str]:
    # Plain strings, not Path objects: this runs for every folder of the tree, every scan.
    top = os.fspath(root)
    prefix = len(os.path.join(top, ""))
    for dirpath, dirnames, filenames in os.walk(top, followlinks=False):
        dirnames[:] = sorted(
            d for d in dirnames if not _is_skipped_dir(os.path.join(dirpath, d), d)
        )
        base = dirpath[prefix:].replace(os.sep, "/") if dirpath != top else ""
        for filename in filenames:
            yield f"{base}/{filename}" if base else filename


def _is_skipped_dir(path: str, name: str) -> bool:
    return (
        name in SKIPPED_DIRS
        or name.endswith(".egg-info")
        or os.path.exists(os.path.join(path, "pyvenv.cfg"))
    )


def git_time_limit(timeout: float | None) -> float:
    """How long one git call may take: the scan's time limit, at most the runner's default."""
    return DEFAULT_TIMEOUT_S if timeout is None else min(timeout, DEFAULT_TIMEOUT_S)


def _git_files(root: Path, timeout: float) -> list[str] | None:
    """git's view of the tree below ``root`` (paths relative to it), or None outside git.

    An empty listing (the root itself ignored, or nothing committed) falls back to a walk.
    """
    repository = find_repository(root)
    if repository is None:
        return None
    try:
        listing = run_git(
            repository, "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", ".",
            cwd=root, timeout=timeout,
        )  # fmt: skip
    except GitError:
        return None
    # Every file git lists is the project's: no folder is skipped by its name here (a tracked
    # "env/" or "build/" folder could otherwise hide code from the gate); exclude what you
    # do not want scanned.
    return [decode_path(p) for p in listing.split(b"\0") if p] or None


def read_git_info(root: Path, timeout: float | None = None) -> GitInfo:
    repository = find_repository(root)
    if repository is None:
        return GitInfo(commit=None, branch=None)
    limit = git_time_limit(timeout)
    return GitInfo(
        commit=_git_line(repository, limit, "rev-parse", "--verify", "-q", "HEAD"),
        branch=_git_line(repository, limit, "symbolic-ref", "-q", "--short", "HEAD"),
    )


def _git_line(repository: Repository, timeout: float, *args: str) -> str | None:
    try:
        output = run_git(repository, *args, timeout=timeout)
    except GitError:
        return None
    return decode_path(output).strip() or None
