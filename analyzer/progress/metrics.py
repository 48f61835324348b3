"""How each success metric moved: its baseline in the plan, its value now, its target, and
the share of the way from one to the other."""

from __future__ import annotations

from collections.abc import Mapping

from analyzer.progress.outcome import Measured, MetricChange, MetricProgress
from analyzer.progress.snapshot import Comparison, MetricReading, Snapshot


def compare_metrics(
    plan: Snapshot, now: Snapshot, directions: Mapping[str, Comparison]
) -> tuple[MetricProgress, ...]:
    """Every metric of the plan, then those only the scan made now has, in report order.

    ``directions``: which way is better for each metric id, for reports before schema 1.2
    that do not say (the bundled metrics of the same id)."""
    current = {metric.id: metric for metric in now.metrics}
    planned = {metric.id: metric for metric in plan.metrics}
    shown = [
        _progress(metric, current.get(metric.id), directions)
        for metric in plan.metrics
        if metric.applicable or _applies(current.get(metric.id))
    ]
    shown += [
        _progress(None, metric, directions)
        for metric in now.metrics
        if metric.id not in planned and metric.applicable
    ]
    return tuple(shown)


def _applies(metric: MetricReading | None) -> bool:
    return metric is not None and metric.applicable


def _progress(
    then: MetricReading | None, now: MetricReading | None, directions: Mapping[str, Comparison]
) -> MetricProgress:
    reading = then or now
    assert reading is not None
    baseline = then.value if then else None
    value = now.value if now else None
    target = then.target if then else None
    comparison = _comparison(then, now, directions)
    return MetricProgress(
        id=reading.id,
        name=reading.name,
        unit=reading.unit,
        baseline=baseline,
        now=value,
        target=target,
        comparison=comparison,
        share=_share(baseline, value, target),
        change=_change(baseline, value, comparison),
        measured=_measured(baseline, value),
        note=_note(then, now),
    )


def _comparison(
    then: MetricReading | None, now: MetricReading | None, directions: Mapping[str, Comparison]
) -> Comparison | None:
    for reading in (then, now):
        if reading is not None and reading.comparison is not None:
            return reading.comparison
    reading = then or now
    assert reading is not None
    if reading.id in directions:
        return directions[reading.id]
    if then is not None and then.value is not None and then.target is not None:
        if then.target < then.value:
            return "at_most"
        if then.target > then.value:
            return "at_least"
    return None


def _share(baseline: float | None, now: float | None, target: float | None) -> float | None:
    if baseline is None or now is None or target is None or target == baseline:
        return None
    return round((now - baseline) / (target - baseline), 3)


def _change(
    baseline: float | None, now: float | None, comparison: Comparison | None
) -> MetricChange | None:
    if baseline is None or now is None:
        return None
    if now == baseline:
        return "unchanged"
    if comparison is None:
        return None
    lower_is_better = comparison == "at_most"
    return "better" if (now < baseline) == lower_is_better else "worse"


def _measured(baseline: float | None, now: float | None) -> Measured:
    if baseline is not None:
        return "both" if now is not None else "then only"
    return "now only" if now is not None else "neither"


def _note(then: MetricReading | None, now: MetricReading | None) -> str:
    if then is None:
        return "not in the earlier report"
    measured_then = then.value is not None
    measured_now = now is not None and now.value is not None
    if not measured_then and measured_now:
        return "not measured in the earlier report; measured now"
    if measured_then and not measured_now:
        reason = now.not_measured_reason if now is not None else None
        return f"not measured now: {reason}" if reason else "not measured now"
    if not measured_then:
        return "not measured"
    if then.target is not None and then.target == then.value:
        return "target: no regression"
    return ""
