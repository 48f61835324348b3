"""Findings become pull requests: kinds, root causes, splits, titles, the ratchet, estimates."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from analyzer.model import Finding
from analyzer.planning.estimate import (
    ReviewTime,
    cause_minutes,
    estimate_effort,
    estimate_review_time,
)
from analyzer.planning.facts import CodeFacts, ComplexFunction
from analyzer.planning.group import Recommendation
from analyzer.planning.kinds import load_kinds
from analyzer.planning.risk import assess_risk
from analyzer.planning.rootcause import RootCause, find_root_causes
from analyzer.planning.settings import default_plan_settings
from analyzer.planning.split import split_for_review
from analyzer.planning.titles import describe_place, unique_titles
from analyzer.planning.value import assess_priority, value_context
from analyzer.rules import RuleError, load_rulebook
from tests.planning_samples import make_finding, plan

KINDS = load_kinds()
RULES = load_rulebook()
SETTINGS = default_plan_settings()
NO_FACTS = CodeFacts(
    maintainability={}, complex_functions={}, coverage={}, tested_names=frozenset()
)


def context(paths: list[str]):  # type: ignore[no-untyped-def]
    return value_context(
        paths,
        weights=SETTINGS.value,
        classes=SETTINGS.path_classes,
        endpoint_files=frozenset(),
        file_commits={},
        hotspots=(),
    )


def distinct(found: list[Finding]) -> list[Finding]:
    """The findings with messages no two of which normalize alike."""
    return [
        replace(f, message="finding " + "".join(chr(97 + int(c, 16)) for c in f.fingerprint))
        for f in found
    ]


def causes_of(found: list[Finding]) -> tuple[RootCause, ...]:
    return find_root_causes(found, SETTINGS.root_causes)


def recs(found: list[Finding]) -> dict[str, Recommendation]:
    return {rec.id: rec for rec in plan(found)[0]}


def test_the_bundled_kinds_cover_every_tool_category() -> None:
    for tool in RULES.tools.values():
        kind = KINDS.assign(make_finding(category=tool.category, tool=tool.tool, code="anything"))
        assert not kind.catch_all, (
            f"category {tool.category!r} of {tool.tool} falls to the catch-all"
        )
    assert KINDS.assign(make_finding(category="mystery", tool="x", code="1")).id == "other"
    assert KINDS.ratchet() is not None and KINDS.ratchet().id == "ratchet"  # type: ignore[union-attr]


def test_a_rule_pattern_wins_over_a_category(tmp_path: Path) -> None:
    (tmp_path / "recommendations.toml").write_text(
        '[kinds.asserts]\ntitle = "Asserts"\nemoji = "!"\nrules = ["bandit.B1*"]\n'
        'max_priority = "low"\ntheme = "asserts"\ncommunicate = "Say so."\n',
        encoding="utf-8",
    )
    kinds = load_kinds([tmp_path])
    assert kinds.assign(make_finding(code="B101")).id == "asserts"
    assert kinds.assign(make_finding(code="B602")).id == "security"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            '[kinds.b]\ntitle="B"\nmax_priority="low"\ntheme="b"\ncommunicate="c"\ncatch_all=true\n',
            "exactly one kind",
        ),
        (
            '[kinds.c]\ntitle="C"\nmax_priority="urgent"\ntheme="c"\ncommunicate="c"\n',
            "max_priority must be one of",
        ),
        (
            '[kinds.d]\ntitle="D"\nmax_priority="low"\ntheme="d"\ncommunicate="c"\ncolour="red"\n',
            "unknown key 'colour'",
        ),
        (
            '[kinds.e]\ntitle="E"\nmax_priority="low"\ntheme="e"\ncommunicate="c"\nratchet=true\n',
            "at most one kind may be a ratchet",
        ),
        ('[phrases.rules]\n"bandit.B101" = { one = "x" }\n', "many must be a non-empty string"),
    ],
)
def test_bad_kind_files_are_load_errors(tmp_path: Path, body: str, message: str) -> None:
    (tmp_path / "recommendations.toml").write_text(body, encoding="utf-8")
    with pytest.raises(RuleError, match=message):
        load_kinds([tmp_path])


def test_one_message_in_many_places_is_one_root_cause_costed_as_one_fix() -> None:
    found = [
        replace(make_finding(code="B105", path=f"app/m{n}.py", line=n), message="password: 'x'")
        for n in range(1, 34)
    ]
    (cause,) = causes_of(found)
    assert cause.sites == 33 and cause.joined_by == "message"
    one = RULES.lookup("bandit", "B105").effort.minutes(0)
    per_site = SETTINGS.root_causes.per_site_minutes
    assert cause_minutes(cause, RULES, SETTINGS) == one + 32 * per_site
    assert estimate_effort([cause], RULES, SETTINGS).hours == round((one + 32 * per_site) / 60, 1)


def test_findings_on_one_line_of_one_concern_are_one_fix_but_unrelated_ones_are_not() -> None:
    bandit = make_finding(code="B701", path="app/cli.py", line=5, severity="high")
    frontend = make_finding(
        category="frontend", tool="frontend", code="autoescape-disabled", path="app/cli.py", line=5
    )
    typing = make_finding(
        category="typing", tool="mypy", code="arg-type", path="app/cli.py", line=5
    )
    causes = causes_of([bandit, frontend, typing])
    assert sorted(c.sites for c in causes) == [1, 2]
    joined = next(c for c in causes if c.sites == 2)
    assert joined.joined_by == "line" and joined.lead == bandit


def test_test_code_and_application_code_never_share_a_root_cause() -> None:
    found = [
        replace(make_finding(code="B106", path=path, line=1), message="password: 'test'")
        for path in ("app/seed.py", "tests/test_a.py", "tests/test_b.py")
    ]
    causes = find_root_causes(found, SETTINGS.root_causes, context([f.path for f in found]).primary)
    assert sorted(c.sites for c in causes) == [1, 2]
    by_id = recs(found)
    assert {rec.priority for rec in by_id.values()} == {"medium", "low"}
    test_only = next(rec for rec in by_id.values() if rec.priority == "low")
    assert test_only.priority_reason == "only test code"
    assert not test_only.risk.ships


def test_messages_that_name_a_function_are_never_merged() -> None:
    found = [
        make_finding(
            category="complexity", tool="radon", code="CC-D", path=path, symbol="run",
            details=(("complexity", 25),),
        )
        for path in ("app/a.py", "app/b.py")
    ]  # fmt: skip
    found = [replace(f, message="run has cyclomatic complexity 25 (rank D)") for f in found]
    assert [c.sites for c in causes_of(found)] == [1, 1]


def test_a_kind_over_budget_is_split_along_directories_into_parts_that_fit() -> None:
    found = [
        make_finding(path=f"pkg/{directory}/m{n}.py", line=n)
        for directory in ("a", "b", "c")
        for n in range(1, 5)
    ]  # 12 security findings of 8 lines each
    parts = split_for_review(causes_of(distinct(found)), lambda c: 8.0, 40)
    assert [{c.anchor.path.split("/")[1] for c in part} for part in parts] == [{"a"}, {"b"}, {"c"}]


def test_a_file_over_budget_is_split_by_line_runs() -> None:
    found = [make_finding(line=n) for n in range(1, 7)]
    parts = split_for_review(causes_of(distinct(found)), lambda c: 8.0, 20)
    assert [len(p) for p in parts] == [2, 2, 2]


def test_titles_name_the_fixes_and_the_files_and_never_repeat_or_say_part() -> None:
    found = [
        make_finding(code="B307", path="app/loader.py", severity="high"),
        make_finding(code="B324", path="app/views.py", line=2, severity="high"),
    ]
    (rec,) = recs(found).values()
    assert rec.title == "Replace eval() and replace MD5 and SHA-1 in app/loader.py and app/views.py"
    complex_one = make_finding(
        category="complexity", tool="radon", code="CC-F", path="reports/filters.py",
        symbol="build_query", details=(("complexity", 60),),
    )  # fmt: skip
    (split,) = recs([complex_one]).values()
    assert split.title == "Split build_query (complexity 60) in reports/filters.py"


def test_places_read_as_files_packages_or_the_project() -> None:
    assert describe_place(["a/x.py"]) == "in a/x.py"
    assert describe_place(["a/x.py", "a/y.py", "a/z.py"]) == "in a (3 files)"
    assert describe_place(["a/b/x.py", "a/c/y.py", "a/d/z.py"]) == "in a (3 packages, 3 files)"
    assert describe_place(["."]) == "for the project"


def test_clashing_titles_are_told_apart_by_their_files_then_their_ids() -> None:
    titles = unique_titles(
        {"a-1": "Fix x in pkg (3 files)", "a-2": "Fix x in pkg (3 files)", "b": "Other"},
        [{"a-1": "a.py to c.py", "a-2": "d.py to f.py"}, {"a-1": "a-1", "a-2": "a-2"}],
    )
    assert titles == {
        "a-1": "Fix x in pkg (3 files) (a.py to c.py)",
        "a-2": "Fix x in pkg (3 files) (d.py to f.py)",
        "b": "Other",
    }


@pytest.mark.parametrize(
    ("kind", "severities", "expected", "reason"),
    [
        ("security", [("high", "high")], "critical", "1 high-severity, high-confidence finding"),
        ("security", [("high", "medium")], "high", "1 high-severity finding"),
        ("security", [("medium", "high"), ("low", "high")], "medium", "1 medium-severity finding"),
        ("security", [("low", "high"), ("info", "low")], "low", "only low-severity findings"),
        ("type-safety", [("high", "high")], "medium", "type safety is capped at medium"),
        ("dead-code", [("medium", "high")], "low", "unused code removal is capped at low"),
    ],
)
def test_priority_words_agree_with_their_reasons(
    kind: str, severities: list[tuple[str, str]], expected: str, reason: str
) -> None:
    found = [
        make_finding(severity=s, confidence=c, line=i) for i, (s, c) in enumerate(severities, 1)
    ]
    priority, why = assess_priority(KINDS.by_id()[kind], found, context([f.path for f in found]))
    assert priority == expected
    assert reason in why


def test_the_long_tail_becomes_one_ratchet_and_a_backlog() -> None:
    found = [
        make_finding(
            category="documentation", tool="documentation", code="missing-docstring",
            path=f"app/views/v{n % 7}.py", line=n, severity="info",
        )
        for n in range(1, 61)
    ]  # fmt: skip
    planned, roadmap = plan(found)
    ratchet = next(rec for rec in planned if rec.kind == "ratchet")
    assert ratchet.gated_rules == ("documentation.missing-docstring",)
    assert ratchet.title == "Gate CI on new missing docstrings"
    assert ratchet.id not in roadmap.backlog
    tail = [rec for rec in planned if rec.long_tail]
    assert tail and all(rec.id in roadmap.backlog for rec in tail)
    placed = sorted(f.fingerprint for rec in planned for f in rec.findings)
    assert placed == sorted(f.fingerprint for f in found)


def test_effort_review_time_labels_and_rates() -> None:
    assert ReviewTime(low_minutes=20, high_minutes=33).label == "20-35 minutes"
    assert ReviewTime(low_minutes=30, high_minutes=30).label == "about 30 minutes"
    assert ReviewTime(low_minutes=130, high_minutes=190).label == "2-4 hours"
    time = estimate_review_time(400, SETTINGS)
    slow, fast = SETTINGS.review_rate_lines_per_hour
    assert time.high_minutes == int(SETTINGS.review_overhead_minutes + 400 / slow * 60)
    assert time.low_minutes == int(SETTINGS.review_overhead_minutes + 400 / fast * 60)


def test_risk_names_the_modules_and_functions_of_this_pull_request() -> None:
    facts = replace(
        NO_FACTS,
        maintainability={"app/core/config.py": 30.0},
        complex_functions={
            "app/core/config.py": (
                ComplexFunction(name="Loader.parse", complexity=25, line=1, end_line=9),
            )
        },
    )
    found = [
        make_finding(code="B301", symbol="Loader.parse.inner"),
        make_finding(code="B602", line=2),
    ]
    risk = assess_risk(found, facts, RULES, SETTINGS.risk)
    assert [reason.factor for reason in risk.reasons] == ["behaviour", "complexity", "untested"]
    assert risk.level == "high"
    assert "Loader.parse (complexity 25)" in risk.reasons[1].text


def test_test_only_pull_requests_are_low_risk_with_nothing_to_deploy() -> None:
    found = [make_finding(code="B602", path="tests/test_a.py")]
    risk = assess_risk(
        found, NO_FACTS, RULES, SETTINGS.risk, ships=context(["tests/test_a.py"]).ships
    )
    assert risk.level == "low" and not risk.ships


def test_pull_requests_that_add_tests_are_not_risky_because_the_code_is_untested() -> None:
    found = [
        make_finding(category="testing", tool="testing", code="untested-module", path=f"m{n}.py")
        for n in range(9)
    ]
    assert assess_risk(found, NO_FACTS, RULES, SETTINGS.risk, changes_code=False).level == "low"
    assert assess_risk(found, NO_FACTS, RULES, SETTINGS.risk).level != "low"
