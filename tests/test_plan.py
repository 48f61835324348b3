"""Planning invariants as properties over random findings, plus settings and metrics."""

from __future__ import annotations

import random
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analyzer.planning.estimate import gather_code_facts
from analyzer.planning.group import Recommendation, load_kinds
from analyzer.model import AnalyzerRun, Finding, Measure
from analyzer.planning.schedule import (
    PlanSettingsError,
    Roadmap,
    default_plan_settings,
    plan_roadmap,
    plan_settings_from_table,
    working_days,
)
from analyzer.planning.settings import PlanSettings
from analyzer.rules import load_rulebook
from analyzer.planning.success import SuccessMetric, load_metric_specs, measure_success_metrics
from tests.planning_samples import finding_lists, make_finding, ran, scan_result

KINDS = load_kinds()
RULES = load_rulebook()
SPECS = load_metric_specs()
DEFAULTS = default_plan_settings()


def plan(
    found: list[Finding], plan_settings: PlanSettings = DEFAULTS
) -> tuple[tuple[Recommendation, ...], Roadmap]:
    return plan_roadmap(
        scan_result(found), settings=plan_settings, kinds=KINDS, rulebook=RULES, metric_specs=SPECS
    )


budgets = st.sampled_from((30, 60, 400))
teams = st.builds(
    lambda developers, hours, budget: replace(
        DEFAULTS, developers=developers, hours_per_week=hours, review_budget_lines=budget
    ),
    st.integers(min_value=1, max_value=4),
    st.sampled_from((4.0, 12.0, 40.0)),
    budgets,
)


@settings(max_examples=80, deadline=None)
@given(finding_lists(), teams)
def test_every_finding_is_in_exactly_one_recommendation(
    found: list[Finding], team: PlanSettings
) -> None:
    recs, _ = plan(found, team)
    placed = [f.fingerprint for rec in recs for f in rec.findings]
    assert sorted(placed) == sorted(f.fingerprint for f in found)


@settings(max_examples=80, deadline=None)
@given(finding_lists(), teams)
def test_dependencies_point_backwards_and_into_earlier_phases(
    found: list[Finding], team: PlanSettings
) -> None:
    recs, roadmap = plan(found, team)
    position = {rec.id: index for index, rec in enumerate(recs)}
    phase_of = {rid: phase.number for phase in roadmap.phases for rid in phase.recommendation_ids}
    assert sorted(phase_of) == sorted(position)
    for rec in recs:
        for dependency in rec.depends_on:
            assert position[dependency] < position[rec.id]  # so no cycle is possible
            assert phase_of[dependency] < phase_of[rec.id]


@settings(max_examples=80, deadline=None)
@given(finding_lists(), teams)
def test_phases_are_non_empty_consecutive_and_sum_to_the_total(
    found: list[Finding], team: PlanSettings
) -> None:
    recs, roadmap = plan(found, team)
    assert all(phase.recommendation_ids for phase in roadmap.phases)
    assert [p.number for p in roadmap.phases] == list(range(1, len(roadmap.phases) + 1))
    for before, after in zip(roadmap.phases, roadmap.phases[1:], strict=False):
        assert after.start_day == before.end_day
    assert roadmap.total_days == (roadmap.phases[-1].end_day if recs else 0)
    assert roadmap.total_weeks == (roadmap.phases[-1].last_week if recs else 0)
    # Each phase lasts as long as its busiest developer and no longer.
    for phase in roadmap.phases:
        busiest = max(
            sum(w.days for w in phase.work if w.developer == d)
            for d in range(1, team.developers + 1)
        )
        assert phase.end_day - phase.start_day == busiest
        assert sum(w.days for w in phase.work) == sum(
            working_days(r, team) for r in recs if r.id in phase.recommendation_ids
        )


@settings(max_examples=80, deadline=None)
@given(finding_lists(), budgets)
def test_split_parts_fit_the_review_budget(found: list[Finding], budget: int) -> None:
    recs, _ = plan(found, replace(DEFAULTS, review_budget_lines=budget))
    for rec in recs:
        assert rec.changed_lines <= budget or len(rec.findings) == 1
        if rec.parts > 1:
            assert rec.title.endswith(f"(part {rec.part} of {rec.parts})")


@settings(max_examples=60, deadline=None)
@given(finding_lists(), st.randoms(use_true_random=False))
def test_output_does_not_depend_on_input_order(
    found: list[Finding], shuffler: random.Random
) -> None:
    shuffled = list(found)
    shuffler.shuffle(shuffled)
    assert plan(found) == plan(shuffled)


def test_declared_order_and_file_overlap_make_dependencies() -> None:
    found = [
        make_finding(code="B602", path="app/a.py"),
        make_finding(category="dead-code", tool="vulture", code="unused-import", path="app/a.py"),
        make_finding(category="typing", tool="mypy", code="arg-type", path="app/b.py"),
        make_finding(category="testing", tool="testing", code="untested-module", path="app/a.py"),
    ]
    recs, roadmap = plan(found)
    deps = {rec.id: rec.depends_on for rec in recs}
    assert deps["dead-code"] == ("security",)  # same file, security listed first
    assert deps["type-safety"] == ("dead-code",)  # declared, transitively reduced
    assert deps["testing"] == ()  # adds tests: shares no files
    assert [p.recommendation_ids for p in roadmap.phases] == [
        ("security", "testing"),
        ("dead-code",),
        ("type-safety",),
    ]
    assert roadmap.phases[0].name == "Security hardening and test coverage"


