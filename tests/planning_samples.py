"""Findings and scan results made up for the planning tests (no analyzer runs)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import replace

from hypothesis import strategies as st

from analyzer.discover.history import History
from analyzer.model import AnalyzerRun, Finding, Measure, Scalar, ScanResult, Target
from analyzer.planning.group import Recommendation
from analyzer.planning.roadmap import Roadmap, load_planning, plan_roadmap
from analyzer.planning.settings import PlanSettings

# (category, tool, codes): a mix of the bundled tools and categories no kind names.
CATALOGUE: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("security", "bandit", ("B101", "B602", "B301", "B105")),
    ("typing", "mypy", ("arg-type", "union-attr")),
    ("dead-code", "vulture", ("unused-import", "unused-function")),
    ("complexity", "radon", ("CC-C", "CC-D")),
    ("api", "api", ("unauthenticated-write",)),
    ("testing", "testing", ("untested-module",)),
    ("documentation", "documentation", ("missing-docstring",)),
    ("mystery", "thirdparty", ("X1",)),
)
PATHS = (
    "app/core/config.py", "app/core/security.py", "app/api/routes.py", "app/api/deps.py",
    "app/db/models.py", "app/services/backup.py", "app/services/scanner.py", "tests/test_config.py",
    "manage.py",
)  # fmt: skip


def make_finding(
    *,
    category: str = "security",
    tool: str = "bandit",
    code: str = "B602",
    path: str = "app/core/config.py",
    line: int = 1,
    severity: str = "medium",
    confidence: str = "high",
    symbol: str | None = None,
    details: Sequence[tuple[str, Scalar]] = (),
) -> Finding:
    digest = hashlib.sha1(f"{tool}{code}{path}{line}{severity}{details}".encode()).hexdigest()[:20]
    return Finding(
        fingerprint=digest,
        rule_id=f"{tool}.{code}",
        tool=tool,
        tool_code=code,
        category=category,
        severity=severity,  # type: ignore[arg-type]
        confidence=confidence,  # type: ignore[arg-type]
        message=f"{code} at {path}:{line}",
        path=path,
        line=line,
        column=1,
        end_line=None,
        end_column=None,
        symbol=symbol,
        cwe=None,
        details=tuple(details),
    )


@st.composite
def findings(draw: st.DrawFn) -> Finding:
    category, tool, codes = draw(st.sampled_from(CATALOGUE))
    units = draw(st.integers(min_value=0, max_value=60))
    return make_finding(
        category=category,
        tool=tool,
        code=draw(st.sampled_from(codes)),
        path=draw(st.sampled_from(PATHS)),
        line=draw(st.integers(min_value=1, max_value=400)),
        severity=draw(st.sampled_from(("high", "medium", "low", "info"))),
        confidence=draw(st.sampled_from(("high", "medium", "low"))),
        details=(("units", units), ("size", units), ("complexity", units + 10)),
    )


def finding_lists(max_size: int = 60) -> st.SearchStrategy[list[Finding]]:
    return st.lists(findings(), max_size=max_size, unique_by=lambda f: f.fingerprint)


def scan_result(
    found: Sequence[Finding],
    measures: Sequence[Measure] = (),
    analyzers: Sequence[AnalyzerRun] = (),
) -> ScanResult:
    return ScanResult(
        target=Target(
            root="/repo", files_scanned=9, lines=900, git_commit="abc", git_branch="main"
        ),
        analyzers=tuple(analyzers),
        findings=tuple(found),
        measures=tuple(measures),
        errors=(),
    )


def ran(name: str, status: str = "ok", error: str | None = None) -> AnalyzerRun:
    return AnalyzerRun(
        name=name, tool_version="1", status=status, duration_s=0.0, files=1, error=error
    )  # type: ignore[arg-type]


PLANNING = load_planning()


def plan(
    found: Sequence[Finding],
    settings: PlanSettings | None = None,
    history: History | None = None,
    measures: Sequence[Measure] = (),
    analyzers: Sequence[AnalyzerRun] = (),
) -> tuple[tuple[Recommendation, ...], Roadmap]:
    """Plan made-up findings with the bundled rules (and ``settings`` when given)."""
    planning = PLANNING if settings is None else replace(PLANNING, settings=settings)
    return plan_roadmap(scan_result(found, measures, analyzers), planning, history)
