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

import contextlib
import errno
import fnmatch
import os
import stat
from pathlib import Path

# Symlink hops allowed while resolving one path, as the kernel's own limit (MAXSYMLINKS).
_MAX_HOPS = 40
_DIRECTORY_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
_FILE_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC


class UnsafeFile(OSError):
    """A path that may not be read: outside the root, not a regular file, or too large.

    An ``OSError``, so every reader that already reports unreadable files reports these too,
    with ``strerror`` as the reason.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(errno.EPERM, reason)


def read_inside(root: str | Path, relative: str, *, limit: int) -> bytes:
    """The bytes of ``root/relative``, a regular file inside ``root`` of at most ``limit`` bytes."""
    return _read_descriptor(open_inside(root, relative), limit)


def read_named(path: str | Path, *, limit: int) -> bytes:
    """The bytes of a file the user names on the command line (``--org-config``, a rules
    folder's files): a link is followed, since the user chose the path, but a FIFO, a
    device or a directory is refused before it is opened or read, and the size is capped."""
    _check_regular(os.stat(path).st_mode)
    descriptor = os.open(path, _FILE_FLAGS & ~os.O_NOFOLLOW)
    try:
        _check_regular(os.fstat(descriptor).st_mode)
    except OSError:
        os.close(descriptor)
        raise
    return _read_descriptor(descriptor, limit)


def _read_descriptor(descriptor: int, limit: int) -> bytes:
    """Read an open file up to ``limit`` bytes, and close it."""
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
    """A read-only descriptor of the regular file ``root/relative``, resolved beneath ``root``.

    The type is checked before opening (a device is never opened) and again after (the
    entry may have been swapped in between)."""
    directory, name = _resolve(root, relative)
    try:
        return _open_regular(directory, name)
    finally:
        os.close(directory)


def _open_regular(directory: int, name: str) -> int:
    _check_regular(os.lstat(name, dir_fd=directory).st_mode)
    descriptor = os.open(name, _FILE_FLAGS, dir_fd=directory)
    try:
        _check_regular(os.fstat(descriptor).st_mode)
    except BaseException:
        os.close(descriptor)
        raise
    return descriptor


class TreeReader:
    """Many reads and stats in one tree, each directory resolved once.

    ``read_inside`` and ``stat_inside`` resolve every component of every path, a dozen
    system calls per file. Here a file's directory is resolved the same way (component by
    component from the root, links inside it followed and checked) the first time it is
    needed, and its descriptor kept; the file itself is then looked up in it without
    following a link. A file that is itself a link, or whose directory cannot be resolved
    this way, takes the one-path route, which follows or refuses it exactly as before.
    Use it as a context manager: it holds directory descriptors until closed.
    """

    _MAX_OPEN = 64

    def __init__(self, root: str | Path) -> None:
        self._root = os.path.realpath(root)
        self._directories: dict[str, int | None] = {}

    def __enter__(self) -> TreeReader:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        for descriptor in self._directories.values():
            if descriptor is not None:
                os.close(descriptor)
        self._directories.clear()

    def stat(self, relative: str) -> os.stat_result:
        """As ``stat_inside(root, relative)``."""
        located = self._locate(relative)
        if located is not None:
            status = os.lstat(located[1], dir_fd=located[0])
            if not stat.S_ISLNK(status.st_mode):
                return status
        return stat_inside(self._root, relative)

    def read(self, relative: str, *, limit: int) -> bytes:
        """As ``read_inside(root, relative, limit=limit)``."""
        located = self._locate(relative)
        if located is None or _is_link(located[1], located[0]):
            return read_inside(self._root, relative, limit=limit)
        return _read_descriptor(_open_regular(*located), limit)

    def _locate(self, relative: str) -> tuple[int, str] | None:
        """The descriptor of the file's directory and its name there; None: take the
        one-path route (a ``..`` in the path, or a directory that does not resolve)."""
        parts = _components(relative)
        if not parts or ".." in parts:
            return None
        directory = self._directory("/".join(parts[:-1]))
        return None if directory is None else (directory, parts[-1])

    def _directory(self, folder: str) -> int | None:
        """The folder's descriptor, opened on first use; None when it does not resolve."""
        if folder not in self._directories:
            if len(self._directories) >= self._MAX_OPEN:
                self.close()
            self._directories[folder] = self._open_directory(folder)
        return self._directories[folder]

    def _open_directory(self, folder: str) -> int | None:
        try:
            if not folder:
                return os.open(self._root, _DIRECTORY_FLAGS)
            # Through the parent's descriptor, resolved the same way: one system call per
            # folder instead of a walk from the root. A link fails O_NOFOLLOW and takes the
            # walk, which follows it inside the tree or refuses it.
            above, _, name = folder.rpartition("/")
            parent = self._directory(above)
            if parent is not None:
                with contextlib.suppress(OSError):
                    return os.open(name, _DIRECTORY_FLAGS, dir_fd=parent)
            parent, name = _resolve(self._root, folder)
            try:
                return os.open(name, _DIRECTORY_FLAGS, dir_fd=parent)
            finally:
                os.close(parent)
        except OSError:
            return None


