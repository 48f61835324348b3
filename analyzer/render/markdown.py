"""The roadmap as Markdown, through the jinja2 templates in ``templates/``.

Rendering is strict: an undefined name or a ``None`` reaching the output is an error, so no
placeholder can leak. Every expression is escaped for Markdown unless it is marked safe;
the filters ``code`` and ``mermaid`` build safe code spans and Mermaid labels from
untrusted text (finding messages and paths come from the scanned repository).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path, PurePosixPath
from typing import Any

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from analyzer import __version__
from analyzer.completeness import assess_completeness
from analyzer.estimate import PRIORITIES, ReviewTime
from analyzer.group import Recommendation, load_kinds
from analyzer.metrics import aggregate
from analyzer.model import SEVERITIES, Finding
from analyzer.plan import Roadmap
from analyzer.render.escape import break_workflow_commands, escape_controls
from analyzer.render.plan_data import planned
from analyzer.report import Report
from analyzer.resources import templates_dir
from analyzer.rules import RuleBook, load_rulebook
from analyzer.success import SuccessMetric

TEMPLATE = "roadmap.md.j2"
TOP_FINDINGS = 5
TOP_RULES = 4
_SPECIAL = re.compile(r"([\\`*_{}\[\]<>|#~!&$])")
_INERT = re.compile(
    r"(?P<fence>`+)(?P<tick>[^`]+?)(?P=fence)(?!`)|(?:[A-Za-z][A-Za-z0-9+.-]*://|www\.)[^\s`]+"
)
_NEWLINES = re.compile(r"\s*[\r\n]+\s*")


def escape_markdown(text: str) -> str:
    """Inline text that cannot open a link, an HTML tag, emphasis, a table cell or math.

    URLs and `backticked` runs become code spans (inert, and never autolinked); a run
    holding ``|`` is escaped as text instead, so it cannot split a table cell.
    """
    text = escape_controls(_NEWLINES.sub(" ", text))
    pieces, last = [], 0
    for match in _INERT.finditer(text):
        inner = match.group("tick")
        if inner is not None and "|" in inner:
            continue
        pieces.append(_SPECIAL.sub(r"\\\1", text[last : match.start()]))
        pieces.append(code_span(match.group() if inner is None else inner))
        last = match.end()
    pieces.append(_SPECIAL.sub(r"\\\1", text[last:]))
    return "".join(pieces)


def code_span(text: object) -> Markup:
    """A code span that holds any text: the fence is longer than any backtick run inside."""
    value = break_workflow_commands(escape_controls(_NEWLINES.sub(" ", str(text))))
    longest = max((len(run) for run in re.findall(r"`+", value)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if value.startswith("`") or value.endswith("`") else ""
    return Markup(f"{fence}{pad}{value}{pad}{fence}")


def mermaid_label(text: object) -> Markup:
    """Text Mermaid's gantt syntax accepts as a task or section name."""
    value = escape_controls(re.sub(r"[:;#`\r\n]+", " ", str(text)))
    return Markup(re.sub(r"\s+", " ", value).strip() or "untitled")


def _finalize(value: object) -> object:
    if value is None:
        raise ValueError("a template tried to print None; the context is missing a value")
    if isinstance(value, Markup):
        return value
    if isinstance(value, str):
        return escape_markdown(value)
    return value


