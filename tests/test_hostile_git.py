"""Nothing in a scanned tree may configure git into running a program.

Each vector below is planted in a real repository, with a command that would create a
marker file; discovery, git information, ``--changed-since`` and a whole scan run over it,
and the marker must never appear.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from analyzer.changes import ChangeError, changed_files
from analyzer.discover import discover_files, read_git_info
from analyzer.discover.git import find_repository
from tests.conftest import run_roadmap, write_tree

# What a committed file of the target says, so a scan has something to report.
SOURCE = "import subprocess\nsubprocess.call('ls', shell=True)\n"


def git(root: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", *args],
        cwd=root,
        check=True,
        capture_output=True,
        env={**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"},
    )


def committed_repository(root: Path) -> Path:
    write_tree(root, {"app.py": SOURCE, "notes.txt": "text\n"})
    git(root, "init", "-q")
    git(root, "add", ".")
    git(root, "commit", "-qm", "first")
    return root


def marker_command(marker: Path) -> str:
    return f"touch {marker}"


def plant_in_config(root: Path, marker: Path) -> None:
    """Every configuration key that makes git run a program, pointed at the marker."""
    command = marker_command(marker)
    script = root / ".git" / "evil.sh"
    script.write_text(f"#!/bin/sh\n{command}\ncat\n")
    script.chmod(0o755)
    with (root / ".git" / "config").open("a") as config:
        config.write(
            f"""
[core]
    fsmonitor = {script}
    pager = {script}
    hooksPath = {root / ".git" / "evil-hooks"}
    sshCommand = {script}
    askPass = {script}
[filter "evil"]
    clean = {script}
    smudge = {script}
    process = {script}
[diff "evil"]
    textconv = {script}
    command = {script}
[diff]
    external = {script}
[log]
    showSignature = true
[gpg]
    program = {script}
[credential]
    helper = !{command}
[protocol "ext"]
    allow = always
[remote "origin"]
    url = ext::sh -c {command.replace(" ", "% ")}
    promisor = true
[extensions]
    partialClone = origin