def glob_inside(root: str | Path, pattern: str) -> list[str]:
    """Relative paths matching ``pattern`` (a glob per component, from the root), sorted.
    Only real folders are entered: ``Path.glob`` would list what a linked folder holds,
    outside the tree. A matching file may still be a link; reading it decides."""
    found = [""]
    for depth, part in enumerate(pattern.split("/"), start=1):
        last = depth == len(pattern.split("/"))
        found = [
            f"{folder}/{name}" if folder else name
            for folder in found
            for name, is_folder in _entries(os.path.join(root, folder))
            if fnmatch.fnmatchcase(name, part) and (last or is_folder)
        ]
    return sorted(found)


def _entries(folder: str) -> list[tuple[str, bool]]:
    """A folder's names, each with whether it is a real folder (not a link to one)."""
    try:
        with os.scandir(folder) as listing:
            return [(e.name, e.is_dir(follow_symlinks=False)) for e in listing]
    except OSError:
        return []


def _resolve(root: str | Path, relative: str) -> tuple[int, str]:
    """A descriptor of the directory holding the file, and its name there (not a link).

    Walks one component at a time from the root, keeping a descriptor per level: a link is
    replaced by its target's components and ``..`` goes back one level, exactly as the
    kernel resolves them, but a step above the root, or an absolute target outside it, is
    refused.
    """
    real_root = os.path.realpath(root)
    pending = _components(relative)
    levels = [os.open(real_root, _DIRECTORY_FLAGS)]
    hops = 0
    try:
        while pending:
            part = pending.pop(0)
            if part == "..":
                if len(levels) == 1:
                    raise UnsafeFile("the path leads outside the scan root")
                os.close(levels.pop())
                continue
            if _is_link(part, levels[-1]):
                hops += 1
                if hops > _MAX_HOPS:
                    raise UnsafeFile("too many levels of symbolic links")
                link = os.readlink(part, dir_fd=levels[-1])
                if os.path.isabs(link):
                    while len(levels) > 1:
                        os.close(levels.pop())
                pending = _components(_inside_link(real_root, link)) + pending
                continue
            if not pending:
                directory = levels.pop()
                return directory, part
            levels.append(os.open(part, _DIRECTORY_FLAGS, dir_fd=levels[-1]))
        raise UnsafeFile("not a file")
    finally:
        for level in levels:
            os.close(level)


def _components(path: str) -> list[str]:
    return [part for part in path.split("/") if part not in ("", ".")]


def _is_link(name: str, directory: int) -> bool:
    try:
        return stat.S_ISLNK(os.lstat(name, dir_fd=directory).st_mode)
    except OSError:
        return False


def _inside_link(real_root: str, link: str) -> str:
    """A link's target as a path to resolve from the root: relative targets as they are,
    absolute ones only below the root. ``..`` is kept, never collapsed as text: the walk
    resolves it after the links before it, as the kernel does."""
    if not os.path.isabs(link):
        return link
    if link == real_root:
        return "."
    if not link.startswith(real_root.rstrip("/") + "/"):
        raise UnsafeFile("a symlink leads outside the scan root")
    return link[len(real_root.rstrip("/")) + 1 :]


def _check_regular(mode: int) -> None:
    if not stat.S_ISREG(mode):
        kind = "a directory" if stat.S_ISDIR(mode) else "a FIFO, device or socket"
        raise UnsafeFile(f"not a regular file ({kind})")


def _too_large(size: int, limit: int) -> str:
    return f"over the size limit ({_mebibytes(size)} > {_mebibytes(limit)})"


def _mebibytes(size: int) -> str:
    return f"{size / 1048576:.1f} MiB" if size >= 1048576 else f"{size} bytes"
