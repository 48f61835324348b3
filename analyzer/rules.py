"""Load and validate the rule metadata in ``rules/<tool>.toml``.

Each tool file has a ``[tool]`` table (the tool's name, category and defaults) and one
``[rules.<code>]`` table per tool code. Codes a file does not list still produce findings
through the tool's fallback rule, so nothing a tool reports can vanish.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from analyzer.model import SEVERITIES, Severity
from analyzer.resources import rules_dir
from analyzer.tables import TableReader, read_toml

Change = Literal["low", "medium", "high"]
CHANGES: tuple[Change, ...] = ("low", "medium", "high")

_TOOL_KEYS = {
    "name",
    "category",
    "default_severity",
    "fallback_title",
    "effort",
    "behaviour_change",
}
# ``valid``/``invalid``: code samples kept next to a rule; tests run them, the loader skips them.
_RULE_KEYS = {
    "title",
    "help",
    "severity",
    "category",
    "effort",
    "behaviour_change",
    "valid",
    "invalid",
    "cwe",
    "grade_of",
}
_EFFORT_KEYS = {"base", "per_unit", "unit"}
# Files in rules/ that describe something other than one tool's codes.
NON_TOOL_FILES = frozenset({"recommendations", "metrics", "planning"})


class RuleError(ValueError):
    """rules/ holds something that cannot be loaded."""


@dataclass(frozen=True, kw_only=True, slots=True)
class Effort:
    """Remediation minutes: ``base`` plus ``per_unit`` for each unit the finding measures."""

    base: float
    per_unit: float = 0.0
    unit: str | None = None

    def minutes(self, units: float = 0.0) -> float:
        return self.base + self.per_unit * max(units, 0.0)


@dataclass(frozen=True, kw_only=True, slots=True)
class Rule:
    rule_id: str
    tool: str
    code: str
    title: str
    help: str
    category: str
    severity: Severity
    effort: Effort
    behaviour_change: Change
    known: bool = True
    # The weakness (CWE id) a security rule of our own reports; bandit gives its own per finding.
    cwe: int | None = None
    # Rules that share it grade one measurement (radon's ranks C to F of cyclomatic
    # complexity): a function that changes rank still has the same problem, better or worse.
    grade_of: str | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class ToolRules:
    tool: str
    category: str
    default_severity: Severity
    fallback_title: str
    effort: Effort
    behaviour_change: Change
    rules: Mapping[str, Rule]
    # The free-form [settings] table, handed to the tool's analyzer, which validates it.
    settings: Mapping[str, Any] = field(default_factory=dict)

    def lookup(self, code: str) -> Rule:
        rule = self.rules.get(code)
        if rule is not None:
            return rule
        return Rule(
            rule_id=f"{self.tool}.{code}",
            tool=self.tool,
            code=code,
            title=self.fallback_title,
            help=f"{self.tool} reported code {code!r}, which rules/{self.tool}.toml does not list.",
            category=self.category,
            severity=self.default_severity,
            effort=self.effort,
            behaviour_change=self.behaviour_change,
            known=False,
        )


@dataclass(frozen=True, kw_only=True, slots=True)
class RuleBook:
    tools: Mapping[str, ToolRules]

    def lookup(self, tool: str, code: str) -> Rule:
        tool_rules = self.tools.get(tool)
        if tool_rules is None:
            tool_rules = _unknown_tool(tool)
        return tool_rules.lookup(code)

    def all_rules(self) -> tuple[Rule, ...]:
        return tuple(
            rule
            for name in sorted(self.tools)
            for _, rule in sorted(self.tools[name].rules.items())
        )

    def grades(self) -> dict[str, str]:
        """Rule id -> the measurement it grades, for the rules that have ``grade_of``."""
        return {rule.rule_id: rule.grade_of for rule in self.all_rules() if rule.grade_of}

    def settings_for(self, tool: str) -> Mapping[str, Any]:
        tool_rules = self.tools.get(tool)
        return tool_rules.settings if tool_rules else {}

    def find(self, rule_id: str) -> Rule | None:
        tool, _, code = rule_id.partition(".")
        tool_rules = self.tools.get(tool)
        return tool_rules.rules.get(code) if tool_rules else None


def _unknown_tool(tool: str) -> ToolRules:
    return ToolRules(
        tool=tool,
        category="other",
        default_severity="low",
        fallback_title=f"{tool} finding",
        effort=Effort(base=15),
        behaviour_change="medium",
        rules={},
    )


def load_rulebook(extra_dirs: Iterable[Path] = ()) -> RuleBook:
    """Load the bundled rules, then each of ``extra_dirs`` in turn, later files overriding."""
    tools: dict[str, ToolRules] = {}
    for directory in (rules_dir(), *extra_dirs):
        for tool_rules in _load_dir(directory):
            base = tools.get(tool_rules.tool)
            tools[tool_rules.tool] = _merge(base, tool_rules) if base else tool_rules
    return RuleBook(tools=tools)


def _load_dir(directory: Path) -> list[ToolRules]:
    seen: dict[str, Path] = {}
    loaded = []
    for path in sorted(directory.glob("*.toml")):
        if path.stem in NON_TOOL_FILES:
            continue
        tool_rules = load_tool_file(path)
        if tool_rules.tool in seen:
            raise RuleError(
                f"{path}: tool {tool_rules.tool!r} is already defined in {seen[tool_rules.tool]}"
            )
        seen[tool_rules.tool] = path
        loaded.append(tool_rules)
    return loaded


def _merge(base: ToolRules, override: ToolRules) -> ToolRules:
    return ToolRules(
        tool=base.tool,
        category=override.category,
        default_severity=override.default_severity,
        fallback_title=override.fallback_title,
        effort=override.effort,
        behaviour_change=override.behaviour_change,
        rules={**base.rules, **override.rules},
        settings=merge_tables(base.settings, override.settings),
    )


def merge_tables(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """``override`` over ``base``, table by table: a nested table (one vulture whitelist,
    one kind of document) is merged key by key, any other value (a list too) replaced."""
    merged = dict(base)
    for key, value in override.items():
        current = merged.get(key)
        if isinstance(current, Mapping) and isinstance(value, Mapping):
            merged[key] = merge_tables(current, value)
        else:
            merged[key] = value
    return merged


def load_tool_file(path: Path) -> ToolRules:
    """Parse one ``rules/<tool>.toml``; any unknown key or bad value is a RuleError.

    A scan loads the rulebook more than once (the command line, then planning); a file
    unchanged since (same size and modification time) is not parsed again."""
    try:
        status = path.stat()
    except OSError:
        return _parse_tool_file(path)  # read_toml reports it
    key = (str(path), status.st_mtime_ns, status.st_size)
    if key not in _PARSED:
        _PARSED[key] = _parse_tool_file(path)
    return _PARSED[key]


_PARSED: dict[tuple[str, int, int], ToolRules] = {}


def _parse_tool_file(path: Path) -> ToolRules:
    document = TableReader.of(read_toml(path, RuleError), str(path), RuleError)
    document.only({"tool", "rules", "settings"})
    head = document.section("tool").only(_TOOL_KEYS)
    tool = head.string("name")
    category = head.string("category")
    effort = _effort(head, "effort", {"base": 15})
    change = head.choice("behaviour_change", CHANGES, "medium")
    default_severity = head.choice("default_severity", SEVERITIES, "low")
    rules = {}
    table = document.section("rules")
    for code in table.values:
        body = table.section(code).only(_RULE_KEYS)
        rules[code] = Rule(
            rule_id=f"{tool}.{code}",
            tool=tool,
            code=code,
            title=body.string("title"),
            help=str(body.values.get("help", "")),
            category=body.string("category", category),
            severity=body.choice("severity", SEVERITIES, default_severity),
            effort=_effort(body, "effort", head.values.get("effort", {"base": 15})),
            behaviour_change=body.choice("behaviour_change", CHANGES, change),
            cwe=_cwe(body),
            grade_of=body.string("grade_of") if "grade_of" in body.values else None,
        )
    return ToolRules(
        tool=tool,
        category=category,
        default_severity=default_severity,
        fallback_title=head.string("fallback_title", f"{tool} finding"),
        effort=effort,
        behaviour_change=change,
        rules=rules,
        settings=dict(document.section("settings").values),
    )


def _cwe(body: TableReader) -> int | None:
    if body.values.get("cwe") is None:
        return None
    return body.integer("cwe", minimum=1)


def _effort(reader: TableReader, key: str, default: object) -> Effort:
    table = reader.section(key, default).only(_EFFORT_KEYS)
    base = table.number("base", 0.0)
    per_unit = table.number("per_unit", 0.0)
    unit = table.values.get("unit")
    return Effort(base=base, per_unit=per_unit, unit=str(unit) if unit else None)


def load_settings(tool: str) -> dict[str, Any]:
    """The free-form ``[settings]`` table of the bundled ``rules/<tool>.toml`` (thresholds,
    file-name patterns, reference data); the analyzer that owns the file validates it.

    For an analyzer called without ``request.options`` (a scan always passes the merged
    settings of the rulebook); read through the same loader as everything else.
    """
    return dict(load_tool_file(rules_dir() / f"{tool}.toml").settings)


def known_rules(rules: RuleBook) -> dict[str, frozenset[str]]:
    """Each tool and its rule codes, so a bare code ("B101") names its rule."""
    return {tool: frozenset(table.rules) for tool, table in rules.tools.items()}
