"""Recommendation kinds and title phrases, from ``rules/recommendations.toml``.

A kind says which findings go together (by rule, then category, else the catch-all), the
highest priority its pull requests can reach, who reviews them and who is told. The ratchet
kind collects long-tail rules (docstrings, untested modules, unused variables) once they
pass ``min_findings``: one pull request gates their growth in CI instead of dozens fixing
them. Phrases name what a pull request changes ("replace eval()").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from analyzer.model import Finding
from analyzer.planning.settings import matches_rules, rule_matches
from analyzer.resources import rules_dir
from analyzer.rules import RuleError
from analyzer.tables import TableReader, read_toml

_KIND_KEYS = {
    "title", "emoji", "categories", "rules", "max_priority", "escalate", "catch_all", "theme",
    "reviewers", "communicate", "changes_code", "ratchet", "min_findings", "setup_minutes",
    "nouns", "fix_now_minutes", "value_weight", "setup_lines",
}  # fmt: skip
_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")

Priority = Literal["critical", "high", "medium", "low"]
PRIORITIES: tuple[Priority, ...] = ("critical", "high", "medium", "low")


@dataclass(frozen=True, kw_only=True, slots=True)
class RecommendationKind:
    id: str
    title: str
    emoji: str
    categories: tuple[str, ...]
    rules: tuple[str, ...]
    max_priority: Priority
    escalate: bool
    catch_all: bool
    theme: str
    reviewers: tuple[str, ...]
    communicate: str
    changes_code: bool = True
    # How much a fix of this kind is worth next to others of the same severity: a
    # medium-severity injection outweighs a medium-severity type error.
    value_weight: float = 1.0
    # The ratchet kind: its rules (the keys of ``nouns``) gate CI once they have at least
    # ``min_findings`` findings; ``setup_minutes`` is the baseline and CI work.
    ratchet: bool = False
    min_findings: int = 0
    setup_minutes: float = 0.0
    setup_lines: float = 0.0
    # The long-tail fixes the ratchet pull request makes now, at most this many minutes.
    fix_now_minutes: float = 0.0
    nouns: Mapping[str, str] = field(default_factory=dict)
    # Rules whose own threshold replaces ``min_findings`` (type errors: hundreds, not 25).
    thresholds: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True, slots=True)
class Phrase:
    """What fixing a rule does, for one site (``one``, with placeholders such as ``{symbol}``)
    and for several (``many``: ``{count}``, and ``{symbols}`` for the first two names)."""

    one: str
    many: str

    def text(self, sites: Sequence[Mapping[str, object]]) -> str:
        """The phrase for these sites (each a finding's symbol and details)."""
        if len(sites) == 1:
            values = sites[0]
            names = set(_PLACEHOLDER.findall(self.one))
            if names <= {key for key, value in values.items() if value not in (None, "")}:
                return _PLACEHOLDER.sub(lambda m: str(values[m.group(1)]), self.one)
        symbols = list(dict.fromkeys(str(s["symbol"]) for s in sites if s.get("symbol")))
        listed = (
            " and ".join(symbols)
            if len(symbols) <= 2
            else f"{', '.join(symbols[:2])} and {len(symbols) - 2} more"
        )
        many = self.many if symbols or "{symbols}" not in self.many else self.one
        return many.replace("{count}", str(len(sites))).replace("{symbols}", listed)


@dataclass(frozen=True, kw_only=True, slots=True)
class KindBook:
    """The kinds in file order (the more urgent first), and the title phrases."""

    kinds: tuple[RecommendationKind, ...]
    rule_phrases: tuple[tuple[str, Phrase], ...] = ()
    category_phrases: Mapping[str, Phrase] = field(default_factory=dict)
    # Phrases and kinds already looked up, by (rule, category): memos, not state.
    _found: dict[tuple[str, str], Phrase | None] = field(
        default_factory=dict, compare=False, repr=False
    )
    _assigned: dict[tuple[str, str], RecommendationKind] = field(
        default_factory=dict, compare=False, repr=False
    )

    def by_id(self) -> dict[str, RecommendationKind]:
        return {kind.id: kind for kind in self.kinds}

    def rank(self) -> dict[str, int]:
        return {kind.id: index for index, kind in enumerate(self.kinds)}

    def ratchet(self) -> RecommendationKind | None:
        return next((kind for kind in self.kinds if kind.ratchet), None)

    def assign(self, finding: Finding) -> RecommendationKind:
        """The first kind naming the rule, else the first naming the category, else catch-all."""
        key = (finding.rule_id, finding.category)
        if key not in self._assigned:
            self._assigned[key] = self._kind_of(finding)
        return self._assigned[key]

    def _kind_of(self, finding: Finding) -> RecommendationKind:
        regular = [kind for kind in self.kinds if not kind.ratchet]
        for kind in regular:
            if matches_rules(kind.rules, finding.rule_id):
                return kind
        for kind in regular:
            if finding.category in kind.categories:
                return kind
        return next(kind for kind in regular if kind.catch_all)

    def phrase(self, rule_id: str, category: str) -> Phrase | None:
        key = (rule_id, category)
        if key not in self._found:
            self._found[key] = next(
                (phrase for pattern, phrase in self.rule_phrases if rule_matches(pattern, rule_id)),
                self.category_phrases.get(category),
            )
        return self._found[key]


def load_kinds(extra_dirs: Iterable[Path] = ()) -> KindBook:
    """The bundled kinds, then each ``recommendations.toml`` in ``extra_dirs`` overriding by id."""
    raw: dict[str, tuple[str, dict[str, object]]] = {}
    rule_phrases: dict[str, Phrase] = {}
    category_phrases: dict[str, Phrase] = {}
    for directory in (rules_dir(), *extra_dirs):
        path = directory / "recommendations.toml"
        if not path.is_file():
            continue
        document = TableReader.of(read_toml(path, RuleError), str(path), RuleError)
        document.only({"kinds", "phrases"})
        kinds = document.table("kinds")
        for kind_id in kinds.values:
            raw[kind_id] = (str(path), dict(kinds.table(kind_id).values))
        phrases = document.table("phrases").only({"rules", "categories"})
        rule_phrases.update(_phrases(phrases.table("rules")))
        category_phrases.update(_phrases(phrases.table("categories")))
    parsed = tuple(
        _parse_kind(kind_id, TableReader.of(body, f"{where}: [kinds.{kind_id}]", RuleError))
        for kind_id, (where, body) in raw.items()
    )
    _check(parsed)
    return KindBook(
        kinds=parsed,
        rule_phrases=tuple(rule_phrases.items()),
        category_phrases=category_phrases,
    )


def _parse_kind(kind_id: str, reader: TableReader) -> RecommendationKind:
    reader.only(_KIND_KEYS)
    nouns, thresholds = _nouns(reader.table("nouns"))
    return RecommendationKind(
        id=kind_id,
        title=reader.string("title"),
        emoji=reader.string("emoji", "•"),
        categories=reader.strings("categories"),
        rules=reader.strings("rules"),
        max_priority=reader.choice("max_priority", PRIORITIES),
        escalate=reader.flag("escalate"),
        catch_all=reader.flag("catch_all"),
        theme=reader.string("theme"),
        reviewers=reader.strings("reviewers"),
        communicate=reader.string("communicate"),
        changes_code=reader.flag("changes_code", default=True),
        value_weight=reader.number("value_weight", 1.0),
        ratchet=reader.flag("ratchet"),
        min_findings=reader.integer("min_findings", 0),
        setup_minutes=reader.number("setup_minutes", 0),
        setup_lines=reader.number("setup_lines", 0),
        fix_now_minutes=reader.number("fix_now_minutes", 0),
        nouns=nouns,
        thresholds=thresholds,
    )


def _nouns(reader: TableReader) -> tuple[dict[str, str], dict[str, int]]:
    """``rule = "noun"``, or ``rule = { noun = "...", min_findings = N }``."""
    nouns: dict[str, str] = {}
    thresholds: dict[str, int] = {}
    for rule, value in reader.values.items():
        if isinstance(value, str):
            nouns[rule] = reader.string(rule)
            continue
        table = reader.table(rule).only({"noun", "min_findings"})
        nouns[rule] = table.string("noun")
        if "min_findings" in table.values:
            thresholds[rule] = table.integer("min_findings", minimum=1)
    return nouns, thresholds


def _check(kinds: tuple[RecommendationKind, ...]) -> None:
    catch_alls = [kind.id for kind in kinds if kind.catch_all and not kind.ratchet]
    if len(catch_alls) != 1:
        raise RuleError(
            f"recommendations.toml: exactly one kind must have catch_all = true, found {catch_alls}"
        )
    ratchets = [kind.id for kind in kinds if kind.ratchet]
    if len(ratchets) > 1:
        raise RuleError(
            f"recommendations.toml: at most one kind may be a ratchet, found {ratchets}"
        )


def _phrases(reader: TableReader) -> dict[str, Phrase]:
    phrases: dict[str, Phrase] = {}
    for key, value in reader.values.items():
        if isinstance(value, str) and value:
            phrases[key] = Phrase(one=value, many=value)
            continue
        table = reader.table(key).only({"one", "many"})
        phrases[key] = Phrase(one=table.string("one"), many=table.string("many"))
    return phrases
