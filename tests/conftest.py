"""Shared test helpers: the installed CLI, and small repositories built in tmp dirs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
FIXTURES = REPO_ROOT / "fixtures"
NOXPANEL = FIXTURES / "noxpanel"


@dataclass(frozen=True)
class CliRun:
    returncode: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        return json.loads(self.stdout)


def roadmap_executable() -> str:
    """The console script installed next to the interpreter running the tests."""
    candidate = Path(sys.executable).parent / "roadmap"
    return str(candidate) if candidate.exists() else "roadmap"


def run_roadmap(
    *args: str, cwd: Path | None = None, env: Mapping[str, str] | None = None, timeout: float = 600
) -> CliRun:
    merged = {**os.environ, **(env or {})}
    completed = subprocess.run(
        [roadmap_executable(), *args],
        cwd=cwd,
        env=merged,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    return CliRun(completed.returncode, completed.stdout, completed.stderr)


@contextmanager
def reaped(process: subprocess.Popen[bytes]) -> Iterator[subprocess.Popen[bytes]]:
    """A started process that is killed if still running, then always waited for and its
    pipes closed: a failing test must not leave a zombie (or an unclosed-pipe warning,
    which ``filterwarnings = error`` turns into a second failure)."""
    try:
        yield process
    finally:
        if process.poll() is None:
            process.kill()
        process.communicate()


def dated_git(repo: Path, *args: str, when: str) -> str:
    """Run git in ``repo`` with a fixed author and date and no user or system config (a
    history whose dates the test chooses); its standard output."""
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid",
        "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.invalid",
        "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when,
        "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1",
    }  # fmt: skip
    completed = subprocess.run(
        ["git", "-c", "commit.gpgsign=false", *args],
        cwd=repo, env=env, check=True, capture_output=True, text=True,
    )  # fmt: skip
    return completed.stdout


def write_tree(root: Path, files: Mapping[str, str | bytes]) -> Path:
    """Create files (dedented text, or raw bytes) under ``root``."""
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content), encoding="utf-8")
    return root


@pytest.fixture
def cache_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Point the user cache at a throwaway directory so tests never share state."""
    return {"XDG_CACHE_HOME": str(tmp_path_factory.mktemp("xdg-cache"))}


def analyze_tree(
    analyzer: Any, root: Path, files: Mapping[str, str | bytes], listed: Sequence[str] | None = None
) -> Any:
    """Write ``files`` under ``root`` and run one analyzer over them in this process (both
    phases for a two-phase analyzer), with its bundled settings; ``listed`` narrows which
    files the analyzer is handed (default: all)."""
    from analyzer.model import AnalysisOutput, SourceFile
    from analyzer.plugins import AnalysisRequest, analyze_whole
    from analyzer.rules import load_rulebook

    write_tree(root, {name: content for name, content in files.items()})
    names = sorted(files) if listed is None else sorted(listed)
    sources = tuple(SourceFile(path=name, size=len(files[name])) for name in names)
    options = load_rulebook().settings_for(analyzer.tool)
    output = analyze_whole(
        analyzer, AnalysisRequest(root=str(root), files=sources, options=options)
    )
    assert isinstance(output, AnalysisOutput), output
    return output
