"""Group findings into recommendations: one recommendation is one pull request.

Which findings go together is data (``rules/recommendations.toml``). Every finding lands in
exactly one kind; a kind whose estimated diff exceeds the review budget is split by
directory, then file, then line range into parts that each fit.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from analyzer.estimate import (
    PRIORITIES,
    CodeFacts,
    EffortEstimate,
    Priority,
    ReviewTime,
    Risk,
    assess_priority,
    assess_risk,
    changed_lines,
    estimate_effort,
    estimate_review_time,
)
from analyzer.model import Finding
from analyzer.plan_settings import PlanSettings, rule_matches
from analyzer.resources import rules_dir
from analyzer.rules import RuleBook, RuleError
from analyzer.tables import TableReader, read_toml

_KIND_KEYS = {
    "title", "emoji", "categories", "rules", "priority", "escalate", "catch_all",
    "depends_on", "theme", "reviewers", "communicate", "changes_code",
}  # fmt: skip


@dataclass(frozen=True, kw_only=True, slots=True)
class RecommendationKind:
    id: str
    title: str
    emoji: str
    categories: tuple[str, ...]
    rules: tuple[str, ...]
    priority: Priority
    escalate: bool
    catch_all: bool
    depends_on: tuple[str, ...]
    theme: str
    reviewers: tuple[str, ...]
    communicate: str
    changes_code: bool = True


@dataclass(frozen=True, kw_only=True, slots=True)
class KindBook:
    """The kinds in dependency order: a kind comes after every kind it depends on."""

    kinds: tuple[RecommendationKind, ...]

    def by_id(self) -> dict[str, RecommendationKind]:
        return {kind.id: kind for kind in self.kinds}

    def assign(self, finding: Finding) -> RecommendationKind:
        """The first kind naming the rule, else the first naming the category, else catch-all."""
        for kind in self.kinds:
            if any(rule_matches(pattern, finding.rule_id) for pattern in kind.rules):
                return kind
        for kind in self.kinds:
            if finding.category in kind.categories:
                return kind
        return next(kind for kind in self.kinds if kind.catch_all)


@dataclass(frozen=True, kw_only=True, slots=True)
class Recommendation:
    id: str
    kind: str
    title: str
    emoji: str
    part: int
    parts: int
    scope: str
    findings: tuple[Finding, ...]
    files: tuple[str, ...]
    changed_lines: int
    priority: Priority
    priority_reason: str
    effort: EffortEstimate
    risk: Risk
    review_time: ReviewTime
    depends_on: tuple[str, ...] = ()


def load_kinds(extra_dirs: Iterable[Path] = ()) -> KindBook:
    """The bundled kinds, then each ``recommendations.toml`` in ``extra_dirs`` overriding by id."""
    raw: dict[str, tuple[str, dict[str, object]]] = {}
    for directory in (rules_dir(), *extra_dirs):
        path = directory / "recommendations.toml"
        if path.is_file():
            document = TableReader.of(read_toml(path, RuleError), str(path), RuleError).only(
                {"kinds"}
            )
            kinds = document.table("kinds")
            for kind_id in kinds.values:
                raw[kind_id] = (str(path), dict(kinds.table(kind_id).values))
    parsed = [
        _parse_kind(kind_id, TableReader.of(body, f"{where}: [kinds.{kind_id}]", RuleError))
        for kind_id, (where, body) in raw.items()
    ]
    return KindBook(kinds=_dependency_order(parsed))


def _parse_kind(kind_id: str, reader: TableReader) -> RecommendationKind:
    reader.only(_KIND_KEYS)
    return RecommendationKind(
        id=kind_id,
        title=reader.string("title"),
        emoji=reader.string("emoji", "•"),
        categories=reader.strings("categories"),
        rules=reader.strings("rules"),
        priority=reader.choice("priority", PRIORITIES),
        escalate=reader.flag("escalate"),
        catch_all=reader.flag("catch_all"),
        depends_on=reader.strings("depends_on"),
        theme=reader.string("theme"),
        reviewers=reader.strings("reviewers"),
        communicate=reader.string("communicate"),
        changes_code=reader.flag("changes_code", default=True),
    )


def _dependency_order(kinds: Sequence[RecommendationKind]) -> tuple[RecommendationKind, ...]:
    """Kahn's algorithm, ties broken by file order; unknown ids and cycles are errors."""
    known = {kind.id for kind in kinds}
    catch_alls = [kind.id for kind in kinds if kind.catch_all]
    if len(catch_alls) != 1:
        raise RuleError(
            f"recommendations.toml: exactly one kind must have catch_all = true, found {catch_alls}"
        )
    for kind in kinds:
        missing = sorted(set(kind.depends_on) - known)
        if missing:
            raise RuleError(
                f"recommendations.toml: kind {kind.id!r} depends on unknown kind {missing[0]!r}"
            )
    ordered: list[RecommendationKind] = []
    placed: set[str] = set()
    while len(ordered) < len(kinds):
        ready = [k for k in kinds if k.id not in placed and set(k.depends_on) <= placed]
        if not ready:
            stuck = sorted(k.id for k in kinds if k.id not in placed)
            raise RuleError(
                f"recommendations.toml: the depends_on of kinds {', '.join(stuck)} form a cycle"
            )
        ordered.append(ready[0])
        placed.add(ready[0].id)
    return tuple(ordered)


