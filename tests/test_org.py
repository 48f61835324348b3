"""The org roadmap (``roadmap merge --org``): each repository planned as its own roadmap plans
it, one schedule on shared (or per-repository) teams, paths prefixed by the repository; its
team configuration checked; its Markdown pinned by a golden file."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from analyzer.model import ScanResult
from analyzer.planning.org import (
    SHARED,
    OrgPlan,
    Repository,
    TeamSizes,
    form_teams,
    plan_org,
    prefixed_path,
)
from analyzer.planning.org_config import OrgConfigError, load_team_sizes
from analyzer.planning.roadmap import Planning, load_planning, plan_roadmap
from analyzer.planning.settings import default_plan_settings
from analyzer.reports.read import read_report_file
from tests.golden_roadmap import JSON, ORG_MARKDOWN, build_org_markdown


@pytest.fixture(scope="module")
def planning() -> Planning:
    return load_planning()


@pytest.fixture(scope="module")
def web() -> ScanResult:
    return read_report_file(JSON).result


@pytest.fixture(scope="module")
def api(web: ScanResult) -> ScanResult:
    """Another repository: the security and API findings of the first."""
    return replace(
        web, findings=tuple(f for f in web.findings if f.category in ("security", "api"))
    )


def _plan(web: ScanResult, api: ScanResult, planning: Planning, sizes: TeamSizes) -> OrgPlan:
    return plan_org(
        [Repository(name="web", result=web), Repository(name="api", result=api)],
        planning,
        sizes,
    )


def test_each_repository_keeps_its_own_recommendations(
    web: ScanResult, api: ScanResult, planning: Planning
) -> None:
    plan = _plan(web, api, planning, TeamSizes())
    for repo, result in (("web", web), ("api", api)):
        own, _ = plan_roadmap(result, planning)
        mine = [rec for rec in plan.recommendations if plan.repository_of[rec.id] == repo]
        assert sorted(rec.id for rec in mine) == sorted(f"{repo}/{rec.id}" for rec in own)
        by_id = {rec.id: rec for rec in own}
        for rec in mine:
            alone = by_id[rec.id.removeprefix(f"{repo}/")]
            assert [f.fingerprint for f in rec.findings] == [f.fingerprint for f in alone.findings]
            assert [f.path for f in rec.findings] == [
                prefixed_path(repo, f.path) for f in alone.findings
            ]
            assert rec.effort == alone.effort and rec.priority == alone.priority
            assert all(dep.id.startswith(f"{repo}/") for dep in rec.depends_on)


def test_one_schedule_holds_every_pull_request_once(
    web: ScanResult, api: ScanResult, planning: Planning
) -> None:
    plan = _plan(web, api, planning, TeamSizes(horizon_weeks=2))
    work = plan.work
    ids = [rec.id for rec in plan.recommendations]
    assert len(ids) == len(set(ids))
    assert set(work) | set(plan.backlog) == set(ids) and not set(work) & set(plan.backlog)
    assert plan.backlog, "a two-week horizon leaves work for later"
    for rec in plan.recommendations:
        if rec.id in work:
            assert work[rec.id].end_day <= 2 * 5
            for dep in rec.depends_on:
                assert work[dep.id].end_day <= work[rec.id].start_day
    developers = sum(team.developers for team in plan.teams)
    assert {item.developer for item in work.values()} <= set(range(1, developers + 1))


def test_the_pooled_team_adds_up_the_repositories_teams() -> None:
    base = default_plan_settings()
    settings = {
        "web": replace(base, developers=3, hours_per_week=30.0),
        "api": replace(base, developers=1, hours_per_week=10.0),
    }
    (team,) = form_teams(settings, TeamSizes())
    assert team.name == SHARED and team.developers == 4
    assert team.hours_per_week == 25.0  # (3 x 30 + 1 x 10) / 4: the pool's weekly hours
    assert team.repositories == ("web", "api")


def test_a_repository_with_a_team_of_its_own_gets_only_that_team(
    web: ScanResult, api: ScanResult, planning: Planning
) -> None:
    plan = _plan(web, api, planning, TeamSizes(own={"api": (1, 20.0)}, shared_developers=3))
    teams = {team.name: team for team in plan.teams}
    assert teams["api"].repositories == ("api",) and teams["api"].developers == 1
    assert teams[SHARED].repositories == ("web",) and teams[SHARED].developers == 3
    work = plan.work
    api_developers = {work[r].developer for r in work if plan.repository_of[r] == "api"}
    web_developers = {work[r].developer for r in work if plan.repository_of[r] == "web"}
    assert api_developers == {1} and web_developers <= {2, 3, 4}


def test_the_org_markdown_matches_its_golden_file() -> None:
    assert build_org_markdown() == ORG_MARKDOWN.read_text(encoding="utf-8"), (
        "the org roadmap changed: if on purpose, run python -m tests.regen_golden and read the diff"
    )


def test_team_sizes_are_read_and_checked(tmp_path: Path) -> None:
    path = tmp_path / "org.toml"
    path.write_text(
        "[plan]\ndevelopers = 5\nhorizon_weeks = 8\n[repositories.api]\ndevelopers = 2\n",
        encoding="utf-8",
    )
    sizes = load_team_sizes(path, ["web", "api"])
    assert sizes.shared_developers == 5 and sizes.horizon_weeks == 8
    assert sizes.shared_hours_per_week is None
    assert sizes.own == {"api": (2, None)}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[plan]\nteam = 3\n", "unknown key"),
        ("[teams]\n", "unknown key"),
        ("[repositories.mobile]\ndevelopers = 1\n", "names no repository"),
        ("[repositories.api]\nhours_per_week = 10\n", "developers"),
        ("[plan]\ndevelopers = 1000\n", "cannot exceed"),
        ("[plan]\nhours_per_week = 200\n", "168 hours"),
        ("[plan]\nhorizon_weeks = 0\n", "at least 1"),
        ("[plan\n", "org.toml"),
    ],
)
def test_a_bad_team_configuration_is_refused(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "org.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(OrgConfigError, match=message):
        load_team_sizes(path, ["web", "api"])