def test_plan_table_overrides_team_and_review_numbers() -> None:
    table = {
        "developers": 3,
        "hours_per_week": 20,
        "review_budget_lines": 250,
        "review_rate_lines_per_hour": [200, 400],
    }
    result = plan_settings_from_table(table)
    assert (result.developers, result.hours_per_week, result.review_budget_lines) == (3, 20.0, 250)
    assert result.review_rate_lines_per_hour == (200.0, 400.0)
    assert plan_settings_from_table({}) == DEFAULTS


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"developers": 0}, "tool.roadmap.plan: developers must be a whole number of at least 1"),
        ({"developers": True}, "developers must be a whole number"),
        ({"hours_per_week": 200}, "hours_per_week cannot exceed"),
        ({"review_budget_lines": "400"}, "review_budget_lines must be a whole number"),
        (
            {"review_rate_lines_per_hour": [500, 300]},
            "review_rate_lines_per_hour must be \\[slow, fast\\]",
        ),
        ({"teams": 2}, "unknown key 'teams'"),
    ],
)
def test_bad_plan_tables_name_the_key(table: dict[str, object], message: str) -> None:
    with pytest.raises(PlanSettingsError, match=message):
        plan_settings_from_table(table)


def metrics_by_id(
    found: list[Finding], measures: list[Measure], runs: list[str]
) -> dict[str, SuccessMetric]:
    result = scan_result(found, measures, [ran(name) for name in runs])
    return {m.id: m for m in measure_success_metrics(result, SPECS)}


def test_metric_baselines_are_measured_from_findings_and_measures() -> None:
    found = [make_finding(severity="high", line=n) for n in range(1, 4)] + [
        make_finding(severity="low", line=9)
    ]
    measures = [
        Measure(name="complexity.mi", value=70.0, path="a.py"),
        Measure(name="complexity.mi", value=80.0, path="b.py"),
    ]
    metrics = metrics_by_id(found, measures, ["security", "typing", "dead-code", "complexity"])
    assert (metrics["findings_total"].baseline, metrics["findings_total"].target) == (4.0, 0.0)
    assert (metrics["security_high"].baseline, metrics["security_high"].target) == (3.0, 0.0)
    assert metrics["maintainability"].baseline == 75.0
    assert metrics["maintainability"].target == 75.0  # no regression


def test_a_metric_whose_analyzer_did_not_run_is_not_measured_and_says_how() -> None:
    result = scan_result([], [], [ran("security", "failed", "bandit crashed")])
    metrics = {m.id: m for m in measure_success_metrics(result, SPECS)}
    assert metrics["security_high"].baseline is None
    reason = metrics["security_high"].not_measured_reason or ""
    assert "did not run (failed: bandit crashed)" in reason and "scan again" in reason
    coverage = metrics["test_coverage"]
    assert coverage.baseline is None and coverage.target == 90
    assert "pytest --cov" in (coverage.not_measured_reason or "")
    assert metrics["findings_total"].target is None  # relative target, no baseline


def test_shares_and_project_measures_plug_in_through_metrics_toml() -> None:
    measures = [
        Measure(name="api.endpoints", value=8, path="a.py"),
        Measure(name="api.documented_endpoints", value=6, path="a.py"),
        Measure(name="testing.coverage_percent", value=61.26),
    ]
    metrics = metrics_by_id([], measures, [])
    assert metrics["endpoint_docs"].baseline == 75.0
    assert metrics["test_coverage"].baseline == 61.3
    assert metrics["unauthenticated_writes"].baseline is None


def test_code_facts_read_the_measures_named_in_planning_toml() -> None:
    measures = [
        Measure(name="complexity.mi", value=42.0, path="a.py"),
        Measure(name="testing.file_coverage_percent", value=80.0, path="a.py"),
    ]
    found = [
        make_finding(category="complexity", tool="radon", code="CC-C", path="a.py", symbol="run")
    ]
    facts = gather_code_facts(scan_result(found, measures), DEFAULTS.risk)
    assert facts.maintainability == {"a.py": 42.0}
    assert facts.coverage == {"a.py": 80.0}
    assert facts.complex_functions == frozenset({("a.py", "run")})


def test_risk_trusts_the_testing_analyzer_about_which_modules_lack_tests() -> None:
    ran = [AnalyzerRun(name="testing", tool_version="x", status="ok", duration_s=0.0, files=3)]
    found = [
        make_finding(
            category="testing", tool="testing", code="untested-module", path="app/views.py"
        )
    ]
    facts = gather_code_facts(scan_result(found, analyzers=ran), DEFAULTS.risk)
    threshold = DEFAULTS.risk.tested_coverage_percent
    assert not facts.is_tested("app/views.py", threshold)
    # Exempt from testing (no finding), or tested through an import: not held against a PR.
    assert facts.is_tested("app/migrations/0001_initial.py", threshold)
    assert facts.is_tested("app/models.py", threshold)
    # Without the testing analyzer, only file names can tell.
    assert not gather_code_facts(scan_result(found), DEFAULTS.risk).is_tested(
        "app/models.py", threshold
    )
