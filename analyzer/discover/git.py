"""The one way this tool runs git on a scanned tree.

The tree is untrusted. A tarball can ship a ``.git/config``, a monorepo folder can hold a
committed bare-repository layout, and ``.gitattributes`` can name filter and diff drivers.
git would honour all of them: ``core.fsmonitor``, filters, textconv, external diff, hooks,
pagers, credential helpers and transports (``ext::``) all run programs. So:

- the repository is located here, by walking up to a ``.git`` entry, and handed to git as
  ``GIT_DIR``/``GIT_WORK_TREE``: git never discovers one itself, and a bare layout is never
  taken for a repository;
- system and global configuration are off, and the command line overrides every key that
  runs a program or reads a file named by the configuration (``-c`` wins over any file);
- diff and log run with ``--no-ext-diff --no-textconv``, and nothing here runs a command that
  cleans or smudges working-tree files (``--changed-since`` hashes files itself);
- every call has a time limit and no terminal (no prompt, no pager).
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

DEFAULT_TIMEOUT_S = 60.0
# A ``.git`` file ("gitdir: PATH", worktrees and submodules) is a line; anything longer is not one.
_GITFILE_LIMIT = 4096

_TRANSPORTS = ("ext", "file", "ssh", "git", "http", "https")
# Keys whose value git runs, or a file it reads, set to inert values. Command-line ``-c``
# takes precedence over every configuration file, ``include.path`` included.
SAFE_OVERRIDES: tuple[tuple[str, str], ...] = (
    ("core.fsmonitor", "false"),
    ("core.hooksPath", os.devnull),
    ("core.pager", "cat"),
    ("core.editor", "false"),
    ("core.askPass", ""),
    ("core.sshCommand", "false"),
    ("core.gitProxy", ""),
    ("core.excludesFile", os.devnull),
    ("core.attributesFile", os.devnull),
    ("core.untrackedCache", "false"),
    ("credential.helper", ""),
    ("diff.external", ""),
    ("log.showSignature", "false"),
    ("gpg.program", "false"),
    # Every transport off, one by one too: a repository's own "protocol.ext.allow = always"
    # would beat the general key, and a promisor remote would fetch (and run ext:: commands).
    ("protocol.allow", "never"),
    *(
        (f"protocol.{name}.allow", "never")
        for name in ("ext", "file", "ssh", "git", "http", "https")
    ),
    ("gc.auto", "0"),
    ("maintenance.auto", "false"),
)
# Subcommands that compare contents: their drivers (named by .gitattributes) must not run.
_DIFFING = frozenset({"diff", "log", "show", "whatchanged"})


class GitError(Exception):
    """git is missing, timed out, or refused the command; ``str()`` says which, in one line."""


@dataclass(frozen=True, kw_only=True, slots=True)
class Repository:
    """Where git keeps the repository, and the working tree it describes."""

    git_dir: Path
    work_tree: Path


def find_repository(root: Path) -> Repository | None:
    """The repository whose working tree holds ``root``: the nearest ``.git`` at or above it.

    A ``.git`` that is a symlink, or a file that does not say ``gitdir: PATH``, ends the
    search: such a tree is scanned as plain files rather than trusted to point anywhere.
    """
    for directory in (root, *root.parents):
        entry = directory / ".git"
        if entry.is_symlink():
            return None
        if entry.is_dir():
            return Repository(git_dir=entry, work_tree=directory)
        if entry.is_file():
            target = _read_gitfile(entry)
            if target is None or not _links_back(entry, target):
                return None
            return Repository(git_dir=target, work_tree=directory)
    return None


def _links_back(entry: Path, target: Path) -> bool:
    """Whether the repository a ``.git`` file names really belongs to this folder, as git
    itself records it: a linked worktree's admin folder names this ``.git`` file in its
    ``gitdir``; a submodule lives in ``.git/modules/`` of a repository above this folder. A
    ``.git`` file shipped in a download that points at some other repository on the machine
    is neither, and is not followed."""
    real = target.resolve()
    if real.parent.name == "worktrees" and real.parent.parent.name.endswith(".git"):
        recorded = _read_small(real / "gitdir")
        return recorded is not None and Path(recorded.strip()).resolve() == entry.resolve()
    if "modules" in real.parts:
        superproject = Path(*real.parts[: real.parts.index("modules")])
        return superproject.name == ".git" and entry.resolve().is_relative_to(superproject.parent)
    return real.is_relative_to(entry.parent.resolve())


def _read_small(path: Path) -> str | None:
    try:
        with path.open("rb") as handle:
            return handle.read(_GITFILE_LIMIT).decode("utf-8", errors="replace")
    except OSError:
        return None


def _read_gitfile(entry: Path) -> Path | None:
    head = _read_small(entry)
    if head is None:
        return None
    text = head.strip()
    if not text.startswith("gitdir:") or "\n" in text:
        return None
    target = Path(text.removeprefix("gitdir:").strip())
    target = target if target.is_absolute() else entry.parent / target
    return target if target.is_dir() else None


def git_environment(repository: Repository, base: Mapping[str, str]) -> dict[str, str]:
    """``base`` without any inherited ``GIT_*`` variable, plus the settings that pin git down."""
    environment = {k: v for k, v in base.items() if not k.startswith("GIT_")}
    environment.update(
        {
            "GIT_DIR": str(repository.git_dir),
            "GIT_WORK_TREE": str(repository.work_tree),
            "GIT_CEILING_DIRECTORIES": str(repository.work_tree.parent),
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_CONFIG_GLOBAL": os.devnull,
            "GIT_ATTR_NOSYSTEM": "1",
            "GIT_TERMINAL_PROMPT": "0",
            "GIT_PAGER": "cat",
            "PAGER": "cat",
            "GIT_OPTIONAL_LOCKS": "0",
            "GIT_NO_REPLACE_OBJECTS": "1",
            "GIT_NO_LAZY_FETCH": "1",
            "GIT_PROTOCOL_FROM_USER": "0",
            "GIT_LITERAL_PATHSPECS": "1",
            "LC_ALL": "C",
        }
    )
    return environment


def git_command(args: Sequence[str]) -> list[str]:
    """The full argument vector: overrides first, safe diff flags after a diffing subcommand."""
    command = ["git", "--no-pager"]
    for key, value in SAFE_OVERRIDES:
        command += ["-c", f"{key}={value}"]
    command += list(args[:1])
    if args and args[0] in _DIFFING:
        command += ["--no-ext-diff", "--no-textconv"]
    return command + list(args[1:])


def run_git(
    repository: Repository,
    *args: str,
    cwd: Path | None = None,
    timeout: float = DEFAULT_TIMEOUT_S,
) -> bytes:
    """git's standard output for ``args``; ``GitError`` when it cannot give one."""
    try:
        completed = subprocess.run(
            git_command(args),
            cwd=cwd or repository.work_tree,
            env=git_environment(repository, os.environ),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            check=False,
            timeout=timeout,
        )
    except FileNotFoundError as exc:
        raise GitError("git is not installed") from exc
    except subprocess.TimeoutExpired as exc:
        raise GitError(f"git {args[0]} took longer than {timeout:g} s") from exc
    except OSError as exc:
        raise GitError(f"cannot run git: {exc.strerror or exc}") from exc
    if completed.returncode != 0:
        lines = completed.stderr.decode("utf-8", errors="replace").strip().splitlines()
        raise GitError(f"git {args[0]} failed: {lines[0] if lines else 'unknown error'}")
    return completed.stdout


def decode_path(raw: bytes) -> str:
    """A path as git prints it with ``-z``: bytes, kept losslessly with surrogate escapes."""
    return raw.decode("utf-8", errors="surrogateescape")