def make_environment(template_dir: Path | None = None) -> Environment:
    loaders = [FileSystemLoader(str(template_dir))] if template_dir is not None else []
    environment = Environment(
        loader=ChoiceLoader([*loaders, FileSystemLoader(str(templates_dir()))]),
        undefined=StrictUndefined,
        autoescape=False,
        finalize=_finalize,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    environment.filters["code"] = code_span
    environment.filters["mermaid"] = mermaid_label
    environment.filters["plural"] = plural
    environment.filters["number"] = format_number
    return environment


def check_templates(template_dir: Path) -> None:
    """Compile every template once, so a broken override fails before a long scan."""
    environment = make_environment(template_dir)
    for name in environment.list_templates(filter_func=lambda n: n.endswith(".j2")):
        environment.get_template(name)


def render_markdown(report: Report) -> str:
    full = planned(report)
    environment = make_environment(full.template_dir)
    text = environment.get_template(TEMPLATE).render(**build_context(full))
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


_SUPPRESSION_LABELS = {
    "inline": "inline with `# roadmap: ignore`",
    "rule-disabled": "by disabled rules",
    "path-ignored": "by per-path ignores (by default, asserts, fixture arguments and "
    "test credentials in tests)",
    "whitelisted": "as framework entry points (vulture whitelists and ignored decorators)",
}


def _suppression_counts(suppressed: Sequence[Finding]) -> list[dict[str, Any]]:
    counts = Counter(str(f.suppressed_by or "inline") for f in suppressed)
    return [
        {"count": counts[reason], "label": label}
        for reason, label in _SUPPRESSION_LABELS.items()
        if counts.get(reason)
    ]


def tool_label(tool: str, version: str) -> str:
    """ "bandit 1.9.4"; versions that already name their tool ("repo-roadmap 0.1.0") stay."""
    if not tool or version.startswith(tool) or " " in version:
        return version
    return f"{tool} {version}"


def plural(count: int | float, noun: str, many: str | None = None) -> str:
    word = noun if count == 1 else (many or f"{noun}s")
    return f"{format_number(count)} {word}"


def format_number(value: int | float) -> str:
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.1f}"
    return f"{int(value):,}"


def build_context(report: Report) -> dict[str, Any]:
    """Everything the templates print, computed here so templates only lay it out."""
    roadmap = report.roadmap
    assert roadmap is not None
    result = report.result
    kinds = load_kinds(report.rule_dirs)
    recs = report.recommendations
    start = report.generated_on or date.today()
    rulebook = load_rulebook(report.rule_dirs)
    titles = {rec.id: rec.title for rec in recs}
    views = {rec.id: _recommendation_view(rec, roadmap, rulebook, titles) for rec in recs}
    return {
        "project": _project_name(report),
        "root": report.root_label,
        "generated_on": start.isoformat(),
        "tool_version": __version__,
        "commit": (result.target.git_commit or "")[:12],
        "branch": result.target.git_branch or "",
        "files_scanned": result.target.files_scanned,
        "lines": result.target.lines,
        "analyzers": [
            {
                "name": run.name,
                "version": tool_label(run.tool, run.tool_version),
                "status": run.status,
                "error": run.error or "",
            }
            for run in result.analyzers
        ],
        # Files some analyzer could not analyze (the same count every output gives).
        "errors": len(assess_completeness(result).unanalyzed_files),
        "suppressed": len(result.suppressed),
        "suppressed_by": _suppression_counts(result.suppressed),
        "findings_total": len(result.findings),
        "by_severity": [
            {"severity": s, "count": n}
            for s, n in aggregate(result.measures, result.findings).by_severity.items()
            if n
        ],
        "recommendations": sorted(views.values(), key=lambda view: view["phase"]),
        "phases": [_phase_view(phase, views, start) for phase in roadmap.phases],
        "metric_groups": _metric_groups(roadmap.metrics),
        "unmeasured": [m for m in roadmap.metrics if m.baseline is None],
        "measured": [m for m in roadmap.metrics if m.baseline is not None],
        "kinds": [
            {
                "id": k.id,
                "title": k.title,
                "emoji": k.emoji,
                "communicate": k.communicate,
                "reviewers": list(k.reviewers),
                "recs": [views[r.id] for r in recs if r.kind == k.id],
            }
            for k in kinds.kinds
            if any(r.kind == k.id for r in recs)
        ],
        "risky": [views[r.id] for r in recs if r.risk.level != "low"],
        "totals": _totals(recs, roadmap),
        "settings": roadmap.settings,
    }


def _project_name(report: Report) -> str:
    if report.result.target.name:
        return report.result.target.name
    label = PurePosixPath(report.root_label.replace("\\", "/")).name
    return label or PurePosixPath(report.result.target.root.replace("\\", "/")).name or "project"


