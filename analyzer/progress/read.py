"""Read a JSON report into a ``Snapshot``: the one door for a report from elsewhere.

A report handed to ``roadmap progress`` may come from a CI artifact, another machine or
another version of this tool: it is untrusted data. Its size is capped by the caller, NaN
and infinities are refused, and every field is checked for presence and type; anything
wrong is one ``ReportError`` naming the field, never a traceback. Fields progress can do
without (a title, a metric's unit) fall back to a stated default.

Reports of schema 1.x are read: 1.0 and 1.1 carry no date (``--since`` supplies one) and no
metric direction (the bundled metric of the same id supplies it). Another major version,
or a file that is not a report (a baseline, SARIF), is refused with a message saying so.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import date
from typing import Any, Final, TypeVar

from analyzer.model import SEVERITIES, Severity
from analyzer.progress.snapshot import (
    AnalyzerStatus,
    Comparison,
    MetricReading,
    PastFinding,
    PlannedPhase,
    PlannedRecommendation,
    Snapshot,
)

# Reports of large projects run to tens of megabytes; this bounds a hostile or wrong file.
REPORT_LIMIT: Final = 256 * 1024 * 1024
READABLE: Final = "1.0 to 1.2"
# Week numbers beyond this are not a plan (ten years of weeks) but a broken file.
MAX_WEEK: Final = 520
_LARGEST_NUMBER: Final = 2**53
_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_VERSION = re.compile(r"^(?P<major>[0-9]{1,4})\.(?P<minor>[0-9]{1,4})$")
_COMPARISONS: tuple[Comparison, ...] = ("at_most", "at_least")
_T = TypeVar("_T")
_MISSING: Any = object()


class ReportError(ValueError):
    """The file is not a report ``roadmap progress`` can read; the message says why."""


def parse_report(data: bytes, source: str) -> Snapshot:
    """The report in ``data`` (the bytes of a file named ``source``)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ReportError(f"{source}: not UTF-8 text ({exc.reason})") from exc
    try:
        document = json.loads(text, parse_constant=_refuse_constant)
    except json.JSONDecodeError as exc:
        raise ReportError(f"{source}: not JSON: {exc.msg} (line {exc.lineno})") from exc
    except RecursionError as exc:
        raise ReportError(f"{source}: not a report: JSON nested too deeply") from exc
    except ValueError as exc:
        raise ReportError(f"{source}: not a report: {exc}") from exc
    return snapshot_of(document, source)


def _refuse_constant(name: str) -> object:
    raise ValueError(f"{name} is not a number a report holds")


def snapshot_of(document: object, source: str) -> Snapshot:
    """A report already decoded from JSON (the scan made now is built this way too)."""
    top = _Fields(document, "", source, what="a JSON object")
    version = _check_version(top, source)
    target = top.child("target")
    analyzers = top.objects("analyzers")
    roadmap = top.child("roadmap")
    recommendations = tuple(_recommendation(item) for item in top.objects("recommendations"))
    _check_unique([rec.id for rec in recommendations], source, "recommendations[].id")
    return Snapshot(
        source=source,
        schema_version=version,
        generated_on=_date(top),
        root=target.text("root", "") if target else "",
        name=target.optional_text("name") if target else None,
        commit=_commit(target),
        scan_complete=top.boolean("scan_complete", True),
        findings=tuple(_finding(item) for item in top.objects("findings")),
        suppressed=frozenset(item.text("fingerprint") for item in top.objects("suppressed", [])),
        analyzers=tuple(
            AnalyzerStatus(
                name=item.text("name"), tool=item.text("tool", ""), status=item.text("status")
            )
            for item in analyzers
        ),
        error_paths=frozenset(item.text("path") for item in top.objects("errors", [])),
        recommendations=recommendations,
        phases=tuple(_phase(item) for item in roadmap.objects("phases", [])) if roadmap else (),
        metrics=tuple(_metric(item) for item in roadmap.objects("metrics", [])) if roadmap else (),
    )


