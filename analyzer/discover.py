"""Find the files to scan. The only stage that walks the file system.

In a git checkout: the files git tracks plus the untracked ones it does not ignore.
Elsewhere: a walk that skips virtualenvs, VCS folders, build outputs and caches.
Symlinks are never followed out of the scan root, and never into loops.
"""

from __future__ import annotations

import configparser
import fnmatch
import os
import subprocess
import tomllib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

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


@dataclass(frozen=True, kw_only=True, slots=True)
class GitInfo:
    commit: str | None
    branch: str | None


def discover_files(
    root: Path, *, include: Sequence[str] = (), exclude: Sequence[str] = ()
) -> tuple[SourceFile, ...]:
    """Every regular file under ``root`` that is not excluded, sorted by path."""
    candidates = _git_files(root)
    relative = candidates if candidates is not None else _walk(root)
    selected = []
    for rel in sorted(set(relative)):
        if _is_skipped(rel, include, exclude):
            continue
        source = _stat_inside(root, rel)
        if source is not None:
            selected.append(source)
    return tuple(selected)


def matches_any(path: str, patterns: Iterable[str]) -> bool:
    """True when a glob matches the relative path, or the file name for patterns without '/'."""
    name = path.rsplit("/", 1)[-1]
    for pattern in patterns:
        if fnmatch.fnmatchcase(path, pattern) or (
            "/" not in pattern and fnmatch.fnmatchcase(name, pattern)
        ):
            return True
        if pattern.endswith("/**") and (path + "/").startswith(pattern[:-2]):
            return True
    return False


def _is_skipped(rel: str, include: Sequence[str], exclude: Sequence[str]) -> bool:
    if include and not matches_any(rel, include):
        return True
    return matches_any(rel, exclude)


def _stat_inside(root: Path, rel: str) -> SourceFile | None:
    path = root / rel
    if path.is_symlink() and not _resolves_inside(root, path):
        return None
    try:
        stat = path.stat()
    except OSError:
        return None
    if not path.is_file():
        return None
    return SourceFile(path=rel, size=stat.st_size)


def _resolves_inside(root: Path, path: Path) -> bool:
    try:
        target = path.resolve(strict=True)
    except (OSError, RuntimeError):
        return False
    return target.is_relative_to(root.resolve())


def _walk(root: Path) -> Iterator[str]:
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if not _is_skipped_dir(Path(dirpath) / d, d))
        base = Path(dirpath).relative_to(root)
        for filename in filenames:
            yield (base / filename).as_posix()


def _is_skipped_dir(path: Path, name: str) -> bool:
    return name in SKIPPED_DIRS or name.endswith(".egg-info") or (path / "pyvenv.cfg").exists()


def _git(root: Path, *args: str) -> str | None:
    try:
        completed = subprocess.run(
            ["git", "-C", str(root), *args], capture_output=True, check=False, timeout=60
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    if completed.returncode != 0:
        return None
    return completed.stdout.decode("utf-8", errors="surrogateescape")


def _git_files(root: Path) -> list[str] | None:
    """git's view of the tree below ``root`` (paths relative to it), or None outside git.

    An empty listing (the root itself ignored, or nothing committed) falls back to a walk.
    """
    listing = _git(root, "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", ".")
    if not listing:
        return None
    return [p for p in listing.split("\0") if p and not _in_skipped_dir(p)]


def _in_skipped_dir(rel: str) -> bool:
    return any(part in SKIPPED_DIRS for part in rel.split("/")[:-1])


def read_project_name(root: Path) -> str | None:
    """The name the project gives itself: pyproject.toml, setup.cfg, or a wheel's METADATA.

    Parsed as data only; setup.py is never run.
    """
    for reader in (_pyproject_name, _setup_cfg_name, _wheel_name):
        name = reader(root)
        if name:
            return name
    return None


def _pyproject_name(root: Path) -> str | None:
    try:
        document = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return None
    project, poetry = document.get("project"), document.get("tool", {}).get("poetry")
    for table in (project, poetry):
        if isinstance(table, dict) and isinstance(table.get("name"), str):
            return str(table["name"])
    return None


def _setup_cfg_name(root: Path) -> str | None:
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read(root / "setup.cfg", encoding="utf-8")
    except (configparser.Error, UnicodeDecodeError):
        return None
    name = parser.get("metadata", "name", fallback=None)
    return name.strip() if name and "%" not in name else None


def _wheel_name(root: Path) -> str | None:
    """An unzipped wheel has exactly one ``*.dist-info/METADATA`` at its top."""
    candidates = sorted(root.glob("*.dist-info/METADATA"))
    if len(candidates) != 1:
        return None
    try:
        head = candidates[0].read_text(encoding="utf-8", errors="replace")[:4096]
    except OSError:
        return None
    for line in head.splitlines():
        if line.startswith("Name:"):
            return line.removeprefix("Name:").strip() or None
    return None


def read_git_info(root: Path) -> GitInfo:
    commit = _git(root, "rev-parse", "HEAD")
    branch = _git(root, "rev-parse", "--abbrev-ref", "HEAD")
    branch_name = branch.strip() if branch else None
    return GitInfo(
        commit=commit.strip() if commit else None,
        branch=None if branch_name in (None, "HEAD") else branch_name,
    )
