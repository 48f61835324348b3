"""Where the result cache lives, how large it may grow, and pruning it.

The cache is the user's, never the scanned tree's: ``$XDG_CACHE_HOME/repo-roadmap`` when
``XDG_CACHE_HOME`` is set (on any platform), else the platform's cache directory
(``platformdirs``: ``~/.cache`` on Linux, ``~/Library/Caches`` on macOS,
``%LOCALAPPDATA%`` on Windows). Every edit-and-scan adds entries (a whole-program result is
keyed by every file's content), so after each scan the cache is pruned back under its size
limit, least recently used first: reading an entry marks it used. A mypy incremental cache
(one per scanned tree) is pruned as one unit, never file by file.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP_NAME = "repo-roadmap"
SIZE_ENV = "ROADMAP_CACHE_MAX_MB"
DEFAULT_MAX_BYTES = 512 * 1024 * 1024
# Pruning goes below the limit, so the next scans do not each prune a little.
_PRUNE_TO = 0.8
# A temporary file (a write interrupted by a crash) older than this is debris.
_STALE_TEMPORARY_S = 3600.0
# Directories whose children are each one unit: a mypy incremental cache per tree.
_WHOLE_UNITS = frozenset({"mypy"})


@dataclass(frozen=True, kw_only=True, slots=True)
class CacheUnit:
    path: Path
    size: int
    last_used: float


@dataclass(frozen=True, kw_only=True, slots=True)
class CacheInfo:
    directory: Path
    size: int
    units: int
    limit: int


def default_cache_dir() -> Path:
    """``$XDG_CACHE_HOME/repo-roadmap`` if set, else the platform's user cache directory."""
    base = os.environ.get("XDG_CACHE_HOME")
    if base:
        return Path(base) / APP_NAME
    return Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False))


def default_max_bytes() -> int:
    """The size limit: ``ROADMAP_CACHE_MAX_MB`` (a positive number) or 512 MiB."""
    value = os.environ.get(SIZE_ENV, "")
    try:
        megabytes = float(value)
    except ValueError:
        return DEFAULT_MAX_BYTES
    return int(megabytes * 1024 * 1024) if megabytes > 0 else DEFAULT_MAX_BYTES


def mark_used(path: Path) -> None:
    """Record a read for least-recently-used pruning (the file's modification time)."""
    with contextlib.suppress(OSError):
        os.utime(path)


def cache_units(directory: Path) -> list[CacheUnit]:
    """Every prunable unit: each entry file, and each mypy cache as a whole."""
    units: list[CacheUnit] = []
    if not directory.is_dir():
        return units
    for child in _entries(directory):
        if child.is_dir(follow_symlinks=False) and child.name in _WHOLE_UNITS:
            units.extend(_whole_unit(Path(sub.path)) for sub in _entries(Path(child.path)))
        elif child.is_dir(follow_symlinks=False):
            units.extend(_file_units(Path(child.path)))
        elif child.is_file(follow_symlinks=False):
            units.append(_file_unit(Path(child.path)))
    return units


def prune_cache(directory: Path, limit: int) -> int:
    """Remove least recently used units until the cache is under ``limit`` (to 80% of it),
    and leftover temporary files; returns the bytes removed. Never raises."""
    try:
        units = cache_units(directory)
    except OSError:
        return 0
    removed = 0
    now = time.time()
    for unit in units:
        if unit.path.name.startswith(".tmp-") and now - unit.last_used > _STALE_TEMPORARY_S:
            removed += _remove(unit)
    total = sum(u.size for u in units) - removed
    if total <= limit:
        return removed
    target = limit * _PRUNE_TO
    for unit in sorted(units, key=lambda u: (u.last_used, str(u.path))):
        if total <= target:
            break
        if unit.path.exists():
            freed = _remove(unit)
            removed += freed
            total -= freed
    return removed


def describe_cache(directory: Path, limit: int) -> CacheInfo:
    units = cache_units(directory)
    return CacheInfo(
        directory=directory, size=sum(u.size for u in units), units=len(units), limit=limit
    )


def clear_cache(directory: Path) -> int:
    """Remove everything in the cache directory; returns the bytes removed."""
    size = sum(u.size for u in cache_units(directory))
    if directory.is_dir():
        for child in _entries(directory):
            path = Path(child.path)
            if child.is_dir(follow_symlinks=False):
                shutil.rmtree(path, ignore_errors=True)
            else:
                with contextlib.suppress(OSError):
                    path.unlink()
    return size


def _entries(directory: Path) -> Iterator[os.DirEntry[str]]:
    with os.scandir(directory) as found:
        yield from sorted(found, key=lambda entry: entry.name)


def _file_units(directory: Path) -> Iterator[CacheUnit]:
    for dirpath, _dirnames, filenames in os.walk(directory):
        for name in filenames:
            with contextlib.suppress(OSError):
                yield _file_unit(Path(dirpath) / name)


def _file_unit(path: Path) -> CacheUnit:
    status = path.lstat()
    return CacheUnit(path=path, size=status.st_size, last_used=status.st_mtime)


def _whole_unit(path: Path) -> CacheUnit:
    size, newest = 0, 0.0
    with contextlib.suppress(OSError):
        newest = path.lstat().st_mtime
    for dirpath, _dirnames, filenames in os.walk(path):
        for name in filenames:
            with contextlib.suppress(OSError):
                status = (Path(dirpath) / name).lstat()
                size += status.st_size
                newest = max(newest, status.st_mtime)
    return CacheUnit(path=path, size=size, last_used=newest)


def _remove(unit: CacheUnit) -> int:
    try:
        if unit.path.is_dir() and not unit.path.is_symlink():
            shutil.rmtree(unit.path)
        else:
            unit.path.unlink()
    except OSError:
        return 0
    return unit.size
