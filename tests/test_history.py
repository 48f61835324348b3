"""Hotspots from git history: a repository built here with dated commits, read through the
hardened runner, mapped onto functions, and turned into a different schedule."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from pathlib import Path

import pytest

from analyzer.config import ScanConfig
from analyzer.discover.history import (
    History,
    map_function_churn,
    parse_numstat,
    read_history,
)
from analyzer.planning.facts import index_complex_functions
from analyzer.render.json_report import build_report
from analyzer.render.markdown import render_markdown
from analyzer.report import Report, with_roadmap
from analyzer.scan import run_scan
from tests.conftest import dated_git, run_roadmap

BRANCHES = "\n".join(f"    if x == {n}:\n        y += {n}" for n in range(22))
OTHERS = ("api", "dead-code", "documentation", "frontend", "infrastructure", "security")
ONLY_COMPLEXITY = frozenset({*OTHERS, "testing", "typing"})


def complex_function(name: str, marker: str = "") -> str:
    """A function of cyclomatic complexity 23, with a line to edit."""
    return f"def {name}(x):\n    y = 0  # {marker}\n{BRANCHES}\n    return y\n"


def module(prefix: str, marker: str = "") -> str:
    """Three such functions: more than one review's worth of refactoring."""
    return "\n\n".join(complex_function(f"{prefix}{n}", marker) for n in (1, 2, 3))


def git(repo: Path, *args: str, when: str = "2025-01-01T12:00:00+00:00") -> None:
    dated_git(repo, *args, when=when)


def commit(repo: Path, files: Mapping[str, str], when: str, message: str = "change") -> None:
    for rel, text in files.items():
        (repo / rel).parent.mkdir(parents=True, exist_ok=True)
        (repo / rel).write_text(text, encoding="utf-8")
    git(repo, "add", "-A", when=when)
    git(repo, "commit", "-q", "-m", message, when=when)


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """app/b/hot.py's functions change in eight commits, app/a/cold.py's never after the
    first; two commits are older than the twelve-month window."""
    root = tmp_path_factory.mktemp("history") / "repo"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    first = {"app/a/cold.py": module("cold"), "app/b/hot.py": module("hot")}
    commit(root, first, "2023-06-01T12:00:00+00:00", "initial")
    commit(root, {"app/b/hot.py": module("hot", "old")}, "2023-12-01T12:00:00+00:00")
    for month in range(1, 9):
        text = "import os\n" * month + "\n" + module("hot", f"v{month}")
        commit(root, {"app/b/hot.py": text}, f"2025-{month:02d}-15T12:00:00+00:00")
    commit(root, {"README.md": "# app\n"}, "2025-09-01T12:00:00+00:00")
    return root


def spans_of(root: Path) -> dict[str, list[tuple[str, int, int]]]:
    result = run_scan(root, ScanConfig(jobs=1, use_cache=False, disabled_analyzers=ONLY_COMPLEXITY))
    functions = index_complex_functions(result.findings, "complexity")
    return {p: [(f.name, f.line, f.end_line) for f in items] for p, items in functions.items()}


def history_of(root: Path, **changes: object) -> History:
    options: dict[str, object] = {
        "months": 12, "max_commits": 1000, "timeout": 30.0, "max_function_files": 50,
    }  # fmt: skip
    options.update(changes)
    return read_history(root, spans_of(root), **options)  # type: ignore[arg-type]


def test_churn_is_counted_back_from_the_head_commit_per_file_and_function(repo: Path) -> None:
    history = history_of(repo)
    assert history.available
    assert (history.since, history.until) == ("2024-09-01", "2025-09-01")
    assert history.commits == 9  # eight changes of hot.py and the README; older ones are out
    files = {churn.path: churn.commits for churn in history.files}
    assert files == {"app/b/hot.py": 8, "README.md": 1}
    functions = {(f.path, f.symbol): f.commits for f in history.functions}
    assert functions == {("app/b/hot.py", f"hot{n}"): 8 for n in (1, 2, 3)}
    assert history.note == "9 commits from 2024-09-01 to 2025-09-01"


def test_the_commit_cap_bounds_a_huge_history(repo: Path) -> None:
    history = history_of(repo, max_commits=3)
    assert history.commits == 3 and history.truncated


