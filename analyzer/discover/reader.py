"""The one door through which this tool reads a file of the scanned tree.

The tree is untrusted. A symlink (at the file or at any directory above it, even one that
became a symlink after git indexed the path) may lead out of the root; a FIFO blocks a
reader forever; ``/dev/zero`` never ends. So every read resolves the path one component at
a time from a descriptor of the root, never following a link out of it, opens the file
non-blocking, accepts regular files only, and stops at a size cap.

Links that stay inside the root (``docs/README.md -> ../README.md``) are followed: they are
resolved here, component by component, exactly as the kernel would, but checked at each step.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

# Symlink hops allowed while resolving one path, as the kernel's own limit (MAXSYMLINKS).
_MAX_HOPS = 40
_DIRECTORY_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
_FILE_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC


class UnsafeFile(OSError):
    """A path that may not be read: outside the root, not a regular file, or too large.

    An ``OSError``, so every reader that already reports unreadable files reports these too,
    with ``strerror`` as the reason.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(errno.EPERM, reason)


def read_inside(root: str | Path, relative: str, *, limit: int) -> bytes:
    """The bytes of ``root/relative``, a regular file inside ``root`` of at most ``limit`` bytes."""
    descriptor = open_inside(root, relative)
    try:
        size = os.fstat(descriptor).st_size
        if size > limit:
            raise UnsafeFile(_too_large(size, limit))
        chunks: list[bytes] = []
        remaining = limit + 1
        while remaining > 0:
            chunk = os.read(descriptor, min(remaining, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            remaining -= len(chunk)
    finally:
        os.close(descriptor)
    data = b"".join(chunks)
    if len(data) > limit:
        raise UnsafeFile(_too_large(len(data), limit))
    return data


def stat_inside(root: str | Path, relative: str) -> os.stat_result:
    """``lstat`` of ``root/relative`` resolved beneath the root, without opening the file."""
    directory, name = _resolve(root, relative)
    try:
        return os.lstat(name, dir_fd=directory)
    finally:
        os.close(directory)


def open_inside(root: str | Path, relative: str) -> int:
    """A read-only descriptor of the regular file ``root/relative``, resolved beneath ``root``."""
    directory, name = _resolve(root, relative)
    try:
        return _regular(os.open(name, _FILE_FLAGS, dir_fd=directory))
    finally:
        os.close(directory)


def _resolve(root: str | Path, relative: str) -> tuple[int, str]:
    """A descriptor of the directory holding the file, and its name there (not a link).

    Walks one component at a time from the root; a link is replaced by its target's
    components, and a step above the root, or an absolute target outside it, is refused.
    """
    real_root = os.path.realpath(root)
    pending = _components(relative)
    trail: list[str] = []
    directory = _open_trail(real_root, trail)
    hops = 0
    try:
        while pending:
            part = pending.pop(0)
            if part == "..":
                if not trail:
                    raise UnsafeFile("the path leads outside the scan root")
                trail.pop()
                directory = _replace(directory, _open_trail(real_root, trail))
                continue
            if _is_link(part, directory):
                hops += 1
                if hops > _MAX_HOPS:
                    raise UnsafeFile("too many levels of symbolic links")
                link = os.readlink(part, dir_fd=directory)
                pending = _components(_inside_link(real_root, link)) + pending
                if os.path.isabs(link):
                    trail = []
                    directory = _replace(directory, _open_trail(real_root, trail))
                continue
            if not pending:
                return directory, part
            directory = _replace(directory, os.open(part, _DIRECTORY_FLAGS, dir_fd=directory))
            trail.append(part)
        raise UnsafeFile("not a file")
    except BaseException:
        os.close(directory)
        raise


def _components(path: str) -> list[str]:
    return [part for part in path.split("/") if part not in ("", ".")]


def _is_link(name: str, directory: int) -> bool:
    try:
        return stat.S_ISLNK(os.lstat(name, dir_fd=directory).st_mode)
    except OSError:
        return False


def _inside_link(real_root: str, link: str) -> str:
    """A link's target as a path to resolve: relative as is, absolute only inside the root."""
    if not os.path.isabs(link):
        return link
    if os.path.commonpath([real_root, os.path.normpath(link)]) != real_root:
        raise UnsafeFile("a symlink leads outside the scan root")
    return os.path.relpath(os.path.normpath(link), real_root)


def _open_trail(real_root: str, trail: list[str]) -> int:
    """A descriptor of ``real_root/trail``, walked without following links."""
    directory = os.open(real_root, _DIRECTORY_FLAGS)
    try:
        for part in trail:
            directory = _replace(directory, os.open(part, _DIRECTORY_FLAGS, dir_fd=directory))
    except BaseException:
        os.close(directory)
        raise
    return directory


def _replace(old: int, new: int) -> int:
    os.close(old)
    return new


def _regular(descriptor: int) -> int:
    mode = os.fstat(descriptor).st_mode
    if stat.S_ISREG(mode):
        return descriptor
    os.close(descriptor)
    kind = "a directory" if stat.S_ISDIR(mode) else "a FIFO, device or socket"
    raise UnsafeFile(f"not a regular file ({kind})")


def _too_large(size: int, limit: int) -> str:
    return f"over the size limit ({_mebibytes(size)} > {_mebibytes(limit)})"


def _mebibytes(size: int) -> str:
    return f"{size / 1048576:.1f} MiB" if size >= 1048576 else f"{size} bytes"