def _check_version(top: _Fields, source: str) -> str:
    version = top.raw("schema_version")
    if version is _MISSING:
        hint = (
            " (it looks like a baseline file; progress needs a JSON report: "
            "roadmap scan -f json -o FILE)"
            if {"version", "findings"} <= top.keys()
            else " (write one with: roadmap scan -f json -o FILE)"
        )
        raise ReportError(f"{source}: not a repo-roadmap JSON report: no schema_version{hint}")
    tool = top.child("tool")
    if not isinstance(version, str) or tool is None or tool.raw("name") != "repo-roadmap":
        raise ReportError(f"{source}: not a repo-roadmap JSON report")
    match = _VERSION.match(version)
    if match is None or match.group("major") != "1":
        raise ReportError(
            f"{source}: schema_version {version} is not one this version of roadmap reads "
            f"({READABLE}); compare it with the repo-roadmap version that wrote it"
        )
    return version


def _date(top: _Fields) -> date | None:
    value = top.optional_text("generated_on")
    if value is None:
        return None
    try:
        if not _DATE.match(value):
            raise ValueError
        return date.fromisoformat(value)
    except ValueError:
        raise top.error("generated_on", "must be a date (YYYY-MM-DD)") from None


def _commit(target: _Fields | None) -> str | None:
    git = target.child("git") if target else None
    return git.optional_text("commit") if git else None


def _finding(item: _Fields) -> PastFinding:
    rule_id = item.text("rule_id")
    return PastFinding(
        fingerprint=item.text("fingerprint"),
        rule_id=rule_id,
        tool=item.text("tool", rule_id.split(".", 1)[0]),
        category=item.text("category", ""),
        severity=item.choice("severity", SEVERITIES),
        message=item.text("message", ""),
        path=item.text("path", ""),
        line=item.integer("line", 0, low=0),
        symbol=item.optional_text("symbol"),
    )


def _recommendation(item: _Fields) -> PlannedRecommendation:
    identifier = item.text("id")
    effort = item.child("effort")
    start = item.optional_integer("start_week", low=1, high=MAX_WEEK)
    end = item.optional_integer("end_week", low=1, high=MAX_WEEK)
    if (start is None) != (end is None) or (start is not None and end is not None and end < start):
        raise item.error("end_week", "must follow start_week (both or neither)")
    return PlannedRecommendation(
        id=identifier,
        kind=item.text("kind", ""),
        title=item.text("title", identifier),
        priority=item.text("priority", ""),
        hours=effort.number("hours", 0.0, low=0.0) if effort else 0.0,
        finding_ids=item.texts("finding_ids"),
        start_week=start,
        end_week=end,
        ratchet=bool(item.texts("gated_rules")),
    )


def _phase(item: _Fields) -> PlannedPhase:
    weeks = item.child("weeks")
    return PlannedPhase(
        name=item.text("name", ""),
        first_week=weeks.optional_integer("first", low=1, high=MAX_WEEK) if weeks else None,
        last_week=weeks.optional_integer("last", low=1, high=MAX_WEEK) if weeks else None,
        recommendation_ids=item.texts("recommendation_ids"),
    )


def _metric(item: _Fields) -> MetricReading:
    identifier = item.text("id")
    comparison = item.raw("comparison")
    if comparison is not _MISSING and comparison not in _COMPARISONS:
        raise item.error("comparison", "must be at_most or at_least")
    return MetricReading(
        id=identifier,
        name=item.text("name", identifier),
        unit=item.text("unit", ""),
        value=item.optional_number("baseline"),
        target=item.optional_number("target"),
        comparison=None if comparison is _MISSING else comparison,
        applicable=item.boolean("applicable", True),
        not_measured_reason=item.optional_text("not_measured_reason"),
    )


