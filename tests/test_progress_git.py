"""roadmap progress over a git history built here: an app with findings is committed and
scanned; a second commit fixes some, moves a function to another module and adds new
problems. What progress reports must be exactly what ``git diff`` between the two commits
shows: the plan's findings on removed lines are fixed (or moved, for the moved function),
every other one remains, and the new findings sit on added lines."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from pathlib import Path
from typing import Any

from tests.conftest import dated_git, run_roadmap, write_tree

FAST = ("--select", "security,dead-code", "--no-cache")
FIRST = {
    "pyproject.toml": '[project]\nname = "ledger"\n',
    "ledger/__init__.py": "",
    "ledger/store.py": """\
        import hashlib
        import pickle
        import yaml


        def checksum(data: bytes) -> str:
            return hashlib.md5(data).hexdigest()


        def load(blob: bytes) -> object:
            return pickle.loads(blob)


        def settings(text: str) -> object:
            return yaml.load(text)
        """,
    "ledger/jobs.py": """\
        import subprocess
        import random


        def archive(name: str) -> int:
            return subprocess.call("tar czf " + name, shell=True)


        def token() -> int:
            return random.randint(0, 999999)
        """,
    "ledger/util.py": """\
        def helper() -> str:
            return "x"
        """,
}


def git(repo: Path, *args: str, when: str = "2025-01-06T12:00:00+00:00") -> str:
    return dated_git(repo, *args, when=when)


def second_commit(repo: Path) -> None:
    store = repo / "ledger" / "store.py"
    text = store.read_text()
    text = text.replace("hashlib.md5(data)", "hashlib.sha256(data)")  # fixed
    text = text.replace("import pickle\n", "import json\n").replace(
        "pickle.loads(blob)", "json.loads(blob)"
    )  # fixed (the import and the call)
    store.write_text(text)
    jobs = repo / "ledger" / "jobs.py"
    # token() moves to its own module, unchanged: still the same problem.
    jobs.write_text(
        jobs.read_text().replace("import random\n", "").split("\n\ndef token")[0] + "\n"
    )
    write_tree(
        repo,
        {
            "ledger/tokens.py": """\
                import random


                def token() -> int:
                    return random.randint(0, 999999)
                """,
            "ledger/report.py": """\
                import os

                from ledger.util import helper


                def render(expression: str) -> object:
                    return eval(expression) or helper()
                """,
        },
    )


def changed_lines(
    repo: Path, old: str, new: str
) -> tuple[dict[str, set[int]], dict[str, set[int]]]:
    """(removed lines by old path, added lines by new path) of ``git diff -U0 old new``."""
    removed: dict[str, set[int]] = defaultdict(set)
    added: dict[str, set[int]] = defaultdict(set)
    old_path = new_path = ""
    for line in git(repo, "diff", "-U0", "--no-renames", old, new).splitlines():
        if line.startswith("--- "):
            old_path = line[6:] if line != "--- /dev/null" else ""
        elif line.startswith("+++ "):
            new_path = line[6:] if line != "+++ /dev/null" else ""
        elif match := re.match(r"@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@", line):
            start, count = int(match[1]), int(match[2] or 1)
            removed[old_path].update(range(start, start + count))
            start, count = int(match[3]), int(match[4] or 1)
            added[new_path].update(range(start, start + count))
    return removed, added


def test_progress_reports_what_the_commits_changed(
    tmp_path: Path, cache_env: dict[str, str]
) -> None:
    repo = write_tree(tmp_path / "ledger", FIRST)
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "first")
    plan_file = tmp_path / "plan.json"
    env = {**cache_env, "SOURCE_DATE_EPOCH": "1736121600"}  # 2025-01-06
    scanned = run_roadmap("scan", str(repo), *FAST, "-q", "-o", f"json:{plan_file}", env=env)
    assert scanned.returncode == 0, scanned.stderr
    second_commit(repo)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "second", when="2025-01-13T12:00:00+00:00")
    now_file = tmp_path / "now.json"
    env = {**cache_env, "SOURCE_DATE_EPOCH": "1736726400"}  # 2025-01-13
    run = run_roadmap(
        "progress", str(plan_file), str(repo), *FAST, "-f", "json",
        "--save-report", str(now_file), env=env,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    progress: dict[str, Any] = run.json()
    plan, now = json.loads(plan_file.read_text()), json.loads(now_file.read_text())
    assert plan["target"]["git"]["commit"] != now["target"]["git"]["commit"]
    removed, added = changed_lines(repo, plan["target"]["git"]["commit"], "HEAD")

    on_removed = {f["fingerprint"] for f in plan["findings"] if f["line"] in removed[f["path"]]}
    on_added = {f["fingerprint"] for f in now["findings"] if f["line"] in added[f["path"]]}
    moved = {f["fingerprint"] for f in plan["findings"] if f["symbol"] == "token"}
    moved_to = {f["fingerprint"] for f in now["findings"] if f["symbol"] == "token"}
    new = {f["fingerprint"] for f in progress["new_debt"]["findings"]}
    # The diff, read on its own, says: every plan finding on a removed line is gone from its
    # place; every other is where it was; every new finding is on an added line.
    assert new == on_added - moved_to
    assert moved <= on_removed and moved_to <= on_added
    # vulture reads the whole program: helper() became used in a new file, so its finding in
    # util.py, a file no commit touched, is gone too, and progress says so.
    edited = {path for path, lines in (*removed.items(), *added.items()) if lines}
    untouched = set(git(repo, "ls-files").split()) - edited
    now_ids = {f["fingerprint"] for f in now["findings"]}
    unedited = {
        f["fingerprint"]
        for f in plan["findings"]
        if f["path"] in untouched and f["fingerprint"] not in now_ids
    }
    fixed = (on_removed - moved) | unedited
    counts = progress["summary"]["findings"]
    assert progress["summary"]["edits_checked"] is True
    assert counts == {
        "total": len(plan["findings"]),
        "fixed": len(fixed),
        "suppressed": 0,
        "remaining": len(plan["findings"]) - len(on_removed) - len(unedited),
        "moved": len(moved),
        "unverified": 0,
        "fixed_unedited": len(unedited),
    }
    # And the rules: MD5 and pickle fixed, the unused pickle import gone; eval arrived.
    fixed_rules = sorted(f["rule_id"] for f in plan["findings"] if f["fingerprint"] in fixed)
    assert fixed_rules == [
        "bandit.B301", "bandit.B324", "bandit.B403", "vulture.unused-function",
    ]  # fmt: skip
    assert [f["message"] for f in plan["findings"] if f["fingerprint"] in unedited] == [
        "unused function 'helper'"
    ]
    # Every new finding is on an added line, and progress tells so from the plan's commit.
    assert progress["new_debt"]["lines_checked"] is True
    for found in progress["new_debt"]["findings"]:
        assert found["line_was_there"] is (found["line"] not in added[found["path"]])
    new_rules = sorted(f["rule_id"] for f in progress["new_debt"]["findings"])
    assert new_rules == ["bandit.B307", "vulture.unused-function", "vulture.unused-import"]
    for rec in progress["recommendations"]:
        planned_ids = next(r for r in plan["recommendations"] if r["id"] == rec["id"])[
            "finding_ids"
        ]
        closed = fixed & set(planned_ids)
        expected = (
            "done" if closed == set(planned_ids) else "in progress" if closed else "not started"
        )
        assert rec["status"] == expected, rec["id"]
    assert {rec["status"] for rec in progress["recommendations"]} >= {"in progress"}
