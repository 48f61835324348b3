"""Suppressions are counted and kept, never silently lost: inline comments, disabled rules,
per-path ignores; severity overrides; the tools' own markers keep working."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import run_roadmap, write_tree

PYPROJECT = """\
[tool.roadmap]
disable_rules = ["bandit.B404"]
severity_overrides = { "bandit.B602" = "low" }

[tool.roadmap.per_path_ignores]
"tests/**" = ["bandit.B101"]
"""

APP = """\
import subprocess


def run(cmd, expr, other):
    subprocess.call(cmd, shell=True)
    subprocess.call(cmd, shell=True)  # roadmap: ignore
    eval(expr)  # roadmap: ignore[bandit.B307]
    eval(other)  # nosec
    assert cmd  # roadmap: ignore[B101]
    return 0
"""

TEST_FILE = """\
def test_it():
    assert 1 + 1 == 2
"""


@pytest.fixture(scope="module")
def scanned(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    repo = write_tree(
        tmp_path_factory.mktemp("repo"),
        {"pyproject.toml": PYPROJECT, "app.py": APP, "tests/test_app.py": TEST_FILE},
    )
    env = {"XDG_CACHE_HOME": str(tmp_path_factory.mktemp("cache")), "COLUMNS": "200"}
    flags = ("--disable", "typing", "--disable", "dead-code", "--disable", "complexity")
    json_run = run_roadmap("scan", str(repo), *flags, "-f", "json", "-q", env=env)
    assert json_run.returncode == 0, json_run.stderr
    text_run = run_roadmap("scan", str(repo), *flags, env=env)
    assert text_run.returncode == 0, text_run.stderr
    return {"report": json_run.json(), "text": text_run.stdout}


def test_each_kind_of_suppression_is_counted_and_kept(scanned: dict[str, Any]) -> None:
    suppressed = scanned["report"]["suppressed"]
    reasons = Counter(
        (f["rule_id"], f["suppressed_by"]) for f in suppressed if f["tool"] == "bandit"
    )
    assert reasons == {
        ("bandit.B404", "rule-disabled"): 1,
        ("bandit.B101", "path-ignored"): 1,
        ("bandit.B602", "inline"): 1,
        ("bandit.B307", "inline"): 1,
        ("bandit.B101", "inline"): 1,
    }
    summary = " ".join(scanned["text"].split())
    assert (
        "5 findings were suppressed (3 inline # roadmap: ignore, 1 by per-path ignores, " in summary
    )
    assert "1 by disabled rules)" in summary


def test_what_remains_is_reported_with_overridden_severity(scanned: dict[str, Any]) -> None:
    findings = [f for f in scanned["report"]["findings"] if f["tool"] == "bandit"]
    assert [(f["rule_id"], f["line"], f["severity"]) for f in findings] == [
        ("bandit.B602", 5, "low")
    ]
    assert all(f["suppressed_by"] is None and f["baseline_status"] is None for f in findings)


def test_nosec_still_silences_bandit(scanned: dict[str, Any]) -> None:
    everything = scanned["report"]["findings"] + scanned["report"]["suppressed"]
    assert not any(f["path"] == "app.py" and f["line"] == 8 for f in everything)


def test_fingerprints_do_not_depend_on_suppression(
    tmp_path: Path, cache_env: dict[str, str]
) -> None:
    """Adding an inline ignore keeps the finding's identity (so a baseline still matches it)."""
    flags = (
        "--disable",
        "typing",
        "--disable",
        "dead-code",
        "--disable",
        "complexity",
        "-f",
        "json",
        "-q",
    )
    plain = write_tree(tmp_path / "a", {"app.py": "def f(x):\n    eval(x)\n"})
    ignored = write_tree(tmp_path / "b", {"app.py": "def f(x):\n    eval(x)  # roadmap: ignore\n"})
    [before] = _bandit(run_roadmap("scan", str(plain), *flags, env=cache_env).json()["findings"])
    [after] = _bandit(run_roadmap("scan", str(ignored), *flags, env=cache_env).json()["suppressed"])
    assert before["rule_id"] == after["rule_id"] == "bandit.B307"
    assert before["fingerprint"] == after["fingerprint"]


def _bandit(findings: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [f for f in findings if f["tool"] == "bandit"]
