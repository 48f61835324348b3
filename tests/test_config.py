"""[tool.roadmap]: every key validated, errors naming the key, CLI flags on top, provenance."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from analyzer.config import CONFIG_KEYS, ConfigError, describe, load_effective_config
from analyzer.rules import load_rulebook
from tests.conftest import run_roadmap, write_tree

TOOLS = load_rulebook().tools.keys()
SOURCE = "pyproject.toml"


def _load(table: dict[str, Any], overrides: dict[str, Any] | None = None) -> Any:
    return load_effective_config(table, SOURCE, overrides or {}, known_tools=TOOLS)


def test_every_key_is_applied() -> None:
    table: dict[str, Any] = {
        "include": ["src/**"],
        "exclude": ["src/generated/**"],
        "analyzers": {"typing": False, "security": True},
        "disable_rules": ["vulture.*"],
        "severity_overrides": {"bandit.B101": "info"},
        "per_path_ignores": {"tests/**": ["bandit.B101"]},
        "fail_on": "medium",
        "strict": True,
        "baseline": ".roadmap-baseline.json",
        "jobs": 2,
        "timeout": 60,
        "max_file_kb": 512,
        "plan": {"developers": 3, "review_budget_lines": 300},
    }
    effective = _load(table)
    scan, gate = effective.scan, effective.gate
    assert scan.include == ("src/**",)
    assert scan.exclude == ("src/generated/**",)
    assert scan.disabled_analyzers == frozenset({"typing"})
    assert scan.disabled_rules == ("vulture.*",)
    assert scan.severity_overrides == (("bandit.B101", "info"),)
    assert scan.path_ignores == (("tests/**", ("bandit.B101",)),)
    assert (scan.jobs, scan.timeout_s) == (2, 60.0)
    assert scan.max_file_bytes == 512 * 1024
    assert (gate.fail_on, gate.strict, gate.baseline) == ("medium", True, ".roadmap-baseline.json")
    assert effective.plan is not None
    assert (effective.plan.developers, effective.plan.review_budget_lines) == (3, 300)
    assert {effective.sources[key] for key in table} == {SOURCE}


def test_command_line_overrides_and_provenance() -> None:
    effective = _load(
        {"fail_on": "high", "exclude": ["a/**"], "analyzers": {"typing": False}},
        {"fail_on": "none", "exclude": ["b/**"], "analyzers": {"dead-code": False}, "strict": True},
    )
    assert effective.gate.fail_on is None
    assert effective.gate.strict is True
    assert effective.scan.exclude == ("a/**", "b/**")
    assert effective.scan.disabled_analyzers == frozenset({"typing", "dead-code"})
    sources = {key: source for key, _, source in describe(effective)}
    # A replaced value came from the command line alone; merged lists name both places.
    assert sources["fail_on"] == "command line"
    assert sources["exclude"] == "pyproject.toml + command line"
    assert sources["strict"] == "command line"
    assert sources["include"] == "default"
    assert list(sources) == list(CONFIG_KEYS)


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"fail_ob": "high"}, "unknown key tool.roadmap.fail_ob"),
        ({"fail_on": "critical"}, "tool.roadmap.fail_on must be one of high, medium, low, none"),
        ({"include": "src/**"}, "tool.roadmap.include must be a list of glob strings"),
        ({"analyzers": {"typing": "no"}}, "tool.roadmap.analyzers must be a table of analyzer"),
        ({"disable_rules": ["B101"]}, "tool.roadmap.disable_rules: 'B101' is not a rule id"),
        ({"disable_rules": ["bandt.B101"]}, "names unknown tool 'bandt'"),
        ({"severity_overrides": {"bandit.B101": "severe"}}, 'severity_overrides."bandit.B101"'),
        (
            {"per_path_ignores": {"tests/**": "bandit.B101"}},
            'per_path_ignores."tests/\\*\\*" must be a list',
        ),
        ({"strict": "yes"}, "tool.roadmap.strict must be true or false"),
        ({"baseline": 3}, "tool.roadmap.baseline must be a file path"),
        ({"jobs": 0}, "tool.roadmap.jobs must be a whole number"),
        ({"timeout": -1}, "tool.roadmap.timeout must be a positive number"),
        ({"plan": {"developerz": 2}}, "tool.roadmap.plan: unknown key 'developerz'"),
        ({"plan": {"developers": 0}}, "tool.roadmap.plan"),
        # The scanned project sets these: no value may make planning take long.
        ({"plan": {"developers": 1_000_000_000}}, "developers cannot exceed 200"),
        (
            {"plan": {"review_budget_lines": 1}},
            "review_budget_lines must be a whole number of at least 50",
        ),
        ({"timeout": 1e12}, "tool.roadmap.timeout must be at most"),
    ],
)
def test_bad_keys_and_values_name_the_key(table: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        _load(table)


def test_cli_reports_config_errors_with_exit_2(tmp_path: Path, cache_env: dict[str, str]) -> None:
    repo = write_tree(
        tmp_path, {"pyproject.toml": "[tool.roadmap]\nfail_on = 'critical'\n", "a.py": "x = 1\n"}
    )
    run = run_roadmap("scan", str(repo), "-q", env=cache_env)
    assert run.returncode == 2
    assert (
        "tool.roadmap.fail_on must be one of high, medium, low, none, not 'critical'" in run.stderr
    )
    broken = write_tree(tmp_path / "broken", {"pyproject.toml": "[tool.roadmap\n"})
    run = run_roadmap("config", str(broken), env=cache_env)
    assert run.returncode == 2
    assert "pyproject.toml: not valid TOML" in run.stderr


def test_config_command_prints_values_and_sources(
    tmp_path: Path, cache_env: dict[str, str]
) -> None:
    repo = write_tree(
        tmp_path,
        {"pyproject.toml": '[tool.roadmap]\nfail_on = "high"\nexclude = ["build/**"]\n'},
    )
    run = run_roadmap("config", str(repo), "--strict", env={**cache_env, "COLUMNS": "200"})
    assert run.returncode == 0, run.stderr
    rows = {
        line.split("│")[1].strip(): line for line in run.stdout.splitlines() if line.count("│") >= 3
    }
    assert "high" in rows["fail_on"] and str(repo / "pyproject.toml") in rows["fail_on"]
    assert "true" in rows["strict"] and "command line" in rows["strict"]
    assert "default" in rows["baseline"]
    assert set(CONFIG_KEYS) <= set(rows)


def test_test_files_ignore_asserts_and_fixture_arguments_by_default() -> None:
    from analyzer.suppress import suppression_reason
    from tests.planning_samples import make_finding

    default = _load({}).scan
    assert_in_test = make_finding(tool="bandit", code="B101", path="pkg/tests/test_api.py")
    fixture_arg = make_finding(
        category="dead-code", tool="vulture", code="unused-variable", path="conftest.py"
    )
    assert_in_code = make_finding(tool="bandit", code="B101", path="pkg/api.py")
    for finding in (assert_in_test, fixture_arg):
        assert suppression_reason(finding, (), default.path_ignores) == "path-ignored"
    assert suppression_reason(assert_in_code, (), default.path_ignores) is None
    turned_off = _load({"per_path_ignores": {}}).scan
    assert suppression_reason(assert_in_test, (), turned_off.path_ignores) is None


@pytest.mark.parametrize("code", ["B105", "B106", "B107", "B108", "B311", "B404", "B603", "B607"])
def test_test_data_rules_are_ignored_in_tests_and_reported_elsewhere(code: str) -> None:
    from analyzer.suppress import suppression_reason
    from tests.planning_samples import make_finding

    ignores = _load({}).scan.path_ignores
    in_test = make_finding(tool="bandit", code=code, path="tests/test_login.py")
    in_code = make_finding(tool="bandit", code=code, path="app/login.py")
    assert suppression_reason(in_test, (), ignores) == "path-ignored"
    assert suppression_reason(in_code, (), ignores) is None


@pytest.mark.parametrize("code", ["B602", "B307", "B608"])
def test_dangerous_calls_in_tests_are_still_reported(code: str) -> None:
    from analyzer.suppress import suppression_reason
    from tests.planning_samples import make_finding

    finding = make_finding(tool="bandit", code=code, path="tests/test_shell.py")
    assert suppression_reason(finding, (), _load({}).scan.path_ignores) is None
