"""roadmap progress over the fixture: the golden Markdown and JSON, and what they must say.

The plan is the fixture's golden report; a week later the template pull request is merged
and two security fixes land; two weeks later one fix is reverted, traceroute drops its
shell, a complex function moves to its own module and an ``eval`` arrives (see
tests/golden_progress.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from analyzer.progress.markdown import number_ranges
from analyzer.resources import progress_schema_path
from tests.golden_progress import (
    PROGRESS_JSON,
    PROGRESS_MARKDOWN,
    build_progress_outputs,
    golden_inputs,
)

REGENERATE = "regenerate with: python -m tests.regen_golden"


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    return build_progress_outputs(Path(tmp_path_factory.mktemp("progress")), golden_inputs())


@pytest.fixture(scope="module")
def data(outputs: tuple[str, str]) -> Any:
    return json.loads(outputs[1])


def test_progress_matches_the_golden_markdown(outputs: tuple[str, str]) -> None:
    assert outputs[0] == PROGRESS_MARKDOWN.read_text(encoding="utf-8"), REGENERATE


def test_progress_matches_the_golden_json(outputs: tuple[str, str]) -> None:
    assert outputs[1] == PROGRESS_JSON.read_text(encoding="utf-8"), REGENERATE


def test_the_progress_json_is_valid_against_its_schema(data: Any) -> None:
    schema = json.loads(progress_schema_path().read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(data, schema)


def test_the_merged_template_fixes_are_done_and_security_is_in_progress(data: Any) -> None:
    status = {rec["id"]: rec["status"] for rec in data["recommendations"]}
    assert status["frontend-1"] == "done"
    assert status["security"] == "in progress"
    security = next(rec for rec in data["recommendations"] if rec["id"] == "security")
    assert security["findings"]["fixed"] == 2  # MD5 and the shell; the PIN came back
    assert data["summary"]["recommendations"] == {
        "done": 1,
        "in_progress": 1,
        "not_started": 9,
        "not_measurable": 0,
    }


def test_the_moved_function_is_still_open(data: Any) -> None:
    complexity = next(rec for rec in data["recommendations"] if rec["id"] == "complexity")
    assert complexity["findings"]["moved"] == 1
    assert complexity["status"] == "not started"
    new_paths = {
        f["path"] for f in data["new_debt"]["findings"] if f["rule_id"].startswith("radon")
    }
    assert not new_paths


def test_new_and_returning_debt_are_what_the_edits_introduced(data: Any) -> None:
    new = {(f["rule_id"], f["symbol"]) for f in data["new_debt"]["findings"]}
    assert ("bandit.B307", "preview_rule") in new
    assert ("testing.untested-module", None) in new
    assert [f["rule_id"] for f in data["new_debt"]["returning"]] == ["bandit.B311"]


def test_the_schedule_is_behind_and_the_burn_down_has_three_points(data: Any) -> None:
    assert data["schedule"]["status"] == "behind"
    assert data["schedule"]["started"] == "2025-01-06"
    assert [p["date"] for p in data["burndown"]] == ["2025-01-06", "2025-01-13", "2025-01-20"]
    hours = [p["remaining_hours"] for p in data["burndown"]]
    assert hours[0] > hours[1] == hours[2]


def test_metrics_moved_toward_and_away_from_their_targets(data: Any) -> None:
    metrics = {m["id"]: m for m in data["metrics"]}
    assert metrics["security_high"]["change"] == "better"
    assert metrics["frontend_findings"]["change"] == "better"
    assert metrics["untested_modules"]["change"] == "worse"


def test_the_markdown_charts_the_burn_down(outputs: tuple[str, str]) -> None:
    markdown = outputs[0]
    assert "```mermaid\nxychart-beta" in markdown
    assert 'x-axis ["2025-01-06", "2025-01-13", "2025-01-20"]' in markdown


@pytest.mark.parametrize(
    ("numbers", "ranges"),
    [
        ([], []),
        ([4], [(4, 4)]),
        ([1, 2, 3, 5, 7, 8], [(1, 3), (5, 5), (7, 8)]),
    ],
)
def test_overdue_pull_requests_are_listed_as_ranges(
    numbers: list[int], ranges: list[tuple[int, int]]
) -> None:
    assert number_ranges(numbers) == ranges