"""
        )
    hooks = root / ".git" / "evil-hooks"
    hooks.mkdir()
    for hook in ("post-checkout", "pre-commit", "post-index-change", "reference-transaction"):
        (hooks / hook).write_text(f"#!/bin/sh\n{command}\n")
        (hooks / hook).chmod(0o755)
    (root / ".gitattributes").write_text("* filter=evil diff=evil\n")


def every_git_use(root: Path) -> None:
    discover_files(root)
    read_git_info(root)
    changed_files(root, "HEAD", [f.path for f in discover_files(root)])


def test_repository_config_cannot_run_programs(tmp_path: Path) -> None:
    root = committed_repository(tmp_path / "repo")
    marker = tmp_path / "PWNED"
    plant_in_config(root, marker)
    (root / "app.py").write_text(SOURCE + "# edited: git would clean it through the filter\n")
    every_git_use(root)
    assert not marker.exists()
    assert "app.py" in changed_files(root, "HEAD", ["app.py", "notes.txt"])
    assert "notes.txt" not in changed_files(root, "HEAD", ["app.py", "notes.txt"])


def test_an_included_config_cannot_run_programs(tmp_path: Path) -> None:
    root = committed_repository(tmp_path / "repo")
    marker = tmp_path / "PWNED"
    included = root / "included.cfg"
    included.write_text(f"[core]\n    fsmonitor = {marker_command(marker)}\n")
    with (root / ".git" / "config").open("a") as config:
        config.write(
            f'[include]\n    path = {included}\n[includeIf "gitdir:/"]\n    path = {included}\n'
        )
    every_git_use(root)
    assert not marker.exists()


@pytest.mark.parametrize("where", [".", "sub"])
def test_a_committed_bare_layout_is_never_taken_for_a_repository(
    tmp_path: Path, where: str
) -> None:
    """A bare repository's files (HEAD, config, objects/, refs/) in the scanned folder, as
    in a ZIP download or a monorepo folder: git would use its config if it discovered it."""
    marker = tmp_path / "PWNED"
    root = tmp_path / "download"
    bare = root / where
    write_tree(root, {"app.py": SOURCE})
    subprocess.run(["git", "init", "-q", "--bare", str(bare)], check=True)
    with (bare / "config").open("a") as config:
        config.write(f"[core]\n    fsmonitor = {marker_command(marker)}\n    bare = false\n")
    scanned = bare
    every_git_use_or_refused(scanned)
    assert not marker.exists()
    assert find_repository(scanned) is None


def every_git_use_or_refused(root: Path) -> None:
    discover_files(root)
    read_git_info(root)
    with pytest.raises(ChangeError, match="needs a git checkout"):
        changed_files(root, "HEAD", [])


def test_a_dot_git_symlink_is_not_followed(tmp_path: Path) -> None:
    elsewhere = committed_repository(tmp_path / "elsewhere")
    root = write_tree(tmp_path / "repo", {"app.py": SOURCE})
    os.symlink(elsewhere / ".git", root / ".git")
    assert find_repository(root) is None
    assert [f.path for f in discover_files(root)] == ["app.py"]


def test_git_from_the_environment_is_not_inherited(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = committed_repository(tmp_path / "repo")
    marker = tmp_path / "PWNED"
    monkeypatch.setenv("GIT_EXTERNAL_DIFF", marker_command(marker))
    monkeypatch.setenv("GIT_PAGER", marker_command(marker))
    monkeypatch.setenv("GIT_DIR", str(tmp_path / "nowhere"))
    every_git_use(root)
    assert not marker.exists()


def test_changed_since_refuses_an_empty_or_option_like_revision(tmp_path: Path) -> None:
    root = committed_repository(tmp_path / "repo")
    for revision in ("", "  ", "--output=/tmp/x", "-p"):
        with pytest.raises(ChangeError):
            changed_files(root, revision, ["app.py"])


def test_changed_since_reports_new_edited_and_untracked_files_only(tmp_path: Path) -> None:
    root = committed_repository(tmp_path / "repo")
    (root / "app.py").write_text(SOURCE + "x = 1\n")
    (root / "new.py").write_text("y = 2\n")
    assert changed_files(root, "HEAD", ["app.py", "new.py", "notes.txt"]) == {"app.py", "new.py"}


def test_changed_since_in_a_subdirectory_of_the_checkout(tmp_path: Path) -> None:
    root = committed_repository(tmp_path / "repo")
    write_tree(root, {"pkg/a.py": "a = 1\n", "pkg/b.py": "b = 1\n"})
    git(root, "add", ".")
    git(root, "commit", "-qm", "pkg")
    (root / "pkg" / "a.py").write_text("a = 2\n")
    assert changed_files(root / "pkg", "HEAD", ["a.py", "b.py"]) == {"a.py"}


ScanCheck = Callable[[Path, Path], None]


def test_a_whole_scan_of_a_booby_trapped_checkout_runs_nothing(
    tmp_path: Path, cache_env: dict[str, str]
) -> None:
    root = committed_repository(tmp_path / "repo")
    marker = tmp_path / "PWNED"
    plant_in_config(root, marker)
    (root / "app.py").write_text(SOURCE + "eval(input())\n")
    for extra in ((), ("--changed-since", "HEAD")):
        run = run_roadmap("scan", str(root), "-q", "-f", "json", *extra, env=cache_env)
        assert run.returncode == 0, run.stderr
        assert run.json()["target"]["git"]["commit"]
    assert not marker.exists()


def test_progress_and_a_sharded_merge_in_a_booby_trapped_checkout_run_nothing(
    tmp_path: Path, cache_env: dict[str, str]
) -> None:
    """progress compares files with the plan's commit (``ls-tree``, ``cat-file``) and the
    merge checks the commit and reads the history, all in the target's checkout."""
    root = committed_repository(tmp_path / "repo")
    plan = tmp_path / "plan.json"
    assert run_roadmap("scan", str(root), "-q", "-o", f"json:{plan}", env=cache_env).returncode == 0
    marker = tmp_path / "PWNED"
    plant_in_config(root, marker)
    (root / "app.py").write_text(SOURCE + "eval(input())\n")
    run = run_roadmap("progress", str(plan), str(root), "-q", env=cache_env)
    assert run.returncode == 0, run.stderr
    shards = [tmp_path / f"shard-{k}.json" for k in (1, 2)]
    for k, shard in enumerate(shards, start=1):
        run = run_roadmap(
            "scan", str(root), "--shard", f"{k}/2", "-q", "-o", f"json:{shard}", env=cache_env
        )
        assert run.returncode == 0, run.stderr
    run = run_roadmap(
        "merge", *map(str, shards), "--root", str(root), "-q", "-o", f"sarif:{tmp_path / 's'}",
        env=cache_env,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert not marker.exists()
