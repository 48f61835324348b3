"""Planning invariants as properties over random findings, plus settings and metrics."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import replace
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analyzer.model import AnalyzerRun, Finding, Measure
from analyzer.planning.facts import gather_code_facts
from analyzer.planning.group import Recommendation
from analyzer.planning.kinds import PRIORITIES
from analyzer.planning.metrics.specs import load_metric_specs
from analyzer.planning.metrics.success import SuccessMetric, measure_success_metrics
from analyzer.planning.roadmap import Roadmap
from analyzer.planning.schedule import WORKDAYS_PER_WEEK, working_days
from analyzer.planning.settings import (
    PlanSettings,
    PlanSettingsError,
    default_plan_settings,
    plan_settings_from_table,
)
from tests.planning_samples import finding_lists, make_finding, plan, ran, scan_result

SPECS = load_metric_specs()
DEFAULTS = default_plan_settings()

budgets = st.sampled_from((30, 60, 400))
teams = st.builds(
    lambda developers, hours, budget, horizon: replace(
        DEFAULTS,
        developers=developers,
        hours_per_week=hours,
        review_budget_lines=budget,
        horizon_weeks=horizon,
    ),
    st.integers(min_value=1, max_value=4),
    st.sampled_from((4.0, 12.0, 40.0)),
    budgets,
    st.sampled_from((1, 2, 13)),
)


def scheduled_work(roadmap: Roadmap) -> dict[str, tuple[int, int, int]]:
    """Scheduled id -> (developer, start day, end day)."""
    return {
        item.recommendation_id: (item.developer, item.start_day, item.end_day)
        for phase in roadmap.phases
        for item in phase.work
    }


def ancestors(rec_id: str, by_id: dict[str, Recommendation]) -> set[str]:
    found: set[str] = set()
    stack = [dep.id for dep in by_id[rec_id].depends_on]
    while stack:
        current = stack.pop()
        if current not in found:
            found.add(current)
            stack.extend(dep.id for dep in by_id[current].depends_on)
    return found


@settings(max_examples=80, deadline=None)
@given(finding_lists(), teams)
def test_every_finding_is_in_exactly_one_recommendation(
    found: list[Finding], team: PlanSettings
) -> None:
    recs, roadmap = plan(found, team)
    placed = [f.fingerprint for rec in recs for f in rec.findings]
    assert sorted(placed) == sorted(f.fingerprint for f in found)
    ids = [rec.id for rec in recs]
    assert len(set(ids)) == len(ids)
    assert sorted([*scheduled_work(roadmap), *roadmap.backlog]) == sorted(ids)


@settings(max_examples=80, deadline=None)
@given(finding_lists(), teams)
def test_no_lower_priority_pull_request_starts_before_a_higher_one_it_does_not_feed(
    found: list[Finding], team: PlanSettings
) -> None:
    recs, roadmap = plan(found, team)
    by_id = {rec.id: rec for rec in recs}
    work = scheduled_work(roadmap)
    for high in work:
        feeding = ancestors(high, by_id)
        for low in work:
            if PRIORITIES.index(by_id[low].priority) > PRIORITIES.index(by_id[high].priority):
                assert work[low][1] >= work[high][1] or low in feeding


@settings(max_examples=80, deadline=None)
@given(finding_lists(), teams)
def test_scheduled_work_fits_the_horizon_and_the_team(
    found: list[Finding], team: PlanSettings
) -> None:
    recs, roadmap = plan(found, team)
    by_id = {rec.id: rec for rec in recs}
    work = scheduled_work(roadmap)
    horizon = team.horizon_weeks * WORKDAYS_PER_WEEK
    for rec_id, (developer, start, end) in work.items():
        assert 1 <= developer <= team.developers
        assert 0 <= start < end <= horizon
        assert end - start == working_days(by_id[rec_id], team)
        for dep in by_id[rec_id].depends_on:  # a dependency is merged first
            assert dep.id in work and work[dep.id][2] <= start
    for developer in range(1, team.developers + 1):
        spans = sorted((s, e) for d, s, e in work.values() if d == developer)
        assert all(a[1] <= b[0] for a, b in pairwise(spans))
    assert roadmap.total_weeks <= team.horizon_weeks
    assert all(rec.long_tail is False for rec in recs if rec.id in work)


@settings(max_examples=80, deadline=None)
@given(finding_lists(), teams)
def test_titles_are_unique_and_never_parts(found: list[Finding], team: PlanSettings) -> None:
    recs, _ = plan(found, team)
    titles = [rec.title for rec in recs]
    assert len(set(titles)) == len(titles)
    assert not any(" of " in t and "(part" in t for t in titles)


@settings(max_examples=80, deadline=None)
@given(finding_lists(), budgets)
def test_pull_requests_fit_the_review_budget_unless_one_fix_is_larger(
    found: list[Finding], budget: int
) -> None:
    recs, _ = plan(found, replace(DEFAULTS, review_budget_lines=budget))
    for rec in recs:
        if rec.kind != "ratchet" and rec.changed_lines > budget:
            assert len(rec.root_causes) == 1 and rec.oversized


@settings(max_examples=60, deadline=None)
@given(finding_lists(), teams)
def test_dependencies_point_backwards(found: list[Finding], team: PlanSettings) -> None:
    recs, _ = plan(found, team)
    position = {rec.id: index for index, rec in enumerate(recs)}
    for rec in recs:
        for dependency in rec.depends_on:
            assert position[dependency.id] < position[rec.id]  # so no cycle is possible
            assert dependency.reason.startswith("both edit ")


@settings(max_examples=60, deadline=None)
@given(finding_lists(), st.randoms(use_true_random=False))
def test_output_does_not_depend_on_input_order(
    found: list[Finding], shuffler: random.Random
) -> None:
    shuffled = list(found)
    shuffler.shuffle(shuffled)
    assert plan(found) == plan(shuffled)


def test_a_lower_priority_pull_request_waits_for_the_higher_one_editing_its_file() -> None:
    found = [
        make_finding(code="B602", path="app/a.py", severity="high"),
        make_finding(category="dead-code", tool="vulture", code="unused-import", path="app/a.py"),
        make_finding(category="typing", tool="mypy", code="arg-type", path="app/b.py"),
        make_finding(category="testing", tool="testing", code="untested-module", path="app/a.py"),
    ]
    recs, roadmap = plan(found)
    deps = {rec.id: [(d.id, d.reason) for d in rec.depends_on] for rec in recs}
    assert deps["dead-code"] == [("security", "both edit app/a.py")]
    assert deps["type-safety"] == [] and deps["testing"] == []
    assert recs[0].id == "security"
    assert roadmap.phases[0].name == "Critical fixes: security hardening"


def test_what_does_not_fit_the_horizon_goes_to_the_backlog() -> None:
    found = [
        make_finding(category="typing", tool="mypy", code="arg-type", path=f"app/m{n}.py", line=n)
        for n in range(1, 200)
    ]
    tight = replace(DEFAULTS, horizon_weeks=1, developers=1, hours_per_week=4)
    recs, roadmap = plan(found, tight)
    assert roadmap.backlog and roadmap.total_weeks <= 1
    assert len(recs) == len(scheduled_work(roadmap)) + len(roadmap.backlog)


def test_plan_table_overrides_team_and_review_numbers() -> None:
    table = {
        "developers": 3,
        "hours_per_week": 20,
        "review_budget_lines": 250,
        "review_rate_lines_per_hour": [200, 400],
        "horizon_weeks": 6,
    }
    result = plan_settings_from_table(table)
    assert result.horizon_weeks == 6
    assert (result.developers, result.hours_per_week, result.review_budget_lines) == (3, 20.0, 250)
    assert result.review_rate_lines_per_hour == (200.0, 400.0)
    assert plan_settings_from_table({}) == DEFAULTS


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"developers": 0}, "tool.roadmap.plan: developers must be a whole number of at least 1"),
        ({"developers": True}, "developers must be a whole number"),
        ({"hours_per_week": 200}, "hours_per_week cannot exceed"),
        ({"hours_per_week": float("nan")}, "hours_per_week must be a number of at least 1"),
        ({"hours_per_week": float("inf")}, "hours_per_week must be a number of at least 1"),
        ({"review_budget_lines": "400"}, "review_budget_lines must be a whole number"),
        (
            {"review_rate_lines_per_hour": [500, 300]},
            "review_rate_lines_per_hour must be \\[slow, fast\\]",
        ),
        ({"teams": 2}, "unknown key 'teams'"),
        ({"horizon_weeks": 0}, "horizon_weeks must be a whole number of at least 1"),
    ],
)
def test_bad_plan_tables_name_the_key(table: dict[str, object], message: str) -> None:
    with pytest.raises(PlanSettingsError, match=message):
        plan_settings_from_table(table)


def metrics_by_id(
    found: list[Finding], measures: list[Measure], runs: list[str], fixed: Sequence[Finding] = ()
) -> dict[str, SuccessMetric]:
    result = scan_result(found, measures, [ran(name) for name in runs])
    return {m.id: m for m in measure_success_metrics(result, SPECS, fixed)}


def test_targets_are_what_the_scheduled_pull_requests_reach() -> None:
    found = [make_finding(severity="high", line=n) for n in range(1, 11)]
    runs = ["security", "typing", "dead-code", "complexity"]
    some = metrics_by_id(found, [], runs, fixed=found[:4])
    assert (some["security_high"].target, some["security_high"].reached) == (6.0, False)
    assert some["security_high"].target_note == "this plan; 0 needs the backlog"
    every = metrics_by_id(found, [], runs, fixed=found)
    assert (every["security_high"].target, every["security_high"].reached) == (0.0, True)
    assert every["findings_total"].target == 0.0  # beyond the -80% aspiration


def test_project_metrics_move_with_the_fixes_that_feed_them() -> None:
    docs = [
        make_finding(category="documentation", tool="documentation", code="missing-docstring",
                     severity="info", line=n)
        for n in range(1, 6)
    ]  # fmt: skip
    measures = [
        Measure(name="documentation.public_symbols", value=10, path="a.py"),
        Measure(name="documentation.documented_symbols", value=5, path="a.py"),
    ]
    metrics = metrics_by_id(docs, measures, ["documentation"], fixed=docs[:2])
    assert metrics["docstring_coverage"].baseline == 50.0
    assert metrics["docstring_coverage"].target == 70.0


def test_metrics_that_do_not_apply_are_left_out_with_the_reason() -> None:
    metrics = metrics_by_id([], [], ["infrastructure", "api"])
    image = metrics["base_image_size"]
    assert not image.applicable and image.absent_reason == "no Dockerfile"
    assert not metrics["blocking_calls_in_async"].applicable
    assert metrics["security_audit"].outside_code


def test_metric_baselines_are_measured_from_findings_and_measures() -> None:
    found = [make_finding(severity="high", line=n) for n in range(1, 4)] + [
        make_finding(severity="low", line=9)
    ]
    measures = [
        Measure(name="complexity.mi", value=70.0, path="a.py"),
        Measure(name="complexity.mi", value=80.0, path="b.py"),
    ]
    metrics = metrics_by_id(found, measures, ["security", "typing", "dead-code", "complexity"])
    # Nothing is scheduled here: targets are the baselines, the aspirations beyond the plan.
    assert (metrics["findings_total"].baseline, metrics["findings_total"].target) == (4.0, 4.0)
    assert metrics["findings_total"].target_note == "no regression; 0 is beyond this plan"
    assert (metrics["security_high"].baseline, metrics["security_high"].target) == (3.0, 3.0)
    assert metrics["maintainability"].baseline == 75.0
    assert metrics["maintainability"].target == 75.0  # no regression


def test_a_metric_whose_analyzer_did_not_run_is_not_measured_and_says_how() -> None:
    result = scan_result([], [], [ran("security", "failed", "bandit crashed")])
    metrics = {m.id: m for m in measure_success_metrics(result, SPECS, [])}
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
    assert [f.name for f in facts.complex_functions["a.py"]] == ["run"]


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