def _check_unique(values: list[str], source: str, where: str) -> None:
    seen: set[str] = set()
    for value in values:
        if value in seen:
            raise ReportError(f"{source}: {where} {value!r} appears twice")
        seen.add(value)


class _Fields:
    """One JSON object of the report, read field by field with its place named in errors."""

    def __init__(self, value: object, where: str, source: str, *, what: str = "an object"):
        self._source, self._where = source, where
        if not isinstance(value, dict):
            raise ReportError(f"{source}: {where or 'the report'} must be {what}")
        self._data: dict[str, object] = value

    def error(self, key: str, problem: str) -> ReportError:
        place = f"{self._where}.{key}" if self._where else key
        return ReportError(f"{self._source}: {place} {problem}")

    def keys(self) -> frozenset[str]:
        return frozenset(self._data)

    def raw(self, key: str) -> object:
        return self._data.get(key, _MISSING)

    def _get(self, key: str, default: _T, check: Callable[[object], bool], problem: str) -> Any:
        value = self._data.get(key, _MISSING)
        if value is _MISSING or (value is None and default is not _MISSING):
            if default is _MISSING:
                raise self.error(key, "is missing")
            return default
        if not check(value):
            raise self.error(key, problem)
        return value

    def text(self, key: str, default: str = _MISSING) -> str:
        value: str = self._get(key, default, _is_text, "must be a string")
        return value

    def optional_text(self, key: str) -> str | None:
        value: str | None = self._get(key, None, _is_text, "must be a string or null")
        return value

    def boolean(self, key: str, default: bool) -> bool:
        value: bool = self._get(key, default, _is_bool, "must be true or false")
        return value

    def number(self, key: str, default: float, *, low: float) -> float:
        value = self.optional_number(key)
        if value is None:
            return default
        if value < low:
            raise self.error(key, f"must be at least {low:g}")
        return value

    def optional_number(self, key: str) -> float | None:
        value = self._get(key, None, _is_number, "must be a number or null")
        return None if value is None else float(value)

    def integer(self, key: str, default: int, *, low: int) -> int:
        value = self.optional_integer(key, low=low, high=None)
        return default if value is None else value

    def optional_integer(self, key: str, *, low: int, high: int | None) -> int | None:
        value: int | None = self._get(key, None, _is_integer, "must be an integer")
        if value is not None and (value < low or (high is not None and value > high)):
            bound = f"from {low} to {high}" if high is not None else f"at least {low}"
            raise self.error(key, f"must be {bound}")
        return value

    def choice(self, key: str, allowed: tuple[Severity, ...]) -> Severity:
        value = self._data.get(key, _MISSING)
        for option in allowed:
            if value == option:
                return option
        raise self.error(key, f"must be one of {', '.join(allowed)}")

    def texts(self, key: str) -> tuple[str, ...]:
        items = self._get(key, [], _is_list, "must be a list")
        for index, item in enumerate(items):
            if not isinstance(item, str):
                raise self.error(f"{key}[{index}]", "must be a string")
        return tuple(items)

    def objects(self, key: str, default: list[object] = _MISSING) -> list[_Fields]:
        items = self._get(key, default, _is_list, "must be a list")
        place = f"{self._where}.{key}" if self._where else key
        return [_Fields(item, f"{place}[{n}]", self._source) for n, item in enumerate(items)]

    def child(self, key: str) -> _Fields | None:
        value = self._data.get(key)
        if value is None:
            return None
        place = f"{self._where}.{key}" if self._where else key
        return _Fields(value, place, self._source)


def _is_text(value: object) -> bool:
    return isinstance(value, str)


def _is_bool(value: object) -> bool:
    return isinstance(value, bool)


def _is_list(value: object) -> bool:
    return isinstance(value, list)


def _is_integer(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: object) -> bool:
    # Bounded like an integer JSON can carry exactly: a 1e308 effort or metric would
    # overflow to infinity in the sums and shares progress computes.
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    return abs(value) < _LARGEST_NUMBER
