"""The exit-code table, baselines through the CLI, several reports from one scan, and the
new-user flow in a throwaway git repository.

| code | when |
| ---- | ---- |
| 0 | nothing at or above --fail-on (only new findings count with a baseline) |
| 1 | a finding at or above --fail-on |
| 2 | usage or configuration error, unreadable target or baseline |
| 3 | --strict and the scan was incomplete (failed analyzer, per-file errors) |
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from analyzer.plugins import discover_analyzers
from tests.conftest import CliRun, run_roadmap, write_tree

ONLY_SECURITY = "[tool.roadmap.analyzers]\n" + "".join(
    f'"{item.name}" = {"true" if item.name == "security" else "false"}\n'
    for item in discover_analyzers()
)

VULNERABLE = """\
import subprocess


def run(cmd):
    return subprocess.call(cmd, shell=True)
"""

LOW_ONLY = """\
def check(value):
    assert value
    return value
"""


def _repo(root: Path, files: dict[str, str]) -> Path:
    return write_tree(root, {"pyproject.toml": ONLY_SECURITY, **files})


def _scan(repo: Path, env: dict[str, str], *args: str, cwd: Path | None = None) -> CliRun:
    return run_roadmap("scan", str(repo), "-q", *args, env=env, cwd=cwd)


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True)


def _commit_all(repo: Path, message: str) -> None:
    _git(repo, "add", "-A")
    _git(repo, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", message)


@pytest.mark.parametrize(
    ("files", "args", "code"),
    [
        ({"app.py": LOW_ONLY}, (), 0),
        ({"app.py": LOW_ONLY}, ("--fail-on", "high"), 0),
        ({"app.py": LOW_ONLY}, ("--fail-on", "low"), 1),
        ({"app.py": VULNERABLE}, ("--fail-on", "high"), 1),
        ({"app.py": VULNERABLE}, ("--fail-on", "none"), 0),
        ({"app.py": LOW_ONLY, "broken.py": "def oops(:\n"}, (), 0),
        ({"app.py": LOW_ONLY, "broken.py": "def oops(:\n"}, ("--strict",), 3),
        ({"app.py": VULNERABLE, "broken.py": "def oops(:\n"}, ("--strict", "--fail-on", "high"), 1),
        ({"app.py": LOW_ONLY}, ("--strict",), 0),
    ],
)
def test_exit_code_table(
    tmp_path: Path,
    cache_env: dict[str, str],
    files: dict[str, str],
    args: tuple[str, ...],
    code: int,
) -> None:
    run = _scan(_repo(tmp_path, files), cache_env, *args)
    assert run.returncode == code, run.stderr


def test_fail_on_and_strict_from_config(tmp_path: Path, cache_env: dict[str, str]) -> None:
    repo = write_tree(
        tmp_path,
        {
            "pyproject.toml": ONLY_SECURITY.replace(
                "[tool.roadmap.analyzers]",
                '[tool.roadmap]\nfail_on = "low"\n\n[tool.roadmap.analyzers]',
            ),
            "app.py": LOW_ONLY,
        },
    )
    assert _scan(repo, cache_env).returncode == 1
    assert _scan(repo, cache_env, "--fail-on", "none").returncode == 0


def test_incomplete_scans_are_reported_even_without_strict(
    tmp_path: Path, cache_env: dict[str, str]
) -> None:
    repo = _repo(tmp_path, {"app.py": LOW_ONLY, "broken.py": "def oops(:\n"})
    run = run_roadmap("scan", str(repo), "-f", "json", env=cache_env)
    assert run.returncode == 0
    assert "the scan is incomplete" in run.stderr
    assert [e["path"] for e in run.json()["errors"]] == ["broken.py"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("scan", "{missing}"), "does not exist"),
        (("scan", "{file}"), "is not a directory"),
        (("scan", "{repo}", "--baseline", "{missing}"), "cannot read baseline"),
        (("scan", "{repo}", "--update-baseline"), "--update-baseline needs a baseline"),
        (("scan", "{repo}", "--changed-since", "no-such-rev"), "--changed-since"),
        (("scan", "{repo}", "-o", "a.json", "-o", "b.json"), "may be given once"),
        (("scan", "{repo}", "-o", "json:a.json", "-o", "sarif:a.json"), "same file"),
        (("scan", "{repo}", "--disable-rule", "nonsense"), "is not a rule id"),
        (("scan", "{repo}", "-o", "{missing}/out.json"), "is not a writable directory"),
        (("scan", "{repo}", "-o", "sarif:{repo}"), "is a directory"),
        (("scan", "{repo}", "--template-dir", "{missing}"), "--template-dir"),
        (("scan", "{repo}", "--rules-dir", "{file}"), "--rules-dir"),
        (("baseline", "create", "{missing}"), "does not exist"),
        (("config", "{missing}"), "does not exist"),
    ],
)
def test_usage_errors_exit_2(
    tmp_path: Path, cache_env: dict[str, str], args: tuple[str, ...], message: str
) -> None:
    repo = _repo(tmp_path / "repo", {"app.py": LOW_ONLY})
    (tmp_path / "file.txt").write_text("x")
    names = {
        "missing": str(tmp_path / "missing"),
        "file": str(tmp_path / "file.txt"),
        "repo": str(repo),
    }
    run = run_roadmap(*(a.format(**names) for a in args), env=cache_env, cwd=tmp_path)
    assert run.returncode == 2, run.stdout + run.stderr
    assert message in run.stderr


def test_non_utf8_baseline_exits_2_without_a_traceback(
    tmp_path: Path, cache_env: dict[str, str]
) -> None:
    repo = _repo(tmp_path / "repo", {"app.py": LOW_ONLY})
    (tmp_path / "latin1.json").write_bytes(b'{"entries": "\xe9"}')
    run = run_roadmap("scan", str(repo), "--baseline", str(tmp_path / "latin1.json"), env=cache_env)
    assert run.returncode == 2
    assert "not UTF-8" in run.stderr and "Traceback" not in run.stderr


def test_bad_baseline_file_exits_2(tmp_path: Path, cache_env: dict[str, str]) -> None:
    repo = _repo(tmp_path, {"app.py": LOW_ONLY})
    (tmp_path / "b.json").write_text('{"version": 7}')
    run = _scan(repo, cache_env, "--baseline", str(tmp_path / "b.json"))
    assert run.returncode == 2
    assert "not a repo-roadmap baseline" in run.stderr


def test_several_reports_from_one_scan(tmp_path: Path, cache_env: dict[str, str]) -> None:
    repo = _repo(tmp_path / "repo", {"app.py": VULNERABLE})
    out = tmp_path / "out"
    out.mkdir()
    run = run_roadmap(
        "scan", str(repo), "-q", "--format", "json", "--output", str(out / "report.json"),
        "-o", f"sarif:{out / 'report.sarif'}", "-o", f"gitlab:{out / 'gl.json'}",
        env=cache_env,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert run.stdout == ""
    report = json.loads((out / "report.json").read_text())
    sarif = json.loads((out / "report.sarif").read_text())
    gitlab = json.loads((out / "gl.json").read_text())
    fingerprints = {f["fingerprint"] for f in report["findings"]}
    assert fingerprints == {
        r["partialFingerprints"]["repoRoadmap/v1"] for r in sarif["runs"][0]["results"]
    }
    assert fingerprints == {i["fingerprint"] for i in gitlab}


def test_format_without_output_writes_stdout(tmp_path: Path, cache_env: dict[str, str]) -> None:
    repo = _repo(tmp_path, {"app.py": VULNERABLE})
    run = _scan(repo, cache_env, "--format", "sarif")
    assert run.returncode == 0
    assert json.loads(run.stdout)["version"] == "2.1.0"


def test_new_user_flow_in_a_git_repository(tmp_path: Path, cache_env: dict[str, str]) -> None:
    """Create a baseline, add one vulnerable line: exactly one new finding and exit 1.
    Then fix an old finding: it is reported fixed, and --update-baseline prunes it."""
    repo = _repo(tmp_path / "repo", {"app.py": VULNERABLE + "\n\n" + LOW_ONLY})
    _git(repo, "init", "-q")
    _commit_all(repo, "initial")
    created = run_roadmap(
        "baseline", "create", "--output", ".roadmap-baseline.json", ".", env=cache_env, cwd=repo
    )
    assert created.returncode == 0, created.stderr
    baseline_entries = json.loads((repo / ".roadmap-baseline.json").read_text())["findings"]
    assert {e["rule_id"] for e in baseline_entries} == {"bandit.B404", "bandit.B602", "bandit.B101"}
    _commit_all(repo, "baseline")

    source = (repo / "app.py").read_text()
    edited = "# a new first line\n" + source.replace(
        "    assert value\n", "    assert value\n    eval(value)\n"
    )
    (repo / "app.py").write_text(edited)
    args = ("--baseline", ".roadmap-baseline.json", "--fail-on", "medium", "-f", "json")
    run = run_roadmap("scan", ".", *args, env=cache_env, cwd=repo)
    assert run.returncode == 1, run.stderr
    report = run.json()
    new = [f for f in report["findings"] if f["baseline_status"] == "new"]
    assert [(f["rule_id"], f["line"]) for f in new] == [("bandit.B307", 11)]
    assert (
        report["baseline"]["new"],
        report["baseline"]["baseline"],
        report["baseline"]["fixed"],
    ) == (1, 3, [])

    text = run_roadmap("scan", ".", "--baseline", ".roadmap-baseline.json", env=cache_env, cwd=repo)
    assert "Baseline: 1 new, 3 in the baseline, 0 fixed" in text.stdout

    (repo / "app.py").write_text(edited.replace("    assert value\n", ""))
    fixed = run_roadmap("scan", ".", *args, "--update-baseline", env=cache_env, cwd=repo)
    assert [e["rule_id"] for e in fixed.json()["baseline"]["fixed"]] == ["bandit.B101"]
    remaining = json.loads((repo / ".roadmap-baseline.json").read_text())["findings"]
    assert {e["rule_id"] for e in remaining} == {"bandit.B404", "bandit.B602"}

    # Fast PR mode: only files changed since HEAD are reported.
    write_tree(repo, {"other.py": VULNERABLE})
    changed = run_roadmap(
        "scan", ".", "--changed-since", "HEAD", "-f", "json", "-q", env=cache_env, cwd=repo
    )
    assert {f["path"] for f in changed.json()["findings"]} == {"app.py", "other.py"}
    _commit_all(repo, "more")
    changed = run_roadmap(
        "scan", ".", "--changed-since", "HEAD", "-f", "json", "-q", env=cache_env, cwd=repo
    )
    assert changed.json()["findings"] == []