def _recommendation_view(
    rec: Recommendation, roadmap: Roadmap, rulebook: RuleBook, titles: dict[str, str]
) -> dict[str, Any]:
    phase = next(p for p in roadmap.phases if rec.id in p.recommendation_ids)
    top = sorted(rec.findings, key=_importance)[:TOP_FINDINGS]
    rules: dict[str, dict[str, Any]] = {}
    for finding in sorted(rec.findings, key=_importance):
        entry = rules.setdefault(
            finding.rule_id,
            {
                "label": rulebook.lookup(finding.tool, finding.tool_code).title,
                "count": 0,
                "rank": len(rules),
            },
        )
        entry["count"] += 1
    return {
        "id": rec.id,
        "kind": rec.kind,
        "title": rec.title,
        "emoji": rec.emoji,
        "scope": rec.scope,
        "at_root": rec.scope == ".",
        "phase": phase.number,
        "priority": rec.priority.capitalize(),
        "priority_reason": rec.priority_reason,
        "high_priority": rec.priority in PRIORITIES[:2],
        "effort_size": rec.effort.size,
        "effort_hours": rec.effort.hours,
        "risk": rec.risk.level.capitalize(),
        "risk_level": rec.risk.level,
        "risk_reasons": [
            {"factor": r.factor, "text": r.text[:1].upper() + r.text[1:]} for r in rec.risk.reasons
        ],
        "review_time": rec.review_time.label,
        "changed_lines": rec.changed_lines,
        "depends_on": [{"id": dep, "title": titles[dep]} for dep in rec.depends_on],
        "files": list(rec.files),
        "finding_count": len(rec.findings),
        "top_findings": [_finding_view(f) for f in top],
        "more_findings": len(rec.findings) - len(top),
        # Most severe first, so a dozen asserts in tests do not hide one shell injection.
        "rules": list(rules.values())[:TOP_RULES],
        "more_rules": max(0, len(rules) - TOP_RULES),
    }


def _importance(finding: Finding) -> tuple[int, int, str, int]:
    return (
        SEVERITIES.index(finding.severity),
        ("high", "medium", "low").index(finding.confidence),
        finding.path,
        finding.line,
    )


def _finding_view(finding: Finding) -> dict[str, Any]:
    return {
        # Project-wide findings (a missing document) sit on the root, ".", not on a line.
        "location": "(project)" if finding.path == "." else f"{finding.path}:{finding.line}",
        "message": finding.message,
        "rule_id": finding.rule_id,
        "severity": finding.severity,
        "confidence": finding.confidence,
    }


def _phase_view(phase: Any, views: dict[str, dict[str, Any]], start: date) -> dict[str, Any]:
    return {
        "number": phase.number,
        "name": phase.name,
        "weeks": phase.weeks_label,
        "days": phase.end_day - phase.start_day,
        "recs": [views[rec_id] for rec_id in phase.recommendation_ids],
        "work": [
            {
                "rec": views[work.recommendation_id],
                "developer": work.developer,
                "start": working_day(start, work.start_day).isoformat(),
                "days": work.days,
            }
            for work in phase.work
        ],
    }


def working_day(start: date, offset: int) -> date:
    """``offset`` working days (Monday-Friday) after the first working day from ``start``."""
    day = start
    while day.weekday() >= 5:
        day += timedelta(days=1)
    for _ in range(offset):
        day += timedelta(days=1)
        while day.weekday() >= 5:
            day += timedelta(days=1)
    return day


def _metric_groups(metrics: tuple[SuccessMetric, ...]) -> list[dict[str, Any]]:
    groups: dict[str, list[dict[str, Any]]] = {}
    for metric in metrics:
        groups.setdefault(metric.group, []).append(_metric_view(metric))
    return [{"name": name, "metrics": items} for name, items in groups.items()]


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
        return metric.baseline <= metric.target
    return metric.baseline >= metric.target and metric.target_note != "no regression"


def _totals(recs: tuple[Recommendation, ...], roadmap: Roadmap) -> dict[str, Any]:
    review = ReviewTime(
        low_minutes=sum(r.review_time.low_minutes for r in recs),
        high_minutes=sum(r.review_time.high_minutes for r in recs),
    )
    return {
        "weeks": roadmap.total_weeks,
        "days": roadmap.total_days,
        "prs": len(recs),
        "high_priority": sum(1 for r in recs if r.priority in PRIORITIES[:2]),
        "critical": sum(1 for r in recs if r.priority == "critical"),
        "effort_hours": round(sum(r.effort.hours for r in recs), 1),
        "review": review.label if recs else "none",
        "changed_lines": sum(r.changed_lines for r in recs),
        "findings": sum(len(r.findings) for r in recs),
        "phases": len(roadmap.phases),
    }
