"""Findings become recommendations: kinds from rules/recommendations.toml, splits, estimates."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from analyzer.planning.estimate import (
    CodeFacts,
    ReviewTime,
    assess_priority,
    assess_risk,
    estimate_effort,
    estimate_review_time,
)
from analyzer.planning.group import group_findings, load_kinds, split_for_review
from analyzer.planning.settings import default_plan_settings
from analyzer.rules import RuleError, load_rulebook
from tests.planning_samples import make_finding

KINDS = load_kinds()
RULES = load_rulebook()
SETTINGS = default_plan_settings()
NO_FACTS = CodeFacts(
    maintainability={}, complex_functions=frozenset(), coverage={}, tested_names=frozenset()
)


def test_the_issue_kinds_exist_in_dependency_order() -> None:
    ids = [kind.id for kind in KINDS.kinds]
    wanted = {
        "security",
        "type-safety",
        "dead-code",
        "complexity",
        "api",
        "frontend",
        "infrastructure",
    }
    assert wanted | {"documentation", "testing"} <= set(ids)
    for index, kind in enumerate(KINDS.kinds):
        assert set(kind.depends_on) <= set(ids[:index])
    assert [kind.id for kind in KINDS.kinds if kind.catch_all] == ["other"]


def test_every_bundled_tool_category_has_its_own_kind() -> None:
    for tool in RULES.tools.values():
        kind = KINDS.assign(make_finding(category=tool.category, tool=tool.tool, code="anything"))
        assert not kind.catch_all, (
            f"category {tool.category!r} of {tool.tool} falls to the catch-all"
        )


def test_a_category_no_kind_names_lands_in_the_catch_all() -> None:
    assert KINDS.assign(make_finding(category="mystery", tool="x", code="1")).id == "other"


def test_a_rule_pattern_wins_over_a_category(tmp_path: Path) -> None:
    (tmp_path / "recommendations.toml").write_text(
        '[kinds.asserts]\ntitle = "Asserts"\nemoji = "!"\nrules = ["bandit.B1*"]\n'
        'priority = "low"\n'
        'theme = "asserts"\ncommunicate = "Say so."\n',
        encoding="utf-8",
    )
    kinds = load_kinds([tmp_path])
    assert kinds.assign(make_finding(code="B101")).id == "asserts"
    assert kinds.assign(make_finding(code="B602")).id == "security"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            '[kinds.a]\ntitle="A"\npriority="low"\ntheme="a"\ncommunicate="c"\ndepends_on=["nope"]\n',
            "unknown kind 'nope'",
        ),
        (
            '[kinds.security]\ntitle="S"\npriority="low"\ntheme="s"\ncommunicate="c"\ndepends_on=["api"]\n',
            "cycle",
        ),
        (
            '[kinds.b]\ntitle="B"\npriority="low"\ntheme="b"\ncommunicate="c"\ncatch_all=true\n',
            "exactly one kind",
        ),
        (
            '[kinds.c]\ntitle="C"\npriority="urgent"\ntheme="c"\ncommunicate="c"\n',
            "priority must be one of",
        ),
        (
            '[kinds.d]\ntitle="D"\npriority="low"\ntheme="d"\ncommunicate="c"\ncolour="red"\n',
            "unknown key 'colour'",
        ),
    ],
)
def test_bad_kind_files_are_load_errors(tmp_path: Path, body: str, message: str) -> None:
    (tmp_path / "recommendations.toml").write_text(body, encoding="utf-8")
    with pytest.raises(RuleError, match=message):
        load_kinds([tmp_path])


@pytest.mark.parametrize(
    ("base", "escalate", "severities", "expected"),
    [
        ("high", True, [("high", "high")], "critical"),
        ("high", False, [("high", "high")], "high"),
        ("high", True, [("high", "medium")], "high"),
        ("medium", False, [("high", "low")], "high"),
        ("low", False, [("high", "high")], "medium"),
        ("medium", False, [("medium", "high"), ("low", "high")], "medium"),
        ("medium", False, [("low", "high"), ("info", "low")], "low"),
        ("low", False, [("low", "high")], "low"),
    ],
)
def test_priority_formula(
    base: str, escalate: bool, severities: list[tuple[str, str]], expected: str
) -> None:
    found = [
        make_finding(severity=s, confidence=c, line=i) for i, (s, c) in enumerate(severities, 1)
    ]
    priority, reason = assess_priority(base, escalate=escalate, findings=found)  # type: ignore[arg-type]
    assert priority == expected
    assert reason


def test_effort_sums_rule_minutes_with_units() -> None:
    # radon CC-D: 30 minutes + 5 per complexity point above 10; units 19 -> 125 minutes.
    finding = make_finding(
        category="complexity", tool="radon", code="CC-D", details=(("units", 19),)
    )
    effort = estimate_effort([finding, replace(finding, fingerprint="other")], RULES, SETTINGS)
    assert effort.hours == round(250 / 60, 1)
    assert effort.size == "Medium"
    assert estimate_effort([make_finding(code="B101")], RULES, SETTINGS).size == "Small"


@pytest.mark.parametrize(
    ("low", "high", "label"),
    [
        (20, 33, "20-35 minutes"),
        (30, 30, "about 30 minutes"),
        (130, 190, "2-4 hours"),
        (125, 175, "2-3 hours"),
    ],
)
def test_review_time_labels(low: int, high: int, label: str) -> None:
    assert ReviewTime(low_minutes=low, high_minutes=high).label == label


def test_review_time_uses_the_stated_rates() -> None:
    time = estimate_review_time(400, SETTINGS)
    slow, fast = SETTINGS.review_rate_lines_per_hour
    overhead = SETTINGS.review_overhead_minutes
    assert time.low_minutes == int(overhead + 400 / fast * 60)
    assert time.high_minutes == int(overhead + 400 / slow * 60)


def test_a_kind_over_budget_is_split_by_directory_into_parts_that_fit() -> None:
    settings = replace(SETTINGS, review_budget_lines=40)
    found = [
        make_finding(path=f"pkg/{directory}/m{n}.py", line=n)
        for directory in ("a", "b", "c")
        for n in range(1, 5)
    ]  # 12 security findings of 8 lines: 96 lines
    recs = group_findings(found, kinds=KINDS, rulebook=RULES, settings=settings, facts=NO_FACTS)
    assert [r.title for r in recs] == [
        f"Security fixes in pkg/{d} (part {k} of 3)" for k, d in ((1, "a"), (2, "b"), (3, "c"))
    ]
    assert [r.scope for r in recs] == ["pkg/a", "pkg/b", "pkg/c"]
    assert all(r.changed_lines <= 40 for r in recs)
    assert [r.id for r in recs] == ["security-1", "security-2", "security-3"]


def test_a_file_over_budget_is_split_by_line_runs() -> None:
    settings = replace(SETTINGS, review_budget_lines=20)
    found = [make_finding(line=n) for n in range(1, 7)]  # 48 lines in one file
    parts = split_for_review(found, settings)
    assert [len(p) for p in parts] == [2, 2, 2]
    assert [f.line for p in parts for f in p] == [1, 2, 3, 4, 5, 6]


def test_risk_lists_its_reasons() -> None:
    facts = CodeFacts(
        maintainability={"app/core/config.py": 30.0},
        complex_functions=frozenset(),
        coverage={},
        tested_names=frozenset(),
    )
    found = [make_finding(code="B301"), make_finding(code="B602", line=2)]
    risk = assess_risk(found, facts, RULES, SETTINGS.risk)
    factors = [reason.factor for reason in risk.reasons]
    assert factors == ["behaviour", "complexity", "untested"]
    assert risk.level == "high"  # 2 + 1 + 1 points
    assert "Blacklisted call: pickle" in risk.reasons[0].text
    assert "maintainability index 30" in risk.reasons[1].text


def test_a_test_file_named_after_a_module_counts_as_tests() -> None:
    facts = replace(NO_FACTS, tested_names=frozenset({"config"}))
    risk = assess_risk([make_finding(code="B101")], facts, RULES, SETTINGS.risk)
    assert risk.level == "low"
    assert [r.factor for r in risk.reasons] == ["none"]


def test_coverage_measures_decide_what_is_tested() -> None:
    facts = replace(
        NO_FACTS, coverage={"app/core/config.py": 20.0}, tested_names=frozenset({"config"})
    )
    risk = assess_risk([make_finding(code="B101")], facts, RULES, SETTINGS.risk)
    assert "below 50% line coverage" in risk.reasons[0].text


def test_pull_requests_that_add_tests_are_not_risky_because_the_code_is_untested() -> None:
    found = [
        make_finding(category="testing", tool="testing", code="untested-module", path=f"m{n}.py")
        for n in range(9)
    ]
    assert assess_risk(found, NO_FACTS, RULES, SETTINGS.risk, changes_code=False).level == "low"
    assert assess_risk(found, NO_FACTS, RULES, SETTINGS.risk).level != "low"


def test_code_inside_a_flagged_function_is_hard_to_change() -> None:
    facts = replace(NO_FACTS, complex_functions=frozenset({("app/core/config.py", "Loader.parse")}))
    inside = make_finding(code="B101", symbol="Loader.parse.inner")
    outside = make_finding(code="B101", symbol="Loader.save", line=2)
    assert any(
        r.factor == "complexity" for r in assess_risk([inside], facts, RULES, SETTINGS.risk).reasons
    )
    assert all(
        r.factor != "complexity"
        for r in assess_risk([outside], facts, RULES, SETTINGS.risk).reasons
    )
