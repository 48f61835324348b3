"""roadmap progress, the comparison: recommendations, matching, schedule, metrics, new debt and
the burn-down, over small reports built in the test."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from analyzer.progress.compare import compare_progress, order_reports, same_project
from analyzer.progress.match import match_findings
from analyzer.progress.outcome import Progress
from analyzer.progress.schedule import working_days
from analyzer.progress.snapshot import Snapshot
from tests.progress_samples import finding, metric, recommendation, report, snapshot

MONDAY = date(2025, 1, 6)
PLAN_FINDINGS = [
    finding("f1", path="shop/pay.py", line=10),
    finding("f2", "bandit.B105", severity="low", path="shop/pay.py", line=20),
    finding("f3", "vulture.unused-import", severity="low", path="shop/cart.py", symbol=None),
    finding("f4", "vulture.unused-function", severity="low", path="shop/cart.py", symbol="old"),
    finding("f5", "mypy.arg-type", severity="medium", path="shop/api.py", symbol="view"),
]
PLAN_RECS = [
    recommendation("security", ["f1", "f2"], hours=4.0, weeks=(1, 1), priority="critical"),
    recommendation("dead-code", ["f3", "f4"], hours=2.0, weeks=(2, 2), kind="dead-code"),
    recommendation("typing", ["f5"], hours=6.0, weeks=(2, 3), kind="type-safety"),
]


def plan(**changes: object) -> Snapshot:
    return snapshot(report(PLAN_FINDINGS, PLAN_RECS, **changes), "plan.json")  # type: ignore[arg-type]


def later(
    findings: list[dict[str, object]],
    recommendations: list[dict[str, object]] | None = None,
    **changes: object,
) -> Snapshot:
    return snapshot(report(findings, recommendations or [], **changes), "now")  # type: ignore[arg-type]


def keep(*ids: str) -> list[dict[str, object]]:
    return [f for f in PLAN_FINDINGS if f["fingerprint"] in ids]


def progress_of(now: Snapshot, *between: Snapshot, today: date = date(2025, 1, 13)) -> Progress:
    return compare_progress(reports=(plan(), *between), now=now, today=today)


def statuses(progress: Progress) -> dict[str, str]:
    return {rec.id: rec.status for rec in progress.recommendations}


def test_a_recommendation_is_done_in_progress_or_not_started_by_its_findings() -> None:
    progress = progress_of(later(keep("f3", "f5"), generated_on=None))
    assert statuses(progress) == {
        "security": "done",
        "dead-code": "in progress",
        "typing": "not started",
    }
    dead_code = progress.recommendations[1]
    assert (dead_code.counts.fixed, dead_code.counts.remaining) == (1, 1)
    assert dead_code.share_done == 0.5
    assert dead_code.hours_left == 1.0
    assert progress.hours_left == 7.0
    assert (progress.counts.fixed, progress.counts.open) == (3, 2)


def test_a_finding_whose_line_moved_keeps_its_fingerprint_and_stays_open() -> None:
    shifted = [{**f, "line": f["line"] + 40} for f in PLAN_FINDINGS]  # type: ignore[operator]
    progress = progress_of(later(shifted))
    assert set(statuses(progress).values()) == {"not started"}
    assert progress.new_debt.findings == ()


def test_a_function_moved_to_another_file_is_still_open_and_not_new_debt() -> None:
    moved = {**PLAN_FINDINGS[4], "fingerprint": "g5", "path": "shop/views/api.py", "line": 3}
    progress = progress_of(later([*keep("f1", "f2", "f3", "f4"), moved]))
    typing = progress.recommendations[2]
    assert typing.status == "not started"
    assert (typing.counts.moved, typing.counts.fixed) == (1, 0)
    assert progress.new_debt.findings == ()


def test_a_module_level_finding_whose_message_names_it_moved_with_it() -> None:
    # "Need type annotation for "_cache"" occurs once before and once after: the same code.
    elsewhere = {**PLAN_FINDINGS[2], "fingerprint": "g3", "path": "shop/other.py"}
    matching = match_findings(plan(), later([*keep("f1", "f2", "f4", "f5"), elsewhere]))
    assert matching.states["f3"] == "moved"
    assert matching.new == ()


WITH_FRONTEND = [("security", "bandit"), ("frontend", "frontend")]


def _inline_script(fingerprint: str, path: str, line: int) -> dict[str, object]:
    return finding(
        fingerprint,
        "frontend.inline-script",
        severity="low",
        path=path,
        line=line,
        symbol=None,
        message="Inline <script> block",
    )


def test_a_module_level_finding_with_a_common_message_in_another_file_is_a_fix_and_new() -> None:
    # Without a symbol or a telling message only the path tells two files' findings apart.
    kept = _inline_script("s0", "web/base.html", 5)
    earlier = snapshot(report([kept, _inline_script("s1", "web/list.html", 9)]))
    now = later([kept, _inline_script("s2", "web/settings.html", 3)], analyzers=WITH_FRONTEND)
    matching = match_findings(earlier, now)
    assert matching.states["s1"] == "fixed"
    assert [f.fingerprint for f in matching.new] == ["s2"]


def test_a_block_of_findings_carried_to_a_new_file_in_order_moved() -> None:
    """A row of a template extracted into a partial: its findings left one file and appear
    in the other in the same order, so they moved; the one that stayed behind stayed."""

    def markup(fingerprint: str, path: str, line: int, rule: str) -> dict[str, object]:
        message = {"img": "<img> has no alt attribute", "input": "<input> has no label"}[rule]
        return finding(
            fingerprint,
            f"frontend.{rule}",
            severity="low",
            path=path,
            line=line,
            symbol=None,
            message=message,
        )

    generic = [markup("k1", "web/base.html", 3, "img"), markup("k2", "web/base.html", 4, "input")]
    before = [
        markup("a1", "web/list.html", 260, "input"),
        markup("a2", "web/list.html", 314, "img"),
        markup("a3", "web/list.html", 400, "img"),
    ]
    after = [markup("b1", "web/row.html", 35, "input"), markup("b2", "web/row.html", 90, "img")]
    earlier = snapshot(report([*generic, *before]))
    matching = match_findings(
        earlier, later([*generic, *after, before[2]], analyzers=WITH_FRONTEND)
    )
    assert (matching.states["a1"], matching.states["a2"]) == ("moved", "moved")
    assert matching.states["a3"] == "remaining"
    assert matching.new == ()
    # One finding alone, with a message other findings share, is not a block.
    single = match_findings(
        earlier, later([*generic, after[1], before[2]], analyzers=WITH_FRONTEND)
    )
    assert single.states["a2"] == "fixed"
    assert [f.fingerprint for f in single.new] == ["b2"]


def test_a_function_that_changed_complexity_rank_is_still_open() -> None:
    complex_e = finding("c1", "radon.CC-E", severity="medium", symbol="run", message="run is E")
    complex_f = {**complex_e, "fingerprint": "c2", "rule_id": "radon.CC-F", "message": "run is F"}
    earlier = snapshot(report([complex_e], [recommendation("complexity", ["c1"])]))
    now = later([complex_f], analyzers=[("complexity", "radon")])
    grades = {"radon.CC-E": "cyclomatic complexity", "radon.CC-F": "cyclomatic complexity"}
    progress = compare_progress(reports=[earlier], now=now, today=MONDAY, grades=grades)
    assert progress.recommendations[0].counts.moved == 1
    assert progress.new_debt.findings == ()
    # Without the rules saying the ranks grade one measurement, it would be a fix and new debt.
    naive = compare_progress(reports=[earlier], now=now, today=MONDAY)
    assert naive.recommendations[0].status == "done"
    assert len(naive.new_debt.findings) == 1


def test_findings_of_an_analyzer_that_did_not_run_are_not_counted_as_fixed() -> None:
    now = later(keep("f1", "f2", "f3", "f4"), failed=["typing"])
    progress = progress_of(now)
    typing = progress.recommendations[2]
    assert typing.status == "not started"
    assert typing.counts.unverified == 1
    assert typing.hours_left == 6.0


def test_findings_in_a_file_with_an_error_are_not_counted_as_fixed() -> None:
    progress = progress_of(later(keep("f3", "f4", "f5"), errors=["shop/pay.py"]))
    assert progress.recommendations[0].status == "not started"
    assert progress.recommendations[0].counts.unverified == 2


def test_a_finding_suppressed_since_closes_it() -> None:
    now = later(keep("f3", "f4", "f5"), suppressed=keep("f1"))
    progress = progress_of(now)
    security = progress.recommendations[0]
    assert security.status == "done"
    assert (security.counts.fixed, security.counts.suppressed) == (1, 1)


def test_a_recommendation_without_findings_is_not_measurable() -> None:
    gate = recommendation("ratchet", [], hours=1.0, weeks=(1, 1), kind="ratchet")
    earlier = snapshot(report(PLAN_FINDINGS, [*PLAN_RECS, gate]))
    progress = compare_progress(reports=[earlier], now=later([]), today=MONDAY)
    assert statuses(progress)["ratchet"] == "not measurable"


def test_new_debt_is_grouped_by_kind_and_severity_worst_first() -> None:
    new = [
        finding("n1", "bandit.B101", severity="low", path="shop/a.py"),
        finding("n2", "bandit.B602", severity="high", path="shop/z.py"),
        finding("n3", "vulture.unused-variable", severity="low", path="shop/b.py"),
        finding("n4", "bandit.B101", severity="low", path="shop/c.py", line=3),
    ]
    now_recs = [
        recommendation("security", ["n1", "n2", "n4"]),
        recommendation("dead-code", ["n3"], kind="dead-code"),
    ]
    progress = progress_of(later([*PLAN_FINDINGS, *new], now_recs))
    debt = progress.new_debt
    assert [item.finding.fingerprint for item in debt.findings] == ["n2", "n1", "n3", "n4"]
    assert [(g.kind, g.severity, g.count) for g in debt.groups] == [
        ("security", "high", 1),
        ("security", "low", 2),
        ("dead-code", "low", 1),
    ]


def test_new_debt_a_ratchet_takes_is_grouped_by_its_category() -> None:
    """A CI ratchet gathers long-tail rules of many kinds; "ratchet" is no kind of debt."""
    new = [
        finding("n1", "bandit.B101", severity="low", path="shop/a.py"),
        finding("n2", "vulture.unused-variable", severity="low", path="shop/b.py"),
    ]
    gate = {**recommendation("ratchet", ["n1", "n2"], kind="ratchet"), "gated_rules": ["x"]}
    progress = progress_of(later([*PLAN_FINDINGS, *new], [gate]))
    groups = [(g.kind, g.count) for g in progress.new_debt.groups]
    assert groups == [("dead-code", 1), ("security", 1)]


def test_a_finding_suppressed_in_the_plan_and_reported_now_is_not_new_debt() -> None:
    hidden = finding("s1", "bandit.B101", severity="low")
    earlier = snapshot(report(PLAN_FINDINGS, PLAN_RECS, suppressed=[hidden]))
    progress = compare_progress(
        reports=[earlier], now=later([*PLAN_FINDINGS, hidden]), today=MONDAY
    )
    assert progress.new_debt.findings == ()
    assert [f.fingerprint for f in progress.new_debt.unsuppressed] == ["s1"]


def test_a_fixed_finding_that_came_back_is_returning() -> None:
    middle = later(keep("f2", "f3", "f4", "f5"), generated_on="2025-01-10")
    progress = progress_of(later(PLAN_FINDINGS), middle)
    assert [f.fingerprint for f in progress.new_debt.returning] == ["f1"]


def test_a_finding_missing_because_its_analyzer_failed_is_not_returning() -> None:
    middle = later(keep("f1", "f2", "f3", "f4"), generated_on="2025-01-10", failed=["typing"])
    progress = progress_of(later(PLAN_FINDINGS), middle)
    assert progress.new_debt.returning == ()


def test_the_burn_down_has_a_point_per_report_with_the_planned_line() -> None:
    second = later(keep("f3", "f4", "f5"), generated_on="2025-01-13")
    third = later(keep("f4"), generated_on="2025-01-20")
    progress = compare_progress(reports=[plan(), second], now=third, today=date(2025, 1, 21))
    points = progress.burndown
    assert [p.label for p in points] == ["2025-01-06", "2025-01-13", "2025-01-20"]
    assert [p.remaining_hours for p in points] == [12.0, 8.0, 1.0]
    assert [p.open_findings for p in points] == [5, 3, 1]
    # Week 1 (security, 4 h) is over by the 13th; by the 20th week 2 is too: dead code
    # (2 h) and half of typing (6 h over weeks 2-3).
    assert [p.planned_remaining_hours for p in points] == [12.0, 8.0, 3.0]


def test_an_undated_report_is_labelled_by_its_place() -> None:
    middle = later(keep("f3", "f4", "f5"), generated_on=None)
    progress = compare_progress(
        reports=[plan(generated_on=None), middle], now=later([]), today=MONDAY
    )
    assert [p.label for p in progress.burndown] == ["report 1", "report 2", "2025-01-06"]
    assert progress.burndown[0].planned_remaining_hours is None


@pytest.mark.parametrize(
    ("kept", "today", "status"),
    [
        (PLAN_FINDINGS, date(2025, 1, 27), "behind"),
        (keep("f3", "f4", "f5"), date(2025, 1, 13), "on schedule"),
        (keep("f5"), date(2025, 1, 8), "ahead"),
        ([], date(2025, 1, 8), "complete"),
    ],
)
def test_ahead_or_behind_the_schedule(
    kept: list[dict[str, object]], today: date, status: str
) -> None:
    progress = progress_of(later(kept, generated_on=None), today=today)
    assert progress.schedule.status == status


def test_behind_is_measured_in_weeks_of_the_plan() -> None:
    # Three weeks in, only week 1's work is done: the plan was there after one week.
    progress = progress_of(
        later(keep("f3", "f4", "f5"), generated_on=None), today=date(2025, 1, 27)
    )
    schedule = progress.schedule
    assert (schedule.elapsed_days, schedule.hours_done) == (15, 4.0)
    assert schedule.weeks_ahead == -2.0
    assert schedule.overdue == ("dead-code", "typing")
    assert [(phase.status, phase.due) for phase in progress.phases] == [
        ("complete", True),
        ("not started", True),
    ]


def test_an_undated_plan_has_no_schedule_unless_since_is_given() -> None:
    earlier = plan(generated_on=None)
    now = later(keep("f3", "f4", "f5"), generated_on=None)
    unknown = compare_progress(reports=[earlier], now=now, today=date(2025, 1, 13))
    assert unknown.schedule.status == "unknown"
    assert "--since" in unknown.schedule.note
    dated = compare_progress(reports=[earlier], now=now, today=date(2025, 1, 13), since=MONDAY)
    assert (dated.schedule.status, dated.schedule.dated_by) == ("on schedule", "--since")


def test_a_report_given_as_now_is_compared_as_of_its_own_date() -> None:
    progress = progress_of(
        later(keep("f3", "f4", "f5"), generated_on="2025-01-13"), today=date(2026, 1, 1)
    )
    assert progress.today == date(2025, 1, 13)
    assert progress.schedule.status == "on schedule"


def test_working_days_skip_weekends() -> None:
    assert working_days(MONDAY, date(2025, 1, 20)) == 10
    assert working_days(date(2025, 1, 4), date(2025, 1, 7)) == 1  # Saturday to Tuesday
    assert working_days(date(2025, 1, 20), MONDAY) == 0


def test_metrics_show_baseline_now_target_and_the_way_travelled() -> None:
    metrics_then = [
        metric("security_high", 4, 0),
        metric("annotation_share", 60, 80, comparison="at_least"),
        metric("complex_functions", 3, 3),
        metric("test_coverage", None, None, comparison="at_least"),
    ]
    metrics_now = [
        metric("security_high", 1, 0),
        metric("annotation_share", 55, 80, comparison="at_least"),
        metric("complex_functions", 3, 3),
        metric("test_coverage", 42.5, 42.5, comparison="at_least"),
    ]
    earlier = snapshot(report(PLAN_FINDINGS, PLAN_RECS, metrics=metrics_then))
    now = later(PLAN_FINDINGS, metrics=metrics_now)
    progress = compare_progress(reports=[earlier], now=now, today=MONDAY)
    moved = {m.id: m for m in progress.metrics}
    assert (moved["security_high"].share, moved["security_high"].change) == (0.75, "better")
    assert (moved["annotation_share"].share, moved["annotation_share"].change) == (-0.25, "worse")
    assert moved["complex_functions"].change == "unchanged"
    assert moved["complex_functions"].share is None
    coverage = moved["test_coverage"]
    assert (coverage.baseline, coverage.now, coverage.measured) == (None, 42.5, "now only")
    assert coverage.note == "not measured in the earlier report; measured now"


def test_a_metric_without_a_direction_takes_the_bundled_one() -> None:
    # Reports before 1.2 do not say which way is better.
    earlier = snapshot(
        report(PLAN_FINDINGS, PLAN_RECS, metrics=[metric("mi", 70, 70, comparison=None)])
    )
    now = later(PLAN_FINDINGS, metrics=[metric("mi", 72, 72, comparison=None)])
    unknown = compare_progress(reports=[earlier], now=now, today=MONDAY)
    assert unknown.metrics[0].change is None
    known = compare_progress(
        reports=[earlier], now=now, today=MONDAY, directions={"mi": "at_least"}
    )
    assert known.metrics[0].change == "better"


def test_reports_are_ordered_by_date_when_every_one_has_one() -> None:
    first, second = plan(), later([], generated_on="2025-02-01")
    assert order_reports([second, first]) == (first, second)
    undated = later([], generated_on=None)
    assert order_reports([undated, first]) == (undated, first)


def test_another_project_shares_no_name_and_no_fingerprint() -> None:
    mine = plan()
    assert same_project(mine, later(keep("f1"), name="shop"))
    assert same_project(mine, later(keep("f1"), name="other"))
    assert not same_project(mine, later([finding("zz")], name="other", root="other"))
    # Unnamed projects are told apart by the folder they were scanned as.
    unnamed = plan(name=None, root="work/shop/")
    assert same_project(unnamed, later([], name=None, root="shop"))
    assert not same_project(unnamed, later([], name=None, root="."))


def test_pairing_blocks_across_many_files_stays_within_one_budget(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Every file findings left is compared with every file they appear in: a report of
    thousands of alike findings spread over many files (20,000 in 50 files took 84 s) must
    not make that work grow with the square of the findings."""
    from analyzer.progress import match

    budget = 20_000
    monkeypatch.setattr(match, "_LCS_BUDGET", budget)
    compared: list[int] = []
    run = match._common_run

    def counted(old: Any, new: Any) -> Any:
        compared.append(len(old) * len(new))
        return run(old, new)

    monkeypatch.setattr(match, "_common_run", counted)

    def alike(prefix: str, folder: str) -> list[dict[str, object]]:
        return [
            finding(f"{prefix}{n}", "frontend.inline-script", severity="low", symbol=None,
                    path=f"{folder}/{n % 20}.html", line=n, message="inline <script>")
            for n in range(2000)
        ]  # fmt: skip

    matching = match_findings(
        snapshot(report(alike("a", "old"))), later(alike("b", "new"), analyzers=WITH_FRONTEND)
    )
    assert sum(compared) <= budget
    # Within the budget, blocks are still paired: the first file's 100 findings moved.
    assert sum(state == "moved" for state in matching.states.values()) >= 100