def test_no_repository_no_git_and_a_shallow_clone_never_fail(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    (plain / "a.py").write_text(complex_function("f"), encoding="utf-8")
    assert read_history(plain, {}, months=12, max_commits=10, timeout=5, max_function_files=5) == (
        History(available=False, note="not a git checkout")
    )
    shallow = tmp_path / "shallow"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{repo}", str(shallow))
    history = read_history(shallow, {}, months=12, max_commits=10, timeout=5, max_function_files=5)
    assert not history.available and "shallow" in history.note
    monkeypatch.setenv("PATH", str(tmp_path / "no-binaries-here"))
    missing = read_history(repo, {}, months=12, max_commits=10, timeout=5, max_function_files=5)
    assert not missing.available and "git is not installed" in missing.note


def test_the_target_cannot_make_git_run_a_program_while_history_is_read(
    repo: Path, tmp_path: Path
) -> None:
    evil = tmp_path / "evil"
    git(tmp_path, "clone", "-q", f"file://{repo}", str(evil))
    marker = tmp_path / "ran"
    with (evil / ".git" / "config").open("a", encoding="utf-8") as config:
        config.write(f'[diff "evil"]\n\ttextconv = touch {marker}\n\tcommand = touch {marker}\n')
        config.write(f"[core]\n\tfsmonitor = touch {marker}\n\tpager = touch {marker}\n")
    (evil / ".git" / "info").mkdir(exist_ok=True)
    (evil / ".git" / "info" / "attributes").write_text("*.py diff=evil\n", encoding="utf-8")
    history = read_history(
        evil, {"app/b/hot.py": [("hot1", 10, 40)]}, months=12, max_commits=100, timeout=30,
        max_function_files=5,
    )  # fmt: skip
    assert history.available and not marker.exists()


def test_a_function_is_followed_while_lines_above_it_move() -> None:
    # HEAD: the function spans lines 6-9. The newest commit added lines 1-5 above it; the
    # one before edited line 2 of the old file, which was inside the function (lines 1-4).
    patch = (
        b"\x01c2 p\n\ndiff --git a/m.py b/m.py\n--- a/m.py\n+++ b/m.py\n@@ -0,0 +1,5 @@\n+x\n"
        b"\x01c1 p\n\ndiff --git a/m.py b/m.py\n--- a/m.py\n+++ b/m.py\n@@ -2 +2 @@\n-a\n+b\n"
    )
    churn = map_function_churn(patch, {"m.py": [("f", 6, 9)]})
    assert [(c.symbol, c.commits, c.lines_changed) for c in churn] == [("f", 1, 2)]


def test_numstat_skips_root_commits_and_counts_binary_files_as_changed() -> None:
    output = (
        b"\x01aaa\0\n3\t1\ta.py\x00-\t-\tlogo.png\x00"
        b"\x01bbb ccc\0\n2\t2\ta.py\x00-\t-\tlogo.png\x00"
    )
    commits, files = parse_numstat(output)
    assert commits == 1
    assert [(f.path, f.commits, f.lines_changed) for f in files] == [
        ("a.py", 1, 4),
        ("logo.png", 1, 0),
    ]


def test_hotspots_change_the_order_and_say_so(repo: Path) -> None:
    result = run_scan(repo, ScanConfig(jobs=1, use_cache=False, disabled_analyzers=ONLY_COMPLEXITY))
    report = Report(result=result, root_label="repo", generated_on=date(2025, 9, 1))
    with_history = with_roadmap(report, history=history_of(repo))
    without = with_roadmap(report)
    hot_first = "Split hot1, hot2 and 1 more in app/b/hot.py"
    assert [rec.title for rec in with_history.recommendations][:1] == [hot_first]
    assert [rec.title for rec in without.recommendations][:2] == [
        "Split cold1, cold2 and 1 more in app/a/cold.py",
        hot_first,
    ]
    data = build_report(with_history)
    assert data["hotspots"][0] == {
        "path": "app/b/hot.py", "symbol": "hot1", "commits": 8, "lines_changed": 16,
        "complexity": 23, "score": 184,
    }  # fmt: skip
    assert len(data["hotspots"]) == 3
    cold = next(r for r in data["recommendations"] if "cold" in r["title"])
    assert cold["priority"] == "low"
    assert "lowered a step: none of it changed since 2024-09-01" in cold["priority_reason"]
    assert data["roadmap"]["hotspot_moves"] == [
        {"recommendation_id": data["recommendations"][0]["id"], "rank": 1, "rank_without": 2}
    ]
    markdown = render_markdown(with_history)
    assert "## Hotspots" in markdown
    assert "| `hot1` | `app/b/hot.py` | 8 | 16 | 23 | 184 |" in markdown
    assert f"#1 {hot_first}: 2nd without history." in markdown
    assert "**Hotspots:** none, no git history" in render_markdown(without)


def test_the_command_line_reads_the_history_unless_told_not_to(
    repo: Path, cache_env: dict[str, str]
) -> None:
    run = run_roadmap("scan", str(repo), "-f", "json", "-q", env=cache_env)
    assert run.returncode == 0, run.stderr
    assert run.json()["roadmap"]["history"]["commits"] == 9
    assert run.json()["hotspots"]
    off = run_roadmap("scan", str(repo), "-f", "json", "-q", "--no-history", env=cache_env)
    assert off.json()["roadmap"]["history"] == {
        "available": False, "note": "not read (--no-history)", "commits": 0, "since": None,
        "until": None, "truncated": False, "files": [], "functions": [], "function_files": [],
    }  # fmt: skip
    assert off.json()["hotspots"] == []
