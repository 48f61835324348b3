"""The success metrics as the Markdown shows them: measured ones by group, the ones that do
not apply in one line, and those measured outside the code in a short table of their own."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from analyzer.planning.metrics.success import SuccessMetric
from analyzer.render.numbers import format_number


def metrics_context(metrics: Sequence[SuccessMetric]) -> dict[str, Any]:
    code = [m for m in metrics if not m.outside_code]
    groups: dict[str, list[dict[str, Any]]] = {}
    for metric in code:
        if metric.applicable:
            groups.setdefault(metric.group, []).append(_metric_view(metric))
    absent: dict[str, list[str]] = {}
    for metric in code:
        if not metric.applicable:
            absent.setdefault(metric.absent_reason, []).append(metric.name)
    return {
        "metric_groups": [{"name": name, "metrics": items} for name, items in groups.items()],
        "not_applicable": [
            {"names": _join(names), "reason": reason} for reason, names in absent.items()
        ],
        "outside": [_metric_view(m) for m in metrics if m.outside_code],
        "unmeasured": [m for m in code if m.applicable and m.baseline is None],
        "measured": [m for m in code if m.applicable and m.baseline is not None],
    }


def _metric_view(metric: SuccessMetric) -> dict[str, Any]:
    symbol = "≤ " if metric.comparison == "at_most" and metric.target != 0 else ""
    symbol = "≥ " if metric.comparison == "at_least" else symbol
    if metric.target is None:
        # Relative to a baseline this scan could not measure: the note is the whole target.
        target = f"{metric.target_note} from the measured baseline" if metric.target_note else "—"
    else:
        target = f"{symbol}{format_number(metric.target)}"
        if metric.target_note:
            target = f"{target} ({metric.target_note})"
    return {
        "id": metric.id,
        "name": metric.name,
        "unit": metric.unit,
        "measured": metric.baseline is not None,
        "baseline": "not measured" if metric.baseline is None else format_number(metric.baseline),
        "target": target,
        "method": metric.method,
        "reason": metric.not_measured_reason or "",
        "met": metric.baseline is not None and metric.target is not None and _met(metric),
    }


def _met(metric: SuccessMetric) -> bool:
    assert metric.baseline is not None and metric.target is not None
    if metric.comparison == "at_most":
        return metric.baseline <= metric.target and "no regression" not in metric.target_note
    return metric.baseline >= metric.target and "no regression" not in metric.target_note


def _join(names: Sequence[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