def _canonical(finding: Finding) -> tuple[str, int, int, str, str]:
    return (finding.path, finding.line, finding.column, finding.rule_id, finding.fingerprint)


def group_findings(
    findings: Sequence[Finding],
    *,
    kinds: KindBook,
    rulebook: RuleBook,
    settings: PlanSettings,
    facts: CodeFacts,
) -> tuple[Recommendation, ...]:
    """Recommendations in kind order, parts in path order; independent of input order."""
    by_kind: dict[str, list[Finding]] = defaultdict(list)
    for finding in sorted(findings, key=_canonical):
        by_kind[kinds.assign(finding).id].append(finding)
    recommendations: list[Recommendation] = []
    for kind in kinds.kinds:
        if kind.id in by_kind:
            parts = split_for_review(by_kind[kind.id], settings)
            recommendations.extend(
                _build(
                    kind, part, index, len(parts), rulebook=rulebook, settings=settings, facts=facts
                )
                for index, part in enumerate(parts, start=1)
            )
    return tuple(recommendations)


def split_for_review(findings: Sequence[Finding], settings: PlanSettings) -> list[list[Finding]]:
    """Findings (in path order) packed into consecutive parts of at most the review budget.

    Units are directories; a directory over budget falls back to its files, a file over
    budget to runs of lines. Only a single finding over budget can make a part exceed it.
    """
    budget = settings.review_budget_lines
    lines = {f: changed_lines(f, settings) for f in findings}

    def size(group: Sequence[Finding]) -> float:
        return sum(lines[f] for f in group)

    if size(findings) <= budget:
        return [list(findings)]
    units: list[list[Finding]] = []
    for directory in _grouped(findings, lambda f: str(PurePosixPath(f.path).parent)).values():
        if size(directory) <= budget:
            units.append(directory)
            continue
        for file_findings in _grouped(directory, lambda f: f.path).values():
            units.extend(
                _runs(file_findings, size, budget)
                if size(file_findings) > budget
                else [file_findings]
            )
    parts: list[list[Finding]] = []
    for unit in units:
        if parts and size(parts[-1]) + size(unit) <= budget:
            parts[-1].extend(unit)
        else:
            parts.append(list(unit))
    return parts


def _grouped(
    findings: Sequence[Finding], key: Callable[[Finding], str]
) -> dict[str, list[Finding]]:
    groups: dict[str, list[Finding]] = defaultdict(list)
    for finding in findings:
        groups[key(finding)].append(finding)
    return dict(sorted(groups.items()))


def _runs(
    findings: Sequence[Finding], size: Callable[[Sequence[Finding]], float], budget: int
) -> list[list[Finding]]:
    runs: list[list[Finding]] = [[]]
    for finding in findings:
        if runs[-1] and size([*runs[-1], finding]) > budget:
            runs.append([])
        runs[-1].append(finding)
    return runs


def _build(
    kind: RecommendationKind,
    findings: Sequence[Finding],
    part: int,
    parts: int,
    *,
    rulebook: RuleBook,
    settings: PlanSettings,
    facts: CodeFacts,
) -> Recommendation:
    lines = sum(changed_lines(f, settings) for f in findings)
    files = tuple(sorted({f.path for f in findings}))
    priority, why = assess_priority(kind.priority, escalate=kind.escalate, findings=findings)
    scope = _scope(files)
    return Recommendation(
        id=kind.id if parts == 1 else f"{kind.id}-{part}",
        kind=kind.id,
        title=_part_title(kind.title, scope, part, parts),
        emoji=kind.emoji,
        part=part,
        parts=parts,
        scope=scope,
        findings=tuple(findings),
        files=files,
        changed_lines=round(lines),
        priority=priority,
        priority_reason=why,
        effort=estimate_effort(findings, rulebook, settings),
        risk=assess_risk(findings, facts, rulebook, settings.risk, changes_code=kind.changes_code),
        review_time=estimate_review_time(lines, settings),
    )


def _part_title(title: str, scope: str, part: int, parts: int) -> str:
    """A part names the directory it covers, so a list of parts says where each one works."""
    if parts == 1:
        return title
    where = f" in {scope}" if scope != "." else ""
    return f"{title}{where} (part {part} of {parts})"


def _scope(files: Sequence[str]) -> str:
    """The deepest directory holding every file (``"."`` for the root)."""
    parents = [PurePosixPath(path).parent.parts for path in files]
    common: list[str] = []
    for level in zip(*parents, strict=False):
        if len(set(level)) != 1:
            break
        common.append(level[0])
    return "/".join(common) or "."
