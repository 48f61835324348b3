"""roadmap progress, reading a report: untrusted data, older schema versions, one-line errors."""

from __future__ import annotations

import copy
import json
from datetime import date
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analyzer.progress.read import ReportError, parse_report
from tests.golden_roadmap import JSON as GOLDEN_REPORT
from tests.progress_samples import finding, metric, recommendation, report


def parse(document: object) -> Any:
    return parse_report(json.dumps(document).encode(), "earlier.json")


def refused(document: object | bytes) -> str:
    data = document if isinstance(document, bytes) else json.dumps(document).encode()
    with pytest.raises(ReportError) as caught:
        parse_report(data, "earlier.json")
    message = str(caught.value)
    assert message.startswith("earlier.json: ") and "\n" not in message
    return message


def sample() -> dict[str, Any]:
    return report(
        [finding("f1"), finding("f2", severity="low")],
        [recommendation("security", ["f1", "f2"], weeks=(2, 3))],
        metrics=[metric("security_high", 1, 0)],
        commit="abc123",
    )


def test_a_report_of_schema_1_2_is_read_whole() -> None:
    snapshot = parse(sample())
    assert snapshot.generated_on == date(2025, 1, 6)
    assert (snapshot.name, snapshot.root, snapshot.commit) == ("shop", "shop", "abc123")
    assert [f.fingerprint for f in snapshot.findings] == ["f1", "f2"]
    rec = snapshot.recommendations[0]
    assert (rec.start_week, rec.end_week, rec.hours, rec.finding_ids) == (2, 3, 4.0, ("f1", "f2"))
    assert snapshot.metrics[0].comparison == "at_most"
    assert snapshot.verified_tools == {"bandit", "vulture", "mypy"}


def test_the_golden_report_reads() -> None:
    snapshot = parse_report(GOLDEN_REPORT.read_bytes(), "noxpanel.report.json")
    assert len(snapshot.findings) == sum(len(r.finding_ids) for r in snapshot.recommendations)
    assert snapshot.phases and snapshot.metrics


def test_a_report_of_schema_1_1_has_no_date_and_no_metric_direction() -> None:
    old = sample()
    old["schema_version"] = "1.1"
    del old["generated_on"]
    for item in old["roadmap"]["metrics"]:
        del item["comparison"]
    snapshot = parse(old)
    assert snapshot.generated_on is None
    assert snapshot.metrics[0].comparison is None


def test_a_report_of_schema_1_0_without_weeks_is_read() -> None:
    old = sample()
    old["schema_version"] = "1.0"
    del old["generated_on"]
    for rec in old["recommendations"]:
        for key in ("start_week", "end_week", "scheduled", "priority_reason", "value"):
            rec.pop(key, None)
    old["roadmap"] = {"phases": [{"name": "Phase 1", "recommendation_ids": ["security"]}]}
    snapshot = parse(old)
    assert not snapshot.recommendations[0].scheduled
    assert snapshot.phases[0].first_week is None


def test_another_major_version_is_refused_saying_which_are_read() -> None:
    newer = {**sample(), "schema_version": "2.0"}
    message = refused(newer)
    assert "schema_version 2.0" in message and "1.0 to 1.2" in message


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        ({"version": 1, "tool": {}, "findings": []}, "looks like a baseline file"),
        ({"version": "2.1.0", "runs": []}, "not a repo-roadmap JSON report"),
        ({"schema_version": "1.2", "tool": {"name": "other"}}, "not a repo-roadmap JSON report"),
        ([1, 2], "the report must be a JSON object"),
    ],
)
def test_what_is_not_a_report_says_so(document: object, expected: str) -> None:
    assert expected in refused(document)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"\xff\xfe", "not UTF-8"),
        (b'{"a": ', "not JSON"),
        (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
        (b'{"schema_version": "1.2", "x": NaN}', "NaN is not a number"),
        (b'{"n": ' + b"9" * 5000 + b"}", "not a report"),
    ],
)
def test_bytes_that_are_not_json_are_one_line(data: bytes, expected: str) -> None:
    assert expected in refused(data)


def _set(document: dict[str, Any], path: str, value: object) -> dict[str, Any]:
    changed = copy.deepcopy(document)
    *parents, last = path.split("/")
    target: Any = changed
    for part in parents:
        target = target[int(part)] if isinstance(target, list) else target[part]
    key: Any = int(last) if isinstance(target, list) else last
    if value is _DELETE:
        del target[key]
    else:
        target[key] = value
    return changed


_DELETE = object()


@pytest.mark.parametrize(
    ("path", "value", "expected"),
    [
        ("findings", {"a": 1}, "findings must be a list"),
        ("findings", _DELETE, "findings is missing"),
        ("findings/0/fingerprint", 7, "findings[0].fingerprint must be a string"),
        ("findings/1/severity", "critical", "findings[1].severity must be one of high"),
        ("findings/0/line", True, "findings[0].line must be an integer"),
        (
            "recommendations/0/effort/hours",
            -1,
            "recommendations[0].effort.hours must be at least 0",
        ),
        ("recommendations/0/effort/hours", "4", "must be a number or null"),
        ("recommendations/0/end_week", _DELETE, "end_week must follow start_week"),
        ("recommendations/0/start_week", 10**6, "start_week must be from 1 to 520"),
        ("recommendations/0/finding_ids", ["f1", 3], "finding_ids[1] must be a string"),
        ("generated_on", "yesterday", "generated_on must be a date"),
        ("generated_on", "2025-02-30", "generated_on must be a date"),
        ("roadmap/metrics/0/comparison", "down", "comparison must be at_most or at_least"),
        ("roadmap/metrics/0/baseline", 1e400, "Infinity is not a number"),
        ("roadmap/metrics/0/baseline", 2**60, "must be a number or null"),
        ("roadmap/metrics/0/target", -1e300, "must be a number or null"),
        ("recommendations/0/effort/hours", 1e308, "must be a number or null"),
        ("roadmap/phases", "all", "roadmap.phases must be a list"),
        ("target", [], "target must be an object"),
        ("analyzers/0", "bandit", "analyzers[0] must be an object"),
    ],
)
def test_a_field_of_the_wrong_type_is_named(path: str, value: object, expected: str) -> None:
    assert expected in refused(_set(sample(), path, value))


def test_a_recommendation_id_listed_twice_is_refused() -> None:
    document = sample()
    document["recommendations"].append(document["recommendations"][0])
    assert "'security' appears twice" in refused(document)


def test_missing_decoration_falls_back_to_stated_defaults() -> None:
    document = sample()
    for key in ("title", "kind", "priority", "effort"):
        del document["recommendations"][0][key]
    del document["findings"][0]["message"]
    snapshot = parse(document)
    rec = snapshot.recommendations[0]
    assert (rec.title, rec.kind, rec.hours) == ("security", "", 0.0)
    assert snapshot.findings[0].message == ""


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=8,
)


def _paths(value: Any, prefix: str = "") -> list[str]:
    found = []
    items = (
        enumerate(value)
        if isinstance(value, list)
        else value.items()
        if isinstance(value, dict)
        else ()
    )
    for key, child in items:
        path = f"{prefix}/{key}" if prefix else str(key)
        found.append(path)
        found.extend(_paths(child, path))
    return found


_PATHS = _paths(sample())


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(_PATHS), _JSON)
def test_any_field_replaced_by_any_json_reads_or_is_one_line(path: str, value: object) -> None:
    document = _set(sample(), path, value)
    try:
        parse(document)
    except ReportError as exc:
        assert "\n" not in str(exc)
