"""Which new findings sit on lines the file already had at the plan's commit, read from a
git history built here (``git cat-file``, no filters)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from analyzer.cli.progress_lines import lines_already_there
from analyzer.progress.compare import compare_progress
from analyzer.progress.export import render_progress_json
from analyzer.progress.markdown import render_progress_markdown
from analyzer.progress.snapshot import PastFinding
from analyzer.progress.summary import render_progress_text
from tests.conftest import write_tree
from tests.progress_samples import finding, recommendation, report, snapshot
from tests.test_progress_git import git

BEFORE = {
    "app/jobs.py": """\
        def run(items: list[str]) -> None:
            for item in items:
                try:
                    send(item)
                except Exception:
                    pass
        """,
}
AFTER = """\
def run(items: list[str], retries: int = 2) -> None:
    for item in items:
        try:
            send(item)
        except Exception:
            pass
        try:
            log(item)
        except Exception:
            pass
"""


def at(fingerprint: str, path: str, line: int) -> PastFinding:
    return PastFinding(
        fingerprint=fingerprint,
        rule_id="bandit.B110",
        tool="bandit",
        category="security",
        severity="low",
        message="Try, Except, Pass detected.",
        path=path,
        line=line,
        symbol="run",
    )


def committed(tmp_path: Path) -> tuple[Path, str]:
    repo = write_tree(tmp_path / "app", BEFORE)
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "first")
    return repo, git(repo, "rev-parse", "HEAD").strip()


def test_a_line_the_file_had_is_old_and_an_added_copy_of_it_is_new(tmp_path: Path) -> None:
    repo, commit = committed(tmp_path)
    (repo / "app" / "jobs.py").write_text(AFTER)
    (repo / "app" / "new.py").write_text("try:\n    go()\nexcept Exception:\n    pass\n")
    findings = [
        at("signature", "app/jobs.py", 1),  # the def line changed
        at("loop", "app/jobs.py", 2),  # unchanged
        at("second-except", "app/jobs.py", 9),  # a second `except Exception:` now
        at("new-file", "app/new.py", 3),
        at("beyond", "app/jobs.py", 99),
        at("outside", "../etc/passwd", 1),
    ]
    assert lines_already_there(repo, commit, findings) == {"loop"}


def test_without_a_usable_commit_nothing_can_be_told(tmp_path: Path) -> None:
    repo, commit = committed(tmp_path)
    finding = [at("loop", "app/jobs.py", 2)]
    assert lines_already_there(repo, None, finding) is None
    assert lines_already_there(repo, "--output=/tmp/x", finding) is None
    assert lines_already_there(repo, "0" * 40, finding) is None
    plain = write_tree(tmp_path / "plain", BEFORE)
    assert lines_already_there(plain, commit, finding) is None


def test_the_report_says_which_new_findings_are_on_lines_already_there() -> None:
    plan = snapshot(report([finding("f1")], [recommendation("security", ["f1"])]), "plan.json")
    now_findings = [
        finding("f1"),
        finding("n1", "bandit.B110", severity="low", path="app/jobs.py", line=5),
        finding("n2", "bandit.B307", severity="medium", path="app/calc.py", line=2),
    ]
    now = snapshot(report(now_findings), "now")
    progress = compare_progress(
        reports=[plan], now=now, today=date(2025, 1, 13), old_lines=frozenset({"n1"})
    )
    assert progress.new_debt.lines_checked and progress.new_debt.on_old_lines == 1
    data = json.loads(render_progress_json(progress))
    assert data["summary"]["new_on_old_lines"] == 1
    assert [f["line_was_there"] for f in data["new_debt"]["findings"]] == [False, True]
    markdown = render_progress_markdown(progress)
    assert "1 of them is on a line that was already there at its commit" in markdown
    worst = [line for line in markdown.splitlines() if line.startswith("- **")]
    assert worst[0].startswith("- **medium** `bandit.B307`")
    assert worst[1].startswith("- **low** `bandit.B110`")
    assert worst[1].endswith("*(line unchanged)*")
    assert "\n\n| Kind | Severity | Findings |" in markdown
    text = render_progress_text(progress)
    assert "2 new findings (1 medium, 1 low); 1 on lines already there" in text
